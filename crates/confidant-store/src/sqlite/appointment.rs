//! Episodes of care and appointments.
//!
//! The schema keeps the scheduling rules a race could break: one open episode per client (a
//! partial unique index), an appointment's episode belongs to the same client (a foreign key
//! over both columns), a closed episode stays closed (updates match open rows only), and an
//! appointment changes only from the revision the caller read (compare-and-swap). This module
//! must never look inside a sealed reason, place, link or note, and never put a stored value in
//! an error.

use confidant_core::ids::{ActorId, AppointmentId, ClientId, EpisodeId};
use confidant_core::ports::{
    AppointmentRow, AppointmentStore, EpisodeRow, StoreResult, UnixMillis,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{optional_uuid, sealed, uuid};
use super::errors::db_error;
use super::staff::write_error;

const EPISODE_COLUMNS: &str =
    "id, client_id, key_version, opened_on, closed_on, reason, opened_by, created_at";
const APPOINTMENT_COLUMNS: &str = "id, client_id, episode, key_version, starts_at, \
                                   duration_minutes, service_code, attendance, location, note, \
                                   created_by, created_at, revision";

impl AppointmentStore for SqliteStore {
    fn insert_episode(&self, row: &EpisodeRow) -> StoreResult<()> {
        let op = "insert episode";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO episodes ({EPISODE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.key_version,
                    row.opened_on,
                    row.closed_on,
                    row.reason.as_bytes(),
                    row.opened_by.as_uuid().as_bytes(),
                    row.created_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client", e))
        })
    }

    fn update_episode(&self, row: &EpisodeRow) -> StoreResult<bool> {
        let op = "update episode";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE episodes SET key_version = ?3, closed_on = ?4, reason = ?5 \
                 WHERE id = ?1 AND client_id = ?2 AND closed_on IS NULL",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.key_version,
                    row.closed_on,
                    row.reason.as_bytes(),
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| write_error(op, "client", e))
        })
    }

    fn episode(&self, id: EpisodeId) -> StoreResult<Option<EpisodeRow>> {
        let op = "read episode";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {EPISODE_COLUMNS} FROM episodes WHERE id = ?1"
            ))
            .and_then(|mut s| {
                s.query_row([id.as_uuid().as_bytes()], episode_row)
                    .optional()
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn episodes_of(&self, client: ClientId) -> StoreResult<Vec<EpisodeRow>> {
        let op = "list episodes of client";
        self.read(op, |c| {
            episodes_where(
                c,
                op,
                "client_id = ?1 ORDER BY opened_on, created_at, id",
                client,
            )
        })
    }

    fn open_episode_of(&self, client: ClientId) -> StoreResult<Option<EpisodeRow>> {
        let op = "read open episode of client";
        self.read(op, |c| {
            episodes_where(c, op, "client_id = ?1 AND closed_on IS NULL", client)
                .map(|rows| rows.into_iter().next())
        })
    }

    fn insert_appointment(&self, row: &AppointmentRow) -> StoreResult<()> {
        let op = "insert appointment";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO appointments ({APPOINTMENT_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.episode.as_ref().map(|e| e.as_uuid().as_bytes()),
                    row.key_version,
                    row.starts_at,
                    row.duration_minutes,
                    row.service_code,
                    row.attendance,
                    row.location.as_bytes(),
                    row.note.as_bytes(),
                    row.created_by.as_uuid().as_bytes(),
                    row.created_at,
                    row.revision,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client, or episode of that client", e))
        })
    }

    fn update_appointment(
        &self,
        row: &AppointmentRow,
        expected_revision: u32,
    ) -> StoreResult<bool> {
        let op = "update appointment";
        // One UPDATE, so the revision check and the change are one atomic step.
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE appointments SET episode = ?3, key_version = ?4, starts_at = ?5, \
                 duration_minutes = ?6, service_code = ?7, attendance = ?8, location = ?9, \
                 note = ?10, revision = ?11 \
                 WHERE id = ?1 AND client_id = ?2 AND revision = ?12",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_uuid().as_bytes(),
                    row.client_id.as_uuid().as_bytes(),
                    row.episode.as_ref().map(|e| e.as_uuid().as_bytes()),
                    row.key_version,
                    row.starts_at,
                    row.duration_minutes,
                    row.service_code,
                    row.attendance,
                    row.location.as_bytes(),
                    row.note.as_bytes(),
                    row.revision,
                    expected_revision,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(|e| write_error(op, "episode of that client", e))
        })
    }

    fn appointment(&self, id: AppointmentId) -> StoreResult<Option<AppointmentRow>> {
        let op = "read appointment";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = ?1"
            ))
            .and_then(|mut s| {
                s.query_row([id.as_uuid().as_bytes()], appointment_row)
                    .optional()
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn appointments_of(&self, client: ClientId) -> StoreResult<Vec<AppointmentRow>> {
        let op = "list appointments of client";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE client_id = ?1 \
                     ORDER BY starts_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], appointment_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn appointments_between(
        &self,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<Vec<AppointmentRow>> {
        let op = "list appointments between times";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {APPOINTMENT_COLUMNS} FROM appointments \
                     WHERE starts_at >= ?1 AND starts_at < ?2 ORDER BY starts_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map(params![from, to], appointment_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }
}

/// The episodes of `client` matching `condition` (SQL after `WHERE`, binding the client as ?1).
fn episodes_where(
    c: &Connection,
    op: &'static str,
    condition: &str,
    client: ClientId,
) -> StoreResult<Vec<EpisodeRow>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {EPISODE_COLUMNS} FROM episodes WHERE {condition}"
        ))
        .map_err(|e| db_error(op, e))?;
    let rows = stmt
        .query_map([client.as_uuid().as_bytes()], episode_row)
        .map_err(|e| db_error(op, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
}

fn episode_row(r: &Row<'_>) -> rusqlite::Result<EpisodeRow> {
    Ok(EpisodeRow {
        id: EpisodeId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        key_version: r.get(2)?,
        opened_on: r.get(3)?,
        closed_on: r.get(4)?,
        reason: sealed(r, 5)?,
        opened_by: ActorId::from_uuid(uuid(r, 6)?),
        created_at: r.get(7)?,
    })
}

fn appointment_row(r: &Row<'_>) -> rusqlite::Result<AppointmentRow> {
    Ok(AppointmentRow {
        id: AppointmentId::from_uuid(uuid(r, 0)?),
        client_id: ClientId::from_uuid(uuid(r, 1)?),
        episode: optional_uuid(r, 2)?.map(EpisodeId::from_uuid),
        key_version: r.get(3)?,
        starts_at: r.get(4)?,
        duration_minutes: r.get(5)?,
        service_code: r.get(6)?,
        attendance: r.get(7)?,
        location: sealed(r, 8)?,
        note: sealed(r, 9)?,
        created_by: ActorId::from_uuid(uuid(r, 10)?),
        created_at: r.get(11)?,
        revision: r.get(12)?,
    })
}
