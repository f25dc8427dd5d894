//! The audit trail through the core services: every access is recorded with ids only, durably,
//! before data is returned; appends are group-committed; a failing audit store fails the request
//! (fail closed); checkpoints are signed on schedule; the stored log verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use confidant_core::audit::verify_log;
use confidant_core::ports::*;
use confidant_core::{
    Access, AuditConfig, ClientInput, CoreError, NoteInput, NoteKind, Purpose, Vault,
};
use confidant_crypto::{KeyFileSecret, UnsealSecret, UnsealSlot};
use confidant_store::SqliteStore;

/// A store that can be told to fail audit appends, and counts them.
struct Flaky {
    inner: SqliteStore,
    fail_audit: AtomicBool,
    appends: AtomicUsize,
}

macro_rules! delegate {
    ($($name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret { self.inner.$name($($arg),*) })*
    };
}

impl PracticeStore for Flaky {
    delegate! {
        practice(&self) -> StoreResult<Option<PracticeRow>>;
        create_practice(&self, new: &NewPractice) -> StoreResult<()>;
        unseal_slots(&self) -> StoreResult<Vec<UnsealSlot>>;
        practice_keys(&self) -> StoreResult<Vec<PracticeKeyRow>>;
        add_practice_key(&self, row: &PracticeKeyRow) -> StoreResult<()>;
        delete_practice_key(&self, version: u32) -> StoreResult<()>;
    }
}

impl ClientStore for Flaky {
    delegate! {
        insert_client(&self, client: &ClientRow, key: &ClientKeyRow) -> StoreResult<()>;
        client(&self, id: confidant_core::ClientId) -> StoreResult<Option<ClientRow>>;
        clients(&self, after: Option<confidant_core::ClientId>, limit: usize) -> StoreResult<Vec<ClientRow>>;
        client_key(&self, id: confidant_core::ClientId, version: u32) -> StoreResult<Option<ClientKeyRow>>;
        client_keys_not_under(&self, version: u32, limit: usize) -> StoreResult<Vec<ClientKeyRow>>;
        rewrap_client_key(&self, row: &ClientKeyRow, from_version: u32) -> StoreResult<bool>;
        shred_client_keys(&self, id: confidant_core::ClientId) -> StoreResult<usize>;
        update_client(&self, client: &ClientRow) -> StoreResult<bool>;
        set_client_discharged(&self, id: confidant_core::ClientId, at: Option<i64>) -> StoreResult<bool>;
    }
}

impl NoteStore for Flaky {
    delegate! {
        insert_note(&self, note: &NoteRow) -> StoreResult<()>;
        note(&self, id: confidant_core::NoteId) -> StoreResult<Option<NoteRow>>;
        notes_of_client(&self, client: confidant_core::ClientId) -> StoreResult<Vec<NoteRow>>;
        update_note_draft(&self, edit: &confidant_core::ports::NoteEdit) -> StoreResult<bool>;
        sign_note(&self, id: confidant_core::NoteId, version: u32, status: &str, signature: &confidant_core::ports::SignatureRow) -> StoreResult<bool>;
        cosign_note(&self, id: confidant_core::NoteId, cosignature: confidant_core::ports::CosignatureRow) -> StoreResult<bool>;
        note_versions(&self, id: confidant_core::NoteId) -> StoreResult<Vec<confidant_core::ports::NoteVersionRow>>;
    }
}

impl TokenStore for Flaky {
    delegate! {
        insert_token(&self, row: &TokenRow) -> StoreResult<()>;
        token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<TokenRow>>;
        tokens_of(&self, actor: confidant_core::ActorId) -> StoreResult<Vec<TokenRow>>;
        revoke_token(&self, actor: confidant_core::ActorId, id: confidant_core::TokenId) -> StoreResult<bool>;
    }
}

