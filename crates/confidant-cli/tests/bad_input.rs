//! Promise 7: bad input gets a clear error. Every malformed request gets the right 4xx as an
//! RFC 9457 problem (`application/problem+json`, `status` equal to the HTTP status, a non-empty
//! `detail`), never a 5xx (the [`common::Api`] client fails the test on any 5xx), and a rejected
//! write leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{Api, Failures, Practice, Resp, Server, sample_client};
use serde_json::{Value, json};

/// A fresh practice and a server, plus one client to hang notes on.
struct Fixture {
    // Field order matters: the server stops before the practice's temp dirs are removed.
    server: Server,
    practice: Practice,
    api: Api,
    client_id: String,
    failures: Failures,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_args(&[])
    }

    fn with_args(extra: &[std::ffi::OsString]) -> Fixture {
        let practice = Practice::with_key_file();
        let server = Server::start(&practice.data_dir, &practice.unseal(), extra, &[]);
        let api = server.api(&practice.token);
        let client_id = api.create_client(&sample_client("Fixture Client"));
        Fixture {
            server,
            practice,
            api,
            client_id,
            failures: Failures::default(),
        }
    }

    fn notes_path(&self) -> String {
        format!("/api/v1/clients/{}/notes", self.client_id)
    }

    /// Runs `send`, records a failure unless it answered a problem with status `expected`, and
    /// records a failure if the client list or the fixture client's notes changed (a rejected
    /// write must leave nothing).
    fn expect(&self, what: &str, expected: u16, send: impl FnOnce(&Api) -> Resp) {
        let clients = self.api.client_ids();
        let notes = self.api.note_ids_of(&self.client_id);
        let r = send(&self.api);
        self.failures.problem(what, &r, expected);
        let clients_after = self.api.client_ids();
        self.failures.check(clients == clients_after, || {
            format!("[{what}] the client list changed: {clients:?} → {clients_after:?}")
        });
        let notes_after = self.api.note_ids_of(&self.client_id);
        self.failures.check(notes == notes_after, || {
            format!("[{what}] the client's notes changed: {notes:?} → {notes_after:?}")
        });
    }

    /// POST a JSON value to the client collection, expecting a problem.
    fn client_expect(&self, body: &Value, expected: u16) {
        self.expect(&format!("client {body}"), expected, |api| {
            api.post_json("/api/v1/clients", body)
        });
    }

    /// POST a JSON value to the fixture client's notes, expecting a problem.
    fn note_expect(&self, body: &Value, expected: u16) {
        let path = self.notes_path();
        self.expect(&format!("note {body}"), expected, |api| {
            api.post_json(&path, body)
        });
    }

    /// GET, expecting a problem.
    fn get_expect(&self, path: &str, expected: u16) {
        self.expect(&format!("GET {path}"), expected, |api| api.get(path));
    }

    /// Panics listing every failed expectation.
    fn finish(&self) {
        self.failures.assert_none();
    }
}

/// Today's date in UTC as (year, month, day), from the system clock (no date crate needed).
fn today_utc() -> (i64, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    civil_from_days(i64::try_from(secs / 86_400).unwrap())
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap();
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap();
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_now(days: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap() + days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[test]
fn malformed_json_is_a_400_problem_and_writes_nothing() {
    let fx = Fixture::new();
    let clients: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        br#"{"legal_name": "Ann Example", "date_of_birth": "1990-01-01""#.to_vec(),
        br#"{"legal_name": "Ann Example", "date_of_birth": "1990-01-01",}"#.to_vec(),
        br#"{legal_name: "Ann Example", date_of_birth: "1990-01-01"}"#.to_vec(),
        br#"{"legal_name": "Ann Example" "date_of_birth": "1990-01-01"}"#.to_vec(),
        b"not json at all".to_vec(),
        b"".to_vec(),
        b"{\"legal_name\": \"Ann \xff\xfe Example\", \"date_of_birth\": \"1990-01-01\"}".to_vec(),
        // Deep nesting must be refused, not overflow the stack.
        "[".repeat(100_000).into_bytes(),
    ];
    let notes: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        br#"{"kind": "progress", "body": "unterminated}"#.to_vec(),
        br#"{"kind": "progress", "body": "text""#.to_vec(),
        br#"{"kind": "progress", "body": "text",}"#.to_vec(),
        b"".to_vec(),
        b"{\"kind\": \"progress\", \"body\": \"\xff\"}".to_vec(),
        "[".repeat(100_000).into_bytes(),
    ];
    for body in &clients {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        fx.expect(&format!("client body {shown:?}"), 400, |api| {
            api.post_raw("/api/v1/clients", Some("application/json"), body)
        });
    }
    let path = fx.notes_path();
    for body in &notes {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        fx.expect(&format!("note body {shown:?}"), 400, |api| {
            api.post_raw(&path, Some("application/json"), body)
        });
    }
    fx.finish();
}

