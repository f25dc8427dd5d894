//! The benchmark-only `bench-insecure-plaintext` feature (record fields stored as plaintext,
//! nothing audited) must be off in every normal build, however the workspace's features unify
//! under `cargo test --workspace`: a note is stored sealed, and reading it leaves an event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use confidant_core::ports::{AuditFilter, AuditStore, NoteStore, SystemClock};
use confidant_core::{Access, ClientInput, NoteInput, NoteKind, Purpose, Vault};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;

const CANARY: &str = "canary-7f3a91 said something only their therapist may read";

#[test]
fn a_normal_build_seals_what_it_stores_and_audits_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done =
        confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key)).unwrap();
    let vault = Vault::unseal(store.clone(), Arc::new(SystemClock), &key).unwrap();
    let owner = Access {
        actor: vault.authenticate(&done.owner_token).unwrap(),
        purpose: Purpose::Treatment,
        source: None,
    };
    let client = vault
        .create_client(
            &owner,
            ClientInput {
                legal_name: "Synthetic Person".into(),
                preferred_name: None,
                date_of_birth: "1980-01-01".into(),
                phone: None,
                email: None,
                address: None,
                emergency_contact: None,
            },
        )
        .unwrap();
    let id = vault
        .create_note(&owner, client, NoteInput::free(NoteKind::Progress, CANARY))
        .unwrap();

    let stored = store.note(id).unwrap().unwrap();
    let sealed = stored.body.as_bytes();
    assert!(!sealed.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()));
    assert_eq!(vault.note(&owner, id).unwrap().body, CANARY);

    let reads = AuditFilter {
        action: Some("note.read".into()),
        ..AuditFilter::default()
    };
    assert_eq!(store.audit_search(&reads, 10).unwrap().len(), 1);
}