impl StaffStore for Flaky {
    delegate! {
        insert_user(&self, row: &UserRow) -> StoreResult<()>;
        user(&self, id: confidant_core::ActorId) -> StoreResult<Option<UserRow>>;
        user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;
        users(&self) -> StoreResult<Vec<UserRow>>;
        update_user(&self, row: &UserRow) -> StoreResult<()>;
        deactivate_user(&self, id: confidant_core::ActorId) -> StoreResult<()>;
        insert_invitation(&self, row: &InvitationRow) -> StoreResult<()>;
        take_invitation(&self, digest: &Digest) -> StoreResult<Option<InvitationRow>>;
        insert_challenge(&self, row: &ChallengeRow) -> StoreResult<()>;
        challenge(&self, digest: &Digest) -> StoreResult<Option<ChallengeRow>>;
        delete_challenge(&self, digest: &Digest) -> StoreResult<()>;
        insert_session(&self, row: &SessionRow) -> StoreResult<()>;
        session(&self, digest: &Digest) -> StoreResult<Option<SessionRow>>;
        touch_session(&self, digest: &Digest, at: UnixMillis) -> StoreResult<()>;
        delete_session(&self, digest: &Digest) -> StoreResult<()>;
        delete_sessions_of(&self, user: confidant_core::ActorId) -> StoreResult<()>;
        replace_recovery_codes(&self, user: confidant_core::ActorId, digests: &[Digest]) -> StoreResult<()>;
        use_recovery_code(&self, user: confidant_core::ActorId, digest: &Digest) -> StoreResult<bool>;
    }
}

impl CareStore for Flaky {
    delegate! {
        add_to_care_team(&self, row: &CareTeamRow) -> StoreResult<()>;
        remove_from_care_team(&self, client: confidant_core::ClientId, user: confidant_core::ActorId) -> StoreResult<bool>;
        care_team(&self, client: confidant_core::ClientId) -> StoreResult<Vec<CareTeamRow>>;
        clients_of(&self, user: confidant_core::ActorId) -> StoreResult<Vec<confidant_core::ClientId>>;
        add_share(&self, row: &ShareRow) -> StoreResult<()>;
        remove_share(&self, client: confidant_core::ClientId, supervisee: confidant_core::ActorId) -> StoreResult<bool>;
        shares_to(&self, supervisor: confidant_core::ActorId) -> StoreResult<Vec<ShareRow>>;
        insert_break_glass(&self, row: &BreakGlassRow) -> StoreResult<()>;
        active_break_glass(&self, user: confidant_core::ActorId, client: confidant_core::ClientId, now: UnixMillis) -> StoreResult<Option<BreakGlassRow>>;
        break_glass_grants(&self, unreviewed_only: bool) -> StoreResult<Vec<BreakGlassRow>>;
        review_break_glass(&self, id: uuid::Uuid, by: confidant_core::ActorId, at: UnixMillis) -> StoreResult<bool>;
        set_restricted(&self, client: confidant_core::ClientId, restricted: bool) -> StoreResult<()>;
        is_restricted(&self, client: confidant_core::ClientId) -> StoreResult<bool>;
    }
}

impl PasskeyStore for Flaky {
    delegate! {
        insert_passkey(&self, row: &PasskeyRow) -> StoreResult<()>;
        passkeys_of(&self, user: confidant_core::ActorId) -> StoreResult<Vec<PasskeyRow>>;
        record_passkey_use(&self, user: confidant_core::ActorId, id: confidant_core::PasskeyId, credential: &confidant_crypto::Sealed<[u8]>, at: UnixMillis) -> StoreResult<bool>;
        delete_passkey(&self, user: confidant_core::ActorId, id: confidant_core::PasskeyId) -> StoreResult<bool>;
        delete_passkeys_of(&self, user: confidant_core::ActorId) -> StoreResult<()>;
        put_passkey_ceremony(&self, row: &PasskeyCeremonyRow, now: UnixMillis) -> StoreResult<()>;
        take_passkey_ceremony(&self, digest: &Digest, kind: CeremonyKind) -> StoreResult<Option<PasskeyCeremonyRow>>;
    }
}

