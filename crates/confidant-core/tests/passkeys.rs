//! Passkeys end to end against a real store, with a software authenticator standing in for the
//! browser: registration from a signed-in session, sign-in in place of a TOTP code, refusal of
//! forged, foreign, replayed, deleted and expired answers (each counted as a failed sign-in),
//! and the audit trail of it all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use confidant_core::auth::password::StaffPassword;
use confidant_core::auth::totp::{self, Params, TotpSecret};
use confidant_core::login::{LoginStep, NewSession, SecondFactor};
use confidant_core::passkey::PasskeyConfig;
use confidant_core::ports::{AuditStore, Clock, PasskeyStore, StaffStore};
use confidant_core::staff::NewStaff;
use confidant_core::{Access, ActorId, CoreError, Options, Purpose, Vault};
use confidant_crypto::{ApiTokenSecret, KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;
use time::OffsetDateTime;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const PUBLIC_URL: &str = "https://confidant.example.org";
const PASSWORD: &str = "violet heron climbs the quiet ledger";

/// A clock the test moves by hand.
struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct Practice {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    clock: Arc<TestClock>,
    vault: Vault,
    owner: Access,
}

fn practice_with(passkeys: Option<PasskeyConfig>) -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done =
        confidant_core::init(store.as_ref(), clock.as_ref(), std::slice::from_ref(&key)).unwrap();
    let options = Options {
        passkeys,
        ..Options::default()
    };
    let vault = Vault::unseal_with(store.clone(), clock.clone(), &key, options).unwrap();
    let owner = Access {
        actor: vault.authenticate(&done.owner_token).unwrap(),
        purpose: Purpose::Operations,
        source: None,
    };
    Practice {
        _dir: dir,
        store,
        clock,
        vault,
        owner,
    }
}

fn practice() -> Practice {
    practice_with(Some(PasskeyConfig::from_public_url(PUBLIC_URL).unwrap()))
}

fn origin() -> Url {
    Url::parse(PUBLIC_URL).unwrap()
}

fn authenticator() -> WebauthnAuthenticator<SoftPasskey> {
    // `true`: the soft key reports the user verified, as a phone's fingerprint check would.
    WebauthnAuthenticator::new(SoftPasskey::new(true))
}

/// RFC 4648 base32 (no padding), as the enrolment step shows the TOTP secret.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut acc, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// A staff member who has enrolled TOTP, and their current session.
struct Staff {
    id: ActorId,
    email: String,
    totp: TotpSecret,
    session: NewSession,
}

impl Practice {
    fn now_secs(&self) -> u64 {
        self.clock.now().unix_timestamp() as u64
    }

    fn code(&self, secret: &TotpSecret) -> String {
        totp::code_at(secret, self.now_secs(), Params::CONFIDANT)
    }

    /// Invites, activates and signs in a clinician, enrolling their TOTP secret.
    fn staff(&self, name: &str) -> Staff {
        let email = format!("{name}@clinic.example");
        let invitation = self
            .vault
            .invite_staff(
                &self.owner,
                NewStaff {
                    email: email.clone(),
                    display_name: format!("Synthetic {name}"),
                    role: "clinician".into(),
                },
                Duration::from_secs(3600),
            )
            .unwrap();
        let id = self
            .vault
            .accept_invitation(&invitation.token, &StaffPassword::new(PASSWORD.into()))
            .unwrap();
        let LoginStep::Enroll {
            challenge,
            secret_base32,
            ..
        } = self.password(&email)
        else {
            panic!("a first sign-in enrols TOTP");
        };
        let totp = TotpSecret::from_bytes(&base32_decode(&secret_base32)).unwrap();
        let code = self.code(&totp);
        let session = self
            .vault
            .complete_login(&challenge, SecondFactor::Totp(code), None)
            .unwrap();
        Staff {
            id,
            email,
            totp,
            session,
        }
    }

    fn password(&self, email: &str) -> LoginStep {
        self.vault
            .begin_login(email, &StaffPassword::new(PASSWORD.into()), None)
            .unwrap()
    }

