//! Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed-note envelopes, Ed25519 only.
//!
//! A checkpoint (origin, tree size, root) signed with the practice's audit key can be kept far
//! from the database, so a rewritten history no longer matches it. This module owns the audit
//! signing key, its public verifier key in the note `name+keyid+key` form, and the exact note
//! text. It must never print or store the seed (the caller seals what `to_seed` returns), never
//! accept a note it has not parsed strictly and verified with the expected key, and never do I/O.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::hash::Hash;

/// Signature type byte for Ed25519 in signed notes (c2sp.org/signed-note).
const ALG_ED25519: u8 = 0x01;
/// Length of an Ed25519 seed, public key and signature.
const SEED_LEN: usize = 32;
const PUBLIC_KEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;
/// Every signature line starts with an em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Most signature lines accepted, as Go's reference `note.Open` does (the spec requires ≥ 16).
const MAX_SIGNATURES: usize = 100;

/// Why a checkpoint could not be signed, or a note or verifier key was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    /// A key name is empty or has a space, '+' or control character, which the note format forbids.
    #[error("audit key names must be non-empty, without spaces, '+' or control characters")]
    InvalidKeyName,
    /// A checkpoint origin is empty or has a control character, so it cannot be one note line.
    #[error("a checkpoint origin must be one non-empty line without control characters")]
    InvalidOrigin,
    /// The verifier key text is not `name+keyid+base64(0x01 ‖ key)` for an Ed25519 key.
    #[error(
        "malformed audit verifier key ({reason}); copy the whole key as `confidant` printed it"
    )]
    MalformedVerifierKey {
        /// Which check failed.
        reason: &'static str,
    },
    /// The note text is not a well-formed signed checkpoint.
    #[error("malformed checkpoint note ({reason})")]
    MalformedNote {
        /// Which check failed.
        reason: &'static str,
    },
    /// No signature line is from the expected key: signed by another key, or by none.
    #[error("the checkpoint carries no signature by audit key {key}; check which key signed it")]
    UnknownKey {
        /// The expected key as `name+keyid`.
        key: String,
    },
    /// A signature by the expected key does not verify: the note was altered or forged.
    #[error("the checkpoint's signature does not verify: it was altered or forged")]
    BadSignature,
    /// The system random source or the signer failed.
    #[error("the audit key could not be generated or used (system crypto failure)")]
    Crypto,
}

/// A log's signed statement: origin, tree size and the root hash at that size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Which log this is (c2sp.org/tlog-checkpoint recommends a schema-less URL).
    pub origin: String,
    /// Number of events in the tree.
    pub size: u64,
    /// Root hash of the tree at that size.
    pub root: Hash,
}

impl Checkpoint {
    /// The signed note text `origin\nsize\nbase64(root)\n`, after checking the origin fits one line.
    pub fn body(&self) -> Result<String, CheckpointError> {
        if self.origin.is_empty() || self.origin.chars().any(char::is_control) {
            return Err(CheckpointError::InvalidOrigin);
        }
        Ok(format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.as_bytes())
        ))
    }
}

/// Key names as signed-note defines them: non-empty, no Unicode space, no '+'; no control either.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+')
}

/// key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], as c2sp.org/signed-note recommends.
fn key_id(name: &str, public: &[u8; PUBLIC_KEY_LEN]) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 2 + PUBLIC_KEY_LEN);
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(ALG_ED25519);
    input.extend_from_slice(public);
    let d = digest(&SHA256, &input);
    let mut id = [0u8; 4];
    id.copy_from_slice(&d.as_ref()[..4]);
    id
}

/// The practice's Ed25519 audit signing key; the seed zeroizes on drop and never prints.
pub struct AuditSigningKey {
    seed: Zeroizing<[u8; SEED_LEN]>,
    pair: Ed25519KeyPair,
    verifier: AuditVerifierKey,
}

