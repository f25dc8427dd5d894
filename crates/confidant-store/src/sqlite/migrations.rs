//! The SQLite schema, as numbered migrations tracked in `PRAGMA user_version`.
//!
//! Migrations only ever append: a released one is never edited, so every database reaches the
//! same schema by the same steps. Each runs in one transaction with its version bump. This module
//! must never touch a database whose version is newer than it knows.

use confidant_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, TransactionBehavior};

use super::errors::db_error;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    V1_INITIAL,
    V2_AUDIT_LOG,
    V3_STAFF_AND_CARE,
    V4_PASSKEYS,
    V5_APPOINTMENTS,
    V6_NOTE_LIFECYCLE,
    V7_ATTACHMENTS,
    V8_ASSESSMENTS,
];

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

/// Staff accounts and what signs them in (invitations, login challenges, sessions, recovery
/// codes), and who may see which client (care teams, supervision shares, break-glass grants, the
/// restricted flag). Bearer secrets are stored only as 32-byte SHA-256 digests; TOTP secrets and
/// break-glass reasons are sealed BLOBs. A supervision share points at the care-team membership
/// it was made under, so it cannot outlive it. API tokens gain a scope: every token before this
/// migration is a bootstrap owner token, hence `admin`.
///
/// A practice created before this migration has no accounts, yet its owner acts through their
/// token; every actor holding an owner token gets an active owner account, so it keeps working.
const V3_STAFF_AND_CARE: &str = "
CREATE TABLE users (
    id             BLOB    PRIMARY KEY CHECK (length(id) = 16),
    email          TEXT    UNIQUE,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    password_phc   TEXT,
    totp           BLOB,
    totp_last_step INTEGER CHECK (totp_last_step >= 0),
    failed_logins  INTEGER NOT NULL CHECK (failed_logins BETWEEN 0 AND 4294967295),
    locked_until   INTEGER,
    supervisor     BLOB    CHECK (length(supervisor) = 16),
    nda_at         INTEGER,
    window_start   INTEGER,
    window_end     INTEGER,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    digest     BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    user       BLOB    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX invitations_by_user ON invitations (user);

CREATE TABLE login_challenges (
    digest     BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    user       BLOB    NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX login_challenges_by_user ON login_challenges (user);

CREATE TABLE sessions (
    digest      BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    user        BLOB    NOT NULL REFERENCES users (id),
    csrf_digest BLOB    NOT NULL CHECK (length(csrf_digest) = 32),
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_by_user ON sessions (user);

CREATE TABLE recovery_codes (
    user   BLOB NOT NULL REFERENCES users (id),
    digest BLOB NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (user, digest)
) STRICT, WITHOUT ROWID;

CREATE TABLE care_teams (
    client            BLOB    NOT NULL REFERENCES clients (id),
    user              BLOB    NOT NULL REFERENCES users (id),
    primary_clinician INTEGER NOT NULL CHECK (primary_clinician IN (0, 1)),
    added_by          BLOB    NOT NULL CHECK (length(added_by) = 16),
    added_at          INTEGER NOT NULL,
    PRIMARY KEY (client, user)
) STRICT, WITHOUT ROWID;

CREATE INDEX care_teams_by_user ON care_teams (user);

CREATE TABLE supervision_shares (
    client     BLOB    NOT NULL,
    supervisee BLOB    NOT NULL,
    supervisor BLOB    NOT NULL REFERENCES users (id),
    shared_at  INTEGER NOT NULL,
    PRIMARY KEY (client, supervisee),
    FOREIGN KEY (client, supervisee) REFERENCES care_teams (client, user)
) STRICT, WITHOUT ROWID;

CREATE INDEX supervision_shares_by_supervisor ON supervision_shares (supervisor);

CREATE TABLE break_glass (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    user        BLOB    NOT NULL REFERENCES users (id),
    client      BLOB    NOT NULL REFERENCES clients (id),
    reason      BLOB    NOT NULL,
    granted_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    reviewed_by BLOB    CHECK (length(reviewed_by) = 16),
    reviewed_at INTEGER,
    CHECK ((reviewed_by IS NULL) = (reviewed_at IS NULL))
) STRICT;

CREATE INDEX break_glass_active ON break_glass (user, client, expires_at);

ALTER TABLE clients ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1));

ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin'
    CHECK (scope IN ('read', 'write', 'admin'));

CREATE INDEX api_tokens_by_actor ON api_tokens (actor);

INSERT INTO users (id, email, display_name, role, status, failed_logins, created_at)
SELECT t.actor, NULL, 'Practice owner', 'owner', 'active', 0, min(t.created_at)
FROM api_tokens t
WHERE t.role = 'owner' AND EXISTS (SELECT 1 FROM practice)
GROUP BY t.actor;
";

/// Passkeys (WebAuthn credentials) and the state of their ceremonies under way. The credential
/// (public key, counter) and the ceremony state are sealed BLOBs; the credential id, which the
/// browser sends in the clear, is unique across accounts (WebAuthn allows 1 to 1023 bytes). A
/// ceremony is keyed by the digest of the session or login challenge it belongs to.
const V4_PASSKEYS: &str = "
CREATE TABLE passkeys (
    id            BLOB    PRIMARY KEY CHECK (length(id) = 16),
    user          BLOB    NOT NULL REFERENCES users (id),
    credential_id BLOB    NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1023),
    label         TEXT    NOT NULL,
    credential    BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
) STRICT;

