//! The canary tests: promise 1 ("no plaintext client data at rest") and promise 6 ("an
//! acknowledged write survives kill -9"), checked against the real `confidant` binary.
//!
//! Every client field and note body written here carries a marker string that is random per run.
//! After the server stops, every byte of every file under the data directory (database, WAL,
//! shared memory, journals, anything), every file the server left in its `TMPDIR`, and everything
//! the server printed on stdout and stderr is searched for the markers as UTF-8, UTF-16LE and
//! UTF-16BE (ASCII case ignored). A single hit fails the test and names the marker and the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    Api, Logs, Practice, Server, assert_no_hits, files_under, random_below, random_hex, scan,
    scan_dir,
};
use serde_json::{Value, json};

/// Per-run marker factory. Every marker starts with `CNRY<12 random hex>`, so searching for that
/// prefix finds any marker, or any marker's beginning.
struct Canary {
    prefix: String,
    /// Field values that cannot hold the prefix (phone numbers, dates of birth) but are still
    /// client data: searched for verbatim.
    extra: Mutex<Vec<String>>,
}

impl Canary {
    fn new() -> Canary {
        Canary {
            prefix: format!("CNRY{}", random_hex(12).to_ascii_uppercase()),
            extra: Mutex::new(Vec::new()),
        }
    }

    fn marker(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    /// A phone number unique to this run (13 random digits), remembered as a needle.
    fn phone(&self) -> String {
        let p = format!(
            "+1 555 {:07} x{:06}",
            random_below(10_000_000),
            random_below(1_000_000)
        );
        self.extra.lock().unwrap().push(p.clone());
        p
    }

    /// A random date of birth between 1930 and 1999, remembered as a needle.
    fn date_of_birth(&self) -> String {
        let d = format!(
            "{}-{:02}-{:02}",
            1930 + random_below(70),
            1 + random_below(12),
            1 + random_below(28)
        );
        self.extra.lock().unwrap().push(d.clone());
        d
    }

    /// What to search for.
    fn needles(&self) -> Vec<String> {
        let mut n = vec![self.prefix.clone()];
        n.extend(self.extra.lock().unwrap().iter().cloned());
        n
    }

    /// A client whose every text field carries a marker. `full == false` leaves out the
    /// optional fields (they must read back as null).
    fn client(&self, i: usize, full: bool) -> Value {
        let dob = self.date_of_birth();
        // Some names are not ASCII, to catch a store that transcodes text before sealing it.
        let legal_name = if i & 1 == 0 {
            format!(
                "{} Zoë Ångström-Łukasiewicz",
                self.marker(&format!("LEGAL{i}"))
            )
        } else {
            format!("Pat {} Example", self.marker(&format!("LEGAL{i}")))
        };
        if !full {
            return json!({ "legal_name": legal_name, "date_of_birth": dob });
        }
        json!({
            "legal_name": legal_name,
            "preferred_name": self.marker(&format!("PREF{i}")),
            "date_of_birth": dob,
            "phone": self.phone(),
            "email": format!("{}.mail{i}@example.org", self.marker("").to_ascii_lowercase()),
            "address": format!("{} Marker Lane {i}, Springfield, IL 62704", self.marker(&format!("ADDR{i}"))),
            "emergency_contact": format!("{} (sister) +1 555 0100", self.marker(&format!("EMERG{i}"))),
        })
    }

    /// A note body carrying two markers (start and end) and some non-ASCII text.
    fn note_body(&self, tag: &str, padding: usize) -> String {
        format!(
            "{} Client reported sleeping better — Schlafstörung gebessert; 睡眠改善. {} {}",
            self.marker(&format!("NOTE{tag}")),
            "Discussed coping strategies at length. ".repeat(padding),
            self.marker(&format!("END{tag}")),
        )
    }
}

/// Asserts a client read back from the API equals what was written.
fn assert_client_matches(id: &str, written: &Value, got: &Value) {
    assert_eq!(got["id"].as_str(), Some(id), "client id in {got}");
    for field in [
        "legal_name",
        "preferred_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "emergency_contact",
    ] {
        let want = written.get(field).cloned().unwrap_or(Value::Null);
        assert_eq!(
            got[field], want,
            "client {id}: field {field} read back differently"
        );
    }
    let created = got["created_at"]
        .as_str()
        .unwrap_or_else(|| panic!("client {id}: created_at must be an RFC 3339 string, got {got}"));
    assert!(
        looks_like_rfc3339(created),
        "client {id}: created_at {created:?} is not RFC 3339"
    );
}

/// A shape check for RFC 3339 date-times (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
fn looks_like_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let date_time = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    let zone_ok = s.ends_with('Z')
        || s.ends_with('z')
        || (b.len() >= 6
            && (b[b.len() - 6] == b'+' || b[b.len() - 6] == b'-')
            && b[b.len() - 3] == b':');
    date_time && zone_ok
}

