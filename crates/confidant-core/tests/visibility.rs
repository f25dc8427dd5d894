//! Search decides visibility from the caller's relationships read once, ruling most hits out
//! without a read: for every role, purpose and relationship (care team, primary, supervision
//! share, break-glass, restriction, trainee without a supervisor, assistant terms), it must
//! find exactly what the listings, which decide every record from its own facts, show.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use confidant_core::ports::{
    BreakGlassRow, CareStore, CareTeamRow, ShareRow, StaffStore, SystemClock, UserRow, to_millis,
};
use confidant_core::{
    Access, Actor, ActorId, ClientId, ClientInput, Credential, NoteId, NoteInput, NoteKind,
    Purpose, StaffRole, Vault,
};
use confidant_crypto::{KeyFileSecret, Sealed, UnsealSecret};
use confidant_store::SqliteStore;
use time::OffsetDateTime;

const WORD: &str = "harbor";
const HOUR: i64 = 3_600_000;

fn as_(id: ActorId, role: StaffRole, purpose: Purpose) -> Access {
    Access {
        actor: Actor {
            id,
            role,
            credential: Credential::Session,
        },
        purpose,
        source: None,
    }
}

struct Practice {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    vault: Vault,
    owner: Access,
    now: i64,
}

impl Practice {
    fn new() -> Self {
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
        Self {
            _dir: dir,
            store,
            vault,
            owner,
            now: to_millis(OffsetDateTime::now_utc()),
        }
    }

    fn staff(&self, role: StaffRole, terms: impl FnOnce(&mut UserRow)) -> ActorId {
        let id = ActorId::random();
        let email = Some(format!("{id}@practice.example"));
        let mut row = UserRow::new(
            id,
            email,
            "Synthetic Staff".into(),
            role.as_str(),
            "active",
            0,
        );
        terms(&mut row);
        self.store.insert_user(&row).unwrap();
        id
    }

    /// A client named with the word, created by the owner (who joins its team).
    fn client(&self, n: usize) -> ClientId {
        let input = ClientInput {
            legal_name: format!("{WORD} Person{n}"),
            preferred_name: None,
            date_of_birth: "1980-02-03".into(),
            phone: None,
            email: None,
            address: None,
            emergency_contact: None,
        };
        self.vault.create_client(&self.owner, input).unwrap()
    }

    fn join(&self, client: ClientId, user: ActorId, primary: bool) {
        let row = CareTeamRow {
            client,
            user,
            primary,
            added_by: self.owner.actor.id,
            added_at: 0,
        };
        self.store.add_to_care_team(&row).unwrap();
    }

    fn note(&self, by: ActorId, role: StaffRole, client: ClientId, psychotherapy: bool) {
        let kind = if psychotherapy {
            NoteKind::Psychotherapy
        } else {
            NoteKind::Progress
        };
        let author = as_(by, role, Purpose::Treatment);
        let body = format!("{WORD} session note");
        self.vault
            .create_note(&author, client, NoteInput::free(kind, body))
            .unwrap();
    }

    fn grant(&self, user: ActorId, client: ClientId, expires_at: i64) {
        self.store
            .insert_break_glass(&BreakGlassRow {
                id: uuid::Uuid::new_v4(),
                user,
                client,
                reason: Sealed::from_bytes(vec![7; 48]),
                granted_at: self.now - HOUR,
                expires_at,
                reviewed_by: None,
                reviewed_at: None,
            })
            .unwrap();
    }

    /// What the listings show `who`, each record decided from its own facts.
    fn listed(&self, who: &Access, clients: &[ClientId]) -> (BTreeSet<ClientId>, BTreeSet<NoteId>) {
        let names = match self.vault.clients(who, None, 500) {
            Ok(page) => page.clients.iter().map(|c| c.id).collect(),
            Err(_) => BTreeSet::new(),
        };
        let notes = clients
            .iter()
            .filter_map(|&c| self.vault.notes_of_client(who, c).ok())
            .flatten()
            .map(|n| n.id)
            .collect();
        (names, notes)
    }

    /// What a search finds for `who`.
    fn found(&self, who: &Access) -> (BTreeSet<ClientId>, BTreeSet<NoteId>) {
        let mut names = BTreeSet::new();
        let mut notes = BTreeSet::new();
        for hit in self.vault.search(who, WORD, 100).unwrap() {
            match hit.note_id {
                Some(n) => notes.insert(n),
                None => names.insert(hit.client_id),
            };
        }
        (names, notes)
    }
}

