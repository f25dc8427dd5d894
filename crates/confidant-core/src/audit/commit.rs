//! The group committer: one thread that gives events their sequence numbers, hashes them into
//! the Merkle tree and writes many requests' events in one durable transaction, then signs
//! checkpoints every N events, every T seconds, on request and at shutdown.
//!
//! It never sees client content (events are ids and codes) and never logs.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use confidant_audit::{AuditSigningKey, Checkpoint, Frontier, leaf_hash};

use super::Event;
use crate::error::{CoreError, CoreResult};
use crate::ports::{AuditNodeRow, AuditRow, CheckpointRow, Clock, Store, StoreError, to_millis};

/// When checkpoints are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditConfig {
    /// Sign after this many new events.
    pub checkpoint_every_events: u64,
    /// Sign after this long if there are new events.
    pub checkpoint_every: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            checkpoint_every_events: 1000,
            checkpoint_every: Duration::from_secs(60),
        }
    }
}

/// Most events written in one transaction.
const MAX_BATCH: usize = 4096;
/// Under load, how long the committer waits for more requests after the first of a batch: one
/// commit for many requests writes and syncs far fewer pages per event.
const LINGER: Duration = Duration::from_micros(500);
/// Only after a batch of at least this many requests does the committer linger, so a lightly
/// loaded server never waits.
const LINGER_FROM: usize = 8;
/// Tries at a batch when another writer keeps moving the log's end.
const MAX_ATTEMPTS: u32 = 5;

/// Why a batch was not written.
enum Failed {
    /// The log's end moved (another writer); retry after reloading.
    Conflict(String),
    /// Anything else; the batch fails.
    Other(String),
}

type Reply = SyncSender<Result<u64, String>>;

enum Msg {
    Append(Vec<Event>, Reply),
    Checkpoint(SyncSender<Result<u64, String>>),
}

/// Handle to the committer thread. Dropping it flushes, signs a final checkpoint and joins.
pub(crate) struct AuditLog {
    tx: Option<Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
}

impl AuditLog {
    /// Starts the committer over `store`, continuing the stored log.
    pub(crate) fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        key: AuditSigningKey,
        origin: String,
        config: AuditConfig,
    ) -> CoreResult<Self> {
        let frontier = match store.audit_frontier()? {
            Some(bytes) => Frontier::from_bytes(&bytes).map_err(|_| CoreError::Integrity)?,
            None => Frontier::new(),
        };
        let signed = store.latest_checkpoint()?.map_or(0, |c| c.size);
        let (tx, rx) = mpsc::channel();
        let committer = Committer {
            store,
            clock,
            key,
            origin,
            config,
            frontier,
            signed,
        };
        let thread = std::thread::Builder::new()
            .name("audit-commit".into())
            .spawn(move || committer.run(rx))
            .map_err(|e| CoreError::Audit(format!("cannot start the audit committer: {e}")))?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    fn send(&self, make: impl FnOnce(Reply) -> Msg) -> CoreResult<u64> {
        let (reply, wait) = mpsc::sync_channel(1);
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| CoreError::Audit("the audit log is closed".into()))?;
        tx.send(make(reply))
            .map_err(|_| CoreError::Audit("the audit committer stopped".into()))?;
        match wait.recv() {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(why)) => Err(CoreError::Audit(why)),
            Err(_) => Err(CoreError::Audit("the audit committer stopped".into())),
        }
    }

    /// Appends events and waits until they are durable; returns the first one's sequence number.
    /// (A `bench-insecure-plaintext` build, which only benchmarks use, records nothing.)
    pub(crate) fn record(&self, events: Vec<Event>) -> CoreResult<u64> {
        if events.is_empty() || super::AUDIT_OFF {
            return Ok(0);
        }
        self.send(|reply| Msg::Append(events, reply))
    }

    /// Signs a checkpoint of everything appended so far; returns its size.
    pub(crate) fn checkpoint(&self) -> CoreResult<u64> {
        self.send(Msg::Checkpoint)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Closing the channel tells the committer to flush, sign and stop.
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Committer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: AuditSigningKey,
    origin: String,
    config: AuditConfig,
    frontier: Frontier,
    /// Size of the latest signed checkpoint.
    signed: u64,
}

