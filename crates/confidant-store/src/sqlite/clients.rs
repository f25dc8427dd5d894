//! Clients (every demographic field sealed) and their wrapped data keys.
//!
//! A client is written together with its first key. Keys are rewrapped by compare-and-swap on
//! the practice key version, so two rotations cannot clobber each other, and shredded with a
//! log checkpoint, so no copy of a destroyed key stays in the database files. This module must
//! never keep a shredded key anywhere, and never look inside a sealed field.

use confidant_core::ids::ClientId;
use confidant_core::ports::{ClientKeyRow, ClientRow, ClientStore, StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{limit, sealed, uuid};
use super::errors::db_error;

const CLIENT_COLUMNS: &str = "id, key_version, created_at, legal_name, preferred_name, date_of_birth, \
                              phone, email, address, emergency_contact, discharged_at";
const KEY_COLUMNS: &str = "client_id, version, practice_key_version, wrapped";

impl ClientStore for SqliteStore {
    fn insert_client(&self, client: &ClientRow, key: &ClientKeyRow) -> StoreResult<()> {
        let op = "insert client";
        if key.client_id != client.id {
            return Err(StoreError::Conflict(format!(
                "{op}: the key row belongs to another client"
            )));
        }
        self.write(op, |tx| {
            insert_client_row(tx, client)?;
            insert_key_row(tx, key)
        })
    }

    fn client(&self, id: ClientId) -> StoreResult<Option<ClientRow>> {
        let op = "read client";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?1"
            ))
            .and_then(|mut s| {
                s.query_row([id.as_uuid().as_bytes()], client_row)
                    .optional()
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn clients(&self, after: Option<ClientId>, limit_rows: usize) -> StoreResult<Vec<ClientRow>> {
        let op = "list clients";
        self.read(op, |c| {
            let rows = match after {
                Some(after) => {
                    let sql = format!(
                        "SELECT {CLIENT_COLUMNS} FROM clients WHERE id > ?1 ORDER BY id LIMIT ?2"
                    );
                    let mut stmt = c.prepare_cached(&sql).map_err(|e| db_error(op, e))?;
                    let rows = stmt
                        .query_map(
                            params![after.as_uuid().as_bytes(), limit(limit_rows)],
                            client_row,
                        )
                        .map_err(|e| db_error(op, e))?;
                    rows.collect::<Result<_, _>>()
                }
                None => {
                    let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients ORDER BY id LIMIT ?1");
                    let mut stmt = c.prepare_cached(&sql).map_err(|e| db_error(op, e))?;
                    let rows = stmt
                        .query_map([limit(limit_rows)], client_row)
                        .map_err(|e| db_error(op, e))?;
                    rows.collect::<Result<_, _>>()
                }
            };
            rows.map_err(|e| db_error(op, e))
        })
    }

    fn client_key(&self, id: ClientId, version: u32) -> StoreResult<Option<ClientKeyRow>> {
        let op = "read client key";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM client_keys WHERE client_id = ?1 AND version = ?2"
            ))
            .and_then(|mut s| {
                s.query_row(params![id.as_uuid().as_bytes(), version], key_row)
                    .optional()
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn client_keys_not_under(
        &self,
        version: u32,
        limit_rows: usize,
    ) -> StoreResult<Vec<ClientKeyRow>> {
        let op = "list client keys to rewrap";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {KEY_COLUMNS} FROM client_keys WHERE practice_key_version <> ?1 \
                     ORDER BY client_id, version LIMIT ?2"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map(params![version, limit(limit_rows)], key_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn rewrap_client_key(&self, row: &ClientKeyRow, from_version: u32) -> StoreResult<bool> {
        let op = "rewrap client key";
        // One UPDATE, so the check and the swap are one atomic step. Secure delete overwrites
        // the old wrapping in place.
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE client_keys SET practice_key_version = ?1, wrapped = ?2 \
                 WHERE client_id = ?3 AND version = ?4 AND practice_key_version = ?5",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.practice_key_version,
                    row.wrapped.as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.version,
                    from_version,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn update_client(&self, r: &ClientRow) -> StoreResult<bool> {
        let op = "update client";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE clients SET key_version = ?1, legal_name = ?2, preferred_name = ?3, \
                 date_of_birth = ?4, phone = ?5, email = ?6, address = ?7, \
                 emergency_contact = ?8 WHERE id = ?9",
            )
            .and_then(|mut s| {
                s.execute(params![
                    r.key_version,
                    r.legal_name.as_bytes(),
                    r.preferred_name.as_bytes(),
                    r.date_of_birth.as_bytes(),
                    r.phone.as_bytes(),
                    r.email.as_bytes(),
                    r.address.as_bytes(),
                    r.emergency_contact.as_bytes(),
                    r.id.as_uuid().as_bytes(),
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn set_client_discharged(&self, id: ClientId, at: Option<i64>) -> StoreResult<bool> {
        let op = "set client discharge";
        self.write(op, |tx| {
            tx.prepare_cached("UPDATE clients SET discharged_at = ?1 WHERE id = ?2")
                .and_then(|mut s| s.execute(params![at, id.as_uuid().as_bytes()]))
                .map(|changed| changed == 1)
                .map_err(|e| db_error(op, e))
        })
    }

    fn shred_client_keys(&self, id: ClientId) -> StoreResult<usize> {
        let op = "shred client keys";
        self.write_and_checkpoint(op, |tx| {
            tx.execute(
                "DELETE FROM client_keys WHERE client_id = ?1",
                [id.as_uuid().as_bytes()],
            )
            .map_err(|e| db_error(op, e))
        })
    }
}

fn insert_client_row(c: &Connection, r: &ClientRow) -> StoreResult<()> {
    c.prepare_cached(&format!(
        "INSERT INTO clients ({CLIENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))
    .and_then(|mut s| {
        s.execute(params![
            r.id.as_uuid().as_bytes(),
            r.key_version,
            r.created_at,
            r.legal_name.as_bytes(),
            r.preferred_name.as_bytes(),
            r.date_of_birth.as_bytes(),
            r.phone.as_bytes(),
            r.email.as_bytes(),
            r.address.as_bytes(),
            r.emergency_contact.as_bytes(),
            r.discharged_at,
        ])
    })
    .map(drop)
    .map_err(|e| db_error("insert client", e))
}

fn insert_key_row(c: &Connection, k: &ClientKeyRow) -> StoreResult<()> {
    c.prepare_cached(&format!(
        "INSERT INTO client_keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4)"
    ))
    .and_then(|mut s| {
        s.execute(params![
            k.client_id.as_uuid().as_bytes(),
            k.version,
            k.practice_key_version,
            k.wrapped.as_bytes(),
        ])
    })
    .map(drop)
    .map_err(|e| db_error("insert client key", e))
}

fn client_row(r: &Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok(ClientRow {
        id: ClientId::from_uuid(uuid(r, 0)?),
        key_version: r.get(1)?,
        created_at: r.get(2)?,
        legal_name: sealed(r, 3)?,
        preferred_name: sealed(r, 4)?,
        date_of_birth: sealed(r, 5)?,
        phone: sealed(r, 6)?,
        email: sealed(r, 7)?,
        address: sealed(r, 8)?,
        emergency_contact: sealed(r, 9)?,
        discharged_at: r.get(10)?,
    })
}

fn key_row(r: &Row<'_>) -> rusqlite::Result<ClientKeyRow> {
    Ok(ClientKeyRow {
        client_id: ClientId::from_uuid(uuid(r, 0)?),
        version: r.get(1)?,
        practice_key_version: r.get(2)?,
        wrapped: sealed(r, 3)?,
    })
}
