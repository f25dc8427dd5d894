//! The note lifecycle end to end against the real `confidant` binary: templates, drafts whose
//! every version is kept, the author's signature (and a supervisor's co-signature for a
//! trainee), addenda as the only correction of a signed note, late entries, and a client's
//! discharge. Every refusal is a clear 4xx problem that writes nothing, and no note text, draft
//! or addendum reaches the data directory in the clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::{Value, json};

/// A clinician signed in, with a client of their own (they become its primary clinician).
fn clinician_with_client(server: &Server, owner: &Caller) -> (Staff, Caller, String) {
    let staff = hire(owner, "clinician");
    let session = sign_in(&server.base_url, &staff);
    let client = session.create_client("Lifecycle Case");
    (staff, session, client)
}

fn soap(subjective: &str, plan: &str) -> Value {
    json!({
        "kind": "progress",
        "template": "soap",
        "sections": {"subjective": subjective, "plan": plan},
    })
}

fn note(caller: &Caller, id: &str) -> Value {
    caller.get(&format!("/api/v1/notes/{id}")).expect_json(200)
}

/// RFC 3339 for `secs` seconds from now (negative: ago).
fn from_now(secs: i64) -> String {
    rfc3339_at(i64::try_from(unix_now()).unwrap() + secs)
}

#[test]
fn a_draft_keeps_every_version_and_signing_locks_it_for_good() {
    let (_practice, server, owner) = start();
    let (staff, me, client) = clinician_with_client(&server, &owner);
    let id = created_id(&me.post(
        &format!("/api/v1/clients/{client}/notes"),
        &soap("slept poorly", "review sleep diary"),
    ));
    let draft = note(&me, &id);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["template"], "soap");
    assert_eq!(draft["sections"]["subjective"], "slept poorly");
    assert_eq!(
        draft["body"],
        "Subjective: slept poorly\n\nPlan: review sleep diary"
    );
    assert_eq!(draft["author"], json!(staff.id));
    assert_eq!(draft["signature"], Value::Null);

    let path = format!("/api/v1/notes/{id}");
    let mut edit = soap("slept better", "continue diary");
    edit.as_object_mut().unwrap().remove("kind");
    edit["version"] = json!(1);
    let v2 = me.put(&path, &edit).expect_json(200);
    assert_eq!(
        (v2["version"].clone(), v2["status"].clone()),
        (json!(2), json!("draft"))
    );
    assert_eq!(v2["sections"]["subjective"], "slept better");
    assert!(v2["updated_at"].is_string());

    // An editor still holding version 1 is refused and changes nothing.
    edit["sections"]["plan"] = json!("stale editor's plan");
    let stale = me.put(&path, &edit).expect_problem(409);
    assert!(
        stale["detail"].as_str().unwrap().contains("reload"),
        "{stale}"
    );
    assert_eq!(note(&me, &id)["sections"]["plan"], "continue diary");

    let versions = me.get(&format!("{path}/versions")).expect_json(200);
    let versions = versions["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["sections"]["subjective"], "slept poorly");

    // Signing names the version read; a stale one is refused.
    me.post(&format!("{path}/sign"), &json!({"version": 1}))
        .expect_problem(409);
    let signed = me
        .post(&format!("{path}/sign"), &json!({"version": 2}))
        .expect_json(200);
    assert_eq!(signed["status"], "locked");
    assert_eq!(signed["signature"]["signed_by"], json!(staff.id));
    let hash = signed["signature"]["content_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));

    // Signed is final: no edit, no second signature, nothing changed.
    edit["version"] = json!(2);
    let refused = me.put(&path, &edit).expect_problem(409);
    assert!(
        refused["detail"].as_str().unwrap().contains("addendum"),
        "{refused}"
    );
    me.post(&format!("{path}/sign"), &json!({"version": 2}))
        .expect_problem(409);
    let after = note(&me, &id);
    assert_eq!(after, signed);
    let versions = me.get(&format!("{path}/versions")).expect_json(200);
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);

    let actions: Vec<String> = owner
        .audit_events(&format!("client={client}"))
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for action in ["note.create", "note.update", "note.history", "note.sign"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[test]
fn only_the_author_edits_or_signs_a_note() {
    let (_practice, server, owner) = start();
    let (_, author, client) = clinician_with_client(&server, &owner);
    let colleague = hire(&owner, "clinician");
    owner
        .post(
            &format!("/api/v1/clients/{client}/care-team"),
            &json!({"user": colleague.id}),
        )
        .expect_status(201);
    let colleague = sign_in(&server.base_url, &colleague);
    let id = author.create_note(&client, "progress", "Author's own words.");
    let path = format!("/api/v1/notes/{id}");
    // The colleague can read the progress note (same care team) but not sign or edit it.
    note(&colleague, &id);
    let p = colleague
        .post(&format!("{path}/sign"), &json!({"version": 1}))
        .expect_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("author"), "{p}");
    colleague
        .put(
            &path,
            &json!({"version": 1, "body": "Someone else's words."}),
        )
        .expect_problem(403);
    let unchanged = note(&author, &id);
    assert_eq!(
        (unchanged["status"].clone(), unchanged["version"].clone()),
        (json!("draft"), json!(1))
    );
    assert_eq!(unchanged["body"], "Author's own words.");
    let denied = owner.audit_events(&format!("client={client}&action=access.denied"));
    assert!(denied.len() >= 2, "each refusal is audited: {denied:?}");
}

#[test]
fn an_addendum_corrects_only_a_signed_note_and_is_signed_itself() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let id = me.create_note(&client, "progress", "Original entry.");
    let addenda = format!("/api/v1/notes/{id}/addenda");
    let p = me
        .post(&addenda, &json!({"body": "Too early."}))
        .expect_problem(409);
    assert!(p["detail"].as_str().unwrap().contains("draft"), "{p}");
    assert_eq!(me.listed_note_ids(&client).len(), 1, "nothing was written");

    me.post(&format!("/api/v1/notes/{id}/sign"), &json!({"version": 1}))
        .expect_json(200);
    let add = created_id(&me.post(
        &addenda,
        &json!({"template": "dap", "sections": {"data": "Correction: dose was 50 mg."}, "sign": true}),
    ));
    let a = note(&me, &add);
    assert_eq!(a["addendum_of"], json!(id));
    assert_eq!(a["kind"], "progress");
    assert_eq!(a["template"], "dap");
    assert_eq!(a["status"], "locked");
    assert!(a["signature"]["content_hash"].is_string());
    assert_eq!(
        note(&me, &id)["body"],
        "Original entry.",
        "the original stands"
    );
    let ids = me.listed_note_ids(&client);
    assert_eq!(ids, vec![id.clone(), add.clone()]);

    // An addendum may itself stay a draft until signed; another addendum can't hang off it.
    let draft = created_id(&me.post(&addenda, &json!({"body": "Second thought."})));
    assert_eq!(note(&me, &draft)["status"], "draft");
    me.post(
        &format!("/api/v1/notes/{draft}/addenda"),
        &json!({"body": "x"}),
    )
    .expect_problem(409);
    assert!(
        owner
            .audit_events(&format!("client={client}&action=note.addendum"))
            .len()
            >= 2
    );
}