impl AuditSigningKey {
    /// Rebuilds the key from its 32-byte seed (as unsealed by the caller) under a key name.
    pub fn from_seed(name: &str, seed: &[u8; SEED_LEN]) -> Result<Self, CheckpointError> {
        if !is_valid_name(name) {
            return Err(CheckpointError::InvalidKeyName);
        }
        let pair =
            Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| CheckpointError::Crypto)?;
        let public: [u8; PUBLIC_KEY_LEN] = pair
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| CheckpointError::Crypto)?;
        let verifier = AuditVerifierKey {
            name: name.to_owned(),
            key_id: key_id(name, &public),
            public,
        };
        Ok(Self {
            seed: Zeroizing::new(*seed),
            pair,
            verifier,
        })
    }

    /// A fresh random key for a new practice's audit log.
    pub fn generate(name: &str) -> Result<Self, CheckpointError> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        aws_lc_rs::rand::fill(seed.as_mut()).map_err(|_| CheckpointError::Crypto)?;
        Self::from_seed(name, &seed)
    }

    /// The seed, for the caller to seal under the practice key; zeroized when dropped.
    pub fn to_seed(&self) -> Zeroizing<[u8; SEED_LEN]> {
        Zeroizing::new(*self.seed)
    }

    /// The key name that appears in signature lines.
    pub fn name(&self) -> &str {
        &self.verifier.name
    }

    /// The public half, to publish so anyone can check checkpoints.
    pub fn verifier_key(&self) -> &AuditVerifierKey {
        &self.verifier
    }

    /// The whole signed note for a checkpoint: body, blank line, `— name base64(keyid ‖ sig)`.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
        self.sign_text(&checkpoint.body()?)
    }

    /// Signs any note text (ending in a newline) into a signed note.
    fn sign_text(&self, text: &str) -> Result<String, CheckpointError> {
        let sig = self
            .pair
            .try_sign(text.as_bytes())
            .map_err(|_| CheckpointError::Crypto)?;
        let mut raw = Vec::with_capacity(4 + SIGNATURE_LEN);
        raw.extend_from_slice(&self.verifier.key_id);
        raw.extend_from_slice(sig.as_ref());
        Ok(format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.verifier.name,
            STANDARD.encode(raw)
        ))
    }
}

impl fmt::Debug for AuditSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The public audit key in signed-note verifier-key form: `name+hexkeyid+base64(0x01 ‖ key)`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditVerifierKey {
    name: String,
    key_id: [u8; 4],
    public: [u8; PUBLIC_KEY_LEN],
}

impl AuditVerifierKey {
    /// Parses the verifier-key text, checking that the key id matches the name and key.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = |reason| CheckpointError::MalformedVerifierKey { reason };
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected name+keyid+key"));
        };
        if !is_valid_name(name) {
            return Err(bad("invalid key name"));
        }
        if id_hex.len() != 8
            || !id_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("key id is not 8 lower-case hex digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("key id is not hex"))?;
        let key = STANDARD
            .decode(key_b64)
            .map_err(|_| bad("key is not canonical base64"))?;
        let Some((&ALG_ED25519, public)) = key.split_first() else {
            return Err(bad("not an Ed25519 key"));
        };
        let public: [u8; PUBLIC_KEY_LEN] = public
            .try_into()
            .map_err(|_| bad("Ed25519 key is not 32 bytes"))?;
        let key_id = key_id(name, &public);
        if key_id != id.to_be_bytes() {
            return Err(bad("key id does not match the name and key"));
        }
        Ok(Self {
            name: name.to_owned(),
            key_id,
            public,
        })
    }

    /// The key name signature lines must carry.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key id signature lines must start with.
    pub fn key_id(&self) -> u32 {
        u32::from_be_bytes(self.key_id)
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public
    }

    fn verifies(&self, text: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public)
            .verify(text, sig)
            .is_ok()
    }
}

impl fmt::Display for AuditVerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(1 + PUBLIC_KEY_LEN);
        key.push(ALG_ED25519);
        key.extend_from_slice(&self.public);
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id(),
            STANDARD.encode(key)
        )
    }
}

impl fmt::Debug for AuditVerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditVerifierKey({self})")
    }
}

