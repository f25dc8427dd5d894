//! Attachment streams: every size round-trips, every tampering, truncation, reordering or splice
//! is detected without releasing a byte of the bad chunk, and memory stays constant.

// Test helpers may panic: a failed fixture is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, Read, Write};
use std::sync::OnceLock;

use confidant_crypto::{
    AttachmentContext, AttachmentKey, CHUNK_SIZE, ClientKey, CryptoError, Decryptor, Encryptor,
    HEADER_LEN, Sealed, decrypt_stream, encrypt_stream, encrypted_len,
};
use proptest::prelude::*;

const C: usize = CHUNK_SIZE;
const TAG: usize = 16;
const SEALED: usize = C + TAG;

fn ctx(attachment_id: &str) -> AttachmentContext<'_> {
    AttachmentContext {
        attachment_id,
        client_id: "client-1",
    }
}

/// Deterministic pseudo-random bytes (xorshift64), so fixtures need no stored blobs.
fn plaintext(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Encrypts `pt`, cutting it into writes of the given sizes in turn.
fn encrypt(
    key: &AttachmentKey,
    ctx: &AttachmentContext<'_>,
    pt: &[u8],
    writes: &[usize],
) -> Vec<u8> {
    let mut enc = Encryptor::new(key, ctx, Vec::new()).unwrap();
    let mut rest = pt;
    for size in writes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = (*size).clamp(1, rest.len());
        enc.write_all(&rest[..n]).unwrap();
        rest = &rest[n..];
    }
    enc.finish().unwrap()
}

/// Everything a decryptor released before it stopped, and how it stopped.
fn decrypt(
    key: &AttachmentKey,
    ctx: &AttachmentContext<'_>,
    reader: impl Read,
    read_size: usize,
) -> (Vec<u8>, io::Result<()>) {
    let mut out = Vec::new();
    let mut dec = match Decryptor::new(key, ctx, reader) {
        Ok(d) => d,
        Err(e) => return (out, Err(e)),
    };
    let mut buf = vec![0u8; read_size];
    loop {
        match dec.read(&mut buf) {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

fn crypto_cause(e: &io::Error) -> Option<&CryptoError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<CryptoError>())
}

/// Decrypts `ct`, which must be refused as InvalidData, having released only whole, genuine
/// chunks from the start of `pt`; returns how many plaintext bytes were released.
fn assert_refused(key: &AttachmentKey, ctx: &AttachmentContext<'_>, ct: &[u8], pt: &[u8]) -> usize {
    let (out, result) = decrypt(key, ctx, ct, 4096);
    let err = result.expect_err("a damaged stream must not decrypt");
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(matches!(
        crypto_cause(&err),
        Some(CryptoError::Integrity | CryptoError::UnknownStreamFormat)
    ));
    assert_eq!(
        out.len() % C,
        0,
        "only whole authenticated chunks are released"
    );
    assert!(out.len() < pt.len() || pt.is_empty());
    assert_eq!(
        &pt[..out.len()],
        &out[..],
        "released bytes are genuine plaintext"
    );
    out.len()
}

fn split(ct: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    (
        ct[..HEADER_LEN].to_vec(),
        ct[HEADER_LEN..]
            .chunks(SEALED)
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

fn join(header: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.to_vec();
    for c in chunks {
        out.extend_from_slice(c);
    }
    out
}

/// One 4-chunk stream (three full, one partial final) shared by the tampering tests.
struct Fixture {
    key: AttachmentKey,
    pt: Vec<u8>,
    ct: Vec<u8>,
}

const FIXTURE_ID: &str = "attachment-7";

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = AttachmentKey::generate().unwrap();
        let pt = plaintext(3 * C + 1234, 7);
        let ct = encrypt(&key, &ctx(FIXTURE_ID), &pt, &[C]);
        Fixture { key, pt, ct }
    })
}

/// A reader that hands out short reads of varying size and is sometimes interrupted.
struct Jittery<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    calls: usize,
}

