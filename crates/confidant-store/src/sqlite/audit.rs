//! The audit log: append-only events, the Merkle tree nodes they complete, the persisted
//! frontier, signed checkpoints and the audit signing key.
//!
//! An append is one immediate transaction that first checks the batch continues the log exactly
//! (its first seq is the current size, the rest follow without gaps), so two writers can never
//! interleave or overwrite events. The size is read as `MAX(seq) + 1`, one seek down the rowid
//! b-tree. Sequence numbers, indexes and sizes are `u64` in the port and `INTEGER` here: a value
//! beyond `i64::MAX` is refused, never wrapped. This module must never update or delete an
//! event, node or checkpoint, never look inside the event bytes, and never put a stored value
//! in an error.

use confidant_core::ids::{ActorId, ClientId};
use confidant_core::ports::{
    AuditFilter, AuditKeyRow, AuditNodeRow, AuditRow, AuditStore, CheckpointRow, StoreError,
    StoreResult,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::SqliteStore;
use super::columns::{limit, optional_uuid, sealed};
use super::errors::db_error;

const EVENT_COLUMNS: &str = "seq, at, actor, action, client, event";
const CHECKPOINT_COLUMNS: &str = "size, note, created_at";

impl AuditStore for SqliteStore {
    fn audit_frontier(&self) -> StoreResult<Option<Vec<u8>>> {
        let op = "read audit frontier";
        self.read(op, |c| {
            c.prepare_cached("SELECT frontier FROM audit_state WHERE id = 0")
                .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn append_audit(
        &self,
        events: &[AuditRow],
        nodes: &[AuditNodeRow],
        frontier: &[u8],
    ) -> StoreResult<()> {
        let op = "append audit events";
        let Some(first) = events.first() else {
            if nodes.is_empty() {
                return Ok(());
            }
            return Err(StoreError::Conflict(format!(
                "{op}: tree nodes without the events that complete them"
            )));
        };
        // Consecutive within the batch and storable, checked before the write lock is taken.
        for (offset, event) in events.iter().enumerate() {
            let expected = u64::try_from(offset)
                .ok()
                .and_then(|o| first.seq.checked_add(o));
            if expected != Some(event.seq) {
                return Err(StoreError::Conflict(format!(
                    "{op}: the batch's sequence numbers are not consecutive"
                )));
            }
        }
        if let Some(last) = events.last() {
            stored(op, "a sequence number", last.seq)?;
        }
        self.write(op, |tx| {
            if size(tx, op)? != first.seq {
                return Err(StoreError::Conflict(format!(
                    "{op}: the first sequence number is not the current log size"
                )));
            }
            insert_events(tx, events)?;
            insert_nodes(tx, nodes)?;
            tx.prepare_cached(
                "INSERT INTO audit_state (id, frontier) VALUES (0, ?1) \
                 ON CONFLICT (id) DO UPDATE SET frontier = excluded.frontier",
            )
            .and_then(|mut s| s.execute([frontier]))
            .map(drop)
            .map_err(|e| db_error("store audit frontier", e))
        })
    }

    fn audit_size(&self) -> StoreResult<u64> {
        let op = "read audit log size";
        self.read(op, |c| size(c, op))
    }

    fn audit_events(&self, from: u64, limit_rows: usize) -> StoreResult<Vec<AuditRow>> {
        let op = "read audit events";
        // No stored seq is beyond `i64::MAX`, so nothing can be at or after such a `from`.
        let Ok(from) = i64::try_from(from) else {
            return Ok(Vec::new());
        };
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq >= ?1 \
                     ORDER BY seq LIMIT ?2"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map(params![from, limit(limit_rows)], event_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn audit_search(&self, filter: &AuditFilter, limit_rows: usize) -> StoreResult<Vec<AuditRow>> {
        let op = "search audit events";
        let Some((sql, values)) = search_query(filter, limit_rows) else {
            return Ok(Vec::new());
        };
        self.read(op, |c| {
            // At most 2^6 shapes of query; the cache keeps the recent ones prepared.
            let mut stmt = c.prepare_cached(&sql).map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map(params_from_iter(values), event_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn audit_node(&self, level: u8, index: u64) -> StoreResult<Option<[u8; 32]>> {
        let op = "read audit tree node";
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        self.read(op, |c| {
            c.prepare_cached("SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2")
                .and_then(|mut s| s.query_row(params![level, index], |r| r.get(0)).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn add_checkpoint(&self, row: &CheckpointRow) -> StoreResult<()> {
        let op = "add audit checkpoint";
        let size = stored(op, "a checkpoint size", row.size)?;
        self.write(op, |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO audit_checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?1, ?2, ?3)"
            ))
            .and_then(|mut s| s.execute(params![size, row.note, row.created_at]))
            .map(drop)
            .map_err(|e| db_error(op, e))
        })
    }

    fn checkpoints(&self) -> StoreResult<Vec<CheckpointRow>> {
        let op = "list audit checkpoints";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY size"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([], checkpoint_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn latest_checkpoint(&self) -> StoreResult<Option<CheckpointRow>> {
        let op = "read latest audit checkpoint";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY size DESC LIMIT 1"
            ))
            .and_then(|mut s| s.query_row([], checkpoint_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn audit_key(&self) -> StoreResult<Option<AuditKeyRow>> {
        let op = "read audit key";
        self.read(op, |c| {
            c.prepare_cached("SELECT wrapped_seed, verifier_key FROM audit_key WHERE id = 0")
                .and_then(|mut s| s.query_row([], key_row).optional())
                .map_err(|e| db_error(op, e))
        })
    }

    fn set_audit_key(&self, row: &AuditKeyRow) -> StoreResult<()> {
        let op = "set audit key";
        self.write(op, |tx| {
            tx.prepare_cached(
                "INSERT INTO audit_key (id, wrapped_seed, verifier_key) VALUES (0, ?1, ?2)",
            )
            .and_then(|mut s| s.execute(params![row.wrapped_seed.as_bytes(), row.verifier_key]))
            .map(drop)
            .map_err(|e| db_error(op, e))
        })
    }
}

/// A `u64` as SQLite stores it; beyond `i64::MAX` is refused rather than wrapped.
fn stored(op: &'static str, what: &str, n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| {
        StoreError::Conflict(format!(
            "{op}: {what} is beyond the largest the store can hold (2^63 - 1)"
        ))
    })
}

/// The log size, `MAX(seq) + 1`: the rowid's last entry, found without a scan.
fn size(c: &Connection, op: &'static str) -> StoreResult<u64> {
    let last: Option<u64> = c
        .prepare_cached("SELECT MAX(seq) FROM audit_events")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(|e| db_error(op, e))?;
    // `seq` is at most `i64::MAX`, so this cannot overflow.
    Ok(last.map_or(0, |n| n + 1))
}

fn insert_events(c: &Connection, events: &[AuditRow]) -> StoreResult<()> {
    let op = "insert audit event";
    let mut stmt = c
        .prepare_cached(&format!(
            "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        ))
        .map_err(|e| db_error(op, e))?;
    for e in events {
        // Checked by the caller: the whole batch fits in `i64`.
        let seq = stored(op, "a sequence number", e.seq)?;
        stmt.execute(params![
            seq,
            e.at,
            e.actor.as_ref().map(|a| a.as_uuid().as_bytes()),
            e.action,
            e.client.as_ref().map(|c| c.as_uuid().as_bytes()),
            e.event,
        ])
        .map_err(|e| db_error(op, e))?;
    }
    Ok(())
}

fn insert_nodes(c: &Connection, nodes: &[AuditNodeRow]) -> StoreResult<()> {
    let op = "insert audit tree node";
    let mut stmt = c
        .prepare_cached("INSERT INTO audit_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
        .map_err(|e| db_error(op, e))?;
    for n in nodes {
        let index = stored(op, "a tree node index", n.index)?;
        stmt.execute(params![n.level, index, n.hash])
            .map_err(|e| db_error(op, e))?;
    }
    Ok(())
}

/// The SQL and bound values for a search, or `None` when nothing can match (`after_seq` is
/// beyond every storable seq). Only fixed text goes into the SQL; every value is a parameter.
fn search_query(filter: &AuditFilter, limit_rows: usize) -> Option<(String, Vec<Value>)> {
    let mut terms: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(client) = filter.client {
        terms.push("client = ?");
        values.push(Value::Blob(client.as_uuid().as_bytes().to_vec()));
    }
    if let Some(actor) = filter.actor {
        terms.push("actor = ?");
        values.push(Value::Blob(actor.as_uuid().as_bytes().to_vec()));
    }
    if let Some(action) = &filter.action {
        terms.push("action = ?");
        values.push(Value::Text(action.clone()));
    }
    if let Some(since) = filter.since {
        terms.push("at >= ?");
        values.push(Value::Integer(since));
    }
    if let Some(until) = filter.until {
        terms.push("at < ?");
        values.push(Value::Integer(until));
    }
    if let Some(after) = filter.after_seq {
        terms.push("seq > ?");
        values.push(Value::Integer(i64::try_from(after).ok()?));
    }
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events");
    for (i, term) in terms.iter().enumerate() {
        sql.push_str(if i == 0 { " WHERE " } else { " AND " });
        sql.push_str(term);
    }
    sql.push_str(" ORDER BY seq LIMIT ?");
    values.push(Value::Integer(limit(limit_rows)));
    Some((sql, values))
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: optional_uuid(r, 2)?.map(ActorId::from_uuid),
        action: r.get(3)?,
        client: optional_uuid(r, 4)?.map(ClientId::from_uuid),
        event: r.get(5)?,
    })
}

fn checkpoint_row(r: &Row<'_>) -> rusqlite::Result<CheckpointRow> {
    Ok(CheckpointRow {
        size: r.get(0)?,
        note: r.get(1)?,
        created_at: r.get(2)?,
    })
}

fn key_row(r: &Row<'_>) -> rusqlite::Result<AuditKeyRow> {
    Ok(AuditKeyRow {
        wrapped_seed: sealed(r, 0)?,
        verifier_key: r.get(1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_sql_holds_no_filter_values() {
        let filter = AuditFilter {
            client: Some(ClientId::random()),
            actor: Some(ActorId::random()),
            action: Some("x' OR 1=1 --".into()),
            since: Some(5),
            until: Some(9),
            after_seq: Some(3),
        };
        let (sql, values) = search_query(&filter, 10).unwrap();
        assert_eq!(
            sql,
            "SELECT seq, at, actor, action, client, event FROM audit_events WHERE client = ? \
             AND actor = ? AND action = ? AND at >= ? AND at < ? AND seq > ? \
             ORDER BY seq LIMIT ?"
        );
        assert_eq!(values.len(), 7);
    }

    /// SQLite's plan for `sql`, one line per step.
    fn plan(sql: &str, values: Vec<Value>) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::run(&mut conn).unwrap();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params_from_iter(values), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn searches_walk_an_index_in_seq_order_without_sorting() {
        let one = |f: fn(&mut AuditFilter)| {
            let mut filter = AuditFilter {
                after_seq: Some(1),
                ..AuditFilter::default()
            };
            f(&mut filter);
            let (sql, values) = search_query(&filter, 10).unwrap();
            plan(&sql, values)
        };
        let by_client = one(|f| f.client = Some(ClientId::random()));
        assert!(by_client.contains("audit_events_by_client"), "{by_client}");
        let by_actor = one(|f| f.actor = Some(ActorId::random()));
        assert!(by_actor.contains("audit_events_by_actor"), "{by_actor}");
        let by_action = one(|f| f.action = Some("note.read".into()));
        assert!(by_action.contains("audit_events_by_action"), "{by_action}");
        let paged = one(|_| {});
        assert!(paged.contains("INTEGER PRIMARY KEY (rowid>?)"), "{paged}");
        for p in [by_client, by_actor, by_action, paged] {
            assert!(!p.contains("TEMP B-TREE"), "{p}");
        }
    }

    #[test]
    fn the_log_size_is_one_seek_not_a_scan() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::run(&mut conn).unwrap();
        let p: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT MAX(seq) FROM audit_events",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(p.starts_with("SEARCH"), "{p}");
    }

    #[test]
    fn search_after_an_unstorable_seq_matches_nothing() {
        let filter = AuditFilter {
            after_seq: Some(u64::MAX),
            ..AuditFilter::default()
        };
        assert!(search_query(&filter, 10).is_none());
    }
}
