//! "Prepare for consultation" end to end against the real binary: a note de-identified beside
//! the original with every replacement placed, the client's own chart identifiers always
//! removed, the clinician's corrections applied, dates moved by the client's own offset, and
//! sharing recorded as a disclosure of de-identified information with its purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::{Value, json};

const NOTE: &str = "Session with Marisol Quintero on 2026-03-04. Mari said her brother \
                    Tobias drove her; reach her at 555-201-7788 or marisol.q@example.org. \
                    She lives at 41 Larkspur Court, Apt 2. PHQ-9 today: 14. Continue \
                    sertraline 50 mg; next session March 18.";

struct Setup {
    _practice: Practice,
    server: Server,
    owner: Caller,
    me: Caller,
    client: String,
    note: String,
}

fn setup() -> Setup {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let owner = Caller::bearer(&server.base_url, &practice.token);
    let me = sign_in(&server.base_url, &hire(&owner, "clinician"));
    let client = created_id(&me.post(
        "/api/v1/clients",
        &json!({
            "legal_name": "Marisol Quintero",
            "preferred_name": "Mari",
            "date_of_birth": "1991-06-02",
            "phone": "555-201-7788",
            "email": "marisol.q@example.org",
            "address": "41 Larkspur Court, Apt 2, Fairview, OR 97301",
            "emergency_contact": "Tobias Quintero (brother) 555 0100",
        }),
    ));
    let note = me.create_note(&client, "progress", NOTE);
    Setup {
        _practice: practice,
        server,
        owner,
        me,
        client,
        note,
    }
}

fn chars(s: &str, start: &Value, end: &Value) -> String {
    let (a, b) = (
        usize::try_from(start.as_u64().unwrap()).unwrap(),
        usize::try_from(end.as_u64().unwrap()).unwrap(),
    );
    s.chars().skip(a).take(b - a).collect()
}

