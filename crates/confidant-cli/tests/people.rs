//! People, sign-in and the access policy, end to end against the real `confidant` binary.
//!
//! Staff are invited by the owner (whose API token `init` wrote), accept their invitation with a
//! password, and sign in with it and a TOTP code computed here from the secret the server hands
//! out at enrolment. Sessions are a cookie plus a CSRF token sent back by hand (the HTTP client
//! keeps no cookies). Each test starts its own practice and server, and hires only the few
//! accounts it needs: every password costs an Argon2id hash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::{Value, json};

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

fn a_nonexistent_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Panics unless `real` is a 404 problem byte-for-byte identical to `fake` (status, content
/// type and body): what the policy hides must look exactly like what does not exist.
fn assert_indistinguishable(what: &str, real: &Resp, fake: &Resp) {
    real.expect_problem(404);
    assert_eq!(
        (real.status, &real.content_type, &real.body),
        (fake.status, &fake.content_type, &fake.body),
        "{what}: a hidden record must be answered exactly like a nonexistent id"
    );
}

/// Panics unless `r` is a 403 or 404 problem (either keeps the record from the caller).
fn assert_kept_from(what: &str, r: &Resp) {
    assert!(
        r.problem_mismatch(403).is_none() || r.problem_mismatch(404).is_none(),
        "{what}: expected a 403 or 404 problem, got {} {:?}",
        r.status,
        r.body
    );
}

/// Panics unless `caller` sees no note of `client` (an empty list, or a refusal).
fn assert_sees_no_notes(what: &str, caller: &Caller, client: &str) {
    let r = caller.get(&format!("/api/v1/clients/{client}/notes"));
    if r.status == 200 {
        let v = r.expect_json(200);
        assert_eq!(v["notes"], json!([]), "{what}: no note may be listed");
    } else {
        assert_kept_from(what, &r);
    }
}

/// The staff list entry of `id`, as the owner sees it.
fn staff_entry(owner: &Caller, id: &str) -> Value {
    let v = owner.get("/api/v1/staff").expect_json(200);
    v["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("{id} missing from the staff list: {v}"))
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Helpers of the helpers

#[test]
fn the_base32_decoder_reads_the_rfc_4648_test_vectors() {
    for (encoded, plain) in [
        ("", ""),
        ("MY", "f"),
        ("MZXQ", "fo"),
        ("MZXW6", "foo"),
        ("MZXW6YQ", "foob"),
        ("MZXW6YTB", "fooba"),
        ("MZXW6YTBOI======", "foobar"),
        ("mzxw6ytboi", "foobar"),
    ] {
        assert_eq!(base32_decode(encoded), plain.as_bytes(), "{encoded}");
    }
}

// ---------------------------------------------------------------------------------------------
// Hidden means nonexistent

#[test]
fn a_clinician_asking_for_another_clinicians_clients_note_gets_the_same_404_as_a_nonexistent_id() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let (alice, bob) = (hire(&owner, "clinician"), hire(&owner, "clinician"));
    let alice = sign_in(base, &alice);
    let bob_id = bob.id.clone();
    let bob = sign_in(base, &bob);

    let client = alice.create_client("Quinn Example");
    let progress = alice.create_note(&client, "progress", "Slept better this week.");
    let private = alice.create_note(&client, "psychotherapy", "Process notes.");
    alice
        .get(&format!("/api/v1/notes/{progress}"))
        .expect_json(200);

    let nobody = a_nonexistent_id();
    for (what, note) in [
        ("progress note", &progress),
        ("psychotherapy note", &private),
    ] {
        assert_indistinguishable(
            &format!("GET another clinician's client's {what}"),
            &bob.get(&format!("/api/v1/notes/{note}")),
            &bob.get(&format!("/api/v1/notes/{nobody}")),
        );
    }
    for path in ["", "/notes", "/care-team"] {
        assert_indistinguishable(
            &format!("GET /api/v1/clients/{{id}}{path}"),
            &bob.get(&format!("/api/v1/clients/{client}{path}")),
            &bob.get(&format!("/api/v1/clients/{nobody}{path}")),
        );
    }
    let note = json!({"kind": "progress", "body": "Should not be written."});
    assert_indistinguishable(
        "POST a note",
        &bob.post(&format!("/api/v1/clients/{client}/notes"), &note),
        &bob.post(&format!("/api/v1/clients/{nobody}/notes"), &note),
    );
    assert_indistinguishable(
        "POST share-for-supervision",
        &bob.post_empty(&format!("/api/v1/clients/{client}/share-for-supervision")),
        &bob.post_empty(&format!("/api/v1/clients/{nobody}/share-for-supervision")),
    );

    assert!(
        !bob.listed_client_ids().contains(&client),
        "a client off the care team is absent from the listing"
    );
    assert_eq!(
        alice.listed_note_ids(&client).len(),
        2,
        "the refused note was not written"
    );
    let denied = owner.audit_events(&format!("action=access.denied&actor={bob_id}"));
    assert!(
        denied
            .iter()
            .any(|e| e["client"] == json!(client) && e["outcome"] == "denied"),
        "the refused reads are audited: {denied:?}"
    );
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Self-escalation

#[test]
fn self_escalation_is_refused_and_audited() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let owner_id = id_of(&owner.whoami());
    let casey = hire(&owner, "clinician");
    let session = sign_in(base, &casey);
    let client = owner.create_client("Robin Client");

    // A clinician may not make themself owner, nor join another's client's care team (that
    // client is invisible to them, so the refusal looks like a nonexistent id)...
    session
        .put(
            &format!("/api/v1/staff/{}/role", casey.id),
            &json!({"role": "owner"}),
        )
        .expect_problem(403);
    for body in [
        json!({"user": casey.id}),
        json!({"user": casey.id, "primary": true}),
    ] {
        session
            .post(&format!("/api/v1/clients/{client}/care-team"), &body)
            .expect_problem(404);
    }
    // ...and the owner may not change their own role either.
    owner
        .put(
            &format!("/api/v1/staff/{owner_id}/role"),
            &json!({"role": "clinician"}),
        )
        .expect_problem(403);

    // Nothing changed.
    assert_eq!(session.whoami()["role"], "clinician");
    assert_eq!(owner.whoami()["role"], "owner");
    let team = owner
        .get(&format!("/api/v1/clients/{client}/care-team"))
        .expect_json(200);
    let members: Vec<&str> = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"].as_str().unwrap())
        .collect();
    assert_eq!(members, [owner_id.as_str()], "care team: {team}");
    assert_eq!(
        owner.audit_events("action=user.set_role"),
        Vec::<Value>::new()
    );
    assert_eq!(
        owner.audit_events("action=care_team.add"),
        Vec::<Value>::new()
    );

    // Every refusal is in the audit log, as a denial by whoever tried.
    let mut denied: Vec<(String, String, String)> = owner
        .audit_events("action=access.denied")
        .iter()
        .inspect(|e| assert_eq!(e["outcome"], "denied", "{e}"))
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default().to_string(),
                e["role"].as_str().unwrap_or_default().to_string(),
                e["resource_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    denied.sort();
    let mut expected = vec![
        (casey.id.clone(), "clinician".into(), "ManageUsers".into()),
        // The self-adds: denied as access to a client that is invisible to them.
        (casey.id.clone(), "clinician".into(), client.clone()),
        (casey.id.clone(), "clinician".into(), client.clone()),
        (owner_id.clone(), "owner".into(), "ManageUsers".into()),
    ];
    expected.sort();
    assert_eq!(denied, expected);

    // Someone else may change the role (which ends the account's sessions).
    owner
        .put(
            &format!("/api/v1/staff/{}/role", casey.id),
            &json!({"role": "supervisor"}),
        )
        .expect_status(204);
    session.get("/api/v1/auth/whoami").expect_problem(401);
    assert_eq!(staff_entry(&owner, &casey.id)["role"], "supervisor");
    assert_eq!(owner.audit_events("action=user.set_role").len(), 1);
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Sign-in

#[test]
fn a_replayed_totp_code_is_refused() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let sam = hire(&owner, "clinician");
    let enrolment = sign_in_full(base, &sam);
    assert_eq!(enrolment.login["step"], "enroll");
    assert_eq!(staff_entry(&owner, &sam.id)["mfa_enrolled"], true);
    let used = sam.codes_used.borrow().last().unwrap().clone();

    // The enrolment code, again, on a fresh password step: refused, no session.
    let (challenge, login) = password_step(base, &sam);
    assert_eq!(login["step"], "totp");
    let replay = verify_code(base, &challenge, &used);
    replay.resp.expect_problem(401);
    assert_eq!(replay.header("set-cookie"), None, "no session on a replay");

    // A fresh code on the same challenge works, and cannot be replayed in turn.
    let fresh = sam.next_totp_code();
    assert_ne!(fresh, used);
    verify_code(base, &challenge, &fresh).resp.expect_json(200);
    let (challenge, _) = password_step(base, &sam);
    verify_code(base, &challenge, &fresh)
        .resp
        .expect_problem(401);

    // A recovery code works once too.
    let recovery = sam.take_recovery_code();
    verify_recovery_code(base, &challenge, &recovery)
        .resp
        .expect_json(200);
    let (challenge, _) = password_step(base, &sam);
    verify_recovery_code(base, &challenge, &recovery)
        .resp
        .expect_problem(401);
    // A used challenge is gone.
    verify_code(base, &enrolment.challenge, &sam.next_totp_code())
        .resp
        .expect_problem(401);

    let fails = owner.audit_events(&format!("action=auth.fail&actor={}", sam.id));
    assert_eq!(
        fails.len(),
        3,
        "each refused code for the account is audited: {fails:?}"
    );
    let _ = server.stop();
}

#[test]
fn five_failed_sign_ins_lock_the_account() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let lee = hire(&owner, "biller");
    sign_in(base, &lee);

    let wrong: Vec<String> = (0..5)
        .map(|i| format!("WRONGPW{i}x{}", random_hex(16)))
        .collect();
    for w in &wrong {
        begin_login(base, &lee.email, w).resp.expect_problem(401);
    }
    // Locked: even the right password is turned away, with a time to come back.
    let locked = begin_login(base, &lee.email, &lee.password());
    let problem = locked.resp.expect_problem(429);
    let retry: u64 = locked
        .header("retry-after")
        .unwrap_or_else(|| panic!("429 without Retry-After: {:?}", locked.headers))
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    assert_eq!(problem["retry_after"], json!(retry), "{problem}");

    let fails = owner.audit_events(&format!("action=auth.fail&actor={}", lee.id));
    assert_eq!(fails.len(), 5, "{fails:?}");
    assert!(fails.iter().all(|e| e["outcome"] == "denied"), "{fails:?}");
    assert_eq!(
        owner
            .audit_events(&format!("action=auth.locked&actor={}", lee.id))
            .len(),
        1
    );

    let mut secrets = wrong.clone();
    secrets.push(lee.password());
    let audit = owner.get("/api/v1/audit?limit=1000").expect_json(200);
    assert_no_hits(
        "passwords in the audit log",
        &scan("GET /api/v1/audit", audit.to_string().as_bytes(), &secrets),
    );
    let logs = server.stop();
    let mut hits = scan("stdout", &logs.stdout, &secrets);
    hits.extend(scan("stderr", &logs.stderr, &secrets));
    assert_no_hits("passwords in the server's output", &hits);
}

#[test]
fn twenty_failed_sign_ins_from_one_address_are_throttled() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let kit = hire(&owner, "front_desk");

    // Unknown e-mail and wrong password look the same.
    let unknown = begin_login(base, "nobody@example.org", "some-long-password-0");
    let wrong = begin_login(base, &kit.email, "some-long-password-0");
    unknown.resp.expect_problem(401);
    assert_eq!(
        (&unknown.resp.body, &unknown.resp.content_type),
        (&wrong.resp.body, &wrong.resp.content_type),
        "a wrong password must not reveal that the account exists"
    );
    for i in 2..20 {
        begin_login(
            base,
            &format!("nobody{i}@example.org"),
            "some-long-password-0",
        )
        .resp
        .expect_problem(401);
    }
    // The 21st try from this address waits, whatever it is.
    let throttled = begin_login(base, &kit.email, &kit.password());
    throttled.resp.expect_problem(429);
    let retry: u64 = throttled
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=15 * 60 + 1).contains(&retry), "Retry-After {retry}");
    verify_code(base, "cfd_not-a-challenge", "123456")
        .resp
        .expect_problem(429);
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Invitations

