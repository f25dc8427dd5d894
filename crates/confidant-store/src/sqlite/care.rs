//! Who may see which client: care teams, supervision shares, break-glass grants and the
//! restricted flag on a client.
//!
//! A supervision share references the care-team membership it was made under (foreign key), and
//! removing a member deletes their share for that client in the same transaction, so a share
//! never outlives the membership. Break-glass grants are never deleted: review only marks them.
//! This module stores facts; it must never decide who may see what, never look inside a sealed
//! reason, and never put a stored value in an error.

use confidant_core::ids::{ActorId, ClientId};
use confidant_core::ports::{
    AccessFactsRow, BreakGlassRow, CareStore, CareTeamRow, ShareRow, StoreResult, UnixMillis,
};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::{optional_uuid, sealed, uuid};
use super::errors::db_error;
use super::staff::{USER_COLUMNS, no_such, user_row, write_error};

const CARE_TEAM_COLUMNS: &str = "client, user, primary_clinician, added_by, added_at";
const SHARE_COLUMNS: &str = "client, supervisee, supervisor, shared_at";
const GRANT_COLUMNS: &str =
    "id, user, client, reason, granted_at, expires_at, reviewed_by, reviewed_at";

impl CareStore for SqliteStore {
    fn add_to_care_team(&self, row: &CareTeamRow) -> StoreResult<()> {
        let op = "add to care team";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO care_teams ({CARE_TEAM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.client.as_uuid().as_bytes(),
                    row.user.as_uuid().as_bytes(),
                    row.primary,
                    row.added_by.as_uuid().as_bytes(),
                    row.added_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client or user", e))
        })
    }

    fn remove_from_care_team(&self, client: ClientId, user: ActorId) -> StoreResult<bool> {
        let op = "remove from care team";
        let key = params![client.as_uuid().as_bytes(), user.as_uuid().as_bytes()];
        self.write(op, |tx| {
            // The share first: it references the membership.
            tx.prepare_cached(
                "DELETE FROM supervision_shares WHERE client = ?1 AND supervisee = ?2",
            )
            .and_then(|mut s| s.execute(key))
            .map_err(|e| db_error(op, e))?;
            tx.prepare_cached("DELETE FROM care_teams WHERE client = ?1 AND user = ?2")
                .and_then(|mut s| s.execute(key))
                .map(|deleted| deleted == 1)
                .map_err(|e| db_error(op, e))
        })
    }

