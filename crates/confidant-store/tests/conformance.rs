//! Storage conformance suite: what every engine behind the `Store` port must do, written once
//! against the trait and run on each engine (`conformance_suite!(harness)`), plus the checks
//! that only make sense for SQLite's files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use confidant_core::ports::Store;

/// Gives one test its own empty database; every `open` opens that same database again.
pub trait Harness {
    /// A store on this harness's database.
    fn open(&self) -> Box<dyn Store>;
}

/// Runs every suite test against the engine that `$harness` (an expression making a fresh
/// `Harness`) opens. A suite function missing here fails the build as dead code.
macro_rules! conformance_suite {
    ($harness:expr) => {
        conformance_suite!(@tests $harness;
            fresh_store_has_no_practice_and_nothing_in_it,
            created_practice_reads_back_with_its_slots_key_and_owner_token,
            creating_a_practice_twice_is_a_conflict_and_changes_nothing,
            failed_practice_creation_leaves_no_partial_rows,
            practice_keys_are_listed_in_version_order,
            adding_an_existing_practice_key_version_is_a_conflict,
            practice_key_still_wrapping_a_client_key_cannot_be_deleted,
            unused_practice_key_can_be_deleted,
            inserted_client_and_its_key_read_back_unchanged,
            inserting_a_client_id_twice_is_a_conflict_and_keeps_the_first,
            client_with_a_key_for_another_client_is_refused_and_not_written,
            unknown_client_and_key_read_as_none,
            clients_page_in_id_order_without_gaps_or_repeats,
            client_keys_not_under_a_version_are_listed_up_to_the_limit,
            rewrap_replaces_a_key_only_while_it_is_under_the_expected_version,
            shredding_removes_every_key_of_that_client_and_only_that_client,
            inserted_note_reads_back_unchanged,
            notes_of_a_client_are_listed_oldest_first_and_only_theirs,
            inserting_a_note_id_twice_is_a_conflict_and_keeps_the_first,
            note_for_an_unknown_client_is_a_conflict,
            token_reads_back_by_its_digest,
            token_with_a_taken_id_or_digest_is_a_conflict,
            conflict_messages_name_no_stored_values,
            data_persists_after_the_store_is_dropped_and_reopened,
            writes_and_reads_from_many_threads_all_land,
            arbitrary_rows_round_trip_exactly,
        );
    };
    (@tests $harness:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let harness = $harness;
                crate::suite::$name(&harness);
            }
        )*
    };
}

/// The engine-independent suite; each function is one test, named as what it shows.
mod suite {
    use confidant_core::ids::{ActorId, ClientId, NoteId, PracticeId, TokenId};
    use confidant_core::ports::{
        ClientKeyRow, ClientRow, NewPractice, NoteRow, PracticeKeyRow, PracticeRow, Store,
        StoreError, TokenRow,
    };
    use confidant_crypto::{Argon2Cost, Sealed, UnsealMethod, UnsealSlot};

    use super::Harness;

    /// Synthetic bytes, different on every call so a round trip cannot pass by accident.
    fn blob(len: usize) -> Vec<u8> {
        std::iter::repeat_with(|| *uuid::Uuid::new_v4().as_bytes())
            .flatten()
            .take(len)
            .collect()
    }

    fn sealed<T: ?Sized>() -> Sealed<T> {
        Sealed::from_bytes(blob(61))
    }

    fn practice_key(version: u32) -> PracticeKeyRow {
        PracticeKeyRow {
            version,
            wrapped: sealed(),
            created_at: 1_700_000_000_000 + i64::from(version),
        }
    }

    fn token() -> TokenRow {
        TokenRow {
            id: TokenId::random(),
            digest: blob(32).try_into().unwrap(),
            actor: ActorId::random(),
            role: "clinician".into(),
            label: "synthetic test token".into(),
            created_at: 1_700_000_000_123,
            expires_at: Some(1_800_000_000_000),
        }
    }