#[test]
fn an_expired_invitation_is_refused() {
    let (practice, server, owner) = start();
    let base = &server.base_url;
    let kim = invite(&owner, "front_desk");
    expire_invitations_of(&practice.data_dir, &kim.id);
    accept_invitation(base, &kim.invitation_token, &kim.password()).expect_problem(410);
    begin_login(base, &kim.email, &kim.password())
        .resp
        .expect_problem(401);
    assert_eq!(staff_entry(&owner, &kim.id)["status"], "invited");
    let _ = server.stop();
}

#[test]
fn an_invitation_works_only_once() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let kim = hire(&owner, "front_desk");
    assert_eq!(staff_entry(&owner, &kim.id)["status"], "active");
    let other = fresh_password();
    let again = accept_invitation(base, &kim.invitation_token, &other);
    assert!(
        again.problem_mismatch(404).is_none() || again.problem_mismatch(410).is_none(),
        "a used invitation: expected a 404 or 410 problem, got {} {:?}",
        again.status,
        again.body
    );
    begin_login(base, &kim.email, &other)
        .resp
        .expect_problem(401);
    password_step(base, &kim);
    let _ = server.stop();
}

#[test]
fn a_refused_password_leaves_the_invitation_usable() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let kim = invite(&owner, "front_desk");
    accept_invitation(base, &kim.invitation_token, "password1234").expect_problem(422);
    let r = accept_invitation(base, &kim.invitation_token, &kim.password());
    r.expect_json(201);
    assert_eq!(created_id(&r), kim.id);
    assert_eq!(staff_entry(&owner, &kim.id)["status"], "active");
    password_step(base, &kim);
    let _ = server.stop();
}