    /// The first step of a later sign-in: the challenge awaiting a second factor.
    fn challenge(&self, staff: &Staff) -> ApiTokenSecret {
        match self.password(&staff.email) {
            LoginStep::Totp { challenge } => challenge,
            other => panic!("expected the second-factor step, got {other:?}"),
        }
    }

    fn access(&self, staff: &Staff) -> Access {
        let (actor, _) = self
            .vault
            .authenticate_session(&staff.session.token)
            .unwrap();
        Access {
            actor,
            purpose: Purpose::Operations,
            source: None,
        }
    }

    /// Registers a passkey held by `key` under `label`.
    fn register(
        &self,
        staff: &Staff,
        key: &mut WebauthnAuthenticator<SoftPasskey>,
        label: &str,
    ) -> confidant_core::PasskeyId {
        let access = self.access(staff);
        let options = self
            .vault
            .passkey_registration_start(&access, &staff.session.token)
            .unwrap();
        let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let credential = key.do_registration(origin(), options).unwrap();
        self.vault
            .passkey_registration_finish(
                &access,
                &staff.session.token,
                label,
                serde_json::to_value(credential).unwrap(),
            )
            .unwrap()
    }

    /// Starts a passkey sign-in and has `key` answer it.
    fn passkey_answer(
        &self,
        challenge: &ApiTokenSecret,
        key: &mut WebauthnAuthenticator<SoftPasskey>,
    ) -> serde_json::Value {
        let options = self.vault.passkey_login_start(challenge, None).unwrap();
        let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        serde_json::to_value(key.do_authentication(origin(), options).unwrap()).unwrap()
    }

    fn failures(&self, id: ActorId) -> u32 {
        self.store.user(id).unwrap().unwrap().failed_logins
    }

    /// Every audit event, decoded.
    fn events(&self) -> Vec<serde_json::Value> {
        self.store
            .audit_events(0, 10_000)
            .unwrap()
            .iter()
            .map(|row| serde_json::from_slice(&row.event).unwrap())
            .collect()
    }
}

fn refused(result: Result<NewSession, CoreError>) {
    match result {
        Err(CoreError::LoginFailed) => {}
        other => panic!("expected a failed sign-in, got {other:?}"),
    }
}

#[test]
fn a_passkey_registered_in_a_session_signs_in_in_place_of_a_code() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    let id = p.register(&staff, &mut key, "  work laptop  ");

    let listed = p.vault.passkeys(&p.access(&staff)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].label.as_str()),
        (id, "work laptop")
    );
    assert_eq!(listed[0].last_used_at, None);

    p.clock.advance(Duration::from_secs(60));
    let challenge = p.challenge(&staff);
    let answer = p.passkey_answer(&challenge, &mut key);
    let session = p
        .vault
        .complete_login(&challenge, SecondFactor::Passkey(answer), None)
        .unwrap();
    let (actor, _) = p.vault.authenticate_session(&session.token).unwrap();
    assert_eq!(actor.id, staff.id);
    assert!(session.recovery_codes.is_none());
    let listed = p.vault.passkeys(&p.access(&staff)).unwrap();
    let last_used = listed[0].last_used_at.unwrap();
    assert_eq!(last_used.unix_timestamp(), p.clock.now().unix_timestamp());

    // The signature counter moved on, and the next sign-in works too.
    let challenge = p.challenge(&staff);
    let answer = p.passkey_answer(&challenge, &mut key);
    p.vault
        .complete_login(&challenge, SecondFactor::Passkey(answer), None)
        .unwrap();
    assert_eq!(p.failures(staff.id), 0);
}

