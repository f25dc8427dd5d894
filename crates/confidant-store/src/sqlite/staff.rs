//! Staff accounts and what signs them in: invitations, login challenges, sessions and recovery
//! codes.
//!
//! Bearer secrets arrive and are stored only as SHA-256 digests, passwords as PHC strings, TOTP
//! secrets sealed. Deactivating an account deletes, in the same transaction, everything that
//! could still act for it (sessions, pending challenges, invitations, API tokens). Writes to an
//! account that does not exist (`update_user`, `deactivate_user`, and rows pointing at it) are
//! `Conflict`; deleting or touching a row that is already gone is not an error. This module must
//! never receive a secret in the clear, and never put a stored value (an e-mail, a name) in an
//! error.

use confidant_core::ids::ActorId;
use confidant_core::ports::{
    ChallengeRow, Digest, InvitationRow, SessionRow, StaffStore, StoreError, StoreResult,
    UnixMillis, UserRow,
};
use confidant_crypto::Sealed;
use rusqlite::{Connection, OptionalExtension, Row, ffi, params};

use super::SqliteStore;
use super::columns::{optional_uuid, uuid};
use super::errors::db_error;

pub(super) const USER_COLUMNS: &str = "id, email, display_name, role, status, password_phc, totp, \
                            totp_last_step, failed_logins, locked_until, supervisor, nda_at, \
                            window_start, window_end, created_at";
const SESSION_COLUMNS: &str = "digest, user, csrf_digest, created_at, last_seen";

impl StaffStore for SqliteStore {
    fn insert_user(&self, row: &UserRow) -> StoreResult<()> {
        self.write("insert user", |tx| insert_user(tx, row))
    }

