//! The people canary: "secrets never appear in logs or audit events".
//!
//! One server, logging at debug, is driven through every flow that hands out or takes in a
//! secret: invitations (accepted, refused for a weak password), passwords (right, wrong, changed),
//! TOTP enrolment and codes, recovery codes, session cookies, CSRF tokens, login challenges, API
//! tokens (created, used, revoked) and a break-glass reason. Then the audit log as served, every
//! byte under the data directory and the server's `TMPDIR`, and everything the server printed are
//! searched for each secret (UTF-8, UTF-16LE and UTF-16BE; TOTP secrets also as raw bytes; TOTP
//! codes only where not part of a longer number). One hit fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::json;

/// Everything secret the test saw, by kind.
#[derive(Default)]
struct Secrets {
    text: Vec<String>,
    codes: Vec<String>,
    totp_secrets: Vec<String>,
}

impl Secrets {
    fn add(&mut self, s: &str) {
        assert!(s.len() >= 8, "a secret too short to search for: {s:?}");
        self.text.push(s.to_string());
    }

    fn add_sign_in(&mut self, s: &SignIn) {
        self.add(&s.challenge);
        self.add(s.cookie_value());
        self.add(&s.csrf);
    }

    /// Everything `staff` was given or chose.
    fn add_staff(&mut self, staff: &Staff) {
        self.add(&staff.invitation_token);
        self.add(&staff.password());
        if let Some(secret) = staff.totp_secret.borrow().as_ref() {
            self.add(secret);
            self.totp_secrets.push(secret.clone());
        }
        self.codes.extend(staff.codes_used.borrow().iter().cloned());
    }

    fn add_recovery_codes(&mut self, codes: &[String]) {
        for c in codes {
            self.add(c);
            self.add(&c.replace('-', ""));
        }
    }

    /// Every hit in `bytes` found at `place`.
    fn scan(&self, place: &str, bytes: &[u8]) -> Vec<Hit> {
        let mut hits = scan(place, bytes, &self.text);
        hits.extend(scan_digits(place, bytes, &self.codes));
        hits
    }
}