CREATE INDEX passkeys_by_user ON passkeys (user);

CREATE TABLE passkey_ceremonies (
    digest     BLOB    NOT NULL CHECK (length(digest) = 32),
    kind       TEXT    NOT NULL CHECK (kind IN ('registration', 'authentication')),
    user       BLOB    NOT NULL REFERENCES users (id),
    state      BLOB    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (digest, kind)
) STRICT, WITHOUT ROWID;

CREATE INDEX passkey_ceremonies_by_user ON passkey_ceremonies (user);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);
";

/// Episodes of care and appointments. An episode's reason and an appointment's location and
/// note are sealed BLOBs; dates are Julian day numbers and times Unix milliseconds, in the
/// clear, so a day's schedule is one range scan. A client has at most one open episode (a
/// partial unique index), and an appointment's episode must be one of the same client's (a
/// foreign key over both columns). Every change of an appointment bumps its revision, which
/// the next change must name.
const V5_APPOINTMENTS: &str = "
CREATE TABLE episodes (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    client_id   BLOB    NOT NULL REFERENCES clients (id),
    key_version INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    opened_on   INTEGER NOT NULL,
    closed_on   INTEGER CHECK (closed_on >= opened_on),
    reason      BLOB    NOT NULL,
    opened_by   BLOB    NOT NULL CHECK (length(opened_by) = 16),
    created_at  INTEGER NOT NULL,
    UNIQUE (id, client_id)
) STRICT;

CREATE INDEX episodes_by_client ON episodes (client_id, opened_on);
CREATE UNIQUE INDEX episodes_one_open_per_client ON episodes (client_id) WHERE closed_on IS NULL;

CREATE TABLE appointments (
    id               BLOB    PRIMARY KEY CHECK (length(id) = 16),
    client_id        BLOB    NOT NULL REFERENCES clients (id),
    episode          BLOB    CHECK (length(episode) = 16),
    key_version      INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    service_code     TEXT    NOT NULL CHECK (length(service_code) BETWEEN 1 AND 10),
    attendance       TEXT    NOT NULL
        CHECK (attendance IN ('scheduled', 'attended', 'cancelled', 'no_show')),
    location         BLOB    NOT NULL,
    note             BLOB    NOT NULL,
    created_by       BLOB    NOT NULL CHECK (length(created_by) = 16),
    created_at       INTEGER NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision BETWEEN 0 AND 4294967295),
    FOREIGN KEY (episode, client_id) REFERENCES episodes (id, client_id)
) STRICT;

CREATE INDEX appointments_by_client ON appointments (client_id, starts_at);
CREATE INDEX appointments_by_start ON appointments (starts_at);
CREATE INDEX appointments_by_episode ON appointments (episode) WHERE episode IS NOT NULL;
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

/// The note lifecycle and client discharge. A note is a draft (every earlier version kept in
/// `note_versions`, append-only), then signed (author, time, sealed content hash), then locked;
/// a signed note never returns to draft nor changes its signature (a trigger refuses it, as
/// defence in depth behind the store's `WHERE status = 'draft'`). Corrections are addenda:
/// notes of their own pointing at the note they correct. `format` 0 is a plain body (notes
/// written before templates), 1 a template's sections. A client is discharged when
/// `discharged_at` is set.
const V6_NOTE_LIFECYCLE: &str = "
ALTER TABLE clients ADD COLUMN discharged_at INTEGER;

ALTER TABLE notes ADD COLUMN format INTEGER NOT NULL DEFAULT 0 CHECK (format IN (0, 1));
ALTER TABLE notes ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'signed', 'locked'));
ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 1
    CHECK (version BETWEEN 1 AND 4294967295);