    fn user(&self, id: ActorId) -> StoreResult<Option<UserRow>> {
        let op = "read user";
        self.read(op, |c| {
            c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))
                .and_then(|mut s| s.query_row([id.as_uuid().as_bytes()], user_row).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let op = "read user by e-mail";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE email = ?1"
            ))
            .and_then(|mut s| s.query_row([email], user_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn users(&self) -> StoreResult<Vec<UserRow>> {
        let op = "list users";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt.query_map([], user_row).map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn update_user(&self, row: &UserRow) -> StoreResult<()> {
        let op = "update user";
        let last_step = stored_step(op, row.totp_last_step)?;
        self.write(op, |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE users SET email = ?2, display_name = ?3, role = ?4, status = ?5, \
                     password_phc = ?6, totp = ?7, totp_last_step = ?8, failed_logins = ?9, \
                     locked_until = ?10, supervisor = ?11, nda_at = ?12, window_start = ?13, \
                     window_end = ?14, created_at = ?15 WHERE id = ?1",
                )
                .and_then(|mut s| with_user_params(row, last_step, |p| s.execute(p)))
                .map_err(|e| write_error(op, "user", e))?;
            if changed == 0 {
                return Err(no_such(op, "user"));
            }
            Ok(())
        })
    }

    fn deactivate_user(&self, id: ActorId) -> StoreResult<()> {
        let op = "deactivate user";
        let id = id.as_uuid().as_bytes();
        self.write(op, |tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET status = 'deactivated' WHERE id = ?1",
                    [id],
                )
                .map_err(|e| db_error(op, e))?;
            if changed == 0 {
                return Err(no_such(op, "user"));
            }
            for sql in [
                "DELETE FROM sessions WHERE user = ?1",
                "DELETE FROM login_challenges WHERE user = ?1",
                "DELETE FROM invitations WHERE user = ?1",
                "DELETE FROM api_tokens WHERE actor = ?1",
            ] {
                tx.prepare_cached(sql)
                    .and_then(|mut s| s.execute([id]))
                    .map_err(|e| db_error(op, e))?;
            }
            Ok(())
        })
    }

    fn insert_invitation(&self, row: &InvitationRow) -> StoreResult<()> {
        let op = "insert invitation";
        self.write(op, |tx| {
            tx.prepare_cached(
                "INSERT INTO invitations (digest, user, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.digest,
                    row.user.as_uuid().as_bytes(),
                    row.created_at,
                    row.expires_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "user", e))
        })
    }

    fn take_invitation(&self, digest: &Digest) -> StoreResult<Option<InvitationRow>> {
        let op = "take invitation";
        self.write(op, |tx| {
            let row = tx
                .prepare_cached(
                    "SELECT digest, user, created_at, expires_at FROM invitations \
                     WHERE digest = ?1",
                )
                .and_then(|mut s| s.query_row([digest], invitation_row).optional())
                .map_err(|e| db_error(op, e))?;
            if row.is_some() {
                tx.prepare_cached("DELETE FROM invitations WHERE digest = ?1")
                    .and_then(|mut s| s.execute([digest]))
                    .map_err(|e| db_error(op, e))?;
            }
            Ok(row)
        })
    }

    fn insert_challenge(&self, row: &ChallengeRow) -> StoreResult<()> {
        let op = "insert login challenge";
        self.write(op, |tx| {
            tx.prepare_cached(
                "INSERT INTO login_challenges (digest, user, expires_at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.digest,
                    row.user.as_uuid().as_bytes(),
                    row.expires_at
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "user", e))
        })
    }

    fn challenge(&self, digest: &Digest) -> StoreResult<Option<ChallengeRow>> {
        let op = "read login challenge";
        self.read(op, |c| {
            c.prepare_cached(
                "SELECT digest, user, expires_at FROM login_challenges WHERE digest = ?1",
            )
            .and_then(|mut s| s.query_row([digest], challenge_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn delete_challenge(&self, digest: &Digest) -> StoreResult<()> {
        self.delete_by_digest(
            "delete login challenge",
            "DELETE FROM login_challenges WHERE digest = ?1",
            digest,
        )
    }

    fn insert_session(&self, row: &SessionRow) -> StoreResult<()> {
        let op = "insert session";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.digest,
                    row.user.as_uuid().as_bytes(),
                    row.csrf_digest,
                    row.created_at,
                    row.last_seen,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "user", e))
        })
    }

    fn session(&self, digest: &Digest) -> StoreResult<Option<SessionRow>> {
        let op = "read session";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = ?1"
            ))
            .and_then(|mut s| s.query_row([digest], session_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn touch_session(&self, digest: &Digest, at: UnixMillis) -> StoreResult<()> {
        let op = "touch session";
        // Never backwards: of two racing requests, the later time stays.
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE sessions SET last_seen = max(last_seen, ?2) WHERE digest = ?1",
            )
            .and_then(|mut s| s.execute(params![digest, at]))
            .map(drop)
            .map_err(|e| db_error(op, e))
        })
    }

    fn delete_session(&self, digest: &Digest) -> StoreResult<()> {
        self.delete_by_digest(
            "delete session",
            "DELETE FROM sessions WHERE digest = ?1",
            digest,
        )
    }

    fn delete_sessions_of(&self, user: ActorId) -> StoreResult<()> {
        let op = "delete sessions of user";
        let user = user.as_uuid().as_bytes();
        self.write(op, |tx| {
            for sql in [
                "DELETE FROM sessions WHERE user = ?1",
                "DELETE FROM login_challenges WHERE user = ?1",
            ] {
                tx.prepare_cached(sql)
                    .and_then(|mut s| s.execute([user]))
                    .map_err(|e| db_error(op, e))?;
            }
            Ok(())
        })
    }

    fn replace_recovery_codes(&self, user: ActorId, digests: &[Digest]) -> StoreResult<()> {
        let op = "replace recovery codes";
        let user = user.as_uuid().as_bytes();
        self.write(op, |tx| {
            tx.prepare_cached("DELETE FROM recovery_codes WHERE user = ?1")
                .and_then(|mut s| s.execute([user]))
                .map_err(|e| db_error(op, e))?;
            let mut insert = tx
                .prepare_cached("INSERT INTO recovery_codes (user, digest) VALUES (?1, ?2)")
                .map_err(|e| db_error(op, e))?;
            for digest in digests {
                insert
                    .execute(params![user, digest])
                    .map_err(|e| write_error(op, "user", e))?;
            }
            Ok(())
        })
    }

    fn use_recovery_code(&self, user: ActorId, digest: &Digest) -> StoreResult<bool> {
        let op = "use recovery code";
        self.write(op, |tx| {
            tx.prepare_cached("DELETE FROM recovery_codes WHERE user = ?1 AND digest = ?2")
                .and_then(|mut s| s.execute(params![user.as_uuid().as_bytes(), digest]))
                .map(|deleted| deleted == 1)
                .map_err(|e| db_error(op, e))
        })
    }
}

