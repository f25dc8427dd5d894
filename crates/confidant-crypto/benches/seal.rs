//! Seal/open throughput of 4 KiB notes, in MB/s. Run with `cargo bench -p confidant-crypto`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use confidant_crypto::{ClientKey, CryptoError, FieldContext, Sealed};

const NOTE: usize = 4096;

fn rate(label: &str, mut op: impl FnMut() -> Result<(), CryptoError>) -> Result<(), CryptoError> {
    for _ in 0..1000 {
        op()?;
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..1000 {
            op()?;
        }
        n += 1000;
    }
    let secs = start.elapsed().as_secs_f64();
    let mbps = (n as f64 * NOTE as f64) / secs / 1e6;
    println!(
        "{label:<28} {mbps:>9.1} MB/s  ({:.2} µs per 4 KiB note)",
        secs * 1e6 / n as f64
    );
    Ok(())
}

fn main() -> Result<(), CryptoError> {
    let key = ClientKey::generate(1)?;
    let ctx = FieldContext {
        kind: "note",
        record_id: "n-1",
        client_id: "c-1",
        field: "body",
    };
    let note = vec![b'x'; NOTE];
    let sealed: Sealed<[u8]> = key.seal(&ctx, &note)?;
    rate("seal 4 KiB note", || {
        key.seal::<[u8]>(&ctx, black_box(&note))
            .map(|s| drop(black_box(s)))
    })?;
    rate("open 4 KiB note", || {
        key.open(&ctx, black_box(&sealed))
            .map(|p| drop(black_box(p)))
    })?;
    Ok(())
}
