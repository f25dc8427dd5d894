//! Store throughput of 4 KiB notes, sealed versus the same bytes stored in plaintext, in ops/s:
//! what sealing costs on top of a durable write and an indexed read. Run with
//! `cargo bench -p confidant-store`.
//!
//! Each write is one durable transaction (`synchronous=FULL`), so writes measure the disk's
//! sync rate more than anything else; reads pick random notes from a pre-filled store.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use confidant_core::ids::{ActorId, ClientId, NoteId};
use confidant_core::ports::{ClientKeyRow, ClientRow, ClientStore, NoteRow, NoteStore, StoreError};
use confidant_crypto::{ClientKey, FieldContext, Sealed};
use confidant_store::SqliteStore;
use tempfile::TempDir;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const NOTE: usize = 4096;
/// Notes in each store before reads are measured.
const PREFILL: usize = 10_000;
const RUN: Duration = Duration::from_millis(2500);

/// One store with one client, and the ids of every note written so far.
struct Fixture {
    store: SqliteStore,
    client: ClientId,
    client_text: String,
    ids: Vec<NoteId>,
    author: ActorId,
    // Dropped last, so the store closes before its directory goes.
    _dir: TempDir,
}

impl Fixture {
    fn new() -> BenchResult<Self> {
        // Under target/, on the same disk as a real data directory would be (not a tmpfs).
        let dir = tempfile::Builder::new()
            .prefix("confidant-bench-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
        let store = SqliteStore::open(dir.path())?;
        let client = ClientId::random();
        let field = || Sealed::from_bytes(vec![0x5a; 64]);
        let row = ClientRow {
            id: client,
            key_version: 1,
            created_at: 0,
            legal_name: field(),
            preferred_name: field(),
            date_of_birth: field(),
            phone: field(),
            email: field(),
            address: field(),
            emergency_contact: field(),
            discharged_at: None,
        };
        let key = ClientKeyRow {
            client_id: client,
            version: 1,
            practice_key_version: 1,
            wrapped: Sealed::from_bytes(vec![0xa5; 61]),
        };
        store.insert_client(&row, &key)?;
        Ok(Self {
            store,
            client,
            client_text: client.to_string(),
            ids: Vec::with_capacity(PREFILL * 2),
            author: ActorId::random(),
            _dir: dir,
        })
    }

    fn insert(&mut self, id: NoteId, body: Sealed<str>) -> Result<(), StoreError> {
        self.store.insert_note(&NoteRow::draft(
            id,
            self.client,
            1,
            "progress",
            self.author,
            1_700_000_000_000,
            body,
        ))?;
        self.ids.push(id);
        Ok(())
    }
}

/// Where a note body is sealed: bound to the note and its client.
fn body_context<'a>(note_id: &'a str, client_id: &'a str) -> FieldContext<'a> {
    FieldContext {
        kind: "note",
        record_id: note_id,
        client_id,
        field: "body",
    }
}

fn write_sealed(f: &mut Fixture, key: &ClientKey, plaintext: &[u8]) -> BenchResult<()> {
    let id = NoteId::random();
    let id_text = id.to_string();
    let body = key.seal(&body_context(&id_text, &f.client_text), plaintext)?;
    Ok(f.insert(id, body)?)
}

fn write_plain(f: &mut Fixture, plaintext: &[u8]) -> BenchResult<()> {
    Ok(f.insert(NoteId::random(), Sealed::from_bytes(plaintext.to_vec()))?)
}

fn read_sealed(f: &Fixture, key: &ClientKey, id: NoteId) -> BenchResult<()> {
    let note = f.store.note(id)?.ok_or("a pre-filled note is missing")?;
    let id_text = id.to_string();
    let plaintext = key.open(&body_context(&id_text, &f.client_text), &note.body)?;
    black_box(plaintext);
    Ok(())
}

fn read_plain(f: &Fixture, id: NoteId) -> BenchResult<()> {
    let note = f.store.note(id)?.ok_or("a pre-filled note is missing")?;
    black_box(note.body.as_bytes());
    Ok(())
}

/// Runs `op` for `run` after a short warm-up; returns how many ran and how long it took.
fn measure(run: Duration, op: &mut impl FnMut() -> BenchResult<()>) -> BenchResult<(u64, f64)> {
    for _ in 0..20 {
        op()?;
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run {
        op()?;
        n += 1;
    }
    Ok((n, start.elapsed().as_secs_f64()))
}

/// Times `a` and `b` in A-B-B-A halves, so drift (a neighbour's build, the page cache warming)
/// falls on both alike; prints both rates and returns each one's seconds per operation.
fn compare(
    labels: [&str; 2],
    mut a: impl FnMut() -> BenchResult<()>,
    mut b: impl FnMut() -> BenchResult<()>,
) -> BenchResult<[f64; 2]> {
    let half = RUN / 2;
    let a1 = measure(half, &mut a)?;
    let b1 = measure(half, &mut b)?;
    let b2 = measure(half, &mut b)?;
    let a2 = measure(half, &mut a)?;
    let per_op = |(n1, s1): (u64, f64), (n2, s2): (u64, f64)| (s1 + s2) / (n1 + n2) as f64;
    let costs = [per_op(a1, a2), per_op(b1, b2)];
    for (label, cost) in labels.iter().zip(costs) {
        println!(
            "{label:<34} {:>9.0} ops/s  ({:>7.1} µs per op)",
            1.0 / cost,
            cost * 1e6
        );
    }
    Ok(costs)
}

/// xorshift64*: a fixed, cheap sequence of note indices.
struct Picker(u64);

impl Picker {
    fn next(&mut self, len: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % len
    }
}

fn pick(ids: &[NoteId], picker: &mut Picker) -> BenchResult<NoteId> {
    let id = ids.get(picker.next(ids.len())).copied();
    id.ok_or_else(|| "no notes to read".into())
}

fn ratio(label: &str, sealed: f64, plain: f64) {
    let r = sealed / plain;
    let verdict = if r <= 1.1 { "within" } else { "over" };
    println!("{label:<34} {r:>9.3}×  ({verdict} the 1.10× target)");
}

fn main() -> BenchResult<()> {
    let key = ClientKey::generate(1)?;
    let plaintext = vec![b'x'; NOTE];
    let mut sealed = Fixture::new()?;
    let mut plain = Fixture::new()?;

    println!("4 KiB notes, SQLite (WAL, synchronous=FULL), one durable transaction per write");
    let [w_sealed, w_plain] = compare(
        [
            "write sealed (seal + insert_note)",
            "write plaintext (insert_note)",
        ],
        || write_sealed(&mut sealed, &key, &plaintext),
        || write_plain(&mut plain, &plaintext),
    )?;

    // Top both stores up to the same size before reading from them.
    while sealed.ids.len() < PREFILL {
        write_sealed(&mut sealed, &key, &plaintext)?;
    }
    while plain.ids.len() < PREFILL {
        write_plain(&mut plain, &plaintext)?;
    }

    let mut pick_sealed = Picker(0x9e37_79b9_7f4a_7c15);
    let mut pick_plain = Picker(0x9e37_79b9_7f4a_7c15);
    let [r_sealed, r_plain] = compare(
        ["read sealed (note + open)", "read plaintext (note)"],
        || read_sealed(&sealed, &key, pick(&sealed.ids, &mut pick_sealed)?),
        || read_plain(&plain, pick(&plain.ids, &mut pick_plain)?),
    )?;

    println!(
        "sealed / plaintext cost ({} and {} notes stored):",
        sealed.ids.len(),
        plain.ids.len()
    );
    ratio("  write", w_sealed, w_plain);
    ratio("  read", r_sealed, r_plain);
    Ok(())
}