#[test]
fn an_invitation_refuses_a_weak_password_and_names_the_field() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    // Common, too short, containing the name, containing the e-mail's local part. One
    // invitation each: see `a_refused_password_leaves_the_invitation_usable`.
    let kinds: [fn(&Staff) -> String; 4] = [
        |_| "password1234".into(),
        |_| "short-1".into(),
        |_| format!("robin-{}-{}", random_hex(6), random_hex(6)),
        |s| format!("{}-{}", s.email.split('@').next().unwrap(), random_hex(8)),
    ];
    for kind in kinds {
        let staff = invite(&owner, "biller");
        let password = kind(&staff);
        let p = accept_invitation(base, &staff.invitation_token, &password).expect_problem(422);
        assert_eq!(p["field"], "password", "{password:?}: {p}");
        assert!(
            !p.to_string().contains(&password),
            "the problem must not quote the password: {p}"
        );
        assert_eq!(staff_entry(&owner, &staff.id)["status"], "invited");
    }
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Deactivation and tokens

#[test]
fn a_deactivated_users_live_session_stops_working_on_its_next_request() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let pat = hire(&owner, "clinician");
    let session = sign_in(base, &pat);
    let token = Caller::bearer(base, &session.create_token("nightly script", "write"));
    let client = session.create_client("Before Deactivation");
    token
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);

    owner
        .post_empty(&format!("/api/v1/staff/{}/deactivate", pat.id))
        .expect_status(204);

    session
        .get(&format!("/api/v1/clients/{client}"))
        .expect_problem(401);
    session.get("/api/v1/auth/whoami").expect_problem(401);
    token
        .get(&format!("/api/v1/clients/{client}"))
        .expect_problem(401);
    token
        .post("/api/v1/clients", &sample_client("After Deactivation"))
        .expect_problem(401);
    begin_login(base, &pat.email, &pat.password())
        .resp
        .expect_problem(401);
    assert_eq!(staff_entry(&owner, &pat.id)["status"], "deactivated");
    assert_eq!(owner.listed_client_ids(), [client], "nothing was added");
    let _ = server.stop();
}