#[test]
fn secrets_never_appear_in_the_data_directory_logs_or_audit_events() {
    let practice = Practice::with_key_file();
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = tmp.path().to_str().unwrap().to_string();
    let server = Server::start(
        &practice.data_dir,
        &practice.unseal(),
        &[],
        &[
            ("TMPDIR", &tmp_path),
            ("SQLITE_TMPDIR", &tmp_path),
            ("RUST_LOG", "debug"),
            ("CONFIDANT_LOG", "debug"),
        ],
    );
    let base = server.base_url.clone();
    let owner = Caller::bearer(&base, &practice.token);
    let mut secrets = Secrets::default();
    secrets.add(&practice.token);

    // Invitations: a weak password refused, then three accepted.
    let wes = invite(&owner, "front_desk");
    let weak = format!("robin-WEAKPW{}", random_hex(12));
    accept_invitation(&base, &wes.invitation_token, &weak).expect_problem(422);
    secrets.add(&weak);
    secrets.add(&wes.invitation_token);
    let ada = hire(&owner, "clinician");
    let officer = hire(&owner, "privacy_officer");
    let bo = hire(&owner, "supervisor");

    // Enrolment, a wrong password, a wrong code, a recovery-code sign-in.
    let enrolled = sign_in_full(&base, &ada);
    secrets.add_sign_in(&enrolled);
    let recovery = enrolled.recovery_codes.clone().unwrap();
    assert_eq!(recovery.len(), 10);
    secrets.add_recovery_codes(&recovery);
    let wrong = format!("WRONGPW{}", random_hex(16));
    secrets.add(&wrong);
    begin_login(&base, &ada.email, &wrong)
        .resp
        .expect_problem(401);
    let (challenge, _) = password_step(&base, &ada);
    secrets.add(&challenge);
    let bad_code = {
        let good = totp_code(ada.totp_secret.borrow().as_ref().unwrap(), unix_now() / 30);
        let n: u32 = good.parse().unwrap();
        format!("{:06}", (n + 500_000) % 1_000_000)
    };
    verify_code(&base, &challenge, &bad_code)
        .resp
        .expect_problem(401);
    let again = sign_in_with_recovery_code(&base, &ada);
    secrets.add_sign_in(&again);
    let session = enrolled.caller.clone();

    // API tokens: created, used, one revoked.
    let read = session.create_token("canary read", "read");
    let write = session.create_token("canary write", "write");
    secrets.add(&read);
    secrets.add(&write);
    let client = Caller::bearer(&base, &write).create_client("Canary Client");
    Caller::bearer(&base, &read)
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    let tokens = session.get("/api/v1/tokens").expect_json(200);
    let read_id = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "canary read")
        .map(|t| t["id"].as_str().unwrap().to_string())
        .unwrap();
    session
        .delete(&format!("/api/v1/tokens/{read_id}"))
        .expect_status(204);
    // Another session's CSRF token is refused.
    session
        .with_csrf(&again.csrf)
        .post("/api/v1/clients", &sample_client("Refused"))
        .expect_problem(403);

    // Break-glass with a reason, reviewed by the privacy officer.
    let bo_session = sign_in_full(&base, &bo);
    secrets.add_sign_in(&bo_session);
    secrets.add_recovery_codes(bo_session.recovery_codes.as_ref().unwrap());
    let reason = format!("CNRYREASON{} client in crisis", random_hex(12));
    secrets.add(&reason);
    bo_session
        .caller
        .post(
            &format!("/api/v1/clients/{client}/break-glass"),
            &json!({"reason": reason}),
        )
        .expect_json(201);
    bo_session
        .caller
        .for_purpose("emergency")
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    let po = sign_in_full(&base, &officer);
    secrets.add_sign_in(&po);
    secrets.add_recovery_codes(po.recovery_codes.as_ref().unwrap());
    let grants = po
        .caller
        .get("/api/v1/break-glass?unreviewed=true")
        .expect_json(200);
    assert_eq!(grants["grants"][0]["reason"], json!(reason));

    // A password change, a sign-in with the new one, and a logout.
    let old = ada.password();
    let new = fresh_password();
    secrets.add(&old);
    session
        .post(
            "/api/v1/auth/password",
            &json!({"current": old, "new": new}),
        )
        .expect_status(204);
    *ada.password.borrow_mut() = new;
    let after = sign_in_with_recovery_code(&base, &ada);
    secrets.add_sign_in(&after);
    after
        .caller
        .post_empty("/api/v1/auth/logout")
        .expect_status(204);

    for staff in [&ada, &officer, &bo] {
        secrets.add_staff(staff);
    }
    secrets.codes.push(bad_code);
    assert!(secrets.codes.len() >= 3, "codes were used");

    // The audit log as served holds none of it.
    let audit = owner.get("/api/v1/audit?limit=1000");
    audit.expect_json(200);
    assert!(
        audit.body.contains("auth.fail") && audit.body.contains("break_glass"),
        "the flows were audited"
    );
    assert_no_hits(
        "secrets in GET /api/v1/audit",
        &secrets.scan("GET /api/v1/audit", audit.body.as_bytes()),
    );

    // Nor does anything on disk, nor anything the server printed.
    let logs = server.stop();
    let mut hits = Vec::new();
    for dir in [practice.data_dir.as_path(), tmp.path()] {
        for f in files_under(dir) {
            let bytes = std::fs::read(&f).unwrap();
            hits.extend(secrets.scan(&f.display().to_string(), &bytes));
        }
        for secret in &secrets.totp_secrets {
            hits.extend(scan_dir_bytes(
                dir,
                &format!("raw TOTP secret {secret}"),
                &base32_decode(secret),
            ));
        }
    }
    // A control: staff e-mails are stored as they are, and the same scan finds them.
    let control = scan_dir(&practice.data_dir, std::slice::from_ref(&ada.email));
    assert!(!control.is_empty(), "the scan must see what is at rest");
    hits.extend(secrets.scan("server stdout", &logs.stdout));
    hits.extend(secrets.scan("server stderr", &logs.stderr));
    assert!(
        logs.stdout_text().contains("request") || logs.stderr_text().contains("request"),
        "debug logging was on"
    );
    assert_no_hits("secrets at rest or in logs", &hits);
}
