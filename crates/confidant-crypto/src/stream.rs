//! Streaming authenticated encryption of attachments (scans, session recordings of many GiB).
//!
//! This module owns the attachment stream format and its per-attachment content keys. It must
//! never hand out a byte of plaintext that has not been authenticated, never hold more than one
//! chunk in memory, and never reuse a content key's nonce. It does no I/O of its own beyond the
//! reader or writer it is given, and never logs.
//!
//! # Format `CFDA` version 1
//!
//! A STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption
//! and its Nonce-Reuse Misuse-Resistance", 2015; the same shape as age's payload): the plaintext
//! is cut into 64 KiB chunks, each sealed with AES-256-GCM under the attachment's content key with
//! a nonce that says where the chunk sits and whether it is the last.
//!
//! ```text
//! stream      = header ‖ chunk_0 ‖ … ‖ chunk_(n-1) ‖ final                   (n ≥ 0)
//! header      = magic "CFDA" (4) ‖ version 0x01 (1) ‖ chunk size u32be 65536 (4)
//!               ‖ prefix (7 random bytes, fresh per stream)                   16 bytes
//! chunk_i     = AES-256-GCM(K, nonce(i, 0x00), aad, 65536 bytes)          65536 + 16 bytes
//! final       = AES-256-GCM(K, nonce(n, 0x01), aad, 0..=65536 bytes)    ≤ 65536 + 16 bytes
//! nonce(i, f) = prefix (7) ‖ u32be(i) (4) ‖ f (1)                             12 bytes
//! aad         = encode_aad("confidant.attachment-chunk.v1",
//!                          [attachment id, client id, header])
//! AES-256-GCM(K, N, A, P) = ciphertext of P (same length) ‖ 16-byte tag
//! ```
//!
//! `K` is the attachment's [`AttachmentKey`], 256 random bits generated for that attachment
//! alone. `encode_aad` is the crate's canonical encoding (each part prefixed by its u32be
//! length). The final chunk is empty only when the whole plaintext is; a plaintext of exactly
//! `k × 64 KiB` (k ≥ 1) ends with a full final chunk. The stream's end is its reader's end of
//! file: a decryptor knows a chunk is the final one because end of file follows it.
//!
//! Decryption reads one sealed chunk plus one byte ahead. A full chunk followed by more bytes is
//! opened as non-final; whatever precedes end of file is opened as final. Plaintext of a chunk is
//! released only after its tag verifies, and the first failure ends the stream for good.
//!
//! Why each attack fails:
//! - Changing any byte of a chunk fails its tag; changing the prefix changes every nonce; the
//!   other header fields are checked outright and are in every chunk's associated data.
//! - Reordering, duplicating or dropping chunks puts a chunk at a position whose counter is not
//!   the one it was sealed with.
//! - Truncating at a chunk boundary makes a non-final chunk the last one read, and it is opened
//!   with the final flag it was not sealed with; truncating mid-chunk fails the tag.
//! - Appending anything after the final chunk makes it no longer the last thing before end of
//!   file, so it is opened as non-final (or misaligned) and fails.
//! - A chunk from another attachment is under another content key, with another prefix and
//!   other associated data.
//!
//! Nonces never repeat under a key: within a stream `(i, f)` is unique (one final chunk, counter
//! strictly increasing), and every attachment has its own key. The random prefix is the second
//! line of defence: even if a caller reused a content key, two streams collide only if their
//! 56-bit prefixes do. A stream holds at most 2³² chunks (256 TiB); 4 GiB is 65,536 chunks, far
//! inside AES-GCM's limits for one key.
//!
//! # Where the content key lives
//!
//! Not in the stream. The caller seals it with the client's data key
//! ([`ClientKey::seal_attachment_key`], bound to kind `attachment`, the attachment id, the client
//! id, field `content-key` and the client key version) and stores the 93 sealed bytes in the
//! attachment's database row beside the key version. So rotating a client key re-seals 93 bytes,
//! not a blob that may be 4 GiB in immutable object storage, and destroying the client key
//! shreds the attachment wherever its blob has been copied.
//!
//! # Errors
//!
//! Every failure is an [`io::Error`]; when the cause is cryptographic, its inner error is a
//! [`CryptoError`] (kind `InvalidData` for [`CryptoError::Integrity`] and
//! [`CryptoError::UnknownStreamFormat`]), so a caller can tell tampering from a full disk:
//!
//! ```
//! # use confidant_crypto::CryptoError;
//! fn is_tampering(e: &std::io::Error) -> bool {
//!     e.get_ref().and_then(|inner| inner.downcast_ref::<CryptoError>())
//!         == Some(&CryptoError::Integrity)
//! }
//! ```
//!
//! A decryptor may have released earlier, authenticated chunks before it meets a bad one. A
//! caller streaming to a person must then abort the transfer (reset the connection, delete the
//! temp file) rather than end it cleanly, or the recipient holds a silently truncated file.