#[test]
fn a_read_scope_token_cannot_write_and_a_revoked_token_stops_working() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let ray = hire(&owner, "clinician");
    let session = sign_in(base, &ray);
    let read_text = session.create_token("report", "read");
    let write_text = session.create_token("import", "write");
    let (read, write) = (
        Caller::bearer(base, &read_text),
        Caller::bearer(base, &write_text),
    );

    let client = write.create_client("Token Written");
    read.get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    read.post("/api/v1/clients", &sample_client("Read Token Write"))
        .expect_problem(403);
    read.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({"kind": "progress", "body": "no"}),
    )
    .expect_problem(403);
    read.post(
        "/api/v1/tokens",
        &json!({"label": "wider", "scope": "write"}),
    )
    .expect_problem(403);
    write.get("/api/v1/staff").expect_problem(403);
    assert_eq!(session.listed_client_ids(), std::slice::from_ref(&client));

    let listed = session.get("/api/v1/tokens");
    let v = listed.expect_json(200);
    let tokens = v["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{v}");
    for secret in [&read_text, &write_text] {
        assert!(!listed.body.contains(secret.as_str()), "token text listed");
    }
    let read_id = tokens
        .iter()
        .find(|t| t["label"] == "report")
        .map(id_of)
        .unwrap();
    assert_eq!(
        tokens.iter().find(|t| t["label"] == "report").unwrap()["scope"],
        "read"
    );
    session
        .delete(&format!("/api/v1/tokens/{read_id}"))
        .expect_status(204);
    read.get(&format!("/api/v1/clients/{client}"))
        .expect_problem(401);
    write
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// The policy, role by role

#[test]
fn a_biller_sees_demographics_but_gets_403_on_a_note_of_a_client_they_can_list() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let client = owner.create_client("Billing Client");
    let note = owner.create_note(&client, "progress", "Clinical content.");
    let biller = sign_in(base, &hire(&owner, "biller"));

    assert!(biller.listed_client_ids().contains(&client));
    biller
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    biller
        .get(&format!("/api/v1/notes/{note}"))
        .expect_problem(403);
    assert_sees_no_notes("biller", &biller, &client);
    biller
        .post(
            &format!("/api/v1/clients/{client}/notes"),
            &json!({"kind": "progress", "body": "no"}),
        )
        .expect_problem(403);
    biller
        .post("/api/v1/clients", &sample_client("Biller Added"))
        .expect_problem(403);
    let _ = server.stop();
}

#[test]
fn front_desk_can_add_a_client_but_not_read_notes() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let existing = owner.create_client("Existing Client");
    let note = owner.create_note(&existing, "progress", "Clinical content.");
    let desk = sign_in(base, &hire(&owner, "front_desk"));

    let added = desk.create_client("Walk In");
    desk.get(&format!("/api/v1/clients/{added}"))
        .expect_json(200);
    let mut both = vec![existing.clone(), added.clone()];
    both.sort();
    assert_eq!(desk.listed_client_ids(), both);
    let team = desk
        .get(&format!("/api/v1/clients/{added}/care-team"))
        .expect_json(200);
    assert_eq!(
        team["members"],
        json!([]),
        "front desk does not join the care team"
    );

    desk.get(&format!("/api/v1/notes/{note}"))
        .expect_problem(403);
    assert_sees_no_notes("front desk", &desk, &existing);
    desk.post(
        &format!("/api/v1/clients/{added}/notes"),
        &json!({"kind": "progress", "body": "no"}),
    )
    .expect_problem(403);
    let _ = server.stop();
}

