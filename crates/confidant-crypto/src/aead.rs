//! AEAD sealing of record fields and wrapped keys (AES-256-GCM, random 96-bit nonce).
//!
//! Every ciphertext is bound by its associated data to the exact place it belongs, so a
//! ciphertext copied to another row, field, client or key version fails to open. Plaintext is
//! padded to a 32-byte bucket before sealing so stored lengths say little about the content.
//! This module never sees record content as anything but bytes, and never logs.

use std::fmt;
use std::marker::PhantomData;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::secret::{Key256, random_bytes};

/// Format byte at the front of every ciphertext, so the format can evolve.
const FORMAT_V1: u8 = 1;
/// Format byte of a record field that a `bench-insecure-plaintext` build stored: the plaintext
/// follows as is. Every other build refuses it like any tampered value.
const FORMAT_INSECURE_PLAINTEXT: u8 = 0xBE;
pub(crate) const TAG_LEN: usize = 16;
/// Padding bucket: sealed lengths are multiples of this (plus fixed overhead).
const PAD_BUCKET: usize = 32;
/// Bytes a sealed value adds to its padded plaintext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// Ciphertext of a `T`: opaque bytes that only the right key, in the right place, opens.
pub struct Sealed<T: ?Sized> {
    bytes: Vec<u8>,
    _of: PhantomData<fn() -> T>,
}

impl<T: ?Sized> Sealed<T> {
    /// Wraps bytes loaded from storage; they are checked only when opened.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            _of: PhantomData,
        }
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Consumes the wrapper, yielding the bytes to store.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

impl<T: ?Sized> Clone for Sealed<T> {
    fn clone(&self) -> Self {
        Self::from_bytes(self.bytes.clone())
    }
}

impl<T: ?Sized> PartialEq for Sealed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<T: ?Sized> fmt::Debug for Sealed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.bytes.len())
    }
}

/// Where a sealed field lives; becomes the AEAD associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldContext<'a> {
    /// Record kind, e.g. `client` or `note`.
    pub kind: &'a str,
    /// The record's opaque id.
    pub record_id: &'a str,
    /// The opaque id of the client the record belongs to.
    pub client_id: &'a str,
    /// The field within the record, e.g. `legal_name`.
    pub field: &'a str,
}

/// Canonical, unambiguous encoding of associated data: a domain label then length-prefixed parts.
pub(crate) fn encode_aad(domain: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    for part in std::iter::once(domain.as_bytes()).chain(parts.iter().copied()) {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

impl FieldContext<'_> {
    pub(crate) fn aad(&self, key_version: u32) -> Vec<u8> {
        encode_aad(
            "confidant.field.v1",
            &[
                self.kind.as_bytes(),
                self.record_id.as_bytes(),
                self.client_id.as_bytes(),
                self.field.as_bytes(),
                &key_version.to_be_bytes(),
            ],
        )
    }
}

pub(crate) fn aead_key(key: &Key256) -> Result<LessSafeKey, CryptoError> {
    let unbound = UnboundKey::new(&AES_256_GCM, key.as_bytes()).map_err(|_| CryptoError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

/// Seals `plaintext` under `key`, bound to `aad`, with ISO/IEC 7816-4 padding.
pub(crate) fn seal_bytes(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let padded_len = (plaintext.len() / PAD_BUCKET + 1) * PAD_BUCKET;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + padded_len + TAG_LEN);
    out.push(FORMAT_V1);
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    out.extend_from_slice(&nonce);
    let body_start = out.len();
    out.extend_from_slice(plaintext);
    out.push(0x80);
    out.resize(body_start + padded_len, 0);
    let mut body = out.split_off(body_start);
    aead_key(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        )
        .map_err(|_| CryptoError::Integrity)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Seals one record field. Only in a `bench-insecure-plaintext` build (benchmarks measuring what
/// encryption costs; never shipped) is this a framing-only copy of the plaintext.
pub(crate) fn seal_field(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if crate::INSECURE_PLAINTEXT {
        let mut out = Vec::with_capacity(1 + plaintext.len());
        out.push(FORMAT_INSECURE_PLAINTEXT);
        out.extend_from_slice(plaintext);
        return Ok(out);
    }
    seal_bytes(key, aad, plaintext)
}

/// Opens what `seal_field` produced (in a normal build, only real ciphertext).
pub(crate) fn open_field(
    key: &Key256,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if crate::INSECURE_PLAINTEXT {
        return match sealed.split_first() {
            Some((&FORMAT_INSECURE_PLAINTEXT, plaintext)) => Ok(Zeroizing::new(plaintext.to_vec())),
            _ => Err(CryptoError::Integrity),
        };
    }
    open_bytes(key, aad, sealed)
}

/// Opens what `seal_bytes` produced; any change to bytes, key or `aad` is an integrity error.
pub(crate) fn open_bytes(
    key: &Key256,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let Some((&format, rest)) = sealed.split_first() else {
        return Err(CryptoError::Integrity);
    };
    if format != FORMAT_V1 || rest.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Integrity);
    }
    let (nonce, body) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Integrity)?;
    let mut buf = Zeroizing::new(body.to_vec());
    let len = aead_key(key)?
        .open_in_place(nonce, Aad::from(aad), buf.as_mut_slice())
        .map_err(|_| CryptoError::Integrity)?
        .len();
    buf.truncate(len);
    let end = buf
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(CryptoError::Integrity)?;
    if buf[end] != 0x80 {
        return Err(CryptoError::Integrity);
    }
    buf.truncate(end);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_lengths_fall_in_buckets() {
        let key = Key256::generate().unwrap();
        let a = seal_bytes(&key, b"ad", b"Al").unwrap();
        let b = seal_bytes(&key, b"ad", b"Bartholomew").unwrap();
        assert_eq!(a.len(), b.len());
        assert_eq!(a.len(), OVERHEAD + PAD_BUCKET);
        let exact = seal_bytes(&key, b"ad", &[7u8; PAD_BUCKET]).unwrap();
        assert_eq!(exact.len(), OVERHEAD + 2 * PAD_BUCKET);
    }

    #[test]
    fn empty_and_zero_ending_plaintexts_round_trip() {
        let key = Key256::generate().unwrap();
        for pt in [&b""[..], b"\0", b"abc\0\0", b"\x80", b"\x80\0"] {
            let s = seal_bytes(&key, b"x", pt).unwrap();
            assert_eq!(open_bytes(&key, b"x", &s).unwrap().as_slice(), pt);
        }
    }

    #[test]
    fn a_normal_build_seals_fields_and_refuses_plaintext_framing() {
        let key = Key256::generate().unwrap();
        let sealed = seal_field(&key, b"ad", b"Bartholomew").unwrap();
        assert_eq!(sealed[0], FORMAT_V1);
        assert!(!sealed.windows(11).any(|w| w == b"Bartholomew"));
        let framed = [&[FORMAT_INSECURE_PLAINTEXT][..], b"Bartholomew"].concat();
        assert_eq!(
            open_field(&key, b"ad", &framed),
            Err(CryptoError::Integrity)
        );
    }

    #[test]
    fn aad_encoding_is_unambiguous() {
        assert_ne!(
            encode_aad("d", &[b"ab", b"c"]),
            encode_aad("d", &[b"a", b"bc"])
        );
    }
}