impl Read for Jittery<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 5 == 2 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = self.sizes[self.calls % self.sizes.len()]
            .min(out.len())
            .min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn interesting_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(C - 1),
        Just(C),
        Just(C + 1),
        Just(3 * C),
        Just(3 * C + 17),
        0..4 * C,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_plaintext_round_trips_whatever_the_write_and_read_sizes(
        len in interesting_len(), seed in any::<u64>(),
        writes in prop::collection::vec(1..2 * C, 1..6),
        reads in prop::collection::vec(1..2 * C, 1..6),
        read_size in 1..2 * C,
    ) {
        let key = AttachmentKey::generate().unwrap();
        let c = ctx("attachment-1");
        let pt = plaintext(len, seed);
        let ct = encrypt(&key, &c, &pt, &writes);
        prop_assert_eq!(Some(ct.len() as u64), encrypted_len(len as u64));
        let reader = Jittery { data: &ct, sizes: reads, calls: 0 };
        let (out, result) = decrypt(&key, &c, reader, read_size);
        prop_assert!(result.is_ok());
        prop_assert_eq!(out, pt);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn any_single_byte_flip_fails_and_releases_only_the_chunks_before_it(
        pos in any::<prop::sample::Index>(), flip in 1u8..=255,
    ) {
        let f = fixture();
        let mut ct = f.ct.clone();
        let i = pos.index(ct.len());
        ct[i] ^= flip;
        let released = assert_refused(&f.key, &ctx(FIXTURE_ID), &ct, &f.pt);
        let chunks_before = i.saturating_sub(HEADER_LEN) / SEALED;
        let expected = if i < HEADER_LEN { 0 } else { chunks_before * C };
        prop_assert_eq!(released, expected);
    }

    #[test]
    fn truncation_at_any_byte_fails_and_releases_only_whole_chunks(
        cut in any::<prop::sample::Index>(),
    ) {
        let f = fixture();
        let cut = cut.index(f.ct.len());
        assert_refused(&f.key, &ctx(FIXTURE_ID), &f.ct[..cut], &f.pt);
    }

    #[test]
    fn appending_anything_after_the_final_chunk_fails(len in 1..SEALED + 40, seed in any::<u64>()) {
        let f = fixture();
        let mut ct = f.ct.clone();
        ct.extend_from_slice(&plaintext(len, seed));
        assert_refused(&f.key, &ctx(FIXTURE_ID), &ct, &f.pt);
    }
}

#[test]
fn boundary_sizes_round_trip_with_the_documented_length() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-1");
    for len in [0, 1, C - 1, C, C + 1, 2 * C, 5 * C + 3] {
        let pt = plaintext(len, len as u64);
        let mut ct = Vec::new();
        assert_eq!(
            encrypt_stream(&key, &c, &pt[..], &mut ct).unwrap(),
            len as u64
        );
        assert_eq!(
            Some(ct.len() as u64),
            encrypted_len(len as u64),
            "len {len}"
        );
        let mut out = Vec::new();
        assert_eq!(
            decrypt_stream(&key, &c, &ct[..], &mut out).unwrap(),
            len as u64
        );
        assert_eq!(out, pt, "len {len}");
    }
}

#[test]
fn an_empty_attachment_is_one_empty_final_chunk() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-empty");
    let ct = encrypt(&key, &c, &[], &[1]);
    assert_eq!(ct.len(), HEADER_LEN + TAG);
    let (out, result) = decrypt(&key, &c, &ct[..], 64);
    assert!(result.is_ok());
    assert!(out.is_empty());
    assert_refused(&key, &c, &ct[..HEADER_LEN], &[]);
}

#[test]
fn truncation_at_every_chunk_boundary_and_inside_every_chunk_fails() {
    let f = fixture();
    let c = ctx(FIXTURE_ID);
    let boundaries: Vec<usize> = (0..4).map(|k| HEADER_LEN + k * SEALED).collect();
    for &b in &boundaries {
        assert_refused(&f.key, &c, &f.ct[..b], &f.pt);
        for inside in [1, TAG - 1, TAG, SEALED / 2, SEALED - 1] {
            let cut = (b + inside).min(f.ct.len() - 1);
            assert_refused(&f.key, &c, &f.ct[..cut], &f.pt);
        }
    }
    for cut in 0..HEADER_LEN {
        assert_refused(&f.key, &c, &f.ct[..cut], &f.pt);
    }
}

#[test]
fn dropping_the_final_chunk_fails_even_when_the_chunk_before_is_full() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-exact");
    for pt in [plaintext(3 * C + 1234, 1), plaintext(3 * C, 2)] {
        let (header, mut chunks) = split(&encrypt(&key, &c, &pt, &[C]));
        chunks.pop();
        assert_refused(&key, &c, &join(&header, &chunks), &pt);
    }
}

