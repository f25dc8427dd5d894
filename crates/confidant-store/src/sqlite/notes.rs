//! Notes: one row per note, its body sealed with the client's key.
//!
//! A note belongs to an existing client (foreign key). This module must never read or write a
//! note body as anything but opaque bytes.

use confidant_core::ids::{ActorId, ClientId, NoteId};
use confidant_core::ports::{NoteRow, NoteStore, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{sealed, uuid};
use super::errors::db_error;

impl NoteStore for SqliteStore {
    fn insert_note(&self, note: &NoteRow) -> StoreResult<()> {
        let op = "insert note";
        self.write(op, |tx| {
            tx.prepare_cached(
                "INSERT INTO notes (id, client_id, key_version, kind, author, created_at, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    note.id.as_uuid().as_bytes(),
                    note.client_id.as_uuid().as_bytes(),
                    note.key_version,
                    note.kind,
                    note.author.as_uuid().as_bytes(),
                    note.created_at,
                    note.body.as_bytes(),
                ])
            })
            .map(drop)
            .map_err(|e| db_error(op, e))
        })
    }

    fn note(&self, id: NoteId) -> StoreResult<Option<NoteRow>> {
        let op = "read note";
        self.read(op, |c| {
            c.prepare_cached(
                "SELECT id, client_id, key_version, kind, author, created_at, body \
                 FROM notes WHERE id = ?1",
            )
            .and_then(|mut s| s.query_row([id.as_uuid().as_bytes()], note_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn notes_of_client(&self, client: ClientId) -> StoreResult<Vec<NoteRow>> {
        let op = "list notes of client";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT id, client_id, key_version, kind, author, created_at, body \
                     FROM notes WHERE client_id = ?1 ORDER BY created_at, id",
                )
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], note_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }
}

fn note_row(r: &Row<'_>) -> rusqlite::Result<NoteRow> {
    Ok(NoteRow {
        id: NoteId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        key_version: r.get(2)?,
        kind: r.get(3)?,
        author: ActorId::from_uuid(uuid(r, 4)?),
        created_at: r.get(5)?,
        body: sealed(r, 6)?,
    })
}
