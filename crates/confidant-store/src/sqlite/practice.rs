//! The practice row, its unseal slots and its practice key versions.
//!
//! A data directory holds exactly one practice (enforced by a one-row table), written once by
//! `create_practice` together with everything `init` produces, the owner's account and token
//! included. This module must never delete a practice key that still wraps a client key, and
//! never leave a deleted key in the log.

use confidant_core::ids::PracticeId;
use confidant_core::ports::{
    NewPractice, PracticeKeyRow, PracticeRow, PracticeStore, StoreError, StoreResult,
};
use confidant_crypto::{UnsealMethod, UnsealSlot};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::columns::{sealed, uuid};
use super::errors::db_error;
use super::{SqliteStore, staff, tokens};

impl PracticeStore for SqliteStore {
    fn practice(&self) -> StoreResult<Option<PracticeRow>> {
        let op = "read practice";
        self.read(op, |c| {
            c.prepare_cached("SELECT id, created_at FROM practice")
                .and_then(|mut s| s.query_row([], practice_row).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn create_practice(&self, new: &NewPractice) -> StoreResult<()> {
        let op = "create practice";
        if new.owner.id != new.owner_token.actor {
            return Err(StoreError::Conflict(format!(
                "{op}: the owner token acts for another account than the owner's"
            )));
        }
        self.write(op, |tx| {
            if exists(tx)? {
                return Err(StoreError::Conflict(format!(
                    "{op}: this data directory already holds a practice"
                )));
            }
            tx.execute(
                "INSERT INTO practice (singleton, id, created_at) VALUES (1, ?1, ?2)",
                params![
                    new.practice.id.as_uuid().as_bytes(),
                    new.practice.created_at
                ],
            )
            .map_err(|e| db_error(op, e))?;
            insert_slots(tx, &new.slots)?;
            insert_practice_key(tx, &new.first_key)?;
            staff::insert_user(tx, &new.owner)?;
            tokens::insert(tx, &new.owner_token)
        })
    }

    fn unseal_slots(&self) -> StoreResult<Vec<UnsealSlot>> {
        let op = "read unseal slots";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached("SELECT method, salt, wrapped FROM unseal_slots ORDER BY position")
                .map_err(|e| db_error(op, e))?;
            let rows = stmt.query_map([], slot_row).map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn practice_keys(&self) -> StoreResult<Vec<PracticeKeyRow>> {
        let op = "read practice keys";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT version, wrapped, created_at FROM practice_keys ORDER BY version",
                )
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([], practice_key_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn add_practice_key(&self, row: &PracticeKeyRow) -> StoreResult<()> {
        self.write("add practice key", |tx| insert_practice_key(tx, row))
    }

    fn delete_practice_key(&self, version: u32) -> StoreResult<()> {
        let op = "delete practice key";
        // Checkpointed like a shred: the old version's wrapped bytes should not outlive it.
        self.write_and_checkpoint(op, |tx| {
            let in_use: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM client_keys WHERE practice_key_version = ?1)",
                    [version],
                    |r| r.get(0),
                )
                .map_err(|e| db_error(op, e))?;
            if in_use {
                return Err(StoreError::Conflict(format!(
                    "{op}: client keys are still wrapped by that version; rewrap them first"
                )));
            }
            tx.execute("DELETE FROM practice_keys WHERE version = ?1", [version])
                .map_err(|e| db_error(op, e))?;
            Ok(())
        })
    }
}

fn exists(c: &Connection) -> StoreResult<bool> {
    c.query_row("SELECT EXISTS (SELECT 1 FROM practice)", [], |r| r.get(0))
        .map_err(|e| db_error("create practice", e))
}

fn insert_slots(c: &Connection, slots: &[UnsealSlot]) -> StoreResult<()> {
    let op = "insert unseal slot";
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO unseal_slots (position, method, salt, wrapped) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(|e| db_error(op, e))?;
    for (position, slot) in slots.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        stmt.execute(params![
            position,
            slot.method.to_string(),
            slot.salt,
            slot.wrapped.as_bytes()
        ])
        .map_err(|e| db_error(op, e))?;
    }
    Ok(())
}

fn insert_practice_key(c: &Connection, row: &PracticeKeyRow) -> StoreResult<()> {
    c.prepare_cached("INSERT INTO practice_keys (version, wrapped, created_at) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![row.version, row.wrapped.as_bytes(), row.created_at]))
        .map(drop)
        .map_err(|e| db_error("add practice key", e))
}

fn practice_row(r: &Row<'_>) -> rusqlite::Result<PracticeRow> {
    Ok(PracticeRow {
        id: PracticeId::from_uuid(uuid(r, 0)?),
        created_at: r.get(1)?,
    })
}

fn slot_row(r: &Row<'_>) -> rusqlite::Result<UnsealSlot> {
    let method: String = r.get(0)?;
    let method = method
        .parse::<UnsealMethod>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e)))?;
    Ok(UnsealSlot {
        method,
        salt: r.get(1)?,
        wrapped: sealed(r, 2)?,
    })
}

fn practice_key_row(r: &Row<'_>) -> rusqlite::Result<PracticeKeyRow> {
    Ok(PracticeKeyRow {
        version: r.get(0)?,
        wrapped: sealed(r, 1)?,
        created_at: r.get(2)?,
    })
}
