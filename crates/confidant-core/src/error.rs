//! The core's one error type. Variants are what a caller can act on; messages never name a
//! client or quote client content — ids at most.

use confidant_crypto::CryptoError;

use crate::ports::StoreError;

/// Why a field of a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// The field's name in the request.
    pub field: &'static str,
    /// What is wrong and how to fix it (never the value itself).
    pub problem: String,
}

impl Invalid {
    /// A refusal of `field` for `problem`.
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// What went wrong in a core service.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The request's content is invalid; nothing was written.
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// No such record (or the caller may not know it exists).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The client's data key was destroyed; their records can never be opened again.
    #[error("this client's records were destroyed (crypto-shredded)")]
    Shredded,
    /// The caller is not authenticated.
    #[error("missing, unknown or expired API token")]
    Unauthenticated,
    /// No practice has been initialized in this data directory.
    #[error("no practice here yet; run `confidant init` first")]
    NotInitialized,
    /// `init` on a data directory that already holds a practice.
    #[error("a practice already exists in this data directory")]
    AlreadyInitialized,
    /// The unseal secret was wrong or of a kind this practice has no slot for.
    #[error(transparent)]
    Unseal(CryptoError),
    /// Stored ciphertext failed to open: tampering or corruption.
    #[error("stored data failed its integrity check; restore from backup and report it")]
    Integrity,
    /// A cryptographic operation failed for a reason other than integrity.
    #[error("cryptographic failure: {0}")]
    Crypto(CryptoError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The policy refuses this to this actor (who may know the record exists).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// E-mail, password or code wrong (never says which).
    #[error("the e-mail, password or code is wrong")]
    LoginFailed,
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins; try again in {seconds} s")]
    Locked {
        /// Seconds until the lock lifts.
        seconds: u64,
    },
    /// Something that expires has expired.
    #[error("this {0} has expired")]
    Expired(&'static str),
    /// Passkeys are off: the server was started without its public URL.
    #[error(
        "passkeys are not enabled on this server; its administrator must give the address \
         browsers use to reach it"
    )]
    PasskeysDisabled,
    /// An attachment's media type is not accepted, or its content is not of the type declared;
    /// the message lists what is accepted (never the file's name). Nothing was stored.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An upload is larger than the server accepts. Nothing was stored.
    #[error("the file is larger than the limit of {limit} bytes; nothing was stored")]
    TooLarge {
        /// The largest accepted size, in bytes.
        limit: u64,
    },
    /// Attachments are off: the server was started without a place to keep them.
    #[error("attachments are not enabled on this server")]
    AttachmentsDisabled,
    /// The record is not in a state that allows this (a signed note edited, say); the message
    /// says what to do instead. Nothing was written.
    #[error("{0}")]
    State(&'static str),
    /// The audit log could not record the access, so the access did not happen (fail closed).
    #[error("{0}")]
    Audit(String),
}

impl From<CryptoError> for CoreError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Integrity => Self::Integrity,
            CryptoError::WrongSecret | CryptoError::NoSlotForMethod => Self::Unseal(e),
            other => Self::Crypto(other),
        }
    }
}

/// Result of a core call.
pub type CoreResult<T> = Result<T, CoreError>;
