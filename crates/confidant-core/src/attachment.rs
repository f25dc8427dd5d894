//! Attachments: scanned documents and session recordings (up to 4 GiB) in a client's record,
//! stored as encrypted blobs and streamed in and out with constant memory — every one through
//! the access policy as record class `Documents`, and every access audited.
//!
//! Each attachment has its own random content key. Its bytes are encrypted as they arrive, in
//! 64 KiB authenticated chunks (`confidant_crypto::Encryptor`), straight into a blob that only
//! becomes visible once committed; the content key, the file's name and its media type are
//! sealed under the client's key in the metadata row, which is written only after that. A read
//! first decrypts the whole blob once without releasing anything, so a damaged blob is refused
//! up front, then decrypts it again as it is read, each chunk released only once authenticated.
//!
//! This module must never hold more than one chunk of a file in memory, write a plaintext byte
//! anywhere, or put a file's name or content in an error or a log.

mod media;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::{self, Read, Write};
use std::iter;
use std::sync::Arc;

use confidant_crypto::{
    AttachmentContext, AttachmentKey, CHUNK_SIZE, ClientKey, CryptoError, Decryptor, Encryptor,
    FieldContext, Sealed,
};
use serde::Serialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::access::Request;
use crate::audit::{Access, Action};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, AttachmentId, ClientId};
use crate::policy::{Op, RecordClass};
use crate::ports::{AttachmentRow, BlobStore, StoreError, from_millis, to_millis};
use crate::text::{self, Limit};
use crate::vault::Vault;

pub use media::MediaType;

/// Largest attachment a server accepts: 4 GiB, a long session recording.
pub const MAX_ATTACHMENT_BYTES: u64 = 4 << 30;
/// Longest file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;

/// Record kind bound into every sealed field of an attachment.
const KIND: &str = "attachment";

const FILENAME: Limit = Limit {
    max_chars: MAX_FILENAME_CHARS,
    multiline: false,
};

/// Where a vault keeps attachments' bytes, and how large one may be.
pub(crate) struct AttachmentStorage {
    blobs: Arc<dyn BlobStore>,
    max_bytes: u64,
}

/// A new attachment as a request states it; its bytes come separately, as a stream.
#[derive(Debug, Clone)]
pub struct AttachmentInput {
    /// The file's original name; stored sealed and never quoted in a message.
    pub filename: String,
    /// The declared media type (`Content-Type`).
    pub content_type: String,
    /// The length the sender announced, if any, so an oversized file is refused before any of
    /// it is read.
    pub declared_size: Option<u64>,
}

/// A validated new attachment.
struct NewAttachment {
    filename: String,
    media: MediaType,
}

impl NewAttachment {
    fn validate(input: AttachmentInput, max_bytes: u64) -> CoreResult<Self> {
        let media = MediaType::parse(&input.content_type).ok_or_else(|| {
            CoreError::UnsupportedMediaType(format!(
                "this type of file is not accepted; send one of: {}",
                media::accepted_list()
            ))
        })?;
        if input.declared_size.is_some_and(|n| n > max_bytes) {
            return Err(CoreError::TooLarge { limit: max_bytes });
        }
        let filename = text::required("filename", input.filename, FILENAME)?;
        if filename.contains(['/', '\\']) {
            return Err(Invalid::new("filename", "must be a file name without a folder").into());
        }
        Ok(Self { filename, media })
    }
}

/// An attachment's metadata, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    /// Attachment id.
    pub id: AttachmentId,
    /// Whose record it is in.
    pub client_id: ClientId,
    /// Who uploaded it.
    pub author: ActorId,
    /// The file's original name.
    pub filename: String,
    /// Its media type, e.g. `application/pdf`.
    #[schema(value_type = String)]
    pub content_type: MediaType,
    /// Its length in bytes.
    pub size: u64,
    /// When it was stored.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An attachment ready to be read: its metadata, and its content as a reader that releases
/// each chunk only once it authenticates. A read error means the stored blob changed since it
/// was checked: the caller must then abort whatever it is sending, never end it cleanly.
pub struct AttachmentContent {
    /// What the attachment is.
    pub attachment: Attachment,
    /// Its plaintext, `attachment.size` bytes.
    pub content: Box<dyn Read + Send>,
}

impl std::fmt::Debug for AttachmentContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentContent")
            .field("id", &self.attachment.id)
            .finish_non_exhaustive()
    }
}

fn request(op: Op, client: ClientId) -> Request {
    Request {
        op,
        class: RecordClass::Documents,
        client,
        author: None,
    }
}

/// An attachment of a hidden client answers exactly like a nonexistent attachment.
fn hidden_as_attachment(e: CoreError) -> CoreError {
    match e {
        CoreError::NotFound(_) => CoreError::NotFound("attachment"),
        other => other,
    }
}

/// The upload stopped before its end (the sender went away, or sent less than announced).
fn interrupted() -> CoreError {
    Invalid::new(
        "body",
        "the upload ended before the whole file arrived; nothing was stored, send it again",
    )
    .into()
}