#[test]
fn malformed_json_is_a_400_even_when_it_also_names_an_unknown_field() {
    // Invalid JSON is invalid JSON, whatever the fields it happens to name before it breaks:
    // a caller told "unknown field" would fix the field and then hit the real problem.
    let fx = Fixture::new();
    let path = fx.notes_path();
    for body in [
        br#"{"legal_name": "Ann Example", "date_of_birth": "1990-01-01""#.as_slice(),
        br#"{"diagnosis": "F41.1", "#.as_slice(),
    ] {
        let shown = String::from_utf8_lossy(body).into_owned();
        fx.expect(&format!("note body {shown:?}"), 400, |api| {
            api.post_raw(&path, Some("application/json"), body)
        });
        fx.expect(&format!("client body {shown:?}"), 400, |api| {
            api.post_raw("/api/v1/clients", Some("application/json"), body)
        });
    }
    fx.finish();
}

#[test]
fn wrong_json_types_are_a_422_problem_and_write_nothing() {
    let fx = Fixture::new();
    for c in [
        json!({"legal_name": 42, "date_of_birth": "1990-01-01"}),
        json!({"legal_name": null, "date_of_birth": "1990-01-01"}),
        json!({"legal_name": ["Ann", "Example"], "date_of_birth": "1990-01-01"}),
        json!({"legal_name": {"first": "Ann"}, "date_of_birth": "1990-01-01"}),
        json!({"legal_name": true, "date_of_birth": "1990-01-01"}),
        json!({"legal_name": "Ann Example", "date_of_birth": 19_900_101}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "phone": 5_551_234}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "email": true}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "preferred_name": ["Ann"]}),
        json!([]),
        json!(["Ann Example", "1990-01-01"]),
        json!("Ann Example"),
        json!(42),
        json!(null),
    ] {
        fx.client_expect(&c, 422);
    }
    for n in [
        json!({"kind": 1, "body": "text"}),
        json!({"kind": true, "body": "text"}),
        json!({"kind": null, "body": "text"}),
        json!({"kind": ["progress"], "body": "text"}),
        json!({"kind": {"progress": "text"}, "body": "text"}),
        json!({"kind": "progress", "body": 123}),
        json!({"kind": "progress", "body": null}),
        json!({"kind": "progress", "body": {"text": "x"}}),
        json!([]),
        json!("progress"),
        json!(7),
    ] {
        fx.note_expect(&n, 422);
    }
    fx.finish();
}

#[test]
fn unknown_fields_are_a_422_problem_and_write_nothing() {
    let fx = Fixture::new();
    for c in [
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "diagnosis": "F41.1"}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "id": uuid::Uuid::new_v4().to_string()}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "created_at": "2020-01-01T00:00:00Z"}),
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "Legal_Name": "Ann"}),
        json!({"legal_name": "Ann Example", "dob": "1990-01-01"}),
    ] {
        fx.client_expect(&c, 422);
    }
    for n in [
        json!({"kind": "progress", "body": "text", "author": "someone else"}),
        json!({"kind": "progress", "body": "text", "client_id": uuid::Uuid::new_v4().to_string()}),
        json!({"kind": "progress", "body": "text", "id": uuid::Uuid::new_v4().to_string()}),
    ] {
        fx.note_expect(&n, 422);
    }
    fx.finish();
}