    fn new_practice() -> NewPractice {
        let slot = |method| UnsealSlot {
            method,
            salt: blob(16),
            wrapped: sealed(),
        };
        NewPractice {
            practice: PracticeRow {
                id: PracticeId::random(),
                created_at: 1_700_000_000_000,
            },
            slots: vec![
                slot(UnsealMethod::Passphrase(Argon2Cost::DEFAULT)),
                slot(UnsealMethod::KeyFile),
                slot(UnsealMethod::RecoveryCode),
            ],
            first_key: practice_key(1),
            owner_token: TokenRow {
                role: "owner".into(),
                label: "bootstrap owner token".into(),
                expires_at: None,
                ..token()
            },
        }
    }

    /// A client and its first data key, wrapped by practice key `under`.
    fn client_under(under: u32) -> (ClientRow, ClientKeyRow) {
        let id = ClientId::random();
        let client = ClientRow {
            id,
            key_version: 1,
            created_at: 1_700_000_000_456,
            legal_name: sealed(),
            preferred_name: sealed(),
            date_of_birth: sealed(),
            phone: sealed(),
            email: sealed(),
            address: sealed(),
            emergency_contact: sealed(),
        };
        let key = ClientKeyRow {
            client_id: id,
            version: 1,
            practice_key_version: under,
            wrapped: sealed(),
        };
        (client, key)
    }

    fn stored_client(store: &dyn Store) -> (ClientRow, ClientKeyRow) {
        let (client, key) = client_under(1);
        store.insert_client(&client, &key).unwrap();
        (client, key)
    }

    fn note_for(client: ClientId) -> NoteRow {
        NoteRow {
            id: NoteId::random(),
            client_id: client,
            key_version: 1,
            kind: "progress".into(),
            author: ActorId::random(),
            created_at: 1_700_000_000_789,
            body: Sealed::from_bytes(blob(4096 + 29)),
        }
    }

    fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
        match result {
            Err(StoreError::Conflict(msg)) => msg,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    pub fn fresh_store_has_no_practice_and_nothing_in_it(h: &dyn Harness) {
        let store = h.open();
        assert_eq!(store.practice().unwrap(), None);
        assert!(store.unseal_slots().unwrap().is_empty());
        assert!(store.practice_keys().unwrap().is_empty());
        assert!(store.clients(None, 10).unwrap().is_empty());
        assert!(store.client_keys_not_under(1, 10).unwrap().is_empty());
    }

    pub fn created_practice_reads_back_with_its_slots_key_and_owner_token(h: &dyn Harness) {
        let store = h.open();
        let new = new_practice();
        store.create_practice(&new).unwrap();
        assert_eq!(store.practice().unwrap(), Some(new.practice.clone()));
        assert_eq!(store.unseal_slots().unwrap(), new.slots);
        assert_eq!(store.practice_keys().unwrap(), vec![new.first_key.clone()]);
        let token = store.token_by_digest(&new.owner_token.digest).unwrap();
        assert_eq!(token, Some(new.owner_token.clone()));
    }

    pub fn creating_a_practice_twice_is_a_conflict_and_changes_nothing(h: &dyn Harness) {
        let store = h.open();
        let first = new_practice();
        store.create_practice(&first).unwrap();
        let second = new_practice();
        assert_conflict(store.create_practice(&second));
        assert_eq!(store.practice().unwrap(), Some(first.practice));
        assert_eq!(store.unseal_slots().unwrap(), first.slots);
        assert_eq!(store.practice_keys().unwrap(), vec![first.first_key]);
        assert_eq!(
            store.token_by_digest(&second.owner_token.digest).unwrap(),
            None
        );
    }

    pub fn failed_practice_creation_leaves_no_partial_rows(h: &dyn Harness) {
        let store = h.open();
        let new = new_practice();
        // The owner token's digest is already taken, so the last row of `init` fails.
        let squatter = TokenRow {
            digest: new.owner_token.digest,
            ..token()
        };
        store.insert_token(&squatter).unwrap();
        assert_conflict(store.create_practice(&new));
        assert_eq!(store.practice().unwrap(), None);
        assert!(store.unseal_slots().unwrap().is_empty());
        assert!(store.practice_keys().unwrap().is_empty());
        assert_eq!(
            store.token_by_digest(&new.owner_token.digest).unwrap(),
            Some(squatter)
        );
    }

    pub fn practice_keys_are_listed_in_version_order(h: &dyn Harness) {
        let store = h.open();
        let keys = [practice_key(3), practice_key(1), practice_key(2)];
        for key in &keys {
            store.add_practice_key(key).unwrap();
        }
        let versions: Vec<u32> = store
            .practice_keys()
            .unwrap()
            .iter()
            .map(|k| k.version)
            .collect();
        assert_eq!(versions, [1, 2, 3]);
        assert_eq!(store.practice_keys().unwrap()[2], keys[0]);
    }

    pub fn adding_an_existing_practice_key_version_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let first = practice_key(2);
        store.add_practice_key(&first).unwrap();
        assert_conflict(store.add_practice_key(&practice_key(2)));
        assert_eq!(store.practice_keys().unwrap(), vec![first]);
    }

