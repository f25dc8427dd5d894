//! Attachments through the core services, against a real database and blob directory: files
//! round-trip byte for byte through the streaming encryption; refused types, forged
//! signatures, oversized and interrupted uploads leave neither a row nor a file; a damaged,
//! truncated or reordered blob is refused before a byte is handed out; the policy for class
//! `Documents` holds; and shredding a client deletes their blobs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use confidant_core::attachment::{AttachmentInput, MediaType};
use confidant_core::ids::AttachmentId;
use confidant_core::ports::{AttachmentStore, AuditFilter, AuditStore, SystemClock};
use confidant_core::{Access, Actor, ClientId, CoreError, Purpose, Vault};
use confidant_crypto::{CHUNK_SIZE, HEADER_LEN, KeyFileSecret, UnsealSecret};
use confidant_store::{FsBlobStore, SqliteStore};

/// One sealed chunk in a blob: a chunk of plaintext and its tag.
const SEALED_CHUNK: usize = CHUNK_SIZE + 16;

struct Practice {
    dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    vault: Vault,
    owner: Access,
    next: AtomicUsize,
}

/// A practice whose attachments live under its data directory, at most `max_bytes` each.
fn practice_with_limit(max_bytes: u64) -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done =
        confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key)).unwrap();
    let blobs = Arc::new(FsBlobStore::in_data_dir(dir.path()).unwrap());
    let vault = Vault::unseal(store.clone(), Arc::new(SystemClock), &key)
        .unwrap()
        .with_attachments(blobs, max_bytes);
    let owner = access(vault.authenticate(&done.owner_token).unwrap());
    Practice {
        dir,
        store,
        vault,
        owner,
        next: AtomicUsize::new(1),
    }
}

fn practice() -> Practice {
    practice_with_limit(confidant_core::attachment::MAX_ATTACHMENT_BYTES)
}

fn access(actor: Actor) -> Access {
    Access {
        actor,
        purpose: Purpose::Treatment,
        source: None,
    }
}

/// Deterministic bytes that differ at every offset, so a moved chunk cannot read the same.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

/// A PDF of `len` bytes (at least its signature).
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(pattern(len.saturating_sub(bytes.len()), 7));
    bytes.truncate(len.max(9));
    bytes
}

fn input(filename: &str, content_type: &str) -> AttachmentInput {
    AttachmentInput {
        filename: filename.into(),
        content_type: content_type.into(),
        declared_size: None,
    }
}

/// A reader that yields `data`, then fails as a dropped connection would.
struct Interrupted {
    data: io::Cursor<Vec<u8>>,
}

impl Read for Interrupted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(io::Error::new(io::ErrorKind::ConnectionReset, "gone")),
            n => Ok(n),
        }
    }
}

impl Practice {
    fn blob_dir(&self) -> PathBuf {
        self.dir.path().join(confidant_store::BLOB_DIR)
    }

    /// Every file in the blob directory (committed or temporary).
    fn blob_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.blob_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn blob_path(&self, id: AttachmentId) -> PathBuf {
        self.blob_dir().join(id.to_string())
    }

    /// An active staff account in `role`, acting through a signed-in session.
    fn hire(&self, role: &str) -> Access {
        access(common::hire(&self.vault, &self.owner, &self.next, role))
    }

    fn client(&self, by: &Access, name: &str) -> ClientId {
        self.vault
            .create_client(by, common::client_input(name))
            .unwrap()
    }

    fn upload(&self, client: ClientId, name: &str, bytes: &[u8]) -> AttachmentId {
        self.vault
            .create_attachment(&self.owner, client, input(name, "application/pdf"), bytes)
            .unwrap()
    }

    fn download(&self, by: &Access, id: AttachmentId) -> Result<Vec<u8>, CoreError> {
        let mut opened = self.vault.open_attachment(by, id)?;
        let mut out = Vec::new();
        opened.content.read_to_end(&mut out).unwrap();
        assert_eq!(opened.attachment.size, out.len() as u64);
        Ok(out)
    }

    fn events(&self, action: &str) -> Vec<serde_json::Value> {
        let filter = AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        };
        self.store
            .audit_search(&filter, 10_000)
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice(&r.event).unwrap())
            .collect()
    }
}

