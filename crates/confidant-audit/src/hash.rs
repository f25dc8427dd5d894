//! RFC 9162 §2.1.1 hashing: the one place that turns bytes into tree hashes.
//!
//! Leaves and interior nodes are domain-separated (0x00 and 0x01 prefixes) so a leaf can never be
//! passed off as a node. This module must never hash anything any other way: every tree, proof and
//! verifier in the crate goes through these three functions, and SHA-256 comes from aws-lc-rs.

use std::fmt;

use aws_lc_rs::digest::{Context, SHA256};

/// Length in bytes of every hash in the tree (SHA-256).
pub const HASH_LEN: usize = 32;

/// A SHA-256 tree hash, so roots, leaves and proof steps cannot be mixed up with other bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; HASH_LEN]);

impl Hash {
    /// Wraps 32 bytes read from storage or a proof, so callers never build hashes by hand.
    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    /// Wraps a slice of exactly 32 bytes; `None` for any other length, so short input is caught.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The raw bytes, for storing the hash or writing it into a checkpoint.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Lower-case hex, the form people compare by eye in reports and logs.
    pub fn to_hex(&self) -> String {
        use fmt::Write as _;
        let mut s = String::with_capacity(HASH_LEN * 2);
        for b in self.0 {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
        }
        s
    }

    /// Parses 64 hex digits (either case), as served in proofs; `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let digits = hex.as_bytes();
        if digits.len() != HASH_LEN * 2 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let mut out = [0u8; HASH_LEN];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }
}

fn finish(ctx: Context) -> Hash {
    let digest = ctx.finish();
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

/// The hash of one log entry, SHA-256(0x00 ‖ data): what an audit event becomes in the tree.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[0x00]);
    ctx.update(data);
    finish(ctx)
}

/// The hash of an interior node, SHA-256(0x01 ‖ left ‖ right): how two subtrees become one.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 1 + 2 * HASH_LEN];
    buf[0] = 0x01;
    buf[1..=HASH_LEN].copy_from_slice(&left.0);
    buf[1 + HASH_LEN..].copy_from_slice(&right.0);
    let mut ctx = Context::new(&SHA256);
    ctx.update(&buf);
    finish(ctx)
}

/// The root of the empty tree, SHA-256 of nothing, so a log with no events still has a root.
pub fn empty_root() -> Hash {
    finish(Context::new(&SHA256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_leaf_never_hashes_like_the_node_with_the_same_bytes() {
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let mut concat = Vec::new();
        concat.extend_from_slice(a.as_bytes());
        concat.extend_from_slice(b.as_bytes());
        assert_ne!(leaf_hash(&concat), node_hash(&a, &b));
    }

    #[test]
    fn debug_prints_the_hash_as_hex() {
        let h = Hash::from_bytes([0xab; HASH_LEN]);
        assert_eq!(format!("{h:?}"), "ab".repeat(HASH_LEN));
    }

    #[test]
    fn hex_round_trips_and_rejects_malformed_text() {
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()), Some(h));
        assert_eq!(Hash::from_hex(&h.to_hex()[2..]), None);
        assert_eq!(Hash::from_hex(&"zz".repeat(32)), None);
        assert_eq!(Hash::from_hex(&"+1".repeat(32)), None);
    }

    #[test]
    fn from_slice_refuses_the_wrong_length() {
        assert!(Hash::from_slice(&[0u8; 31]).is_none());
        assert!(Hash::from_slice(&[0u8; 33]).is_none());
        assert!(Hash::from_slice(&[7u8; 32]).is_some());
    }
}