use std::fmt;
use std::io::{self, Read, Write};

use aws_lc_rs::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};
use zeroize::{Zeroize, Zeroizing};

use crate::CryptoError;
use crate::aead::{FieldContext, Sealed, TAG_LEN, aead_key, encode_aad};
use crate::keys::ClientKey;
use crate::secret::{Key256, random_bytes};

/// Plaintext bytes per chunk: the unit of authentication and of memory use.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// Bytes of the stream header, for callers that size or skip it.
pub const HEADER_LEN: usize = 16;

const MAGIC: [u8; 4] = *b"CFDA";
const VERSION: u8 = 1;
const PREFIX_LEN: usize = 7;
const SEALED_CHUNK: usize = CHUNK_SIZE + TAG_LEN;
const FLAG_MORE: u8 = 0x00;
const FLAG_LAST: u8 = 0x01;
const CHUNK_AAD_DOMAIN: &str = "confidant.attachment-chunk.v1";
/// The counter is 32 bits, so a stream holds at most this many chunks.
const MAX_CHUNKS: u64 = 1 << 32;

/// An attachment's own content key, so no two attachments ever share a key.
pub struct AttachmentKey(Key256);

impl AttachmentKey {
    /// A fresh random content key; generate one per attachment and never reuse it for another.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self(Key256::generate()?))
    }
}

impl fmt::Debug for AttachmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Where an attachment belongs; binds its content key and every chunk to that place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentContext<'a> {
    /// The attachment's opaque id.
    pub attachment_id: &'a str,
    /// The opaque id of the client the attachment belongs to.
    pub client_id: &'a str,
}

impl AttachmentContext<'_> {
    fn key_field(&self) -> FieldContext<'_> {
        FieldContext {
            kind: "attachment",
            record_id: self.attachment_id,
            client_id: self.client_id,
            field: "content-key",
        }
    }

    fn chunk_aad(&self, header: &[u8; HEADER_LEN]) -> Vec<u8> {
        encode_aad(
            CHUNK_AAD_DOMAIN,
            &[
                self.attachment_id.as_bytes(),
                self.client_id.as_bytes(),
                header,
            ],
        )
    }
}

// Attachment keys are sealed like any other field of the client, so these live beside the
// stream format rather than in `keys.rs`.
impl ClientKey {
    /// Seals an attachment's content key for its database row, bound to that attachment.
    pub fn seal_attachment_key(
        &self,
        ctx: &AttachmentContext<'_>,
        key: &AttachmentKey,
    ) -> Result<Sealed<AttachmentKey>, CryptoError> {
        self.seal(&ctx.key_field(), key.0.as_bytes())
    }

    /// Opens a sealed content key; fails if it was moved from another attachment or client.
    pub fn open_attachment_key(
        &self,
        ctx: &AttachmentContext<'_>,
        sealed: &Sealed<AttachmentKey>,
    ) -> Result<AttachmentKey, CryptoError> {
        let bytes = self.open(&ctx.key_field(), sealed)?;
        Ok(AttachmentKey(Key256::from_slice(&bytes)?))
    }
}

/// Length of the stream holding `plaintext_len` bytes, so a store can check a blob's size;
/// `None` if that is more than one stream can hold.
pub fn encrypted_len(plaintext_len: u64) -> Option<u64> {
    let chunks = plaintext_len.div_ceil(CHUNK_SIZE as u64).max(1);
    if chunks > MAX_CHUNKS {
        return None;
    }
    Some(HEADER_LEN as u64 + plaintext_len + chunks * TAG_LEN as u64)
}

fn encode_header(prefix: &[u8; PREFIX_LEN]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&MAGIC);
    h[4] = VERSION;
    h[5..9].copy_from_slice(&(CHUNK_SIZE as u32).to_be_bytes());
    h[9..].copy_from_slice(prefix);
    h
}

/// Checks the fixed fields and returns the nonce prefix. Only one chunk size is accepted, so a
/// forged header can never make the decryptor allocate more than one 64 KiB chunk.
fn parse_header(h: &[u8; HEADER_LEN]) -> Result<[u8; PREFIX_LEN], CryptoError> {
    if h[..4] != MAGIC || h[4] != VERSION || h[5..9] != (CHUNK_SIZE as u32).to_be_bytes() {
        return Err(CryptoError::UnknownStreamFormat);
    }
    let mut prefix = [0u8; PREFIX_LEN];
    prefix.copy_from_slice(&h[9..]);
    Ok(prefix)
}