#[test]
fn a_trainees_signed_note_waits_for_their_supervisors_cosignature() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let supervisor = hire(&owner, "supervisor");
    let trainee = hire(&owner, "trainee");
    owner
        .put(
            &format!("/api/v1/staff/{}/supervisor", trainee.id),
            &json!({"supervisor": supervisor.id}),
        )
        .expect_status(204);
    let client = owner.create_client("Training Case");
    for who in [&trainee, &supervisor] {
        owner
            .post(
                &format!("/api/v1/clients/{client}/care-team"),
                &json!({"user": who.id}),
            )
            .expect_status(201);
    }
    let (other, _, _) = clinician_with_client(&server, &owner);
    owner
        .post(
            &format!("/api/v1/clients/{client}/care-team"),
            &json!({"user": other.id}),
        )
        .expect_status(201);
    let trainee_s = sign_in(base, &trainee);
    let supervisor_s = sign_in(base, &supervisor);
    let other_s = sign_in(base, &other);

    let id = trainee_s.create_note(&client, "progress", "Supervised session.");
    let cosign = format!("/api/v1/notes/{id}/cosign");
    supervisor_s.post_empty(&cosign).expect_problem(409);
    let signed = trainee_s
        .post(&format!("/api/v1/notes/{id}/sign"), &json!({"version": 1}))
        .expect_json(200);
    assert_eq!(signed["status"], "signed", "awaits co-signature");
    assert_eq!(signed["cosignature"], Value::Null);
    trainee_s
        .put(
            &format!("/api/v1/notes/{id}"),
            &json!({"version": 1, "body": "changed"}),
        )
        .expect_problem(409);
    let p = other_s.post_empty(&cosign).expect_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("supervisor"), "{p}");
    let locked = supervisor_s.post_empty(&cosign).expect_json(200);
    assert_eq!(locked["status"], "locked");
    assert_eq!(locked["cosignature"]["signed_by"], json!(supervisor.id));
    assert_eq!(locked["signature"], signed["signature"]);
    supervisor_s.post_empty(&cosign).expect_problem(409);
}