#[test]
fn a_field_given_twice_is_a_422_problem_and_writes_nothing() {
    // Which of two values would be kept is a guess; a clinical record must not be a guess.
    let fx = Fixture::new();
    let path = fx.notes_path();
    for (what, target, body) in [
        (
            "client with legal_name twice",
            "/api/v1/clients",
            r#"{"legal_name": "Ann Example", "legal_name": "Bea Example", "date_of_birth": "1990-01-01"}"#,
        ),
        (
            "client with date_of_birth twice",
            "/api/v1/clients",
            r#"{"legal_name": "Ann Example", "date_of_birth": "1990-01-01", "date_of_birth": "1991-02-02"}"#,
        ),
        (
            "note with body twice",
            path.as_str(),
            r#"{"kind": "progress", "body": "first", "body": "second"}"#,
        ),
        (
            "note with kind twice",
            path.as_str(),
            r#"{"kind": "progress", "kind": "psychotherapy", "body": "text"}"#,
        ),
    ] {
        fx.expect(what, 422, |api| {
            api.post_raw(target, Some("application/json"), body.as_bytes())
        });
    }
    fx.finish();
}

#[test]
fn invalid_dates_of_birth_are_a_422_problem_and_write_nothing() {
    let fx = Fixture::new();
    let (year, _, _) = today_utc();
    for dob in [
        "2023-02-30".to_string(),
        "1990-02-29".to_string(), // not a leap year
        "12/01/1990".to_string(),
        "01.12.1990".to_string(),
        "1990/12/01".to_string(),
        "1990-13-01".to_string(),
        "1990-00-10".to_string(),
        "1990-01-32".to_string(),
        "1990-01-00".to_string(),
        "1990-1-5".to_string(),
        "19900105".to_string(),
        "90-01-05".to_string(),
        "+1990-01-05".to_string(),
        " 1990-01-05".to_string(),
        "1990-01-05T00:00:00Z".to_string(),
        "January 5, 1990".to_string(),
        "not a date".to_string(),
        String::new(),
        // In the future: in two days (clear of any time zone), next year, far future.
        days_from_now(2),
        format!("{}-01-01", year + 1),
        "2999-12-31".to_string(),
    ] {
        fx.client_expect(
            &json!({"legal_name": "Ann Example", "date_of_birth": dob}),
            422,
        );
    }
    fx.finish();
    // Control: a real leap day is accepted and reads back unchanged.
    let id = fx
        .api
        .create_client(&json!({"legal_name": "Leap Day", "date_of_birth": "2000-02-29"}));
    assert_eq!(fx.api.get_client(&id)["date_of_birth"], "2000-02-29");
}

#[test]
fn missing_required_fields_are_a_422_problem_and_write_nothing() {
    let fx = Fixture::new();
    for c in [
        json!({"date_of_birth": "1990-01-01"}),
        json!({"legal_name": "Ann Example"}),
        json!({"preferred_name": "Ann", "phone": "555 0100"}),
        json!({}),
    ] {
        fx.client_expect(&c, 422);
    }
    for n in [
        json!({"body": "text"}),
        json!({"kind": "progress"}),
        json!({}),
    ] {
        fx.note_expect(&n, 422);
    }
    fx.finish();
}

#[test]
fn an_empty_or_blank_legal_name_is_a_422_problem_and_writes_nothing() {
    let fx = Fixture::new();
    for name in ["", "   ", "\t", "\n"] {
        fx.client_expect(
            &json!({"legal_name": name, "date_of_birth": "1990-01-01"}),
            422,
        );
    }
    fx.finish();
}