#[test]
fn search_finds_exactly_what_the_listings_show_for_every_role_and_relationship() {
    let p = Practice::new();
    let owner = p.owner.actor.id;
    let clinician = p.staff(StaffRole::Clinician, |_| {});
    let supervisor = p.staff(StaffRole::Supervisor, |_| {});
    let trainee = p.staff(StaffRole::Trainee, |u| u.supervisor = Some(supervisor));
    let lone_trainee = p.staff(StaffRole::Trainee, |_| {});
    let assistant = p.staff(StaffRole::VirtualAssistant, |u| {
        u.nda_at = Some(0);
        u.window_start = Some(p.now - HOUR);
        u.window_end = Some(p.now + HOUR);
    });
    let closed_assistant = p.staff(StaffRole::VirtualAssistant, |u| {
        u.nda_at = Some(0);
        u.window_start = Some(p.now - 2 * HOUR);
        u.window_end = Some(p.now - HOUR);
    });
    let front_desk = p.staff(StaffRole::FrontDesk, |_| {});
    let biller = p.staff(StaffRole::Biller, |_| {});
    let privacy = p.staff(StaffRole::PrivacyOfficer, |_| {});

    // One client per relationship; the owner writes a note in each, then leaves all but one.
    let clients: Vec<ClientId> = (0..7).map(|n| p.client(n)).collect();
    let [
        team,
        shared,
        glass,
        restricted,
        restricted_off,
        plain,
        _owners,
    ] = clients[..]
    else {
        unreachable!()
    };
    for &c in &clients {
        p.note(owner, StaffRole::Owner, c, false);
        p.note(owner, StaffRole::Owner, c, true);
    }
    p.join(team, clinician, true);
    p.join(team, trainee, false);
    p.join(team, lone_trainee, false);
    p.join(shared, trainee, false);
    p.join(restricted, clinician, false);
    p.note(clinician, StaffRole::Clinician, team, false);
    p.note(clinician, StaffRole::Clinician, team, true);
    p.note(trainee, StaffRole::Trainee, team, true);
    p.note(trainee, StaffRole::Trainee, shared, false);
    p.note(clinician, StaffRole::Clinician, restricted, false);
    p.store
        .add_share(&ShareRow {
            client: shared,
            supervisee: trainee,
            supervisor,
            shared_at: 0,
        })
        .unwrap();
    p.grant(clinician, glass, p.now + HOUR);
    p.grant(supervisor, glass, p.now - 1);
    for c in [restricted, restricted_off] {
        p.store.set_restricted(c, true).unwrap();
    }
    for c in [team, shared, glass, restricted, restricted_off, plain] {
        p.store.remove_from_care_team(c, owner).unwrap();
    }

    let everyone = [
        (owner, StaffRole::Owner),
        (clinician, StaffRole::Clinician),
        (supervisor, StaffRole::Supervisor),
        (trainee, StaffRole::Trainee),
        (lone_trainee, StaffRole::Trainee),
        (assistant, StaffRole::VirtualAssistant),
        (closed_assistant, StaffRole::VirtualAssistant),
        (front_desk, StaffRole::FrontDesk),
        (biller, StaffRole::Biller),
        (privacy, StaffRole::PrivacyOfficer),
    ];
    let mut saw_something = 0;
    for (id, role) in everyone {
        for purpose in [Purpose::Treatment, Purpose::Emergency, Purpose::Operations] {
            let who = as_(id, role, purpose);
            let expected = p.listed(&who, &clients);
            assert_eq!(p.found(&who), expected, "{role:?} for {purpose:?}");
            saw_something += usize::from(!expected.0.is_empty() || !expected.1.is_empty());
        }
    }
    // The scenario reaches records through every kind of relationship, not just none.
    assert!(
        saw_something >= 15,
        "only {saw_something} callers saw anything"
    );
    let emergency = as_(clinician, StaffRole::Clinician, Purpose::Emergency);
    let (_, glass_notes) = p.listed(&emergency, &[glass]);
    assert!(
        !glass_notes.is_empty(),
        "break-glass opens the glass client's notes"
    );
    let supervising = as_(supervisor, StaffRole::Supervisor, Purpose::Treatment);
    let (_, shared_notes) = p.listed(&supervising, &[shared]);
    assert!(
        !shared_notes.is_empty(),
        "the share opens the trainee's note"
    );
}