#[test]
fn a_file_round_trips_byte_for_byte_with_its_name_and_type_and_every_access_is_audited() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    // Three full chunks and a part, so order and the final chunk both matter.
    let content = pdf(3 * CHUNK_SIZE + 12_345);
    let id = p.upload(client, "Intake form – Ada É.pdf", &content);
    let listed = p.vault.attachments_of_client(&p.owner, client).unwrap();
    assert_eq!(listed.len(), 1);
    let a = &listed[0];
    assert_eq!(
        (a.id, a.client_id, a.author),
        (id, client, p.owner.actor.id)
    );
    assert_eq!(a.filename, "Intake form – Ada É.pdf");
    assert_eq!(a.content_type, MediaType::Pdf);
    assert_eq!(a.size, content.len() as u64);
    let mut opened = p.vault.open_attachment(&p.owner, id).unwrap();
    assert_eq!(opened.attachment, *a);
    let mut back = Vec::new();
    opened.content.read_to_end(&mut back).unwrap();
    assert!(back == content, "the content changed on the way");
    // The stored blob is the stream format's ciphertext, not the file.
    let stored = std::fs::read(p.blob_path(id)).unwrap();
    assert_eq!(&stored[..4], b"CFDA");
    assert_eq!(
        stored.len() as u64,
        confidant_crypto::encrypted_len(content.len() as u64).unwrap()
    );
    assert!(!stored.windows(9).any(|w| w == b"%PDF-1.7\n"));
    for action in ["attachment.create", "attachment.list", "attachment.read"] {
        let events = p.events(action);
        assert_eq!(events.len(), 1, "{action}");
        assert_eq!(events[0]["resource_id"], id.to_string(), "{action}");
        assert_eq!(events[0]["client"], client.to_string(), "{action}");
    }
}

#[test]
fn empty_and_exactly_chunk_sized_files_round_trip() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    let empty = p
        .vault
        .create_attachment(&p.owner, client, input("empty.txt", "text/plain"), &b""[..])
        .unwrap();
    assert_eq!(p.download(&p.owner, empty).unwrap(), b"");
    let exact = pdf(2 * CHUNK_SIZE);
    let id = p.upload(client, "exact.pdf", &exact);
    assert!(p.download(&p.owner, id).unwrap() == exact);
}

#[test]
fn refused_types_forged_signatures_bad_names_and_oversized_files_store_nothing() {
    let limit = 100_000;
    let p = practice_with_limit(limit);
    let client = p.client(&p.owner, "Ada Example");
    let name = "Secret-Name-7Q2.pdf";
    let attempts: Vec<(AttachmentInput, Vec<u8>, &str)> = vec![
        (input(name, "application/octet-stream"), pdf(1000), "415"),
        (input(name, "text/html"), b"<html>".to_vec(), "415"),
        (input(name, "image/png"), pdf(1000), "415"),
        (
            input(name, "application/pdf"),
            b"MZ\x90\x00".to_vec(),
            "415",
        ),
        (input(name, "application/pdf"), Vec::new(), "415"),
        (
            AttachmentInput {
                declared_size: Some(limit + 1),
                ..input(name, "application/pdf")
            },
            pdf(10),
            "413",
        ),
        (
            input(name, "application/pdf"),
            pdf(limit as usize + 1),
            "413",
        ),
        (input("", "application/pdf"), pdf(1000), "422"),
        (
            input("../etc/Secret-Name-7Q2.pdf", "application/pdf"),
            pdf(1000),
            "422",
        ),
        (input("a\nb.pdf", "application/pdf"), pdf(1000), "422"),
    ];
    for (i, (input, bytes, expected)) in attempts.into_iter().enumerate() {
        let err = p
            .vault
            .create_attachment(&p.owner, client, input, &bytes[..])
            .unwrap_err();
        let status = match &err {
            CoreError::UnsupportedMediaType(_) => "415",
            CoreError::TooLarge { limit: l } if *l == limit => "413",
            CoreError::Invalid(_) => "422",
            other => panic!("attempt {i}: unexpected {other:?}"),
        };
        assert_eq!(status, expected, "attempt {i}: {err}");
        assert!(!err.to_string().contains("Secret-Name"), "{err}");
    }
    // Exactly at the limit is fine.
    p.upload(client, "fits.pdf", &pdf(limit as usize));
    let listed = p.vault.attachments_of_client(&p.owner, client).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(p.blob_files(), vec![listed[0].id.to_string()]);
    assert!(p.events("attachment.create").len() == 1);
}

#[test]
fn an_interrupted_upload_stores_nothing() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    let cut = Interrupted {
        data: io::Cursor::new(pdf(2 * CHUNK_SIZE + 5)),
    };
    let err = p
        .vault
        .create_attachment(&p.owner, client, input("a.pdf", "application/pdf"), cut)
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::Invalid(i) if i.field == "body"),
        "{err:?}"
    );
    assert!(p.store.attachments_of(client).unwrap().is_empty());
    assert!(p.blob_files().is_empty(), "{:?}", p.blob_files());
    assert!(p.events("attachment.create").is_empty());
}