#[test]
fn unknown_note_kinds_and_empty_note_bodies_are_a_422_problem() {
    let fx = Fixture::new();
    for kind in ["diagnosis", "Progress", "PSYCHOTHERAPY", "", "progress "] {
        fx.note_expect(&json!({"kind": kind, "body": "text"}), 422);
    }
    for body in ["", "   ", "\n\t "] {
        fx.note_expect(&json!({"kind": "progress", "body": body}), 422);
    }
    fx.finish();
    // Control: both real kinds are accepted.
    for kind in ["progress", "psychotherapy"] {
        let id = fx.api.create_note(&fx.client_id, kind, "control note");
        assert_eq!(fx.api.get_note(&id)["kind"], kind);
    }
}

/// `value` serialised, with `field` padded so the whole body is exactly `len` bytes.
fn body_of_len(mut value: Value, field: &str, pad: char, len: usize) -> Vec<u8> {
    value[field] = Value::String(String::new());
    let overhead = serde_json::to_vec(&value).unwrap().len();
    value[field] = Value::String(pad.to_string().repeat(len - overhead));
    let bytes = serde_json::to_vec(&value).unwrap();
    assert_eq!(bytes.len(), len);
    bytes
}

#[test]
fn bodies_over_the_configured_limit_are_a_413_problem_and_write_nothing() {
    let fx = Fixture::with_args(&args!["--max-body-bytes", "4096"]);
    // 5000 bytes of otherwise valid JSON: without the limit this note would be created.
    let note = body_of_len(json!({"kind": "progress"}), "body", 'n', 5000);
    let path = fx.notes_path();
    fx.expect("5000-byte note", 413, |api| {
        api.post_raw(&path, Some("application/json"), &note)
    });
    let client = body_of_len(
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01"}),
        "address",
        'a',
        5000,
    );
    fx.expect("5000-byte client", 413, |api| {
        api.post_raw("/api/v1/clients", Some("application/json"), &client)
    });
    // Just over the limit.
    let note = body_of_len(json!({"kind": "progress"}), "body", 'n', 4097);
    fx.expect("4097-byte note", 413, |api| {
        api.post_raw(&path, Some("application/json"), &note)
    });
    // Chunked, with no Content-Length to judge by.
    let note = body_of_len(json!({"kind": "progress"}), "body", 'n', 5000);
    fx.expect("5000-byte chunked note", 413, |api| {
        api.post_chunked_json(&path, &note)
    });
    fx.finish();

    // Control: a body at the limit is accepted, so the limit is not simply "everything".
    let note = body_of_len(json!({"kind": "progress"}), "body", 'u', 4096);
    let r = fx.api.post_raw(&path, Some("application/json"), &note);
    let id = common::created_id(r.expect_status(201));
    assert_eq!(
        fx.api.get_note(&id)["body"].as_str().map(str::len),
        Some(4096 - 29)
    );
}

#[test]
fn bodies_over_the_default_one_mebibyte_limit_are_a_413_problem_and_write_nothing() {
    let fx = Fixture::new();
    // 1.1 MiB of valid JSON.
    let len = 1_153_434;
    let note = body_of_len(json!({"kind": "progress"}), "body", 'b', len);
    let path = fx.notes_path();
    fx.expect("1.1 MiB note", 413, |api| {
        api.post_raw(&path, Some("application/json"), &note)
    });
    fx.expect("1.1 MiB chunked note", 413, |api| {
        api.post_chunked_json(&path, &note)
    });
    let client = body_of_len(
        json!({"legal_name": "Ann Example", "date_of_birth": "1990-01-01"}),
        "address",
        'a',
        len,
    );
    fx.expect("1.1 MiB client", 413, |api| {
        api.post_raw("/api/v1/clients", Some("application/json"), &client)
    });
    fx.finish();
    // Control: a 150 kB note (well under the default limit) is accepted.
    let id = fx
        .api
        .create_note(&fx.client_id, "progress", &"c".repeat(150_000));
    assert_eq!(
        fx.api.get_note(&id)["body"].as_str().map(str::len),
        Some(150_000)
    );
}

