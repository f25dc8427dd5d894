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
            draft_edits_keep_every_earlier_version_and_need_the_current_one,
            a_signed_note_takes_no_edit_and_no_second_signature,
            cosigning_locks_only_a_signed_note,
            an_addendum_points_at_its_note_and_needs_it_to_exist,
            discharge_is_set_cleared_and_read_back,
            an_update_replaces_demographics_and_keeps_creation_and_discharge,
            token_reads_back_by_its_digest,
            token_with_a_taken_id_or_digest_is_a_conflict,
            conflict_messages_name_no_stored_values,
            data_persists_after_the_store_is_dropped_and_reopened,
            writes_and_reads_from_many_threads_all_land,
            arbitrary_rows_round_trip_exactly,
            empty_audit_log_has_size_zero_no_frontier_and_nothing_to_read,
            appended_audit_events_nodes_and_frontier_read_back_unchanged,
            audit_append_not_starting_at_the_log_size_is_a_conflict_and_writes_nothing,
            audit_batch_with_a_gap_or_repeat_is_a_conflict_and_writes_nothing,
            duplicate_audit_node_is_a_conflict_and_undoes_the_whole_append,
            empty_audit_append_is_a_no_op_but_nodes_without_events_are_refused,
            audit_events_accumulate_across_appends_and_read_in_seq_order_from_any_seq,
            audit_search_narrows_by_each_filter_field_and_by_combinations,
            audit_search_time_range_includes_since_and_excludes_until,
            audit_search_pages_with_after_seq_without_gaps_or_repeats,
            checkpoints_are_listed_by_size_and_the_largest_is_latest,
            checkpoint_for_an_existing_size_is_a_conflict_and_keeps_the_first,
            audit_key_is_set_once_and_a_second_is_a_conflict,
            audit_log_persists_after_the_store_is_dropped_and_reopened,
            racing_audit_appenders_never_interleave_and_the_losers_get_a_conflict,
            arbitrary_audit_rows_round_trip_exactly,
            created_practice_holds_the_owner_account_its_token_acts_for,
            practice_whose_owner_token_acts_for_another_account_is_refused,
            inserted_users_read_back_by_id_and_by_exact_email_unchanged,
            user_with_a_taken_id_or_email_is_a_conflict_and_keeps_the_first,
            users_are_listed_by_creation_time,
            updated_user_reads_back_and_a_taken_email_or_unknown_id_is_a_conflict,
            deactivation_ends_that_users_sessions_challenges_invitations_and_tokens_only,
            deactivating_an_unknown_user_is_a_conflict_and_changes_nothing,
            invitation_is_taken_once_and_only_by_its_digest,
            rows_pointing_at_an_unknown_user_are_conflicts_naming_no_client,
            challenge_reads_back_without_being_used_up_until_deleted,
            session_reads_back_records_activity_and_ends,
            ending_a_users_sessions_also_ends_their_challenges_and_no_one_elses,
            recovery_code_works_once_and_only_for_its_user,
            replacing_recovery_codes_retires_the_old_set,
            care_team_members_are_added_listed_and_removed,
            care_team_of_an_unknown_client_or_user_is_a_conflict,
            supervision_shares_are_listed_to_their_supervisor_and_withdrawn,
            only_a_care_team_member_can_share_a_client,
            leaving_a_care_team_withdraws_that_share_and_no_other,
            break_glass_is_active_only_before_expiry_and_only_for_that_user_and_client,
            break_glass_grants_list_newest_first_and_review_marks_them_once,
            clients_are_unrestricted_until_marked_and_can_be_unmarked,
            access_facts_read_every_relationship_of_a_member_and_client_at_once,
            a_token_reads_back_with_its_account_by_digest,
            tokens_of_an_actor_are_listed_by_creation_time_and_only_theirs,
            only_the_owning_actor_can_revoke_a_token,
            staff_conflict_messages_name_no_stored_values,
            staff_and_care_rows_persist_after_the_store_is_dropped_and_reopened,
            arbitrary_user_rows_round_trip_exactly,
            passkeys_are_listed_per_account_oldest_first_and_read_back_unchanged,
            passkey_with_a_taken_id_or_credential_id_or_unknown_account_is_a_conflict,
            recording_a_passkey_use_changes_only_that_passkey_of_its_owner,
            only_the_owner_deletes_a_passkey_and_deleting_all_spares_other_accounts,
            passkey_ceremony_is_taken_once_and_only_by_its_digest_and_kind,
            storing_a_ceremony_replaces_its_predecessor_and_purges_expired_ones,
            passkey_conflict_messages_name_no_stored_values,
            passkeys_and_ceremonies_persist_after_the_store_is_dropped_and_reopened,
            episodes_read_back_unchanged_and_are_listed_by_opening_date_and_only_theirs,
            a_client_has_at_most_one_open_episode,
            closing_changes_only_an_open_episode_of_that_client_and_never_before_it_opened,
            episode_for_an_unknown_client_or_with_a_taken_id_is_a_conflict,
            appointments_read_back_unchanged_and_are_listed_by_start_and_only_theirs,
            an_appointments_episode_must_be_one_of_the_same_clients,
            appointment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict,
            an_appointment_changes_only_from_the_revision_read,
            appointments_between_include_from_and_exclude_to_across_clients,
            appointment_values_outside_the_schema_are_conflicts_and_not_written,
            appointment_conflict_messages_name_no_stored_values,
            episodes_and_appointments_persist_after_the_store_is_dropped_and_reopened,
            attachments_read_back_unchanged_and_are_listed_oldest_first_and_only_theirs,
            attachment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict_and_not_written,
            attachment_sizes_beyond_what_the_engine_holds_are_refused_not_wrapped,
            deleting_a_clients_attachments_removes_theirs_and_no_one_elses,
            attachment_conflict_messages_name_no_stored_values,
            attachments_persist_after_the_store_is_dropped_and_reopened,
            assessments_read_back_unchanged_and_are_listed_by_day_then_record_time_and_only_theirs,
            an_assessments_episode_must_be_one_of_the_same_clients,
            assessment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict,
            assessment_values_outside_the_schema_are_conflicts_naming_no_value_and_not_written,
            assessments_persist_after_the_store_is_dropped_and_reopened,
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
    use confidant_core::ids::{
        ActorId, AppointmentId, ClientId, EpisodeId, NoteId, PasskeyId, PracticeId, TokenId,
    };
    use confidant_core::ports::{
        AccessFactsRow, AppointmentRow, AuditFilter, AuditKeyRow, AuditNodeRow, AuditRow,
        BreakGlassRow, CareTeamRow, CeremonyKind, ChallengeRow, CheckpointRow, ClientKeyRow,
        ClientRow, Digest, EpisodeRow, InvitationRow, NewPractice, NoteRow, PasskeyCeremonyRow,
        PasskeyRow, PracticeKeyRow, PracticeRow, SessionRow, ShareRow, Store, StoreError, TokenRow,
        UserRow,
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
            scope: "write".into(),
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
        let owner_token = TokenRow {
            role: "owner".into(),
            scope: "admin".into(),
            label: "bootstrap owner token".into(),
            expires_at: None,
            ..token()
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
            owner: UserRow {
                id: owner_token.actor,
                email: None,
                display_name: "Practice owner".into(),
                role: "owner".into(),
                status: "active".into(),
                password_phc: None,
                totp: None,
                totp_last_step: None,
                failed_logins: 0,
                locked_until: None,
                supervisor: None,
                nda_at: None,
                window_start: None,
                window_end: None,
                created_at: 1_700_000_000_000,
            },
            owner_token,
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
            discharged_at: None,
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
        NoteRow::draft(
            NoteId::random(),
            client,
            1,
            "progress",
            ActorId::random(),
            1_700_000_000_789,
            Sealed::from_bytes(blob(4096 + 29)),
        )
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
        assert_eq!(store.user(new.owner.id).unwrap(), None);
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

    pub fn draft_edits_keep_every_earlier_version_and_need_the_current_one(h: &dyn Harness) {
        use confidant_core::ports::NoteEdit;
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        let edit = |from: u32, byte: u8| NoteEdit {
            id: note.id,
            from_version: from,
            key_version: 1,
            format: 1,
            body: Sealed::from_bytes(vec![byte; 64]),
            occurred_at: Some(1_700_000_000_000),
            late_entry: true,
            at: 1_700_000_000_900 + i64::from(byte),
        };
        assert!(store.update_note_draft(&edit(1, 2)).unwrap());
        // A stale editor (still at version 1) changes nothing.
        assert!(!store.update_note_draft(&edit(1, 3)).unwrap());
        assert!(store.update_note_draft(&edit(2, 4)).unwrap());
        let now = store.note(note.id).unwrap().unwrap();
        assert_eq!(now.version, 3);
        assert_eq!(now.body.as_bytes(), &[4; 64][..]);
        assert_eq!((now.format, now.late_entry), (1, true));
        assert_eq!(now.occurred_at, Some(1_700_000_000_000));
        assert_eq!(now.updated_at, Some(1_700_000_000_904));
        let versions = store.note_versions(note.id).unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!((versions[0].version, versions[1].version), (1, 2));
        assert_eq!(versions[0].body, note.body);
        assert_eq!(versions[0].written_at, note.created_at);
        assert_eq!(versions[1].body.as_bytes(), &[2; 64][..]);
        assert_eq!(versions[1].written_at, 1_700_000_000_902);
        assert!(store.note_versions(NoteId::random()).unwrap().is_empty());
    }

    fn signature() -> confidant_core::ports::SignatureRow {
        confidant_core::ports::SignatureRow {
            by: ActorId::random(),
            at: 1_700_000_001_000,
            content_hash: Sealed::from_bytes(blob(60)),
        }
    }

    pub fn a_signed_note_takes_no_edit_and_no_second_signature(h: &dyn Harness) {
        use confidant_core::ports::NoteEdit;
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        let sig = signature();
        assert!(!store.sign_note(note.id, 2, "locked", &sig).unwrap());
        assert!(store.sign_note(note.id, 1, "locked", &sig).unwrap());
        assert!(!store.sign_note(note.id, 1, "locked", &signature()).unwrap());
        let edit = NoteEdit {
            id: note.id,
            from_version: 1,
            key_version: 1,
            format: 1,
            body: Sealed::from_bytes(vec![9; 64]),
            occurred_at: None,
            late_entry: false,
            at: 1_700_000_002_000,
        };
        assert!(!store.update_note_draft(&edit).unwrap());
        let signed = store.note(note.id).unwrap().unwrap();
        assert_eq!(signed.status, "locked");
        assert_eq!(signed.signature, Some(sig));
        assert_eq!(signed.body, note.body);
        assert!(store.note_versions(note.id).unwrap().is_empty());
        assert!(
            !store
                .sign_note(NoteId::random(), 1, "locked", &signature())
                .unwrap()
        );
    }

    pub fn cosigning_locks_only_a_signed_note(h: &dyn Harness) {
        use confidant_core::ports::CosignatureRow;
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        let co = CosignatureRow {
            by: ActorId::random(),
            at: 1_700_000_003_000,
        };
        assert!(!store.cosign_note(note.id, co).unwrap(), "a draft");
        assert!(store.sign_note(note.id, 1, "signed", &signature()).unwrap());
        assert!(store.cosign_note(note.id, co).unwrap());
        assert!(!store.cosign_note(note.id, co).unwrap(), "already locked");
        let locked = store.note(note.id).unwrap().unwrap();
        assert_eq!(
            (locked.status.as_str(), locked.cosignature),
            ("locked", Some(co))
        );
    }

    pub fn an_addendum_points_at_its_note_and_needs_it_to_exist(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let note = note_for(client.id);
        store.insert_note(&note).unwrap();
        let addendum = NoteRow {
            addendum_of: Some(note.id),
            ..note_for(client.id)
        };
        store.insert_note(&addendum).unwrap();
        assert_eq!(store.note(addendum.id).unwrap(), Some(addendum));
        let orphan = NoteRow {
            addendum_of: Some(NoteId::random()),
            ..note_for(client.id)
        };
        assert_conflict(store.insert_note(&orphan));
        assert_eq!(store.note(orphan.id).unwrap(), None);
    }

    pub fn an_update_replaces_demographics_and_keeps_creation_and_discharge(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        assert!(store.set_client_discharged(client.id, Some(7)).unwrap());
        let (fresh, _) = client_under(1);
        let changed = ClientRow {
            id: client.id,
            created_at: 1,
            discharged_at: None,
            ..fresh
        };
        assert!(store.update_client(&changed).unwrap());
        let got = store.client(client.id).unwrap().unwrap();
        assert_eq!(got.legal_name, changed.legal_name);
        assert_eq!(got.emergency_contact, changed.emergency_contact);
        assert_eq!(
            (got.created_at, got.discharged_at),
            (client.created_at, Some(7))
        );
        assert_eq!(store.client(other.id).unwrap(), Some(other));
        let nobody = ClientRow {
            id: ClientId::random(),
            ..changed
        };
        assert!(!store.update_client(&nobody).unwrap());
        assert_eq!(store.client(nobody.id).unwrap(), None);
    }

    pub fn discharge_is_set_cleared_and_read_back(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        assert_eq!(
            store.client(client.id).unwrap().unwrap().discharged_at,
            None
        );
        assert!(
            store
                .set_client_discharged(client.id, Some(1_700_000_004_000))
                .unwrap()
        );
        assert_eq!(
            store.client(client.id).unwrap().unwrap().discharged_at,
            Some(1_700_000_004_000)
        );
        assert!(store.set_client_discharged(client.id, None).unwrap());
        assert_eq!(
            store.client(client.id).unwrap().unwrap().discharged_at,
            None
        );
        assert!(
            !store
                .set_client_discharged(ClientId::random(), None)
                .unwrap()
        );
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

    /// An audit event at `seq`; `at` grows with it, one second apart.
    fn audit_event(seq: u64) -> AuditRow {
        AuditRow {
            seq,
            at: 1_700_000_000_000 + i64::try_from(seq).unwrap() * 1000,
            actor: Some(ActorId::random()),
            action: "note.read".into(),
            client: Some(ClientId::random()),
            event: blob(250),
        }
    }

    fn audit_events(seqs: std::ops::Range<u64>) -> Vec<AuditRow> {
        seqs.map(audit_event).collect()
    }

    fn audit_node(level: u8, index: u64) -> AuditNodeRow {
        AuditNodeRow {
            level,
            index,
            hash: blob(32).try_into().unwrap(),
        }
    }

    /// The leaf nodes of `events`, plus one inner node per pair, as a tree would complete them.
    fn audit_nodes_for(events: &[AuditRow]) -> Vec<AuditNodeRow> {
        let mut nodes: Vec<AuditNodeRow> = events.iter().map(|e| audit_node(0, e.seq)).collect();
        nodes.extend(
            events
                .iter()
                .filter(|e| e.seq % 2 == 1)
                .map(|e| audit_node(1, e.seq / 2)),
        );
        nodes
    }

    /// Appends `events` with their nodes and a fresh frontier; returns the nodes and frontier.
    fn append(store: &dyn Store, events: &[AuditRow]) -> (Vec<AuditNodeRow>, Vec<u8>) {
        let nodes = audit_nodes_for(events);
        let frontier = blob(700);
        store.append_audit(events, &nodes, &frontier).unwrap();
        (nodes, frontier)
    }

    fn checkpoint(size: u64) -> CheckpointRow {
        CheckpointRow {
            size,
            note: format!("confidant.example/audit\n{size}\nsynthetic-root\n\n— key sig\n"),
            created_at: 1_700_000_000_000 + i64::try_from(size).unwrap(),
        }
    }

    fn seqs(rows: &[AuditRow]) -> Vec<u64> {
        rows.iter().map(|r| r.seq).collect()
    }

    pub fn empty_audit_log_has_size_zero_no_frontier_and_nothing_to_read(h: &dyn Harness) {
        let store = h.open();
        assert_eq!(store.audit_size().unwrap(), 0);
        assert_eq!(store.audit_frontier().unwrap(), None);
        assert!(store.audit_events(0, 10).unwrap().is_empty());
        assert!(
            store
                .audit_search(&AuditFilter::default(), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.audit_node(0, 0).unwrap(), None);
        assert!(store.checkpoints().unwrap().is_empty());
        assert_eq!(store.latest_checkpoint().unwrap(), None);
        assert_eq!(store.audit_key().unwrap(), None);
    }

    pub fn appended_audit_events_nodes_and_frontier_read_back_unchanged(h: &dyn Harness) {
        let store = h.open();
        let mut events = audit_events(0..4);
        events[1].actor = None;
        events[2].client = None;
        events[3].event = Vec::new();
        let (nodes, frontier) = append(&*store, &events);
        assert_eq!(store.audit_size().unwrap(), 4);
        assert_eq!(store.audit_events(0, 10).unwrap(), events);
        for node in &nodes {
            assert_eq!(
                store.audit_node(node.level, node.index).unwrap(),
                Some(node.hash)
            );
        }
        assert_eq!(store.audit_node(0, 4).unwrap(), None);
        assert_eq!(store.audit_node(2, 0).unwrap(), None);
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
    }

    pub fn audit_append_not_starting_at_the_log_size_is_a_conflict_and_writes_nothing(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let stray = audit_events(1..3);
        assert_conflict(store.append_audit(&stray, &audit_nodes_for(&stray), &blob(700)));
        assert_eq!(store.audit_size().unwrap(), 0);
        assert_eq!(store.audit_frontier().unwrap(), None);
        assert_eq!(store.audit_node(0, 1).unwrap(), None);

        let (_, frontier) = append(&*store, &audit_events(0..3));
        for wrong in [audit_events(0..2), audit_events(2..4), audit_events(4..6)] {
            let nodes = [audit_node(5, 0)];
            assert_conflict(store.append_audit(&wrong, &nodes, &blob(700)));
            assert_eq!(store.audit_node(5, 0).unwrap(), None);
        }
        assert_eq!(store.audit_size().unwrap(), 3);
        assert_eq!(seqs(&store.audit_events(0, 10).unwrap()), [0, 1, 2]);
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
    }

    pub fn audit_batch_with_a_gap_or_repeat_is_a_conflict_and_writes_nothing(h: &dyn Harness) {
        let store = h.open();
        let (_, frontier) = append(&*store, &audit_events(0..2));
        let gap = vec![audit_event(2), audit_event(3), audit_event(5)];
        let repeat = vec![audit_event(2), audit_event(2)];
        let backwards = vec![audit_event(3), audit_event(2)];
        for batch in [gap, repeat, backwards] {
            assert_conflict(store.append_audit(&batch, &[audit_node(0, 2)], &blob(700)));
        }
        assert_eq!(store.audit_size().unwrap(), 2);
        assert_eq!(store.audit_events(2, 10).unwrap(), vec![]);
        assert_eq!(store.audit_node(0, 2).unwrap(), None);
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
    }

    pub fn duplicate_audit_node_is_a_conflict_and_undoes_the_whole_append(h: &dyn Harness) {
        let store = h.open();
        let (nodes, frontier) = append(&*store, &audit_events(0..2));
        let next = audit_events(2..4);
        let mut clashing = audit_nodes_for(&next);
        clashing.push(audit_node(0, 1));
        assert_conflict(store.append_audit(&next, &clashing, &blob(700)));
        assert_eq!(store.audit_size().unwrap(), 2);
        assert_eq!(store.audit_node(0, 2).unwrap(), None);
        assert_eq!(store.audit_node(0, 1).unwrap(), Some(nodes[1].hash));
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
        // The same batch without the clash goes in.
        append(&*store, &next);
        assert_eq!(store.audit_size().unwrap(), 4);
    }

    pub fn empty_audit_append_is_a_no_op_but_nodes_without_events_are_refused(h: &dyn Harness) {
        let store = h.open();
        store.append_audit(&[], &[], &blob(700)).unwrap();
        assert_eq!(store.audit_size().unwrap(), 0);
        assert_eq!(store.audit_frontier().unwrap(), None);
        let (_, frontier) = append(&*store, &audit_events(0..1));
        store.append_audit(&[], &[], &blob(700)).unwrap();
        assert_conflict(store.append_audit(&[], &[audit_node(3, 0)], &blob(700)));
        assert_eq!(store.audit_node(3, 0).unwrap(), None);
        assert_eq!(store.audit_size().unwrap(), 1);
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
    }

    pub fn audit_events_accumulate_across_appends_and_read_in_seq_order_from_any_seq(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let mut all = Vec::new();
        let mut last_frontier = Vec::new();
        for range in [0..1, 1..65, 65..66, 66..100] {
            let batch = audit_events(range);
            let (nodes, frontier) = append(&*store, &batch);
            assert_eq!(store.audit_frontier().unwrap().as_ref(), Some(&frontier));
            for node in nodes {
                assert_eq!(
                    store.audit_node(node.level, node.index).unwrap(),
                    Some(node.hash)
                );
            }
            all.extend(batch);
            last_frontier = frontier;
            assert_eq!(store.audit_size().unwrap(), all.len() as u64);
        }
        assert_eq!(store.audit_events(0, 1000).unwrap(), all);
        assert_eq!(store.audit_events(60, 10).unwrap(), all[60..70]);
        assert_eq!(store.audit_events(95, 10).unwrap(), all[95..]);
        assert!(store.audit_events(100, 10).unwrap().is_empty());
        assert!(store.audit_events(u64::MAX, 10).unwrap().is_empty());
        assert!(store.audit_events(0, 0).unwrap().is_empty());
        assert_eq!(store.audit_frontier().unwrap(), Some(last_frontier));
    }

    pub fn audit_search_narrows_by_each_filter_field_and_by_combinations(h: &dyn Harness) {
        let store = h.open();
        let (alice, bob) = (ActorId::random(), ActorId::random());
        let (ann, ben) = (ClientId::random(), ClientId::random());
        // seq: actor, client, action
        let shape = [
            (Some(alice), Some(ann), "note.read"),
            (Some(bob), Some(ann), "note.read"),
            (Some(alice), Some(ben), "note.create"),
            (None, None, "auth.failed"),
            (Some(alice), Some(ann), "note.create"),
            (Some(bob), None, "practice.rotate"),
            (Some(alice), Some(ann), "note.read"),
        ];
        let events: Vec<AuditRow> = shape
            .iter()
            .enumerate()
            .map(|(seq, (actor, client, action))| AuditRow {
                actor: *actor,
                client: *client,
                action: (*action).into(),
                ..audit_event(seq as u64)
            })
            .collect();
        append(&*store, &events);
        let found = |filter: AuditFilter| seqs(&store.audit_search(&filter, 100).unwrap());
        let all = AuditFilter::default();
        assert_eq!(found(all.clone()), [0, 1, 2, 3, 4, 5, 6]);
        let by_client = AuditFilter {
            client: Some(ann),
            ..all.clone()
        };
        assert_eq!(found(by_client.clone()), [0, 1, 4, 6]);
        let by_actor = AuditFilter {
            actor: Some(alice),
            ..all.clone()
        };
        assert_eq!(found(by_actor.clone()), [0, 2, 4, 6]);
        let by_action = AuditFilter {
            action: Some("note.read".into()),
            ..all.clone()
        };
        assert_eq!(found(by_action.clone()), [0, 1, 6]);
        assert_eq!(
            found(AuditFilter {
                actor: Some(alice),
                ..by_client.clone()
            }),
            [0, 4, 6]
        );
        assert_eq!(
            found(AuditFilter {
                action: Some("note.read".into()),
                ..by_actor.clone()
            }),
            [0, 6]
        );
        assert_eq!(
            found(AuditFilter {
                client: Some(ann),
                actor: Some(bob),
                action: Some("note.read".into()),
                ..all.clone()
            }),
            [1]
        );
        assert_eq!(
            found(AuditFilter {
                client: Some(ben),
                action: Some("note.read".into()),
                ..all.clone()
            }),
            Vec::<u64>::new()
        );
        assert_eq!(
            found(AuditFilter {
                actor: Some(ActorId::random()),
                ..all.clone()
            }),
            Vec::<u64>::new()
        );
        assert_eq!(
            found(AuditFilter {
                action: Some("note".into()),
                ..all
            }),
            Vec::<u64>::new()
        );
        // Rows come back whole.
        assert_eq!(
            store.audit_search(&by_action, 1).unwrap(),
            vec![events[0].clone()]
        );
    }

    pub fn audit_search_time_range_includes_since_and_excludes_until(h: &dyn Harness) {
        let store = h.open();
        let events = audit_events(0..10);
        append(&*store, &events);
        let at = |seq: usize| events[seq].at;
        let found = |filter: AuditFilter| seqs(&store.audit_search(&filter, 100).unwrap());
        let range = |since, until| AuditFilter {
            since,
            until,
            ..AuditFilter::default()
        };
        assert_eq!(found(range(Some(at(3)), None)), [3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(found(range(None, Some(at(3)))), [0, 1, 2]);
        assert_eq!(found(range(Some(at(3)), Some(at(6)))), [3, 4, 5]);
        assert_eq!(found(range(Some(at(3) + 1), Some(at(6) + 1))), [4, 5, 6]);
        assert_eq!(found(range(Some(at(4)), Some(at(4)))), Vec::<u64>::new());
        assert_eq!(found(range(Some(at(6)), Some(at(3)))), Vec::<u64>::new());
        let client = events[5].client;
        assert_eq!(
            found(AuditFilter {
                client,
                ..range(Some(at(0)), Some(at(9)))
            }),
            [5]
        );
        assert_eq!(
            found(AuditFilter {
                client,
                ..range(Some(at(6)), None)
            }),
            Vec::<u64>::new()
        );
    }

    pub fn audit_search_pages_with_after_seq_without_gaps_or_repeats(h: &dyn Harness) {
        let store = h.open();
        let actor = ActorId::random();
        let events: Vec<AuditRow> = (0..40)
            .map(|seq| AuditRow {
                actor: if seq % 3 == 0 { Some(actor) } else { None },
                ..audit_event(seq)
            })
            .collect();
        append(&*store, &events);
        let mine: Vec<u64> = (0..40).filter(|s| s % 3 == 0).collect();
        let mut filter = AuditFilter {
            actor: Some(actor),
            ..AuditFilter::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = store.audit_search(&filter, 4).unwrap();
            assert!(page.len() <= 4);
            let Some(last) = page.last() else { break };
            filter.after_seq = Some(last.seq);
            seen.extend(seqs(&page));
        }
        assert_eq!(seen, mine);
        let after = |after_seq| AuditFilter {
            after_seq: Some(after_seq),
            ..AuditFilter::default()
        };
        assert_eq!(seqs(&store.audit_search(&after(37), 10).unwrap()), [38, 39]);
        assert!(store.audit_search(&after(39), 10).unwrap().is_empty());
        assert!(store.audit_search(&after(u64::MAX), 10).unwrap().is_empty());
        assert!(store.audit_search(&after(0), 0).unwrap().is_empty());
    }

    pub fn checkpoints_are_listed_by_size_and_the_largest_is_latest(h: &dyn Harness) {
        let store = h.open();
        let rows = [
            checkpoint(64),
            checkpoint(0),
            checkpoint(1000),
            checkpoint(65),
        ];
        for row in &rows {
            store.add_checkpoint(row).unwrap();
        }
        let sizes: Vec<u64> = store
            .checkpoints()
            .unwrap()
            .iter()
            .map(|c| c.size)
            .collect();
        assert_eq!(sizes, [0, 64, 65, 1000]);
        assert_eq!(store.checkpoints().unwrap()[1], rows[0]);
        assert_eq!(store.latest_checkpoint().unwrap(), Some(rows[2].clone()));
    }

    pub fn checkpoint_for_an_existing_size_is_a_conflict_and_keeps_the_first(h: &dyn Harness) {
        let store = h.open();
        let first = checkpoint(8);
        store.add_checkpoint(&first).unwrap();
        let rival = CheckpointRow {
            note: "another note for the same size".into(),
            ..checkpoint(8)
        };
        let msg = assert_conflict(store.add_checkpoint(&rival));
        assert!(!msg.contains("another note"), "{msg}");
        assert_eq!(store.checkpoints().unwrap(), vec![first.clone()]);
        assert_eq!(store.latest_checkpoint().unwrap(), Some(first));
    }

    pub fn audit_key_is_set_once_and_a_second_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let key = AuditKeyRow {
            wrapped_seed: sealed(),
            verifier_key: "confidant.example+1a2b3c4d+AfakeKeyBytes".into(),
        };
        store.set_audit_key(&key).unwrap();
        assert_eq!(store.audit_key().unwrap(), Some(key.clone()));
        let second = AuditKeyRow {
            wrapped_seed: sealed(),
            verifier_key: "confidant.example+5e6f7a8b+AotherKeyBytes".into(),
        };
        let msg = assert_conflict(store.set_audit_key(&second));
        assert!(!msg.contains("otherKey"), "{msg}");
        assert_eq!(store.audit_key().unwrap(), Some(key));
    }

    pub fn audit_log_persists_after_the_store_is_dropped_and_reopened(h: &dyn Harness) {
        let events = audit_events(0..70);
        let key = AuditKeyRow {
            wrapped_seed: sealed(),
            verifier_key: "confidant.example+1a2b3c4d+AfakeKeyBytes".into(),
        };
        let (nodes, frontier) = {
            let store = h.open();
            store.set_audit_key(&key).unwrap();
            append(&*store, &events[..64]);
            let written = append(&*store, &events[64..]);
            store.add_checkpoint(&checkpoint(64)).unwrap();
            store.add_checkpoint(&checkpoint(70)).unwrap();
            written
        };
        let store = h.open();
        assert_eq!(store.audit_size().unwrap(), 70);
        assert_eq!(store.audit_events(0, 100).unwrap(), events);
        assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
        for node in nodes {
            assert_eq!(
                store.audit_node(node.level, node.index).unwrap(),
                Some(node.hash)
            );
        }
        assert_eq!(
            store.checkpoints().unwrap(),
            [checkpoint(64), checkpoint(70)]
        );
        assert_eq!(store.audit_key().unwrap(), Some(key));
        // And the log carries on where it stopped.
        assert_conflict(store.append_audit(&audit_events(0..1), &[], &blob(700)));
        append(&*store, &audit_events(70..71));
        assert_eq!(store.audit_size().unwrap(), 71);
    }

    pub fn racing_audit_appenders_never_interleave_and_the_losers_get_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let store: &dyn Store = &*store;
        std::thread::scope(|s| {
            for _ in 0..6 {
                s.spawn(move || {
                    let mut appended = 0;
                    while appended < 10 {
                        let size = store.audit_size().unwrap();
                        // The three events of one attempt carry the same tag.
                        let tag = blob(16);
                        let batch: Vec<AuditRow> = (size..size + 3)
                            .map(|seq| AuditRow {
                                event: tag.clone(),
                                ..audit_event(seq)
                            })
                            .collect();
                        match store.append_audit(&batch, &[], &blob(700)) {
                            Ok(()) => appended += 1,
                            Err(StoreError::Conflict(_)) => {}
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                });
            }
        });
        assert_eq!(store.audit_size().unwrap(), 6 * 10 * 3);
        let all = store.audit_events(0, 1000).unwrap();
        assert_eq!(seqs(&all), (0..180).collect::<Vec<u64>>());
        // Every batch landed whole and alone: runs of three from one attempt, 60 attempts.
        let mut tags: Vec<&[u8]> = all
            .chunks(3)
            .map(|batch| {
                assert!(batch.iter().all(|e| e.event == batch[0].event));
                batch[0].event.as_slice()
            })
            .collect();
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), 60);
    }

    /// Arbitrary event bytes, action text, times and hashes come back exactly as written.
    pub fn arbitrary_audit_rows_round_trip_exactly(h: &dyn Harness) {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        let store = h.open();
        let strategy = (
            proptest::collection::vec(any::<u8>(), 0..3000),
            any::<String>(),
            any::<i64>(),
            (any::<bool>(), any::<bool>()),
            (any::<u8>(), 0..=i64::MAX as u64, any::<[u8; 32]>()),
            proptest::collection::vec(any::<u8>(), 0..2000),
        );
        let mut runner = TestRunner::new(Config::with_cases(48));
        runner
            .run(
                &strategy,
                |(event, action, at, (has_actor, has_client), (level, index, hash), frontier)| {
                    let seq = store.audit_size().unwrap();
                    let row = AuditRow {
                        seq,
                        at,
                        actor: has_actor.then(ActorId::random),
                        action: action.clone(),
                        client: has_client.then(ClientId::random),
                        event,
                    };
                    let node = AuditNodeRow { level, index, hash };
                    // A random node may collide with an earlier case's; skip those.
                    if store.audit_node(level, index).unwrap().is_some() {
                        return Ok(());
                    }
                    store
                        .append_audit(std::slice::from_ref(&row), &[node], &frontier)
                        .unwrap();
                    prop_assert_eq!(store.audit_events(seq, 1).unwrap(), vec![row.clone()]);
                    prop_assert_eq!(store.audit_node(level, index).unwrap(), Some(hash));
                    prop_assert_eq!(store.audit_frontier().unwrap(), Some(frontier));
                    let filter = AuditFilter {
                        action: Some(action),
                        actor: row.actor,
                        client: row.client,
                        since: Some(at),
                        after_seq: seq.checked_sub(1),
                        until: None,
                    };
                    prop_assert_eq!(store.audit_search(&filter, 10).unwrap(), vec![row]);
                    let cp = CheckpointRow {
                        size: seq + 1,
                        note: filter.action.unwrap_or_default(),
                        created_at: at,
                    };
                    store.add_checkpoint(&cp).unwrap();
                    prop_assert_eq!(store.latest_checkpoint().unwrap(), Some(cp));
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
    // Staff accounts, sign-in secrets, care teams, shares, break-glass and restriction.

    fn digest() -> Digest {
        blob(32).try_into().unwrap()
    }

    /// A fully populated account with a unique e-mail.
    fn user() -> UserRow {
        UserRow {
            id: ActorId::random(),
            email: Some(format!("{}@clinic.example", uuid::Uuid::new_v4())),
            display_name: "Synthetic Clinician".into(),
            role: "clinician".into(),
            status: "active".into(),
            password_phc: Some("$argon2id$v=19$m=19456,t=2,p=1$c3ludGhldGlj$c3ludGhldGlj".into()),
            totp: Some(sealed()),
            totp_last_step: Some(56_666_666),
            failed_logins: 2,
            locked_until: Some(1_700_000_900_000),
            supervisor: Some(ActorId::random()),
            nda_at: Some(1_700_000_000_001),
            window_start: Some(1_700_000_000_002),
            window_end: Some(1_800_000_000_003),
            created_at: 1_700_000_000_000,
        }
    }

    /// An invited account with nothing set yet.
    fn bare_user() -> UserRow {
        UserRow {
            email: None,
            status: "invited".into(),
            password_phc: None,
            totp: None,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            supervisor: None,
            nda_at: None,
            window_start: None,
            window_end: None,
            ..user()
        }
    }

    fn stored_user(store: &dyn Store) -> UserRow {
        let row = user();
        store.insert_user(&row).unwrap();
        row
    }

    fn session_of(user: ActorId) -> SessionRow {
        SessionRow {
            digest: digest(),
            user,
            csrf_digest: digest(),
            created_at: 1_700_000_000_000,
            last_seen: 1_700_000_000_000,
        }
    }

    fn challenge_of(user: ActorId) -> ChallengeRow {
        ChallengeRow {
            digest: digest(),
            user,
            expires_at: 1_700_000_300_000,
        }
    }

    fn invitation_of(user: ActorId) -> InvitationRow {
        InvitationRow {
            digest: digest(),
            user,
            created_at: 1_700_000_000_000,
            expires_at: 1_700_604_800_000,
        }
    }

    fn token_of(actor: ActorId, created_at: i64) -> TokenRow {
        TokenRow {
            actor,
            created_at,
            ..token()
        }
    }

    fn member(client: ClientId, user: ActorId, primary: bool) -> CareTeamRow {
        CareTeamRow {
            client,
            user,
            primary,
            added_by: ActorId::random(),
            added_at: 1_700_000_000_000,
        }
    }

    fn share(client: ClientId, supervisee: ActorId, supervisor: ActorId) -> ShareRow {
        ShareRow {
            client,
            supervisee,
            supervisor,
            shared_at: 1_700_000_000_000,
        }
    }

    fn grant(user: ActorId, client: ClientId, granted_at: i64, expires_at: i64) -> BreakGlassRow {
        BreakGlassRow {
            id: uuid::Uuid::new_v4(),
            user,
            client,
            reason: sealed(),
            granted_at,
            expires_at,
            reviewed_by: None,
            reviewed_at: None,
        }
    }

    /// Everything that can act for `user`: a session, a challenge, an invitation and a token.
    struct Holdings {
        session: SessionRow,
        challenge: ChallengeRow,
        invitation: InvitationRow,
        token: TokenRow,
    }

    fn holdings_of(store: &dyn Store, user: ActorId) -> Holdings {
        let held = Holdings {
            session: session_of(user),
            challenge: challenge_of(user),
            invitation: invitation_of(user),
            token: token_of(user, 1_700_000_000_000),
        };
        store.insert_session(&held.session).unwrap();
        store.insert_challenge(&held.challenge).unwrap();
        store.insert_invitation(&held.invitation).unwrap();
        store.insert_token(&held.token).unwrap();
        held
    }

    pub fn created_practice_holds_the_owner_account_its_token_acts_for(h: &dyn Harness) {
        let store = h.open();
        let new = new_practice();
        store.create_practice(&new).unwrap();
        assert_eq!(store.user(new.owner.id).unwrap(), Some(new.owner.clone()));
        assert_eq!(store.users().unwrap(), vec![new.owner.clone()]);
        let token = store
            .token_by_digest(&new.owner_token.digest)
            .unwrap()
            .unwrap();
        assert_eq!(token.actor, new.owner.id);
        assert_eq!(token.scope, "admin");
    }

    pub fn practice_whose_owner_token_acts_for_another_account_is_refused(h: &dyn Harness) {
        let store = h.open();
        let mut new = new_practice();
        new.owner.id = ActorId::random();
        assert!(store.create_practice(&new).is_err());
        assert_eq!(store.practice().unwrap(), None);
        assert!(store.users().unwrap().is_empty());
        assert_eq!(
            store.token_by_digest(&new.owner_token.digest).unwrap(),
            None
        );
        // An owner account squatting on the id makes the whole creation fail.
        let new = new_practice();
        store
            .insert_user(&UserRow {
                id: new.owner.id,
                ..user()
            })
            .unwrap();
        assert_conflict(store.create_practice(&new));
        assert_eq!(store.practice().unwrap(), None);
        assert_eq!(
            store.token_by_digest(&new.owner_token.digest).unwrap(),
            None
        );
    }

    pub fn inserted_users_read_back_by_id_and_by_exact_email_unchanged(h: &dyn Harness) {
        let store = h.open();
        let full = stored_user(&*store);
        let bare = bare_user();
        store.insert_user(&bare).unwrap();
        assert_eq!(store.user(full.id).unwrap(), Some(full.clone()));
        assert_eq!(store.user(bare.id).unwrap(), Some(bare));
        let email = full.email.clone().unwrap();
        assert_eq!(store.user_by_email(&email).unwrap(), Some(full));
        // Compared as given: the core lower-cases before it asks.
        assert_eq!(store.user_by_email(&email.to_uppercase()).unwrap(), None);
        assert_eq!(store.user_by_email("").unwrap(), None);
        assert_eq!(store.user(ActorId::random()).unwrap(), None);
    }

    pub fn user_with_a_taken_id_or_email_is_a_conflict_and_keeps_the_first(h: &dyn Harness) {
        let store = h.open();
        let first = stored_user(&*store);
        let same_id = UserRow {
            id: first.id,
            ..user()
        };
        let same_email = UserRow {
            email: first.email.clone(),
            ..user()
        };
        assert_conflict(store.insert_user(&same_id));
        assert_conflict(store.insert_user(&same_email));
        assert_eq!(store.user(first.id).unwrap(), Some(first.clone()));
        assert_eq!(store.user(same_email.id).unwrap(), None);
        // Any number of accounts may have no e-mail yet.
        for _ in 0..2 {
            store.insert_user(&bare_user()).unwrap();
        }
        assert_eq!(store.users().unwrap().len(), 3);
    }

    pub fn users_are_listed_by_creation_time(h: &dyn Harness) {
        let store = h.open();
        let mut rows: Vec<UserRow> = (0..5)
            .map(|i| UserRow {
                created_at: 1_700_000_000_000 - i,
                ..user()
            })
            .collect();
        for row in &rows {
            store.insert_user(row).unwrap();
        }
        rows.reverse();
        assert_eq!(store.users().unwrap(), rows);
    }

    pub fn updated_user_reads_back_and_a_taken_email_or_unknown_id_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let original = bare_user();
        store.insert_user(&original).unwrap();
        let other = stored_user(&*store);
        let updated = UserRow {
            id: original.id,
            ..user()
        };
        store.update_user(&updated).unwrap();
        assert_eq!(store.user(original.id).unwrap(), Some(updated.clone()));
        let email = updated.email.clone().unwrap();
        assert_eq!(store.user_by_email(&email).unwrap(), Some(updated.clone()));
        // Back to nothing set: every optional field can be cleared.
        store.update_user(&original).unwrap();
        assert_eq!(store.user(original.id).unwrap(), Some(original.clone()));
        assert_eq!(store.user_by_email(&email).unwrap(), None);

        let thief = UserRow {
            email: other.email.clone(),
            ..original.clone()
        };
        assert_conflict(store.update_user(&thief));
        assert_eq!(store.user(original.id).unwrap(), Some(original));
        assert_eq!(store.user(other.id).unwrap(), Some(other));
        let ghost = user();
        assert_conflict(store.update_user(&ghost));
        assert_eq!(store.user(ghost.id).unwrap(), None);
    }

    pub fn deactivation_ends_that_users_sessions_challenges_invitations_and_tokens_only(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let leaving = stored_user(&*store);
        let staying = stored_user(&*store);
        let gone = holdings_of(&*store, leaving.id);
        let second_session = session_of(leaving.id);
        store.insert_session(&second_session).unwrap();
        let second_token = token_of(leaving.id, 1_700_000_000_001);
        store.insert_token(&second_token).unwrap();
        let kept = holdings_of(&*store, staying.id);

        store.deactivate_user(leaving.id).unwrap();

        let after = store.user(leaving.id).unwrap().unwrap();
        assert_eq!(
            after,
            UserRow {
                status: "deactivated".into(),
                ..leaving.clone()
            }
        );
        assert_eq!(store.session(&gone.session.digest).unwrap(), None);
        assert_eq!(store.session(&second_session.digest).unwrap(), None);
        assert_eq!(store.challenge(&gone.challenge.digest).unwrap(), None);
        assert_eq!(store.token_by_digest(&gone.token.digest).unwrap(), None);
        assert_eq!(store.token_by_digest(&second_token.digest).unwrap(), None);
        assert!(store.tokens_of(leaving.id).unwrap().is_empty());
        assert_eq!(
            store.take_invitation(&gone.invitation.digest).unwrap(),
            None
        );

        assert_eq!(store.user(staying.id).unwrap(), Some(staying.clone()));
        assert_eq!(
            store.session(&kept.session.digest).unwrap(),
            Some(kept.session)
        );
        assert_eq!(
            store.challenge(&kept.challenge.digest).unwrap(),
            Some(kept.challenge)
        );
        assert_eq!(
            store.token_by_digest(&kept.token.digest).unwrap(),
            Some(kept.token)
        );
        assert_eq!(
            store.take_invitation(&kept.invitation.digest).unwrap(),
            Some(kept.invitation)
        );
        // Deactivating twice is harmless.
        store.deactivate_user(leaving.id).unwrap();
    }

    pub fn deactivating_an_unknown_user_is_a_conflict_and_changes_nothing(h: &dyn Harness) {
        let store = h.open();
        let someone = stored_user(&*store);
        // Tokens are not tied to accounts by the schema, so a token of a non-account survives.
        let stray = token_of(ActorId::random(), 1);
        store.insert_token(&stray).unwrap();
        assert_conflict(store.deactivate_user(stray.actor));
        assert_eq!(store.token_by_digest(&stray.digest).unwrap(), Some(stray));
        assert_eq!(store.user(someone.id).unwrap(), Some(someone));
    }

    pub fn invitation_is_taken_once_and_only_by_its_digest(h: &dyn Harness) {
        let store = h.open();
        let invited = bare_user();
        store.insert_user(&invited).unwrap();
        let first = invitation_of(invited.id);
        let second = invitation_of(invited.id);
        store.insert_invitation(&first).unwrap();
        store.insert_invitation(&second).unwrap();
        assert_conflict(store.insert_invitation(&InvitationRow {
            digest: first.digest,
            ..invitation_of(invited.id)
        }));
        assert_eq!(store.take_invitation(&digest()).unwrap(), None);
        assert_eq!(
            store.take_invitation(&first.digest).unwrap(),
            Some(first.clone())
        );
        assert_eq!(store.take_invitation(&first.digest).unwrap(), None);
        assert_eq!(store.take_invitation(&second.digest).unwrap(), Some(second));
    }

    pub fn rows_pointing_at_an_unknown_user_are_conflicts_naming_no_client(h: &dyn Harness) {
        let store = h.open();
        let nobody = ActorId::random();
        let messages = [
            assert_conflict(store.insert_invitation(&invitation_of(nobody))),
            assert_conflict(store.insert_challenge(&challenge_of(nobody))),
            assert_conflict(store.insert_session(&session_of(nobody))),
            assert_conflict(store.replace_recovery_codes(nobody, &[digest()])),
        ];
        for msg in messages {
            assert!(msg.contains("no such user"), "{msg}");
        }
        assert!(!store.use_recovery_code(nobody, &digest()).unwrap());
    }

    pub fn challenge_reads_back_without_being_used_up_until_deleted(h: &dyn Harness) {
        let store = h.open();
        let someone = stored_user(&*store);
        let row = challenge_of(someone.id);
        let other = challenge_of(someone.id);
        store.insert_challenge(&row).unwrap();
        store.insert_challenge(&other).unwrap();
        assert_conflict(store.insert_challenge(&row));
        assert_eq!(store.challenge(&row.digest).unwrap(), Some(row.clone()));
        assert_eq!(store.challenge(&row.digest).unwrap(), Some(row.clone()));
        store.delete_challenge(&row.digest).unwrap();
        assert_eq!(store.challenge(&row.digest).unwrap(), None);
        store.delete_challenge(&row.digest).unwrap();
        assert_eq!(store.challenge(&other.digest).unwrap(), Some(other));
        assert_eq!(store.challenge(&digest()).unwrap(), None);
    }

    pub fn session_reads_back_records_activity_and_ends(h: &dyn Harness) {
        let store = h.open();
        let someone = stored_user(&*store);
        let row = session_of(someone.id);
        let other = session_of(someone.id);
        store.insert_session(&row).unwrap();
        store.insert_session(&other).unwrap();
        assert_conflict(store.insert_session(&row));
        assert_eq!(store.session(&row.digest).unwrap(), Some(row.clone()));
        store
            .touch_session(&row.digest, row.last_seen + 60_000)
            .unwrap();
        assert_eq!(
            store.session(&row.digest).unwrap(),
            Some(SessionRow {
                last_seen: row.last_seen + 60_000,
                ..row.clone()
            })
        );
        store.delete_session(&row.digest).unwrap();
        assert_eq!(store.session(&row.digest).unwrap(), None);
        // Touching or ending a session that is gone is not an error, and creates nothing.
        store.touch_session(&row.digest, 1).unwrap();
        store.delete_session(&row.digest).unwrap();
        assert_eq!(store.session(&row.digest).unwrap(), None);
        assert_eq!(store.session(&other.digest).unwrap(), Some(other));
    }

    pub fn ending_a_users_sessions_also_ends_their_challenges_and_no_one_elses(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let mine = [session_of(me.id), session_of(me.id)];
        let my_challenge = challenge_of(me.id);
        let yours = session_of(you.id);
        let your_challenge = challenge_of(you.id);
        for s in mine.iter().chain([&yours]) {
            store.insert_session(s).unwrap();
        }
        store.insert_challenge(&my_challenge).unwrap();
        store.insert_challenge(&your_challenge).unwrap();
        let my_token = token_of(me.id, 1);
        store.insert_token(&my_token).unwrap();

        store.delete_sessions_of(me.id).unwrap();

        for s in &mine {
            assert_eq!(store.session(&s.digest).unwrap(), None);
        }
        assert_eq!(store.challenge(&my_challenge.digest).unwrap(), None);
        assert_eq!(store.session(&yours.digest).unwrap(), Some(yours));
        assert_eq!(
            store.challenge(&your_challenge.digest).unwrap(),
            Some(your_challenge)
        );
        // API tokens and the account itself are untouched.
        assert_eq!(
            store.token_by_digest(&my_token.digest).unwrap(),
            Some(my_token)
        );
        assert_eq!(store.user(me.id).unwrap(), Some(me.clone()));
        store.delete_sessions_of(me.id).unwrap();
    }

    pub fn recovery_code_works_once_and_only_for_its_user(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let codes = [digest(), digest(), digest()];
        store.replace_recovery_codes(me.id, &codes).unwrap();
        let your_code = digest();
        store.replace_recovery_codes(you.id, &[your_code]).unwrap();

        assert!(!store.use_recovery_code(me.id, &your_code).unwrap());
        assert!(!store.use_recovery_code(you.id, &codes[0]).unwrap());
        assert!(!store.use_recovery_code(me.id, &digest()).unwrap());
        assert!(store.use_recovery_code(me.id, &codes[0]).unwrap());
        assert!(!store.use_recovery_code(me.id, &codes[0]).unwrap());
        assert!(store.use_recovery_code(me.id, &codes[2]).unwrap());
        assert!(store.use_recovery_code(you.id, &your_code).unwrap());
        assert!(store.use_recovery_code(me.id, &codes[1]).unwrap());
        assert!(!store.use_recovery_code(me.id, &codes[1]).unwrap());
    }

    pub fn replacing_recovery_codes_retires_the_old_set(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let old = [digest(), digest()];
        let new = [digest(), digest()];
        let yours = digest();
        store.replace_recovery_codes(me.id, &old).unwrap();
        store.replace_recovery_codes(you.id, &[yours]).unwrap();
        store.replace_recovery_codes(me.id, &new).unwrap();
        assert!(!store.use_recovery_code(me.id, &old[0]).unwrap());
        assert!(!store.use_recovery_code(me.id, &old[1]).unwrap());
        assert!(store.use_recovery_code(me.id, &new[1]).unwrap());
        // An empty set leaves the account with none; other accounts keep theirs.
        store.replace_recovery_codes(me.id, &[]).unwrap();
        assert!(!store.use_recovery_code(me.id, &new[0]).unwrap());
        assert!(store.use_recovery_code(you.id, &yours).unwrap());
    }

    pub fn care_team_members_are_added_listed_and_removed(h: &dyn Harness) {
        let store = h.open();
        let (a, _) = stored_client(&*store);
        let (b, _) = stored_client(&*store);
        let (lonely, _) = stored_client(&*store);
        let clinician = stored_user(&*store);
        let colleague = stored_user(&*store);
        let lead = CareTeamRow {
            added_at: 1_700_000_000_000,
            ..member(a.id, clinician.id, true)
        };
        let second = CareTeamRow {
            added_at: 1_700_000_000_500,
            ..member(a.id, colleague.id, false)
        };
        for row in [&second, &lead, &member(b.id, clinician.id, false)] {
            store.add_to_care_team(row).unwrap();
        }
        assert_conflict(store.add_to_care_team(&member(a.id, clinician.id, false)));
        assert_eq!(
            store.care_team(a.id).unwrap(),
            vec![lead.clone(), second.clone()]
        );
        assert!(store.care_team(lonely.id).unwrap().is_empty());
        let mut expected = vec![a.id, b.id];
        expected.sort();
        assert_eq!(store.clients_of(clinician.id).unwrap(), expected);
        assert_eq!(store.clients_of(colleague.id).unwrap(), vec![a.id]);
        assert!(store.clients_of(ActorId::random()).unwrap().is_empty());

        assert!(store.remove_from_care_team(a.id, clinician.id).unwrap());
        assert!(!store.remove_from_care_team(a.id, clinician.id).unwrap());
        assert!(
            !store
                .remove_from_care_team(lonely.id, colleague.id)
                .unwrap()
        );
        assert_eq!(store.care_team(a.id).unwrap(), vec![second]);
        assert_eq!(store.clients_of(clinician.id).unwrap(), vec![b.id]);
        // Rejoining after leaving is allowed.
        store.add_to_care_team(&lead).unwrap();
        assert_eq!(store.care_team(a.id).unwrap().len(), 2);
    }

    pub fn care_team_of_an_unknown_client_or_user_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let clinician = stored_user(&*store);
        assert_conflict(store.add_to_care_team(&member(ClientId::random(), clinician.id, true)));
        assert_conflict(store.add_to_care_team(&member(client.id, ActorId::random(), true)));
        assert!(store.care_team(client.id).unwrap().is_empty());
        assert!(store.clients_of(clinician.id).unwrap().is_empty());
    }

    pub fn supervision_shares_are_listed_to_their_supervisor_and_withdrawn(h: &dyn Harness) {
        let store = h.open();
        let (a, _) = stored_client(&*store);
        let (b, _) = stored_client(&*store);
        let trainee = stored_user(&*store);
        let supervisor = stored_user(&*store);
        let other_supervisor = stored_user(&*store);
        for client in [a.id, b.id] {
            store
                .add_to_care_team(&member(client, trainee.id, false))
                .unwrap();
        }
        let first = ShareRow {
            shared_at: 1_700_000_000_000,
            ..share(a.id, trainee.id, supervisor.id)
        };
        let later = ShareRow {
            shared_at: 1_700_000_009_000,
            ..share(b.id, trainee.id, supervisor.id)
        };
        store.add_share(&later).unwrap();
        store.add_share(&first).unwrap();
        assert_conflict(store.add_share(&share(a.id, trainee.id, other_supervisor.id)));
        assert_eq!(
            store.shares_to(supervisor.id).unwrap(),
            vec![first.clone(), later.clone()]
        );
        assert!(store.shares_to(other_supervisor.id).unwrap().is_empty());
        assert!(store.shares_to(trainee.id).unwrap().is_empty());

        assert!(store.remove_share(a.id, trainee.id).unwrap());
        assert!(!store.remove_share(a.id, trainee.id).unwrap());
        assert!(!store.remove_share(b.id, supervisor.id).unwrap());
        assert_eq!(store.shares_to(supervisor.id).unwrap(), vec![later]);
        // Withdrawing a share keeps the membership.
        assert_eq!(store.clients_of(trainee.id).unwrap().len(), 2);
    }

    pub fn only_a_care_team_member_can_share_a_client(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let outsider = stored_user(&*store);
        let supervisor = stored_user(&*store);
        assert_conflict(store.add_share(&share(client.id, outsider.id, supervisor.id)));
        store
            .add_to_care_team(&member(client.id, outsider.id, false))
            .unwrap();
        assert_conflict(store.add_share(&share(client.id, outsider.id, ActorId::random())));
        assert!(store.shares_to(supervisor.id).unwrap().is_empty());
        store
            .add_share(&share(client.id, outsider.id, supervisor.id))
            .unwrap();
        assert_eq!(store.shares_to(supervisor.id).unwrap().len(), 1);
    }

    pub fn leaving_a_care_team_withdraws_that_share_and_no_other(h: &dyn Harness) {
        let store = h.open();
        let (a, _) = stored_client(&*store);
        let (b, _) = stored_client(&*store);
        let trainee = stored_user(&*store);
        let peer = stored_user(&*store);
        let supervisor = stored_user(&*store);
        for (client, who) in [(a.id, trainee.id), (b.id, trainee.id), (a.id, peer.id)] {
            store.add_to_care_team(&member(client, who, false)).unwrap();
            store.add_share(&share(client, who, supervisor.id)).unwrap();
        }
        assert!(store.remove_from_care_team(a.id, trainee.id).unwrap());
        let left: Vec<(ClientId, ActorId)> = store
            .shares_to(supervisor.id)
            .unwrap()
            .iter()
            .map(|s| (s.client, s.supervisee))
            .collect();
        assert_eq!(left.len(), 2);
        assert!(left.contains(&(b.id, trainee.id)));
        assert!(left.contains(&(a.id, peer.id)));
        assert!(!store.remove_share(a.id, trainee.id).unwrap());
    }

    pub fn break_glass_is_active_only_before_expiry_and_only_for_that_user_and_client(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other_client, _) = stored_client(&*store);
        let clinician = stored_user(&*store);
        let colleague = stored_user(&*store);
        let row = grant(clinician.id, client.id, 1_000, 2_000);
        store.insert_break_glass(&row).unwrap();
        assert_conflict(store.insert_break_glass(&row));

        assert_eq!(
            store
                .active_break_glass(clinician.id, client.id, 1_000)
                .unwrap(),
            Some(row.clone())
        );
        assert_eq!(
            store
                .active_break_glass(clinician.id, client.id, 1_999)
                .unwrap(),
            Some(row.clone())
        );
        assert_eq!(
            store
                .active_break_glass(clinician.id, client.id, 2_000)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .active_break_glass(clinician.id, client.id, 9_999)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .active_break_glass(colleague.id, client.id, 1_500)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .active_break_glass(clinician.id, other_client.id, 1_500)
                .unwrap(),
            None
        );
        // A newer grant after the first lapsed is the active one.
        let renewed = grant(clinician.id, client.id, 3_000, 4_000);
        store.insert_break_glass(&renewed).unwrap();
        assert_eq!(
            store
                .active_break_glass(clinician.id, client.id, 3_500)
                .unwrap(),
            Some(renewed)
        );
        // A grant for an unknown client or user is refused.
        assert_conflict(store.insert_break_glass(&grant(clinician.id, ClientId::random(), 1, 2)));
        assert_conflict(store.insert_break_glass(&grant(ActorId::random(), client.id, 1, 2)));
    }

    pub fn break_glass_grants_list_newest_first_and_review_marks_them_once(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let clinician = stored_user(&*store);
        let officer = ActorId::random();
        let rows: Vec<BreakGlassRow> = [10, 30, 20]
            .iter()
            .map(|&at| grant(clinician.id, client.id, at, at + 100))
            .collect();
        for row in &rows {
            store.insert_break_glass(row).unwrap();
        }
        let newest_first = vec![rows[1].clone(), rows[2].clone(), rows[0].clone()];
        assert_eq!(store.break_glass_grants(false).unwrap(), newest_first);
        assert_eq!(store.break_glass_grants(true).unwrap(), newest_first);

        assert!(store.review_break_glass(rows[2].id, officer, 500).unwrap());
        assert!(
            !store
                .review_break_glass(rows[2].id, ActorId::random(), 600)
                .unwrap()
        );
        assert!(
            !store
                .review_break_glass(uuid::Uuid::new_v4(), officer, 500)
                .unwrap()
        );
        let reviewed = BreakGlassRow {
            reviewed_by: Some(officer),
            reviewed_at: Some(500),
            ..rows[2].clone()
        };
        assert_eq!(
            store.break_glass_grants(false).unwrap(),
            vec![rows[1].clone(), reviewed, rows[0].clone()]
        );
        assert_eq!(
            store.break_glass_grants(true).unwrap(),
            vec![rows[1].clone(), rows[0].clone()]
        );
        // Review does not end the access itself.
        assert!(
            store
                .active_break_glass(clinician.id, client.id, 100)
                .unwrap()
                .is_some()
        );
    }

    pub fn clients_are_unrestricted_until_marked_and_can_be_unmarked(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        assert!(!store.is_restricted(client.id).unwrap());
        store.set_restricted(client.id, true).unwrap();
        assert!(store.is_restricted(client.id).unwrap());
        assert!(!store.is_restricted(other.id).unwrap());
        store.set_restricted(client.id, true).unwrap();
        assert!(store.is_restricted(client.id).unwrap());
        // The sealed row is untouched by the flag.
        assert_eq!(store.client(client.id).unwrap(), Some(client.clone()));
        store.set_restricted(client.id, false).unwrap();
        assert!(!store.is_restricted(client.id).unwrap());
        assert!(!store.is_restricted(ClientId::random()).unwrap());
        assert_conflict(store.set_restricted(ClientId::random(), true));
    }

    /// No account, no relationship: what `access_facts` says of strangers.
    fn no_facts(account: Option<UserRow>) -> AccessFactsRow {
        AccessFactsRow {
            account,
            care_team: None,
            shared_for_supervision: false,
            break_glass_until: None,
            restricted: false,
        }
    }

    pub fn access_facts_read_every_relationship_of_a_member_and_client_at_once(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let clinician = stored_user(&*store);
        let trainee = stored_user(&*store);
        let supervisor = stored_user(&*store);
        let facts =
            |user: &UserRow, client: &ClientRow| store.access_facts(user.id, client.id).unwrap();
        assert_eq!(
            facts(&clinician, &client),
            no_facts(Some(clinician.clone()))
        );

        store
            .add_to_care_team(&member(client.id, clinician.id, true))
            .unwrap();
        store
            .add_to_care_team(&member(client.id, trainee.id, false))
            .unwrap();
        store
            .add_share(&share(client.id, trainee.id, supervisor.id))
            .unwrap();
        for (granted, lapses) in [(1, 1_800_000_000_000), (2, 1_700_000_000_000)] {
            store
                .insert_break_glass(&grant(supervisor.id, client.id, granted, lapses))
                .unwrap();
        }
        store.set_restricted(client.id, true).unwrap();
        assert_eq!(facts(&clinician, &client).care_team, Some(true));
        assert_eq!(facts(&trainee, &client).care_team, Some(false));
        assert_eq!(
            facts(&supervisor, &client),
            AccessFactsRow {
                shared_for_supervision: true,
                break_glass_until: Some(1_800_000_000_000),
                restricted: true,
                ..no_facts(Some(supervisor.clone()))
            }
        );
        assert_eq!(
            facts(&supervisor, &other),
            no_facts(Some(supervisor.clone()))
        );
        let unknown = store.access_facts(ActorId::random(), ClientId::random());
        assert_eq!(unknown.unwrap(), no_facts(None));

        // Leaving the care team ends the membership and the share made under it.
        assert!(store.remove_from_care_team(client.id, trainee.id).unwrap());
        assert_eq!(facts(&trainee, &client).care_team, None);
        assert!(!facts(&supervisor, &client).shared_for_supervision);
    }

    pub fn a_token_reads_back_with_its_account_by_digest(h: &dyn Harness) {
        let store = h.open();
        let account = stored_user(&*store);
        let token = token_of(account.id, 1_700_000_000_000);
        store.insert_token(&token).unwrap();
        assert_eq!(
            store.token_and_account(&token.digest).unwrap(),
            Some((token.clone(), Some(account.clone())))
        );
        assert_eq!(store.token_and_account(&digest()).unwrap(), None);
        // A token for an account the store does not hold reads back without one.
        let stray = token_of(ActorId::random(), 1_700_000_000_000);
        store.insert_token(&stray).unwrap();
        assert_eq!(
            store.token_and_account(&stray.digest).unwrap(),
            Some((stray, None))
        );
        assert!(store.revoke_token(account.id, token.id).unwrap());
        assert_eq!(store.token_and_account(&token.digest).unwrap(), None);
    }

    pub fn tokens_of_an_actor_are_listed_by_creation_time_and_only_theirs(h: &dyn Harness) {
        let store = h.open();
        let me = ActorId::random();
        let mut mine: Vec<TokenRow> = (0..4)
            .map(|i| TokenRow {
                scope: ["read", "write", "admin", "read"][i].into(),
                ..token_of(me, 1_700_000_000_000 - i64::try_from(i).unwrap())
            })
            .collect();
        for row in &mine {
            store.insert_token(row).unwrap();
        }
        store.insert_token(&token()).unwrap();
        mine.reverse();
        assert_eq!(store.tokens_of(me).unwrap(), mine);
        assert!(store.tokens_of(ActorId::random()).unwrap().is_empty());
    }

    pub fn only_the_owning_actor_can_revoke_a_token(h: &dyn Harness) {
        let store = h.open();
        let mine = token();
        let yours = token();
        store.insert_token(&mine).unwrap();
        store.insert_token(&yours).unwrap();
        assert!(!store.revoke_token(yours.actor, mine.id).unwrap());
        assert!(!store.revoke_token(mine.actor, yours.id).unwrap());
        assert_eq!(
            store.token_by_digest(&mine.digest).unwrap(),
            Some(mine.clone())
        );
        assert!(store.revoke_token(mine.actor, mine.id).unwrap());
        assert!(!store.revoke_token(mine.actor, mine.id).unwrap());
        assert_eq!(store.token_by_digest(&mine.digest).unwrap(), None);
        assert!(store.tokens_of(mine.actor).unwrap().is_empty());
        assert_eq!(store.token_by_digest(&yours.digest).unwrap(), Some(yours));
        assert!(
            !store
                .revoke_token(ActorId::random(), TokenId::random())
                .unwrap()
        );
    }

    pub fn staff_conflict_messages_name_no_stored_values(h: &dyn Harness) {
        let store = h.open();
        let first = UserRow {
            email: Some("email-marker-51d0@clinic.example".into()),
            display_name: "name-marker-8e2f".into(),
            role: "role-marker-a4c7".into(),
            ..user()
        };
        store.insert_user(&first).unwrap();
        let messages = [
            assert_conflict(store.insert_user(&first)),
            assert_conflict(store.insert_user(&UserRow {
                email: first.email.clone(),
                ..user()
            })),
            assert_conflict(store.update_user(&UserRow {
                email: first.email.clone(),
                ..stored_user(&*store)
            })),
        ];
        for msg in messages {
            for marker in ["email-marker", "name-marker", "role-marker"] {
                assert!(!msg.contains(marker), "{msg}");
            }
        }
    }

    pub fn staff_and_care_rows_persist_after_the_store_is_dropped_and_reopened(h: &dyn Harness) {
        let (client, key) = client_under(1);
        let someone = user();
        let session = session_of(someone.id);
        let team = member(client.id, someone.id, true);
        let glass = grant(someone.id, client.id, 1_000, 2_000);
        let code = digest();
        {
            let store = h.open();
            store.insert_client(&client, &key).unwrap();
            store.insert_user(&someone).unwrap();
            store.insert_session(&session).unwrap();
            store.replace_recovery_codes(someone.id, &[code]).unwrap();
            store.add_to_care_team(&team).unwrap();
            store.insert_break_glass(&glass).unwrap();
            store.set_restricted(client.id, true).unwrap();
        }
        let store = h.open();
        assert_eq!(store.user(someone.id).unwrap(), Some(someone.clone()));
        assert_eq!(store.session(&session.digest).unwrap(), Some(session));
        assert_eq!(store.care_team(client.id).unwrap(), vec![team]);
        assert_eq!(
            store
                .active_break_glass(someone.id, client.id, 1_500)
                .unwrap(),
            Some(glass)
        );
        assert!(store.is_restricted(client.id).unwrap());
        assert!(store.use_recovery_code(someone.id, &code).unwrap());
    }

    /// Arbitrary text, bytes, counters and times in an account come back exactly as written.
    pub fn arbitrary_user_rows_round_trip_exactly(h: &dyn Harness) {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        let store = h.open();
        let text = || any::<String>();
        let time = || proptest::option::of(any::<i64>());
        let strategy = (
            (text(), text(), text(), proptest::option::of(text())),
            (
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..200)),
                proptest::option::of(0..=u64::try_from(i64::MAX).unwrap()),
                any::<u32>(),
                prop_oneof![Just("invited"), Just("active"), Just("deactivated")],
            ),
            (time(), time(), time(), time(), any::<i64>()),
        );
        let mut runner = TestRunner::new(Config::with_cases(48));
        runner
            .run(
                &strategy,
                |(
                    (email, name, role, phc),
                    (totp, step, failures, status),
                    (locked, nda, start, end, created),
                )| {
                    let row = UserRow {
                        id: ActorId::random(),
                        // Unique per case even when the generated text repeats.
                        email: Some(format!("{email}{}", uuid::Uuid::new_v4())),
                        display_name: name,
                        role,
                        status: status.into(),
                        password_phc: phc,
                        totp: totp.map(Sealed::from_bytes),
                        totp_last_step: step,
                        failed_logins: failures,
                        locked_until: locked,
                        supervisor: None,
                        nda_at: nda,
                        window_start: start,
                        window_end: end,
                        created_at: created,
                    };
                    store.insert_user(&row).unwrap();
                    prop_assert_eq!(store.user(row.id).unwrap(), Some(row.clone()));
                    let email = row.email.clone().unwrap();
                    prop_assert_eq!(store.user_by_email(&email).unwrap(), Some(row));
                    Ok(())
                },
            )
            .unwrap();
    }

    // Passkeys and their ceremonies.

    fn passkey_of(user: ActorId, created_at: i64) -> PasskeyRow {
        PasskeyRow {
            id: PasskeyId::random(),
            user,
            credential_id: blob(64),
            label: "synthetic work laptop".into(),
            credential: sealed(),
            created_at,
            last_used_at: None,
        }
    }

    fn ceremony_of(user: ActorId, kind: CeremonyKind, expires_at: i64) -> PasskeyCeremonyRow {
        PasskeyCeremonyRow {
            digest: digest(),
            kind,
            user,
            state: sealed(),
            expires_at,
        }
    }

    pub fn passkeys_are_listed_per_account_oldest_first_and_read_back_unchanged(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let newer = passkey_of(me.id, 1_700_000_000_900);
        let older = PasskeyRow {
            last_used_at: Some(1_700_000_001_000),
            // The largest credential id WebAuthn allows.
            credential_id: blob(1023),
            ..passkey_of(me.id, 1_700_000_000_100)
        };
        let yours = passkey_of(you.id, 1_700_000_000_500);
        for row in [&newer, &yours, &older] {
            store.insert_passkey(row).unwrap();
        }
        assert_eq!(store.passkeys_of(me.id).unwrap(), vec![older, newer]);
        assert_eq!(store.passkeys_of(you.id).unwrap(), vec![yours]);
        assert!(store.passkeys_of(ActorId::random()).unwrap().is_empty());
    }

    pub fn passkey_with_a_taken_id_or_credential_id_or_unknown_account_is_a_conflict(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let first = passkey_of(me.id, 1);
        store.insert_passkey(&first).unwrap();
        assert_conflict(store.insert_passkey(&PasskeyRow {
            id: first.id,
            ..passkey_of(me.id, 2)
        }));
        // One authenticator's credential signs in to one account only.
        assert_conflict(store.insert_passkey(&PasskeyRow {
            credential_id: first.credential_id.clone(),
            ..passkey_of(you.id, 3)
        }));
        let msg = assert_conflict(store.insert_passkey(&passkey_of(ActorId::random(), 4)));
        assert!(msg.contains("no such user"), "{msg}");
        for bad_len in [0, 1024] {
            assert_conflict(store.insert_passkey(&PasskeyRow {
                credential_id: blob(bad_len),
                ..passkey_of(me.id, 5)
            }));
        }
        assert_eq!(store.passkeys_of(me.id).unwrap(), vec![first]);
        assert!(store.passkeys_of(you.id).unwrap().is_empty());
    }

    pub fn recording_a_passkey_use_changes_only_that_passkey_of_its_owner(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let used = passkey_of(me.id, 1);
        let other = passkey_of(me.id, 2);
        store.insert_passkey(&used).unwrap();
        store.insert_passkey(&other).unwrap();
        let moved = sealed();
        assert!(
            !store
                .record_passkey_use(you.id, used.id, &moved, 9_000)
                .unwrap()
        );
        assert!(
            !store
                .record_passkey_use(me.id, PasskeyId::random(), &moved, 9_000)
                .unwrap()
        );
        assert!(
            store
                .record_passkey_use(me.id, used.id, &moved, 9_000)
                .unwrap()
        );
        let after = PasskeyRow {
            credential: moved,
            last_used_at: Some(9_000),
            ..used
        };
        assert_eq!(store.passkeys_of(me.id).unwrap(), vec![after, other]);
    }

    pub fn only_the_owner_deletes_a_passkey_and_deleting_all_spares_other_accounts(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let me = stored_user(&*store);
        let you = stored_user(&*store);
        let mine = passkey_of(me.id, 1);
        let spare = passkey_of(me.id, 2);
        let yours = passkey_of(you.id, 3);
        for row in [&mine, &spare, &yours] {
            store.insert_passkey(row).unwrap();
        }
        let my_ceremony = ceremony_of(me.id, CeremonyKind::Authentication, i64::MAX);
        let your_ceremony = ceremony_of(you.id, CeremonyKind::Registration, i64::MAX);
        store.put_passkey_ceremony(&my_ceremony, 0).unwrap();
        store.put_passkey_ceremony(&your_ceremony, 0).unwrap();

        assert!(!store.delete_passkey(you.id, mine.id).unwrap());
        assert!(store.delete_passkey(me.id, mine.id).unwrap());
        assert!(!store.delete_passkey(me.id, mine.id).unwrap());
        assert_eq!(store.passkeys_of(me.id).unwrap(), vec![spare.clone()]);
        // Its credential id is free again.
        store
            .insert_passkey(&PasskeyRow {
                credential_id: mine.credential_id.clone(),
                ..passkey_of(you.id, 4)
            })
            .unwrap();

        store.delete_passkeys_of(me.id).unwrap();
        assert!(store.passkeys_of(me.id).unwrap().is_empty());
        assert_eq!(
            store
                .take_passkey_ceremony(&my_ceremony.digest, my_ceremony.kind)
                .unwrap(),
            None
        );
        assert_eq!(store.passkeys_of(you.id).unwrap().len(), 2);
        assert_eq!(
            store
                .take_passkey_ceremony(&your_ceremony.digest, your_ceremony.kind)
                .unwrap(),
            Some(your_ceremony)
        );
        store.delete_passkeys_of(ActorId::random()).unwrap();
    }

    pub fn passkey_ceremony_is_taken_once_and_only_by_its_digest_and_kind(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let row = ceremony_of(me.id, CeremonyKind::Authentication, 2_000);
        store.put_passkey_ceremony(&row, 1_000).unwrap();
        assert_eq!(
            store
                .take_passkey_ceremony(&row.digest, CeremonyKind::Registration)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .take_passkey_ceremony(&digest(), CeremonyKind::Authentication)
                .unwrap(),
            None
        );
        assert_eq!(
            store.take_passkey_ceremony(&row.digest, row.kind).unwrap(),
            Some(row.clone())
        );
        assert_eq!(
            store.take_passkey_ceremony(&row.digest, row.kind).unwrap(),
            None
        );
        // The same digest may carry one ceremony of each kind.
        let registration = PasskeyCeremonyRow {
            kind: CeremonyKind::Registration,
            ..row.clone()
        };
        store.put_passkey_ceremony(&row, 1_000).unwrap();
        store.put_passkey_ceremony(&registration, 1_000).unwrap();
        assert_eq!(
            store
                .take_passkey_ceremony(&row.digest, CeremonyKind::Registration)
                .unwrap(),
            Some(registration)
        );
        assert_eq!(
            store.take_passkey_ceremony(&row.digest, row.kind).unwrap(),
            Some(row)
        );
        let msg = assert_conflict(store.put_passkey_ceremony(
            &ceremony_of(ActorId::random(), CeremonyKind::Registration, 2_000),
            1_000,
        ));
        assert!(msg.contains("no such user"), "{msg}");
    }

    pub fn storing_a_ceremony_replaces_its_predecessor_and_purges_expired_ones(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let first = ceremony_of(me.id, CeremonyKind::Registration, 5_000);
        store.put_passkey_ceremony(&first, 1_000).unwrap();
        let again = PasskeyCeremonyRow {
            state: sealed(),
            expires_at: 6_000,
            ..first.clone()
        };
        store.put_passkey_ceremony(&again, 1_500).unwrap();
        let lapsing = ceremony_of(me.id, CeremonyKind::Authentication, 3_000);
        let lasting = ceremony_of(me.id, CeremonyKind::Authentication, 3_001);
        store.put_passkey_ceremony(&lapsing, 2_000).unwrap();
        store.put_passkey_ceremony(&lasting, 2_000).unwrap();
        // Storing any ceremony at 3 000 sweeps those that expired by then.
        let later = ceremony_of(me.id, CeremonyKind::Authentication, 9_000);
        store.put_passkey_ceremony(&later, 3_000).unwrap();
        assert_eq!(
            store
                .take_passkey_ceremony(&lapsing.digest, lapsing.kind)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .take_passkey_ceremony(&lasting.digest, lasting.kind)
                .unwrap(),
            Some(lasting)
        );
        assert_eq!(
            store
                .take_passkey_ceremony(&first.digest, first.kind)
                .unwrap(),
            Some(again)
        );
        assert_eq!(
            store
                .take_passkey_ceremony(&later.digest, later.kind)
                .unwrap(),
            Some(later)
        );
    }

    pub fn passkey_conflict_messages_name_no_stored_values(h: &dyn Harness) {
        let store = h.open();
        let me = stored_user(&*store);
        let first = PasskeyRow {
            label: "label-marker-3b9e".into(),
            ..passkey_of(me.id, 1)
        };
        store.insert_passkey(&first).unwrap();
        let messages = [
            assert_conflict(store.insert_passkey(&first)),
            assert_conflict(store.insert_passkey(&PasskeyRow {
                credential_id: first.credential_id.clone(),
                ..passkey_of(me.id, 2)
            })),
        ];
        let hex: String = first
            .credential_id
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for msg in messages {
            assert!(!msg.contains("label-marker"), "{msg}");
            assert!(!msg.to_lowercase().contains(&hex[..16]), "{msg}");
        }
    }

    pub fn passkeys_and_ceremonies_persist_after_the_store_is_dropped_and_reopened(
        h: &dyn Harness,
    ) {
        let someone = user();
        let key = passkey_of(someone.id, 1_700_000_000_000);
        let ceremony = ceremony_of(someone.id, CeremonyKind::Registration, i64::MAX);
        {
            let store = h.open();
            store.insert_user(&someone).unwrap();
            store.insert_passkey(&key).unwrap();
            store.put_passkey_ceremony(&ceremony, 0).unwrap();
        }
        let store = h.open();
        assert_eq!(store.passkeys_of(someone.id).unwrap(), vec![key]);
        assert_eq!(
            store
                .take_passkey_ceremony(&ceremony.digest, ceremony.kind)
                .unwrap(),
            Some(ceremony)
        );
    }

    // -----------------------------------------------------------------------------------------
    // Episodes of care and appointments

    /// 2026-03-02 as a Julian day number.
    const MARCH_2: i32 = 2_461_102;

    fn episode_of(client: ClientId, opened_on: i32, closed_on: Option<i32>) -> EpisodeRow {
        EpisodeRow {
            id: EpisodeId::random(),
            client_id: client,
            key_version: 1,
            opened_on,
            closed_on,
            reason: sealed(),
            opened_by: ActorId::random(),
            created_at: 1_700_000_000_000,
        }
    }

    fn appointment_of(client: ClientId, starts_at: i64) -> AppointmentRow {
        AppointmentRow {
            id: AppointmentId::random(),
            client_id: client,
            episode: None,
            key_version: 1,
            starts_at,
            duration_minutes: 50,
            service_code: "90834".into(),
            attendance: "scheduled".into(),
            location: sealed(),
            note: sealed(),
            created_by: ActorId::random(),
            created_at: 1_700_000_000_000,
            revision: 0,
        }
    }

    pub fn episodes_read_back_unchanged_and_are_listed_by_opening_date_and_only_theirs(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let open = episode_of(client.id, MARCH_2 + 40, None);
        let first = episode_of(client.id, MARCH_2, Some(MARCH_2 + 10));
        let second = episode_of(client.id, MARCH_2 + 20, Some(MARCH_2 + 20));
        let theirs = episode_of(other.id, MARCH_2 - 5, None);
        for row in [&open, &second, &theirs, &first] {
            store.insert_episode(row).unwrap();
        }
        assert_eq!(store.episode(second.id).unwrap(), Some(second.clone()));
        assert_eq!(
            store.episodes_of(client.id).unwrap(),
            vec![first, second, open.clone()]
        );
        assert_eq!(store.open_episode_of(client.id).unwrap(), Some(open));
        assert_eq!(store.episodes_of(other.id).unwrap(), vec![theirs]);
        assert_eq!(store.episode(EpisodeId::random()).unwrap(), None);
        assert!(store.episodes_of(ClientId::random()).unwrap().is_empty());
        assert_eq!(store.open_episode_of(ClientId::random()).unwrap(), None);
    }

    pub fn a_client_has_at_most_one_open_episode(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let open = episode_of(client.id, MARCH_2, None);
        store.insert_episode(&open).unwrap();
        let second = episode_of(client.id, MARCH_2 + 1, None);
        assert_conflict(store.insert_episode(&second));
        assert_eq!(store.episode(second.id).unwrap(), None);
        // Closed episodes (history) and another client's open one are fine.
        store
            .insert_episode(&episode_of(client.id, MARCH_2 - 30, Some(MARCH_2 - 20)))
            .unwrap();
        store
            .insert_episode(&episode_of(other.id, MARCH_2, None))
            .unwrap();
        // Once the first closes, a new one may open.
        let closed = EpisodeRow {
            closed_on: Some(MARCH_2 + 7),
            ..open.clone()
        };
        assert!(store.update_episode(&closed).unwrap());
        store.insert_episode(&second).unwrap();
        assert_eq!(store.open_episode_of(client.id).unwrap(), Some(second));
    }

    pub fn closing_changes_only_an_open_episode_of_that_client_and_never_before_it_opened(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let open = episode_of(client.id, MARCH_2, None);
        store.insert_episode(&open).unwrap();

        let too_early = EpisodeRow {
            closed_on: Some(MARCH_2 - 1),
            ..open.clone()
        };
        assert_conflict(store.update_episode(&too_early));
        let moved = EpisodeRow {
            client_id: other.id,
            closed_on: Some(MARCH_2 + 1),
            ..open.clone()
        };
        assert!(!store.update_episode(&moved).unwrap());
        let unknown = EpisodeRow {
            closed_on: Some(MARCH_2 + 1),
            ..episode_of(client.id, MARCH_2, None)
        };
        assert!(!store.update_episode(&unknown).unwrap());
        assert_eq!(store.episode(open.id).unwrap(), Some(open.clone()));

        // The opening day itself is a valid closing day; the reason may be resealed with it.
        let closed = EpisodeRow {
            closed_on: Some(MARCH_2),
            reason: sealed(),
            key_version: 2,
            ..open.clone()
        };
        assert!(store.update_episode(&closed).unwrap());
        assert_eq!(store.episode(open.id).unwrap(), Some(closed.clone()));
        assert_eq!(store.open_episode_of(client.id).unwrap(), None);
        // Closed stays closed: neither reopened nor closed again.
        for again in [None, Some(MARCH_2 + 3)] {
            let row = EpisodeRow {
                closed_on: again,
                ..closed.clone()
            };
            assert!(!store.update_episode(&row).unwrap());
        }
        assert_eq!(store.episode(open.id).unwrap(), Some(closed));
    }

    pub fn episode_for_an_unknown_client_or_with_a_taken_id_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let orphan = episode_of(ClientId::random(), MARCH_2, None);
        let msg = assert_conflict(store.insert_episode(&orphan));
        assert!(msg.contains("no such client"), "{msg}");
        assert_eq!(store.episode(orphan.id).unwrap(), None);

        let (client, _) = stored_client(&*store);
        let first = episode_of(client.id, MARCH_2, Some(MARCH_2 + 1));
        store.insert_episode(&first).unwrap();
        let twin = EpisodeRow {
            id: first.id,
            ..episode_of(client.id, MARCH_2 + 5, Some(MARCH_2 + 6))
        };
        assert_conflict(store.insert_episode(&twin));
        let backwards = episode_of(client.id, MARCH_2, Some(MARCH_2 - 1));
        assert_conflict(store.insert_episode(&backwards));
        assert_eq!(store.episodes_of(client.id).unwrap(), vec![first]);
    }

    pub fn appointments_read_back_unchanged_and_are_listed_by_start_and_only_theirs(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let episode = episode_of(client.id, MARCH_2, None);
        store.insert_episode(&episode).unwrap();
        let late = AppointmentRow {
            episode: Some(episode.id),
            duration_minutes: 1440,
            service_code: "ABCDEFGHIJ".into(),
            attendance: "no_show".into(),
            revision: u32::MAX,
            ..appointment_of(client.id, 1_700_000_900_000)
        };
        let early = AppointmentRow {
            duration_minutes: 1,
            service_code: "Z".into(),
            attendance: "attended".into(),
            ..appointment_of(client.id, 1_700_000_100_000)
        };
        let middle = AppointmentRow {
            attendance: "cancelled".into(),
            ..appointment_of(client.id, 1_700_000_500_000)
        };
        let theirs = appointment_of(other.id, 1_700_000_500_000);
        for row in [&late, &theirs, &early, &middle] {
            store.insert_appointment(row).unwrap();
        }
        assert_eq!(store.appointment(late.id).unwrap(), Some(late.clone()));
        assert_eq!(
            store.appointments_of(client.id).unwrap(),
            vec![early, middle, late]
        );
        assert_eq!(store.appointments_of(other.id).unwrap(), vec![theirs]);
        assert_eq!(store.appointment(AppointmentId::random()).unwrap(), None);
        assert!(
            store
                .appointments_of(ClientId::random())
                .unwrap()
                .is_empty()
        );
    }

    pub fn an_appointments_episode_must_be_one_of_the_same_clients(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let mine = episode_of(client.id, MARCH_2, None);
        let theirs = episode_of(other.id, MARCH_2, None);
        store.insert_episode(&mine).unwrap();
        store.insert_episode(&theirs).unwrap();
        for wrong in [theirs.id, EpisodeId::random()] {
            let row = AppointmentRow {
                episode: Some(wrong),
                ..appointment_of(client.id, 1_700_000_000_000)
            };
            let msg = assert_conflict(store.insert_appointment(&row));
            assert!(msg.contains("no such"), "{msg}");
            assert_eq!(store.appointment(row.id).unwrap(), None);
        }
        let row = AppointmentRow {
            episode: Some(mine.id),
            ..appointment_of(client.id, 1_700_000_000_000)
        };
        store.insert_appointment(&row).unwrap();
        // Nor can a change move it into another client's episode.
        let moved = AppointmentRow {
            episode: Some(theirs.id),
            revision: 1,
            ..row.clone()
        };
        assert_conflict(store.update_appointment(&moved, 0));
        let unlinked = AppointmentRow {
            episode: None,
            revision: 1,
            ..row.clone()
        };
        assert!(store.update_appointment(&unlinked, 0).unwrap());
        assert_eq!(store.appointment(row.id).unwrap(), Some(unlinked));
    }

    pub fn appointment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let orphan = appointment_of(ClientId::random(), 1_700_000_000_000);
        let msg = assert_conflict(store.insert_appointment(&orphan));
        assert!(msg.contains("no such client"), "{msg}");
        assert_eq!(store.appointment(orphan.id).unwrap(), None);
        let (client, _) = stored_client(&*store);
        let first = appointment_of(client.id, 1_700_000_000_000);
        store.insert_appointment(&first).unwrap();
        let twin = AppointmentRow {
            id: first.id,
            ..appointment_of(client.id, 1_700_000_600_000)
        };
        assert_conflict(store.insert_appointment(&twin));
        assert_eq!(store.appointments_of(client.id).unwrap(), vec![first]);
    }

    pub fn an_appointment_changes_only_from_the_revision_read(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let row = appointment_of(client.id, 1_700_000_000_000);
        store.insert_appointment(&row).unwrap();
        let rescheduled = AppointmentRow {
            starts_at: 1_700_000_360_000,
            duration_minutes: 80,
            service_code: "90837".into(),
            location: sealed(),
            note: sealed(),
            key_version: 2,
            revision: 1,
            ..row.clone()
        };
        let cancelled = AppointmentRow {
            attendance: "cancelled".into(),
            revision: 1,
            ..row.clone()
        };
        assert!(store.update_appointment(&rescheduled, 0).unwrap());
        // The second writer read revision 0 too: it loses, and changes nothing.
        assert!(!store.update_appointment(&cancelled, 0).unwrap());
        assert_eq!(
            store.appointment(row.id).unwrap(),
            Some(rescheduled.clone())
        );
        // Neither an unknown id nor a change of client, creator or creation time lands.
        let unknown = AppointmentRow {
            revision: 1,
            ..appointment_of(client.id, 0)
        };
        assert!(!store.update_appointment(&unknown, 0).unwrap());
        let moved = AppointmentRow {
            client_id: other.id,
            revision: 2,
            ..rescheduled.clone()
        };
        assert!(!store.update_appointment(&moved, 1).unwrap());
        let recredited = AppointmentRow {
            created_by: ActorId::random(),
            created_at: 5,
            attendance: "attended".into(),
            revision: 2,
            ..rescheduled.clone()
        };
        assert!(store.update_appointment(&recredited, 1).unwrap());
        let stored = store.appointment(row.id).unwrap().unwrap();
        assert_eq!(
            (stored.created_by, stored.created_at),
            (row.created_by, row.created_at)
        );
        assert_eq!(
            (stored.attendance.as_str(), stored.revision),
            ("attended", 2)
        );
    }

    pub fn appointments_between_include_from_and_exclude_to_across_clients(h: &dyn Harness) {
        let store = h.open();
        let (a, _) = stored_client(&*store);
        let (b, _) = stored_client(&*store);
        let (from, to) = (1_700_000_000_000, 1_700_086_400_000);
        let before = appointment_of(a.id, from - 1);
        let at_from = appointment_of(b.id, from);
        let inside = appointment_of(a.id, from + 3_600_000);
        let twin = AppointmentRow {
            id: AppointmentId::random(),
            ..appointment_of(b.id, from + 3_600_000)
        };
        let last = appointment_of(b.id, to - 1);
        let at_to = appointment_of(a.id, to);
        for row in [&at_to, &inside, &before, &last, &twin, &at_from] {
            store.insert_appointment(row).unwrap();
        }
        let mut same_time = vec![inside, twin];
        same_time.sort_by_key(|r| r.id);
        let mut expected = vec![at_from];
        expected.extend(same_time);
        expected.push(last);
        assert_eq!(store.appointments_between(from, to).unwrap(), expected);
        assert!(store.appointments_between(to, from).unwrap().is_empty());
        assert!(store.appointments_between(from, from).unwrap().is_empty());
    }

    pub fn appointment_values_outside_the_schema_are_conflicts_and_not_written(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let base = || appointment_of(client.id, 1_700_000_000_000);
        let bad = [
            AppointmentRow {
                duration_minutes: 0,
                ..base()
            },
            AppointmentRow {
                duration_minutes: 1441,
                ..base()
            },
            AppointmentRow {
                service_code: String::new(),
                ..base()
            },
            AppointmentRow {
                service_code: "ABCDEFGHIJK".into(),
                ..base()
            },
            AppointmentRow {
                attendance: "maybe".into(),
                ..base()
            },
        ];
        for row in &bad {
            assert_conflict(store.insert_appointment(row));
            assert_eq!(store.appointment(row.id).unwrap(), None);
        }
        let good = base();
        store.insert_appointment(&good).unwrap();
        for row in bad {
            let change = AppointmentRow {
                id: good.id,
                revision: 1,
                ..row
            };
            assert_conflict(store.update_appointment(&change, 0));
        }
        assert_eq!(store.appointment(good.id).unwrap(), Some(good));
    }

    pub fn appointment_conflict_messages_name_no_stored_values(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let first = appointment_of(client.id, 1_700_000_000_000);
        store.insert_appointment(&first).unwrap();
        let messages = [
            assert_conflict(store.insert_appointment(&AppointmentRow {
                service_code: "MARKER7Q".into(),
                ..first.clone()
            })),
            assert_conflict(store.insert_appointment(&AppointmentRow {
                attendance: "attendance-marker-5c".into(),
                ..appointment_of(client.id, 0)
            })),
            assert_conflict(store.insert_episode(&episode_of(client.id, 77_777_777, Some(0)))),
        ];
        let id = first.id.to_string();
        for msg in messages {
            for value in ["MARKER7Q", "attendance-marker", "77777777", id.as_str()] {
                assert!(!msg.contains(value), "{msg}");
            }
        }
    }

    pub fn episodes_and_appointments_persist_after_the_store_is_dropped_and_reopened(
        h: &dyn Harness,
    ) {
        let (client, key) = client_under(1);
        let episode = episode_of(client.id, MARCH_2, None);
        let row = AppointmentRow {
            episode: Some(episode.id),
            ..appointment_of(client.id, 1_700_000_000_000)
        };
        {
            let store = h.open();
            store.insert_client(&client, &key).unwrap();
            store.insert_episode(&episode).unwrap();
            store.insert_appointment(&row).unwrap();
        }
        let store = h.open();
        assert_eq!(store.open_episode_of(client.id).unwrap(), Some(episode));
        assert_eq!(store.appointments_of(client.id).unwrap(), vec![row]);
    }

    // -----------------------------------------------------------------------------------------
    // Assessments

    use confidant_core::ids::AssessmentId;
    use confidant_core::ports::AssessmentRow;

    fn assessment_of(client: ClientId, administered_on: i32, created_at: i64) -> AssessmentRow {
        AssessmentRow {
            id: AssessmentId::random(),
            client_id: client,
            episode: None,
            key_version: 1,
            instrument: "phq9".into(),
            administered_on,
            author: ActorId::random(),
            created_at,
            answers: sealed(),
            comment: sealed(),
        }
    }

    pub fn assessments_read_back_unchanged_and_are_listed_by_day_then_record_time_and_only_theirs(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let episode = episode_of(client.id, MARCH_2 - 30, Some(MARCH_2 - 1));
        store.insert_episode(&episode).unwrap();
        let latest = AssessmentRow {
            episode: Some(episode.id),
            instrument: "gad7".into(),
            key_version: u32::MAX,
            ..assessment_of(client.id, MARCH_2, 1_700_000_000_000)
        };
        // Given earlier but recorded later: the day it was given orders the list.
        let earliest = assessment_of(client.id, MARCH_2 - 20, 1_700_000_900_000);
        let same_day_first = assessment_of(client.id, MARCH_2 - 5, 1_700_000_100_000);
        let same_day_second = assessment_of(client.id, MARCH_2 - 5, 1_700_000_200_000);
        let twin_a = assessment_of(client.id, MARCH_2 - 2, 1_700_000_300_000);
        let twin_b = assessment_of(client.id, MARCH_2 - 2, 1_700_000_300_000);
        let theirs = assessment_of(other.id, MARCH_2 - 10, 1_700_000_000_000);
        for row in [
            &latest,
            &twin_b,
            &theirs,
            &same_day_second,
            &earliest,
            &twin_a,
            &same_day_first,
        ] {
            store.insert_assessment(row).unwrap();
        }
        assert_eq!(store.assessment(latest.id).unwrap(), Some(latest.clone()));
        let mut twins = vec![twin_a, twin_b];
        twins.sort_by_key(|r| r.id);
        let mut expected = vec![earliest, same_day_first, same_day_second];
        expected.extend(twins);
        expected.push(latest);
        assert_eq!(store.assessments_of(client.id).unwrap(), expected);
        assert_eq!(store.assessments_of(other.id).unwrap(), vec![theirs]);
        assert_eq!(store.assessment(AssessmentId::random()).unwrap(), None);
        assert!(store.assessments_of(ClientId::random()).unwrap().is_empty());
    }

    pub fn an_assessments_episode_must_be_one_of_the_same_clients(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let theirs = episode_of(other.id, MARCH_2, None);
        store.insert_episode(&theirs).unwrap();
        for wrong in [theirs.id, EpisodeId::random()] {
            let row = AssessmentRow {
                episode: Some(wrong),
                ..assessment_of(client.id, MARCH_2, 1_700_000_000_000)
            };
            let msg = assert_conflict(store.insert_assessment(&row));
            assert!(msg.contains("no such"), "{msg}");
            assert_eq!(store.assessment(row.id).unwrap(), None);
        }
        // A closed episode of the same client is fine: assessments may be entered late.
        let mine = episode_of(client.id, MARCH_2 - 10, Some(MARCH_2 - 1));
        store.insert_episode(&mine).unwrap();
        let row = AssessmentRow {
            episode: Some(mine.id),
            ..assessment_of(client.id, MARCH_2 - 5, 1_700_000_000_000)
        };
        store.insert_assessment(&row).unwrap();
        assert_eq!(store.assessments_of(client.id).unwrap(), vec![row]);
    }

    pub fn assessment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict(h: &dyn Harness) {
        let store = h.open();
        let orphan = assessment_of(ClientId::random(), MARCH_2, 1_700_000_000_000);
        let msg = assert_conflict(store.insert_assessment(&orphan));
        assert!(msg.contains("no such client"), "{msg}");
        assert_eq!(store.assessment(orphan.id).unwrap(), None);
        let (client, _) = stored_client(&*store);
        let first = assessment_of(client.id, MARCH_2, 1_700_000_000_000);
        store.insert_assessment(&first).unwrap();
        let twin = AssessmentRow {
            id: first.id,
            ..assessment_of(client.id, MARCH_2 - 1, 1_700_000_600_000)
        };
        assert_conflict(store.insert_assessment(&twin));
        assert_eq!(store.assessments_of(client.id).unwrap(), vec![first]);
    }

    pub fn assessment_values_outside_the_schema_are_conflicts_naming_no_value_and_not_written(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        for instrument in ["", "PHQ9", "phq-9", "bdi2", "instrument-marker-6d"] {
            let row = AssessmentRow {
                instrument: instrument.into(),
                ..assessment_of(client.id, MARCH_2, 1_700_000_000_000)
            };
            let msg = assert_conflict(store.insert_assessment(&row));
            assert!(!msg.contains("instrument-marker"), "{msg}");
            assert!(!msg.contains(&row.id.to_string()), "{msg}");
            assert_eq!(store.assessment(row.id).unwrap(), None);
        }
        assert!(store.assessments_of(client.id).unwrap().is_empty());
    }

    pub fn assessments_persist_after_the_store_is_dropped_and_reopened(h: &dyn Harness) {
        let (client, key) = client_under(1);
        let episode = episode_of(client.id, MARCH_2, None);
        let row = AssessmentRow {
            episode: Some(episode.id),
            ..assessment_of(client.id, MARCH_2, 1_700_000_000_000)
        };
        {
            let store = h.open();
            store.insert_client(&client, &key).unwrap();
            store.insert_episode(&episode).unwrap();
            store.insert_assessment(&row).unwrap();
        }
        let store = h.open();
        assert_eq!(store.assessment(row.id).unwrap(), Some(row.clone()));
        assert_eq!(store.assessments_of(client.id).unwrap(), vec![row]);
    }

    // -----------------------------------------------------------------------------------------
    // Attachments

    use confidant_core::ids::AttachmentId;
    use confidant_core::ports::AttachmentRow;

    fn attachment_of(client: ClientId, created_at: i64) -> AttachmentRow {
        AttachmentRow {
            id: AttachmentId::random(),
            client_id: client,
            author: ActorId::random(),
            created_at,
            key_version: 1,
            content_key: Sealed::from_bytes(blob(93)),
            filename: sealed(),
            content_type: sealed(),
            size: 4 << 30,
        }
    }

    pub fn attachments_read_back_unchanged_and_are_listed_oldest_first_and_only_theirs(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let (other, _) = stored_client(&*store);
        let later = attachment_of(client.id, 1_700_000_000_100);
        let earlier = AttachmentRow {
            size: 0,
            ..attachment_of(client.id, 1_700_000_000_000)
        };
        let theirs = attachment_of(other.id, 1_600_000_000_000);
        for row in [&later, &theirs, &earlier] {
            store.insert_attachment(row).unwrap();
        }
        assert_eq!(store.attachment(later.id).unwrap(), Some(later.clone()));
        assert_eq!(
            store.attachments_of(client.id).unwrap(),
            vec![earlier, later]
        );
        assert_eq!(store.attachments_of(other.id).unwrap(), vec![theirs]);
        assert_eq!(store.attachment(AttachmentId::random()).unwrap(), None);
        assert!(store.attachments_of(ClientId::random()).unwrap().is_empty());
    }

    pub fn attachment_for_an_unknown_client_or_with_a_taken_id_is_a_conflict_and_not_written(
        h: &dyn Harness,
    ) {
        let store = h.open();
        let stray = attachment_of(ClientId::random(), 1_700_000_000_000);
        assert_conflict(store.insert_attachment(&stray));
        assert_eq!(store.attachment(stray.id).unwrap(), None);
        let (client, _) = stored_client(&*store);
        let first = attachment_of(client.id, 1_700_000_000_000);
        store.insert_attachment(&first).unwrap();
        let again = AttachmentRow {
            filename: sealed(),
            ..attachment_of(client.id, 1_700_000_000_001)
        };
        let again = AttachmentRow {
            id: first.id,
            ..again
        };
        assert_conflict(store.insert_attachment(&again));
        assert_eq!(store.attachment(first.id).unwrap(), Some(first.clone()));
        assert_eq!(store.attachments_of(client.id).unwrap(), vec![first]);
    }

    pub fn attachment_sizes_beyond_what_the_engine_holds_are_refused_not_wrapped(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let huge = AttachmentRow {
            size: u64::MAX,
            ..attachment_of(client.id, 1_700_000_000_000)
        };
        assert_conflict(store.insert_attachment(&huge));
        assert_eq!(store.attachment(huge.id).unwrap(), None);
        let largest = AttachmentRow {
            size: i64::MAX as u64,
            ..attachment_of(client.id, 1_700_000_000_000)
        };
        store.insert_attachment(&largest).unwrap();
        assert_eq!(store.attachment(largest.id).unwrap(), Some(largest));
    }

    pub fn deleting_a_clients_attachments_removes_theirs_and_no_one_elses(h: &dyn Harness) {
        let store = h.open();
        let (doomed, _) = stored_client(&*store);
        let (kept, _) = stored_client(&*store);
        let gone = [
            attachment_of(doomed.id, 1_700_000_000_000),
            attachment_of(doomed.id, 1_700_000_000_001),
        ];
        let stays = attachment_of(kept.id, 1_700_000_000_000);
        for row in gone.iter().chain([&stays]) {
            store.insert_attachment(row).unwrap();
        }
        assert_eq!(store.delete_attachments_of(doomed.id).unwrap(), 2);
        assert!(store.attachments_of(doomed.id).unwrap().is_empty());
        for row in &gone {
            assert_eq!(store.attachment(row.id).unwrap(), None);
        }
        assert_eq!(store.attachments_of(kept.id).unwrap(), vec![stays]);
        assert_eq!(store.delete_attachments_of(doomed.id).unwrap(), 0);
        assert_eq!(store.delete_attachments_of(ClientId::random()).unwrap(), 0);
    }

    pub fn attachment_conflict_messages_name_no_stored_values(h: &dyn Harness) {
        let store = h.open();
        let (client, _) = stored_client(&*store);
        let first = AttachmentRow {
            filename: Sealed::from_bytes(b"filename-marker-4d2e".to_vec()),
            ..attachment_of(client.id, 1_700_000_000_000)
        };
        store.insert_attachment(&first).unwrap();
        let messages = [
            assert_conflict(store.insert_attachment(&first)),
            assert_conflict(store.insert_attachment(&AttachmentRow {
                size: u64::MAX,
                ..attachment_of(client.id, 1_700_000_000_000)
            })),
            assert_conflict(
                store.insert_attachment(&attachment_of(ClientId::random(), 1_700_000_000_000)),
            ),
        ];
        let (id, owner) = (first.id.to_string(), client.id.to_string());
        for msg in messages {
            for value in ["filename-marker", "18446744073709551615", &id, &owner] {
                assert!(!msg.contains(value), "{msg}");
            }
        }
    }

    pub fn attachments_persist_after_the_store_is_dropped_and_reopened(h: &dyn Harness) {
        let (client, key) = client_under(1);
        let row = attachment_of(client.id, 1_700_000_000_000);
        {
            let store = h.open();
            store.insert_client(&client, &key).unwrap();
            store.insert_attachment(&row).unwrap();
        }
        let store = h.open();
        assert_eq!(store.attachments_of(client.id).unwrap(), vec![row]);
    }
}

