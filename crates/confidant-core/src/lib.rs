//! Confidant's domain core: practice, clients, notes, actors, and the services that seal
//! before storing and open after loading.
//!
//! It knows nothing of HTTP or SQL: storage and the clock are ports (`ports`). It must never
//! hand plaintext client data to a port, and never put client content in an error.

mod access;
pub mod actor;
pub mod appointment;
pub mod assessment;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod care;
pub mod client;
pub mod consultation;
pub mod error;
pub mod export;
pub mod ids;
pub mod login;
pub mod note;
mod note_lifecycle;
pub mod passkey;
pub mod policy;
pub mod ports;
pub mod records;
pub mod search;
pub mod staff;
mod text;
pub mod vault;

pub use actor::{Actor, Credential, Scope};
pub use audit::{Access, Action, AuditConfig, Outcome, Purpose};
pub use client::{Client, ClientInput, ClientStatus, NewClient};
pub use error::{CoreError, CoreResult, Invalid};
pub use ids::{ActorId, ClientId, NoteId, PasskeyId, PracticeId, TokenId};
pub use note::{
    AddendumInput, Note, NoteEditInput, NoteInput, NoteKind, NoteStatus, NoteVersion, Template,
};
pub use policy::StaffRole;
pub use records::{ClientPage, MAX_PAGE};
pub use vault::{Initialized, Options, Rotation, Vault, init};
