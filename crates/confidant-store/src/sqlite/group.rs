//! Group commit: writes that arrive together share one transaction and one durable commit (one
//! sync of the write-ahead log), each in its own savepoint, so a write that fails takes only
//! itself back out.
//!
//! A writer runs its statements in the open transaction (beginning one if none is open). Then,
//! if another writer is already waiting for the connection, it leaves the commit to them and
//! waits; the last writer in commits for everyone. A batch is cut at `MAX_WRITES` writes or
//! `MAX_AGE`, so a steady stream of writers cannot postpone a commit. This module must never
//! answer `Ok` before the commit holding that write is durable, and never leave a transaction
//! open with nobody queued to finish it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use confidant_core::ports::{StoreError, StoreResult};
use rusqlite::Connection;

use super::errors::{db_error, unavailable};

/// Most writes committed together.
const MAX_WRITES: usize = 256;
/// Longest a batch stays open waiting for more writes.
const MAX_AGE: Duration = Duration::from_millis(5);

/// How a batch ended; unset while it is open.
type Outcome = Arc<OnceLock<Result<(), String>>>;

/// Runs after a write is committed, with the connection still held (e.g. a WAL checkpoint).
pub(super) type AfterCommit = fn(&Connection, &'static str) -> StoreResult<()>;

/// The one write connection, shared by group commit.
pub(super) struct GroupWriter {
    state: Mutex<State>,
    /// Signalled whenever a batch ends.
    ended: Condvar,
    /// Writers waiting for the connection; while any wait, the holder may leave the commit to
    /// them.
    queued: AtomicUsize,
}

struct State {
    conn: Connection,
    batch: Option<Batch>,
    /// Transactions committed so far.
    commits: u64,
}

/// The writes the open transaction holds.
struct Batch {
    outcome: Outcome,
    writes: usize,
    since: Instant,
}

impl GroupWriter {
    /// Shares `conn` (configured, migrated) among writers.
    pub(super) fn new(conn: Connection) -> Self {
        Self {
            state: Mutex::new(State {
                conn,
                batch: None,
                commits: 0,
            }),
            ended: Condvar::new(),
            queued: AtomicUsize::new(0),
        }
    }

    /// Runs `f` in the open transaction and returns once the transaction holding its changes is
    /// committed durably. With `after_commit`, this write commits at once (with any others in
    /// its batch), then runs `after_commit` before the connection is released.
    pub(super) fn write<T>(
        &self,
        op: &'static str,
        after_commit: Option<AfterCommit>,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut state = self.lock(op)?;
        let outcome = state.begin(op)?;
        let out = state.run(op, f);
        let others_will_commit = after_commit.is_none()
            && state.batch.as_ref().is_some_and(Batch::has_room)
            && self.queued.load(Ordering::SeqCst) > 0;
        if others_will_commit {
            // A write that failed left nothing in the batch: no need to wait for it.
            let value = out?;
            let waited = self
                .ended
                .wait_while(state, |_| outcome.get().is_none())
                .map_err(|_| poisoned(op));
            drop(waited?);
            return finish(op, Ok(value), &outcome);
        }
        state.commit();
        self.ended.notify_all();
        if let (Some(after), Ok(_), Some(Ok(()))) = (after_commit, &out, outcome.get()) {
            after(&state.conn, op)?;
        }
        finish(op, out, &outcome)
    }

    /// Takes the connection, counted as queued while waiting for it. A connection abandoned by
    /// a panicking writer is unusable: its open batch is rolled back and failed, so nobody
    /// waits for it forever.
    fn lock(&self, op: &'static str) -> StoreResult<MutexGuard<'_, State>> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let locked = self.state.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        match locked {
            Ok(state) => Ok(state),
            Err(poison) => {
                let mut state = poison.into_inner();
                state.abort("a writer panicked; restart the server");
                self.ended.notify_all();
                Err(poisoned(op))
            }
        }
    }

    /// Runs `f` on the connection alone, outside any batch (tests inspect its settings).
    #[cfg(test)]
    pub(super) fn with_connection<T>(&self, f: impl FnOnce(&Connection) -> T) -> StoreResult<T> {
        let state = self.lock("inspect write connection")?;
        Ok(f(&state.conn))
    }
}

impl Batch {
    fn has_room(&self) -> bool {
        self.writes < MAX_WRITES && self.since.elapsed() < MAX_AGE
    }
}

impl State {
    /// The open batch's outcome, beginning a transaction if none is open.
    fn begin(&mut self, op: &'static str) -> StoreResult<Outcome> {
        if let Some(batch) = &self.batch {
            return Ok(batch.outcome.clone());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| db_error(op, e))?;
        let outcome = Outcome::default();
        self.batch = Some(Batch {
            outcome: outcome.clone(),
            writes: 0,
            since: Instant::now(),
        });
        Ok(outcome)
    }

    /// Runs `f` in a savepoint: kept if it succeeds, rolled back if it fails. If an error
    /// undid the whole transaction, the batch fails.
    fn run<T>(
        &mut self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        if let Err(e) = self.conn.execute_batch("SAVEPOINT write") {
            self.abort("a savepoint could not be opened");
            return Err(db_error(op, e));
        }
        let out = f(&self.conn);
        let end = if out.is_ok() {
            "RELEASE write"
        } else {
            "ROLLBACK TO write; RELEASE write"
        };
        let ended = self.conn.execute_batch(end);
        if let Some(batch) = &mut self.batch {
            batch.writes += 1;
        }
        if ended.is_err() || self.conn.is_autocommit() {
            let why = "an error rolled the whole transaction back";
            self.abort(why);
            return out.and_then(|_| Err(unavailable(op, why)));
        }
        out
    }

    /// Commits the open batch, if any, and records how that went.
    fn commit(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let result = self
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| db_error("commit a batch of writes", e).to_string());
        if result.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.commits += 1;
        let _ = batch.outcome.set(result);
    }

    /// Rolls the open batch back, if any, failing every write in it.
    fn abort(&mut self, why: &str) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let _ = batch.outcome.set(Err(why.to_owned()));
    }
}

