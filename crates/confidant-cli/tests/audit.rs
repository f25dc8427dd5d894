//! End-to-end audit log: every API access is recorded (ids only), the served checkpoint and
//! proofs verify against the verifier key printed at start, and `confidant audit verify` passes
//! an untouched log and names the first bad event of a tampered one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::ffi::OsString;
use std::path::Path;

use common::*;
use confidant_audit::{AuditVerifierKey, Hash, open, verify_consistency, verify_inclusion};
use serde_json::{Value, json};

fn verifier_key(logs: &str) -> String {
    logs.lines()
        .find_map(|l| l.strip_prefix("Audit verifier key: "))
        .map(|k| k.trim().to_owned())
        .unwrap_or_else(|| panic!("no verifier key line in:\n{logs}"))
}

fn hashes(proof: &Value, field: &str) -> Vec<Hash> {
    let list = proof[field].as_array().unwrap();
    list.iter()
        .map(|h| Hash::from_hex(h.as_str().unwrap()).unwrap())
        .collect()
}

fn hash(proof: &Value, field: &str) -> Hash {
    Hash::from_hex(proof[field].as_str().unwrap()).unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["action"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_api_access_appears_in_the_audit_log_with_ids_only() {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let api = server.api(&practice.token);
    let marker = format!("AUDITCANARY{}", random_hex(8));
    let client = api.create_client(&sample_client(&marker));
    let note = api.create_note(&client, "progress", &format!("{marker} note body"));
    api.get_client(&client);
    api.get_note(&note);
    api.notes_of(&client);
    server
        .api("cfd_not-a-real-token")
        .get("/api/v1/clients")
        .expect_problem(401);

    let page = api
        .get(&format!("/api/v1/audit?client={client}"))
        .expect_json(200);
    assert_eq!(
        actions(&page),
        [
            "client.create",
            "note.create",
            "client.read",
            "note.read",
            "note.list"
        ]
    );
    let read = &page["events"][3]["event"];
    assert_eq!(read["resource_id"], json!(note));
    assert_eq!(read["purpose"], "treatment");
    assert_eq!(read["source"], "127.0.0.1");
    let denied = api.get("/api/v1/audit?action=auth.fail").expect_json(200);
    assert_eq!(actions(&denied), ["auth.fail"]);
    assert_eq!(denied["events"][0]["event"]["outcome"], "denied");

    let first = api.get("/api/v1/audit?limit=2").expect_json(200);
    assert_eq!(first["events"].as_array().unwrap().len(), 2);
    let next = first["next"].as_u64().unwrap();
    let second = api
        .get(&format!("/api/v1/audit?limit=2&after={next}"))
        .expect_json(200);
    assert_eq!(second["events"][0]["seq"].as_u64().unwrap(), next + 1);

    let everything = api
        .get("/api/v1/audit?limit=1000")
        .expect_json(200)
        .to_string();
    assert!(
        !everything.contains(&marker),
        "client content inside audit events"
    );
    let _ = server.stop();
}

#[test]
fn the_served_checkpoint_and_proofs_verify_against_the_printed_key() {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let key = AuditVerifierKey::parse(&verifier_key(&server.proc.logs().stdout_text())).unwrap();
    let api = server.api(&practice.token);
    let client = api.create_client(&sample_client("Proof Person"));
    for _ in 0..12 {
        api.get_client(&client);
    }
    let note = api.get("/api/v1/audit/checkpoint");
    note.expect_status(200);
    let checkpoint = open(&note.body, &key).unwrap();
    assert!(checkpoint.size >= 13, "checkpoint covers the events so far");

    let proof = api
        .get(&format!(
            "/api/v1/audit/proof/inclusion?index=0&size={}",
            checkpoint.size
        ))
        .expect_json(200);
    let leaf = hash(&proof, "leaf_hash");
    let path = hashes(&proof, "hashes");
    verify_inclusion(&leaf, 0, checkpoint.size, &path, &checkpoint.root).unwrap();

    let proof = api
        .get(&format!(
            "/api/v1/audit/proof/consistency?from=5&to={}",
            checkpoint.size
        ))
        .expect_json(200);
    let old = hash(&proof, "old_root");
    let path = hashes(&proof, "hashes");
    verify_consistency(5, checkpoint.size, &old, &checkpoint.root, &path).unwrap();

    for bad in [
        "/api/v1/audit?limit=0",
        "/api/v1/audit?action=peek",
        "/api/v1/audit?since=yesterday",
        "/api/v1/audit?client=nope",
        "/api/v1/audit?colour=blue",
        "/api/v1/audit/proof/inclusion?index=x&size=2",
        "/api/v1/audit/proof/inclusion?size=2",
    ] {
        api.get(bad).expect_problem(400);
    }
    api.get("/api/v1/audit/proof/inclusion?index=5&size=2")
        .expect_problem(422);
    api.get("/api/v1/audit/proof/consistency?from=1&to=999999")
        .expect_problem(422);
    server.anonymous().get("/api/v1/audit").expect_problem(401);
    let _ = server.stop();
}

/// A practice with some audited history, stopped (so its final checkpoint is signed), with an
/// exported checkpoint and the verifier key.
struct History {
    practice: Practice,
    exported: std::path::PathBuf,
    key: String,
}

fn history() -> History {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let key = verifier_key(&server.proc.logs().stdout_text());
    let api = server.api(&practice.token);
    let client = api.create_client(&sample_client("History Person"));
    for i in 0..20 {
        api.create_note(&client, "progress", &format!("entry {i}"));
    }
    let _ = server.stop();
    let exported = practice.secrets.path().join("checkpoint.txt");
    let out = run_cli(
        &args![
            "audit",
            "checkpoint",
            "--data",
            &practice.data_dir,
            "--out",
            &exported
        ],
        &[],
    );
    out.assert_success("audit checkpoint");
    assert!(
        out.stdout.contains("Exported the checkpoint of 21 events"),
        "{}",
        out.stdout
    );
    History {
        practice,
        exported,
        key,
    }
}

fn verify(data: &Path, h: &History) -> CliOutput {
    run_cli(
        &args![
            "audit",
            "verify",
            "--data",
            data,
            "--checkpoint",
            &h.exported,
            "--verifier-key",
            &h.key
        ],
        &[],
    )
}

/// A copy of the practice's data directory to tamper with.
fn copy_of(h: &History) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for f in files_under(&h.practice.data_dir) {
        std::fs::copy(&f, copy.path().join(f.file_name().unwrap())).unwrap();
    }
    copy
}

/// Runs `statement` as someone holding the database file would: append-only triggers first.
fn sql(dir: &Path, statement: &str) {
    let db = rusqlite::Connection::open(dir.join("confidant.db")).unwrap();
    let triggers: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        db.execute_batch(&format!("DROP TRIGGER \"{t}\";")).unwrap();
    }
    db.execute_batch(statement).unwrap();
}

