//! The ports the core calls: storage and the clock. Engines (SQLite, PostgreSQL) implement
//! `Store`; the core never sees SQL.
//!
//! Every row crossing this boundary is already sealed: a store only ever holds ciphertext for
//! anything that comes from or describes a client. Implementations must make each method
//! atomic (all or nothing) and durable before returning `Ok`.

mod appointment;
mod assessment;
mod attachment;
mod passkey;
mod staff;

pub use appointment::{AppointmentRow, AppointmentStore, EpisodeRow, JulianDay};
pub use assessment::{AssessmentRow, AssessmentStore};
pub use attachment::{AttachmentRow, AttachmentStore, BlobStore, BlobWriter};
pub use passkey::{CeremonyKind, PasskeyCeremonyRow, PasskeyRow, PasskeyStore};
pub use staff::{
    AccessFactsRow, BreakGlassRow, CareStore, CareTeamRow, ChallengeRow, Digest, InvitationRow,
    SessionRow, ShareRow, StaffStore, UserRow,
};

use confidant_crypto::{Sealed, UnsealSlot, WrappedKey};
use time::OffsetDateTime;

use crate::ids::{ActorId, ClientId, NoteId, PracticeId, TokenId};

/// A storage failure; messages name tables and operations, never values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed (I/O, locking, disk full). Retrying later may work.
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// The database was written by a newer Confidant than this one.
    #[error(
        "the database schema is version {found}, newer than this binary supports ({supported}); \
         upgrade Confidant to open it"
    )]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Newest version this binary knows.
        supported: i64,
    },
    /// A stored row is not what the schema promises.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A row with that id already exists, or the practice is already initialized.
    #[error("conflicting write: {0}")]
    Conflict(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Milliseconds since the Unix epoch, as stored.
pub type UnixMillis = i64;

/// The practice this data directory holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeRow {
    /// Practice id, bound into every unseal slot.
    pub id: PracticeId,
    /// When `init` ran.
    pub created_at: UnixMillis,
}

/// One version of the practice key, wrapped by the root key.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeKeyRow {
    /// Version number (1, 2, …); the highest is current.
    pub version: u32,
    /// The key, wrapped by the root key.
    pub wrapped: WrappedKey,
    /// When it was created.
    pub created_at: UnixMillis,
}

/// One client's data key, wrapped by a practice key version.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientKeyRow {
    /// Whose key.
    pub client_id: ClientId,
    /// Client key version.
    pub version: u32,
    /// Practice key version that wraps it.
    pub practice_key_version: u32,
    /// The key, wrapped.
    pub wrapped: WrappedKey,
}

/// A client's demographics, every field sealed with the client's key.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    /// Client id.
    pub id: ClientId,
    /// Client key version that sealed the fields.
    pub key_version: u32,
    /// When the client was created.
    pub created_at: UnixMillis,
    /// Sealed legal name.
    pub legal_name: Sealed<str>,
    /// Sealed preferred name (sealed even when absent, so presence does not leak).
    pub preferred_name: Sealed<str>,
    /// Sealed date of birth.
    pub date_of_birth: Sealed<str>,
    /// Sealed phone.
    pub phone: Sealed<str>,
    /// Sealed e-mail.
    pub email: Sealed<str>,
    /// Sealed postal address.
    pub address: Sealed<str>,
    /// Sealed emergency contact.
    pub emergency_contact: Sealed<str>,
    /// When the client was discharged; `None` while active.
    pub discharged_at: Option<UnixMillis>,
}

/// A note, its body sealed with the client's key.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    /// Note id.
    pub id: NoteId,
    /// Whose record it belongs to.
    pub client_id: ClientId,
    /// Client key version that sealed the body.
    pub key_version: u32,
    /// Record class, e.g. `progress` (a class, not content).
    pub kind: String,
    /// Who wrote it.
    pub author: ActorId,
    /// When it was written.
    pub created_at: UnixMillis,
    /// Sealed body (the current version).
    pub body: Sealed<str>,
    /// How the body is encoded: 0 plain text, 1 a template's sections.
    pub format: u8,
    /// `draft`, `signed` (awaiting a supervisor's co-signature) or `locked`.
    pub status: String,
    /// Current version, from 1; every edit of a draft adds one.
    pub version: u32,
    /// When the draft was last edited, if ever.
    pub updated_at: Option<UnixMillis>,
    /// When the session it documents took place, if stated.
    pub occurred_at: Option<UnixMillis>,
    /// Written more than a day after the session it documents.
    pub late_entry: bool,
    /// The signed note this one corrects (an addendum), if any.
    pub addendum_of: Option<NoteId>,
    /// The author's signature, once signed.
    pub signature: Option<SignatureRow>,
    /// A supervisor's co-signature, once given.
    pub cosignature: Option<CosignatureRow>,
}

