//! The vault against a real store: unseal methods, practice-key rotation online, and
//! crypto-shredding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use confidant_core::ports::{ClientStore, PracticeStore, SystemClock};
use confidant_core::{
    Access, ClientId, ClientInput, CoreError, NoteInput, NoteKind, Purpose, Vault,
};
use confidant_crypto::{ApiTokenSecret, KeyFileSecret, Passphrase, RecoveryCode, UnsealSecret};
use confidant_store::SqliteStore;

struct Practice {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    key: KeyFileSecret,
    recovery: RecoveryCode,
    token: ApiTokenSecret,
}

fn practice() -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let key = KeyFileSecret::generate().unwrap();
    let done = confidant_core::init(
        store.as_ref(),
        &SystemClock,
        &[UnsealSecret::KeyFile(key.clone())],
    )
    .unwrap();
    Practice {
        _dir: dir,
        store,
        key,
        recovery: done.recovery_code,
        token: done.owner_token,
    }
}

impl Practice {
    fn open(&self) -> (Vault, Access) {
        let vault = Vault::unseal(
            self.store.clone(),
            Arc::new(SystemClock),
            &UnsealSecret::KeyFile(self.key.clone()),
        )
        .unwrap();
        let actor = vault.authenticate(&self.token).unwrap();
        let owner = Access {
            actor,
            purpose: Purpose::Treatment,
            source: None,
        };
        (vault, owner)
    }
}

fn client_input(i: usize) -> ClientInput {
    ClientInput {
        legal_name: format!("Synthetic Person {i}"),
        preferred_name: None,
        date_of_birth: "1980-01-15".into(),
        phone: None,
        email: None,
        address: None,
        emergency_contact: None,
    }
}

fn note(body: &str) -> NoteInput {
    NoteInput::free(NoteKind::Progress, body)
}

#[test]
fn every_unseal_method_opens_the_practice_and_a_wrong_secret_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let pass = Passphrase::new("a practice passphrase".into()).unwrap();
    let key = KeyFileSecret::generate().unwrap();
    let done = confidant_core::init(
        store.as_ref(),
        &SystemClock,
        &[
            UnsealSecret::Passphrase(pass.clone()),
            UnsealSecret::KeyFile(key.clone()),
        ],
    )
    .unwrap();
    for secret in [
        UnsealSecret::Passphrase(pass),
        UnsealSecret::KeyFile(key),
        UnsealSecret::RecoveryCode(done.recovery_code.clone()),
    ] {
        let v = Vault::unseal(store.clone(), Arc::new(SystemClock), &secret).unwrap();
        assert_eq!(v.practice_id(), done.practice_id);
    }
    let wrong = UnsealSecret::Passphrase(Passphrase::for_unseal("not the passphrase".into()));
    assert!(matches!(
        Vault::unseal(store.clone(), Arc::new(SystemClock), &wrong),
        Err(CoreError::Unseal(_))
    ));
    let other_key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    assert!(matches!(
        Vault::unseal(store.clone(), Arc::new(SystemClock), &other_key),
        Err(CoreError::Unseal(_))
    ));
    assert!(matches!(
        confidant_core::init(store.as_ref(), &SystemClock, &[other_key]),
        Err(CoreError::AlreadyInitialized)
    ));
}

#[test]
fn an_empty_store_is_not_initialized() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let secret = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    assert!(matches!(
        Vault::unseal(store, Arc::new(SystemClock), &secret),
        Err(CoreError::NotInitialized)
    ));
}

#[test]
fn only_the_issued_token_authenticates() {
    let p = practice();
    let (vault, owner) = p.open();
    assert_eq!(owner.actor.role, confidant_core::StaffRole::Owner);
    let forged = ApiTokenSecret::generate().unwrap();
    assert!(matches!(
        vault.authenticate(&forged),
        Err(CoreError::Unauthenticated)
    ));
}