#[test]
fn a_note_written_more_than_a_day_after_the_session_is_a_late_entry() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let notes = format!("/api/v1/clients/{client}/notes");
    let late = created_id(&me.post(
        &notes,
        &json!({"kind": "progress", "body": "Written up late.", "occurred_at": from_now(-3 * 86_400)}),
    ));
    let on_time = created_id(&me.post(
        &notes,
        &json!({"kind": "progress", "body": "Written up at once.", "occurred_at": from_now(-3600)}),
    ));
    assert_eq!(note(&me, &late)["late_entry"], true);
    assert!(note(&me, &late)["occurred_at"].is_string());
    assert_eq!(note(&me, &on_time)["late_entry"], false);
    // Restating the session time on the draft re-decides it.
    let moved = me
        .put(
            &format!("/api/v1/notes/{on_time}"),
            &json!({"version": 1, "body": "Written up at once.", "occurred_at": from_now(-2 * 86_400)}),
        )
        .expect_json(200);
    assert_eq!(moved["late_entry"], true);
    // An addendum to a late note documents the same session, later still.
    me.post(
        &format!("/api/v1/notes/{late}/sign"),
        &json!({"version": 1}),
    )
    .expect_json(200);
    let add = created_id(&me.post(
        &format!("/api/v1/notes/{late}/addenda"),
        &json!({"body": "Detail remembered."}),
    ));
    assert_eq!(note(&me, &add)["late_entry"], true);
}

#[test]
fn bad_note_input_is_a_clear_4xx_and_writes_nothing() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let notes = format!("/api/v1/clients/{client}/notes");
    let cases = [
        (
            json!({"kind": "progress", "template": "narrative", "body": "x"}),
            422,
            None,
        ),
        (
            json!({"kind": "progress", "template": "soap", "sections": {"Secret-Heading": "x"}}),
            422,
            Some("sections"),
        ),
        (
            json!({"kind": "progress", "template": "birp", "body": "not in sections"}),
            422,
            Some("body"),
        ),
        (
            json!({"kind": "progress", "body": "x", "sections": {"plan": "y"}}),
            422,
            Some("sections"),
        ),
        (
            json!({"kind": "progress", "template": "dap", "sections": {}}),
            422,
            Some("sections"),
        ),
        (
            json!({"kind": "progress", "body": "x".repeat(200_001)}),
            422,
            Some("body"),
        ),
        (
            json!({"kind": "progress", "body": "x", "occurred_at": from_now(7 * 86_400)}),
            422,
            Some("occurred_at"),
        ),
        (
            json!({"kind": "progress", "body": "x", "occurred_at": "last Tuesday"}),
            422,
            Some("occurred_at"),
        ),
        (
            json!({"kind": "progress", "body": "x", "sign": "yes"}),
            422,
            None,
        ),
    ];
    for (body, status, field) in cases {
        let p = me.post(&notes, &body).expect_problem(status);
        if let Some(field) = field {
            assert_eq!(p["field"], field, "{p}");
        }
        assert!(!p.to_string().contains("Secret-Heading"), "{p}");
    }
    assert!(
        me.listed_note_ids(&client).is_empty(),
        "nothing was written"
    );

    let id = me.create_note(&client, "progress", "Kept as it is.");
    let path = format!("/api/v1/notes/{id}");
    me.put(&path, &json!({"body": "no version"}))
        .expect_problem(422);
    me.put(&path, &json!({"version": 1, "body": " "}))
        .expect_problem(422);
    me.post(&format!("{path}/sign"), &json!({}))
        .expect_problem(422);
    let kept = note(&me, &id);
    assert_eq!(
        (kept["version"].clone(), kept["body"].clone()),
        (json!(1), json!("Kept as it is."))
    );
    let versions = me.get(&format!("{path}/versions")).expect_json(200);
    assert!(versions["versions"].as_array().unwrap().is_empty());
}

