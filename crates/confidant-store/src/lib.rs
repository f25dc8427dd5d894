//! Storage engines for Confidant: each implements the core's storage ports (`Store`).
//!
//! This crate owns SQL, schemas, migrations and connection handling. It only ever stores the
//! sealed rows the core hands it; it must never see a key or plaintext, never decide policy, and
//! never put a stored value in an error message.

mod blob;
mod sqlite;

pub use blob::{BLOB_DIR, FsBlobStore};
pub use sqlite::SqliteStore;

impl SqliteStore {
    /// Whether `data_dir` holds a Confidant database, so `serve` can refuse a wrong directory
    /// instead of creating an empty practice there.
    pub fn exists(data_dir: &std::path::Path) -> bool {
        data_dir.join(sqlite::DB_FILE).is_file()
    }
}
