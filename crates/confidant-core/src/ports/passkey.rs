//! Storage port for passkeys (WebAuthn credentials) and the short-lived state of their
//! ceremonies: a registration waiting for the browser's new credential, a sign-in waiting for
//! its signature.
//!
//! Credentials and ceremony state cross this boundary sealed under the practice root key (the
//! core binds each to its account and purpose); a store keeps them as opaque bytes. The
//! credential id is public (the browser sends it with every signature) and stored in the clear
//! so that one credential can belong to one account only. Every method is atomic and durable.

use confidant_crypto::Sealed;

use super::{Digest, StoreResult, UnixMillis};
use crate::ids::{ActorId, PasskeyId};

/// A staff member's registered passkey.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyRow {
    /// Our id for it (what the owner lists and deletes).
    pub id: PasskeyId,
    /// Whose passkey.
    pub user: ActorId,
    /// The WebAuthn credential id the authenticator chose: 1 to 1023 bytes, unique.
    pub credential_id: Vec<u8>,
    /// The owner's name for it ("work laptop"), one line.
    pub label: String,
    /// The credential (public key, signature counter, backup state), serialized and sealed.
    pub credential: Sealed<[u8]>,
    /// When it was registered.
    pub created_at: UnixMillis,
    /// When it last signed someone in.
    pub last_used_at: Option<UnixMillis>,
}

/// Which ceremony a stored state belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    /// Registering a new passkey; keyed by the session's digest.
    Registration,
    /// Signing in with a passkey; keyed by the login challenge's digest.
    Authentication,
}

impl CeremonyKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Authentication => "authentication",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "registration" => Some(Self::Registration),
            "authentication" => Some(Self::Authentication),
            _ => None,
        }
    }
}

/// A ceremony under way: what the server must check the browser's answer against.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyCeremonyRow {
    /// Digest of the session (registration) or login challenge (sign-in) it is bound to.
    pub digest: Digest,
    /// Registration or sign-in.
    pub kind: CeremonyKind,
    /// Whose ceremony.
    pub user: ActorId,
    /// The ceremony state, serialized and sealed.
    pub state: Sealed<[u8]>,
    /// When it stops working (a few minutes).
    pub expires_at: UnixMillis,
}

/// Passkeys and their ceremonies.
pub trait PasskeyStore {
    /// Stores a new passkey; `Conflict` if the id or the credential id is taken (by anyone), or
    /// the account does not exist.
    fn insert_passkey(&self, row: &PasskeyRow) -> StoreResult<()>;
    /// An account's passkeys, oldest first (ties broken by id).
    fn passkeys_of(&self, user: ActorId) -> StoreResult<Vec<PasskeyRow>>;
    /// After a sign-in: replaces a passkey's sealed credential (its counter or backup state may
    /// have moved) and its last use; whether it existed and belonged to `user`.
    fn record_passkey_use(
        &self,
        user: ActorId,
        id: PasskeyId,
        credential: &Sealed<[u8]>,
        at: UnixMillis,
    ) -> StoreResult<bool>;
    /// Deletes one passkey; whether it existed and belonged to `user`.
    fn delete_passkey(&self, user: ActorId, id: PasskeyId) -> StoreResult<bool>;
    /// Deletes every passkey of an account (and its ceremonies under way).
    fn delete_passkeys_of(&self, user: ActorId) -> StoreResult<()>;

    /// Stores a ceremony's state, replacing any of the same kind under the same digest, and
    /// deletes every ceremony that expired at or before `now`. `Conflict` if the account does
    /// not exist.
    fn put_passkey_ceremony(&self, row: &PasskeyCeremonyRow, now: UnixMillis) -> StoreResult<()>;
    /// Takes (deletes and returns) a ceremony's state: each answers one response, expired or
    /// not (the caller checks `expires_at`).
    fn take_passkey_ceremony(
        &self,
        digest: &Digest,
        kind: CeremonyKind,
    ) -> StoreResult<Option<PasskeyCeremonyRow>>;
}
