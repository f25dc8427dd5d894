//! Administered assessments (PHQ-9, GAD-7).
//!
//! The schema keeps what a race could break: an assessment's episode belongs to the same client
//! (a foreign key over both columns, so an episode cannot change hands between the core's check
//! and the insert). This module must never look inside the sealed answers or comment, and never
//! put a stored value in an error.

use confidant_core::ids::{ActorId, AssessmentId, ClientId, EpisodeId};
use confidant_core::ports::{AssessmentRow, AssessmentStore, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{optional_uuid, sealed, uuid};
use super::errors::db_error;
use super::staff::write_error;

const COLUMNS: &str = "id, client_id, episode, key_version, instrument, administered_on, \
                       author, created_at, answers, comment";

impl AssessmentStore for SqliteStore {
    fn insert_assessment(&self, row: &AssessmentRow) -> StoreResult<()> {
        let op = "insert assessment";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO assessments ({COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.episode.as_ref().map(|e| e.as_uuid().as_bytes()),
                    row.key_version,
                    row.instrument,
                    row.administered_on,
                    row.author.as_uuid().as_bytes(),
                    row.created_at,
                    row.answers.as_bytes(),
                    row.comment.as_bytes(),
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client, or episode of that client", e))
        })
    }

    fn assessment(&self, id: AssessmentId) -> StoreResult<Option<AssessmentRow>> {
        let op = "read assessment";
        self.read(op, |c| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM assessments WHERE id = ?1"))
                .and_then(|mut s| {
                    s.query_row([id.as_uuid().as_bytes()], assessment_row)
                        .optional()
                })
                .map_err(|e| db_error(op, e))
        })
    }

    fn assessments_of(&self, client: ClientId) -> StoreResult<Vec<AssessmentRow>> {
        let op = "list assessments of client";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM assessments WHERE client_id = ?1 \
                     ORDER BY administered_on, created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], assessment_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }
}

fn assessment_row(r: &Row<'_>) -> rusqlite::Result<AssessmentRow> {
    Ok(AssessmentRow {
        id: AssessmentId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        episode: optional_uuid(r, 2)?.map(EpisodeId::from_uuid),
        key_version: r.get(3)?,
        instrument: r.get(4)?,
        administered_on: r.get(5)?,
        author: ActorId::from_uuid(uuid(r, 6)?),
        created_at: r.get(7)?,
        answers: sealed(r, 8)?,
        comment: sealed(r, 9)?,
    })
}