impl AppointmentStore for Flaky {
    delegate! {
        insert_episode(&self, row: &EpisodeRow) -> StoreResult<()>;
        update_episode(&self, row: &EpisodeRow) -> StoreResult<bool>;
        episode(&self, id: confidant_core::ids::EpisodeId) -> StoreResult<Option<EpisodeRow>>;
        episodes_of(&self, client: confidant_core::ClientId) -> StoreResult<Vec<EpisodeRow>>;
        open_episode_of(&self, client: confidant_core::ClientId) -> StoreResult<Option<EpisodeRow>>;
        insert_appointment(&self, row: &AppointmentRow) -> StoreResult<()>;
        update_appointment(&self, row: &AppointmentRow, expected_revision: u32) -> StoreResult<bool>;
        appointment(&self, id: confidant_core::ids::AppointmentId) -> StoreResult<Option<AppointmentRow>>;
        appointments_of(&self, client: confidant_core::ClientId) -> StoreResult<Vec<AppointmentRow>>;
        appointments_between(&self, from: UnixMillis, to: UnixMillis) -> StoreResult<Vec<AppointmentRow>>;
    }
}

impl AttachmentStore for Flaky {
    delegate! {
        insert_attachment(&self, row: &AttachmentRow) -> StoreResult<()>;
        attachment(&self, id: confidant_core::ids::AttachmentId) -> StoreResult<Option<AttachmentRow>>;
        attachments_of(&self, client: confidant_core::ClientId) -> StoreResult<Vec<AttachmentRow>>;
        delete_attachments_of(&self, client: confidant_core::ClientId) -> StoreResult<usize>;
    }
}

impl AssessmentStore for Flaky {
    delegate! {
        insert_assessment(&self, row: &AssessmentRow) -> StoreResult<()>;
        assessment(&self, id: confidant_core::ids::AssessmentId) -> StoreResult<Option<AssessmentRow>>;
        assessments_of(&self, client: confidant_core::ClientId) -> StoreResult<Vec<AssessmentRow>>;
    }
}

impl AuditStore for Flaky {
    delegate! {
        audit_frontier(&self) -> StoreResult<Option<Vec<u8>>>;
        audit_size(&self) -> StoreResult<u64>;
        audit_events(&self, from: u64, limit: usize) -> StoreResult<Vec<AuditRow>>;
        audit_search(&self, filter: &AuditFilter, limit: usize) -> StoreResult<Vec<AuditRow>>;
        audit_node(&self, level: u8, index: u64) -> StoreResult<Option<[u8; 32]>>;
        add_checkpoint(&self, row: &CheckpointRow) -> StoreResult<()>;
        checkpoints(&self) -> StoreResult<Vec<CheckpointRow>>;
        latest_checkpoint(&self) -> StoreResult<Option<CheckpointRow>>;
        audit_key(&self) -> StoreResult<Option<AuditKeyRow>>;
        set_audit_key(&self, row: &AuditKeyRow) -> StoreResult<()>;
    }

    fn append_audit(
        &self,
        events: &[AuditRow],
        nodes: &[AuditNodeRow],
        frontier: &[u8],
    ) -> StoreResult<()> {
        if self.fail_audit.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("injected audit failure".into()));
        }
        self.appends.fetch_add(1, Ordering::SeqCst);
        self.inner.append_audit(events, nodes, frontier)
    }
}

struct Practice {
    _dir: tempfile::TempDir,
    store: Arc<Flaky>,
    vault: Vault,
    owner: Access,
}

fn practice(config: AuditConfig) -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Flaky {
        inner: SqliteStore::open(dir.path()).unwrap(),
        fail_audit: AtomicBool::new(false),
        appends: AtomicUsize::new(0),
    });
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done =
        confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key)).unwrap();
    let options = confidant_core::Options {
        audit: config,
        ..Default::default()
    };
    let vault = Vault::unseal_with(store.clone(), Arc::new(SystemClock), &key, options).unwrap();
    let owner = Access {
        actor: vault.authenticate(&done.owner_token).unwrap(),
        purpose: Purpose::Treatment,
        source: Some("192.0.2.7".parse().unwrap()),
    };
    Practice {
        _dir: dir,
        store,
        vault,
        owner,
    }
}

fn client_input(name: &str) -> ClientInput {
    ClientInput {
        legal_name: name.into(),
        preferred_name: None,
        date_of_birth: "1970-05-06".into(),
        phone: Some("555-0100".into()),
        email: None,
        address: Some(format!("{name} street")),
        emergency_contact: None,
    }
}

