//! Notes: one row per note, its current body sealed with the client's key, and the earlier
//! versions of drafts in `note_versions`.
//!
//! A note belongs to an existing client (foreign key). Edits and signatures are compare-and-swap
//! on (status = draft, version), so two editors cannot overwrite each other and nothing changes
//! a signed note. This module must never read or write a note body as anything but opaque bytes.

use confidant_core::ids::{ActorId, ClientId, NoteId};
use confidant_core::ports::{
    CosignatureRow, NoteEdit, NoteRow, NoteStore, NoteVersionRow, SignatureRow, StoreResult,
};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{optional_uuid, sealed, uuid};
use super::errors::db_error;

const NOTE_COLUMNS: &str = "id, client_id, key_version, kind, author, created_at, body, format, \
                            status, version, updated_at, occurred_at, late_entry, addendum_of, \
                            signed_by, signed_at, content_hash, cosigned_by, cosigned_at";

impl NoteStore for SqliteStore {
    fn insert_note(&self, note: &NoteRow) -> StoreResult<()> {
        let op = "insert note";
        let (signed_by, signed_at, hash) = match &note.signature {
            Some(s) => (
                Some(s.by.as_uuid().as_bytes().to_vec()),
                Some(s.at),
                Some(s.content_hash.as_bytes().to_vec()),
            ),
            None => (None, None, None),
        };
        let (cosigned_by, cosigned_at) = match &note.cosignature {
            Some(c) => (Some(c.by.as_uuid().as_bytes().to_vec()), Some(c.at)),
            None => (None, None),
        };
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO notes ({NOTE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    note.id.as_uuid().as_bytes(),
                    note.client_id.as_uuid().as_bytes(),
                    note.key_version,
                    note.kind,
                    note.author.as_uuid().as_bytes(),
                    note.created_at,
                    note.body.as_bytes(),
                    note.format,
                    note.status,
                    note.version,
                    note.updated_at,
                    note.occurred_at,
                    note.late_entry,
                    note.addendum_of.map(|p| *p.as_uuid().as_bytes()),
                    signed_by,
                    signed_at,
                    hash,
                    cosigned_by,
                    cosigned_at,
                ])
            })
            .map(drop)
            .map_err(|e| db_error(op, e))
        })
    }

    fn note(&self, id: NoteId) -> StoreResult<Option<NoteRow>> {
        let op = "read note";
        self.read(op, |c| {
            c.prepare_cached(&format!("SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?1"))
                .and_then(|mut s| s.query_row([id.as_uuid().as_bytes()], note_row).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn notes_of_client(&self, client: ClientId) -> StoreResult<Vec<NoteRow>> {
        let op = "list notes of client";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {NOTE_COLUMNS} FROM notes WHERE client_id = ?1 ORDER BY created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], note_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn update_note_draft(&self, edit: &NoteEdit) -> StoreResult<bool> {
        let op = "edit draft note";
        let id = edit.id.as_uuid().as_bytes();
        self.write(op, |tx| {
            // Keep the version being replaced, then swap in the new one, only if the note is
            // still a draft at the version the editor saw.
            let kept = tx
                .prepare_cached(
                    "INSERT INTO note_versions (note_id, version, key_version, format, \
                     written_at, body) \
                     SELECT id, version, key_version, format, coalesce(updated_at, created_at), \
                     body FROM notes WHERE id = ?1 AND status = 'draft' AND version = ?2",
                )
                .and_then(|mut s| s.execute(params![id, edit.from_version]))
                .map_err(|e| db_error(op, e))?;
            if kept != 1 {
                return Ok(false);
            }
            tx.prepare_cached(
                "UPDATE notes SET body = ?1, key_version = ?2, format = ?3, occurred_at = ?4, \
                 late_entry = ?5, updated_at = ?6, version = version + 1 \
                 WHERE id = ?7 AND status = 'draft' AND version = ?8",
            )
            .and_then(|mut s| {
                s.execute(params![
                    edit.body.as_bytes(),
                    edit.key_version,
                    edit.format,
                    edit.occurred_at,
                    edit.late_entry,
                    edit.at,
                    id,
                    edit.from_version,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn sign_note(
        &self,
        id: NoteId,
        version: u32,
        status: &str,
        signature: &SignatureRow,
    ) -> StoreResult<bool> {
        let op = "sign note";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE notes SET status = ?1, signed_by = ?2, signed_at = ?3, content_hash = ?4 \
                 WHERE id = ?5 AND status = 'draft' AND version = ?6",
            )
            .and_then(|mut s| {
                s.execute(params![
                    status,
                    signature.by.as_uuid().as_bytes(),
                    signature.at,
                    signature.content_hash.as_bytes(),
                    id.as_uuid().as_bytes(),
                    version,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn cosign_note(&self, id: NoteId, cosignature: CosignatureRow) -> StoreResult<bool> {
        let op = "co-sign note";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE notes SET status = 'locked', cosigned_by = ?1, cosigned_at = ?2 \
                 WHERE id = ?3 AND status = 'signed'",
            )
            .and_then(|mut s| {
                s.execute(params![
                    cosignature.by.as_uuid().as_bytes(),
                    cosignature.at,
                    id.as_uuid().as_bytes(),
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn note_versions(&self, id: NoteId) -> StoreResult<Vec<NoteVersionRow>> {
        let op = "list note versions";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT note_id, version, key_version, format, written_at, body \
                     FROM note_versions WHERE note_id = ?1 ORDER BY version",
                )
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([id.as_uuid().as_bytes()], |r| {
                    Ok(NoteVersionRow {
                        note_id: NoteId::from_uuid(uuid(r, 0)?),
                        version: r.get(1)?,
                        key_version: r.get(2)?,
                        format: r.get(3)?,
                        written_at: r.get(4)?,
                        body: sealed(r, 5)?,
                    })
                })
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }
}

fn note_row(r: &Row<'_>) -> rusqlite::Result<NoteRow> {
    let signed_by = optional_uuid(r, 14)?;
    let signed_at: Option<i64> = r.get(15)?;
    let hash: Option<Vec<u8>> = r.get(16)?;
    let signature = match (signed_by, signed_at, hash) {
        (Some(by), Some(at), Some(hash)) => Some(SignatureRow {
            by: ActorId::from_uuid(by),
            at,
            content_hash: confidant_crypto::Sealed::from_bytes(hash),
        }),
        _ => None,
    };
    let cosigned_by = optional_uuid(r, 17)?;
    let cosigned_at: Option<i64> = r.get(18)?;
    let cosignature = match (cosigned_by, cosigned_at) {
        (Some(by), Some(at)) => Some(CosignatureRow {
            by: ActorId::from_uuid(by),
            at,
        }),
        _ => None,
    };
    Ok(NoteRow {
        id: NoteId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        key_version: r.get(2)?,
        kind: r.get(3)?,
        author: ActorId::from_uuid(uuid(r, 4)?),
        created_at: r.get(5)?,
        body: sealed(r, 6)?,
        format: r.get(7)?,
        status: r.get(8)?,
        version: r.get(9)?,
        updated_at: r.get(10)?,
        occurred_at: r.get(11)?,
        late_entry: r.get(12)?,
        addendum_of: optional_uuid(r, 13)?.map(NoteId::from_uuid),
        signature,
        cosignature,
    })
}
