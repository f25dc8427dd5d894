//! Secret material: every type here zeroizes on drop and prints `[REDACTED]`.
//!
//! Nothing in this module may ever format, log or serialize a secret's bytes, except the
//! explicit `reveal`/`encode` calls that hand a secret to its one intended reader (the key file,
//! the operator's terminal at `init`, the token file).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CryptoError;

/// Length in bytes of every symmetric key in the hierarchy.
pub const KEY_LEN: usize = 32;

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    aws_lc_rs::rand::fill(buf).map_err(|_| CryptoError::Random)
}

/// A 256-bit symmetric key; the raw bytes never leave this crate.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key256([u8; KEY_LEN]);

impl Key256 {
    /// A fresh random key, so no two keys in the hierarchy are ever related.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = [0u8; KEY_LEN];
        random_bytes(&mut bytes)?;
        Ok(Self(bytes))
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; KEY_LEN] = bytes.try_into().map_err(|_| CryptoError::Integrity)?;
        Ok(Self(arr))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for Key256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

macro_rules! redacted_debug {
    ($($ty:ty),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[REDACTED]")
            }
        }
    )*};
}

/// An operator's passphrase, held only as long as it takes to derive a key from it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    /// Shortest passphrase `init` accepts (NIST SP 800-63B's floor for chosen secrets is 8;
    /// this one guards every client's records, so we ask for more).
    pub const MIN_CHARS: usize = 12;

    /// Wraps a passphrase, refusing one too short to resist offline guessing.
    pub fn new(text: String) -> Result<Self, CryptoError> {
        let p = Self(text);
        if p.0.chars().count() < Self::MIN_CHARS {
            return Err(CryptoError::WeakPassphrase {
                min: Self::MIN_CHARS,
            });
        }
        Ok(p)
    }

    /// Wraps a passphrase given to unseal, whatever its length (the slot decides).
    pub fn for_unseal(text: String) -> Self {
        Self(text)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The contents of a key file kept outside the data directory.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyFileSecret(Key256);

const KEY_FILE_PREFIX: &str = "confidant-key-v1:";

impl KeyFileSecret {
    /// A fresh random key file secret.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self(Key256::generate()?))
    }

    /// Parses the text of a key file, tolerating surrounding whitespace.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let body = text
            .trim()
            .strip_prefix(KEY_FILE_PREFIX)
            .ok_or(CryptoError::MalformedKeyFile)?;
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(body)
                .map_err(|_| CryptoError::MalformedKeyFile)?,
        );
        let key = Key256::from_slice(&bytes).map_err(|_| CryptoError::MalformedKeyFile)?;
        Ok(Self(key))
    }

    /// The text to write into the key file (the only place it should ever go).
    pub fn encode(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{KEY_FILE_PREFIX}{}\n",
            URL_SAFE_NO_PAD.encode(self.0.as_bytes())
        ))
    }

    pub(crate) fn key(&self) -> &Key256 {
        &self.0
    }
}

/// The one-time recovery code printed at `init`: 128 random bits in groups of hex digits.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode([u8; 16]);

impl RecoveryCode {
    /// A fresh random recovery code.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = [0u8; 16];
        random_bytes(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// Parses a code as a person types it back: case, spaces and dashes do not matter.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let digits: Zeroizing<Vec<u8>> = Zeroizing::new(
            text.bytes()
                .filter(|b| !matches!(b, b'-' | b' ' | b'\t' | b'\n' | b'\r'))
                .collect(),
        );
        if digits.len() != 32 {
            return Err(CryptoError::MalformedRecoveryCode);
        }
        let mut bytes = [0u8; 16];
        for (i, pair) in digits.chunks(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or(CryptoError::MalformedRecoveryCode)?;
            let lo = hex_value(pair[1]).ok_or(CryptoError::MalformedRecoveryCode)?;
            bytes[i] = (hi << 4) | lo;
        }
        Ok(Self(bytes))
    }

    /// The code as shown once to the operator: eight groups of four hex digits.
    pub fn reveal(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(39));
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 && i % 2 == 0 {
                out.push('-');
            }
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A bearer token as handed to a person or script; only its digest is ever stored.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ApiTokenSecret(String);

const TOKEN_PREFIX: &str = "cfd_";

impl ApiTokenSecret {
    /// A fresh token with 256 bits of randomness.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        random_bytes(bytes.as_mut())?;
        Ok(Self(format!(
            "{TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes.as_ref())
        )))
    }

    /// Wraps a token presented by a client; malformed ones simply never match a digest.
    pub fn presented(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The token text, for writing to the owner's token file exactly once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The SHA-256 digest stored in place of the token.
    pub fn digest(&self) -> [u8; 32] {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.0.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }
}

redacted_debug!(Passphrase, KeyFileSecret, RecoveryCode, ApiTokenSecret);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_debug_as_redacted() {
        let k = Key256::generate().unwrap();
        let p = Passphrase::new("correct horse battery staple".into()).unwrap();
        let r = RecoveryCode::generate().unwrap();
        let t = ApiTokenSecret::generate().unwrap();
        let f = KeyFileSecret::generate().unwrap();
        for s in [
            format!("{k:?}"),
            format!("{p:?}"),
            format!("{r:?}"),
            format!("{t:?}"),
            format!("{f:?}"),
        ] {
            assert_eq!(s, "[REDACTED]");
        }
    }

    #[test]
    fn short_passphrase_is_refused() {
        assert!(matches!(
            Passphrase::new("tooshort".into()),
            Err(CryptoError::WeakPassphrase { min: 12 })
        ));
    }

    #[test]
    fn recovery_code_round_trips_however_it_is_typed() {
        let code = RecoveryCode::generate().unwrap();
        let shown = code.reveal();
        assert_eq!(shown.len(), 39);
        let typed = shown.to_uppercase().replace('-', " ");
        let parsed = RecoveryCode::parse(&typed).unwrap();
        assert_eq!(parsed.as_bytes(), code.as_bytes());
        assert!(RecoveryCode::parse("not-a-code").is_err());
        assert!(RecoveryCode::parse(&"zz".repeat(16)).is_err());
    }

    #[test]
    fn key_file_round_trips_and_rejects_garbage() {
        let f = KeyFileSecret::generate().unwrap();
        let text = f.encode();
        let back = KeyFileSecret::parse(&text).unwrap();
        assert_eq!(back.key().as_bytes(), f.key().as_bytes());
        assert!(KeyFileSecret::parse("confidant-key-v1:short").is_err());
        assert!(KeyFileSecret::parse("hello").is_err());
    }

    #[test]
    fn token_digest_depends_on_every_character() {
        let t = ApiTokenSecret::generate().unwrap();
        assert!(t.reveal().starts_with("cfd_"));
        let mut altered = t.reveal().to_owned();
        altered.push('x');
        assert_ne!(t.digest(), ApiTokenSecret::presented(&altered).digest());
        assert_eq!(t.digest(), ApiTokenSecret::presented(t.reveal()).digest());
    }
}
