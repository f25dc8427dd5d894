//! Confidant's key hierarchy and sealing: the only crate that touches key bytes.
//!
//! It owns the practice root key and its unseal slots, versioned practice keys, per-client data
//! keys, AEAD sealing bound to each field's place, streaming encryption of attachments under
//! per-attachment content keys, and crypto-shredding (a client whose wrapped key is gone can
//! never be opened again). It must never log, never do I/O of its own (streams read and write
//! only what they are handed) and never expose raw key bytes; every secret type zeroizes on drop
//! and prints `[REDACTED]`.

mod aead;
mod keys;
mod secret;
mod stream;
mod unseal;

pub use aead::{FieldContext, OVERHEAD, Sealed};
pub use keys::{ClientKey, PracticeKey, RootKey, WrappedKey};
pub use secret::{ApiTokenSecret, KEY_LEN, Key256, KeyFileSecret, Passphrase, RecoveryCode};
pub use stream::{
    AttachmentContext, AttachmentKey, CHUNK_SIZE, Decryptor, Encryptor, HEADER_LEN, decrypt_stream,
    encrypt_stream, encrypted_len,
};
pub use unseal::{Argon2Cost, UnsealMethod, UnsealSecret, UnsealSlot, unseal};

/// Whether this is a `bench-insecure-plaintext` build, whose record fields are stored as
/// plaintext so a benchmark can measure what encryption costs. Off by default and never enabled
/// by another crate's default features; a binary built with it says so loudly at start.
pub const INSECURE_PLAINTEXT: bool = cfg!(feature = "bench-insecure-plaintext");

// The feature alone does not build: the benchmark that needs it also sets this variable, so
// `--all-features` or a stray feature line fails here instead of producing a plaintext binary.
#[cfg(feature = "bench-insecure-plaintext")]
const _: () = assert!(
    option_env!("CONFIDANT_BENCH_PLAINTEXT_ACK").is_some(),
    "bench-insecure-plaintext stores client data unencrypted; it is built only by \
     `cargo bench -p confidant-cli --bench http`, which sets CONFIDANT_BENCH_PLAINTEXT_ACK"
);

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
    /// An attachment blob does not start with a stream header this build reads.
    #[error(
        "not a Confidant attachment stream this build can read (unknown magic, version or chunk \
         size); check that the blob is an attachment, or upgrade Confidant"
    )]
    UnknownStreamFormat,
    /// An attachment is longer than one stream can hold (2^32 chunks of 64 KiB, 256 TiB).
    #[error("the attachment is longer than one encrypted stream can hold (256 TiB); split it")]
    StreamTooLong,
}