#[test]
fn unknown_and_non_uuid_ids_are_a_404_problem() {
    let fx = Fixture::new();
    let note_id = fx.api.create_note(&fx.client_id, "progress", "a note");
    let random = uuid::Uuid::new_v4().to_string();
    for path in [
        format!("/api/v1/clients/{random}"),
        "/api/v1/clients/not-a-uuid".to_string(),
        "/api/v1/clients/123".to_string(),
        format!("/api/v1/clients/{}", &random[..35]),
        format!("/api/v1/clients/{random}x"),
        "/api/v1/clients/%00".to_string(),
        "/api/v1/clients/%E2%98%83".to_string(),
        format!("/api/v1/notes/{random}"),
        "/api/v1/notes/not-a-uuid".to_string(),
        format!("/api/v1/clients/{random}/notes"),
        "/api/v1/clients/not-a-uuid/notes".to_string(),
        format!("/api/v1/clients/{note_id}/notes"),
        // An id of the other kind is not found either.
        format!("/api/v1/notes/{}", fx.client_id),
        format!("/api/v1/clients/{note_id}"),
    ] {
        fx.get_expect(&path, 404);
    }
    for client in [random.as_str(), "not-a-uuid", note_id.as_str()] {
        let path = format!("/api/v1/clients/{client}/notes");
        fx.expect(&format!("POST {path}"), 404, |api| {
            api.post_json(&path, &json!({"kind": "progress", "body": "orphan"}))
        });
    }
    fx.finish();
}

#[test]
fn requests_without_a_valid_token_are_a_401_problem_and_write_nothing() {
    let fx = Fixture::new();
    let note_id = fx.api.create_note(&fx.client_id, "progress", "a note");
    let token = fx.practice.token.clone();
    // Same length as the real token, last character changed.
    let mut flipped = token.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    let authorizations = [
        format!("Bearer cfd_{}", "0".repeat(32)),
        format!("Bearer {flipped}"),
        format!("Bearer {token}x"),
        format!("Bearer {}", &token[..token.len() - 1]),
        format!("Bearer {}", token.to_ascii_uppercase()),
        "Bearer ".to_string(),
        "Bearer".to_string(),
        "Bearer cfd_".to_string(),
        token.clone(),
        format!("Basic {token}"),
        format!("Token {token}"),
    ];
    let gets = [
        "/api/v1/clients".to_string(),
        format!("/api/v1/clients/{}", fx.client_id),
        format!("/api/v1/notes/{note_id}"),
        format!("/api/v1/clients/{}/notes", fx.client_id),
        // Unknown ids are 401 too, so a caller without a token learns nothing.
        format!("/api/v1/clients/{}", uuid::Uuid::new_v4()),
        "/api/v1/clients/not-a-uuid".to_string(),
    ];
    let anonymous = fx.server.anonymous();
    for path in &gets {
        fx.failures.problem(
            &format!("GET {path} without a token"),
            &anonymous.get(path),
            401,
        );
        for a in &authorizations {
            let r = anonymous.get_with_authorization(path, a);
            fx.failures
                .problem(&format!("GET {path} with Authorization {a:?}"), &r, 401);
        }
    }
    let wrong = fx.api.with_token(Some(&flipped));
    for (who, api) in [("no token", &anonymous), ("wrong token", &wrong)] {
        fx.expect(&format!("POST client with {who}"), 401, |_| {
            api.post_json("/api/v1/clients", &sample_client("Intruder"))
        });
        let path = fx.notes_path();
        fx.expect(&format!("POST note with {who}"), 401, |_| {
            api.post_json(&path, &json!({"kind": "progress", "body": "intruder"}))
        });
    }
    fx.finish();
    // Control: the real token still works.
    fx.api.get("/api/v1/clients").expect_status(200);
}