fn blob_write_error(e: io::Error) -> CoreError {
    CoreError::Store(StoreError::Unavailable(format!(
        "write attachment blob: {e}"
    )))
}

/// A read failure of a stored blob: tampering or corruption, or the disk failing.
fn blob_read_error(e: io::Error) -> CoreError {
    let crypto = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<CryptoError>());
    if crypto.is_some() || e.kind() == io::ErrorKind::InvalidData {
        return CoreError::Integrity;
    }
    CoreError::Store(StoreError::Unavailable(format!(
        "read attachment blob: {e}"
    )))
}

/// Reads until `buf` is full or the stream ends; returns how much was read.
fn read_head(content: &mut impl Read, buf: &mut [u8]) -> CoreResult<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match content.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled = (filled + n).min(buf.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(interrupted()),
        }
    }
    Ok(filled)
}

/// Where an attachment's sealed fields live.
struct Place {
    id: String,
    client: String,
}

impl Place {
    fn of(id: AttachmentId, client: ClientId) -> Self {
        Self {
            id: id.to_string(),
            client: client.to_string(),
        }
    }

    fn field(&self, field: &'static str) -> FieldContext<'_> {
        FieldContext {
            kind: KIND,
            record_id: &self.id,
            client_id: &self.client,
            field,
        }
    }

    fn stream(&self) -> AttachmentContext<'_> {
        AttachmentContext {
            attachment_id: &self.id,
            client_id: &self.client,
        }
    }
}

/// Opens an attachment row's sealed name and type.
fn open_row(row: &AttachmentRow, key: &ClientKey) -> CoreResult<Attachment> {
    let place = Place::of(row.id, row.client_id);
    let filename = key.open(&place.field("filename"), &row.filename)?;
    let content_type = key.open(&place.field("content_type"), &row.content_type)?;
    let content_type = std::str::from_utf8(&content_type)
        .ok()
        .and_then(MediaType::parse)
        .ok_or(CoreError::Integrity)?;
    Ok(Attachment {
        id: row.id,
        client_id: row.client_id,
        author: row.author,
        filename: String::from_utf8(filename.to_vec()).map_err(|_| CoreError::Integrity)?,
        content_type,
        size: row.size,
        created_at: from_millis(row.created_at)?,
    })
}

impl Vault {
    /// Lets this vault keep attachments in `blobs`, each at most `max_bytes` long (never more
    /// than `MAX_ATTACHMENT_BYTES`). Without it, uploads and downloads are refused.
    pub fn with_attachments(mut self, blobs: Arc<dyn BlobStore>, max_bytes: u64) -> Self {
        self.attachments = Some(AttachmentStorage {
            blobs,
            max_bytes: max_bytes.min(MAX_ATTACHMENT_BYTES),
        });
        self
    }

    /// The largest attachment accepted, or `None` when attachments are off.
    pub fn max_attachment_bytes(&self) -> Option<u64> {
        self.attachments.as_ref().map(|s| s.max_bytes)
    }

    fn attachment_storage(&self) -> CoreResult<&AttachmentStorage> {
        self.attachments
            .as_ref()
            .ok_or(CoreError::AttachmentsDisabled)
    }