#[test]
fn registration_use_and_deletion_are_audited_by_id_without_credential_material() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    let id = p.register(&staff, &mut key, "phone");
    let challenge = p.challenge(&staff);
    let answer = p.passkey_answer(&challenge, &mut key);
    let credential_id = answer["id"].as_str().unwrap().to_owned();
    p.vault
        .complete_login(&challenge, SecondFactor::Passkey(answer), None)
        .unwrap();
    p.vault.delete_passkey(&p.access(&staff), id).unwrap();

    let events = p.events();
    let find = |action: &str| {
        events
            .iter()
            .filter(|e| e["action"] == action && e["actor"] == staff.id.to_string())
            .cloned()
            .collect::<Vec<_>>()
    };
    let registered = find("passkey.register");
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0]["resource"], "passkey");
    assert_eq!(registered[0]["resource_id"], id.to_string());
    assert_eq!(registered[0]["outcome"], "allowed");
    let logins = find("auth.login");
    let by_passkey: Vec<_> = logins
        .iter()
        .filter(|e| e["resource"] == "passkey")
        .collect();
    assert_eq!(by_passkey.len(), 1);
    assert_eq!(by_passkey[0]["resource_id"], id.to_string());
    // The TOTP enrolment sign-in names no passkey.
    assert!(logins.iter().any(|e| e["resource"] == "session"));
    let deleted = find("passkey.delete");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["resource_id"], id.to_string());

    let log = serde_json::to_string(&events).unwrap();
    assert!(!log.contains(&credential_id));
    assert!(!log.contains("phone"));
}

#[test]
fn a_forged_foreign_or_replayed_answer_is_refused_and_counts_as_a_failure() {
    let p = practice();
    let ada = p.staff("ada");
    let bea = p.staff("bea");
    let mut adas_key = authenticator();
    let mut beas_key = authenticator();
    p.register(&ada, &mut adas_key, "ada's key");
    p.register(&bea, &mut beas_key, "bea's key");

    // Not a WebAuthn answer at all.
    let challenge = p.challenge(&ada);
    p.vault.passkey_login_start(&challenge, None).unwrap();
    refused(p.vault.complete_login(
        &challenge,
        SecondFactor::Passkey(serde_json::json!({"id": "made-up"})),
        None,
    ));
    assert_eq!(p.failures(ada.id), 1);

    // Bea's passkey signing Ada's challenge: a real signature by a credential Ada never
    // registered.
    let challenge = p.challenge(&ada);
    let mut options = p.vault.passkey_login_start(&challenge, None).unwrap();
    let beas_challenge = p.challenge(&bea);
    let beas_options = p.vault.passkey_login_start(&beas_challenge, None).unwrap();
    options["publicKey"]["allowCredentials"] =
        beas_options["publicKey"]["allowCredentials"].clone();
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let foreign = beas_key.do_authentication(origin(), options).unwrap();
    refused(p.vault.complete_login(
        &challenge,
        SecondFactor::Passkey(serde_json::to_value(foreign).unwrap()),
        None,
    ));
    assert_eq!(p.failures(ada.id), 2);

    // Ada's own valid answer, replayed against a later ceremony.
    let challenge = p.challenge(&ada);
    let answer = p.passkey_answer(&challenge, &mut adas_key);
    p.vault
        .complete_login(&challenge, SecondFactor::Passkey(answer.clone()), None)
        .unwrap();
    assert_eq!(p.failures(ada.id), 0);
    let challenge = p.challenge(&ada);
    p.vault.passkey_login_start(&challenge, None).unwrap();
    refused(
        p.vault
            .complete_login(&challenge, SecondFactor::Passkey(answer), None),
    );
    assert_eq!(p.failures(ada.id), 1);

    // An answer signed for another site is refused too.
    let challenge = p.challenge(&ada);
    let options = p.vault.passkey_login_start(&challenge, None).unwrap();
    let mut options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    options.public_key.rp_id = "phish.example.org".into();
    let phished = adas_key
        .do_authentication(Url::parse("https://phish.example.org").unwrap(), options)
        .unwrap();
    refused(p.vault.complete_login(
        &challenge,
        SecondFactor::Passkey(serde_json::to_value(phished).unwrap()),
        None,
    ));
    assert_eq!(p.failures(ada.id), 2);

    let failed = p
        .events()
        .iter()
        .filter(|e| e["action"] == "auth.fail" && e["actor"] == ada.id.to_string())
        .count();
    assert_eq!(failed, 4);
}

