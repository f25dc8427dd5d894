//! The SQLite schema, as numbered migrations tracked in `PRAGMA user_version`.
//!
//! Migrations only ever append: a released one is never edited, so every database reaches the
//! same schema by the same steps. Each runs in one transaction with its version bump. This module
//! must never touch a database whose version is newer than it knows.

use confidant_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, TransactionBehavior};

use super::errors::db_error;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1_INITIAL, V2_AUDIT_LOG];

/// The newest schema version this binary knows.
pub(crate) const SUPPORTED: i64 = MIGRATIONS.len() as i64;

/// Ids are 16-byte BLOBs (UUID bytes), so ordering by id is ordering by `ClientId`. Every
/// sealed field has a BLOB column of its own. Tables are STRICT: a value of the wrong type is
/// refused rather than silently converted.
const V1_INITIAL: &str = "
CREATE TABLE practice (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         BLOB    NOT NULL CHECK (length(id) = 16),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE unseal_slots (
    position INTEGER PRIMARY KEY,
    method   TEXT NOT NULL,
    salt     BLOB NOT NULL,
    wrapped  BLOB NOT NULL
) STRICT;

CREATE TABLE practice_keys (
    version    INTEGER PRIMARY KEY CHECK (version BETWEEN 0 AND 4294967295),
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
    id                BLOB    PRIMARY KEY CHECK (length(id) = 16),
    key_version       INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    created_at        INTEGER NOT NULL,
    legal_name        BLOB    NOT NULL,
    preferred_name    BLOB    NOT NULL,
    date_of_birth     BLOB    NOT NULL,
    phone             BLOB    NOT NULL,
    email             BLOB    NOT NULL,
    address           BLOB    NOT NULL,
    emergency_contact BLOB    NOT NULL
) STRICT;

CREATE TABLE client_keys (
    client_id            BLOB    NOT NULL REFERENCES clients (id),
    version              INTEGER NOT NULL CHECK (version BETWEEN 0 AND 4294967295),
    practice_key_version INTEGER NOT NULL CHECK (practice_key_version BETWEEN 0 AND 4294967295),
    wrapped              BLOB    NOT NULL,
    PRIMARY KEY (client_id, version)
) STRICT;

CREATE INDEX client_keys_by_practice_key ON client_keys (practice_key_version);

CREATE TABLE notes (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    client_id   BLOB    NOT NULL REFERENCES clients (id),
    key_version INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    kind        TEXT    NOT NULL,
    author      BLOB    NOT NULL CHECK (length(author) = 16),
    created_at  INTEGER NOT NULL,
    body        BLOB    NOT NULL
) STRICT;

CREATE INDEX notes_by_client ON notes (client_id);

CREATE TABLE api_tokens (
    id         BLOB    PRIMARY KEY CHECK (length(id) = 16),
    digest     BLOB    NOT NULL UNIQUE CHECK (length(digest) = 32),
    actor      BLOB    NOT NULL CHECK (length(actor) = 16),
    role       TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
) STRICT;
";

/// The audit log. `seq` is the rowid, so the log size is one seek to the last row, and every
/// index ends in `seq` implicitly: a search by client, actor or action walks its index in seq
/// order and stops at the limit without sorting. Client and actor indexes skip events without
/// one. Events, tree nodes and checkpoints refuse UPDATE and DELETE (anyone with the file can
/// drop the triggers; the signed checkpoints are what make rewriting detectable). Ids are
/// 16-byte BLOBs and hashes 32, as in the first migration.
const V2_AUDIT_LOG: &str = "
CREATE TABLE audit_events (
    seq    INTEGER PRIMARY KEY CHECK (seq >= 0),
    at     INTEGER NOT NULL,
    actor  BLOB    CHECK (length(actor) = 16),
    action TEXT    NOT NULL,
    client BLOB    CHECK (length(client) = 16),
    event  BLOB    NOT NULL
) STRICT;

CREATE INDEX audit_events_by_client ON audit_events (client) WHERE client IS NOT NULL;
CREATE INDEX audit_events_by_actor ON audit_events (actor) WHERE actor IS NOT NULL;
CREATE INDEX audit_events_by_action ON audit_events (action);
CREATE INDEX audit_events_by_time ON audit_events (at);

CREATE TABLE audit_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 255),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_state (
    id       INTEGER PRIMARY KEY CHECK (id = 0),
    frontier BLOB    NOT NULL
) STRICT;

CREATE TABLE audit_checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 0),
    note       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_key (
    id            INTEGER PRIMARY KEY CHECK (id = 0),
    wrapped_seed  BLOB    NOT NULL,
    verifier_key  TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_events_are_append_only BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_nodes_are_append_only BEFORE UPDATE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'audit tree nodes are append-only'); END;
CREATE TRIGGER audit_nodes_are_never_deleted BEFORE DELETE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'audit tree nodes are append-only'); END;
CREATE TRIGGER audit_checkpoints_are_append_only BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_are_never_deleted BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
";

/// The database's schema version.
pub(crate) fn version(conn: &Connection) -> StoreResult<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| db_error("read schema version", e))
}

/// Refuses a database from a newer Confidant, before anything writes to it.
pub(crate) fn refuse_newer(conn: &Connection) -> StoreResult<()> {
    check(version(conn)?)
}

fn check(found: i64) -> StoreResult<()> {
    if found > SUPPORTED {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SUPPORTED,
        });
    }
    Ok(())
}

/// Applies every migration the database lacks, each in its own transaction.
pub(crate) fn run(conn: &mut Connection) -> StoreResult<()> {
    let op = "migrate schema";
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(op, e))?;
        // Read under the write lock: another process may have migrated since we looked.
        let current = version(&tx)?;
        check(current)?;
        let Some(sql) = usize::try_from(current)
            .ok()
            .and_then(|i| MIGRATIONS.get(i))
        else {
            return Ok(());
        };
        tx.execute_batch(sql).map_err(|e| db_error(op, e))?;
        tx.pragma_update(None, "user_version", current + 1)
            .map_err(|e| db_error(op, e))?;
        tx.commit().map_err(|e| db_error(op, e))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_migrates_to_the_supported_version_and_stays_there() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
    }

    #[test]
    fn a_failing_migration_leaves_the_version_and_schema_unchanged() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A table the first migration creates already exists, so it fails part-way.
        conn.execute_batch("CREATE TABLE notes (x INTEGER)")
            .unwrap();
        assert!(run(&mut conn).is_err());
        assert_eq!(version(&conn).unwrap(), 0);
        let practice: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'practice'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(practice, 0);
    }

    #[test]
    fn a_version_1_database_upgrades_to_the_audit_log_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1_INITIAL).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO practice (singleton, id, created_at) VALUES (1, zeroblob(16), 42)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO api_tokens (id, digest, actor, role, label, created_at) \
             VALUES (zeroblob(16), zeroblob(32), zeroblob(16), 'owner', 'bootstrap', 7)",
            [],
        )
        .unwrap();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), 2);
        let kept: (i64, String) = conn
            .query_row(
                "SELECT p.created_at, t.role FROM practice p, api_tokens t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, (42, "owner".to_owned()));
        let audit_tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN \
                 ('audit_events', 'audit_nodes', 'audit_state', 'audit_checkpoints', 'audit_key')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audit_tables, 5);
    }

    #[test]
    fn newer_schema_is_refused_with_both_versions() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SUPPORTED + 1)
            .unwrap();
        let err = refuse_newer(&conn).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found, supported } if found == SUPPORTED + 1 && supported == SUPPORTED)
        );
    }
}
