//! Storage engines for Confidant: each implements the core's storage ports (`Store`).
//!
//! This crate owns SQL, schemas, migrations and connection handling. It only ever stores the
//! sealed rows the core hands it; it must never see a key or plaintext, never decide policy, and
//! never put a stored value in an error message.

mod sqlite;

pub use sqlite::SqliteStore;