#[test]
fn a_damaged_truncated_reordered_or_missing_blob_is_refused_before_anything_is_read() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    let content = pdf(3 * CHUNK_SIZE + 100);
    let id = p.upload(client, "scan.pdf", &content);
    let path = p.blob_path(id);
    let good = std::fs::read(&path).unwrap();
    let chunk = |i: usize| HEADER_LEN + i * SEALED_CHUNK..HEADER_LEN + (i + 1) * SEALED_CHUNK;
    let mut flipped = good.clone();
    flipped[HEADER_LEN + 2 * SEALED_CHUNK + 7] ^= 1;
    let mut swapped = good.clone();
    swapped[chunk(0)].copy_from_slice(&good[chunk(1)]);
    swapped[chunk(1)].copy_from_slice(&good[chunk(0)]);
    let damaged = [
        ("a flipped bit", flipped),
        ("two chunks swapped", swapped),
        ("cut at a chunk boundary", good[..chunk(2).end].to_vec()),
        ("cut mid-chunk", good[..good.len() - 5].to_vec()),
        ("a byte appended", [good.as_slice(), b"x"].concat()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&path, &bytes).unwrap();
        let r = p.vault.open_attachment(&p.owner, id);
        assert!(matches!(r, Err(CoreError::Integrity)), "{what}: {r:?}");
    }
    std::fs::remove_file(&path).unwrap();
    let r = p.vault.open_attachment(&p.owner, id);
    assert!(matches!(r, Err(CoreError::Integrity)), "missing: {r:?}");
    assert!(p.events("attachment.read").is_empty(), "nothing was read");
    std::fs::write(&path, &good).unwrap();
    assert!(p.download(&p.owner, id).unwrap() == content);
}

#[test]
fn a_blob_changed_after_the_check_fails_the_read_instead_of_ending_early() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    let content = pdf(3 * CHUNK_SIZE);
    let id = p.upload(client, "scan.pdf", &content);
    let mut opened = p.vault.open_attachment(&p.owner, id).unwrap();
    // Cut in place after the check, as a failing disk or a careless hand might: the open
    // reader sees the shorter file.
    std::fs::OpenOptions::new()
        .write(true)
        .open(p.blob_path(id))
        .unwrap()
        .set_len((HEADER_LEN + 2 * SEALED_CHUNK) as u64)
        .unwrap();
    let mut out = Vec::new();
    let err = opened.content.read_to_end(&mut out).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(out.len() < content.len());
}

#[test]
fn documents_follow_the_policy_for_each_role() {
    let p = practice();
    let client = p.client(&p.owner, "Ada Example");
    let id = p.upload(client, "scan.pdf", &pdf(5000));
    for role in ["front_desk", "biller", "privacy_officer"] {
        let who = p.hire(role);
        let create = p.vault.create_attachment(
            &who,
            client,
            input("x.pdf", "application/pdf"),
            &pdf(100)[..],
        );
        assert!(
            matches!(create, Err(CoreError::Forbidden(_))),
            "{role}: {create:?}"
        );
        let list = p.vault.attachments_of_client(&who, client);
        assert!(
            matches!(list, Err(CoreError::Forbidden(_))),
            "{role}: {list:?}"
        );
        let open = p.vault.open_attachment(&who, id);
        assert!(
            matches!(open, Err(CoreError::Forbidden(_))),
            "{role}: {open:?}"
        );
    }
    // A clinician off the care team cannot tell the attachment exists.
    let outsider = p.hire("clinician");
    let open = p.vault.open_attachment(&outsider, id);
    assert!(
        matches!(open, Err(CoreError::NotFound("attachment"))),
        "{open:?}"
    );
    let list = p.vault.attachments_of_client(&outsider, client);
    assert!(matches!(list, Err(CoreError::NotFound(_))), "{list:?}");
    // A clinician's own client: they upload, list and read.
    let clinician = p.hire("clinician");
    let theirs = p.client(&clinician, "Bo Example");
    let own = p
        .vault
        .create_attachment(
            &clinician,
            theirs,
            input("note.txt", "text/plain; charset=utf-8"),
            &b"plain words"[..],
        )
        .unwrap();
    assert_eq!(p.download(&clinician, own).unwrap(), b"plain words");
    assert_eq!(p.blob_files().len(), 2, "refused uploads left nothing");
    assert!(!p.events("access.denied").is_empty());
}

#[test]
fn shredding_a_client_deletes_their_blobs_and_rows_and_no_one_elses() {
    let p = practice();
    let doomed = p.client(&p.owner, "Ada Example");
    let kept = p.client(&p.owner, "Bo Example");
    p.upload(doomed, "one.pdf", &pdf(1000));
    p.upload(doomed, "two.pdf", &pdf(CHUNK_SIZE + 1));
    let stays = p.upload(kept, "three.pdf", &pdf(1000));
    p.vault.shred_client(doomed).unwrap();
    assert!(p.store.attachments_of(doomed).unwrap().is_empty());
    assert_eq!(p.blob_files(), vec![stays.to_string()]);
    assert_eq!(p.download(&p.owner, stays).unwrap(), pdf(1000));
}

#[test]
fn without_a_blob_store_attachments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done =
        confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key)).unwrap();
    let vault = Vault::unseal(store, Arc::new(SystemClock), &key).unwrap();
    assert_eq!(vault.max_attachment_bytes(), None);
    let owner = access(vault.authenticate(&done.owner_token).unwrap());
    let r = vault.create_attachment(
        &owner,
        ClientId::random(),
        input("a.pdf", "application/pdf"),
        &pdf(10)[..],
    );
    assert!(matches!(r, Err(CoreError::AttachmentsDisabled)), "{r:?}");
    let r = vault.open_attachment(&owner, AttachmentId::random());
    assert!(matches!(r, Err(CoreError::AttachmentsDisabled)), "{r:?}");
}