/// Scans the data dir, the server's temp dir and the captured logs; panics on any hit.
fn assert_nothing_leaked(
    what: &str,
    practice: &Practice,
    tmp: &tempfile::TempDir,
    logs: &[Logs],
    needles: &[String],
) {
    let files = files_under(&practice.data_dir);
    assert!(
        !files.is_empty(),
        "{what}: the data directory {} holds no files at all — is the scan looking in the right place?",
        practice.data_dir.display()
    );
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    eprintln!(
        "{what}: scanning {} files ({bytes} bytes) under the data dir for {} needles",
        files.len(),
        needles.len()
    );
    let mut hits = scan_dir(&practice.data_dir, needles);
    hits.extend(scan_dir(tmp.path(), needles));
    for (i, l) in logs.iter().enumerate() {
        hits.extend(scan(&format!("server #{i} stdout"), &l.stdout, needles));
        hits.extend(scan(&format!("server #{i} stderr"), &l.stderr, needles));
    }
    assert_no_hits(what, &hits);
}

/// A server with a private `TMPDIR` (so temp files can be scanned too) and debug logging
/// (`CONFIDANT_LOG`, and `RUST_LOG` should it ever be read), so that a log line that carries
/// content is caught.
fn start_server(practice: &Practice, tmp: &tempfile::TempDir) -> Server {
    let tmp = tmp.path().to_str().unwrap();
    Server::start(
        &practice.data_dir,
        &practice.unseal(),
        &[],
        &[
            ("TMPDIR", tmp),
            ("SQLITE_TMPDIR", tmp),
            ("RUST_LOG", "debug"),
            ("CONFIDANT_LOG", "debug"),
        ],
    )
}