#[test]
fn a_virtual_assistant_is_refused_client_records_with_or_without_an_nda() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let client = owner.create_client("Scheduling Client");
    let va = hire(&owner, "virtual_assistant");
    let session = sign_in(base, &va);

    // No NDA on file.
    assert_eq!(staff_entry(&owner, &va.id)["nda_on_file"], false);
    session
        .get(&format!("/api/v1/clients/{client}"))
        .expect_problem(403);
    assert_eq!(session.listed_client_ids(), Vec::<String>::new());
    session
        .post("/api/v1/clients", &sample_client("Assistant Added"))
        .expect_problem(403);

    // The terms are checked, then recorded.
    let terms = format!("/api/v1/staff/{}/assistant-terms", va.id);
    owner
        .put(
            &terms,
            &json!({"nda_on_file": true, "window_start": "2100-01-01T00:00:00Z",
                    "window_end": "2000-01-01T00:00:00Z"}),
        )
        .expect_problem(422);
    owner
        .put(
            &terms,
            &json!({"nda_on_file": true, "window_start": "2000-01-01T00:00:00Z",
                    "window_end": "2100-01-01T00:00:00Z"}),
        )
        .expect_status(204);
    assert_eq!(staff_entry(&owner, &va.id)["nda_on_file"], true);

    // With an NDA and an open window: scheduling only, still no demographics.
    session
        .get(&format!("/api/v1/clients/{client}"))
        .expect_problem(403);
    assert_sees_no_notes("virtual assistant", &session, &client);
    let _ = server.stop();
}

#[test]
fn a_restricted_client_is_absent_from_the_owners_and_front_desks_listings_but_visible_to_its_care_team()
 {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let clinician = sign_in(base, &hire(&owner, "clinician"));
    let desk = sign_in(base, &hire(&owner, "front_desk"));
    let hidden = clinician.create_client("Colleague Who Is A Client");
    let open = clinician.create_client("Ordinary Client");
    clinician
        .put(
            &format!("/api/v1/clients/{hidden}/restricted"),
            &json!({"restricted": true}),
        )
        .expect_status(204);

    let nobody = a_nonexistent_id();
    for (who, caller) in [("owner", &owner), ("front desk", &desk)] {
        let listed = caller.listed_client_ids();
        assert!(listed.contains(&open), "{who} lists the ordinary client");
        assert!(
            !listed.contains(&hidden),
            "{who} must not list the restricted client"
        );
        assert_indistinguishable(
            &format!("{who} reading the restricted client"),
            &caller.get(&format!("/api/v1/clients/{hidden}")),
            &caller.get(&format!("/api/v1/clients/{nobody}")),
        );
    }
    let mut both = vec![hidden.clone(), open];
    both.sort();
    assert_eq!(clinician.listed_client_ids(), both);
    clinician
        .get(&format!("/api/v1/clients/{hidden}"))
        .expect_json(200);
    let _ = server.stop();
}

#[test]
fn a_psychotherapy_note_is_readable_by_its_author_alone() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let (ann, ben) = (hire(&owner, "clinician"), hire(&owner, "clinician"));
    let ann = sign_in(base, &ann);
    let ben_id = ben.id.clone();
    let ben = sign_in(base, &ben);
    let client = ann.create_client("Shared Care");
    ann.post(
        &format!("/api/v1/clients/{client}/care-team"),
        &json!({"user": ben_id}),
    )
    .expect_status(201);
    let progress = ann.create_note(&client, "progress", "For the whole team.");
    let private = ann.create_note(&client, "psychotherapy", "Ann's process notes.");

    let mine = ann
        .get(&format!("/api/v1/notes/{private}"))
        .expect_json(200);
    assert_eq!(mine["body"], "Ann's process notes.");
    ben.get(&format!("/api/v1/notes/{progress}"))
        .expect_json(200);
    assert_kept_from(
        "a colleague on the team reading the psychotherapy note",
        &ben.get(&format!("/api/v1/notes/{private}")),
    );
    assert_eq!(
        ben.listed_note_ids(&client),
        std::slice::from_ref(&progress)
    );
    assert_kept_from(
        "the owner reading a psychotherapy note",
        &owner.get(&format!("/api/v1/notes/{private}")),
    );

    // The colleague keeps their own, just as private.
    let bens = ben.create_note(&client, "psychotherapy", "Ben's process notes.");
    ben.get(&format!("/api/v1/notes/{bens}")).expect_json(200);
    assert_kept_from(
        "the other author reading it",
        &ann.get(&format!("/api/v1/notes/{bens}")),
    );
    let mut anns = ann.listed_note_ids(&client);
    anns.sort();
    let mut expected = vec![progress, private];
    expected.sort();
    assert_eq!(anns, expected);
    let _ = server.stop();
}