impl SqliteStore {
    fn delete_by_digest(
        &self,
        op: &'static str,
        sql: &'static str,
        digest: &Digest,
    ) -> StoreResult<()> {
        self.write(op, |tx| {
            tx.prepare_cached(sql)
                .and_then(|mut s| s.execute([digest]))
                .map(drop)
                .map_err(|e| db_error(op, e))
        })
    }
}

/// Inserts an account; shared with `create_practice`, which writes the owner's.
pub(crate) fn insert_user(c: &Connection, row: &UserRow) -> StoreResult<()> {
    let op = "insert user";
    let last_step = stored_step(op, row.totp_last_step)?;
    c.prepare_cached(&format!(
        "INSERT INTO users ({USER_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    ))
    .and_then(|mut s| with_user_params(row, last_step, |p| s.execute(p)))
    .map(drop)
    .map_err(|e| write_error(op, "user", e))
}

/// Maps a failed write like `db_error`, but names what a broken reference points at (`missing`,
/// e.g. `user`) instead of the shared "no such client", and reports a value the schema refuses
/// (a status, scope or digest length its CHECK constraints rule out) as a refused write rather
/// than an outage worth retrying.
pub(super) fn write_error(
    op: &'static str,
    missing: &'static str,
    e: rusqlite::Error,
) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        match f.extended_code {
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return no_such(op, missing),
            // SQLite's text names the constraint or column, never the value.
            ffi::SQLITE_CONSTRAINT_CHECK => {
                return StoreError::Conflict(format!(
                    "{op}: a value is outside what the schema allows ({})",
                    msg.as_deref().unwrap_or("no detail")
                ));
            }
            _ => {}
        }
    }
    db_error(op, e)
}

/// The write referred to a row that does not exist.
pub(super) fn no_such(op: &'static str, what: &'static str) -> StoreError {
    StoreError::Conflict(format!("{op}: no such {what}"))
}

/// A TOTP step as SQLite stores it; one beyond `i64` is refused, never wrapped.
fn stored_step(op: &'static str, step: Option<u64>) -> StoreResult<Option<i64>> {
    step.map(i64::try_from)
        .transpose()
        .map_err(|_| StoreError::Conflict(format!("{op}: the TOTP step is out of range")))
}

pub(super) fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: ActorId::from_uuid(uuid(r, 0)?),
        email: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        status: r.get(4)?,
        password_phc: r.get(5)?,
        totp: r.get::<_, Option<Vec<u8>>>(6)?.map(Sealed::from_bytes),
        totp_last_step: r.get(7)?,
        failed_logins: r.get(8)?,
        locked_until: r.get(9)?,
        supervisor: optional_uuid(r, 10)?.map(ActorId::from_uuid),
        nda_at: r.get(11)?,
        window_start: r.get(12)?,
        window_end: r.get(13)?,
        created_at: r.get(14)?,
    })
}

fn invitation_row(r: &Row<'_>) -> rusqlite::Result<InvitationRow> {
    Ok(InvitationRow {
        digest: r.get(0)?,
        user: ActorId::from_uuid(uuid(r, 1)?),
        created_at: r.get(2)?,
        expires_at: r.get(3)?,
    })
}

fn challenge_row(r: &Row<'_>) -> rusqlite::Result<ChallengeRow> {
    Ok(ChallengeRow {
        digest: r.get(0)?,
        user: ActorId::from_uuid(uuid(r, 1)?),
        expires_at: r.get(2)?,
    })
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        digest: r.get(0)?,
        user: ActorId::from_uuid(uuid(r, 1)?),
        csrf_digest: r.get(2)?,
        created_at: r.get(3)?,
        last_seen: r.get(4)?,
    })
}

/// Calls `f` with an account's values in `USER_COLUMNS` order (?1 = id … ?15 = created_at), so
/// the insert and the update bind the same list.
fn with_user_params<T>(
    row: &UserRow,
    last_step: Option<i64>,
    f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> T,
) -> T {
    f(params![
        row.id.as_uuid().as_bytes(),
        row.email,
        row.display_name,
        row.role,
        row.status,
        row.password_phc,
        row.totp.as_ref().map(Sealed::as_bytes),
        last_step,
        row.failed_logins,
        row.locked_until,
        row.supervisor.as_ref().map(|s| s.as_uuid().as_bytes()),
        row.nda_at,
        row.window_start,
        row.window_end,
        row.created_at,
    ])
}
