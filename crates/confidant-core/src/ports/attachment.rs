//! Storage ports for attachments: a metadata row per attachment (`AttachmentStore`, in the
//! database) and its encrypted bytes (`BlobStore`, files or object storage).
//!
//! The row carries what the core needs to open the blob — the attachment's content key sealed
//! under the client's key — and the file's name and type, sealed too. Its plaintext size, its
//! author and its time are metadata in the clear (the blob's own length gives the size away
//! anyway). A blob is only ever the ciphertext of the attachment stream format; neither port
//! sees a key or a plaintext byte.
//!
//! A blob becomes visible under its id only when committed, durably and atomically; the core
//! inserts the row only after that, so a row never points at a half-written blob, and an
//! abandoned upload leaves neither a row nor a file.

use std::io::{Read, Write};

use confidant_crypto::{AttachmentKey, Sealed};

use super::{StoreResult, UnixMillis};
use crate::ids::{ActorId, AttachmentId, ClientId};

/// One attachment's metadata; what describes the client is sealed under the client's key.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentRow {
    /// Attachment id; also names its blob.
    pub id: AttachmentId,
    /// Whose record it belongs to.
    pub client_id: ClientId,
    /// Who uploaded it.
    pub author: ActorId,
    /// When it was stored.
    pub created_at: UnixMillis,
    /// Client key version that sealed the content key, name and type.
    pub key_version: u32,
    /// The attachment's own content key, sealed under the client key.
    pub content_key: Sealed<AttachmentKey>,
    /// The original file name, sealed.
    pub filename: Sealed<str>,
    /// The media type, e.g. `application/pdf`, sealed.
    pub content_type: Sealed<str>,
    /// Plaintext length in bytes (at most `i64::MAX` as stored).
    pub size: u64,
}

/// Attachment metadata rows.
pub trait AttachmentStore {
    /// Adds an attachment's row; `Conflict` if the id exists or the client does not.
    fn insert_attachment(&self, row: &AttachmentRow) -> StoreResult<()>;
    /// One attachment.
    fn attachment(&self, id: AttachmentId) -> StoreResult<Option<AttachmentRow>>;
    /// Every attachment of one client, oldest first (ties by id).
    fn attachments_of(&self, client: ClientId) -> StoreResult<Vec<AttachmentRow>>;
    /// Deletes every attachment row of one client (when the client is shredded); how many went.
    fn delete_attachments_of(&self, client: ClientId) -> StoreResult<usize>;
}

/// A blob being written. Bytes go somewhere private (a temporary file) until `commit`; dropping
/// the writer without committing discards everything it wrote.
pub trait BlobWriter: Write + Send {
    /// Makes the blob durable and visible under its id in one atomic step; `Conflict` if a blob
    /// with that id already exists (which then stays as it was).
    fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Encrypted attachment bytes, by attachment id. Implementations must make `commit` durable
/// (synced to disk) before returning, never expose an uncommitted blob, and never leave one
/// behind once its writer is dropped.
pub trait BlobStore: Send + Sync {
    /// Starts a new blob under `id`; `Conflict` if one exists.
    fn begin(&self, id: AttachmentId) -> StoreResult<Box<dyn BlobWriter>>;
    /// Reads a committed blob from its start; `None` if there is none under `id`.
    fn open(&self, id: AttachmentId) -> StoreResult<Option<Box<dyn Read + Send>>>;
    /// Deletes a committed blob, durably; whether there was one.
    fn delete(&self, id: AttachmentId) -> StoreResult<bool>;
}
