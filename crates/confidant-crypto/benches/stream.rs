//! Attachment stream throughput: 1 GiB of generated data encrypted and decrypted through
//! `io::copy`, in MB/s, with peak RSS. Run with `cargo bench -p confidant-crypto --bench stream`.

use std::error::Error;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::{self, Read, Write};
use std::time::Instant;

use confidant_crypto::{
    AttachmentContext, AttachmentKey, decrypt_stream, encrypt_stream, encrypted_len,
};

const TOTAL: u64 = 1 << 30;
const BLOCK: usize = 1 << 20;
const RUNS: usize = 5;

/// `len` bytes cut from a 1 MiB pseudo-random block, made on the fly so nothing big is held.
struct Generated<'a> {
    block: &'a [u8],
    pos: u64,
    len: u64,
}

impl Read for Generated<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let start = (self.pos % BLOCK as u64) as usize;
        let left = usize::try_from(self.len - self.pos).unwrap_or(usize::MAX);
        let n = out.len().min(left).min(BLOCK - start);
        out[..n].copy_from_slice(&self.block[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

/// A writer that keeps nothing.
#[derive(Default)]
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        black_box(data);
        self.0 += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn block() -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    (0..BLOCK)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A field of `/proc/self/status` in KiB, where Linux provides it.
fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// Runs `op` (which streams `TOTAL` bytes) `RUNS` times and prints the median rate and range.
fn measure(label: &str, mut op: impl FnMut() -> io::Result<()>) -> io::Result<()> {
    let mut rates = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        op()?;
        rates.push(TOTAL as f64 / start.elapsed().as_secs_f64() / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "{label:<46} {:>8.0} MB/s  (median of {RUNS}; {:.0}..{:.0})",
        rates[RUNS / 2],
        rates[0],
        rates[RUNS - 1]
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let block = block();
    let source = || Generated {
        block: &block,
        pos: 0,
        len: TOTAL,
    };
    let ctx = AttachmentContext {
        attachment_id: "bench-recording",
        client_id: "bench-client",
    };
    let key = AttachmentKey::generate()?;
    let rss_start = status_kib("VmRSS");

    measure("generate 1 GiB -> sink (baseline)", || {
        io::copy(&mut source(), &mut Sink::default()).map(drop)
    })?;
    measure("encrypt 1 GiB -> sink", || {
        let mut sink = Sink::default();
        encrypt_stream(&key, &ctx, source(), &mut sink)?;
        assert_eq!(Some(sink.0), encrypted_len(TOTAL));
        Ok(())
    })?;

    // Decryption needs real ciphertext; a temp file (then in the page cache) holds it.
    let path = std::env::temp_dir().join(format!("confidant-stream-bench-{}", std::process::id()));
    let start = Instant::now();
    encrypt_stream(&key, &ctx, source(), File::create(&path)?)?;
    println!(
        "{:<46} {:>8.0} MB/s  (once, disk-bound)",
        "encrypt 1 GiB -> temp file",
        TOTAL as f64 / start.elapsed().as_secs_f64() / 1e6
    );
    let read_back = measure("read 1 GiB temp file -> sink (baseline)", || {
        io::copy(&mut File::open(&path)?, &mut Sink::default()).map(drop)
    });
    let decrypted = read_back.and_then(|()| {
        measure("decrypt 1 GiB temp file (page cache) -> sink", || {
            let mut sink = Sink::default();
            let n = decrypt_stream(&key, &ctx, File::open(&path)?, &mut sink)?;
            assert_eq!((n, sink.0), (TOTAL, TOTAL));
            Ok(())
        })
    });
    fs::remove_file(&path)?;
    decrypted?;

    match (rss_start, status_kib("VmHWM")) {
        (Some(start), Some(peak)) => println!(
            "peak RSS {peak} KiB (RSS {start} KiB before streaming; growth {} KiB)",
            peak.saturating_sub(start)
        ),
        _ => println!("peak RSS: not available on this platform"),
    }
    Ok(())
}