#[test]
fn rotation_online_keeps_every_record_readable_and_retires_the_old_key() {
    let p = practice();
    let (vault, owner) = p.open();
    let vault = Arc::new(vault);
    let mut written = Vec::new();
    for i in 0..40 {
        let c = vault.create_client(&owner, client_input(i)).unwrap();
        let n = vault
            .create_note(&owner, c, note(&format!("note {i}")))
            .unwrap();
        written.push((c, n, i));
    }
    // Writers keep going while the key rotates.
    let writer = {
        let vault = vault.clone();
        std::thread::spawn(move || {
            (100..160)
                .map(|i| {
                    let c = vault.create_client(&owner, client_input(i)).unwrap();
                    (
                        c,
                        vault
                            .create_note(&owner, c, note(&format!("note {i}")))
                            .unwrap(),
                        i,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let first = vault.rotate_practice_key().unwrap();
    written.extend(writer.join().unwrap());
    let second = vault.rotate_practice_key().unwrap();
    assert_eq!((first.version, second.version), (2, 3));
    assert!(
        second.rewrapped >= 100,
        "every client key was rewrapped again: {second:?}"
    );
    assert_eq!(
        p.store
            .practice_keys()
            .unwrap()
            .iter()
            .map(|k| k.version)
            .collect::<Vec<_>>(),
        vec![3]
    );
    assert!(p.store.client_keys_not_under(3, 10).unwrap().is_empty());

    // Readable now, and after a fresh unseal from storage alone.
    let (reopened, owner) = p.open();
    for v in [&*vault, &reopened] {
        for (c, n, i) in &written {
            assert_eq!(
                v.client(&owner, *c).unwrap().legal_name,
                format!("Synthetic Person {i}")
            );
            assert_eq!(v.note(&owner, *n).unwrap().body, format!("note {i}"));
        }
    }
    // The recovery code still opens it: slots seal the root, which rotation leaves alone.
    Vault::unseal(
        p.store.clone(),
        Arc::new(SystemClock),
        &UnsealSecret::RecoveryCode(p.recovery.clone()),
    )
    .unwrap();
}

#[test]
fn a_shredded_clients_records_never_open_again() {
    let p = practice();
    let (vault, owner) = p.open();
    let gone = vault.create_client(&owner, client_input(1)).unwrap();
    let gone_note = vault
        .create_note(&owner, gone, note("to be destroyed"))
        .unwrap();
    let kept = vault.create_client(&owner, client_input(2)).unwrap();
    let kept_note = vault.create_note(&owner, kept, note("stays")).unwrap();
    // Notes list oldest first; a tick apart, so the order is by time, not by random id.
    std::thread::sleep(std::time::Duration::from_millis(3));
    let second = vault.create_note(&owner, kept, note("stays too")).unwrap();
    let listed: Vec<_> = vault
        .notes_of_client(&owner, kept)
        .unwrap()
        .into_iter()
        .map(|n| (n.id, n.body))
        .collect();
    assert_eq!(
        listed,
        vec![
            (kept_note, "stays".to_owned()),
            (second, "stays too".to_owned())
        ]
    );

    vault.shred_client(gone).unwrap();
    let (reopened, owner2) = p.open();
    for (v, who) in [(&vault, &owner), (&reopened, &owner2)] {
        assert!(matches!(v.client(who, gone), Err(CoreError::Shredded)));
        assert!(matches!(v.note(who, gone_note), Err(CoreError::Shredded)));
        assert!(matches!(
            v.create_note(who, gone, note("more")),
            Err(CoreError::Shredded)
        ));
        let listed: Vec<ClientId> = v
            .clients(who, None, 100)
            .unwrap()
            .clients
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(listed, vec![kept]);
        assert_eq!(v.note(who, kept_note).unwrap().body, "stays");
    }
    // Rotation skips nothing and resurrects nothing.
    vault.rotate_practice_key().unwrap();
    assert!(matches!(
        vault.client(&owner, gone),
        Err(CoreError::Shredded)
    ));
    assert!(matches!(
        vault.shred_client(ClientId::random()),
        Err(CoreError::NotFound(_))
    ));
}

#[test]
fn listing_pages_through_every_client_once() {
    let p = practice();
    let (vault, owner) = p.open();
    let mut ids: Vec<ClientId> = (0..25)
        .map(|i| vault.create_client(&owner, client_input(i)).unwrap())
        .collect();
    ids.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = vault.clients(&owner, after, 7).unwrap();
        assert!(page.clients.len() <= 7);
        seen.extend(page.clients.iter().map(|c| c.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}