ALTER TABLE notes ADD COLUMN updated_at INTEGER;
ALTER TABLE notes ADD COLUMN occurred_at INTEGER;
ALTER TABLE notes ADD COLUMN late_entry INTEGER NOT NULL DEFAULT 0 CHECK (late_entry IN (0, 1));
ALTER TABLE notes ADD COLUMN addendum_of BLOB REFERENCES notes (id);
ALTER TABLE notes ADD COLUMN signed_by BLOB CHECK (signed_by IS NULL OR length(signed_by) = 16);
ALTER TABLE notes ADD COLUMN signed_at INTEGER;
ALTER TABLE notes ADD COLUMN content_hash BLOB;
ALTER TABLE notes ADD COLUMN cosigned_by BLOB
    CHECK (cosigned_by IS NULL OR length(cosigned_by) = 16);
ALTER TABLE notes ADD COLUMN cosigned_at INTEGER;

CREATE INDEX notes_by_parent ON notes (addendum_of) WHERE addendum_of IS NOT NULL;

CREATE TRIGGER notes_signature_is_final BEFORE UPDATE ON notes
WHEN OLD.status <> 'draft' AND (
    NEW.status = 'draft'
    OR NEW.signed_by IS NOT OLD.signed_by
    OR NEW.signed_at IS NOT OLD.signed_at
    OR NEW.content_hash IS NOT OLD.content_hash
    OR NEW.version IS NOT OLD.version
    OR NEW.kind IS NOT OLD.kind
    OR NEW.author IS NOT OLD.author
    OR NEW.client_id IS NOT OLD.client_id
)
BEGIN
    SELECT RAISE(ABORT, 'a signed note cannot be changed');
END;

CREATE TABLE note_versions (
    note_id     BLOB    NOT NULL REFERENCES notes (id),
    version     INTEGER NOT NULL CHECK (version BETWEEN 1 AND 4294967295),
    key_version INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    format      INTEGER NOT NULL CHECK (format IN (0, 1)),
    written_at  INTEGER NOT NULL,
    body        BLOB    NOT NULL,
    PRIMARY KEY (note_id, version)
) STRICT;

CREATE TRIGGER note_versions_no_update BEFORE UPDATE ON note_versions
BEGIN
    SELECT RAISE(ABORT, 'note versions are append-only');
END;
";

/// Attachments: one row per stored file, pointing at its blob by id. The content key, the
/// file's name and its media type are sealed under the client's key; the plaintext size, the
/// author and the time are metadata. Rows are written only once their blob is committed.
const V7_ATTACHMENTS: &str = "
CREATE TABLE attachments (
    id           BLOB    PRIMARY KEY CHECK (length(id) = 16),
    client_id    BLOB    NOT NULL REFERENCES clients (id),
    author       BLOB    NOT NULL CHECK (length(author) = 16),
    created_at   INTEGER NOT NULL,
    key_version  INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    content_key  BLOB    NOT NULL,
    filename     BLOB    NOT NULL,
    content_type BLOB    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0)
) STRICT;

CREATE INDEX attachments_by_client ON attachments (client_id, created_at);
";

/// Administered assessments (PHQ-9, GAD-7). The answers and the comment are sealed under the
/// client's key; no total or band is stored (they are client health information, derived from
/// the answers when opened). The questionnaire, the day it was given (a Julian day), the author
/// and the episode are metadata; the episode must be one of the same client's (a foreign key
/// over both columns, as for appointments).
const V8_ASSESSMENTS: &str = "
CREATE TABLE assessments (
    id              BLOB    PRIMARY KEY CHECK (length(id) = 16),
    client_id       BLOB    NOT NULL REFERENCES clients (id),
    episode         BLOB    CHECK (length(episode) = 16),
    key_version     INTEGER NOT NULL CHECK (key_version BETWEEN 0 AND 4294967295),
    instrument      TEXT    NOT NULL CHECK (instrument IN ('phq9', 'gad7')),
    administered_on INTEGER NOT NULL,
    author          BLOB    NOT NULL CHECK (length(author) = 16),
    created_at      INTEGER NOT NULL,
    answers         BLOB    NOT NULL,
    comment         BLOB    NOT NULL,
    FOREIGN KEY (episode, client_id) REFERENCES episodes (id, client_id)
) STRICT;