fn actions(store: &dyn Store) -> Vec<String> {
    store
        .audit_events(0, 1000)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[test]
fn every_access_is_recorded_with_ids_and_codes_only() {
    let p = practice(AuditConfig::default());
    let marker = "Zyxwv Marker Qrstu";
    let c = p
        .vault
        .create_client(&p.owner, client_input(marker))
        .unwrap();
    let n = p
        .vault
        .create_note(
            &p.owner,
            c,
            NoteInput::free(NoteKind::Progress, format!("{marker} said things")),
        )
        .unwrap();
    p.vault.client(&p.owner, c).unwrap();
    p.vault.note(&p.owner, n).unwrap();
    p.vault.notes_of_client(&p.owner, c).unwrap();
    p.vault.clients(&p.owner, None, 10).unwrap();
    p.vault.record_auth_failure(None).unwrap();
    assert_eq!(
        actions(p.store.as_ref()),
        [
            "client.create",
            "note.create",
            "client.read",
            "note.read",
            "note.list",
            "client.list",
            "auth.fail"
        ]
    );
    let rows = p.store.audit_events(0, 100).unwrap();
    let read: serde_json::Value = serde_json::from_slice(&rows[3].event).unwrap();
    assert_eq!(read["seq"], 3);
    assert_eq!(read["action"], "note.read");
    assert_eq!(read["resource_id"], n.to_string());
    assert_eq!(read["client"], c.to_string());
    assert_eq!(read["actor"], p.owner.actor.id.to_string());
    assert_eq!(read["purpose"], "treatment");
    assert_eq!(read["outcome"], "allowed");
    assert_eq!(read["source"], "192.0.2.7");
    let denied: serde_json::Value = serde_json::from_slice(&rows[6].event).unwrap();
    assert_eq!(denied["outcome"], "denied");
    assert!(denied["actor"].is_null());
    for row in &rows {
        let text = String::from_utf8_lossy(&row.event);
        assert!(!text.contains("Zyxwv") && !text.contains("Qrstu"), "{text}");
    }
}

#[test]
fn a_failing_audit_log_fails_the_request_and_returns_nothing() {
    let p = practice(AuditConfig::default());
    let c = p
        .vault
        .create_client(&p.owner, client_input("Before Failure"))
        .unwrap();
    let size = p.store.audit_size().unwrap();
    p.store.fail_audit.store(true, Ordering::SeqCst);

    assert!(matches!(
        p.vault.client(&p.owner, c),
        Err(CoreError::Audit(_))
    ));
    assert!(matches!(
        p.vault.clients(&p.owner, None, 10),
        Err(CoreError::Audit(_))
    ));
    assert!(matches!(
        p.vault.notes_of_client(&p.owner, c),
        Err(CoreError::Audit(_))
    ));
    let refused = p
        .vault
        .create_client(&p.owner, client_input("Never Stored"));
    assert!(matches!(refused, Err(CoreError::Audit(_))));
    let note = NoteInput::free(NoteKind::Progress, "never stored");
    assert!(matches!(
        p.vault.create_note(&p.owner, c, note),
        Err(CoreError::Audit(_))
    ));

    p.store.fail_audit.store(false, Ordering::SeqCst);
    assert_eq!(
        p.store.clients(None, 10).unwrap().len(),
        1,
        "no unaudited write"
    );
    assert!(
        p.store.notes_of_client(c).unwrap().is_empty(),
        "no unaudited write"
    );
    assert_eq!(p.store.audit_size().unwrap(), size);
    // The log carries on where it was once the store recovers.
    p.vault.client(&p.owner, c).unwrap();
    assert_eq!(p.store.audit_size().unwrap(), size + 1);
    let mut never = |_: u64, _: u64| {};
    assert!(
        verify_log(p.store.as_ref(), None, &[], &mut never)
            .unwrap()
            .is_ok()
    );
}

#[test]
fn concurrent_requests_share_durable_writes() {
    let p = practice(AuditConfig::default());
    let c = p
        .vault
        .create_client(&p.owner, client_input("Group Commit"))
        .unwrap();
    let before = p.store.appends.load(Ordering::SeqCst);
    let vault = &p.vault;
    let owner = p.owner;
    std::thread::scope(|s| {
        for _ in 0..32 {
            s.spawn(move || {
                for _ in 0..20 {
                    vault.client(&owner, c).unwrap();
                }
            });
        }
    });
    let appends = p.store.appends.load(Ordering::SeqCst) - before;
    assert_eq!(p.store.audit_size().unwrap(), 1 + 32 * 20);
    assert!(
        appends < 32 * 20,
        "{appends} writes for 640 events: no batching"
    );
    let mut never = |_: u64, _: u64| {};
    let report = verify_log(p.store.as_ref(), None, &[], &mut never)
        .unwrap()
        .unwrap();
    assert_eq!(report.size, 641);
}

#[test]
fn checkpoints_are_signed_every_n_events_on_request_and_at_shutdown() {
    let config = AuditConfig {
        checkpoint_every_events: 10,
        checkpoint_every: Duration::from_secs(3600),
    };
    let p = practice(config);
    let c = p
        .vault
        .create_client(&p.owner, client_input("Checkpointed"))
        .unwrap();
    for _ in 0..24 {
        p.vault.client(&p.owner, c).unwrap();
    }
    let sizes: Vec<u64> = p
        .store
        .checkpoints()
        .unwrap()
        .iter()
        .map(|c| c.size)
        .collect();
    assert_eq!(sizes, [10, 20], "one per 10 events");
    assert_eq!(p.vault.checkpoint_now().unwrap(), 25);
    p.vault.client(&p.owner, c).unwrap();
    let store = p.store.clone();
    drop(p.vault);
    assert_eq!(
        store.latest_checkpoint().unwrap().unwrap().size,
        26,
        "signed at shutdown"
    );
    let mut never = |_: u64, _: u64| {};
    let report = verify_log(store.as_ref(), None, &[], &mut never)
        .unwrap()
        .unwrap();
    assert_eq!((report.size, report.stored_checkpoints), (26, 4));
}

#[test]
fn checkpoints_are_signed_after_the_interval_when_events_are_new() {
    let config = AuditConfig {
        checkpoint_every_events: 1_000_000,
        checkpoint_every: Duration::from_millis(50),
    };
    let p = practice(config);
    p.vault
        .create_client(&p.owner, client_input("Timed"))
        .unwrap();
    let mut waited = 0;
    while p.store.latest_checkpoint().unwrap().is_none() && waited < 200 {
        std::thread::sleep(Duration::from_millis(25));
        waited += 1;
    }
    assert_eq!(p.store.latest_checkpoint().unwrap().unwrap().size, 1);
}

#[test]
fn proofs_served_from_storage_verify() {
    let p = practice(AuditConfig::default());
    let c = p
        .vault
        .create_client(&p.owner, client_input("Proved"))
        .unwrap();
    for _ in 0..40 {
        p.vault.client(&p.owner, c).unwrap();
    }
    let size = p.store.audit_size().unwrap();
    for (index, at) in [(0, size), (7, 20), (40, size), (3, 4)] {
        let proof = p.vault.inclusion_proof(&p.owner, index, at).unwrap();
        let hashes: Vec<_> = proof.hashes.iter().map(|h| hash(h)).collect();
        let leaf = hash(proof.leaf_hash.as_ref().unwrap());
        confidant_audit::verify_inclusion(&leaf, index, at, &hashes, &hash(&proof.root)).unwrap();
    }
    for (from, to) in [(1, size), (13, 32), (32, 33)] {
        let proof = p.vault.consistency_proof(&p.owner, from, to).unwrap();
        let hashes: Vec<_> = proof.hashes.iter().map(|h| hash(h)).collect();
        let old = hash(proof.old_root.as_ref().unwrap());
        confidant_audit::verify_consistency(from, to, &old, &hash(&proof.root), &hashes).unwrap();
    }
    let beyond = p.vault.inclusion_proof(&p.owner, 0, size + 100);
    assert!(matches!(beyond, Err(CoreError::Invalid(_))));
}

fn hash(hex: &str) -> confidant_audit::Hash {
    confidant_audit::Hash::from_hex(hex).unwrap()
}