#[test]
fn a_trainee_without_a_supervisor_is_refused_until_one_is_assigned() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let owner_id = id_of(&owner.whoami());
    let supervisor = hire(&owner, "supervisor");
    let trainee = hire(&owner, "trainee");
    let session = sign_in(base, &trainee);
    let client = owner.create_client("Training Case");
    owner
        .post(
            &format!("/api/v1/clients/{client}/care-team"),
            &json!({"user": trainee.id}),
        )
        .expect_status(201);

    let refused = session
        .get(&format!("/api/v1/clients/{client}"))
        .expect_problem(403);
    assert!(
        refused["detail"].as_str().unwrap().contains("supervisor"),
        "the refusal says why: {refused}"
    );
    session
        .post(
            &format!("/api/v1/clients/{client}/notes"),
            &json!({"kind": "progress", "body": "no"}),
        )
        .expect_problem(403);

    let assign = format!("/api/v1/staff/{}/supervisor", trainee.id);
    let p = owner
        .put(&assign, &json!({"supervisor": owner_id}))
        .expect_problem(422);
    assert_eq!(p["field"], "supervisor", "{p}");
    owner
        .put(&assign, &json!({"supervisor": supervisor.id}))
        .expect_status(204);
    assert_eq!(
        staff_entry(&owner, &trainee.id)["supervisor"],
        json!(supervisor.id)
    );

    session
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    let note = session.create_note(&client, "progress", "Supervised work.");
    session
        .get(&format!("/api/v1/notes/{note}"))
        .expect_json(200);
    let _ = server.stop();
}

#[test]
fn a_supervisor_reads_a_shared_clients_progress_notes_but_not_psychotherapy_notes() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let sup = hire(&owner, "supervisor");
    let clin = hire(&owner, "clinician");
    owner
        .put(
            &format!("/api/v1/staff/{}/supervisor", clin.id),
            &json!({"supervisor": sup.id}),
        )
        .expect_status(204);
    let s = sign_in(base, &sup);
    let c = sign_in(base, &clin);
    let client = c.create_client("Supervision Case");
    let progress = c.create_note(&client, "progress", "Progress.");
    let private = c.create_note(&client, "psychotherapy", "Process.");

    let nobody = a_nonexistent_id();
    assert_indistinguishable(
        "the supervisor before anything is shared",
        &s.get(&format!("/api/v1/notes/{progress}")),
        &s.get(&format!("/api/v1/notes/{nobody}")),
    );

    let shared = c
        .post_empty(&format!("/api/v1/clients/{client}/share-for-supervision"))
        .expect_json(201);
    assert_eq!(shared["supervisor"], json!(sup.id));

    s.get(&format!("/api/v1/clients/{client}")).expect_json(200);
    let read = s.get(&format!("/api/v1/notes/{progress}")).expect_json(200);
    assert_eq!(read["body"], "Progress.");
    assert_kept_from(
        "the supervisor reading the psychotherapy note",
        &s.get(&format!("/api/v1/notes/{private}")),
    );
    assert_eq!(s.listed_note_ids(&client), [progress]);
    s.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({"kind": "progress", "body": "no"}),
    )
    .expect_problem(403);
    let _ = server.stop();
}

#[test]
fn break_glass_opens_a_record_read_only_for_an_emergency_flags_it_and_brings_it_to_the_privacy_officer()
 {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let client = owner.create_client("Crisis Client");
    let progress = owner.create_note(&client, "progress", "History.");
    let private = owner.create_note(&client, "psychotherapy", "Owner's process notes.");
    let on_call = hire(&owner, "clinician");
    let officer = hire(&owner, "privacy_officer");
    let er = sign_in(base, &on_call);
    let po = sign_in(base, &officer);

    let nobody = a_nonexistent_id();
    assert_indistinguishable(
        "off the care team",
        &er.get(&format!("/api/v1/clients/{client}")),
        &er.get(&format!("/api/v1/clients/{nobody}")),
    );
    let glass = format!("/api/v1/clients/{client}/break-glass");
    let p = er
        .post(&glass, &json!({"reason": "urgent"}))
        .expect_problem(422);
    assert_eq!(p["field"], "reason", "{p}");
    po.post(
        &glass,
        &json!({"reason": "The privacy officer wants a look."}),
    )
    .expect_problem(403);

    let reason = format!(
        "Client phoned the crisis line; on-call needs history {}",
        random_hex(6)
    );
    let grant = er.post(&glass, &json!({"reason": reason})).expect_json(201);
    assert!(grant["expires_at"].is_string(), "{grant}");

    // Only for the emergency purpose...
    er.get(&format!("/api/v1/clients/{client}"))
        .expect_problem(403);
    let em = er.for_purpose("emergency");
    em.get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    em.get(&format!("/api/v1/notes/{progress}"))
        .expect_json(200);
    // ...never psychotherapy notes, never a write.
    em.get(&format!("/api/v1/notes/{private}"))
        .expect_problem(403);
    em.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({"kind": "progress", "body": "no"}),
    )
    .expect_problem(403);

    // Flagged in the audit log.
    let events = owner.audit_events(&format!("actor={}", on_call.id));
    let allowed = |action: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["action"] == action && e["outcome"] == "allowed")
            .collect()
    };
    for action in ["client.read", "note.read", "break_glass"] {
        let found = allowed(action);
        assert_eq!(found.len(), 1, "one allowed {action}: {events:?}");
        assert_eq!(
            found[0]["flagged"], true,
            "{action} is flagged: {}",
            found[0]
        );
        assert_eq!(found[0]["purpose"], "emergency", "{}", found[0]);
        assert_eq!(found[0]["client"], json!(client), "{}", found[0]);
    }
    let everything = owner.get("/api/v1/audit?limit=1000").body;
    assert!(
        !everything.contains(&reason),
        "the reason stays out of audit events"
    );

    // Brought to the privacy officer, reason and all.
    er.get("/api/v1/break-glass").expect_problem(403);
    let list = po
        .get("/api/v1/break-glass?unreviewed=true")
        .expect_json(200);
    let grants = list["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{list}");
    assert_eq!(grants[0]["user"], json!(on_call.id));
    assert_eq!(grants[0]["client"], json!(client));
    assert_eq!(grants[0]["reason"], json!(reason));
    let id = id_of(&grants[0]);
    po.post_empty(&format!("/api/v1/break-glass/{id}/review"))
        .expect_status(204);
    let list = po
        .get("/api/v1/break-glass?unreviewed=true")
        .expect_json(200);
    assert_eq!(list["grants"], json!([]));
    let all = po
        .get("/api/v1/break-glass?unreviewed=false")
        .expect_json(200);
    assert_eq!(all["grants"][0]["reviewed_by"], json!(officer.id), "{all}");
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Sessions

fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn the_session_cookie_is_host_prefixed_secure_http_only_and_same_site_strict() {
    let (practice, server, owner) = start();
    let jo = hire(&owner, "clinician");
    let signed = sign_in_full(&server.base_url, &jo);
    let (name, value) = signed.cookie.split_once('=').unwrap();
    assert_eq!(name, "__Host-confidant_session", "{}", signed.set_cookie);
    assert!(
        value.len() >= 40,
        "a long random value: {}",
        signed.set_cookie
    );
    let attrs = cookie_attributes(&signed.set_cookie);
    for want in ["secure", "httponly", "samesite=strict", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == want),
            "{want} missing: {}",
            signed.set_cookie
        );
    }
    assert!(
        !attrs.iter().any(|a| a.starts_with("domain")),
        "__Host- cookies carry no Domain: {}",
        signed.set_cookie
    );
    let me = signed.caller.whoami();
    assert_eq!(
        (id_of(&me), me["role"].clone()),
        (jo.id.clone(), json!("clinician"))
    );
    // The value under another name is no session.
    Caller::session(
        &server.base_url,
        &format!("confidant_session={value}"),
        &signed.csrf,
    )
    .get("/api/v1/auth/whoami")
    .expect_problem(401);
    let _ = server.stop();

    // Development on loopback: the same cookie without Secure (and so without the prefix).
    let dev = Server::start(
        &practice.data_dir,
        &practice.unseal(),
        &args!["--insecure-dev-cookies", "--idle-timeout-mins", "30"],
        &[],
    );
    let signed = sign_in_with_recovery_code(&dev.base_url, &jo);
    assert!(
        signed.cookie.starts_with("confidant_session="),
        "{}",
        signed.set_cookie
    );
    let attrs = cookie_attributes(&signed.set_cookie);
    for want in ["httponly", "samesite=strict", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == want),
            "{want}: {}",
            signed.set_cookie
        );
    }
    assert!(
        !attrs.iter().any(|a| a == "secure"),
        "{}",
        signed.set_cookie
    );
    signed.caller.whoami();
    let _ = dev.stop();
}

#[test]
fn a_session_needs_its_csrf_token_on_every_change() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let mo = hire(&owner, "clinician");
    let session = sign_in(base, &mo);
    let other = sign_in_with_recovery_code(base, &mo);

    let csrf_refusal = |what: &str, r: Resp| {
        let p = r.expect_problem(403);
        assert_eq!(p["type"], "urn:confidant:problem:csrf", "{what}: {p}");
    };
    let new_client = sample_client("Csrf Client");
    csrf_refusal(
        "POST without the token",
        session.without_csrf().post("/api/v1/clients", &new_client),
    );
    csrf_refusal(
        "POST with a made-up token",
        session
            .with_csrf("cfd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .post("/api/v1/clients", &new_client),
    );
    csrf_refusal(
        "POST with another session's token",
        session
            .with_csrf(&other.csrf)
            .post("/api/v1/clients", &new_client),
    );
    // Reads need none.
    assert_eq!(
        session.without_csrf().listed_client_ids(),
        Vec::<String>::new(),
        "nothing was created"
    );
    let client = session.create_client("Csrf Client");

    let token = session.create_token("csrf", "read");
    let tokens = session.get("/api/v1/tokens").expect_json(200);
    let token_id = id_of(&tokens["tokens"][0]);
    csrf_refusal(
        "DELETE without the token",
        session
            .without_csrf()
            .delete(&format!("/api/v1/tokens/{token_id}")),
    );
    csrf_refusal(
        "PUT without the token",
        session.without_csrf().put(
            &format!("/api/v1/clients/{client}/restricted"),
            &json!({"restricted": true}),
        ),
    );
    csrf_refusal(
        "logout without the token",
        session.without_csrf().post_empty("/api/v1/auth/logout"),
    );
    session.whoami();
    Caller::bearer(base, &token)
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    // Bearer tokens need none.
    let writer = Caller::bearer(base, &session.create_token("writer", "write"));
    writer.create_client("Token Client");
    let _ = server.stop();
}