#[test]
fn dropping_a_middle_chunk_fails() {
    let f = fixture();
    let (header, mut chunks) = split(&f.ct);
    chunks.remove(1);
    let released = assert_refused(&f.key, &ctx(FIXTURE_ID), &join(&header, &chunks), &f.pt);
    assert_eq!(released, C);
}

#[test]
fn swapping_any_two_chunks_fails() {
    let f = fixture();
    let (header, chunks) = split(&f.ct);
    for (a, b) in [(0, 1), (1, 2), (0, 2), (2, 3)] {
        let mut swapped = chunks.clone();
        swapped.swap(a, b);
        let released = assert_refused(&f.key, &ctx(FIXTURE_ID), &join(&header, &swapped), &f.pt);
        assert_eq!(released, a * C, "swap {a}<->{b}");
    }
}

#[test]
fn duplicating_a_chunk_fails() {
    let f = fixture();
    let (header, chunks) = split(&f.ct);
    for k in 0..chunks.len() {
        let mut dup = chunks.clone();
        dup.insert(k, chunks[k].clone());
        assert_refused(&f.key, &ctx(FIXTURE_ID), &join(&header, &dup), &f.pt);
    }
}

#[test]
fn appending_a_chunk_or_a_second_final_chunk_fails() {
    let f = fixture();
    let (header, chunks) = split(&f.ct);
    for extra in [&chunks[0], &chunks[3], &vec![0u8; SEALED], &vec![0u8; TAG]] {
        let mut longer = chunks.clone();
        longer.push(extra.clone());
        assert_refused(&f.key, &ctx(FIXTURE_ID), &join(&header, &longer), &f.pt);
    }
}

#[test]
fn a_chunk_spliced_from_another_attachment_of_the_same_client_fails() {
    let client = ClientKey::generate(1).unwrap();
    let (a, b) = (ctx("attachment-a"), ctx("attachment-b"));
    let (key_a, key_b) = (
        AttachmentKey::generate().unwrap(),
        AttachmentKey::generate().unwrap(),
    );
    let sealed_a = client.seal_attachment_key(&a, &key_a).unwrap();
    let pt = plaintext(3 * C + 99, 3);
    let (header_a, chunks_a) = split(&encrypt(&key_a, &a, &pt, &[C]));
    let (header_b, chunks_b) = split(&encrypt(&key_b, &b, &pt, &[C]));

    let opened_a = client.open_attachment_key(&a, &sealed_a).unwrap();
    for k in 0..chunks_a.len() {
        let mut spliced = chunks_a.clone();
        spliced[k] = chunks_b[k].clone();
        let released = assert_refused(&opened_a, &a, &join(&header_a, &spliced), &pt);
        assert_eq!(released, k * C);
    }
    assert_refused(&opened_a, &a, &join(&header_b, &chunks_a), &pt);
}

#[test]
fn a_chunk_spliced_between_attachments_fails_even_if_a_content_key_was_reused() {
    let key = AttachmentKey::generate().unwrap();
    let (a, b) = (ctx("attachment-a"), ctx("attachment-b"));
    let pt = plaintext(2 * C + 5, 4);
    let (header_a, chunks_a) = split(&encrypt(&key, &a, &pt, &[C]));
    let (_, chunks_b) = split(&encrypt(&key, &b, &pt, &[C]));
    let mut spliced = chunks_a.clone();
    spliced[1] = chunks_b[1].clone();
    assert_refused(&key, &a, &join(&header_a, &spliced), &pt);
}

#[test]
fn a_stream_read_as_another_attachment_or_client_fails_even_with_its_content_key() {
    let f = fixture();
    for elsewhere in [
        ctx("attachment-8"),
        AttachmentContext {
            attachment_id: FIXTURE_ID,
            client_id: "client-2",
        },
    ] {
        assert_eq!(assert_refused(&f.key, &elsewhere, &f.ct, &f.pt), 0);
    }
    let stranger = AttachmentKey::generate().unwrap();
    assert_eq!(assert_refused(&stranger, &ctx(FIXTURE_ID), &f.ct, &f.pt), 0);
}

