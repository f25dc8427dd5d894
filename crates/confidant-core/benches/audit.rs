//! Audit log figures on the real SQLite store: durable append throughput with group commit at 1
//! and 64 concurrent writers, verification throughput over 1M stored events, and proof times
//! at 1M events. Run with `cargo bench -p confidant-core --bench audit`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confidant_core::audit::verify_log;
use confidant_core::ports::{AuditStore, SystemClock};
use confidant_core::{Access, AuditConfig, Purpose, Vault};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn practice(dir: &std::path::Path) -> Result<(Arc<SqliteStore>, Vault, Access)> {
    let store = Arc::new(SqliteStore::open(dir)?);
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate()?);
    let done = confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key))?;
    let config = AuditConfig {
        checkpoint_every_events: 100_000,
        checkpoint_every: Duration::from_secs(3600),
    };
    let options = confidant_core::Options {
        audit: config,
        ..Default::default()
    };
    let vault = Vault::unseal_with(store.clone(), Arc::new(SystemClock), &key, options)?;
    let access = Access {
        actor: vault.authenticate(&done.owner_token)?,
        purpose: Purpose::Operations,
        source: None,
    };
    Ok((store, vault, access))
}

/// Each writer records one event at a time and waits until it is durable.
fn appends(vault: &Vault, writers: usize, per_writer: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..writers {
            s.spawn(|| {
                for _ in 0..per_writer {
                    if vault.record_auth_failure(None).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (writers * per_writer) as f64 / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn time_proofs(label: &str, n: usize, mut one: impl FnMut(u64) -> Result<()>) -> Result<()> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let t = Instant::now();
        one(i)?;
        times.push(t.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / n as u32;
    println!(
        "{label:<44} mean {:>7.1} µs   p99 {:>7.1} µs",
        mean.as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6
    );
    Ok(())
}

fn main() -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix("confidant-audit-bench-")
        .tempdir_in(std::env::temp_dir())?;
    let (store, vault, access) = practice(tmp.path())?;

    let one = appends(&vault, 1, 2_000);
    println!("durable appends, 1 writer                    {one:>10.0} events/s");
    let many = appends(&vault, 64, 1_000);
    println!(
        "durable appends, 64 writers (group commit)   {many:>10.0} events/s  (target ≥ 50,000)"
    );

    // Grow the log to 1M events with many writers, then verify it from storage.
    let have = store.audit_size()? as usize;
    let target = 1_000_000usize;
    let fill = Instant::now();
    appends(&vault, 64, (target - have).div_ceil(64));
    println!(
        "filled to {} events in {:.1} s",
        store.audit_size()?,
        fill.elapsed().as_secs_f64()
    );
    vault.checkpoint_now()?;

    let t = Instant::now();
    let report = verify_log(store.as_ref(), None, &[], &mut |_, _| {})??;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "verify {} stored events, {} checkpoints        {:>10.0} events/s  ({secs:.2} s; target ≥ 1,000,000/s)",
        report.size,
        report.stored_checkpoints,
        report.size as f64 / secs
    );

    let size = store.audit_size()?;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |bound: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % bound
    };
    let mut picks: Vec<(u64, u64)> = (0..2000).map(|_| (next(size), 1 + next(size))).collect();
    time_proofs(&format!("inclusion proof at {size} events"), 2000, |i| {
        let (index, _) = picks[i as usize];
        vault
            .inclusion_proof(&access, index, size)
            .map(drop)
            .map_err(Into::into)
    })?;
    picks.iter_mut().for_each(|(a, b)| *a = (*a).min(*b).max(1));
    time_proofs(&format!("consistency proof at {size} events"), 2000, |i| {
        let (from, _) = picks[i as usize];
        vault
            .consistency_proof(&access, from, size)
            .map(drop)
            .map_err(Into::into)
    })?;
    println!("(each proof call above also appends and commits its own audit.read event)");
    raw_proofs(store.as_ref(), size)?;

    // 10M events take minutes to write; opt in with CONFIDANT_BENCH_10M=1.
    if std::env::var_os("CONFIDANT_BENCH_10M").is_some() {
        drop(vault);
        let t = Instant::now();
        grow_raw(store.as_ref(), 10_000_000)?;
        println!(
            "grew the log to 10M events in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        raw_proofs(store.as_ref(), store.audit_size()?)?;
    }
    Ok(())
}

/// Reads proof nodes straight from the store, as the API does, without the audit write.
struct Nodes<'a>(&'a SqliteStore);

impl confidant_audit::NodeSource for Nodes<'_> {
    type Error = confidant_audit::ProofError;
    fn node(
        &self,
        level: u8,
        index: u64,
    ) -> std::result::Result<confidant_audit::Hash, Self::Error> {
        match self.0.audit_node(level, index) {
            Ok(Some(h)) => Ok(confidant_audit::Hash::from_bytes(h)),
            _ => Err(confidant_audit::ProofError::MissingNode { level, index }),
        }
    }
}

fn raw_proofs(store: &SqliteStore, size: u64) -> Result<()> {
    let nodes = Nodes(store);
    let step = size / 2000;
    time_proofs(
        &format!("inclusion proof + root, storage only, {size}"),
        2000,
        |i| {
            let index = i * step;
            confidant_audit::inclusion_proof(&nodes, index, size)?;
            confidant_audit::root_at(&nodes, size)?;
            Ok(())
        },
    )?;
    time_proofs(
        &format!("consistency proof + roots, storage only, {size}"),
        2000,
        |i| {
            let old = 1 + i * step;
            confidant_audit::consistency_proof(&nodes, old, size)?;
            confidant_audit::root_at(&nodes, old)?;
            confidant_audit::root_at(&nodes, size)?;
            Ok(())
        },
    )
}

/// Appends synthetic events in large batches straight to the store (bench setup only).
fn grow_raw(store: &SqliteStore, target: u64) -> Result<()> {
    use confidant_core::ports::{AuditNodeRow, AuditRow};
    let bytes = store.audit_frontier()?.ok_or("empty log")?;
    let mut frontier = confidant_audit::Frontier::from_bytes(&bytes)?;
    while frontier.size() < target {
        let mut rows = Vec::with_capacity(10_000);
        let mut nodes = Vec::with_capacity(20_000);
        for _ in 0..10_000.min(target - frontier.size()) {
            let seq = frontier.size();
            let event = format!(
                "{{\"v\":1,\"seq\":{seq},\"action\":\"auth.fail\",\"outcome\":\"denied\"}}"
            )
            .into_bytes();
            let leaf = confidant_audit::leaf_hash(&event);
            nodes.push(AuditNodeRow {
                level: 0,
                index: seq,
                hash: *leaf.as_bytes(),
            });
            frontier.append_with(leaf, |n| {
                nodes.push(AuditNodeRow {
                    level: n.level,
                    index: n.index,
                    hash: *n.hash.as_bytes(),
                })
            })?;
            rows.push(AuditRow {
                seq,
                at: 0,
                actor: None,
                action: "auth.fail".into(),
                client: None,
                event,
            });
        }
        store.append_audit(&rows, &nodes, &frontier.to_bytes())?;
    }
    Ok(())
}
