//! The embedded SQLite engine: one database file in the data directory, written by one
//! connection and read by a small pool, so reads run beside a write under write-ahead logging.
//!
//! This module owns opening, configuring and sharing connections; the tables live in one file
//! per concept beside it. It must never hand out a connection without the safety pragmas
//! (durable commits, foreign keys, secure delete, no temporary files), never let a reader write,
//! and never put a stored value in an error.

mod appointment;
mod assessment;
mod attachment;
mod audit;
mod care;
mod clients;
mod columns;
mod errors;
mod group;
mod migrations;
mod notes;
mod passkey;
mod practice;
mod staff;
mod tokens;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use confidant_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};

use self::errors::{db_error, unavailable};
use self::group::GroupWriter;

/// File name of the database inside the data directory.
pub(crate) const DB_FILE: &str = "confidant.db";
/// Read connections; enough for a practice's handful of concurrent requests.
const READERS: usize = 4;
/// How long a statement waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// Confidant's storage in `DATA_DIR/confidant.db`: safe to share between threads.
pub struct SqliteStore {
    // Readers are declared first so they close first: the writer, closing last, checkpoints
    // and removes the write-ahead log.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// Kept for looking up API tokens, which the server does on its async workers: such a
    /// lookup never queues behind a long listing on the shared readers.
    token_reader: Mutex<Connection>,
    writer: GroupWriter,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("readers", &self.readers.len())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    ///
    /// Refuses, changing nothing, a database written by a newer Confidant (`SchemaTooNew`).
    pub fn open(data_dir: &Path) -> StoreResult<Self> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        create_private_file(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut writer =
            Connection::open_with_flags(&path, flags).map_err(|e| db_error("open database", e))?;
        writer
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| db_error("open database", e))?;
        // Before any pragma that could touch the file: a newer database stays as it was.
        migrations::refuse_newer(&writer)?;
        configure(&writer)?;
        migrations::run(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_reader(&path).map(Mutex::new))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Self {
            readers,
            next_reader: AtomicUsize::new(0),
            token_reader: Mutex::new(open_reader(&path)?),
            writer: GroupWriter::new(writer),
        })
    }

    /// Runs `f` in a write transaction, all of it or nothing, and returns once that is durable.
    /// Writes that arrive together share the transaction and its commit (`group.rs`).
    fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.writer.write(op, None, f)
    }

    /// Like `write`, then truncates the write-ahead log so no page image from before the
    /// transaction (such as a deleted key) survives in it.
    fn write_and_checkpoint<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.writer.write(op, Some(checkpoint_truncate), f)
    }

    /// Runs `f` on a read-only connection, preferring one no other thread is using.
    fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let conn = self.reader(op)?;
        f(&conn)
    }

    /// Runs `f` on the read-only connection kept for token lookups.
    fn read_token<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let conn = self.token_reader.lock().map_err(|_| poisoned(op))?;
        f(&conn)
    }

    fn reader(&self, op: &'static str) -> StoreResult<MutexGuard<'_, Connection>> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            let Some(slot) = self.readers.get((start + i) % n) else {
                continue;
            };
            match slot.try_lock() {
                Ok(guard) => return Ok(guard),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Poisoned(_)) => return Err(poisoned(op)),
            }
        }
        // All busy: queue on the one round-robin picked.
        let slot = self
            .readers
            .get(start)
            .ok_or_else(|| unavailable(op, "no read connection"))?;
        slot.lock().map_err(|_| poisoned(op))
    }
}

fn poisoned(op: &'static str) -> StoreError {
    unavailable(
        op,
        "a connection was abandoned by a thread that panicked; restart the server",
    )
}

/// Applies the pragmas every connection must have before it serves a query.
fn configure(conn: &Connection) -> StoreResult<()> {
    let op = "configure connection";
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| db_error(op, e))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| db_error(op, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(unavailable(op, "could not switch to write-ahead logging"));
    }
    // FULL: a commit is on disk (write-ahead log synced) before the call returns.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| db_error(op, e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| db_error(op, e))?;
    // Deleted rows (shredded keys) are overwritten with zeros, not left in free space.
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(|e| db_error(op, e))?;
    // Sorts and temporary tables stay in memory, never in a temp file outside the data dir.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(|e| db_error(op, e))?;
    Ok(())
}

fn open_reader(path: &Path) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| db_error("open read connection", e))?;
    configure(&conn)?;
    Ok(conn)
}

/// Copies the write-ahead log into the database and truncates it to zero bytes.
fn checkpoint_truncate(conn: &Connection, op: &'static str) -> StoreResult<()> {
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .map_err(|e| db_error(op, e))?;
    if busy != 0 {
        return Err(unavailable(
            op,
            "the change is committed but the write-ahead log could not be truncated while \
             other readers held it; retry",
        ));
    }
    Ok(())
}

/// Creates the data directory, readable only by its owner.
fn create_private_dir(dir: &Path) -> StoreResult<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| unavailable("create data directory", &e.to_string()))
}

/// Creates an empty database file readable only by its owner, unless it exists. SQLite gives
/// the write-ahead log and shared-memory files the same permissions.
fn create_private_file(path: &Path) -> StoreResult<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| unavailable("create database file", &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| format!("{v:?}"))
        .unwrap()
    }

    #[test]
    fn every_connection_has_the_safety_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let check = |conn: &Connection| {
            assert_eq!(pragma(conn, "journal_mode"), r#"Text("wal")"#);
            assert_eq!(pragma(conn, "synchronous"), "Integer(2)");
            assert_eq!(pragma(conn, "foreign_keys"), "Integer(1)");
            assert_eq!(pragma(conn, "secure_delete"), "Integer(1)");
            assert_eq!(pragma(conn, "temp_store"), "Integer(2)");
            assert_eq!(pragma(conn, "busy_timeout"), "Integer(5000)");
        };
        store.writer.with_connection(check).unwrap();
        for reader in store.readers.iter().chain([&store.token_reader]) {
            check(&reader.lock().unwrap());
        }
    }

    #[test]
    fn read_connections_refuse_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let reader = store.reader("test").unwrap();
        assert!(reader.execute("DELETE FROM practice", []).is_err());
        let tokens = store.token_reader.lock().unwrap();
        assert!(tokens.execute("DELETE FROM api_tokens", []).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn database_files_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let _store = SqliteStore::open(&data).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        for name in ["confidant.db", "confidant.db-wal", "confidant.db-shm"] {
            assert_eq!(mode(&data.join(name)), 0o600, "{name}");
        }
    }

    #[test]
    fn all_readers_busy_still_serves_a_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let held: Vec<_> = store.readers.iter().map(|r| r.lock().unwrap()).collect();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| store.read("test", |c| Ok(c.is_autocommit())));
            std::thread::sleep(Duration::from_millis(50));
            drop(held);
            assert!(waiter.join().unwrap().unwrap());
        });
    }
}