#[test]
fn repeated_passkey_failures_lock_the_account_like_wrong_codes() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    p.register(&staff, &mut key, "laptop");
    // As many refused passkeys as wrong codes lock the account (five, by default).
    for _ in 0..5 {
        let challenge = p.challenge(&staff);
        p.vault.passkey_login_start(&challenge, None).unwrap();
        refused(p.vault.complete_login(
            &challenge,
            SecondFactor::Passkey(serde_json::json!({})),
            None,
        ));
    }
    match p
        .vault
        .begin_login(&staff.email, &StaffPassword::new(PASSWORD.into()), None)
    {
        Err(CoreError::Locked { .. }) => {}
        other => panic!("expected a locked account, got {other:?}"),
    }
}

#[test]
fn a_deleted_passkey_no_longer_signs_in_even_in_a_ceremony_under_way() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    let mut spare = authenticator();
    let id = p.register(&staff, &mut key, "laptop");
    p.register(&staff, &mut spare, "spare");

    // The sign-in started while the passkey still existed.
    let challenge = p.challenge(&staff);
    let answer = p.passkey_answer(&challenge, &mut key);
    p.vault.delete_passkey(&p.access(&staff), id).unwrap();
    refused(
        p.vault
            .complete_login(&challenge, SecondFactor::Passkey(answer), None),
    );
    assert_eq!(p.failures(staff.id), 1);

    let listed = p.vault.passkeys(&p.access(&staff)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "spare");
    match p.vault.delete_passkey(&p.access(&staff), id) {
        Err(CoreError::NotFound("passkey")) => {}
        other => panic!("expected not found, got {other:?}"),
    }
    // The spare still works; the deleted key is no longer offered to the browser.
    let challenge = p.challenge(&staff);
    let options = p.vault.passkey_login_start(&challenge, None).unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    assert!(key.do_authentication(origin(), options.clone()).is_err());
    let answer = spare.do_authentication(origin(), options).unwrap();
    p.vault
        .complete_login(
            &challenge,
            SecondFactor::Passkey(serde_json::to_value(answer).unwrap()),
            None,
        )
        .unwrap();
}

#[test]
fn a_passkey_ceremony_answers_once_and_expires() {
    let p = practice();
    let staff = p.staff("ada");
    let access = p.access(&staff);
    let mut key = authenticator();

    // Registration: one answer per start, and not after five minutes.
    let options = p
        .vault
        .passkey_registration_start(&access, &staff.session.token)
        .unwrap();
    let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let credential = serde_json::to_value(key.do_registration(origin(), options).unwrap()).unwrap();
    let finish = |credential: serde_json::Value| {
        p.vault
            .passkey_registration_finish(&access, &staff.session.token, "laptop", credential)
    };
    finish(credential.clone()).unwrap();
    assert!(matches!(finish(credential), Err(CoreError::Expired(_))));
    let options = p
        .vault
        .passkey_registration_start(&access, &staff.session.token)
        .unwrap();
    let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let mut second = authenticator();
    let credential =
        serde_json::to_value(second.do_registration(origin(), options).unwrap()).unwrap();
    p.clock.advance(Duration::from_secs(5 * 60 + 1));
    assert!(matches!(finish(credential), Err(CoreError::Expired(_))));
    assert_eq!(p.vault.passkeys(&access).unwrap().len(), 1);

    // Sign-in: a wrong answer uses the ceremony up, so a right one after it is refused.
    let challenge = p.challenge(&staff);
    let options = p.vault.passkey_login_start(&challenge, None).unwrap();
    refused(p.vault.complete_login(
        &challenge,
        SecondFactor::Passkey(serde_json::json!({"id": "wrong"})),
        None,
    ));
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let late = key.do_authentication(origin(), options).unwrap();
    refused(p.vault.complete_login(
        &challenge,
        SecondFactor::Passkey(serde_json::to_value(late).unwrap()),
        None,
    ));
    // A fresh ceremony on the same challenge works; a second answer to it is refused.
    let answer = p.passkey_answer(&challenge, &mut key);
    p.vault
        .complete_login(&challenge, SecondFactor::Passkey(answer.clone()), None)
        .unwrap();
    refused(
        p.vault
            .complete_login(&challenge, SecondFactor::Passkey(answer), None),
    );

    // Sign-in: an answer after the ceremony lapsed is refused.
    let challenge = p.challenge(&staff);
    let answer = p.passkey_answer(&challenge, &mut key);
    p.clock.advance(Duration::from_secs(5 * 60 + 1));
    refused(
        p.vault
            .complete_login(&challenge, SecondFactor::Passkey(answer), None),
    );
}