#[test]
fn client_data_written_through_the_api_never_reaches_disk_or_logs_in_plaintext() {
    let canary = Canary::new();
    let practice = Practice::with_key_file();
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(&practice, &tmp);
    let api = server.api(&practice.token);

    // 10 clients (the last one with only the required fields) and 30 notes.
    let mut clients: Vec<(String, Value)> = Vec::new();
    for i in 0..10 {
        let c = canary.client(i, i != 9);
        let id = api.create_client(&c);
        clients.push((id, c));
    }
    let mut notes: Vec<(String, String, &str, String)> = Vec::new();
    for n in 0..30 {
        let (client_id, _) = &clients[n % clients.len()];
        let kind = if n & 1 == 0 {
            "progress"
        } else {
            "psychotherapy"
        };
        // A few long notes, to reach overflow pages / large-value paths in the store.
        let padding = if n % 10 == 3 { 600 } else { 2 };
        let body = canary.note_body(&n.to_string(), padding);
        let id = api.create_note(client_id, kind, &body);
        notes.push((id, client_id.clone(), kind, body));
    }

    // Everything reads back exactly, one by one and through the list.
    for (id, written) in &clients {
        assert_client_matches(id, written, &api.get_client(id));
    }
    let listed = api.list_all_clients();
    for (id, written) in &clients {
        let got = listed
            .iter()
            .find(|c| c["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("client {id} missing from GET /api/v1/clients"));
        assert_client_matches(id, written, got);
    }
    for (id, client_id, kind, body) in &notes {
        let got = api.get_note(id);
        assert_eq!(got["id"].as_str(), Some(id.as_str()), "note id in {got}");
        assert_eq!(
            got["client_id"].as_str(),
            Some(client_id.as_str()),
            "note {id} client_id"
        );
        assert_eq!(got["kind"].as_str(), Some(*kind), "note {id} kind");
        assert_eq!(got["body"].as_str(), Some(body.as_str()), "note {id} body");
        assert!(
            got["created_at"].as_str().is_some_and(looks_like_rfc3339),
            "note {id}: created_at must be RFC 3339, got {got}"
        );
    }

    // And through each client's note listing.
    for (client_id, _) in &clients {
        let mut listed: Vec<(String, String, String)> = api
            .notes_of(client_id)
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    n["kind"].as_str().unwrap().to_string(),
                    n["body"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        listed.sort();
        let mut written: Vec<(String, String, String)> = notes
            .iter()
            .filter(|(_, c, _, _)| c == client_id)
            .map(|(id, _, kind, body)| (id.clone(), (*kind).to_string(), body.clone()))
            .collect();
        written.sort();
        assert_eq!(listed, written, "notes listed for client {client_id}");
    }

    // Rejected requests carry markers too: their content must not end up in a log line or an
    // error stored anywhere.
    let first = &clients[0].0;
    let rejected: Vec<(u16, common::Resp)> = vec![
        (
            422,
            api.post_json(
                "/api/v1/clients",
                &json!({"legal_name": canary.marker("REJDATE"), "date_of_birth": "2023-02-30"}),
            ),
        ),
        (
            422,
            api.post_json(
                "/api/v1/clients",
                &json!({"legal_name": "Valid Name", "date_of_birth": canary.marker("REJDOB")}),
            ),
        ),
        (
            422,
            api.post_json(
                "/api/v1/clients",
                &json!({
                    "legal_name": canary.marker("REJUNKNOWN"),
                    "date_of_birth": "1980-01-01",
                    "diagnosis": canary.marker("REJDIAGNOSIS"),
                }),
            ),
        ),
        (
            422,
            api.post_json(
                "/api/v1/clients",
                &json!({"legal_name": 42, "date_of_birth": "1980-01-01", "preferred_name": canary.marker("REJTYPE")}),
            ),
        ),
        (
            400,
            api.post_raw(
                "/api/v1/clients",
                Some("application/json"),
                format!(r#"{{"legal_name": "{}", "date_of_birth": "1980-01-01""#, canary.marker("REJMALFORMED")).as_bytes(),
            ),
        ),
        (
            422,
            api.post_json(
                &format!("/api/v1/clients/{first}/notes"),
                &json!({"kind": "diagnosis", "body": canary.marker("REJKIND")}),
            ),
        ),
        (
            404,
            api.post_json(
                &format!("/api/v1/clients/{}/notes", uuid::Uuid::new_v4()),
                &json!({"kind": "progress", "body": canary.marker("REJNOCLIENT")}),
            ),
        ),
        (
            401,
            server.anonymous().post_json(
                "/api/v1/clients",
                &json!({"legal_name": canary.marker("REJNOTOKEN"), "date_of_birth": "1980-01-01"}),
            ),
        ),
        (
            415,
            api.post_raw(
                "/api/v1/clients",
                Some("text/plain"),
                json!({"legal_name": canary.marker("REJCT"), "date_of_birth": "1980-01-01"}).to_string().as_bytes(),
            ),
        ),
        (
            413,
            api.post_json(
                &format!("/api/v1/clients/{first}/notes"),
                &json!({"kind": "progress", "body": canary.marker("REJHUGE ").repeat(1_200_000 / 24)}),
            ),
        ),
    ];
    for (want, r) in &rejected {
        r.expect_problem(*want);
    }

    // While the server runs (WAL and shared-memory files are live now)...
    assert_no_hits(
        "while the server runs",
        &scan_dir(&practice.data_dir, &canary.needles()),
    );
    // ...and after it has stopped (checkpointed, logs complete).
    let logs = server.stop();
    assert_nothing_leaked(
        "after a graceful stop",
        &practice,
        &tmp,
        &[logs],
        &canary.needles(),
    );
}

/// One write the server acknowledged with 201.
struct Acked {
    id: String,
    client_id: String,
    kind: &'static str,
    body: String,
}

/// How a burst ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    Kill9,
    Sigterm,
}

/// What a burst of concurrent note writes left behind.
struct Burst {
    acked: Vec<Acked>,
    /// Every body ever sent, acknowledged or not: a note found afterwards must be one of these,
    /// whole.
    attempted: HashSet<String>,
    cut_off: usize,
    logs: Logs,
}

/// Runs `THREADS` writers posting marker notes to `clients` in a loop; once `ACKED_BEFORE_STOP`
/// writes are acknowledged, stops the server (`how`) while the writers keep writing. Each writer
/// ends at its first transport error.
fn burst_then_stop(
    server: Server,
    token: &str,
    clients: &[String],
    canary: &Arc<Canary>,
    how: Stop,
) -> Burst {
    const THREADS: usize = 8;
    const ACKED_BEFORE_STOP: usize = 200;

    let acked: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    let failures: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let cut_off = Arc::new(AtomicUsize::new(0));
    let attempted: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(HashSet::new()));

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let api: Api = server.api(token);
            let clients = clients.to_vec();
            let (canary, acked, count, stopping, failures, cut_off, attempted) = (
                Arc::clone(canary),
                Arc::clone(&acked),
                Arc::clone(&count),
                Arc::clone(&stopping),
                Arc::clone(&failures),
                Arc::clone(&cut_off),
                Arc::clone(&attempted),
            );
            std::thread::spawn(move || {
                // Bounded, in case the server never stops.
                for seq in 0..100_000usize {
                    let client_id = &clients[(t + seq) % clients.len()];
                    let kind = if seq & 1 == 0 {
                        "progress"
                    } else {
                        "psychotherapy"
                    };
                    let body = canary.note_body(&format!("BURST{t}x{seq}"), seq % 7);
                    let path = format!("/api/v1/clients/{client_id}/notes");
                    attempted.lock().unwrap().insert(body.clone());
                    match api.try_post_json(&path, &json!({"kind": kind, "body": body})) {
                        Ok(r) if r.status == 201 => {
                            let id = common::created_id(&r);
                            acked.lock().unwrap().push(Acked {
                                id,
                                client_id: client_id.clone(),
                                kind,
                                body,
                            });
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(r) => {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("POST {path} → {} {}", r.status, r.body));
                            return;
                        }
                        Err(e) => {
                            if stopping.load(Ordering::SeqCst) {
                                cut_off.fetch_add(1, Ordering::SeqCst);
                            } else {
                                failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("POST {path} before the stop: {e}"));
                            }
                            return;
                        }
                    }
                }
            })
        })
        .collect();

    // Wait (bounded) for enough acknowledged writes, then stop while the workers keep writing.
    let deadline = Instant::now() + Duration::from_secs(120);
    while count.load(Ordering::SeqCst) < ACKED_BEFORE_STOP {
        assert!(
            failures.lock().unwrap().is_empty(),
            "writes failed before the stop: {:?}",
            failures.lock().unwrap()
        );
        assert!(
            Instant::now() < deadline,
            "only {} writes acknowledged within 120 s",
            count.load(Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    stopping.store(true, Ordering::SeqCst);
    let logs = match how {
        Stop::Kill9 => server.kill9(),
        // Asserts exit status 0.
        Stop::Sigterm => server.stop(),
    };
    for w in workers {
        if let Err(p) = w.join() {
            std::panic::resume_unwind(p);
        }
    }
    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "unexpected responses: {failures:#?}");
    let burst = Burst {
        acked: std::mem::take(&mut *acked.lock().unwrap()),
        attempted: std::mem::take(&mut *attempted.lock().unwrap()),
        cut_off: cut_off.load(Ordering::SeqCst),
        logs,
    };
    eprintln!(
        "{how:?}: {} writes acknowledged, {} requests cut off by the stop",
        burst.acked.len(),
        burst.cut_off
    );
    burst
}

/// On a restarted server: every acknowledged write reads back exactly (by id and in its
/// client's listing), and every note listed is one that was sent, whole.
fn assert_burst_survived(api: &Api, clients: &[String], burst: &Burst) {
    for c in clients {
        api.get_client(c);
    }
    let mut lost = Vec::new();
    for a in &burst.acked {
        let r = api.get(&format!("/api/v1/notes/{}", a.id));
        if r.status != 200 {
            lost.push(format!("note {} → {} {}", a.id, r.status, r.body));
            continue;
        }
        let got = r.json();
        assert_eq!(
            got["body"].as_str(),
            Some(a.body.as_str()),
            "note {} body",
            a.id
        );
        assert_eq!(got["kind"].as_str(), Some(a.kind), "note {} kind", a.id);
        assert_eq!(
            got["client_id"].as_str(),
            Some(a.client_id.as_str()),
            "note {} client_id",
            a.id
        );
    }
    for c in clients {
        let listed = api.notes_of(c);
        for n in &listed {
            let body = n["body"].as_str().unwrap_or_default();
            assert!(
                burst.attempted.contains(body),
                "client {c} has a note {} whose body was never sent whole: {:?}",
                n["id"],
                &body[..body.len().min(200)]
            );
        }
        let ids: HashSet<&str> = listed.iter().filter_map(|n| n["id"].as_str()).collect();
        for a in burst.acked.iter().filter(|a| &a.client_id == c) {
            if !ids.contains(a.id.as_str()) {
                lost.push(format!("note {} missing from client {c}'s listing", a.id));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "acknowledged writes were lost ({} findings for {} acknowledged writes):\n{}",
        lost.len(),
        burst.acked.len(),
        lost.join("\n")
    );
}

#[test]
fn notes_acknowledged_before_a_kill_9_survive_the_restart_and_nothing_leaks() {
    let canary = Arc::new(Canary::new());
    let practice = Practice::with_key_file();
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(&practice, &tmp);
    let api = server.api(&practice.token);
    let clients: Vec<String> = (0..3)
        .map(|i| api.create_client(&canary.client(i, true)))
        .collect();

    let burst = burst_then_stop(server, &practice.token, &clients, &canary, Stop::Kill9);
    // The files exactly as the crash left them (un-checkpointed WAL, journals, temp files).
    assert_nothing_leaked(
        "right after kill -9",
        &practice,
        &tmp,
        std::slice::from_ref(&burst.logs),
        &canary.needles(),
    );

    // Restart on the same data dir: every acknowledged write is there, exactly.
    let server = start_server(&practice, &tmp);
    assert_burst_survived(&server.api(&practice.token), &clients, &burst);
    let logs = server.stop();
    assert_nothing_leaked(
        "after kill -9 and a restart",
        &practice,
        &tmp,
        &[burst.logs, logs],
        &canary.needles(),
    );
}

#[test]
fn a_sigterm_during_a_burst_of_writes_exits_0_and_keeps_every_acknowledged_write() {
    let canary = Arc::new(Canary::new());
    let practice = Practice::with_key_file();
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(&practice, &tmp);
    let api = server.api(&practice.token);
    let clients: Vec<String> = (0..3)
        .map(|i| api.create_client(&canary.client(i, true)))
        .collect();

    let burst = burst_then_stop(server, &practice.token, &clients, &canary, Stop::Sigterm);
    let server = start_server(&practice, &tmp);
    assert_burst_survived(&server.api(&practice.token), &clients, &burst);
    let logs = server.stop();
    assert_nothing_leaked(
        "after SIGTERM and a restart",
        &practice,
        &tmp,
        &[burst.logs, logs],
        &canary.needles(),
    );
}

/// Exact byte search (for secrets that are not text).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn owner_token_recovery_code_and_key_never_appear_under_the_data_directory_or_in_logs() {
    let practice = Practice::with_key_file();
    let key_file = practice.key_file.clone().unwrap();
    assert!(
        !key_file.starts_with(&practice.data_dir),
        "test setup: the key file must live outside the data dir"
    );
    let server = practice.serve();
    let api = server.api(&practice.token);
    let id = api.create_client(&common::sample_client("Token Check"));
    api.create_note(&id, "progress", "ordinary note");
    api.get_client(&id);
    // A wrong token too: a server that logs rejected credentials would log this one.
    let wrong = format!("{}x", practice.token);
    server
        .api(&wrong)
        .get("/api/v1/clients")
        .expect_problem(401);
    let logs = server.stop();

    let code = practice.recovery_code.clone();
    let secrets = vec![
        practice.token.clone(),
        wrong,
        code.clone(),
        code.replace('-', ""),
    ];
    let mut hits = scan_dir(&practice.data_dir, &secrets);
    hits.extend(scan("serve stdout", &logs.stdout, &secrets));
    hits.extend(scan("serve stderr", &logs.stderr, &secrets));
    assert_no_hits("owner token / recovery code", &hits);

    // The key itself: raw bytes, and its longest line if it is text (e.g. base64).
    let key = std::fs::read(&key_file).unwrap();
    let mut key_needles: Vec<Vec<u8>> = vec![key.clone()];
    if let Ok(text) = std::str::from_utf8(&key) {
        let trimmed = text.trim();
        key_needles.push(trimmed.as_bytes().to_vec());
        let longest = trimmed.lines().map(str::trim).max_by_key(|l| l.len());
        if let Some(longest) = longest.filter(|l| l.len() >= 16) {
            key_needles.push(longest.as_bytes().to_vec());
        }
    }
    for f in files_under(&practice.data_dir) {
        let bytes = std::fs::read(&f).unwrap();
        for n in &key_needles {
            assert!(
                !contains(&bytes, n),
                "the key file's content appears in {}",
                f.display()
            );
        }
    }
    for n in &key_needles {
        assert!(
            !contains(&logs.stdout, n),
            "the key appears on serve's stdout"
        );
        assert!(
            !contains(&logs.stderr, n),
            "the key appears on serve's stderr"
        );
    }
}

#[test]
fn the_scanner_finds_a_marker_in_utf8_utf16le_and_utf16be_whatever_its_case() {
    // The canary tests are only as good as the scanner: prove it can fail.
    let marker = format!("CNRY{}SELFTEST", random_hex(12).to_ascii_uppercase());
    let needles = vec![marker.clone()];
    let encodings = [
        ("UTF-8", marker.as_bytes().to_vec()),
        ("UTF-16LE", common::utf16(&marker, false)),
        ("UTF-16BE", common::utf16(&marker, true)),
        ("UTF-8", marker.to_ascii_lowercase().into_bytes()),
        (
            "UTF-16LE",
            common::utf16(&marker.to_ascii_lowercase(), false),
        ),
    ];
    for (enc, bytes) in &encodings {
        let mut hay = vec![0u8, 0xff, b'x'];
        hay.extend_from_slice(bytes);
        hay.extend_from_slice(b"\x00trailing");
        let hits = scan("self-test", &hay, &needles);
        assert!(
            hits.iter().any(|h| h.encoding == *enc && h.offset == 3),
            "{enc}: expected a hit at byte 3, got {hits:?}"
        );
    }
    // Not fooled by the marker's absence or a near miss.
    let near = marker[..marker.len() - 1].to_string();
    assert!(scan("self-test", near.as_bytes(), &needles).is_empty());
    assert!(scan("self-test", b"", &needles).is_empty());

    // And it reaches files nested anywhere under a directory.
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a").join("b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("db-wal"), common::utf16(&marker, true)).unwrap();
    std::fs::write(dir.path().join("clean"), b"nothing here").unwrap();
    let hits = scan_dir(dir.path(), &needles);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].place.ends_with("db-wal"), "{}", hits[0]);
}

