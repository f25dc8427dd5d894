//! People and access through the core services, against a real store and a clock the tests
//! move: invitations, sign-in with TOTP and recovery codes, lockout, sessions and their
//! timeouts, scoped API tokens, and the access policy as the services enforce it (care teams,
//! psychotherapy notes, restricted clients, break-glass, supervision, trainees).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use confidant_core::auth::password::StaffPassword;
use confidant_core::auth::totp::{Params, TotpSecret, code_at};
use confidant_core::login::{LoginStep, NewSession, SecondFactor};
use confidant_core::ports::{AuditFilter, AuditStore, Clock, StaffStore};
use confidant_core::staff::{INVITATION_TTL, Invitation, NewStaff};
use confidant_core::{
    Access, ActorId, ClientId, ClientInput, CoreError, NoteId, NoteInput, NoteKind, Options,
    Purpose, StaffRole, Vault,
};
use confidant_crypto::{ApiTokenSecret, KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;
use time::OffsetDateTime;

const MINUTE: Duration = Duration::from_secs(60);
/// One TOTP time step.
const STEP: Duration = Duration::from_secs(30);
/// What every test account chooses: long, uncommon, and free of names and e-mails.
const PASSWORD: &str = "violet harbour quietly drifting";
const NEW_PASSWORD: &str = "amber meadow softly humming";

/// A clock that only moves when a test moves it.
#[derive(Clone)]
struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    fn new() -> Self {
        // Fifteen seconds into a TOTP step, so one step either way is unambiguous.
        let start = OffsetDateTime::from_unix_timestamp(1_900_000_005).unwrap();
        Self(Arc::new(Mutex::new(start)))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// RFC 4648 base32 (upper case, padding optional), as authenticator apps read it.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET
            .iter()
            .position(|&a| a == c.to_ascii_uppercase())
            .expect("a base32 character") as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

fn pw(text: &str) -> StaffPassword {
    StaffPassword::new(text.to_owned())
}

fn access(actor: confidant_core::Actor) -> Access {
    Access {
        actor,
        purpose: Purpose::Treatment,
        source: None,
    }
}

fn emergency(a: &Access) -> Access {
    Access {
        purpose: Purpose::Emergency,
        ..*a
    }
}

fn client_input(name: &str) -> ClientInput {
    ClientInput {
        legal_name: name.into(),
        preferred_name: None,
        date_of_birth: "1982-03-04".into(),
        phone: None,
        email: None,
        address: None,
        emergency_contact: None,
    }
}

fn note(kind: NoteKind, body: &str) -> NoteInput {
    NoteInput::free(kind, body)
}

/// The ids of the notes `who` sees in a client's record, in listing order.
fn note_ids(vault: &Vault, who: &Access, client: ClientId) -> Vec<NoteId> {
    let notes = vault.notes_of_client(who, client).unwrap();
    notes.iter().map(|n| n.id).collect()
}

fn is_forbidden<T>(r: Result<T, CoreError>) -> bool {
    matches!(r, Err(CoreError::Forbidden(_)))
}

fn is_unauthenticated<T>(r: Result<T, CoreError>) -> bool {
    matches!(r, Err(CoreError::Unauthenticated))
}

/// A staff member who accepted their invitation and signed in once.
struct Staff {
    id: ActorId,
    email: String,
    access: Access,
    session: NewSession,
}

struct Practice {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    clock: TestClock,
    vault: Vault,
    owner: Access,
    owner_token: ApiTokenSecret,
    /// Each enrolled account's TOTP secret, by e-mail, as its authenticator app holds it.
    totp: Mutex<HashMap<String, Vec<u8>>>,
    next: AtomicUsize,
}

fn practice() -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = TestClock::new();
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done = confidant_core::init(store.as_ref(), &clock, std::slice::from_ref(&key)).unwrap();
    let vault = Vault::unseal_with(
        store.clone(),
        Arc::new(clock.clone()),
        &key,
        Options::default(),
    )
    .unwrap();
    let owner = access(vault.authenticate(&done.owner_token).unwrap());
    Practice {
        _dir: dir,
        store,
        clock,
        vault,
        owner,
        owner_token: done.owner_token,
        totp: Mutex::new(HashMap::new()),
        next: AtomicUsize::new(1),
    }
}

impl Practice {
    /// The owner invites someone new in `role`; returns the invitation and their e-mail.
    fn invite_for(&self, role: &str, ttl: Duration) -> (Invitation, String) {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let email = format!("{role}{n}@clinic.example");
        let invitation = self
            .vault
            .invite_staff(
                &self.owner,
                NewStaff {
                    email: email.clone(),
                    display_name: format!("Test {role}"),
                    role: role.into(),
                },
                ttl,
            )
            .unwrap();
        (invitation, email)
    }

    /// Invites and activates an account; returns its id and e-mail.
    fn join(&self, role: &str) -> (ActorId, String) {
        let (invitation, email) = self.invite_for(role, INVITATION_TTL);
        let id = self
            .vault
            .accept_invitation(&invitation.token, &pw(PASSWORD))
            .unwrap();
        assert_eq!(id, invitation.user);
        (id, email)
    }

    /// Invites, activates and signs in an account.
    fn member(&self, role: &str) -> Staff {
        let (id, email) = self.join(role);
        let (access, session) = self.sign_in(&email, PASSWORD);
        assert_eq!((access.actor.id, access.actor.role.as_str()), (id, role));
        Staff {
            id,
            email,
            access,
            session,
        }
    }

    /// The code the account's authenticator app shows `steps` steps from now.
    fn code(&self, email: &str, steps: i64) -> String {
        let secrets = self.totp.lock().unwrap();
        let secret = TotpSecret::from_bytes(&secrets[email]).unwrap();
        let at = self.clock.unix() + steps * STEP.as_secs() as i64;
        code_at(&secret, at as u64, Params::CONFIDANT)
    }

    /// Password, then a second factor: enrols the authenticator app at first sign-in, else
    /// types its current code. A second sign-in needs a later TOTP step (advance the clock).
    fn sign_in(&self, email: &str, password: &str) -> (Access, NewSession) {
        let challenge = match self.vault.begin_login(email, &pw(password), None).unwrap() {
            LoginStep::Enroll {
                challenge,
                uri,
                secret_base32,
            } => {
                assert!(uri.contains(&format!("secret={}", secret_base32.as_str())));
                let secret = base32_decode(&secret_base32);
                self.totp.lock().unwrap().insert(email.to_owned(), secret);
                challenge
            }
            LoginStep::Totp { challenge } => challenge,
        };
        let code = self.code(email, 0);
        let session = self
            .vault
            .complete_login(&challenge, SecondFactor::Totp(code), None)
            .unwrap();
        let (actor, csrf) = self.vault.authenticate_session(&session.token).unwrap();
        assert_eq!(csrf, session.csrf.digest());
        (access(actor), session)
    }

    fn status(&self, id: ActorId) -> String {
        self.store.user(id).unwrap().unwrap().status
    }

    /// Every audit event with this action, decoded.
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

    /// Who was refused, in order (`access.denied` events' actors).
    fn denied_actors(&self) -> Vec<String> {
        self.events("access.denied")
            .iter()
            .map(|e| e["actor"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Every stored audit event's canonical text.
    fn audit_texts(&self) -> Vec<String> {
        self.store
            .audit_events(0, 100_000)
            .unwrap()
            .iter()
            .map(|r| String::from_utf8(r.event.clone()).unwrap())
            .collect()
    }

    fn new_client(&self, by: &Access, name: &str) -> ClientId {
        self.vault.create_client(by, client_input(name)).unwrap()
    }

    fn listed(&self, by: &Access) -> Vec<ClientId> {
        self.vault
            .clients(by, None, 100)
            .unwrap()
            .clients
            .iter()
            .map(|c| c.id)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------------------------

#[test]
fn an_invitation_is_accepted_once() {
    let p = practice();
    let (invitation, _) = p.invite_for("clinician", INVITATION_TTL);
    assert_eq!(p.status(invitation.user), "invited");
    let id = p
        .vault
        .accept_invitation(&invitation.token, &pw(PASSWORD))
        .unwrap();
    assert_eq!(id, invitation.user);
    assert_eq!(p.status(id), "active");
    assert!(matches!(
        p.vault
            .accept_invitation(&invitation.token, &pw(NEW_PASSWORD)),
        Err(CoreError::NotFound("invitation"))
    ));
    assert_eq!(p.events("user.activate").len(), 1);
}

#[test]
fn an_expired_invitation_is_refused() {
    let p = practice();
    let ttl = Duration::from_secs(3600);
    let (invitation, _) = p.invite_for("clinician", ttl);
    assert_eq!(invitation.expires_at, p.clock.now() + ttl);
    p.clock.advance(ttl + Duration::from_secs(1));
    assert!(matches!(
        p.vault.accept_invitation(&invitation.token, &pw(PASSWORD)),
        Err(CoreError::Expired(_))
    ));
    assert_eq!(p.status(invitation.user), "invited");
}

#[test]
fn a_weak_password_is_refused_the_account_stays_invited_and_the_link_still_works() {
    let p = practice();
    let invitation = p
        .vault
        .invite_staff(
            &p.owner,
            NewStaff {
                email: "qb@clinic.example".into(),
                display_name: "Quentin Blackwood".into(),
                role: "clinician".into(),
            },
            INVITATION_TTL,
        )
        .unwrap();
    for weak in [
        "Password2024!",              // common, with digits and a symbol added
        "short pw 1",                 // too short
        "blackwood rules the clinic", // contains the name
    ] {
        match p.vault.accept_invitation(&invitation.token, &pw(weak)) {
            Err(CoreError::Invalid(invalid)) => assert_eq!(invalid.field, "password", "{weak}"),
            other => panic!("{weak}: expected Invalid(password), got {other:?}"),
        }
        assert_eq!(p.status(invitation.user), "invited", "{weak}");
    }
    // A refused password is not an acceptance: the person tries again with the same link.
    let id = p
        .vault
        .accept_invitation(&invitation.token, &pw(PASSWORD))
        .unwrap();
    assert_eq!(p.status(id), "active");
}

#[test]
fn only_the_owner_invites_and_nobody_sets_their_own_role_and_each_refusal_is_audited() {
    let p = practice();
    let clin = p.member("clinician");
    assert!(p.denied_actors().is_empty());

    let by_clinician = p.vault.invite_staff(
        &clin.access,
        NewStaff {
            email: "sneaky@clinic.example".into(),
            display_name: "Not Invited".into(),
            role: "owner".into(),
        },
        INVITATION_TTL,
    );
    assert!(is_forbidden(by_clinician));
    assert!(
        p.store
            .user_by_email("sneaky@clinic.example")
            .unwrap()
            .is_none()
    );
    assert!(is_forbidden(p.vault.set_role(
        &p.owner,
        p.owner.actor.id,
        "clinician"
    )));
    assert!(is_forbidden(p.vault.set_role(
        &clin.access,
        clin.id,
        "owner"
    )));

    let owner = p.owner.actor.id.to_string();
    let clinician = clin.id.to_string();
    assert_eq!(p.denied_actors(), [clinician.clone(), owner, clinician]);
    for e in p.events("access.denied") {
        assert_eq!(e["outcome"], "denied");
    }
    // Nothing changed.
    let (me, _) = p.vault.authenticate_session(&clin.session.token).unwrap();
    assert_eq!(me.role, StaffRole::Clinician);
    assert_eq!(
        p.vault.authenticate(&p.owner_token).unwrap().role,
        StaffRole::Owner
    );
}

// ---------------------------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------------------------

#[test]
fn first_sign_in_enrols_totp_and_returns_ten_recovery_codes() {
    let p = practice();
    let (id, email) = p.join("clinician");
    let enrolled = |id| {
        let view = p.vault.staff(&p.owner).unwrap();
        view.iter().find(|s| s.id == id).unwrap().mfa_enrolled
    };
    assert!(!enrolled(id));
    let (me, session) = p.sign_in(&email, PASSWORD);
    assert_eq!(me.actor.id, id);
    let codes = session.recovery_codes.expect("recovery codes at enrolment");
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::HashSet<&str> = codes.iter().map(|c| c.as_str()).collect();
    assert_eq!(distinct.len(), 10);
    assert!(enrolled(id));
    assert_eq!(p.events("auth.login").len(), 1);

    // The next sign-in asks for a code, and hands out no new recovery codes.
    p.clock.advance(STEP);
    let step = p.vault.begin_login(&email, &pw(PASSWORD), None).unwrap();
    let LoginStep::Totp { challenge } = step else {
        panic!("an enrolled account is asked for its code, not enrolled again");
    };
    let again = p
        .vault
        .complete_login(&challenge, SecondFactor::Totp(p.code(&email, 0)), None)
        .unwrap();
    assert!(again.recovery_codes.is_none());
}

#[test]
fn the_same_totp_code_cannot_be_used_twice() {
    let p = practice();
    let (_, email) = p.join("clinician");
    let used = {
        let LoginStep::Enroll {
            challenge,
            secret_base32,
            ..
        } = p.vault.begin_login(&email, &pw(PASSWORD), None).unwrap()
        else {
            panic!("first sign-in enrols");
        };
        p.totp
            .lock()
            .unwrap()
            .insert(email.clone(), base32_decode(&secret_base32));
        let code = p.code(&email, 0);
        p.vault
            .complete_login(&challenge, SecondFactor::Totp(code.clone()), None)
            .unwrap();
        code
    };
    p.clock.advance(Duration::from_secs(5)); // same step
    let LoginStep::Totp { challenge } = p.vault.begin_login(&email, &pw(PASSWORD), None).unwrap()
    else {
        panic!("enrolled");
    };
    assert!(matches!(
        p.vault
            .complete_login(&challenge, SecondFactor::Totp(used.clone()), None),
        Err(CoreError::LoginFailed)
    ));
    // Nor later, while it is still inside the skew window.
    p.clock.advance(STEP);
    assert!(matches!(
        p.vault
            .complete_login(&challenge, SecondFactor::Totp(used), None),
        Err(CoreError::LoginFailed)
    ));
    // The next step's code works.
    p.vault
        .complete_login(&challenge, SecondFactor::Totp(p.code(&email, 0)), None)
        .unwrap();
}

#[test]
fn a_code_one_step_away_is_accepted_and_two_steps_away_is_not() {
    let p = practice();
    let staff = p.member("clinician"); // enrolled at the step of t0
    p.clock.advance(3 * STEP); // now: t0's step + 3
    let LoginStep::Totp { challenge } = p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap()
    else {
        panic!("enrolled");
    };
    for steps in [2, -2] {
        let code = p.code(&staff.email, steps);
        assert!(
            matches!(
                p.vault
                    .complete_login(&challenge, SecondFactor::Totp(code), None),
                Err(CoreError::LoginFailed)
            ),
            "{steps} steps away"
        );
    }
    let behind = p.code(&staff.email, -1);
    p.vault
        .complete_login(&challenge, SecondFactor::Totp(behind), None)
        .unwrap();
    let LoginStep::Totp { challenge } = p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap()
    else {
        panic!("enrolled");
    };
    let ahead = p.code(&staff.email, 1);
    p.vault
        .complete_login(&challenge, SecondFactor::Totp(ahead), None)
        .unwrap();
}

#[test]
fn a_recovery_code_works_once() {
    let p = practice();
    let staff = p.member("clinician");
    let codes = staff.session.recovery_codes.unwrap();
    let begin = || match p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap()
    {
        LoginStep::Totp { challenge } => challenge,
        LoginStep::Enroll { .. } => panic!("enrolled"),
    };
    let first = SecondFactor::Recovery(codes[0].to_string());
    let session = p.vault.complete_login(&begin(), first, None).unwrap();
    let (me, _) = p.vault.authenticate_session(&session.token).unwrap();
    assert_eq!(me.id, staff.id);

    let challenge = begin();
    let reused = SecondFactor::Recovery(codes[0].to_string());
    assert!(matches!(
        p.vault.complete_login(&challenge, reused, None),
        Err(CoreError::LoginFailed)
    ));
    let made_up = SecondFactor::Recovery("not-a-recovery-code".into());
    assert!(matches!(
        p.vault.complete_login(&challenge, made_up, None),
        Err(CoreError::LoginFailed)
    ));
    let second = SecondFactor::Recovery(codes[1].to_string());
    p.vault.complete_login(&challenge, second, None).unwrap();
}

#[test]
fn an_unknown_email_and_a_wrong_password_fail_alike() {
    let p = practice();
    let (id, email) = p.join("clinician");
    let unknown = p
        .vault
        .begin_login("nobody@clinic.example", &pw(PASSWORD), None)
        .unwrap_err();
    let wrong = p
        .vault
        .begin_login(&email, &pw("Wrongful Zebra Crossing 99"), None)
        .unwrap_err();
    assert!(matches!(unknown, CoreError::LoginFailed), "{unknown:?}");
    assert!(matches!(wrong, CoreError::LoginFailed), "{wrong:?}");
    assert_eq!(unknown.to_string(), wrong.to_string());
    let fails = p.events("auth.fail");
    assert_eq!(fails.len(), 2);
    assert!(fails[0]["actor"].is_null());
    assert_eq!(fails[1]["actor"], id.to_string());
    assert!(fails.iter().all(|e| e["outcome"] == "denied"));
}

#[test]
fn five_failed_passwords_lock_the_account_until_the_lock_lifts() {
    let p = practice();
    let (_, email) = p.join("clinician");
    let wrong = "Wrongful Zebra Crossing 99";
    for attempt in 1..=5 {
        assert!(
            matches!(
                p.vault.begin_login(&email, &pw(wrong), None),
                Err(CoreError::LoginFailed)
            ),
            "attempt {attempt}"
        );
    }
    let seconds = match p.vault.begin_login(&email, &pw(PASSWORD), None) {
        Err(CoreError::Locked { seconds }) => seconds,
        other => panic!("the sixth attempt, even correct, is locked out; got {other:?}"),
    };
    assert!((1..=31).contains(&seconds), "{seconds} s");
    assert_eq!(p.events("auth.locked").len(), 1);

    p.clock.advance(Duration::from_secs(seconds));
    assert!(matches!(
        p.vault.begin_login(&email, &pw(PASSWORD), None),
        Ok(LoginStep::Enroll { .. })
    ));

    assert_eq!(p.events("auth.fail").len(), 5);
    for text in p.audit_texts() {
        assert!(!text.contains("Zebra") && !text.contains(wrong), "{text}");
        assert!(
            !text.contains("harbour") && !text.contains(PASSWORD),
            "{text}"
        );
    }
}

#[test]
fn a_challenge_expires_after_five_minutes() {
    let p = practice();
    let staff = p.member("clinician");
    p.clock.advance(STEP);
    let LoginStep::Totp { challenge } = p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap()
    else {
        panic!("enrolled");
    };
    p.clock.advance(5 * MINUTE);
    assert!(matches!(
        p.vault.complete_login(
            &challenge,
            SecondFactor::Totp(p.code(&staff.email, 0)),
            None
        ),
        Err(CoreError::LoginFailed)
    ));
}

#[test]
fn an_unknown_or_used_challenge_fails_and_is_audited() {
    let p = practice();
    let before = p.events("auth.fail").len();
    let forged = confidant_crypto::ApiTokenSecret::generate().unwrap();
    assert!(matches!(
        p.vault
            .complete_login(&forged, SecondFactor::Totp("123456".into()), None),
        Err(CoreError::LoginFailed)
    ));
    assert_eq!(p.events("auth.fail").len(), before + 1);
    assert!(
        p.audit_texts().iter().all(|t| !t.contains(forged.reveal())),
        "the presented challenge is never recorded"
    );
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

#[test]
fn a_session_ends_after_fifteen_idle_minutes() {
    let p = practice();
    let staff = p.member("clinician");
    p.clock.advance(16 * MINUTE);
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
    // Ended for good, not just refused while idle.
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
}

#[test]
fn activity_keeps_a_session_alive() {
    let p = practice();
    let staff = p.member("clinician");
    for _ in 0..2 {
        p.clock.advance(10 * MINUTE);
        let (me, _) = p.vault.authenticate_session(&staff.session.token).unwrap();
        assert_eq!(me.id, staff.id);
    }
    p.clock.advance(14 * MINUTE);
    p.vault.authenticate_session(&staff.session.token).unwrap();
}

#[test]
fn a_session_ends_twelve_hours_after_sign_in_whatever_the_activity() {
    let p = practice();
    let staff = p.member("clinician");
    // A request every 10 minutes up to 11 h 50 min, then one at 11 h 55 min.
    for i in 1..=71 {
        p.clock.advance(10 * MINUTE);
        assert!(
            p.vault.authenticate_session(&staff.session.token).is_ok(),
            "after {} min",
            i * 10
        );
    }
    p.clock.advance(5 * MINUTE);
    p.vault.authenticate_session(&staff.session.token).unwrap();
    // 12 h 5 min after sign-in, 10 minutes after the last request.
    p.clock.advance(10 * MINUTE);
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
}

#[test]
fn logout_ends_the_session() {
    let p = practice();
    let staff = p.member("clinician");
    p.vault.logout(&staff.access, &staff.session.token).unwrap();
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
    assert_eq!(p.events("auth.logout").len(), 1);
}

#[test]
fn a_password_change_ends_every_session_of_the_account() {
    let p = practice();
    let staff = p.member("clinician");
    let colleague = p.member("clinician");
    p.clock.advance(STEP);
    let (_, second) = p.sign_in(&staff.email, PASSWORD);

    assert!(matches!(
        p.vault
            .change_password(&staff.access, &pw("not my password"), &pw(NEW_PASSWORD)),
        Err(CoreError::LoginFailed)
    ));
    p.vault.authenticate_session(&second.token).unwrap();

    p.vault
        .change_password(&staff.access, &pw(PASSWORD), &pw(NEW_PASSWORD))
        .unwrap();
    for token in [&staff.session.token, &second.token] {
        assert!(is_unauthenticated(p.vault.authenticate_session(token)));
    }
    p.vault
        .authenticate_session(&colleague.session.token)
        .unwrap();
    assert!(matches!(
        p.vault.begin_login(&staff.email, &pw(PASSWORD), None),
        Err(CoreError::LoginFailed)
    ));
    p.clock.advance(STEP);
    p.sign_in(&staff.email, NEW_PASSWORD);
}

#[test]
fn deactivation_ends_sessions_and_api_tokens_at_once() {
    let p = practice();
    let staff = p.member("clinician");
    let (_, token, _) = p
        .vault
        .create_token(
            &staff.access,
            "nightly export",
            "read",
            30 * 24 * 60 * MINUTE,
        )
        .unwrap();
    assert_eq!(p.vault.authenticate(&token).unwrap().id, staff.id);

    p.vault.deactivate_staff(&p.owner, staff.id).unwrap();
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
    assert!(is_unauthenticated(p.vault.authenticate(&token)));
    assert!(matches!(
        p.vault.begin_login(&staff.email, &pw(PASSWORD), None),
        Err(CoreError::LoginFailed)
    ));
    assert_eq!(p.status(staff.id), "deactivated");
}

#[test]
fn reset_mfa_ends_sessions_and_forces_re_enrolment() {
    let p = practice();
    let staff = p.member("clinician");
    let old_codes = staff.session.recovery_codes.unwrap();
    p.vault.reset_mfa(&p.owner, staff.id).unwrap();
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));

    let step = p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap();
    let LoginStep::Enroll {
        challenge,
        secret_base32,
        ..
    } = step
    else {
        panic!("after an MFA reset the next sign-in enrols again");
    };
    // Neither the old app nor an old recovery code gets in.
    let old_app = p.code(&staff.email, 0);
    let new_secret = base32_decode(&secret_base32);
    assert_ne!(p.totp.lock().unwrap()[&staff.email], new_secret);
    assert!(matches!(
        p.vault.complete_login(
            &challenge,
            SecondFactor::Recovery(old_codes[0].to_string()),
            None
        ),
        Err(CoreError::LoginFailed)
    ));
    p.totp
        .lock()
        .unwrap()
        .insert(staff.email.clone(), new_secret);
    let new_app = p.code(&staff.email, 0);
    if new_app != old_app {
        assert!(matches!(
            p.vault
                .complete_login(&challenge, SecondFactor::Totp(old_app), None),
            Err(CoreError::LoginFailed)
        ));
    }
    let session = p
        .vault
        .complete_login(&challenge, SecondFactor::Totp(new_app), None)
        .unwrap();
    assert_eq!(session.recovery_codes.unwrap().len(), 10);

    // The old recovery codes were cleared with the reset.
    p.clock.advance(STEP);
    let LoginStep::Totp { challenge } = p
        .vault
        .begin_login(&staff.email, &pw(PASSWORD), None)
        .unwrap()
    else {
        panic!("enrolled again");
    };
    assert!(matches!(
        p.vault.complete_login(
            &challenge,
            SecondFactor::Recovery(old_codes[1].to_string()),
            None
        ),
        Err(CoreError::LoginFailed)
    ));
}

#[test]
fn a_role_change_takes_effect_on_the_next_request() {
    let p = practice();
    let staff = p.member("clinician");
    let (_, token, _) = p
        .vault
        .create_token(&staff.access, "script", "write", 30 * 24 * 60 * MINUTE)
        .unwrap();
    assert_eq!(
        p.vault.authenticate(&token).unwrap().role,
        StaffRole::Clinician
    );

    p.vault.set_role(&p.owner, staff.id, "front_desk").unwrap();
    // A token acts with the account's current role; a session does not outlive the change
    // (sessions end on a role change) — either way nothing acts with the old role.
    assert_eq!(
        p.vault.authenticate(&token).unwrap().role,
        StaffRole::FrontDesk
    );
    assert!(is_unauthenticated(
        p.vault.authenticate_session(&staff.session.token)
    ));
    p.clock.advance(STEP);
    let (me, _) = p.sign_in(&staff.email, PASSWORD);
    assert_eq!(me.actor.role, StaffRole::FrontDesk);
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

#[test]
fn a_read_token_reads_but_cannot_write_or_administer() {
    let p = practice();
    let staff = p.member("clinician");
    let c = p.new_client(&staff.access, "Token Reader");
    let n = p
        .vault
        .create_note(&staff.access, c, note(NoteKind::Progress, "first session"))
        .unwrap();
    let (_, token, _) = p
        .vault
        .create_token(&staff.access, "reader", "read", 30 * 24 * 60 * MINUTE)
        .unwrap();
    let reader = access(p.vault.authenticate(&token).unwrap());
    assert_eq!(reader.actor.id, staff.id);

    assert_eq!(p.vault.client(&reader, c).unwrap().id, c);
    assert_eq!(p.vault.note(&reader, n).unwrap().body, "first session");
    assert_eq!(p.vault.notes_of_client(&reader, c).unwrap().len(), 1);
    assert_eq!(p.listed(&reader), [c]);

    assert!(is_forbidden(
        p.vault.create_client(&reader, client_input("Never Made"))
    ));
    assert!(is_forbidden(p.vault.create_note(
        &reader,
        c,
        note(NoteKind::Progress, "never written")
    )));
    // The same account through its session may do both.
    p.vault
        .create_note(&staff.access, c, note(NoteKind::Progress, "second session"))
        .unwrap();
}

#[test]
fn a_token_cannot_mint_a_broader_one() {
    let p = practice();
    let staff = p.member("clinician");
    let month = 30 * 24 * 60 * MINUTE;
    let (_, read, _) = p
        .vault
        .create_token(&staff.access, "reader", "read", month)
        .unwrap();
    let (_, write, _) = p
        .vault
        .create_token(&staff.access, "writer", "write", month)
        .unwrap();
    let read = access(p.vault.authenticate(&read).unwrap());
    let write = access(p.vault.authenticate(&write).unwrap());
    for broader in ["write", "admin"] {
        assert!(
            is_forbidden(p.vault.create_token(&read, "wider", broader, month)),
            "read → {broader}"
        );
    }
    assert!(is_forbidden(
        p.vault.create_token(&write, "wider", "admin", month)
    ));
    p.vault.create_token(&read, "same", "read", month).unwrap();
    p.vault
        .create_token(&write, "narrower", "read", month)
        .unwrap();
    assert_eq!(p.vault.tokens(&staff.access).unwrap().len(), 4);
}

#[test]
fn a_token_cannot_outlive_the_token_that_creates_it() {
    let p = practice();
    let staff = p.member("clinician");
    let day = 24 * 60 * MINUTE;
    let (_, short, _) = p
        .vault
        .create_token(&staff.access, "short-lived", "read", day)
        .unwrap();
    let short = access(p.vault.authenticate(&short).unwrap());
    let longer = p.vault.create_token(&short, "longer", "read", 2 * day);
    assert!(
        matches!(longer, Err(CoreError::Invalid(ref i)) if i.field == "expires_in_days"),
        "{longer:?}"
    );
    p.vault
        .create_token(&short, "within", "read", day / 2)
        .unwrap();
}

#[test]
fn a_revoked_token_stops_working_at_once() {
    let p = practice();
    let staff = p.member("clinician");
    let (id, token, _) = p
        .vault
        .create_token(&staff.access, "temporary", "read", 24 * 60 * MINUTE)
        .unwrap();
    p.vault.authenticate(&token).unwrap();
    // Only the owner of a token revokes it.
    let other = p.member("clinician");
    assert!(matches!(
        p.vault.revoke_token(&other.access, id),
        Err(CoreError::NotFound("token"))
    ));
    p.vault.authenticate(&token).unwrap();
    p.vault.revoke_token(&staff.access, id).unwrap();
    assert!(is_unauthenticated(p.vault.authenticate(&token)));
    assert!(p.vault.tokens(&staff.access).unwrap().is_empty());
}

#[test]
fn a_token_expires_by_the_clock() {
    let p = practice();
    let staff = p.member("clinician");
    let day = 24 * 60 * MINUTE;
    let (_, token, expires_at) = p
        .vault
        .create_token(&staff.access, "one day", "read", day)
        .unwrap();
    assert_eq!(expires_at, p.clock.now() + day);
    p.clock.advance(day - Duration::from_secs(1));
    p.vault.authenticate(&token).unwrap();
    p.clock.advance(Duration::from_secs(1));
    assert!(is_unauthenticated(p.vault.authenticate(&token)));
}

// ---------------------------------------------------------------------------------------------
// The policy through the services
// ---------------------------------------------------------------------------------------------

#[test]
fn a_clinician_off_the_care_team_sees_no_client_and_no_note_until_assigned() {
    let p = practice();
    let clin = p.member("clinician");
    let c = p.new_client(&p.owner, "Off Team");
    let n = p
        .vault
        .create_note(&p.owner, c, note(NoteKind::Progress, "seen by the owner"))
        .unwrap();

    assert!(matches!(
        p.vault.client(&clin.access, c),
        Err(CoreError::NotFound("client"))
    ));
    let hidden = p.vault.note(&clin.access, n).unwrap_err();
    let missing = p.vault.note(&clin.access, NoteId::random()).unwrap_err();
    assert!(matches!(hidden, CoreError::NotFound("note")), "{hidden:?}");
    assert_eq!(format!("{hidden:?}"), format!("{missing:?}"));
    assert_eq!(hidden.to_string(), missing.to_string());
    assert!(matches!(
        p.vault.notes_of_client(&clin.access, c),
        Err(CoreError::NotFound("client"))
    ));
    assert!(p.listed(&clin.access).is_empty());

    p.vault
        .assign_care_team(&p.owner, c, clin.id, false)
        .unwrap();
    assert_eq!(
        p.vault.client(&clin.access, c).unwrap().legal_name,
        "Off Team"
    );
    assert_eq!(
        p.vault.note(&clin.access, n).unwrap().body,
        "seen by the owner"
    );
    assert_eq!(p.listed(&clin.access), [c]);
}

#[test]
fn a_psychotherapy_note_is_read_by_its_author_alone() {
    let p = practice();
    let author = p.member("clinician");
    let colleague = p.member("clinician");
    let c = p.new_client(&author.access, "Private Process");
    p.vault
        .assign_care_team(&author.access, c, colleague.id, false)
        .unwrap();
    let progress = p
        .vault
        .create_note(&author.access, c, note(NoteKind::Progress, "progress"))
        .unwrap();
    p.clock.advance(Duration::from_secs(1)); // listings are oldest first
    let private = p
        .vault
        .create_note(
            &author.access,
            c,
            note(NoteKind::Psychotherapy, "process notes"),
        )
        .unwrap();

    assert_eq!(
        p.vault.note(&author.access, private).unwrap().body,
        "process notes"
    );
    assert!(is_forbidden(p.vault.note(&colleague.access, private)));
    let theirs = note_ids(&p.vault, &colleague.access, c);
    assert_eq!(theirs, [progress]);
    let mine = note_ids(&p.vault, &author.access, c);
    assert_eq!(mine, [progress, private]);
}

#[test]
fn a_restricted_client_is_absent_for_everyone_off_the_care_team_owner_included() {
    let p = practice();
    let clin = p.member("clinician");
    let open = p.new_client(&p.owner, "Ordinary Client");
    let hidden = p.new_client(&p.owner, "Staff Member Client");
    p.vault
        .assign_care_team(&p.owner, hidden, clin.id, true)
        .unwrap();
    p.vault
        .unassign_care_team(&p.owner, hidden, p.owner.actor.id)
        .unwrap();
    assert!(p.listed(&p.owner).contains(&hidden), "unrestricted yet");

    p.vault.set_restricted(&p.owner, hidden, true).unwrap();
    assert_eq!(p.listed(&p.owner), [open]);
    assert!(matches!(
        p.vault.client(&p.owner, hidden),
        Err(CoreError::NotFound("client"))
    ));
    assert_eq!(p.listed(&clin.access), [hidden]);
    assert_eq!(
        p.vault.client(&clin.access, hidden).unwrap().legal_name,
        "Staff Member Client"
    );
}

#[test]
fn break_glass_opens_a_record_for_an_hour_flagged_and_listed_for_review() {
    let p = practice();
    let clin = p.member("clinician");
    let officer = p.member("privacy_officer");
    let c = p.new_client(&p.owner, "Crisis Client");
    let n = p
        .vault
        .create_note(&p.owner, c, note(NoteKind::Progress, "safety plan"))
        .unwrap();
    assert!(matches!(
        p.vault.client(&clin.access, c),
        Err(CoreError::NotFound("client"))
    ));

    let reason = "Client called in crisis; primary clinician unreachable";
    let expires = p
        .vault
        .break_glass(&clin.access, c, reason, 60 * MINUTE)
        .unwrap();
    assert_eq!(expires, p.clock.now() + 60 * MINUTE);

    let urgent = emergency(&clin.access);
    assert_eq!(p.vault.client(&urgent, c).unwrap().id, c);
    assert_eq!(p.vault.note(&urgent, n).unwrap().body, "safety plan");
    let reads: Vec<_> = p
        .events("client.read")
        .into_iter()
        .filter(|e| e["actor"] == clin.id.to_string())
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["flagged"], true);
    assert_eq!(reads[0]["purpose"], "emergency");
    assert_eq!(p.events("break_glass")[0]["flagged"], true);

    // Only for the emergency purpose, and read-only.
    assert!(is_forbidden(p.vault.client(&clin.access, c)));
    assert!(is_forbidden(p.vault.create_note(
        &urgent,
        c,
        note(NoteKind::Progress, "never written")
    )));

    let grants = p.vault.break_glass_grants(&officer.access, true).unwrap();
    assert_eq!(grants.len(), 1);
    let grant = &grants[0];
    assert_eq!((grant.user, grant.client), (clin.id, c));
    assert_eq!(grant.reason, reason);
    assert!(grant.reviewed_by.is_none());
    p.vault
        .review_break_glass(&officer.access, grant.id)
        .unwrap();
    assert!(
        p.vault
            .break_glass_grants(&officer.access, true)
            .unwrap()
            .is_empty()
    );
    let all = p.vault.break_glass_grants(&officer.access, false).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].reviewed_by, Some(officer.id));
    // A clinician does not review grants.
    assert!(is_forbidden(p.vault.break_glass_grants(&clin.access, true)));

    p.clock.advance(61 * MINUTE);
    assert!(matches!(
        p.vault.client(&urgent, c),
        Err(CoreError::NotFound("client"))
    ));
}

#[test]
fn a_supervisor_reads_a_shared_clients_progress_notes_but_never_psychotherapy_notes() {
    let p = practice();
    let sup = p.member("supervisor");
    let clin = p.member("clinician");
    let c = p.new_client(&clin.access, "Supervised Case");
    let progress = p
        .vault
        .create_note(&clin.access, c, note(NoteKind::Progress, "progress"))
        .unwrap();
    let private = p
        .vault
        .create_note(&clin.access, c, note(NoteKind::Psychotherapy, "process"))
        .unwrap();

    // Without a supervisor there is no one to share with.
    assert!(matches!(
        p.vault.share_for_supervision(&clin.access, c),
        Err(CoreError::Invalid(_))
    ));
    p.vault
        .set_supervisor(&p.owner, clin.id, Some(sup.id))
        .unwrap();
    assert!(matches!(
        p.vault.note(&sup.access, progress),
        Err(CoreError::NotFound("note"))
    ));

    assert_eq!(
        p.vault.share_for_supervision(&clin.access, c).unwrap(),
        sup.id
    );
    assert_eq!(
        p.vault.note(&sup.access, progress).unwrap().body,
        "progress"
    );
    assert_eq!(p.vault.client(&sup.access, c).unwrap().id, c);
    assert!(is_forbidden(p.vault.note(&sup.access, private)));
    let listed = note_ids(&p.vault, &sup.access, c);
    assert_eq!(listed, [progress]);
}

#[test]
fn a_trainee_acts_on_their_care_team_only_while_a_supervisor_is_assigned() {
    let p = practice();
    let trainee = p.member("trainee");
    let (sup, _) = p.join("supervisor");
    let c = p.new_client(&p.owner, "Trainee Case");
    p.vault
        .assign_care_team(&p.owner, c, trainee.id, false)
        .unwrap();

    assert!(is_forbidden(p.vault.client(&trainee.access, c)));
    p.vault
        .set_supervisor(&p.owner, trainee.id, Some(sup))
        .unwrap();
    assert_eq!(p.vault.client(&trainee.access, c).unwrap().id, c);
    p.vault
        .create_note(&trainee.access, c, note(NoteKind::Progress, "supervised"))
        .unwrap();
    p.vault.set_supervisor(&p.owner, trainee.id, None).unwrap();
    assert!(is_forbidden(p.vault.client(&trainee.access, c)));
}

#[test]
fn a_supervisor_must_be_an_active_supervisor() {
    let p = practice();
    let (trainee, _) = p.join("trainee");
    let (clinician, _) = p.join("clinician");
    let (invited, _) = p.invite_for("supervisor", INVITATION_TTL);
    for not_a_supervisor in [clinician, invited.user, trainee] {
        match p
            .vault
            .set_supervisor(&p.owner, trainee, Some(not_a_supervisor))
        {
            Err(CoreError::Invalid(i)) => assert_eq!(i.field, "supervisor"),
            other => panic!("expected Invalid(supervisor), got {other:?}"),
        }
    }
}

#[test]
fn an_assistants_access_window_must_end_after_it_starts() {
    let p = practice();
    let (invitation, _) = p.invite_for("virtual_assistant", INVITATION_TTL);
    let va = invitation.user;
    let now = p.clock.now();
    for window in [(now + 60 * MINUTE, now), (now, now)] {
        match p
            .vault
            .set_assistant_terms(&p.owner, va, true, Some(window))
        {
            Err(CoreError::Invalid(i)) => assert_eq!(i.field, "window"),
            other => panic!("expected Invalid(window), got {other:?}"),
        }
    }
    let row = p.store.user(va).unwrap().unwrap();
    assert!(row.nda_at.is_none() && row.window_start.is_none());

    p.vault
        .set_assistant_terms(&p.owner, va, true, Some((now, now + 60 * MINUTE)))
        .unwrap();
    let view = p.vault.staff(&p.owner).unwrap();
    assert!(view.iter().find(|s| s.id == va).unwrap().nda_on_file);
}

// ---------------------------------------------------------------------------------------------
// Care teams
// ---------------------------------------------------------------------------------------------

#[test]
fn only_the_owner_or_the_primary_clinician_assigns_the_care_team() {
    let p = practice();
    let primary = p.member("clinician");
    let member = p.member("clinician");
    let (third, _) = p.join("clinician");
    let c = p.new_client(&primary.access, "Team Client");

    p.vault
        .assign_care_team(&primary.access, c, member.id, false)
        .unwrap();
    assert!(is_forbidden(p.vault.assign_care_team(
        &member.access,
        c,
        third,
        false
    )));
    assert!(is_forbidden(p.vault.unassign_care_team(
        &member.access,
        c,
        primary.id
    )));
    p.vault.assign_care_team(&p.owner, c, third, false).unwrap();

    let team = p.vault.care_team(&primary.access, c).unwrap();
    let mut seen: Vec<(ActorId, bool, ActorId)> = team
        .iter()
        .map(|m| (m.user, m.primary, m.added_by))
        .collect();
    seen.sort();
    let mut want = vec![
        (primary.id, true, primary.id),
        (member.id, false, primary.id),
        (third, false, p.owner.actor.id),
    ];
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(p.denied_actors().len(), 2);
}

#[test]
fn nobody_adds_themselves_to_a_care_team_not_even_the_owner() {
    let p = practice();
    let clin = p.member("clinician");
    let c = p.new_client(&p.owner, "Self Service");
    p.vault
        .unassign_care_team(&p.owner, c, p.owner.actor.id)
        .unwrap();

    assert!(is_forbidden(p.vault.assign_care_team(
        &p.owner,
        c,
        p.owner.actor.id,
        true
    )));
    // The clinician cannot see `c` at all, so the refusal looks like a nonexistent id.
    assert!(matches!(
        p.vault.assign_care_team(&clin.access, c, clin.id, true),
        Err(CoreError::NotFound("client"))
    ));
    // Not even the primary clinician of another client, on this one.
    let theirs = p.new_client(&clin.access, "Their Own Client");
    assert!(is_forbidden(p.vault.assign_care_team(
        &clin.access,
        theirs,
        clin.id,
        false
    )));
    assert!(p.vault.care_team(&clin.access, theirs).unwrap().len() == 1);
    assert!(matches!(
        p.vault.client(&clin.access, c),
        Err(CoreError::NotFound("client"))
    ));
    assert_eq!(
        p.denied_actors(),
        [
            p.owner.actor.id.to_string(),
            clin.id.to_string(),
            clin.id.to_string(),
            clin.id.to_string(), // the read of `c` above
        ]
    );
}

#[test]
fn unassigning_takes_a_member_off_the_team() {
    let p = practice();
    let clin = p.member("clinician");
    let c = p.new_client(&p.owner, "Changing Team");
    p.vault
        .assign_care_team(&p.owner, c, clin.id, false)
        .unwrap();
    p.vault.client(&clin.access, c).unwrap();

    p.vault.unassign_care_team(&p.owner, c, clin.id).unwrap();
    assert!(matches!(
        p.vault.client(&clin.access, c),
        Err(CoreError::NotFound("client"))
    ));
    assert!(matches!(
        p.vault.unassign_care_team(&p.owner, c, clin.id),
        Err(CoreError::NotFound("care team member"))
    ));
    let team: Vec<ActorId> = p
        .vault
        .care_team(&p.owner, c)
        .unwrap()
        .iter()
        .map(|m| m.user)
        .collect();
    assert_eq!(team, [p.owner.actor.id]);
}