impl NoteRow {
    /// A new draft at version 1, not yet edited, signed or dated.
    pub fn draft(
        id: NoteId,
        client_id: ClientId,
        key_version: u32,
        kind: impl Into<String>,
        author: ActorId,
        created_at: UnixMillis,
        body: Sealed<str>,
    ) -> Self {
        Self {
            id,
            client_id,
            key_version,
            kind: kind.into(),
            author,
            created_at,
            body,
            format: 0,
            status: "draft".into(),
            version: 1,
            updated_at: None,
            occurred_at: None,
            late_entry: false,
            addendum_of: None,
            signature: None,
            cosignature: None,
        }
    }
}

/// Who signed a note, when, and the hash of what they signed (sealed: a hash of short text can
/// be guessed).
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureRow {
    /// The signer (always the author).
    pub by: ActorId,
    /// When.
    pub at: UnixMillis,
    /// SHA-256 of the signed content, sealed with the client's key.
    pub content_hash: Sealed<[u8]>,
}

/// A supervisor's co-signature of a trainee's signed note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CosignatureRow {
    /// The supervisor.
    pub by: ActorId,
    /// When.
    pub at: UnixMillis,
}

/// A new version of a draft, replacing the current one (which is kept in the history).
#[derive(Debug, Clone, PartialEq)]
pub struct NoteEdit {
    /// The draft.
    pub id: NoteId,
    /// The version the edit was made from; the edit applies only if it is still current.
    pub from_version: u32,
    /// Client key version that sealed the new body.
    pub key_version: u32,
    /// Encoding of the new body.
    pub format: u8,
    /// The new body, sealed.
    pub body: Sealed<str>,
    /// When the session took place, as now stated.
    pub occurred_at: Option<UnixMillis>,
    /// Whether it is now a late entry.
    pub late_entry: bool,
    /// When the edit was made.
    pub at: UnixMillis,
}

/// An earlier version of a note, kept when a draft was edited.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteVersionRow {
    /// The note.
    pub note_id: NoteId,
    /// Its version number.
    pub version: u32,
    /// Client key version that sealed it.
    pub key_version: u32,
    /// Encoding of the body.
    pub format: u8,
    /// When this version was written.
    pub written_at: UnixMillis,
    /// The body, sealed.
    pub body: Sealed<str>,
}

/// An API token: only its SHA-256 digest is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    /// Token id (safe to log).
    pub id: TokenId,
    /// SHA-256 of the token text.
    pub digest: [u8; 32],
    /// Who the token acts as.
    pub actor: ActorId,
    /// Role name, e.g. `owner`.
    pub role: String,
    /// What the token may do: `read`, `write` or `admin`.
    pub scope: String,
    /// Human label, e.g. `bootstrap owner token` (never client content).
    pub label: String,
    /// When it was issued.
    pub created_at: UnixMillis,
    /// When it stops working, if ever.
    pub expires_at: Option<UnixMillis>,
}

/// Everything `init` writes, in one atomic step.
#[derive(Debug, Clone)]
pub struct NewPractice {
    /// The practice.
    pub practice: PracticeRow,
    /// Unseal slots (passphrase, key file, recovery code).
    pub slots: Vec<UnsealSlot>,
    /// Practice key version 1.
    pub first_key: PracticeKeyRow,
    /// The owner's bootstrap token.
    pub owner_token: TokenRow,
    /// The owner's account.
    pub owner: UserRow,
}

/// The practice, its keys and unseal slots.
pub trait PracticeStore {
    /// The practice, or `None` if `init` never ran here.
    fn practice(&self) -> StoreResult<Option<PracticeRow>>;
    /// Writes a new practice (the owner's account included) atomically; `Conflict` if one
    /// exists.
    fn create_practice(&self, new: &NewPractice) -> StoreResult<()>;
    /// All unseal slots.
    fn unseal_slots(&self) -> StoreResult<Vec<UnsealSlot>>;
    /// All practice key versions, ascending.
    fn practice_keys(&self) -> StoreResult<Vec<PracticeKeyRow>>;
    /// Adds a practice key version; `Conflict` if the version exists.
    fn add_practice_key(&self, row: &PracticeKeyRow) -> StoreResult<()>;
    /// Removes a practice key version that no client key uses any more.
    /// Returns `Conflict` if a client key is still wrapped by it.
    fn delete_practice_key(&self, version: u32) -> StoreResult<()>;
}

