//! Confidant's domain core: practice, clients, notes, actors, and the services that seal
//! before storing and open after loading.
//!
//! It knows nothing of HTTP or SQL: storage and the clock are ports (`ports`). It must never
//! hand plaintext client data to a port, and never put client content in an error.

pub mod actor;
pub mod audit;
pub mod auth;
pub mod client;
pub mod error;
pub mod ids;
pub mod note;
pub mod policy;
pub mod ports;
pub mod records;
mod text;
pub mod vault;

pub use actor::{Actor, Role};
pub use audit::{Access, Action, AuditConfig, Outcome, Purpose};
pub use client::{Client, ClientInput, NewClient};
pub use error::{CoreError, CoreResult, Invalid};
pub use ids::{ActorId, ClientId, NoteId, PracticeId, TokenId};
pub use note::{NewNote, Note, NoteInput, NoteKind};
pub use records::{ClientPage, MAX_PAGE};
pub use vault::{Initialized, Rotation, Vault, init};