CREATE INDEX assessments_by_client ON assessments (client_id, administered_on, created_at);
";

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
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
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

    /// A database at version 2 holding a practice, its bootstrap owner token (actor `0x11…`)
    /// and a client.
    fn version_2_practice() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1_INITIAL).unwrap();
        conn.execute_batch(V2_AUDIT_LOG).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.execute_batch(
            "INSERT INTO practice (singleton, id, created_at) VALUES (1, zeroblob(16), 42);
             INSERT INTO api_tokens (id, digest, actor, role, label, created_at)
             VALUES (zeroblob(16), zeroblob(32), x'11111111111111111111111111111111', 'owner',
                     'bootstrap owner token', 42);
             INSERT INTO clients (id, key_version, created_at, legal_name, preferred_name,
                                  date_of_birth, phone, email, address, emergency_contact)
             VALUES (zeroblob(16), 1, 43, x'01', x'02', x'03', x'04', x'05', x'06', x'07');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_version_2_practice_upgrades_with_an_active_owner_account_for_its_owner_token() {
        let mut conn = version_2_practice();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
        type Owner = (Vec<u8>, Option<String>, String, String, String, i64, i64);
        let owner: Owner = conn
            .query_row(
                "SELECT id, email, display_name, role, status, failed_logins, created_at \
                 FROM users",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            owner,
            (
                vec![0x11; 16],
                None,
                "Practice owner".to_owned(),
                "owner".to_owned(),
                "active".to_owned(),
                0,
                42
            )
        );
        let (scope, restricted): (String, i64) = conn
            .query_row(
                "SELECT t.scope, c.restricted FROM api_tokens t, clients c",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((scope.as_str(), restricted), ("admin", 0));
        // The new tables take rows that point at the migrated owner and the old client.
        conn.execute(
            "INSERT INTO care_teams (client, user, primary_clinician, added_by, added_at) \
             VALUES (zeroblob(16), x'11111111111111111111111111111111', 1, \
                     x'11111111111111111111111111111111', 44)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn a_version_2_database_without_a_practice_gets_no_accounts() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1_INITIAL).unwrap();
        conn.execute_batch(V2_AUDIT_LOG).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        let mut conn = conn;
        run(&mut conn).unwrap();
        let users: i64 = conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 0);
    }

    #[test]
    fn a_version_3_practice_upgrades_to_passkeys_that_must_name_an_account() {
        let mut conn = version_2_practice();
        conn.execute_batch(V3_STAFF_AND_CARE).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
        let owners: i64 = conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(owners, 1);
        let insert = |user: &str| {
            conn.execute(
                &format!(
                    "INSERT INTO passkeys (id, user, credential_id, label, credential, created_at) \
                     VALUES (randomblob(16), x'{user}', randomblob(32), 'laptop', x'01', 45)"
                ),
                [],
            )
        };
        insert("11111111111111111111111111111111").unwrap();
        assert!(insert("22222222222222222222222222222222").is_err());
    }

    #[test]
    fn a_version_4_practice_upgrades_to_one_open_episode_per_client_and_episodes_of_their_own() {
        let mut conn = version_2_practice();
        conn.execute_batch(V3_STAFF_AND_CARE).unwrap();
        conn.execute_batch(V4_PASSKEYS).unwrap();
        conn.pragma_update(None, "user_version", 4).unwrap();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SUPPORTED);
        let episode = |id: &str, closed: &str| {
            conn.execute(
                &format!(
                    "INSERT INTO episodes (id, client_id, key_version, opened_on, closed_on, \
                     reason, opened_by, created_at) \
                     VALUES (x'{id}', zeroblob(16), 1, 2461102, {closed}, x'01', zeroblob(16), 45)"
                ),
                [],
            )
        };
        episode("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "2461110").unwrap();
        episode("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "NULL").unwrap();
        assert!(episode("c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", "NULL").is_err());
        let appointment = |client: &str| {
            conn.execute(
                &format!(
                    "INSERT INTO appointments (id, client_id, episode, key_version, starts_at, \
                     duration_minutes, service_code, attendance, location, note, created_by, \
                     created_at, revision) \
                     VALUES (randomblob(16), x'{client}', x'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', \
                             1, 46, 50, '90834', 'scheduled', x'02', x'03', zeroblob(16), 46, 0)"
                ),
                [],
            )
        };
        appointment("00000000000000000000000000000000").unwrap();
        // Another client's appointment cannot sit in this client's episode.
        conn.execute(
            "INSERT INTO clients (id, key_version, created_at, legal_name, preferred_name, \
             date_of_birth, phone, email, address, emergency_contact) \
             VALUES (x'11111111111111111111111111111111', 1, 47, x'01', x'02', x'03', x'04', \
                     x'05', x'06', x'07')",
            [],
        )
        .unwrap();
        assert!(appointment("11111111111111111111111111111111").is_err());
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