/// Clients and their data keys.
pub trait ClientStore {
    /// Writes a client and its first data key atomically; `Conflict` if the id exists.
    fn insert_client(&self, client: &ClientRow, key: &ClientKeyRow) -> StoreResult<()>;
    /// One client.
    fn client(&self, id: ClientId) -> StoreResult<Option<ClientRow>>;
    /// Up to `limit` clients with id greater than `after`, ordered by id.
    fn clients(&self, after: Option<ClientId>, limit: usize) -> StoreResult<Vec<ClientRow>>;
    /// One version of a client's data key; `None` once shredded.
    fn client_key(&self, id: ClientId, version: u32) -> StoreResult<Option<ClientKeyRow>>;
    /// Up to `limit` client keys wrapped by a practice key version other than `version`.
    fn client_keys_not_under(&self, version: u32, limit: usize) -> StoreResult<Vec<ClientKeyRow>>;
    /// Replaces a client key's wrapping if it is still wrapped by `from_version`.
    /// Returns whether it was replaced.
    fn rewrap_client_key(&self, row: &ClientKeyRow, from_version: u32) -> StoreResult<bool>;
    /// Replaces a client's sealed demographics (and the key version that sealed them), leaving
    /// creation time and discharge alone. Returns whether the client exists.
    fn update_client(&self, client: &ClientRow) -> StoreResult<bool>;
    /// Marks a client discharged at a time, or active again with `None`. Returns whether the
    /// client exists.
    fn set_client_discharged(&self, id: ClientId, at: Option<UnixMillis>) -> StoreResult<bool>;
    /// Destroys every version of a client's data key, so that no copy remains in the live
    /// database files (secure delete, write-ahead log checkpointed). Returns how many went.
    fn shred_client_keys(&self, id: ClientId) -> StoreResult<usize>;
}

/// Notes.
pub trait NoteStore {
    /// Writes a note; `Conflict` if the id exists. The client (and any note it is an addendum
    /// of) must exist.
    fn insert_note(&self, note: &NoteRow) -> StoreResult<()>;
    /// One note.
    fn note(&self, id: NoteId) -> StoreResult<Option<NoteRow>>;
    /// Every note of one client, oldest first (ties broken by id).
    fn notes_of_client(&self, client: ClientId) -> StoreResult<Vec<NoteRow>>;
    /// Replaces a draft's body if it is still a draft at `edit.from_version`, keeping the
    /// replaced version in the history, atomically. Returns whether it applied.
    fn update_note_draft(&self, edit: &NoteEdit) -> StoreResult<bool>;
    /// Signs a draft still at `version`, moving it to `status` (`signed` or `locked`).
    /// Returns whether it applied.
    fn sign_note(
        &self,
        id: NoteId,
        version: u32,
        status: &str,
        signature: &SignatureRow,
    ) -> StoreResult<bool>;
    /// Co-signs a `signed` note and locks it. Returns whether it applied.
    fn cosign_note(&self, id: NoteId, cosignature: CosignatureRow) -> StoreResult<bool>;
    /// The earlier versions of a note, oldest first.
    fn note_versions(&self, id: NoteId) -> StoreResult<Vec<NoteVersionRow>>;
}

/// API tokens.
pub trait TokenStore: StaffStore {
    /// Stores a token digest; `Conflict` if the id or digest exists.
    fn insert_token(&self, row: &TokenRow) -> StoreResult<()>;
    /// The token with this digest, if any.
    fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<TokenRow>>;
    /// Every token of one actor, by creation time.
    fn tokens_of(&self, actor: ActorId) -> StoreResult<Vec<TokenRow>>;
    /// Deletes a token; whether it existed and belonged to `actor`.
    fn revoke_token(&self, actor: ActorId, id: TokenId) -> StoreResult<bool>;
    /// The token with this digest and the account it acts for, as of one moment (every request
    /// asks). An engine answers it in one query; this default asks the methods above.
    fn token_and_account(
        &self,
        digest: &[u8; 32],
    ) -> StoreResult<Option<(TokenRow, Option<UserRow>)>> {
        let Some(token) = self.token_by_digest(digest)? else {
            return Ok(None);
        };
        let account = self.user(token.actor)?;
        Ok(Some((token, account)))
    }
}

/// One audit event as stored: the canonical bytes that are hashed into the Merkle tree, plus
/// copies of a few of its fields as columns so the log can be searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Sequence number: 0, 1, 2, … with no gaps; the event's leaf index in the tree.
    pub seq: u64,
    /// When it happened (copied from the event for range queries).
    pub at: UnixMillis,
    /// Who acted, if known (copied from the event).
    pub actor: Option<ActorId>,
    /// What was done, e.g. `note.read` (copied from the event).
    pub action: String,
    /// Whose record, if any (copied from the event).
    pub client: Option<ClientId>,
    /// The canonical event bytes: ids and codes only, never client content.
    pub event: Vec<u8>,
}