#[test]
fn passkeys_are_managed_only_from_a_session_and_only_when_enabled() {
    let p = practice();
    let staff = p.staff("ada");
    // The owner's API token is not a browser session.
    let token = ApiTokenSecret::generate().unwrap();
    assert!(matches!(
        p.vault.passkey_registration_start(&p.owner, &token),
        Err(CoreError::Forbidden(_))
    ));
    // Another account's session does not register for this one.
    let bea = p.staff("bea");
    assert!(matches!(
        p.vault
            .passkey_registration_start(&p.access(&staff), &bea.session.token),
        Err(CoreError::Unauthenticated)
    ));
    // An account without passkeys is told to use its code.
    let challenge = p.challenge(&staff);
    assert!(matches!(
        p.vault.passkey_login_start(&challenge, None),
        Err(CoreError::Invalid(_))
    ));
    // ... which still works (in the next time step: each code works once).
    p.clock.advance(Duration::from_secs(30));
    let code = p.code(&staff.totp);
    p.vault
        .complete_login(&challenge, SecondFactor::Totp(code), None)
        .unwrap();

    let off = practice_with(None);
    let staff = off.staff("cy");
    let access = off.access(&staff);
    assert!(matches!(
        off.vault
            .passkey_registration_start(&access, &staff.session.token),
        Err(CoreError::PasskeysDisabled)
    ));
    let challenge = off.challenge(&staff);
    assert!(matches!(
        off.vault.passkey_login_start(&challenge, None),
        Err(CoreError::PasskeysDisabled)
    ));
    assert!(matches!(
        off.vault.complete_login(
            &challenge,
            SecondFactor::Passkey(serde_json::json!({})),
            None
        ),
        Err(CoreError::PasskeysDisabled)
    ));
    assert_eq!(off.failures(staff.id), 0);
}

#[test]
fn resetting_an_accounts_second_factor_removes_its_passkeys() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    p.register(&staff, &mut key, "laptop");
    p.vault.reset_mfa(&p.owner, staff.id).unwrap();
    let LoginStep::Enroll { challenge, .. } = p.password(&staff.email) else {
        panic!("after a reset the account enrols again");
    };
    assert!(matches!(
        p.vault.passkey_login_start(&challenge, None),
        Err(CoreError::Invalid(_))
    ));
    assert!(p.store.passkeys_of(staff.id).unwrap().is_empty());
}

#[test]
fn an_unknown_challenge_gets_no_passkey_options_and_is_audited_as_a_failure() {
    let p = practice();
    let staff = p.staff("ada");
    let mut key = authenticator();
    p.register(&staff, &mut key, "laptop");
    let source = Some("192.0.2.9".parse().unwrap());
    let guessed = ApiTokenSecret::generate().unwrap();
    assert!(matches!(
        p.vault.passkey_login_start(&guessed, source),
        Err(CoreError::LoginFailed)
    ));
    let failures: Vec<_> = p
        .events()
        .into_iter()
        .filter(|e| e["action"] == "auth.fail")
        .collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["source"], "192.0.2.9");
    assert_eq!(failures[0]["actor"], serde_json::Value::Null);
}
