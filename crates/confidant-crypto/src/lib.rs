//! Confidant's key hierarchy and sealing: the only crate that touches key bytes.
//!
//! It owns the practice root key and its unseal slots, versioned practice keys, per-client data
//! keys, AEAD sealing bound to each field's place, and crypto-shredding (a client whose wrapped
//! key is gone can never be opened again). It must never log, never do I/O and never expose raw
//! key bytes; every secret type zeroizes on drop and prints `[REDACTED]`.

mod aead;
mod keys;
mod secret;
mod unseal;

pub use aead::{FieldContext, OVERHEAD, Sealed};
pub use keys::{ClientKey, PracticeKey, RootKey, WrappedKey};
pub use secret::{ApiTokenSecret, KEY_LEN, Key256, KeyFileSecret, Passphrase, RecoveryCode};
pub use unseal::{Argon2Cost, UnsealMethod, UnsealSecret, UnsealSlot, unseal};

/// What went wrong in a crypto operation; messages never include secret or client bytes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// A ciphertext failed to open: changed, truncated, moved, or under another key.
    #[error("sealed data failed its integrity check (tampered, moved, or under another key)")]
    Integrity,
    /// The operating system's random source failed.
    #[error("the system random number generator failed")]
    Random,
    /// The passphrase, key file or recovery code does not open this practice.
    #[error("that secret does not unseal this practice; nothing was changed")]
    WrongSecret,
    /// The practice has no unseal slot for the kind of secret given.
    #[error("this practice has no unseal slot of that kind; use another unseal method")]
    NoSlotForMethod,
    /// A stored unseal slot names a method or cost this build does not accept.
    #[error("an unseal slot has an unknown method or out-of-range cost")]
    UnknownSlot,
    /// A chosen passphrase is too short.
    #[error("the passphrase must be at least {min} characters")]
    WeakPassphrase {
        /// Minimum length in characters.
        min: usize,
    },
    /// A key file is not in Confidant's key file format.
    #[error(
        "the key file is not a Confidant key file (expected one line starting `confidant-key-v1:`)"
    )]
    MalformedKeyFile,
    /// A recovery code is not 32 hex digits.
    #[error("the recovery code should be 32 hex digits, as printed at init")]
    MalformedRecoveryCode,
}
