//! Search through the vault never returns a record the policy denies, whatever the care teams,
//! restrictions and authors (property test), and finds every record the caller may read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use confidant_core::ports::{CareStore, CareTeamRow, StaffStore, SystemClock, UserRow};
use confidant_core::{
    Access, Actor, ActorId, ClientInput, Credential, NoteInput, NoteKind, Purpose, StaffRole, Vault,
};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;
use proptest::prelude::*;

fn staff_row(id: ActorId, role: StaffRole) -> UserRow {
    let email = Some(format!("{id}@practice.example"));
    UserRow::new(
        id,
        email,
        "Synthetic Staff".into(),
        role.as_str(),
        "active",
        0,
    )
}

fn client_input(i: usize) -> ClientInput {
    ClientInput {
        legal_name: format!("Harbor Person{i}"),
        preferred_name: None,
        date_of_birth: "1980-02-03".into(),
        phone: None,
        email: None,
        address: None,
        emergency_contact: None,
    }
}

/// One random practice: which clinician is on which client's team, which clients are
/// restricted, and who wrote which kind of note for whom.
#[derive(Debug, Clone)]
struct Plan {
    clients: usize,
    teams: Vec<(usize, usize)>,
    restricted: Vec<usize>,
    notes: Vec<(usize, usize, bool)>,
}

fn plan() -> impl Strategy<Value = Plan> {
    (2usize..6).prop_flat_map(|clients| {
        (
            Just(clients),
            proptest::collection::vec((0..3usize, 0..clients), 0..10),
            proptest::collection::vec(0..clients, 0..3),
            proptest::collection::vec((0..3usize, 0..clients, any::<bool>()), 0..10),
        )
            .prop_map(|(clients, teams, restricted, notes)| Plan {
                clients,
                teams,
                restricted,
                notes,
            })
    })
}

fn access(id: ActorId, role: StaffRole) -> Access {
    Access {
        actor: Actor {
            id,
            role,
            credential: Credential::Session,
        },
        purpose: Purpose::Treatment,
        source: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn search_returns_exactly_what_the_policy_lets_each_clinician_read(plan in plan()) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
        let done = confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key)).unwrap();
        let vault = Vault::unseal(store.clone(), Arc::new(SystemClock), &key).unwrap();
        let owner = Access { actor: vault.authenticate(&done.owner_token).unwrap(), purpose: Purpose::Treatment, source: None };

        let clinicians: Vec<ActorId> = (0..3).map(|_| ActorId::random()).collect();
        for &c in &clinicians {
            store.insert_user(&staff_row(c, StaffRole::Clinician)).unwrap();
        }
        let clients: Vec<_> = (0..plan.clients).map(|i| vault.create_client(&owner, client_input(i)).unwrap()).collect();
        let mut on_team = BTreeSet::new();
        for &(who, which) in &plan.teams {
            if on_team.insert((who, which)) {
                store.add_to_care_team(&CareTeamRow {
                    client: clients[which], user: clinicians[who], primary: false,
                    added_by: owner.actor.id, added_at: 0,
                }).unwrap();
            }
        }
        for &which in &plan.restricted {
            store.set_restricted(clients[which], true).unwrap();
        }
        for &(who, which, psychotherapy) in &plan.notes {
            let author = access(clinicians[who], StaffRole::Clinician);
            let kind = if psychotherapy { NoteKind::Psychotherapy } else { NoteKind::Progress };
            // Only care-team members can write; others are refused, which is fine here.
            let _ = vault.create_note(&author, clients[which], NoteInput::free(kind, "harbor session note"));
        }

        // The index rebuilt at unseal answers like the live one.
        let reopened = Vault::unseal(store.clone(), Arc::new(SystemClock), &key).unwrap();
        for v in [&vault, &reopened] {
            for &c in &clinicians {
                let who = access(c, StaffRole::Clinician);
                let results = v.search(&who, "harbor", 100).unwrap();
                let mut found_notes = BTreeSet::new();
                let mut found_clients = BTreeSet::new();
                for r in &results {
                    match r.note_id {
                        Some(n) => {
                            prop_assert!(v.note(&who, n).is_ok(), "search returned a note the policy denies");
                            found_notes.insert(n);
                        }
                        None => {
                            prop_assert!(v.client(&who, r.client_id).is_ok(), "search returned a hidden client");
                            found_clients.insert(r.client_id);
                        }
                    }
                }
                // Complete: every readable client and note containing the word is found.
                for &client in &clients {
                    if v.client(&who, client).is_ok() {
                        prop_assert!(found_clients.contains(&client));
                    }
                    if let Ok(notes) = v.notes_of_client(&who, client) {
                        for n in notes {
                            prop_assert!(found_notes.contains(&n.id), "a readable note was not found");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_shredded_client_disappears_from_search() {
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
    let gone = vault.create_client(&owner, client_input(1)).unwrap();
    vault
        .create_note(
            &owner,
            gone,
            NoteInput::free(NoteKind::Progress, "lighthouse"),
        )
        .unwrap();
    assert_eq!(vault.search(&owner, "lighthouse", 10).unwrap().len(), 1);
    vault.shred_client(gone).unwrap();
    assert!(vault.search(&owner, "lighthouse", 10).unwrap().is_empty());
    assert!(vault.search(&owner, "Person1", 10).unwrap().is_empty());
    let reopened = Vault::unseal(store, Arc::new(SystemClock), &key).unwrap();
    assert!(
        reopened
            .search(&owner, "lighthouse", 10)
            .unwrap()
            .is_empty()
    );
}