#[test]
fn posts_without_a_json_content_type_are_a_415_problem_and_write_nothing() {
    let fx = Fixture::new();
    let client = serde_json::to_vec(&sample_client("Ann Example")).unwrap();
    let note = serde_json::to_vec(&json!({"kind": "progress", "body": "text"})).unwrap();
    let path = fx.notes_path();
    for ct in [
        None,
        Some("text/plain"),
        Some("text/json"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=xyz"),
        Some("application/xml"),
        Some("application/octet-stream"),
        Some("application/jsonx"),
    ] {
        fx.expect(&format!("client with content-type {ct:?}"), 415, |api| {
            api.post_raw("/api/v1/clients", ct, &client)
        });
        fx.expect(&format!("note with content-type {ct:?}"), 415, |api| {
            api.post_raw(&path, ct, &note)
        });
    }
    fx.finish();
}

#[test]
fn unknown_routes_are_a_404_problem() {
    let fx = Fixture::new();
    for path in [
        "/",
        "/nope",
        "/api",
        "/api/v1",
        "/api/v1/",
        "/api/v2/clients",
        "/api/v1/clientz",
        "/api/v1/clients/x/y/z",
        "/healthz/extra",
        "/.env",
    ] {
        fx.get_expect(path, 404);
    }
    fx.failures.problem(
        "GET /nope without a token",
        &fx.server.anonymous().get("/nope"),
        404,
    );
    fx.finish();
}

#[test]
fn unsupported_methods_are_a_405_problem_and_change_nothing() {
    let fx = Fixture::new();
    let note_id = fx.api.create_note(&fx.client_id, "progress", "keep me");
    let client = format!("/api/v1/clients/{}", fx.client_id);
    let note = format!("/api/v1/notes/{note_id}");
    let notes = fx.notes_path();
    for (method, path) in [
        ("DELETE", client.as_str()),
        ("PATCH", client.as_str()),
        ("DELETE", "/api/v1/clients"),
        ("DELETE", notes.as_str()),
        ("PUT", notes.as_str()),
        ("DELETE", note.as_str()),
        ("PATCH", note.as_str()),
    ] {
        fx.expect(&format!("{method} {path}"), 405, |api| {
            api.send_method(method, path)
        });
    }
    fx.finish();
    // Nothing was deleted or changed.
    assert_eq!(
        fx.api.get_client(&fx.client_id)["legal_name"],
        "Fixture Client"
    );
    assert_eq!(fx.api.get_note(&note_id)["body"], "keep me");
    assert_eq!(fx.api.note_ids_of(&fx.client_id), vec![note_id]);
}

#[test]
fn bad_page_limits_and_cursors_are_a_400_problem() {
    let fx = Fixture::new();
    for query in [
        "limit=abc",
        "limit=-1",
        "limit=1.5",
        "limit=99999999999999999999999",
        "limit=",
        "limit=10&after=not-a-uuid",
    ] {
        fx.get_expect(&format!("/api/v1/clients?{query}"), 400);
    }
    fx.finish();
}

#[test]
fn client_pages_follow_next_until_null_and_return_every_client_once() {
    let fx = Fixture::new();
    for i in 0..4 {
        fx.api
            .create_client(&sample_client(&format!("Page Client {i}")));
    }
    let all = fx.api.client_ids();
    assert_eq!(all.len(), 5);
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10 {
        let path = match &after {
            None => "/api/v1/clients?limit=2".to_string(),
            Some(a) => format!("/api/v1/clients?limit=2&after={a}"),
        };
        let v = fx.api.get(&path).expect_status(200).json();
        let page = v["clients"].as_array().unwrap();
        assert!(
            page.len() <= 2,
            "GET {path}: {} clients on a page of 2",
            page.len()
        );
        seen.extend(page.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match &v["next"] {
            Value::Null => break,
            Value::String(n) => after = Some(n.clone()),
            other => panic!("GET {path}: bad next {other}"),
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        seen.len(),
        "a client was listed twice: {seen:?}"
    );
    assert_eq!(sorted, all, "pagination did not return every client");
    // The default page holds them all.
    let v = fx.api.get("/api/v1/clients").expect_status(200).json();
    assert_eq!(v["clients"].as_array().unwrap().len(), 5);
    assert!(v["next"].is_null());
}
