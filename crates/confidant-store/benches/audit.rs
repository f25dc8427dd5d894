//! Audit log storage: append throughput in events/s for batches of 1 and 64 events (~250-byte
//! events, ~2 tree node rows per event, a ~700-byte frontier, one durable transaction per
//! batch), and tree node lookup time on a log of 1M events. Run with
//! `cargo bench -p confidant-store --bench audit`.
//!
//! Appends at a batch of 1 measure the disk's sync rate; at 64 they show what group commit buys.
//! The 1M-event log is filled in transactions of 10,000 events, also through `append_audit`.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use confidant_core::ids::{ActorId, ClientId};
use confidant_core::ports::{AuditNodeRow, AuditRow, AuditStore};
use confidant_store::SqliteStore;
use tempfile::TempDir;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const EVENT: usize = 250;
const FRONTIER: usize = 700;
const BIG_LOG: u64 = 1_000_000;
const FILL_BATCH: u64 = 10_000;
const RUN: Duration = Duration::from_millis(3000);
const LOOKUPS: usize = 200_000;

const ACTIONS: [&str; 6] = [
    "note.read",
    "note.create",
    "client.read",
    "client.update",
    "auth.login",
    "audit.search",
];

/// xorshift64*: cheap, fixed pseudo-random numbers for ids, hashes and picks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }
}

/// A log in a fresh store, and what the next append continues from.
struct Log {
    store: SqliteStore,
    size: u64,
    rng: Rng,
    actors: Vec<ActorId>,
    clients: Vec<ClientId>,
    // Dropped last, so the store closes before its directory goes.
    _dir: TempDir,
}

impl Log {
    fn new() -> BenchResult<Self> {
        // Under target/, on the same disk as a real data directory would be (not a tmpfs).
        let dir = tempfile::Builder::new()
            .prefix("confidant-bench-audit-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
        Ok(Self {
            store: SqliteStore::open(dir.path())?,
            size: 0,
            rng: Rng(0x9e37_79b9_7f4a_7c15),
            actors: (0..20).map(|_| ActorId::random()).collect(),
            clients: (0..500).map(|_| ClientId::random()).collect(),
            _dir: dir,
        })
    }

    fn pick<T: Copy>(rng: &mut Rng, from: &[T]) -> Option<T> {
        from.get(rng.next() as usize % from.len()).copied()
    }

    /// Appends `n` events with the leaf and inner nodes a Merkle tree would complete.
    fn append(&mut self, n: u64) -> BenchResult<()> {
        let mut events = Vec::with_capacity(n as usize);
        let mut nodes = Vec::with_capacity(2 * n as usize);
        for seq in self.size..self.size + n {
            let rng = &mut self.rng;
            let mut event = Vec::with_capacity(EVENT);
            while event.len() < EVENT {
                event.extend_from_slice(&rng.bytes::<32>());
            }
            event.truncate(EVENT);
            events.push(AuditRow {
                seq,
                at: 1_700_000_000_000 + seq as i64,
                actor: Self::pick(rng, &self.actors),
                action: Self::pick(rng, &ACTIONS).unwrap_or("note.read").to_owned(),
                client: Self::pick(rng, &self.clients),
                event,
            });
            nodes.push(AuditNodeRow {
                level: 0,
                index: seq,
                hash: rng.bytes(),
            });
            // Leaf `seq` completes the node of every level whose span it ends.
            let size = seq + 1;
            let mut level = 1u8;
            while size % (1u64 << level) == 0 {
                nodes.push(AuditNodeRow {
                    level,
                    index: (size >> level) - 1,
                    hash: rng.bytes(),
                });
                level += 1;
            }
        }
        let frontier = vec![0x5a; FRONTIER];
        self.store.append_audit(&events, &nodes, &frontier)?;
        self.size += n;
        Ok(())
    }
}

/// Appends batches of `batch` for `RUN` after a warm-up; prints events/s and batches/s.
fn appends(batch: u64) -> BenchResult<()> {
    let mut log = Log::new()?;
    for _ in 0..10 {
        log.append(batch)?;
    }
    let start = Instant::now();
    let mut batches = 0u64;
    while start.elapsed() < RUN {
        log.append(batch)?;
        batches += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let events = batches * batch;
    println!(
        "append, {batch:>2} event(s) per transaction {:>9.0} events/s  ({:>6.0} transactions/s, \
         {:>7.1} µs per transaction)",
        events as f64 / secs,
        batches as f64 / secs,
        secs / batches as f64 * 1e6,
    );
    Ok(())
}

fn main() -> BenchResult<()> {
    println!(
        "Audit log, SQLite (WAL, synchronous=FULL): {EVENT}-byte events, ~2 node rows each, \
         {FRONTIER}-byte frontier"
    );
    appends(1)?;
    appends(64)?;

    let mut log = Log::new()?;
    let start = Instant::now();
    while log.size < BIG_LOG {
        log.append(FILL_BATCH)?;
    }
    let fill = start.elapsed().as_secs_f64();
    println!(
        "fill {BIG_LOG} events in transactions of {FILL_BATCH}: {fill:.1} s ({:.0} events/s)",
        BIG_LOG as f64 / fill
    );

    // Random nodes at every level a proof reads, as an inclusion proof would.
    let top = 63 - BIG_LOG.leading_zeros() as u8;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut picks = Vec::with_capacity(LOOKUPS);
    for _ in 0..LOOKUPS {
        let level = (rng.next() % u64::from(top + 1)) as u8;
        let complete = BIG_LOG >> level;
        picks.push((level, rng.next() % complete));
    }
    let start = Instant::now();
    for &(level, index) in &picks {
        let hash = log.store.audit_node(level, index)?;
        black_box(hash.ok_or("a stored node is missing")?);
    }
    let per = start.elapsed().as_secs_f64() / LOOKUPS as f64;
    println!(
        "audit_node on {BIG_LOG} events, random level 0..={top} {:>9.2} µs per lookup  \
         ({:.0} µs for a {}-node proof)",
        per * 1e6,
        per * 1e6 * f64::from(top + 1),
        top + 1,
    );

    let start = Instant::now();
    for _ in 0..1000 {
        black_box(log.store.audit_size()?);
    }
    println!(
        "audit_size on {BIG_LOG} events {:>9.2} µs",
        start.elapsed().as_secs_f64() / 1000.0 * 1e6
    );
    Ok(())
}