#[test]
fn changing_the_password_ends_every_session_of_the_account() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let ola = hire(&owner, "clinician");
    let first = sign_in(base, &ola);
    let second = sign_in_with_recovery_code(base, &ola).caller;
    let old = ola.password();
    let new = fresh_password();
    let change = "/api/v1/auth/password";

    first
        .post(change, &json!({"current": fresh_password(), "new": new}))
        .expect_problem(401);
    let p = first
        .post(change, &json!({"current": old, "new": "password1234"}))
        .expect_problem(422);
    assert_eq!(p["field"], "password", "{p}");
    first.whoami();
    second.whoami();

    let done = first.send("POST", change, Some(&json!({"current": old, "new": new})));
    done.resp.expect_status(204);
    first.get("/api/v1/auth/whoami").expect_problem(401);
    second.get("/api/v1/auth/whoami").expect_problem(401);

    begin_login(base, &ola.email, &old).resp.expect_problem(401);
    *ola.password.borrow_mut() = new;
    sign_in_with_recovery_code(base, &ola).caller.whoami();
    assert_eq!(
        owner
            .audit_events(&format!("action=user.set_password&actor={}", ola.id))
            .iter()
            .filter(|e| e["outcome"] == "allowed")
            .count(),
        1
    );
    let _ = server.stop();
}

#[test]
fn logging_out_ends_the_session() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let liv = hire(&owner, "front_desk");
    let first = sign_in(base, &liv);
    let second = sign_in_with_recovery_code(base, &liv).caller;

    let out = first.send("POST", "/api/v1/auth/logout", None);
    out.resp.expect_status(204);
    let cleared = out.header("set-cookie").expect("logout clears the cookie");
    assert!(
        cleared.starts_with("__Host-confidant_session=;")
            && cookie_attributes(cleared).contains(&"max-age=0".to_string()),
        "{cleared}"
    );
    first.get("/api/v1/auth/whoami").expect_problem(401);
    first
        .post("/api/v1/clients", &sample_client("After Logout"))
        .expect_problem(401);
    second.whoami();
    assert_eq!(
        owner
            .audit_events(&format!("action=auth.logout&actor={}", liv.id))
            .len(),
        1
    );
    let _ = server.stop();
}

// ---------------------------------------------------------------------------------------------
// Found while writing the above (failing at the time of writing; not committed)

#[test]
fn a_hidden_client_cannot_be_told_apart_from_a_nonexistent_one_by_trying_to_administer_it() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let (ann, ben) = (hire(&owner, "clinician"), hire(&owner, "clinician"));
    let desk = sign_in(base, &hire(&owner, "front_desk"));
    let ann_session = sign_in(base, &ann);
    let ben_session = sign_in(base, &ben);
    let hidden = ann_session.create_client("Restricted Colleague");
    ann_session
        .put(
            &format!("/api/v1/clients/{hidden}/restricted"),
            &json!({"restricted": true}),
        )
        .expect_status(204);

    let nobody = a_nonexistent_id();
    let attempts: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", "care-team".into(), Some(json!({"user": ann.id}))),
        ("DELETE", format!("care-team/{}", ann.id), None),
        (
            "PUT",
            "restricted".into(),
            Some(json!({"restricted": false})),
        ),
    ];
    for (who, caller) in [
        ("clinician off the team", &ben_session),
        ("front desk", &desk),
    ] {
        for (method, tail, body) in &attempts {
            assert_indistinguishable(
                &format!("{who}: {method} /api/v1/clients/{{id}}/{tail}"),
                &caller
                    .send(
                        method,
                        &format!("/api/v1/clients/{hidden}/{tail}"),
                        body.as_ref(),
                    )
                    .resp,
                &caller
                    .send(
                        method,
                        &format!("/api/v1/clients/{nobody}/{tail}"),
                        body.as_ref(),
                    )
                    .resp,
            );
        }
    }
    let _ = server.stop();
}

#[test]
fn a_read_scope_token_cannot_break_the_glass() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let client = owner.create_client("Emergency Client");
    let session = sign_in(base, &hire(&owner, "clinician"));
    let read = Caller::bearer(base, &session.create_token("read only", "read"));
    read.post(
        &format!("/api/v1/clients/{client}/break-glass"),
        &json!({"reason": "A script should not open records in an emergency."}),
    )
    .expect_problem(403);
    assert_eq!(
        owner
            .get("/api/v1/break-glass?unreviewed=true")
            .expect_json(200)["grants"],
        json!([])
    );
    let _ = server.stop();
}