/// The per-stream AEAD state: key, nonce prefix, associated data and the next chunk's counter.
struct ChunkCipher {
    key: LessSafeKey,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
    next: u64,
}

impl ChunkCipher {
    fn new(
        key: &AttachmentKey,
        ctx: &AttachmentContext<'_>,
        header: &[u8; HEADER_LEN],
        prefix: [u8; PREFIX_LEN],
    ) -> Result<Self, CryptoError> {
        Ok(Self {
            key: aead_key(&key.0)?,
            prefix,
            aad: ctx.chunk_aad(header),
            next: 0,
        })
    }

    /// The next chunk's nonce, or `None` once the 32-bit counter is spent.
    fn nonce(&self, last: bool) -> Option<Nonce> {
        let counter = u32::try_from(self.next).ok()?;
        let mut n = [0u8; NONCE_LEN];
        n[..PREFIX_LEN].copy_from_slice(&self.prefix);
        n[PREFIX_LEN..NONCE_LEN - 1].copy_from_slice(&counter.to_be_bytes());
        n[NONCE_LEN - 1] = if last { FLAG_LAST } else { FLAG_MORE };
        Some(Nonce::assume_unique_for_key(n))
    }

    /// Seals `chunk` in place and appends its tag (the caller reserved room, so the plaintext
    /// is never copied by a reallocation).
    fn seal_next(&mut self, chunk: &mut Vec<u8>, last: bool) -> Result<(), CryptoError> {
        let nonce = self.nonce(last).ok_or(CryptoError::StreamTooLong)?;
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(self.aad.as_slice()), chunk)
            .map_err(|_| CryptoError::Integrity)?;
        chunk.extend_from_slice(tag.as_ref());
        self.next += 1;
        Ok(())
    }

    /// Opens `sealed` in place, returning the plaintext length.
    fn open_next(&mut self, sealed: &mut [u8], last: bool) -> Result<usize, CryptoError> {
        let nonce = self.nonce(last).ok_or(CryptoError::Integrity)?;
        let len = self
            .key
            .open_in_place(nonce, Aad::from(self.aad.as_slice()), sealed)
            .map_err(|_| CryptoError::Integrity)?
            .len();
        self.next += 1;
        Ok(len)
    }
}

/// Wraps a crypto failure as the `io::Error` a `Read`/`Write` caller expects, keeping the cause.
fn io_error(e: CryptoError) -> io::Error {
    let kind = match e {
        CryptoError::Integrity | CryptoError::UnknownStreamFormat => io::ErrorKind::InvalidData,
        CryptoError::StreamTooLong => io::ErrorKind::FileTooLarge,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, e)
}

fn broken_encryptor() -> io::Error {
    io::Error::other("an earlier write of this attachment stream failed; encrypt it again")
}

/// Encrypts an attachment as it is written, so a recording of any length needs one chunk of
/// memory.
///
/// Writes are buffered into 64 KiB chunks; each full chunk is sealed and written once more data
/// arrives (the format is specified at the top of `stream.rs`). [`Encryptor::finish`] seals the
/// final chunk: a stream dropped without it has no final chunk and will never decrypt. `flush`
/// flushes the inner writer only, since sealing a partial chunk early would change the format.
/// After any failed write the encryptor refuses further use, as the output is then incomplete.
pub struct Encryptor<W: Write> {
    writer: W,
    cipher: ChunkCipher,
    buf: Zeroizing<Vec<u8>>,
    broken: bool,
}

impl<W: Write> Encryptor<W> {
    /// Writes the header to `writer` and gets ready to encrypt under `key`, bound to `ctx`.
    pub fn new(
        key: &AttachmentKey,
        ctx: &AttachmentContext<'_>,
        mut writer: W,
    ) -> io::Result<Self> {
        let mut prefix = [0u8; PREFIX_LEN];
        random_bytes(&mut prefix).map_err(io_error)?;
        let header = encode_header(&prefix);
        let cipher = ChunkCipher::new(key, ctx, &header, prefix).map_err(io_error)?;
        writer.write_all(&header)?;
        Ok(Self {
            writer,
            cipher,
            buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK)),
            broken: false,
        })
    }

    /// Seals and writes the buffered chunk; the encryptor stays broken unless all of it is
    /// written.
    fn emit(&mut self, last: bool) -> io::Result<()> {
        if self.broken {
            return Err(broken_encryptor());
        }
        self.broken = true;
        self.cipher
            .seal_next(&mut self.buf, last)
            .map_err(io_error)?;
        self.writer.write_all(&self.buf)?;
        self.buf.clear();
        self.broken = false;
        Ok(())
    }

    /// Seals the final chunk and flushes, so the stream is complete; returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        self.writer.flush()?;
        Ok(self.writer)
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.broken {
            return Err(broken_encryptor());
        }
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data proves it is not the last.
        if self.buf.len() == CHUNK_SIZE {
            self.emit(false)?;
        }
        let take = data.len().min(CHUNK_SIZE - self.buf.len());
        self.buf.extend_from_slice(&data[..take]);
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ReadState {
    Open,
    Done,
    Failed,
}