#[test]
fn a_content_key_opens_only_with_its_client_key_and_its_attachment() {
    let client = ClientKey::generate(1).unwrap();
    let home = ctx("attachment-1");
    let key = AttachmentKey::generate().unwrap();
    let sealed = client.seal_attachment_key(&home, &key).unwrap();
    let pt = plaintext(C + 10, 5);
    let ct = encrypt(&key, &home, &pt, &[4096]);

    let opened = client.open_attachment_key(&home, &sealed).unwrap();
    assert_eq!(decrypt(&opened, &home, &ct[..], 4096).0, pt);

    let other_client = ClientKey::generate(1).unwrap();
    assert_eq!(
        other_client
            .open_attachment_key(&home, &sealed)
            .unwrap_err(),
        CryptoError::Integrity
    );
    for elsewhere in [
        ctx("attachment-2"),
        AttachmentContext {
            attachment_id: "attachment-1",
            client_id: "client-2",
        },
    ] {
        assert_eq!(
            client.open_attachment_key(&elsewhere, &sealed).unwrap_err(),
            CryptoError::Integrity
        );
    }
    let mut bytes = sealed.into_bytes();
    bytes[20] ^= 1;
    assert!(
        client
            .open_attachment_key(&home, &Sealed::from_bytes(bytes))
            .is_err()
    );
}

#[test]
fn a_header_that_is_not_cfda_v1_with_64_kib_chunks_is_refused_as_an_unknown_format() {
    let f = fixture();
    let c = ctx(FIXTURE_ID);
    let mut not_ours = b"%PDF-1.7\n".to_vec();
    not_ours.resize(4096, b' ');
    let mut version_2 = f.ct.clone();
    version_2[4] = 2;
    let mut huge_chunks = f.ct.clone();
    huge_chunks[5..9].copy_from_slice(&u32::MAX.to_be_bytes());
    for ct in [not_ours, version_2, huge_chunks] {
        let err = Decryptor::new(&f.key, &c, &ct[..]).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(crypto_cause(&err), Some(&CryptoError::UnknownStreamFormat));
    }
}

#[test]
fn integrity_errors_carry_the_crypto_error_and_never_content() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-1");
    let pt = b"MARKER-Rosalind-Okafor-intake-scan ".repeat(5000);
    let mut ct = encrypt(&key, &c, &pt, &[1000]);
    let last = ct.len() - 1;
    ct[last] ^= 0x40;
    let (_, result) = decrypt(&key, &c, &ct[..], 4096);
    let err = result.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert_eq!(crypto_cause(&err), Some(&CryptoError::Integrity));
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("MARKER"), "{text}");
        assert!(!text.contains("Okafor"), "{text}");
    }
}

#[test]
fn a_decryptor_stays_failed_after_an_integrity_error() {
    let f = fixture();
    let mut ct = f.ct.clone();
    ct[HEADER_LEN + SEALED + 100] ^= 1;
    let mut dec = Decryptor::new(&f.key, &ctx(FIXTURE_ID), &ct[..]).unwrap();
    let mut buf = vec![0u8; C];
    assert_eq!(dec.read(&mut buf).unwrap(), C);
    for _ in 0..3 {
        let err = dec.read(&mut buf).unwrap_err();
        assert_eq!(crypto_cause(&err), Some(&CryptoError::Integrity));
    }
}

#[test]
fn an_encryptor_dropped_without_finish_leaves_a_stream_that_never_decrypts() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-1");
    let pt = plaintext(2 * C + C / 2, 6);
    let mut out = Vec::new();
    let mut enc = Encryptor::new(&key, &c, &mut out).unwrap();
    enc.write_all(&pt).unwrap();
    drop(enc);
    assert_refused(&key, &c, &out, &pt);
}

/// A writer that accepts `ok_writes` calls, then fails.
struct FailingWriter {
    ok_writes: usize,
}

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ok_writes == 0 {
            return Err(io::Error::other("disk full"));
        }
        self.ok_writes -= 1;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_leaves_the_encryptor_refusing_further_use() {
    let key = AttachmentKey::generate().unwrap();
    let mut enc =
        Encryptor::new(&key, &ctx("attachment-1"), FailingWriter { ok_writes: 2 }).unwrap();
    let pt = plaintext(4 * C, 8);
    assert!(enc.write_all(&pt).is_err());
    assert!(enc.write(b"more").is_err());
    assert!(enc.finish().is_err());
}