#[test]
fn a_client_is_discharged_and_readmitted_with_their_record_whole() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let before = me
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    assert_eq!(before["status"], "active");
    assert_eq!(before["discharged_at"], Value::Null);
    let status = format!("/api/v1/clients/{client}/status");
    let out = me
        .put(&status, &json!({"status": "discharged"}))
        .expect_json(200);
    assert_eq!(out["status"], "discharged");
    assert!(out["discharged_at"].is_string());
    let read = me
        .get(&format!("/api/v1/clients/{client}"))
        .expect_json(200);
    assert_eq!(read["status"], "discharged");
    // A late note after discharge is still possible; a new episode of care needs readmission.
    me.create_note(&client, "progress", "Discharge summary.");
    let episodes = format!("/api/v1/clients/{client}/episodes");
    let p = me.post(&episodes, &json!({})).expect_problem(409);
    assert!(p["detail"].as_str().unwrap().contains("readmit"), "{p}");
    assert!(
        me.get(&episodes).expect_json(200)["episodes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    me.put(&status, &json!({"status": "gone"}))
        .expect_problem(422);
    let biller = sign_in(&server.base_url, &hire(&owner, "biller"));
    biller
        .put(&status, &json!({"status": "active"}))
        .expect_problem(403);
    assert_eq!(
        me.get(&format!("/api/v1/clients/{client}"))
            .expect_json(200)["status"],
        "discharged",
        "the refusal changed nothing"
    );
    let back = me
        .put(&status, &json!({"status": "active"}))
        .expect_json(200);
    assert_eq!(back["status"], "active");
    assert_eq!(back["discharged_at"], Value::Null);
    assert_eq!(
        owner
            .audit_events(&format!("client={client}&action=client.status"))
            .len(),
        2
    );
}

#[test]
fn a_signed_note_altered_in_the_database_fails_its_integrity_check() {
    let (practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let id = me.create_note(&client, "progress", "Signed and sealed.");
    me.post(&format!("/api/v1/notes/{id}/sign"), &json!({"version": 1}))
        .expect_json(200);
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let db = rusqlite::Connection::open(practice.data_dir.join("confidant.db")).unwrap();
    // Moving the session date of a signed note is caught by the signature, though every
    // ciphertext still opens.
    let changed = db
        .execute(
            "UPDATE notes SET occurred_at = 0 WHERE id = ?1",
            [uuid.as_bytes().as_slice()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    // The test helpers treat any 5xx as a failure, so ask with a plain client.
    let token = me.create_token("integrity check", "read");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .get(&format!("{}/api/v1/notes/{id}", server.base_url))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    let body = resp.body_mut().read_to_string().unwrap();
    assert!(!body.contains("Signed and sealed"), "{body}");
}

#[test]
fn no_note_text_draft_version_or_addendum_reaches_the_disk() {
    let (practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let markers: Vec<String> = (0..5)
        .map(|i| format!("NoteCanary{i}{}", random_hex(6)))
        .collect();
    let id = created_id(&me.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({
            "kind": "progress",
            "template": "birp",
            "sections": {"behavior": markers[0], "intervention": "cbt", "response": markers[1]},
        }),
    ));
    me.put(
        &format!("/api/v1/notes/{id}"),
        &json!({"version": 1, "template": "soap", "sections": {"subjective": markers[2]}}),
    )
    .expect_json(200);
    me.post(&format!("/api/v1/notes/{id}/sign"), &json!({"version": 2}))
        .expect_json(200);
    let add = created_id(&me.post(
        &format!("/api/v1/notes/{id}/addenda"),
        &json!({"body": markers[3], "sign": true}),
    ));
    let mine = created_id(&me.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({"kind": "psychotherapy", "body": markers[4], "sign": true}),
    ));
    assert_eq!(note(&me, &add)["body"], json!(markers[3]));
    assert_eq!(note(&me, &mine)["status"], "locked");
    let hits = scan_dir(&practice.data_dir, &markers);
    assert_no_hits("data dir", &hits);
    let logs = server.stop();
    let mut all = logs.stdout_text();
    all.push_str(&logs.stderr_text());
    assert_no_hits("server output", &scan("logs", all.as_bytes(), &markers));
}

#[test]
fn an_export_holds_the_record_but_never_a_psychotherapy_note() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let progress = me.create_note(&client, "progress", "Progress entry.");
    me.post(
        &format!("/api/v1/notes/{progress}/sign"),
        &json!({"version": 1}),
    )
    .expect_json(200);
    let addendum = created_id(&me.post(
        &format!("/api/v1/notes/{progress}/addenda"),
        &json!({"body": "Addendum entry.", "sign": true}),
    ));
    let private = created_id(&me.post(
        &format!("/api/v1/clients/{client}/notes"),
        &json!({"kind": "psychotherapy", "body": "Process notes, mine alone.", "sign": true}),
    ));
    let path = format!("/api/v1/clients/{client}/export");
    let reply = me.send("GET", &path, None);
    assert_eq!(reply.resp.status, 200, "{}", reply.resp.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(
        reply
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")),
        "{:?}",
        reply.headers
    );
    let export = reply.resp.json();
    assert_eq!(export["format"], "confidant.record-export.v1");
    assert_eq!(export["client"]["id"], json!(client));
    assert_eq!(export["withheld"], json!(["psychotherapy_notes"]));
    let ids: Vec<&str> = export["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![progress.as_str(), addendum.as_str()]);
    assert!(!reply.resp.body.contains(&private), "no trace of the note");
    assert!(!reply.resp.body.contains("Process notes"));
    for part in ["episodes", "appointments", "assessments", "attachments"] {
        assert!(export[part].is_array(), "{part} in {export}");
    }
    // The author still reads their own psychotherapy note; it just never leaves in an export.
    assert_eq!(note(&me, &private)["kind"], "psychotherapy");
    assert_eq!(
        owner
            .audit_events(&format!("client={client}&action=record.export"))
            .len(),
        1
    );

    // Roles that may not read the clinical record cannot export it.
    let desk = sign_in(&server.base_url, &hire(&owner, "front_desk"));
    desk.get(&path).expect_problem(403);
    // Nor can a clinician holding only an emergency grant.
    let on_call = sign_in(&server.base_url, &hire(&owner, "clinician"));
    let er = on_call.for_purpose("emergency");
    er.post(
        &format!("/api/v1/clients/{client}/break-glass"),
        &json!({"reason": "client in crisis, care team unreachable"}),
    )
    .expect_status(201);
    er.get(&format!("/api/v1/notes/{progress}"))
        .expect_json(200);
    let p = er.get(&path).expect_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("emergency"), "{p}");
    assert_eq!(
        owner
            .audit_events(&format!("client={client}&action=record.export"))
            .len(),
        1,
        "refused exports are not exports"
    );
}

#[test]
fn a_clients_demographics_are_replaced_whole_and_search_follows() {
    let (_practice, server, owner) = start();
    let (_, me, client) = clinician_with_client(&server, &owner);
    let path = format!("/api/v1/clients/{client}");
    let moved = json!({
        "legal_name": "Renamed Person",
        "preferred_name": "Ren",
        "date_of_birth": "1984-02-29",
        "address": "12 New Street, Springfield",
    });
    let got = me.put(&path, &moved).expect_json(200);
    assert_eq!(got["legal_name"], "Renamed Person");
    assert_eq!(got["address"], "12 New Street, Springfield");
    assert_eq!(got["status"], "active");
    assert_eq!(me.get(&path).expect_json(200), got);
    let found = |q: &str| {
        me.get(&format!("/api/v1/search?q={q}")).expect_json(200)["results"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(found("Renamed"), 1);
    assert_eq!(found("Lifecycle"), 0, "the old name is gone from the index");

    // A bad field is refused and nothing changes; so is a role that may not change it.
    let p = me
        .put(
            &path,
            &json!({"legal_name": "X", "date_of_birth": "2999-01-01"}),
        )
        .expect_problem(422);
    assert_eq!(p["field"], "date_of_birth");
    me.put(&path, &json!({"legal_name": "X"}))
        .expect_problem(422);
    let biller = sign_in(&server.base_url, &hire(&owner, "biller"));
    biller
        .put(
            &path,
            &json!({"legal_name": "Y", "date_of_birth": "1990-01-01"}),
        )
        .expect_problem(403);
    assert_eq!(me.get(&path).expect_json(200), got);
    assert_eq!(
        owner
            .audit_events(&format!("client={client}&action=client.update"))
            .len(),
        1
    );
}
