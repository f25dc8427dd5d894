//! Proof generation and verification latency on 1M- and 10M-leaf trees, and log-verifier
//! throughput on 1M events of 200 bytes. Run with `cargo bench -p confidant-audit`.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use confidant_audit::{
    Hash, LogVerifier, MemoryNodes, consistency_proof, inclusion_proof, leaf_hash, root_at,
    verify_consistency, verify_inclusion,
};

/// Proofs timed per tree and kind.
const SAMPLES: usize = 20_000;

/// splitmix64: a fixed, cheap stream of indices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In [lo, hi].
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Prints mean and p99 of per-operation times.
fn report(label: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let p99 = times[times.len() * 99 / 100];
    let max = times[times.len() - 1];
    println!(
        "{label:<44} mean {:>7.2} µs   p99 {:>7.2} µs   max {:>8.2} µs",
        mean.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6
    );
}

fn build(leaves: u64) -> Result<MemoryNodes, Box<dyn Error>> {
    let start = Instant::now();
    let mut t = MemoryNodes::with_capacity(leaves);
    for i in 0..leaves {
        t.append(leaf_hash(&i.to_be_bytes()))?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "build {leaves} leaves in MemoryNodes: {secs:.2} s ({:.2} M appends/s)",
        leaves as f64 / secs / 1e6
    );
    Ok(t)
}

fn proofs(t: &MemoryNodes, rng: &mut Rng) -> Result<(), Box<dyn Error>> {
    let n = t.size();
    let (mut make, mut check, mut roots) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        let size = rng.range(1, n);
        let index = rng.range(0, size - 1);
        let at = Instant::now();
        let root = root_at(t, size)?;
        roots.push(at.elapsed());
        let at = Instant::now();
        let proof = inclusion_proof(t, index, size)?;
        make.push(at.elapsed());
        let leaf: Hash = leaf_hash(&index.to_be_bytes());
        let at = Instant::now();
        verify_inclusion(&leaf, index, size, black_box(&proof), &root)?;
        check.push(at.elapsed());
    }
    report(&format!("  root_at (random size ≤ {n})"), roots);
    report("  inclusion proof: generate", make);
    report("  inclusion proof: verify", check);

    let (mut make, mut check) = (Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        let (a, b) = (rng.range(1, n), rng.range(1, n));
        let (old, new) = (a.min(b), a.max(b));
        let (old_root, new_root) = (root_at(t, old)?, root_at(t, new)?);
        let at = Instant::now();
        let proof = consistency_proof(t, old, new)?;
        make.push(at.elapsed());
        let at = Instant::now();
        verify_consistency(old, new, &old_root, &new_root, black_box(&proof))?;
        check.push(at.elapsed());
    }
    report("  consistency proof: generate", make);
    report("  consistency proof: verify", check);
    Ok(())
}

fn verifier_throughput() -> Result<(), Box<dyn Error>> {
    const EVENTS: usize = 1_000_000;
    const EVENT_LEN: usize = 200;
    // One buffer of synthetic events, each starting with its number, so generating them is not
    // what gets timed.
    let mut buf = vec![b'x'; EVENTS * EVENT_LEN];
    for (i, e) in buf.chunks_exact_mut(EVENT_LEN).enumerate() {
        e[..8].copy_from_slice(&(i as u64).to_be_bytes());
    }
    // The log's checkpoints: every 10,000 events, computed in a first pass.
    let mut first = LogVerifier::new();
    let mut checkpoints = Vec::new();
    for (i, e) in buf.chunks_exact(EVENT_LEN).enumerate() {
        first.push(i as u64, e)?;
        if (i + 1) % 10_000 == 0 {
            checkpoints.push((first.size(), first.root()));
        }
    }

    let start = Instant::now();
    for e in buf.chunks_exact(EVENT_LEN) {
        black_box(leaf_hash(black_box(e)));
    }
    let hash_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut v = LogVerifier::new();
    for &(size, root) in &checkpoints {
        v.expect_root_at(size, root)?;
    }
    for (i, e) in buf.chunks_exact(EVENT_LEN).enumerate() {
        v.push(i as u64, black_box(e))?;
    }
    let summary = v.finish()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "log verifier, {EVENTS} events of {EVENT_LEN} B, {} checkpoints: {:.2} M events/s ({:.0} MB/s)",
        summary.checkpoints_checked,
        EVENTS as f64 / secs / 1e6,
        (EVENTS * EVENT_LEN) as f64 / secs / 1e6
    );
    println!(
        "  (leaf hashing alone: {:.2} M events/s)",
        EVENTS as f64 / hash_secs / 1e6
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = Rng(0x00c0_ffee);
    verifier_throughput()?;
    for leaves in [1_000_000, 10_000_000] {
        let t = build(leaves)?;
        proofs(&t, &mut rng)?;
    }
    Ok(())
}
