//! Attachment metadata rows; the encrypted bytes live in the blob store beside the database.
//!
//! A row holds the attachment's content key, name and type sealed under the client's key, and
//! its size, author and time in the clear. This module must never look inside a sealed column,
//! and never put a stored value in an error.

use confidant_core::ids::{ActorId, AttachmentId, ClientId};
use confidant_core::ports::{AttachmentRow, AttachmentStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{sealed, uuid};
use super::errors::db_error;
use super::staff::write_error;

const COLUMNS: &str =
    "id, client_id, author, created_at, key_version, content_key, filename, content_type, size";

impl AttachmentStore for SqliteStore {
    fn insert_attachment(&self, row: &AttachmentRow) -> StoreResult<()> {
        let op = "insert attachment";
        // SQLite integers are signed; a larger size would wrap, so it is refused instead.
        let size = i64::try_from(row.size).map_err(|_| {
            StoreError::Conflict(format!("{op}: the size is beyond what the schema allows"))
        })?;
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO attachments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.author.as_uuid().as_bytes(),
                    row.created_at,
                    row.key_version,
                    row.content_key.as_bytes(),
                    row.filename.as_bytes(),
                    row.content_type.as_bytes(),
                    size,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client", e))
        })
    }

    fn attachment(&self, id: AttachmentId) -> StoreResult<Option<AttachmentRow>> {
        let op = "read attachment";
        self.read(op, |c| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM attachments WHERE id = ?1"))
                .and_then(|mut s| {
                    s.query_row([id.as_uuid().as_bytes()], attachment_row)
                        .optional()
                })
                .map_err(|e| db_error(op, e))
        })
    }

    fn attachments_of(&self, client: ClientId) -> StoreResult<Vec<AttachmentRow>> {
        let op = "list attachments of client";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM attachments WHERE client_id = ?1 \
                     ORDER BY created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], attachment_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn delete_attachments_of(&self, client: ClientId) -> StoreResult<usize> {
        let op = "delete attachments of client";
        self.write(op, |tx| {
            tx.execute(
                "DELETE FROM attachments WHERE client_id = ?1",
                [client.as_uuid().as_bytes()],
            )
            .map_err(|e| db_error(op, e))
        })
    }
}

fn attachment_row(r: &Row<'_>) -> rusqlite::Result<AttachmentRow> {
    let size: i64 = r.get(8)?;
    Ok(AttachmentRow {
        id: AttachmentId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        author: ActorId::from_uuid(uuid(r, 2)?),
        created_at: r.get(3)?,
        key_version: r.get(4)?,
        content_key: sealed(r, 5)?,
        filename: sealed(r, 6)?,
        content_type: sealed(r, 7)?,
        size: u64::try_from(size).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(8, size))?,
    })
}