/// The embedded engine, plus what only SQLite's files can show.
mod sqlite {
    use std::path::{Path, PathBuf};

    use confidant_core::ids::{ActorId, ClientId, TokenId};
    use confidant_core::ports::{
        AuditNodeRow, AuditRow, CheckpointRow, ClientKeyRow, ClientRow, SessionRow, Store,
        StoreError, TokenRow, UserRow,
    };
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
            discharged_at: None,
        };
        let key = ClientKeyRow {
            client_id: id,
            version: 1,
            practice_key_version: 1,
            wrapped: Sealed::from_bytes(wrapped.to_vec()),
        };
        (client, key)
    }

    fn audit_event(seq: u64) -> AuditRow {
        AuditRow {
            seq,
            at: 1_700_000_000_000,
            actor: None,
            action: "note.read".into(),
            client: None,
            event: vec![0x42; 250],
        }
    }

    #[test]
    fn audit_numbers_beyond_i64_are_refused_not_wrapped() {
        let h = SqliteHarness::new();
        let store = h.open();
        let beyond = i64::MAX as u64 + 1;
        let node = |index| AuditNodeRow {
            level: 0,
            index,
            hash: [7; 32],
        };
        store
            .append_audit(&[audit_event(0)], &[node(0)], &[1])
            .unwrap();
        // A node index, a checkpoint size and a last seq that would wrap to negative.
        assert!(matches!(
            store.append_audit(&[audit_event(1)], &[node(beyond)], &[2]),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.add_checkpoint(&CheckpointRow {
                size: beyond,
                note: String::new(),
                created_at: 0,
            }),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.append_audit(&[audit_event(u64::MAX)], &[], &[2]),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.audit_size().unwrap(), 1);
        assert_eq!(store.audit_node(0, beyond).unwrap(), None);
        assert!(store.checkpoints().unwrap().is_empty());
        assert_eq!(store.audit_frontier().unwrap(), Some(vec![1]));
        drop(store);
        let conn = rusqlite::Connection::open(h.db()).unwrap();
        let negative: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM audit_events WHERE seq < 0) \
                 + (SELECT count(*) FROM audit_nodes WHERE idx < 0)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(negative, 0);
    }

    #[test]
    fn stored_audit_events_nodes_and_checkpoints_refuse_update_and_delete() {
        let h = SqliteHarness::new();
        let store = h.open();
        let node = AuditNodeRow {
            level: 0,
            index: 0,
            hash: [7; 32],
        };
        store
            .append_audit(&[audit_event(0)], &[node], &[1])
            .unwrap();
        store
            .add_checkpoint(&CheckpointRow {
                size: 1,
                note: "note".into(),
                created_at: 0,
            })
            .unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(h.db()).unwrap();
        for sql in [
            "UPDATE audit_events SET action = 'x'",
            "DELETE FROM audit_events",
            "UPDATE audit_nodes SET hash = zeroblob(32)",
            "DELETE FROM audit_nodes",
            "UPDATE audit_checkpoints SET note = 'x'",
            "DELETE FROM audit_checkpoints",
        ] {
            let err = conn.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
        drop(conn);
        let store = h.open();
        assert_eq!(store.audit_events(0, 10).unwrap(), vec![audit_event(0)]);
        assert_eq!(store.audit_node(0, 0).unwrap(), Some([7; 32]));
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

    fn account(status: &str) -> UserRow {
        UserRow {
            id: ActorId::random(),
            email: None,
            display_name: "Synthetic Clinician".into(),
            role: "clinician".into(),
            status: status.into(),
            password_phc: None,
            totp: None,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            supervisor: None,
            nda_at: None,
            window_start: None,
            window_end: None,
            created_at: 0,
        }
    }

    fn api_token(actor: ActorId, scope: &str) -> TokenRow {
        TokenRow {
            id: TokenId::random(),
            digest: [
                *uuid::Uuid::new_v4().as_bytes(),
                *uuid::Uuid::new_v4().as_bytes(),
            ]
            .concat()
            .try_into()
            .unwrap(),
            actor,
            role: "clinician".into(),
            scope: scope.into(),
            label: "synthetic".into(),
            created_at: 0,
            expires_at: None,
        }
    }

    #[test]
    fn deactivation_that_fails_part_way_changes_nothing() {
        let h = SqliteHarness::new();
        let store = h.open();
        let user = account("active");
        store.insert_user(&user).unwrap();
        let session = SessionRow {
            digest: [1; 32],
            user: user.id,
            csrf_digest: [2; 32],
            created_at: 0,
            last_seen: 0,
        };
        store.insert_session(&session).unwrap();
        let token = api_token(user.id, "read");
        store.insert_token(&token).unwrap();
        {
            // The last step of deactivation (deleting tokens) fails.
            let conn = rusqlite::Connection::open(h.db()).unwrap();
            conn.execute_batch(
                "CREATE TRIGGER refuse_token_delete BEFORE DELETE ON api_tokens \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            )
            .unwrap();
        }
        assert!(store.deactivate_user(user.id).is_err());
        assert_eq!(store.user(user.id).unwrap(), Some(user));
        assert_eq!(store.session(&session.digest).unwrap(), Some(session));
        assert_eq!(store.token_by_digest(&token.digest).unwrap(), Some(token));
    }

    #[test]
    fn unknown_statuses_and_scopes_are_refused_as_conflicts_without_the_value() {
        let h = SqliteHarness::new();
        let store = h.open();
        let odd = account("status-marker-3e1b");
        let msg = match store.insert_user(&odd) {
            Err(StoreError::Conflict(msg)) => msg,
            other => panic!("expected a conflict, got {other:?}"),
        };
        assert!(!msg.contains("status-marker"), "{msg}");
        assert_eq!(store.user(odd.id).unwrap(), None);
        let token = api_token(ActorId::random(), "scope-marker-77aa");
        let msg = match store.insert_token(&token) {
            Err(StoreError::Conflict(msg)) => msg,
            other => panic!("expected a conflict, got {other:?}"),
        };
        assert!(!msg.contains("scope-marker"), "{msg}");
        assert_eq!(store.token_by_digest(&token.digest).unwrap(), None);
        let huge_step = UserRow {
            totp_last_step: Some(u64::MAX),
            ..account("active")
        };
        assert!(matches!(
            store.insert_user(&huge_step),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.user(huge_step.id).unwrap(), None);
    }
}

/// The file-system blob store behind attachments: what every `BlobStore` must do, and where
/// its files live.
mod blobs {
    use std::io::{Read, Write};
    use std::path::Path;

    use confidant_core::ids::AttachmentId;
    use confidant_core::ports::{BlobStore, StoreError};
    use confidant_store::{BLOB_DIR, FsBlobStore};

    /// Synthetic bytes, different on every call.
    fn bytes(len: usize) -> Vec<u8> {
        std::iter::repeat_with(|| *uuid::Uuid::new_v4().as_bytes())
            .flatten()
            .take(len)
            .collect()
    }

    fn read_back(store: &dyn BlobStore, id: AttachmentId) -> Option<Vec<u8>> {
        let mut reader = store.open(id).unwrap()?;
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        Some(out)
    }

    /// File names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn write(store: &dyn BlobStore, id: AttachmentId, data: &[u8]) {
        let mut w = store.begin(id).unwrap();
        for piece in data.chunks(7_001) {
            w.write_all(piece).unwrap();
        }
        w.commit().unwrap();
    }

    #[test]
    fn a_committed_blob_reads_back_exactly_from_a_file_named_by_its_id_under_blobs() {
        let data = tempfile::tempdir().unwrap();
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        assert_eq!(store.dir(), data.path().join(BLOB_DIR));
        let (id, content) = (AttachmentId::random(), bytes(200_003));
        write(&store, id, &content);
        assert_eq!(read_back(&store, id), Some(content.clone()));
        assert_eq!(names_in(store.dir()), vec![id.to_string()]);
        assert_eq!(
            std::fs::read(store.dir().join(id.to_string())).unwrap(),
            content
        );
        let empty = AttachmentId::random();
        write(&store, empty, b"");
        assert_eq!(read_back(&store, empty), Some(Vec::new()));
    }

    #[test]
    fn a_blob_is_invisible_until_committed_and_an_abandoned_one_leaves_no_file() {
        let data = tempfile::tempdir().unwrap();
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        let id = AttachmentId::random();
        let mut w = store.begin(id).unwrap();
        w.write_all(&bytes(100_000)).unwrap();
        assert_eq!(read_back(&store, id), None);
        drop(w);
        assert_eq!(read_back(&store, id), None);
        assert!(
            names_in(store.dir()).is_empty(),
            "{:?}",
            names_in(store.dir())
        );
        // The same id can be written afresh afterwards.
        write(&store, id, b"second try");
        assert_eq!(read_back(&store, id), Some(b"second try".to_vec()));
    }

    #[test]
    fn deleting_a_blob_removes_its_file_and_no_other() {
        let data = tempfile::tempdir().unwrap();
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        let (gone, kept) = (AttachmentId::random(), AttachmentId::random());
        write(&store, gone, b"one");
        write(&store, kept, b"two");
        assert!(store.delete(gone).unwrap());
        assert_eq!(read_back(&store, gone), None);
        assert!(!store.delete(gone).unwrap());
        assert!(!store.delete(AttachmentId::random()).unwrap());
        assert_eq!(names_in(store.dir()), vec![kept.to_string()]);
    }

    #[test]
    fn beginning_a_blob_under_a_taken_id_is_a_conflict_and_keeps_the_first() {
        let data = tempfile::tempdir().unwrap();
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        let id = AttachmentId::random();
        write(&store, id, b"first");
        let err = store.begin(id).err().unwrap();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert!(!err.to_string().contains(&id.to_string()), "{err}");
        assert_eq!(read_back(&store, id), Some(b"first".to_vec()));
    }

    #[test]
    fn committed_blobs_survive_reopening_the_store() {
        let data = tempfile::tempdir().unwrap();
        let (id, content) = (AttachmentId::random(), bytes(70_000));
        write(
            &FsBlobStore::in_data_dir(data.path()).unwrap(),
            id,
            &content,
        );
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        assert_eq!(read_back(&store, id), Some(content));
    }

    #[cfg(unix)]
    #[test]
    fn the_blob_directory_and_its_files_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt;
        let data = tempfile::tempdir().unwrap();
        let store = FsBlobStore::in_data_dir(data.path()).unwrap();
        let id = AttachmentId::random();
        let mut w = store.begin(id).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let part = store.dir().join(&names_in(store.dir())[0]);
        assert_eq!(mode(&part), 0o600);
        w.write_all(b"x").unwrap();
        w.commit().unwrap();
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.dir().join(id.to_string())), 0o600);
    }
}