#[test]
fn encrypting_twice_under_one_content_key_gives_unrelated_ciphertexts() {
    let key = AttachmentKey::generate().unwrap();
    let c = ctx("attachment-1");
    let pt = plaintext(3 * C, 9);
    let (h1, c1) = split(&encrypt(&key, &c, &pt, &[C]));
    let (h2, c2) = split(&encrypt(&key, &c, &pt, &[C]));
    assert_ne!(h1, h2, "each stream draws a fresh nonce prefix");
    for (x, y) in c1.iter().zip(&c2) {
        assert_ne!(x, y);
    }
}

#[test]
fn attachment_keys_print_as_redacted() {
    let key = AttachmentKey::generate().unwrap();
    assert_eq!(format!("{key:?}"), "[REDACTED]");
}

#[cfg(target_os = "linux")]
mod memory {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    use super::*;

    const PERIOD: usize = 65_521;

    /// A repeating pseudo-random pattern whose period does not divide the chunk size.
    fn pattern() -> &'static [u8] {
        static P: OnceLock<Vec<u8>> = OnceLock::new();
        P.get_or_init(|| {
            let one = plaintext(PERIOD, 11);
            one.iter().cycle().take(PERIOD + C).copied().collect()
        })
    }

    /// `len` bytes of the pattern, made on the fly so the test itself holds no big buffer.
    struct Generated {
        pos: u64,
        len: u64,
    }

    impl Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let left = usize::try_from(self.len - self.pos).unwrap_or(usize::MAX);
            let n = out.len().min(left).min(C);
            let start = (self.pos % PERIOD as u64) as usize;
            out[..n].copy_from_slice(&pattern()[start..start + n]);
            self.pos += n as u64;
            Ok(n)
        }
    }

    /// A sink that checks every byte against the pattern, so nothing is kept.
    struct Checking {
        expected: Generated,
        scratch: Vec<u8>,
    }

    impl Write for Checking {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.scratch.resize(data.len(), 0);
            self.expected.read_exact(&mut self.scratch)?;
            if self.scratch != data {
                return Err(io::Error::other(
                    "decrypted bytes differ from the plaintext",
                ));
            }
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct ChannelWriter(SyncSender<Vec<u8>>);

    impl Write for ChannelWriter {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0
                .send(data.to_vec())
                .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct ChannelReader {
        rx: Receiver<Vec<u8>>,
        current: Vec<u8>,
        pos: usize,
    }

    impl Read for ChannelReader {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.pos == self.current.len() {
                match self.rx.recv() {
                    Ok(next) => (self.current, self.pos) = (next, 0),
                    Err(_) => return Ok(0),
                }
            }
            let n = out.len().min(self.current.len() - self.pos);
            out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn status_kib(field: &str) -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
            .unwrap()
    }

    #[test]
    fn streaming_256_mib_through_encryption_and_decryption_keeps_memory_constant() {
        const TOTAL: u64 = 256 << 20;
        pattern();
        // Writing 5 resets the peak to the current RSS, so earlier tests' peaks do not count.
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let before = status_kib(if reset { "VmRSS" } else { "VmHWM" });

        let client = ClientKey::generate(1).unwrap();
        let c = ctx("attachment-recording");
        let key = AttachmentKey::generate().unwrap();
        let sealed = client.seal_attachment_key(&c, &key).unwrap();
        let (tx, rx) = sync_channel::<Vec<u8>>(4);
        let key_ref = &key;
        let decrypted = std::thread::scope(|s| {
            let encrypting = s.spawn(move || {
                let source = Generated { pos: 0, len: TOTAL };
                encrypt_stream(key_ref, &c, source, ChannelWriter(tx))
            });
            let opened = client.open_attachment_key(&c, &sealed).unwrap();
            let reader = ChannelReader {
                rx,
                current: Vec::new(),
                pos: 0,
            };
            let mut sink = Checking {
                expected: Generated { pos: 0, len: TOTAL },
                scratch: Vec::new(),
            };
            let n = decrypt_stream(&opened, &c, reader, &mut sink).unwrap();
            assert_eq!(encrypting.join().unwrap().unwrap(), TOTAL);
            assert_eq!(sink.expected.pos, TOTAL);
            n
        });
        assert_eq!(decrypted, TOTAL);

        let growth = status_kib("VmHWM").saturating_sub(before);
        assert!(
            growth < 32 * 1024,
            "peak RSS grew by {growth} KiB while streaming 256 MiB each way"
        );
    }
}