impl FromStr for AuditVerifierKey {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Opens a signed checkpoint: strict parsing, then the signature of `key` must verify.
///
/// Signatures by other keys (e.g. witnesses' cosignatures) are ignored, as signed-note requires;
/// a note with none by `key` is refused. The body must be exactly origin, canonical decimal size
/// and canonical base64 root: extension lines and trailing text are refused. Comparing the origin
/// with the expected log is the caller's job.
pub fn open(note: impl AsRef<[u8]>, key: &AuditVerifierKey) -> Result<Checkpoint, CheckpointError> {
    let text = open_note(note.as_ref(), key)?;
    parse_body(text)
}

fn malformed(reason: &'static str) -> CheckpointError {
    CheckpointError::MalformedNote { reason }
}

/// Checks a signed note's envelope and `key`'s signature; returns the signed text.
fn open_note<'a>(note: &'a [u8], key: &AuditVerifierKey) -> Result<&'a str, CheckpointError> {
    let note = std::str::from_utf8(note).map_err(|_| malformed("not UTF-8"))?;
    if note.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(malformed("control character"));
    }
    let split = note
        .rfind("\n\n")
        .ok_or(malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&note[..=split], &note[split + 2..]);
    let sigs = sigs
        .strip_suffix('\n')
        .ok_or(malformed("signatures do not end with a newline"))?;
    let mut verified = 0usize;
    for (n, line) in sigs.split('\n').enumerate() {
        if n >= MAX_SIGNATURES {
            return Err(malformed("too many signatures"));
        }
        let (name, id, sig) = parse_signature_line(line)?;
        if name != key.name || id != key.key_id {
            continue;
        }
        if !key.verifies(text.as_bytes(), &sig) {
            return Err(CheckpointError::BadSignature);
        }
        verified += 1;
    }
    if verified == 0 {
        return Err(CheckpointError::UnknownKey {
            key: format!("{}+{:08x}", key.name, key.key_id()),
        });
    }
    Ok(text)
}

/// Splits `— name base64(keyid ‖ sig)` into its parts.
fn parse_signature_line(line: &str) -> Result<(&str, [u8; 4], Vec<u8>), CheckpointError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(malformed("signature line does not start with an em dash"))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(malformed("signature line has no signature"))?;
    if !is_valid_name(name) {
        return Err(malformed("invalid key name in a signature line"));
    }
    let raw = STANDARD
        .decode(b64)
        .map_err(|_| malformed("signature is not canonical base64"))?;
    let Some((id, sig)) = raw.split_first_chunk::<4>() else {
        return Err(malformed("signature too short"));
    };
    if sig.is_empty() {
        return Err(malformed("signature too short"));
    }
    Ok((name, *id, sig.to_vec()))
}