#[test]
fn audit_verify_passes_an_untouched_log() {
    let h = history();
    let out = verify(&h.practice.data_dir, &h);
    out.assert_success("audit verify");
    assert!(
        out.stdout.starts_with("audit log OK: 21 events"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("1 external checkpoints"),
        "{}",
        out.stdout
    );
}

#[test]
fn audit_verify_names_the_first_altered_deleted_or_swapped_event() {
    let h = history();
    let cases = [
        (
            "a byte of event 7 changed",
            "UPDATE audit_events SET event = CAST(replace(CAST(event AS TEXT), 'note.create', 'note.crEate') AS BLOB) WHERE seq = 7;",
            "event 7",
        ),
        (
            "event 4 deleted",
            "DELETE FROM audit_events WHERE seq = 4;",
            "event 4",
        ),
        (
            "events 9 and 12 swapped",
            "UPDATE audit_events SET event = (SELECT event FROM audit_events WHERE seq = 12) WHERE seq = 9;",
            "event 9",
        ),
        (
            "the last events and every stored checkpoint removed",
            "DELETE FROM audit_events WHERE seq >= 18; DELETE FROM audit_checkpoints;",
            "event 18",
        ),
    ];
    for (what, statement, named) in cases {
        let copy = copy_of(&h);
        sql(copy.path(), statement);
        let out = verify(copy.path(), &h);
        let line = out.assert_refused_with_one_line(what);
        assert!(line.contains(named), "{what}: expected {named} in {line:?}");
    }
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused() {
    let h = history();
    let other = history();
    let out = run_cli(
        &args![
            "audit",
            "verify",
            "--data",
            &h.practice.data_dir,
            "--checkpoint",
            &other.exported,
        ],
        &[],
    );
    let line = out.assert_refused_with_one_line("foreign checkpoint");
    assert!(line.contains("external checkpoint #1"), "{line}");
    let wrong_key: Vec<OsString> = args![
        "audit",
        "verify",
        "--data",
        &h.practice.data_dir,
        "--verifier-key",
        &other.key
    ];
    let line = run_cli(&wrong_key, &[]).assert_refused_with_one_line("wrong pinned key");
    assert!(line.contains("stored checkpoint"), "{line}");
}

#[test]
fn audit_checkpoint_refuses_an_out_file_inside_the_data_dir() {
    let h = history();
    let inside = h.practice.data_dir.join("cp.txt");
    let out = run_cli(
        &args![
            "audit",
            "checkpoint",
            "--data",
            &h.practice.data_dir,
            "--out",
            &inside
        ],
        &[],
    );
    out.assert_refused_with_one_line("checkpoint inside the data dir");
    assert!(!inside.exists());
}

/// Rewrites the stored log as someone holding the database *and* the unseal secret could: event
/// 7 altered, every tree node and the frontier recomputed to match, old checkpoints deleted.
/// Serving it once re-signs the forged history with the real key.
fn forge_with_the_key(h: &History) -> tempfile::TempDir {
    let copy = copy_of(h);
    sql(
        copy.path(),
        "UPDATE audit_events SET event = CAST(replace(CAST(event AS TEXT), 'note.create', 'note.crEate') AS BLOB) WHERE seq = 7;
         DELETE FROM audit_nodes; DELETE FROM audit_state; DELETE FROM audit_checkpoints;",
    );
    let db = rusqlite::Connection::open(copy.path().join("confidant.db")).unwrap();
    let events: Vec<Vec<u8>> = db
        .prepare("SELECT event FROM audit_events ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut frontier = confidant_audit::Frontier::new();
    let mut insert = db
        .prepare("INSERT INTO audit_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
        .unwrap();
    for (seq, event) in events.iter().enumerate() {
        let leaf = confidant_audit::leaf_hash(event);
        insert
            .execute(rusqlite::params![0, seq as i64, leaf.as_bytes()])
            .unwrap();
        for node in frontier.append(leaf).unwrap() {
            insert
                .execute(rusqlite::params![
                    node.level,
                    node.index as i64,
                    node.hash.as_bytes()
                ])
                .unwrap();
        }
    }
    db.execute(
        "INSERT INTO audit_state (id, frontier) VALUES (0, ?1)",
        [frontier.to_bytes()],
    )
    .unwrap();
    drop(insert);
    drop(db);
    let server = Server::start(copy.path(), &h.practice.unseal(), &[], &[]);
    let _ = server.stop();
    copy
}

#[test]
fn a_history_rewritten_and_re_signed_with_the_key_is_caught_by_an_exported_checkpoint() {
    let h = history();
    let forged = forge_with_the_key(&h);
    let pinned_only: Vec<OsString> = args![
        "audit",
        "verify",
        "--data",
        forged.path(),
        "--verifier-key",
        &h.key
    ];
    let out = run_cli(&pinned_only, &[]);
    out.assert_success("a consistently re-signed log passes without an outside checkpoint");
    let line = verify(forged.path(), &h).assert_refused_with_one_line("forged history");
    assert!(line.contains("21"), "names the checkpoint size: {line}");
}