/// Decrypts an attachment as it is read, yielding each chunk only after it authenticates.
///
/// Reads to the reader's end of file (wrap it in [`Read::take`] if the stream is embedded in
/// something longer). Any tampering, truncation, reordering or trailing data is an `io::Error`
/// of kind `InvalidData` carrying [`CryptoError::Integrity`] (or, from `new`,
/// [`CryptoError::UnknownStreamFormat`] for a header that is not `CFDA` v1); after an integrity
/// failure every read fails again.
pub struct Decryptor<R: Read> {
    reader: R,
    cipher: ChunkCipher,
    /// One sealed chunk plus the byte after it, which tells whether the chunk is the last.
    buf: Zeroizing<Vec<u8>>,
    filled: usize,
    /// The look-ahead byte at `buf[SEALED_CHUNK]` still has to move to the front.
    carry: bool,
    /// Authenticated plaintext not yet returned: `buf[start..end]`.
    start: usize,
    end: usize,
    state: ReadState,
}

impl<R: Read> Decryptor<R> {
    /// Reads and checks the header, then gets ready to decrypt under `key`, bound to `ctx`.
    pub fn new(
        key: &AttachmentKey,
        ctx: &AttachmentContext<'_>,
        mut reader: R,
    ) -> io::Result<Self> {
        let mut header = [0u8; HEADER_LEN];
        if read_to_fill(&mut reader, &mut header)? < HEADER_LEN {
            return Err(io_error(CryptoError::Integrity));
        }
        let prefix = parse_header(&header).map_err(io_error)?;
        let cipher = ChunkCipher::new(key, ctx, &header, prefix).map_err(io_error)?;
        Ok(Self {
            reader,
            cipher,
            buf: Zeroizing::new(vec![0u8; SEALED_CHUNK + 1]),
            filled: 0,
            carry: false,
            start: 0,
            end: 0,
            state: ReadState::Open,
        })
    }

    /// Reads, authenticates and decrypts the next chunk into `buf[..end]`.
    fn next_chunk(&mut self) -> io::Result<()> {
        if self.carry {
            self.buf[0] = self.buf[SEALED_CHUNK];
            self.filled = 1;
            self.carry = false;
        }
        // Bytes already read stay counted in `filled` if the reader fails part-way, so a retry
        // after a transient error resumes where it stopped.
        while self.filled < self.buf.len() {
            match self.reader.read(&mut self.buf[self.filled..]) {
                Ok(0) => break,
                // Clamped: a reader claiming more than it was given cannot push us out of
                // bounds, and the tag check rejects whatever it did not really write.
                Ok(n) => self.filled = (self.filled + n).min(self.buf.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let last = self.filled <= SEALED_CHUNK;
        let sealed_len = self.filled.min(SEALED_CHUNK);
        let first = self.cipher.next == 0;
        let opened = self.cipher.open_next(&mut self.buf[..sealed_len], last);
        match opened {
            // An empty final chunk after others is never written by `Encryptor`; refusing it
            // keeps the encoding canonical.
            Ok(len) if !(last && len == 0 && !first) => {
                self.start = 0;
                self.end = len;
                self.state = if last {
                    ReadState::Done
                } else {
                    ReadState::Open
                };
                self.carry = !last;
                Ok(())
            }
            _ => {
                // Whatever GCM left in the buffer is unauthenticated: wipe it now.
                self.buf.as_mut_slice().zeroize();
                self.state = ReadState::Failed;
                Err(io_error(CryptoError::Integrity))
            }
        }
    }
}

impl<R: Read> Read for Decryptor<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.start < self.end {
                let n = out.len().min(self.end - self.start);
                out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                self.start += n;
                return Ok(n);
            }
            match self.state {
                ReadState::Done => return Ok(0),
                ReadState::Failed => return Err(io_error(CryptoError::Integrity)),
                ReadState::Open => self.next_chunk()?,
            }
        }
    }
}