    pub fn practice_key_still_wrapping_a_client_key_cannot_be_deleted(h: &dyn Harness) {
        let store = h.open();
        store.add_practice_key(&practice_key(1)).unwrap();
        store.add_practice_key(&practice_key(2)).unwrap();
        let (_, key) = stored_client(&*store);
        assert_conflict(store.delete_practice_key(1));
        assert_eq!(store.practice_keys().unwrap().len(), 2);
        assert_eq!(store.client_key(key.client_id, 1).unwrap(), Some(key));
    }

    pub fn unused_practice_key_can_be_deleted(h: &dyn Harness) {
        let store = h.open();
        store.add_practice_key(&practice_key(1)).unwrap();
        let current = practice_key(2);
        store.add_practice_key(&current).unwrap();
        let (_, key) = stored_client(&*store);
        let moved = ClientKeyRow {
            practice_key_version: 2,
            wrapped: sealed(),
            ..key
        };
        assert!(store.rewrap_client_key(&moved, 1).unwrap());
        store.delete_practice_key(1).unwrap();
        assert_eq!(store.practice_keys().unwrap(), vec![current]);
    }

    pub fn inserted_client_and_its_key_read_back_unchanged(h: &dyn Harness) {
        let store = h.open();
        let (client, key) = stored_client(&*store);
        assert_eq!(store.client(client.id).unwrap(), Some(client.clone()));
        assert_eq!(store.client_key(client.id, 1).unwrap(), Some(key));
        assert_eq!(store.clients(None, 10).unwrap(), vec![client]);
    }

    pub fn inserting_a_client_id_twice_is_a_conflict_and_keeps_the_first(h: &dyn Harness) {
        let store = h.open();
        let (client, key) = stored_client(&*store);
        let (other, other_key) = client_under(1);
        let twin = ClientRow {
            id: client.id,
            ..other
        };
        let twin_key = ClientKeyRow {
            client_id: client.id,
            ..other_key
        };
        assert_conflict(store.insert_client(&twin, &twin_key));
        assert_eq!(store.client(client.id).unwrap(), Some(client));
        assert_eq!(store.client_key(key.client_id, 1).unwrap(), Some(key));
    }

    pub fn client_with_a_key_for_another_client_is_refused_and_not_written(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = client_under(1);
        let (_, stray_key) = client_under(1);
        assert!(store.insert_client(&client, &stray_key).is_err());
        assert_eq!(store.client(client.id).unwrap(), None);
        assert_eq!(store.client_key(stray_key.client_id, 1).unwrap(), None);
    }

