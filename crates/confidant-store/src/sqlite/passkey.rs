//! Passkeys and the state of their ceremonies under way.
//!
//! Credentials and ceremony states arrive sealed and are stored as opaque bytes; the credential
//! id is unique across accounts, so one authenticator's key can sign in to one account only. A
//! ceremony is taken (read and deleted) in one transaction, so it answers one response even
//! when two arrive at once. This module must never interpret sealed bytes, and never put a
//! stored value (a label, a credential id) in an error.

use confidant_core::ids::{ActorId, PasskeyId};
use confidant_core::ports::{
    CeremonyKind, Digest, PasskeyCeremonyRow, PasskeyRow, PasskeyStore, StoreResult, UnixMillis,
};
use confidant_crypto::Sealed;
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{sealed, uuid};
use super::errors::db_error;
use super::staff::write_error;

const PASSKEY_COLUMNS: &str =
    "id, user, credential_id, label, credential, created_at, last_used_at";

impl PasskeyStore for SqliteStore {
    fn insert_passkey(&self, row: &PasskeyRow) -> StoreResult<()> {
        let op = "insert passkey";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO passkeys ({PASSKEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.user.as_uuid().as_bytes(),
                    row.credential_id,
                    row.label,
                    row.credential.as_bytes(),
                    row.created_at,
                    row.last_used_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "user", e))
        })
    }

    fn passkeys_of(&self, user: ActorId) -> StoreResult<Vec<PasskeyRow>> {
        let op = "list passkeys";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE user = ?1 \
                     ORDER BY created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([user.as_uuid().as_bytes()], passkey_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn record_passkey_use(
        &self,
        user: ActorId,
        id: PasskeyId,
        credential: &Sealed<[u8]>,
        at: UnixMillis,
    ) -> StoreResult<bool> {
        let op = "record passkey use";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE passkeys SET credential = ?3, last_used_at = ?4 \
                 WHERE id = ?1 AND user = ?2",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id.as_uuid().as_bytes(),
                    user.as_uuid().as_bytes(),
                    credential.as_bytes(),
                    at,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn delete_passkey(&self, user: ActorId, id: PasskeyId) -> StoreResult<bool> {
        let op = "delete passkey";
        self.write(op, |tx| {
            tx.prepare_cached("DELETE FROM passkeys WHERE id = ?1 AND user = ?2")
                .and_then(|mut s| {
                    s.execute(params![id.as_uuid().as_bytes(), user.as_uuid().as_bytes()])
                })
                .map(|deleted| deleted == 1)
                .map_err(|e| db_error(op, e))
        })
    }

    fn delete_passkeys_of(&self, user: ActorId) -> StoreResult<()> {
        let op = "delete passkeys of user";
        let user = user.as_uuid().as_bytes();
        self.write(op, |tx| {
            for sql in [
                "DELETE FROM passkeys WHERE user = ?1",
                "DELETE FROM passkey_ceremonies WHERE user = ?1",
            ] {
                tx.prepare_cached(sql)
                    .and_then(|mut s| s.execute([user]))
                    .map_err(|e| db_error(op, e))?;
            }
            Ok(())
        })
    }

    fn put_passkey_ceremony(&self, row: &PasskeyCeremonyRow, now: UnixMillis) -> StoreResult<()> {
        let op = "store passkey ceremony";
        self.write(op, |tx| {
            tx.prepare_cached("DELETE FROM passkey_ceremonies WHERE expires_at <= ?1")
                .and_then(|mut s| s.execute([now]))
                .map_err(|e| db_error(op, e))?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO passkey_ceremonies (digest, kind, user, state, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.digest,
                    row.kind.as_str(),
                    row.user.as_uuid().as_bytes(),
                    row.state.as_bytes(),
                    row.expires_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "user", e))
        })
    }

    fn take_passkey_ceremony(
        &self,
        digest: &Digest,
        kind: CeremonyKind,
    ) -> StoreResult<Option<PasskeyCeremonyRow>> {
        let op = "take passkey ceremony";
        self.write(op, |tx| {
            let row = tx
                .prepare_cached(
                    "DELETE FROM passkey_ceremonies WHERE digest = ?1 AND kind = ?2 \
                     RETURNING digest, kind, user, state, expires_at",
                )
                .and_then(|mut s| {
                    s.query_row(params![digest, kind.as_str()], ceremony_row)
                        .optional()
                })
                .map_err(|e| db_error(op, e))?;
            Ok(row)
        })
    }
}

fn passkey_row(r: &Row<'_>) -> rusqlite::Result<PasskeyRow> {
    Ok(PasskeyRow {
        id: PasskeyId::from_uuid(uuid(r, 0)?),
        user: ActorId::from_uuid(uuid(r, 1)?),
        credential_id: r.get(2)?,
        label: r.get(3)?,
        credential: sealed(r, 4)?,
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
    })
}

fn ceremony_row(r: &Row<'_>) -> rusqlite::Result<PasskeyCeremonyRow> {
    let kind: String = r.get(1)?;
    Ok(PasskeyCeremonyRow {
        digest: r.get(0)?,
        kind: CeremonyKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                "unknown ceremony kind".into(),
            )
        })?,
        user: ActorId::from_uuid(uuid(r, 2)?),
        state: sealed(r, 3)?,
        expires_at: r.get(4)?,
    })
}