    /// Stores a file in a client's record as it is read from `content`: checks its type
    /// against the allow-list and its first bytes against that type's signature, encrypts it
    /// into a new blob, and adds its row once the blob is durable. Anything refused or
    /// interrupted leaves neither a row nor a blob.
    pub fn create_attachment(
        &self,
        access: &Access,
        client: ClientId,
        input: AttachmentInput,
        content: impl Read,
    ) -> CoreResult<AttachmentId> {
        let storage = self.attachment_storage()?;
        let row = self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::Create, client))?;
        let new = NewAttachment::validate(input, storage.max_bytes)?;
        let key = self.client_key(client, row.key_version)?;
        let id = AttachmentId::random();
        let place = Place::of(id, client);
        let content_key = AttachmentKey::generate()?;
        let size = write_blob(storage, id, &place, &content_key, new.media, content)?;
        // The blob is committed but nothing points at it yet: unless its row lands, it goes.
        let stored = (|| {
            let row = AttachmentRow {
                id,
                client_id: client,
                author: access.actor.id,
                created_at: to_millis(self.clock.now()),
                key_version: key.version(),
                content_key: key.seal_attachment_key(&place.stream(), &content_key)?,
                filename: key.seal(&place.field("filename"), new.filename.as_bytes())?,
                content_type: seal_type(&key, &place, new.media)?,
                size,
            };
            let one = iter::once((id.to_string(), Some(client), flagged));
            self.record_listing(access, Action::AttachmentCreate, KIND, Some(client), one)?;
            self.store.insert_attachment(&row).map_err(|e| match e {
                StoreError::Conflict(_) => CoreError::NotFound("client"),
                other => other.into(),
            })
        })();
        if stored.is_err() {
            let _ = storage.blobs.delete(id);
        }
        stored.map(|()| id)
    }

    /// The attachments in a client's record, oldest first.
    pub fn attachments_of_client(
        &self,
        access: &Access,
        client: ClientId,
    ) -> CoreResult<Vec<Attachment>> {
        self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::List, client))?;
        let mut keys: BTreeMap<u32, ClientKey> = BTreeMap::new();
        let mut list = Vec::new();
        for row in self.store.attachments_of(client)? {
            let key = match keys.entry(row.key_version) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.client_key(client, row.key_version)?),
            };
            list.push(open_row(&row, key)?);
        }
        let shown = list
            .iter()
            .map(|a| (a.id.to_string(), Some(client), flagged));
        self.record_listing(access, Action::AttachmentList, KIND, Some(client), shown)?;
        Ok(list)
    }

    /// Opens an attachment for reading. The whole stored blob is decrypted and checked once
    /// first (`Integrity` if it was damaged, truncated or reordered), and the read is audited,
    /// before the content is handed out.
    pub fn open_attachment(
        &self,
        access: &Access,
        id: AttachmentId,
    ) -> CoreResult<AttachmentContent> {
        let storage = self.attachment_storage()?;
        let row = self
            .store
            .attachment(id)?
            .ok_or(CoreError::NotFound("attachment"))?;
        let flagged = self
            .authorize(access, request(Op::Read, row.client_id))
            .map_err(hidden_as_attachment)?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let attachment = open_row(&row, &key)?;
        let place = Place::of(id, row.client_id);
        let content_key = key.open_attachment_key(&place.stream(), &row.content_key)?;
        let mut check = open_blob(storage, &row, &place, &content_key)?;
        let checked = io::copy(&mut check, &mut io::sink()).map_err(blob_read_error)?;
        if checked != row.size {
            return Err(CoreError::Integrity);
        }
        let one = iter::once((id.to_string(), Some(row.client_id), flagged));
        self.record_listing(
            access,
            Action::AttachmentRead,
            KIND,
            Some(row.client_id),
            one,
        )?;
        let content = Box::new(open_blob(storage, &row, &place, &content_key)?);
        Ok(AttachmentContent {
            attachment,
            content,
        })
    }

    /// Deletes a shredded client's attachments: their blobs, then their rows. Without a blob
    /// store the rows stay, unreadable (their key is gone), for a later shred to finish.
    pub(crate) fn shred_attachments(&self, client: ClientId) -> CoreResult<()> {
        let Some(storage) = &self.attachments else {
            return Ok(());
        };
        for row in self.store.attachments_of(client)? {
            storage.blobs.delete(row.id)?;
        }
        self.store.delete_attachments_of(client)?;
        Ok(())
    }
}

fn seal_type(key: &ClientKey, place: &Place, media: MediaType) -> CoreResult<Sealed<str>> {
    Ok(key.seal(&place.field("content_type"), media.as_str().as_bytes())?)
}

/// Encrypts `content` into a new, committed blob; returns the plaintext length. The first
/// bytes must carry `media`'s signature, and the whole must fit the size limit.
fn write_blob(
    storage: &AttachmentStorage,
    id: AttachmentId,
    place: &Place,
    content_key: &AttachmentKey,
    media: MediaType,
    mut content: impl Read,
) -> CoreResult<u64> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK_SIZE]);
    let head = read_head(&mut content, &mut buf[..media::SIGNATURE_LEN])?;
    if !media.signature_matches(&buf[..head]) {
        return Err(CoreError::UnsupportedMediaType(format!(
            "the file does not start as a {} file does; send it with its real type",
            media.as_str()
        )));
    }
    let writer = storage.blobs.begin(id)?;
    let mut enc = Encryptor::new(content_key, &place.stream(), writer).map_err(blob_write_error)?;
    let mut size = 0u64;
    let mut n = head;
    loop {
        size += n as u64;
        if size > storage.max_bytes {
            return Err(CoreError::TooLarge {
                limit: storage.max_bytes,
            });
        }
        enc.write_all(&buf[..n]).map_err(blob_write_error)?;
        n = match content.read(&mut buf[..]) {
            Ok(0) => break,
            Ok(n) => n.min(CHUNK_SIZE),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(_) => return Err(interrupted()),
        };
    }
    enc.finish().map_err(blob_write_error)?.commit()?;
    Ok(size)
}

/// A decrypting reader over a stored blob; a missing blob is an integrity failure.
fn open_blob(
    storage: &AttachmentStorage,
    row: &AttachmentRow,
    place: &Place,
    content_key: &AttachmentKey,
) -> CoreResult<Decryptor<Box<dyn Read + Send>>> {
    let blob = storage.blobs.open(row.id)?.ok_or(CoreError::Integrity)?;
    Decryptor::new(content_key, &place.stream(), blob).map_err(blob_read_error)
}