/// Every record class the API writes — demographics, note drafts and their kept versions,
/// signed notes and addenda, psychotherapy notes, episodes, appointments, assessments,
/// attachments (content and file name), the search index and the words searched for, and an
/// export — reads back, and none of it reaches the data directory, temp files or the logs.
#[test]
fn every_record_class_attachments_and_search_leave_nothing_on_disk_or_in_logs() {
    let canary = Canary::new();
    let practice = Practice::with_key_file();
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(&practice, &tmp);
    let owner = common::Caller::bearer(&server.base_url, &practice.token);
    let staff = common::hire(&owner, "clinician");
    let session = common::sign_in(&server.base_url, &staff);
    let token = session.create_token("canary", "write");
    let me = common::Caller::bearer(&server.base_url, &token);
    let raw = server.api(&token);

    let client = common::created_id(&me.post("/api/v1/clients", &canary.client(0, true)));
    let c = format!("/api/v1/clients/{client}");

    // A SOAP draft, edited (version 1 kept), signed, then corrected by a signed addendum.
    let note = common::created_id(&me.post(
        &format!("{c}/notes"),
        &json!({"kind": "progress", "template": "soap", "sections": {
            "subjective": canary.marker("SUBJ"), "plan": canary.marker("PLAN")}}),
    ));
    me.put(
        &format!("/api/v1/notes/{note}"),
        &json!({"version": 1, "template": "birp", "sections": {
            "behavior": canary.marker("BEHAV"), "response": canary.marker("RESP")}}),
    )
    .expect_json(200);
    me.post(
        &format!("/api/v1/notes/{note}/sign"),
        &json!({"version": 2}),
    )
    .expect_json(200);
    me.post(
        &format!("/api/v1/notes/{note}/addenda"),
        &json!({"body": canary.marker("ADDENDUM"), "sign": true}),
    )
    .expect_status(201);
    let private = common::created_id(&me.post(
        &format!("{c}/notes"),
        &json!({"kind": "psychotherapy", "body": canary.marker("PROCESS")}),
    ));
    let versions = me
        .get(&format!("/api/v1/notes/{note}/versions"))
        .expect_json(200);
    assert_eq!(
        versions["versions"][0]["sections"]["subjective"],
        json!(canary.marker("SUBJ"))
    );

    // Episode, appointment, assessment.
    let episode = common::created_id(&me.post(
        &format!("{c}/episodes"),
        &json!({"reason": canary.marker("REASON")}),
    ));
    let starts = common::rfc3339_at(i64::try_from(common::unix_now() / 60 * 60 + 86_400).unwrap());
    me.post(
        &format!("{c}/appointments"),
        &json!({"starts_at": starts, "duration_minutes": 50, "service_code": "90834",
                "location": {"kind": "telehealth", "link": format!("https://video.example.org/{}", canary.marker("LINK"))},
                "episode": episode, "note": canary.marker("APPTNOTE")}),
    )
    .expect_status(201);
    let assessment = common::created_id(&me.post(
        &format!("{c}/assessments"),
        &json!({"instrument": "phq9", "items": [1, 2, 1, 0, 3, 1, 2, 0, 1],
                "comment": canary.marker("COMMENT")}),
    ));
    assert_eq!(
        me.get(&format!("/api/v1/assessments/{assessment}"))
            .expect_json(200)["comment"],
        json!(canary.marker("COMMENT"))
    );

    // An attachment whose content and name carry markers.
    let content = format!("{}\nscanned letter text\n", canary.marker("FILEBODY")).repeat(2000);
    let name = format!("{}.txt", canary.marker("FILENAME"));
    let up = raw.post_raw(
        &format!("{c}/attachments?filename={name}"),
        Some("text/plain"),
        content.as_bytes(),
    );
    assert_eq!(up.status, 201, "{}", up.body);
    let attachment = up.json()["id"].as_str().unwrap().to_owned();
    let down = raw.get(&format!("/api/v1/attachments/{attachment}"));
    assert_eq!(down.status, 200);
    assert_eq!(down.body, content, "the attachment reads back exactly");

    // The index holds the words; searching finds them; the words searched for leave no trace.
    let hits = me
        .get(&format!("/api/v1/search?q={}", canary.marker("RESP")))
        .expect_json(200);
    assert_eq!(hits["results"].as_array().unwrap().len(), 1, "{hits}");
    me.get(&format!("/api/v1/search?q={}", canary.marker("QUERYONLY")))
        .expect_json(200);
    let export = me.get(&format!("{c}/export")).expect_json(200);
    assert!(!export.to_string().contains(&private));

    let logs = server.stop();
    assert_nothing_leaked(
        "every record class",
        &practice,
        &tmp,
        &[logs],
        &canary.needles(),
    );
}