#[test]
fn the_preview_replaces_the_clients_identifiers_and_places_every_replacement() {
    let s = setup();
    let path = format!("/api/v1/notes/{}/deidentify", s.note);
    let reply = s.me.send("POST", &path, Some(&json!({})));
    assert_eq!(reply.resp.status, 200, "{}", reply.resp.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let p = reply.resp.json();
    assert_eq!(p["original"], NOTE);
    let out = p["deidentified"].as_str().unwrap();
    for gone in [
        "Marisol",
        "Quintero",
        "Mari ",
        "Tobias",
        "555-201-7788",
        "marisol.q@example.org",
        "Larkspur",
        "2026-03-04",
        "March 18",
    ] {
        assert!(!out.contains(gone), "{gone:?} left in {out:?}");
    }
    for kept in ["PHQ-9 today: 14", "sertraline 50 mg", "brother"] {
        assert!(out.contains(kept), "{kept:?} lost from {out:?}");
    }
    let replacements = p["replacements"].as_array().unwrap();
    assert!(replacements.len() >= 8, "{replacements:?}");
    for r in replacements {
        let was = chars(NOTE, &r["original"]["start"], &r["original"]["end"]);
        let now = chars(out, &r["output"]["start"], &r["output"]["end"]);
        assert_eq!(now, r["replacement"].as_str().unwrap(), "{r}");
        assert_ne!(was, now, "{r}");
        assert!(r["label"].is_string());
    }
    // The ISO date is moved, and still written as an ISO date.
    let moved = replacements
        .iter()
        .find(|r| chars(NOTE, &r["original"]["start"], &r["original"]["end"]) == "2026-03-04")
        .unwrap_or_else(|| panic!("the session date is replaced: {replacements:?}"));
    let moved = moved["replacement"].as_str().unwrap();
    assert!(
        moved.len() == 10 && moved.as_bytes()[4] == b'-' && moved.as_bytes()[7] == b'-',
        "{moved}"
    );
    assert_ne!(moved, "2026-03-04");
    // The same client's dates move by the same offset every time: a second preview is
    // identical.
    let again = s.me.post(&path, &json!({})).expect_json(200);
    assert_eq!(again["deidentified"], p["deidentified"]);
    let year = s.me.post(&path, &json!({"dates": "year"})).expect_json(200);
    assert!(year["deidentified"].as_str().unwrap().contains("2026"));
    assert!(!year["deidentified"].as_str().unwrap().contains("03-04"));

    // Previewing is a read of the note, never a disclosure.
    let events = s
        .owner
        .audit_events(&format!("client={}&action=deid.disclose", s.client));
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn the_clinicians_corrections_and_sharing_are_honoured_and_recorded_with_the_purpose() {
    let s = setup();
    let path = format!("/api/v1/notes/{}/deidentify", s.note);
    let first = s.me.post(&path, &json!({})).expect_json(200);
    // Undo the first detection, and redact a word nobody would detect ("sertraline").
    let undo = first["replacements"][0]["original"].clone();
    let undone = chars(NOTE, &undo["start"], &undo["end"]);
    let start = NOTE.find("sertraline").unwrap();
    let start = NOTE[..start].chars().count();
    let body = json!({
        "purpose": "supervision",
        "remove": [undo],
        "add": [{"start": start, "end": start + 10, "label": "ID"}],
    });
    let shared = s.me.post(&format!("{path}/share"), &body).expect_json(200);
    let text = shared["text"].as_str().unwrap();
    assert!(text.contains(&undone), "the undone detection stays: {text}");
    assert!(!text.contains("sertraline"), "{text}");
    assert_eq!(shared["purpose"], "supervision");
    let events = s
        .owner
        .audit_events(&format!("client={}&action=deid.disclose", s.client));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["purpose"], "supervision");
    assert_eq!(events[0]["resource_id"], json!(s.note));
    let log = serde_json::to_string(&events).unwrap();
    assert!(!log.contains("Marisol") && !log.contains(&undone));

    // Out-of-range corrections and unknown purposes are refused; nothing is disclosed.
    let p =
        s.me.post(
            &format!("{path}/share"),
            &json!({"purpose": "research", "add": [{"start": 5, "end": 100_000, "label": "NAME"}]}),
        )
        .expect_problem(422);
    assert_eq!(p["field"], "add");
    s.me.post(&format!("{path}/share"), &json!({"purpose": "gossip"}))
        .expect_problem(422);
    s.me.post(&path, &json!({"remove": [{"start": 9, "end": 3}]}))
        .expect_problem(422);
    assert_eq!(
        s.owner
            .audit_events(&format!("client={}&action=deid.disclose", s.client))
            .len(),
        1
    );
    // The preview for a purpose shows exactly what sharing for it gives (pseudonyms differ by
    // purpose).
    for purpose in ["supervision", "research"] {
        let mut asked = body.clone();
        asked["purpose"] = json!(purpose);
        let preview = s.me.post(&path, &asked).expect_json(200);
        let out = s.me.post(&format!("{path}/share"), &asked).expect_json(200);
        assert_eq!(preview["deidentified"], out["text"], "{purpose}");
    }
}

#[test]
fn only_those_who_may_read_the_note_may_prepare_or_share_it() {
    let s = setup();
    let path = format!("/api/v1/notes/{}/deidentify", s.note);
    let desk = sign_in(&s.server.base_url, &hire(&s.owner, "front_desk"));
    desk.post(&path, &json!({})).expect_problem(403);
    let stranger = sign_in(&s.server.base_url, &hire(&s.owner, "clinician"));
    let hidden = stranger.post(&path, &json!({})).expect_problem(404);
    let missing = stranger
        .post(
            "/api/v1/notes/00000000-0000-4000-8000-000000000000/deidentify",
            &json!({}),
        )
        .expect_problem(404);
    assert_eq!(hidden, missing);
    stranger
        .post(
            &format!("{path}/share"),
            &json!({"purpose": "consultation"}),
        )
        .expect_problem(404);
    assert!(
        s.owner
            .audit_events(&format!("client={}&action=deid.disclose", s.client))
            .is_empty()
    );
    let logs = s.server.stop();
    let mut all = logs.stdout_text();
    all.push_str(&logs.stderr_text());
    for secret in ["Marisol", "Larkspur", "555-201-7788"] {
        assert!(!all.contains(secret), "{secret} in the server's output");
    }
}