impl Committer {
    fn run(mut self, rx: Receiver<Msg>) {
        let mut last_signed = Instant::now();
        // Requests in the previous batch: how busy the server is.
        let mut last_requests = 0;
        loop {
            let wait = self
                .config
                .checkpoint_every
                .saturating_sub(last_signed.elapsed());
            let first = match rx.recv_timeout(wait) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    // A failed signature is retried at the next interval or batch.
                    let _ = self.sign_if_new();
                    last_signed = Instant::now();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.sign_if_new();
                    return;
                }
            };
            let started = Instant::now();
            let mut batch: Vec<(Vec<Event>, Reply)> = Vec::new();
            let mut checkpoints = Vec::new();
            let mut queued = 0;
            let mut next = Some(first);
            // Take what is waiting; under load, wait a little for half as many again as last
            // time, so batches grow while requests keep coming.
            let target = if last_requests >= LINGER_FROM {
                last_requests + last_requests / 2
            } else {
                0
            };
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Append(events, reply) => {
                        queued += events.len();
                        batch.push((events, reply));
                    }
                    Msg::Checkpoint(reply) => checkpoints.push(reply),
                }
                if queued >= MAX_BATCH {
                    break;
                }
                next = rx.try_recv().ok();
                let left = LINGER.saturating_sub(started.elapsed());
                if next.is_none() && batch.len() < target && !left.is_zero() {
                    next = rx.recv_timeout(left).ok();
                }
            }
            last_requests = batch.len();
            self.commit(batch);
            if self.frontier.size() - self.signed >= self.config.checkpoint_every_events {
                let _ = self.sign_if_new();
                last_signed = Instant::now();
            }
            for reply in checkpoints {
                let result = self
                    .sign_if_new()
                    .map(|()| self.signed)
                    .map_err(|e| e.to_string());
                let _ = reply.send(result);
            }
        }
    }

    /// Writes one batch in one transaction and answers every waiter.
    fn commit(&mut self, batch: Vec<(Vec<Event>, Reply)>) {
        if batch.is_empty() {
            return;
        }
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            match self.try_commit(&batch) {
                Ok(firsts) => break Ok(firsts),
                // Another process appended first (two servers on one store): continue its log.
                Err(Failed::Conflict(_)) if attempt < MAX_ATTEMPTS => self.reload_frontier(),
                Err(Failed::Conflict(why) | Failed::Other(why)) => {
                    self.reload_frontier();
                    break Err(why);
                }
            }
        };
        match result {
            Ok(firsts) => {
                for ((_, reply), first) in batch.into_iter().zip(firsts) {
                    let _ = reply.send(Ok(first));
                }
            }
            Err(why) => {
                for (_, reply) in batch {
                    let _ = reply.send(Err(format!("the audit log could not be written: {why}")));
                }
            }
        }
    }

    /// Numbers, hashes and writes the batch after the current frontier; returns each request's
    /// first sequence number.
    fn try_commit(&mut self, batch: &[(Vec<Event>, Reply)]) -> Result<Vec<u64>, Failed> {
        let other = |e: &dyn std::fmt::Display| Failed::Other(e.to_string());
        let mut frontier = self.frontier.clone();
        let mut rows = Vec::new();
        let mut nodes = Vec::new();
        let mut firsts = Vec::with_capacity(batch.len());
        for (events, _) in batch {
            firsts.push(frontier.size());
            for event in events {
                let seq = frontier.size();
                let bytes = event.encode(seq).map_err(|e| other(&e))?;
                let leaf = leaf_hash(&bytes);
                nodes.push(AuditNodeRow {
                    level: 0,
                    index: seq,
                    hash: *leaf.as_bytes(),
                });
                frontier
                    .append_with(leaf, |n| {
                        nodes.push(AuditNodeRow {
                            level: n.level,
                            index: n.index,
                            hash: *n.hash.as_bytes(),
                        })
                    })
                    .map_err(|e| other(&e))?;
                rows.push(AuditRow {
                    seq,
                    at: to_millis(event.at),
                    actor: event.actor.map(|a| a.id),
                    action: event.action.as_str().to_owned(),
                    client: event.client,
                    event: bytes,
                });
            }
        }
        match self.store.append_audit(&rows, &nodes, &frontier.to_bytes()) {
            Ok(()) => {
                self.frontier = frontier;
                Ok(firsts)
            }
            Err(e @ StoreError::Conflict(_)) => Err(Failed::Conflict(e.to_string())),
            Err(e) => Err(other(&e)),
        }
    }

    /// After a failed write the stored frontier is the truth: reload it so later appends line up.
    fn reload_frontier(&mut self) {
        if let Ok(Some(bytes)) = self.store.audit_frontier()
            && let Ok(f) = Frontier::from_bytes(&bytes)
        {
            self.frontier = f;
        }
    }

    /// Signs and stores a checkpoint if events were appended since the last one.
    fn sign_if_new(&mut self) -> Result<(), CoreError> {
        let size = self.frontier.size();
        if size == 0 || size == self.signed {
            return Ok(());
        }
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size,
            root: self.frontier.root(),
        };
        let note = self
            .key
            .sign(&checkpoint)
            .map_err(|e| CoreError::Audit(e.to_string()))?;
        let row = CheckpointRow {
            size,
            note,
            created_at: to_millis(self.clock.now()),
        };
        match self.store.add_checkpoint(&row) {
            Ok(()) | Err(StoreError::Conflict(_)) => {
                self.signed = size;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}