/// Parses exactly `origin\nsize\nbase64(root)\n`.
fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
    let body = text
        .strip_suffix('\n')
        .ok_or(malformed("text does not end with a newline"))?;
    let mut lines = body.split('\n');
    let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
        return Err(malformed("fewer than three lines"));
    };
    if lines.next().is_some() {
        return Err(malformed("unexpected extension lines"));
    }
    if origin.is_empty() {
        return Err(malformed("empty origin"));
    }
    let canonical = !size.is_empty()
        && size.bytes().all(|b| b.is_ascii_digit())
        && (size == "0" || !size.starts_with('0'));
    if !canonical {
        return Err(malformed("tree size is not canonical decimal"));
    }
    let size = size
        .parse::<u64>()
        .map_err(|_| malformed("tree size does not fit 64 bits"))?;
    let root = STANDARD
        .decode(root)
        .ok()
        .and_then(|bytes| Hash::from_slice(&bytes))
        .ok_or(malformed("root is not 32 bytes of canonical base64"))?;
    Ok(Checkpoint {
        origin: origin.to_owned(),
        size,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    // Vectors from golang.org/x/mod sumdb/note/note_test.go (repository golang/mod, file
    // sumdb/note/note_test.go): the reference signed-note implementation's keys and signatures.
    const PETER_SKEY_B64: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> AuditSigningKey {
        let raw = STANDARD.decode(PETER_SKEY_B64).unwrap();
        assert_eq!(raw[0], ALG_ED25519);
        let seed: [u8; 32] = raw[1..].try_into().unwrap();
        AuditSigningKey::from_seed("PeterNeumann", &seed).unwrap()
    }

    #[test]
    fn key_id_and_verifier_key_match_the_go_reference() {
        assert_eq!(peter().verifier_key().to_string(), PETER_VKEY);
        assert_eq!(peter().verifier_key().key_id(), 0xc74f20a3);
        let enoch = AuditVerifierKey::parse(ENOCH_VKEY).unwrap();
        assert_eq!(enoch.to_string(), ENOCH_VKEY);
    }

    #[test]
    fn signing_reproduces_the_go_reference_note_byte_for_byte() {
        let note = peter().sign_text(GO_TEXT).unwrap();
        assert_eq!(note, format!("{GO_TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn opening_the_go_reference_note_ignores_the_other_signer() {
        let note = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let peter_key = AuditVerifierKey::parse(PETER_VKEY).unwrap();
        assert_eq!(open_note(note.as_bytes(), &peter_key).unwrap(), GO_TEXT);
        let enoch_key = AuditVerifierKey::parse(ENOCH_VKEY).unwrap();
        assert_eq!(open_note(note.as_bytes(), &enoch_key).unwrap(), GO_TEXT);
    }

    #[test]
    fn every_single_byte_mangling_of_a_verifier_key_is_refused() {
        let mut bytes = PETER_VKEY.as_bytes().to_vec();
        for i in 0..bytes.len() {
            bytes[i] = bytes[i].wrapping_add(1);
            if let Ok(s) = std::str::from_utf8(&bytes) {
                assert!(AuditVerifierKey::parse(s).is_err(), "accepted {s}");
            }
            bytes[i] = bytes[i].wrapping_sub(1);
        }
        for end in 0..PETER_VKEY.len() {
            assert!(AuditVerifierKey::parse(&PETER_VKEY[..end]).is_err());
        }
    }

    // golang.org/x/mod sumdb/tlog/note_test.go TestFormatTree (repository golang/mod, file
    // sumdb/tlog/note_test.go): the tree-head text format checkpoints inherited, with its root
    // being the RFC 6962 leaf hash of "hello world".
    #[test]
    fn checkpoint_body_matches_the_go_tree_format_vector() {
        let cp = Checkpoint {
            origin: "go.sum database tree".into(),
            size: 123_456_789_012,
            root: leaf_hash(b"hello world"),
        };
        assert_eq!(
            cp.body().unwrap(),
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
        );
    }

    #[test]
    fn signed_bodies_that_are_not_canonical_checkpoints_are_refused() {
        let key = peter();
        let vkey = key.verifier_key();
        let root = STANDARD.encode([7u8; 32]);
        for body in [
            format!("log\n007\n{root}\n"),
            format!("log\n+7\n{root}\n"),
            format!("log\n 7\n{root}\n"),
            format!("log\n18446744073709551616\n{root}\n"),
            format!("log\n7\n{root}\nextension\n"),
            format!("log\n7\n{}\n", STANDARD.encode([7u8; 31])),
            format!("log\n7\n{}\n", &root[..43]),
            "log\n7\n".to_string(),
        ] {
            let note = key.sign_text(&body).unwrap();
            assert!(
                matches!(
                    open(&note, vkey),
                    Err(CheckpointError::MalformedNote { .. })
                ),
                "accepted body {body:?}"
            );
        }
    }

    #[test]
    fn origins_that_cannot_be_one_line_are_refused_at_signing() {
        let key = peter();
        for origin in ["", "two\nlines", "tab\there"] {
            let cp = Checkpoint {
                origin: origin.into(),
                size: 1,
                root: leaf_hash(b"x"),
            };
            assert_eq!(key.sign(&cp), Err(CheckpointError::InvalidOrigin));
        }
    }

    #[test]
    fn key_names_with_spaces_or_plus_are_refused() {
        for name in ["", "a b", "a+b", "a\u{2003}b", "a\nb"] {
            assert!(matches!(
                AuditSigningKey::from_seed(name, &[1; 32]),
                Err(CheckpointError::InvalidKeyName)
            ));
        }
    }
}