/// A write's answer: its own failure, else its batch's.
fn finish<T>(op: &'static str, out: StoreResult<T>, outcome: &Outcome) -> StoreResult<T> {
    let value = out?;
    match outcome.get() {
        Some(Ok(())) => Ok(value),
        Some(Err(why)) => Err(unavailable(op, why)),
        None => Err(unavailable(op, "the write's transaction ended uncommitted")),
    }
}

fn poisoned(op: &'static str) -> StoreError {
    unavailable(
        op,
        "the write connection was abandoned by a thread that panicked; restart the server",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, GroupWriter) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
        )
        .unwrap();
        (dir, GroupWriter::new(conn))
    }

    fn insert(w: &GroupWriter, id: i64) -> StoreResult<()> {
        w.write("insert", None, |c| {
            c.execute("INSERT INTO t (id, v) VALUES (?1, 'x')", [id])
                .map(drop)
                .map_err(|e| db_error("insert", e))
        })
    }

    fn count(w: &GroupWriter) -> i64 {
        w.with_connection(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn concurrent_writes_are_all_committed_and_none_is_left_open() {
        let (_dir, w) = writer();
        std::thread::scope(|s| {
            for t in 0..16 {
                let w = &w;
                s.spawn(move || {
                    for i in 0..50 {
                        insert(w, t * 1000 + i).unwrap();
                    }
                });
            }
        });
        assert_eq!(count(&w), 16 * 50);
        let open = w.with_connection(|c| !c.is_autocommit()).unwrap();
        assert!(!open, "no transaction is left open");
        let commits = w.state.lock().unwrap().commits;
        assert!(
            commits < 16 * 50,
            "{commits} commits: writes that overlapped were grouped"
        );
    }

    #[test]
    fn a_failing_write_takes_only_itself_out_of_the_batch() {
        let (_dir, w) = writer();
        insert(&w, 1).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let w = &w;
                s.spawn(move || {
                    for i in 0..20 {
                        // Every thread also tries the taken id 1: refused, the rest kept.
                        assert!(insert(w, 1).is_err());
                        insert(w, 100 + t * 100 + i).unwrap();
                    }
                });
            }
        });
        assert_eq!(count(&w), 1 + 8 * 20);
    }

    #[test]
    fn a_write_is_visible_to_another_connection_when_it_returns() {
        let (dir, w) = writer();
        let reader = Connection::open(dir.path().join("t.db")).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let (w, path) = (&w, dir.path().join("t.db"));
                s.spawn(move || {
                    let reader = Connection::open(path).unwrap();
                    for i in 0..20 {
                        let id = t * 100 + i;
                        insert(w, id).unwrap();
                        let seen: i64 = reader
                            .query_row("SELECT count(*) FROM t WHERE id = ?1", [id], |r| r.get(0))
                            .unwrap();
                        assert_eq!(seen, 1, "committed before the call returned");
                    }
                });
            }
        });
        let all: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(all, 8 * 20);
    }

    #[test]
    fn after_commit_runs_once_the_write_is_committed() {
        let (_dir, w) = writer();
        w.write(
            "insert",
            Some(|c, _| {
                let n: i64 = c
                    .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                    .unwrap();
                assert!(c.is_autocommit(), "outside any transaction");
                assert_eq!(n, 1);
                Ok(())
            }),
            |c| {
                c.execute("INSERT INTO t (id, v) VALUES (7, 'x')", [])
                    .map(drop)
                    .map_err(|e| db_error("insert", e))
            },
        )
        .unwrap();
    }
}