    pub fn unknown_client_and_key_read_as_none(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        assert_eq!(store.client(ClientId::random()).unwrap(), None);
        assert_eq!(store.client_key(ClientId::random(), 1).unwrap(), None);
        assert_eq!(store.client_key(client.id, 2).unwrap(), None);
        assert_eq!(store.note(NoteId::random()).unwrap(), None);
        assert_eq!(store.token_by_digest(&[7; 32]).unwrap(), None);
    }

    pub fn clients_page_in_id_order_without_gaps_or_repeats(h: &dyn Harness) {
        let store = h.open();
        let mut ids: Vec<ClientId> = (0..23).map(|_| stored_client(&*store).0.id).collect();
        ids.sort();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.clients(after, 5).unwrap();
            assert!(page.len() <= 5);
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            seen.extend(page.iter().map(|c| c.id));
        }
        assert_eq!(seen, ids);
        assert!(store.clients(None, 0).unwrap().is_empty());
        assert_eq!(store.clients(Some(ids[21]), 10).unwrap().len(), 1);
        assert!(store.clients(Some(ids[22]), 10).unwrap().is_empty());
    }

    pub fn client_keys_not_under_a_version_are_listed_up_to_the_limit(h: &dyn Harness) {
        let store = h.open();
        let mut old = Vec::new();
        for i in 0..7 {
            let (client, key) = client_under(if i % 2 == 0 { 1 } else { 2 });
            store.insert_client(&client, &key).unwrap();
            if key.practice_key_version == 1 {
                old.push(key);
            }
        }
        let all = store.client_keys_not_under(2, 100).unwrap();
        assert_eq!(all.len(), old.len());
        assert!(old.iter().all(|k| all.contains(k)));
        assert_eq!(store.client_keys_not_under(2, 2).unwrap().len(), 2);
        assert_eq!(store.client_keys_not_under(3, 100).unwrap().len(), 7);
        assert!(store.client_keys_not_under(2, 0).unwrap().is_empty());
    }

    pub fn rewrap_replaces_a_key_only_while_it_is_under_the_expected_version(h: &dyn Harness) {
        let store = h.open();
        let (client, key) = stored_client(&*store);
        let to_v2 = ClientKeyRow {
            practice_key_version: 2,
            wrapped: sealed(),
            ..key.clone()
        };
        let rival_to_v3 = ClientKeyRow {
            practice_key_version: 3,
            wrapped: sealed(),
            ..key
        };
        assert!(store.rewrap_client_key(&to_v2, 1).unwrap());
        // A second rotation that still believes the key is under version 1 loses.
        assert!(!store.rewrap_client_key(&rival_to_v3, 1).unwrap());
        assert_eq!(store.client_key(client.id, 1).unwrap(), Some(to_v2));
        assert!(store.client_keys_not_under(2, 10).unwrap().is_empty());
        let (stranger, _) = client_under(1);
        let ghost = ClientKeyRow {
            client_id: stranger.id,
            ..rival_to_v3
        };
        assert!(!store.rewrap_client_key(&ghost, 1).unwrap());
        assert_eq!(store.client_key(stranger.id, 1).unwrap(), None);
    }

    pub fn shredding_removes_every_key_of_that_client_and_only_that_client(h: &dyn Harness) {
        let store = h.open();
        let (doomed, _) = stored_client(&*store);
        let (kept, kept_key) = stored_client(&*store);
        let note = note_for(doomed.id);
        store.insert_note(&note).unwrap();
        assert_eq!(store.shred_client_keys(doomed.id).unwrap(), 1);
        assert_eq!(store.client_key(doomed.id, 1).unwrap(), None);
        assert_eq!(store.shred_client_keys(doomed.id).unwrap(), 0);
        assert_eq!(store.client_key(kept.id, 1).unwrap(), Some(kept_key));
        // The sealed rows stay, unreadable without the key.
        assert_eq!(store.client(doomed.id).unwrap(), Some(doomed));
        assert_eq!(store.note(note.id).unwrap(), Some(note));
        assert_eq!(store.shred_client_keys(ClientId::random()).unwrap(), 0);
    }

    pub fn inserted_note_reads_back_unchanged(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        assert_eq!(store.note(note.id).unwrap(), Some(note));
    }

    pub fn inserting_a_note_id_twice_is_a_conflict_and_keeps_the_first(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        let twin = NoteRow {
            id: note.id,
            ..note_for(client.id)
        };
        assert_conflict(store.insert_note(&twin));
        assert_eq!(store.note(note.id).unwrap(), Some(note));
    }

    pub fn notes_of_a_client_are_listed_oldest_first_and_only_theirs(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let mut mine: Vec<NoteRow> = (0..5)
            .map(|i| NoteRow {
                created_at: 1_700_000_000_000 - i,
                ..note_for(client.id)
            })
            .collect();
        for n in &mine {
            store.insert_note(n).unwrap();
        }
        store.insert_note(&note_for(other.id)).unwrap();
        mine.reverse();
        assert_eq!(store.notes_of_client(client.id).unwrap(), mine);
        assert_eq!(store.notes_of_client(ClientId::random()).unwrap(), vec![]);
    }

    pub fn note_for_an_unknown_client_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let orphan = note_for(ClientId::random());
        let msg = assert_conflict(store.insert_note(&orphan));
        assert!(msg.contains("no such client"), "{msg}");
        assert_eq!(store.note(orphan.id).unwrap(), None);
    }

    pub fn token_reads_back_by_its_digest(h: &dyn Harness) {
        let store = h.open();
        let never_expires = TokenRow {
            expires_at: None,
            ..token()
        };
        for row in [token(), never_expires] {
            store.insert_token(&row).unwrap();
            assert_eq!(store.token_by_digest(&row.digest).unwrap(), Some(row));
        }
    }

    pub fn token_with_a_taken_id_or_digest_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let first = token();
        store.insert_token(&first).unwrap();
        let same_id = TokenRow {
            id: first.id,
            ..token()
        };
        let same_digest = TokenRow {
            digest: first.digest,
            ..token()
        };
        assert_conflict(store.insert_token(&same_id));
        assert_conflict(store.insert_token(&same_digest));
        assert_eq!(store.token_by_digest(&same_id.digest).unwrap(), None);
        assert_eq!(store.token_by_digest(&first.digest).unwrap(), Some(first));
    }

    pub fn conflict_messages_name_no_stored_values(h: &dyn Harness) {
        let store = h.open();
        let first = TokenRow {
            role: "role-marker-7f3a".into(),
            label: "label-marker-9c1e".into(),
            ..token()
        };
        store.insert_token(&first).unwrap();
        let (client, _) = stored_client(&*store);
        let note = NoteRow {
            kind: "kind-marker-2b8d".into(),
            ..note_for(client.id)
        };
        store.insert_note(&note).unwrap();
        let messages = [
            assert_conflict(store.insert_token(&first)),
            assert_conflict(store.insert_note(&note)),
        ];
        for msg in messages {
            for marker in ["role-marker", "label-marker", "kind-marker"] {
                assert!(!msg.contains(marker), "{msg}");
            }
        }
    }

    pub fn data_persists_after_the_store_is_dropped_and_reopened(h: &dyn Harness) {
        let new = new_practice();
        let (client, key) = client_under(1);
        let note = note_for(client.id);
        let extra = token();
        {
            let store = h.open();
            store.create_practice(&new).unwrap();
            store.insert_client(&client, &key).unwrap();
            store.insert_note(&note).unwrap();
            store.insert_token(&extra).unwrap();
        }
        let store = h.open();
        assert_eq!(store.practice().unwrap(), Some(new.practice));
        assert_eq!(store.unseal_slots().unwrap(), new.slots);
        assert_eq!(store.practice_keys().unwrap(), vec![new.first_key]);
        assert_eq!(store.client(client.id).unwrap(), Some(client.clone()));
        assert_eq!(store.client_key(client.id, 1).unwrap(), Some(key));
        assert_eq!(store.note(note.id).unwrap(), Some(note));
        assert_eq!(store.token_by_digest(&extra.digest).unwrap(), Some(extra));
        assert_conflict(store.create_practice(&new_practice()));
    }

    /// Arbitrary bytes, text, versions and times (empty, huge, NUL, extremes) come back
    /// exactly as written.
    pub fn arbitrary_rows_round_trip_exactly(h: &dyn Harness) {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        let store = h.open();
        let bytes = || proptest::collection::vec(any::<u8>(), 0..6000);
        let strategy = (
            (bytes(), bytes(), any::<String>(), any::<String>()),
            (any::<u32>(), any::<u32>(), any::<u32>()),
            (any::<i64>(), proptest::option::of(any::<i64>())),
        );
        let mut runner = TestRunner::new(Config::with_cases(48));
        runner
            .run(
                &strategy,
                |((body, wrapped, kind, label), (v1, v2, v3), (at, expires))| {
                    let (client, key) = client_under(v3);
                    let client = ClientRow {
                        key_version: v1,
                        created_at: at,
                        legal_name: Sealed::from_bytes(body.clone()),
                        ..client
                    };
                    let key = ClientKeyRow {
                        version: v2,
                        wrapped: Sealed::from_bytes(wrapped),
                        ..key
                    };
                    store.insert_client(&client, &key).unwrap();
                    prop_assert_eq!(store.client(client.id).unwrap(), Some(client.clone()));
                    prop_assert_eq!(store.client_key(client.id, v2).unwrap(), Some(key));
                    let note = NoteRow {
                        key_version: v1,
                        kind: kind.clone(),
                        created_at: at,
                        body: Sealed::from_bytes(body),
                        ..note_for(client.id)
                    };
                    store.insert_note(&note).unwrap();
                    prop_assert_eq!(store.note(note.id).unwrap(), Some(note));
                    let token = TokenRow {
                        role: kind,
                        label,
                        created_at: at,
                        expires_at: expires,
                        ..token()
                    };
                    store.insert_token(&token).unwrap();
                    prop_assert_eq!(store.token_by_digest(&token.digest).unwrap(), Some(token));
                    Ok(())
                },
            )
            .unwrap();
    }

    pub fn writes_and_reads_from_many_threads_all_land(h: &dyn Harness) {
        let store = h.open();
        let store: &dyn Store = &*store;
        let (client, _) = stored_client(store);
        let notes: Vec<Vec<NoteRow>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(move || {
                        let mine: Vec<NoteRow> = (0..20).map(|_| note_for(client.id)).collect();
                        for note in &mine {
                            store.insert_note(note).unwrap();
                            assert_eq!(store.note(note.id).unwrap().as_ref(), Some(note));
                            assert!(store.client(client.id).unwrap().is_some());
                        }
                        mine
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        for note in notes.iter().flatten() {
            assert_eq!(store.note(note.id).unwrap().as_ref(), Some(note));
        }
    }
}

/// The embedded engine, plus what only SQLite's files can show.
mod sqlite {
    use std::path::{Path, PathBuf};

    use confidant_core::ids::ClientId;
    use confidant_core::ports::{ClientKeyRow, ClientRow, Store, StoreError};
    use confidant_crypto::Sealed;
    use confidant_store::SqliteStore;
    use tempfile::TempDir;

    use super::Harness;

    struct SqliteHarness {
        dir: TempDir,
    }

    impl SqliteHarness {
        fn new() -> Self {
            Self {
                dir: tempfile::tempdir().unwrap(),
            }
        }

        fn db(&self) -> PathBuf {
            self.dir.path().join("confidant.db")
        }
    }

    impl Harness for SqliteHarness {
        fn open(&self) -> Box<dyn Store> {
            Box::new(SqliteStore::open(self.dir.path()).unwrap())
        }
    }

    conformance_suite!(SqliteHarness::new());

    fn user_version(db: &Path) -> i64 {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn newer_schema_version_refuses_to_open_and_leaves_the_file_unchanged() {
        let h = SqliteHarness::new();
        drop(h.open());
        {
            let conn = rusqlite::Connection::open(h.db()).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let before = std::fs::read(h.db()).unwrap();
        match SqliteStore::open(h.dir.path()) {
            Err(StoreError::SchemaTooNew {
                found: 99,
                supported,
            }) => assert!(supported < 99),
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert_eq!(std::fs::read(h.db()).unwrap(), before);
        assert_eq!(user_version(&h.db()), 99);
    }

    #[test]
    fn reopening_keeps_the_schema_version() {
        let h = SqliteHarness::new();
        drop(h.open());
        let first = user_version(&h.db());
        assert!(first >= 1);
        drop(h.open());
        assert_eq!(user_version(&h.db()), first);
    }

    /// 64 random bytes that cannot occur in the files by chance.
    fn marker() -> Vec<u8> {
        (0..4)
            .flat_map(|_| *uuid::Uuid::new_v4().as_bytes())
            .collect()
    }

    /// Every file in the data directory that contains `needle`.
    fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let bytes = std::fs::read(p).unwrap();
                bytes.windows(needle.len()).any(|w| w == needle)
            })
            .map(|p| p.display().to_string())
            .collect()
    }

    fn client_with_wrapped(wrapped: &[u8]) -> (ClientRow, ClientKeyRow) {
        let id = ClientId::random();
        let field = || Sealed::from_bytes(vec![0x5a; 45]);
        let client = ClientRow {
            id,
            key_version: 1,
            created_at: 0,
            legal_name: field(),
            preferred_name: field(),
            date_of_birth: field(),
            phone: field(),
            email: field(),
            address: field(),
            emergency_contact: field(),
        };
        let key = ClientKeyRow {
            client_id: id,
            version: 1,
            practice_key_version: 1,
            wrapped: Sealed::from_bytes(wrapped.to_vec()),
        };
        (client, key)
    }

    #[test]
    fn shredded_key_bytes_are_nowhere_in_the_data_directory() {
        let h = SqliteHarness::new();
        let (in_db, in_wal, rewrapped) = (marker(), marker(), marker());
        let (checkpointed, checkpointed_key) = client_with_wrapped(&in_db);
        {
            let store = h.open();
            store
                .insert_client(&checkpointed, &checkpointed_key)
                .unwrap();
        }
        // Closing checkpointed that key into the main file; the next lives in the log.
        let store = h.open();
        assert_eq!(
            files_containing(h.dir.path(), &in_db),
            [h.db().display().to_string()]
        );
        let (logged, logged_key) = client_with_wrapped(&in_wal);
        store.insert_client(&logged, &logged_key).unwrap();
        let moved = ClientKeyRow {
            practice_key_version: 2,
            wrapped: Sealed::from_bytes(rewrapped.clone()),
            ..logged_key
        };
        assert!(store.rewrap_client_key(&moved, 1).unwrap());
        let (bystander, bystander_key) = client_with_wrapped(&marker());
        store.insert_client(&bystander, &bystander_key).unwrap();
        assert!(!files_containing(h.dir.path(), &in_wal).is_empty());

        assert_eq!(store.shred_client_keys(checkpointed.id).unwrap(), 1);
        assert_eq!(store.shred_client_keys(logged.id).unwrap(), 1);

        for pattern in [&in_db, &in_wal, &rewrapped] {
            assert_eq!(
                files_containing(h.dir.path(), pattern),
                Vec::<String>::new()
            );
        }
        assert_eq!(
            store.client_key(bystander.id, 1).unwrap(),
            Some(bystander_key)
        );
        drop(store);
        for pattern in [&in_db, &in_wal, &rewrapped] {
            assert_eq!(
                files_containing(h.dir.path(), pattern),
                Vec::<String>::new()
            );
        }
    }
}