/// Reads until `buf` is full or end of file, retrying interruptions; returns the bytes read.
fn read_to_fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled = (filled + n).min(buf.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Encrypts everything `reader` yields into `writer` as one complete attachment stream, so a
/// caller with a reader needs no loop; returns the plaintext length.
pub fn encrypt_stream<R: Read, W: Write>(
    key: &AttachmentKey,
    ctx: &AttachmentContext<'_>,
    mut reader: R,
    writer: W,
) -> io::Result<u64> {
    let mut enc = Encryptor::new(key, ctx, writer)?;
    let n = io::copy(&mut reader, &mut enc)?;
    enc.finish()?;
    Ok(n)
}

/// Decrypts a whole attachment stream into `writer`, so a caller with a reader needs no loop;
/// returns the plaintext length. On error `writer` may hold a prefix of authenticated chunks,
/// which the caller must discard.
pub fn decrypt_stream<R: Read, W: Write>(
    key: &AttachmentKey,
    ctx: &AttachmentContext<'_>,
    reader: R,
    mut writer: W,
) -> io::Result<u64> {
    let mut dec = Decryptor::new(key, ctx, reader)?;
    let n = io::copy(&mut dec, &mut writer)?;
    writer.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_prefix_then_counter_then_last_flag() {
        let key = AttachmentKey::generate().unwrap();
        let prefix = [1, 2, 3, 4, 5, 6, 7];
        let mut c = ChunkCipher::new(&key, &ctx(), &encode_header(&prefix), prefix).unwrap();
        c.next = 0x0102_0304;
        assert_eq!(
            c.nonce(true).unwrap().as_ref(),
            &[1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 1]
        );
        assert_eq!(c.nonce(false).unwrap().as_ref()[11], 0);
        c.next = MAX_CHUNKS;
        assert!(c.nonce(true).is_none());
    }

    #[test]
    fn header_round_trips_and_pins_magic_version_and_chunk_size() {
        let h = encode_header(&[9; PREFIX_LEN]);
        assert_eq!(&h[..9], b"CFDA\x01\x00\x01\x00\x00");
        assert_eq!(parse_header(&h).unwrap(), [9; PREFIX_LEN]);
        for i in 0..9 {
            let mut bad = h;
            bad[i] ^= 0x01;
            assert_eq!(parse_header(&bad), Err(CryptoError::UnknownStreamFormat));
        }
    }

    fn ctx() -> AttachmentContext<'static> {
        AttachmentContext {
            attachment_id: "a",
            client_id: "c",
        }
    }

    #[test]
    fn an_empty_final_chunk_after_a_full_one_is_refused() {
        let key = AttachmentKey::generate().unwrap();
        let mut enc = Encryptor::new(&key, &ctx(), Vec::new()).unwrap();
        enc.write_all(&[7u8; CHUNK_SIZE]).unwrap();
        // What `Encryptor` never does on its own: seal a full chunk as non-final, then an
        // empty final chunk.
        enc.emit(false).unwrap();
        let ct = enc.finish().unwrap();
        assert_eq!(ct.len(), HEADER_LEN + SEALED_CHUNK + TAG_LEN);
        let mut dec = Decryptor::new(&key, &ctx(), &ct[..]).unwrap();
        let mut out = Vec::new();
        let err = dec.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(out.len(), CHUNK_SIZE, "the genuine full chunk is released");
    }

    #[test]
    fn an_encryptor_past_the_last_counter_refuses_with_stream_too_long() {
        let key = AttachmentKey::generate().unwrap();
        let mut enc = Encryptor::new(&key, &ctx(), Vec::new()).unwrap();
        enc.cipher.next = MAX_CHUNKS;
        let err = enc.finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        let cause = err.get_ref().and_then(|e| e.downcast_ref::<CryptoError>());
        assert_eq!(cause, Some(&CryptoError::StreamTooLong));
    }

    #[test]
    fn encrypted_len_counts_one_tag_per_chunk_and_caps_the_counter() {
        let c = CHUNK_SIZE as u64;
        assert_eq!(encrypted_len(0), Some(16 + 16));
        assert_eq!(encrypted_len(c), Some(16 + c + 16));
        assert_eq!(encrypted_len(c + 1), Some(16 + c + 1 + 32));
        assert!(encrypted_len(MAX_CHUNKS * c).is_some());
        assert_eq!(encrypted_len(MAX_CHUNKS * c + 1), None);
    }
}