/// A node of the audit Merkle tree: level 0 holds leaf hashes; node (level, index) covers
/// leaves `index·2^level ..< (index+1)·2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditNodeRow {
    /// Height above the leaves.
    pub level: u8,
    /// Position within the level.
    pub index: u64,
    /// The node's hash.
    pub hash: [u8; 32],
}

/// A signed checkpoint as stored: a C2SP signed note over (origin, size, root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// Tree size it commits to.
    pub size: u64,
    /// The signed note text.
    pub note: String,
    /// When it was signed.
    pub created_at: UnixMillis,
}

/// The audit signing key: Ed25519 seed sealed by the practice root key, and its public key.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditKeyRow {
    /// Sealed private seed.
    pub wrapped_seed: Sealed<[u8]>,
    /// Verifier key text (`name+keyid+base64`), public.
    pub verifier_key: String,
}

/// Filter for searching the audit log; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only events about this client.
    pub client: Option<ClientId>,
    /// Only events by this actor.
    pub actor: Option<ActorId>,
    /// Only this action.
    pub action: Option<String>,
    /// Only events at or after this time.
    pub since: Option<UnixMillis>,
    /// Only events before this time.
    pub until: Option<UnixMillis>,
    /// Only events with a sequence number greater than this (paging).
    pub after_seq: Option<u64>,
}

/// The audit log: append-only events, their Merkle tree nodes, and checkpoints.
pub trait AuditStore {
    /// The persisted Merkle frontier (opaque bytes from the audit crate), `None` for an empty log.
    fn audit_frontier(&self) -> StoreResult<Option<Vec<u8>>>;
    /// Appends events (consecutive seqs starting at the current log size), the tree nodes they
    /// complete (leaf hashes included) and the new frontier, in one durable transaction.
    /// `Conflict` if the first seq is not the current size.
    fn append_audit(
        &self,
        events: &[AuditRow],
        nodes: &[AuditNodeRow],
        frontier: &[u8],
    ) -> StoreResult<()>;
    /// Number of stored events.
    fn audit_size(&self) -> StoreResult<u64>;
    /// Up to `limit` events with seq ≥ `from`, ascending.
    fn audit_events(&self, from: u64, limit: usize) -> StoreResult<Vec<AuditRow>>;
    /// Up to `limit` events matching `filter`, ascending by seq.
    fn audit_search(&self, filter: &AuditFilter, limit: usize) -> StoreResult<Vec<AuditRow>>;
    /// One tree node, if stored.
    fn audit_node(&self, level: u8, index: u64) -> StoreResult<Option<[u8; 32]>>;
    /// Stores a checkpoint; `Conflict` if one for that size exists.
    fn add_checkpoint(&self, row: &CheckpointRow) -> StoreResult<()>;
    /// Every stored checkpoint, ascending by size.
    fn checkpoints(&self) -> StoreResult<Vec<CheckpointRow>>;
    /// The checkpoint with the largest size.
    fn latest_checkpoint(&self) -> StoreResult<Option<CheckpointRow>>;
    /// The audit signing key, if created.
    fn audit_key(&self) -> StoreResult<Option<AuditKeyRow>>;
    /// Stores the audit signing key; `Conflict` if one exists.
    fn set_audit_key(&self, row: &AuditKeyRow) -> StoreResult<()>;
}

/// Everything the core needs from a storage engine.
pub trait Store:
    PracticeStore
    + ClientStore
    + NoteStore
    + TokenStore
    + AuditStore
    + StaffStore
    + CareStore
    + PasskeyStore
    + AppointmentStore
    + AssessmentStore
    + AttachmentStore
    + Send
    + Sync
{
}

impl<T> Store for T where
    T: PracticeStore
        + ClientStore
        + NoteStore
        + TokenStore
        + AuditStore
        + StaffStore
        + CareStore
        + PasskeyStore
        + AppointmentStore
        + AssessmentStore
        + AttachmentStore
        + Send
        + Sync
{
}

/// The clock, a port so tests can control time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Converts a time to stored milliseconds.
pub fn to_millis(t: OffsetDateTime) -> UnixMillis {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Converts stored milliseconds back to a time.
pub fn from_millis(ms: UnixMillis) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|_| StoreError::Corrupt("timestamp out of range".into()))
}