    fn care_team(&self, client: ClientId) -> StoreResult<Vec<CareTeamRow>> {
        let op = "list care team";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {CARE_TEAM_COLUMNS} FROM care_teams WHERE client = ?1 \
                     ORDER BY added_at, user"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([client.as_uuid().as_bytes()], care_team_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn clients_of(&self, user: ActorId) -> StoreResult<Vec<ClientId>> {
        let op = "list clients of care team member";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached("SELECT client FROM care_teams WHERE user = ?1 ORDER BY client")
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([user.as_uuid().as_bytes()], |r| {
                    uuid(r, 0).map(ClientId::from_uuid)
                })
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn add_share(&self, row: &ShareRow) -> StoreResult<()> {
        let op = "add supervision share";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO supervision_shares ({SHARE_COLUMNS}) VALUES (?1, ?2, ?3, ?4)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.client.as_uuid().as_bytes(),
                    row.supervisee.as_uuid().as_bytes(),
                    row.supervisor.as_uuid().as_bytes(),
                    row.shared_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "care team member or supervisor", e))
        })
    }

    fn remove_share(&self, client: ClientId, supervisee: ActorId) -> StoreResult<bool> {
        let op = "remove supervision share";
        self.write(op, |tx| {
            tx.prepare_cached(
                "DELETE FROM supervision_shares WHERE client = ?1 AND supervisee = ?2",
            )
            .and_then(|mut s| {
                s.execute(params![
                    client.as_uuid().as_bytes(),
                    supervisee.as_uuid().as_bytes()
                ])
            })
            .map(|deleted| deleted == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn shares_to(&self, supervisor: ActorId) -> StoreResult<Vec<ShareRow>> {
        let op = "list supervision shares";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {SHARE_COLUMNS} FROM supervision_shares WHERE supervisor = ?1 \
                     ORDER BY shared_at, client, supervisee"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([supervisor.as_uuid().as_bytes()], share_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn insert_break_glass(&self, row: &BreakGlassRow) -> StoreResult<()> {
        let op = "insert break-glass grant";
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO break_glass ({GRANT_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    row.id.as_bytes(),
                    row.user.as_uuid().as_bytes(),
                    row.client.as_uuid().as_bytes(),
                    row.reason.as_bytes(),
                    row.granted_at,
                    row.expires_at,
                    row.reviewed_by.as_ref().map(|r| r.as_uuid().as_bytes()),
                    row.reviewed_at,
                ])
            })
            .map(drop)
            .map_err(|e| write_error(op, "client or user", e))
        })
    }

    fn active_break_glass(
        &self,
        user: ActorId,
        client: ClientId,
        now: UnixMillis,
    ) -> StoreResult<Option<BreakGlassRow>> {
        let op = "read active break-glass grant";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {GRANT_COLUMNS} FROM break_glass \
                 WHERE user = ?1 AND client = ?2 AND expires_at > ?3 \
                 ORDER BY expires_at DESC LIMIT 1"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![user.as_uuid().as_bytes(), client.as_uuid().as_bytes(), now],
                    grant_row,
                )
                .optional()
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn break_glass_grants(&self, unreviewed_only: bool) -> StoreResult<Vec<BreakGlassRow>> {
        let op = "list break-glass grants";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {GRANT_COLUMNS} FROM break_glass \
                     WHERE NOT ?1 OR reviewed_at IS NULL ORDER BY granted_at DESC, id DESC"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([unreviewed_only], grant_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn review_break_glass(&self, id: uuid::Uuid, by: ActorId, at: UnixMillis) -> StoreResult<bool> {
        let op = "review break-glass grant";
        self.write(op, |tx| {
            tx.prepare_cached(
                "UPDATE break_glass SET reviewed_by = ?2, reviewed_at = ?3 \
                 WHERE id = ?1 AND reviewed_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![id.as_bytes(), by.as_uuid().as_bytes(), at]))
            .map(|changed| changed == 1)
            .map_err(|e| db_error(op, e))
        })
    }

    fn set_restricted(&self, client: ClientId, restricted: bool) -> StoreResult<()> {
        let op = "set client restriction";
        self.write(op, |tx| {
            let changed = tx
                .prepare_cached("UPDATE clients SET restricted = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![client.as_uuid().as_bytes(), restricted]))
                .map_err(|e| db_error(op, e))?;
            if changed == 0 {
                return Err(no_such(op, "client"));
            }
            Ok(())
        })
    }

    fn access_facts(&self, user: ActorId, client: ClientId) -> StoreResult<AccessFactsRow> {
        let op = "read access facts";
        // One row whether or not the account exists: the account's columns, then one fact per
        // subquery, each an index seek.
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, \
                 (SELECT primary_clinician FROM care_teams WHERE client = q.whom AND user = q.who), \
                 EXISTS (SELECT 1 FROM supervision_shares \
                         WHERE client = q.whom AND supervisor = q.who), \
                 (SELECT max(expires_at) FROM break_glass WHERE user = q.who AND client = q.whom), \
                 coalesce((SELECT restricted FROM clients WHERE id = q.whom), 0) \
                 FROM (SELECT ?1 AS who, ?2 AS whom) AS q LEFT JOIN users ON users.id = q.who"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![user.as_uuid().as_bytes(), client.as_uuid().as_bytes()],
                    facts_row,
                )
            })
            .map_err(|e| db_error(op, e))
        })
    }

    fn is_restricted(&self, client: ClientId) -> StoreResult<bool> {
        let op = "read client restriction";
        self.read(op, |c| {
            c.prepare_cached("SELECT restricted FROM clients WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([client.as_uuid().as_bytes()], |r| r.get(0))
                        .optional()
                })
                .map(|restricted| restricted.unwrap_or(false))
                .map_err(|e| db_error(op, e))
        })
    }
}

/// Columns: the account's (`USER_COLUMNS`, all NULL without one), then the facts.
fn facts_row(r: &Row<'_>) -> rusqlite::Result<AccessFactsRow> {
    let facts = USER_COLUMNS.split(',').count();
    let account = match r.get_ref(0)? {
        rusqlite::types::ValueRef::Null => None,
        _ => Some(user_row(r)?),
    };
    Ok(AccessFactsRow {
        account,
        care_team: r.get(facts)?,
        shared_for_supervision: r.get(facts + 1)?,
        break_glass_until: r.get(facts + 2)?,
        restricted: r.get(facts + 3)?,
    })
}

fn care_team_row(r: &Row<'_>) -> rusqlite::Result<CareTeamRow> {
    Ok(CareTeamRow {
        client: ClientId::from_uuid(uuid(r, 0)?),
        user: ActorId::from_uuid(uuid(r, 1)?),
        primary: r.get(2)?,
        added_by: ActorId::from_uuid(uuid(r, 3)?),
        added_at: r.get(4)?,
    })
}

fn share_row(r: &Row<'_>) -> rusqlite::Result<ShareRow> {
    Ok(ShareRow {
        client: ClientId::from_uuid(uuid(r, 0)?),
        supervisee: ActorId::from_uuid(uuid(r, 1)?),
        supervisor: ActorId::from_uuid(uuid(r, 2)?),
        shared_at: r.get(3)?,
    })
}

fn grant_row(r: &Row<'_>) -> rusqlite::Result<BreakGlassRow> {
    Ok(BreakGlassRow {
        id: uuid(r, 0)?,
        user: ActorId::from_uuid(uuid(r, 1)?),
        client: ClientId::from_uuid(uuid(r, 2)?),
        reason: sealed(r, 3)?,
        granted_at: r.get(4)?,
        expires_at: r.get(5)?,
        reviewed_by: optional_uuid(r, 6)?.map(ActorId::from_uuid),
        reviewed_at: r.get(7)?,
    })
}
