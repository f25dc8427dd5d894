//! PHQ-9 and GAD-7 assessments end to end against the real `confidant` binary: recorded over
//! HTTP and read back scored (total, band, self-harm flag); bad answers, counts and dates are
//! 4xx problems naming the field that write nothing; the biller and the front desk are refused
//! and a clinician off the care team cannot tell an assessment from a nonexistent one; every
//! access is audited; and no comment reaches the data directory or the server's output in the
//! clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

/// Days since 1970-01-01 → `YYYY-MM-DD`, proleptic Gregorian (H. Hinnant's algorithm).
fn ymd_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The UTC day `offset` days from today, as `YYYY-MM-DD`.
fn day(offset: i64) -> String {
    ymd_from_days(i64::try_from(unix_now()).unwrap() / 86_400 + offset)
}

fn phq9(items: &[i64]) -> Value {
    json!({"instrument": "phq9", "items": items})
}

fn gad7(items: &[i64]) -> Value {
    json!({"instrument": "gad7", "items": items})
}

/// The ids in a `{"assessments": [...]}` answer, in order.
fn assessment_ids(v: &Value) -> Vec<String> {
    v["assessments"]
        .as_array()
        .unwrap_or_else(|| panic!("no `assessments` array in {v}"))
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// Rows in a table of the live database (read-only; the server keeps running).
fn rows_in(practice: &Practice, table: &str) -> i64 {
    let db = rusqlite::Connection::open_with_flags(
        practice.data_dir.join("confidant.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn assessments_round_trip_over_http_scored_with_their_band_and_flag_and_are_audited() {
    let (_practice, server, owner) = start();
    let me = owner.whoami()["id"].clone();
    let client = owner.create_client("Ada Example");
    let path = format!("/api/v1/clients/{client}/assessments");

    let mut body = phq9(&[3, 3, 2, 2, 2, 1, 1, 1, 1]);
    body["difficulty"] = json!(2);
    body["administered_on"] = json!(day(-7));
    let r = owner.post(&path, &body);
    r.expect_json(201);
    let depression = created_id(&r);
    let r = owner.post(&path, &gad7(&[1, 1, 1, 1, 0, 0, 0]));
    r.expect_json(201);
    let anxiety = created_id(&r);

    let a = owner
        .get(&format!("/api/v1/assessments/{depression}"))
        .expect_json(200);
    assert_eq!(a["id"], json!(depression));
    assert_eq!(a["client_id"], json!(client));
    assert_eq!(a["instrument"], "phq9");
    assert_eq!(a["items"], json!([3, 3, 2, 2, 2, 1, 1, 1, 1]));
    assert_eq!(a["difficulty"], 2);
    assert_eq!(a["total"], 16);
    assert_eq!(a["severity"], "moderately_severe");
    assert_eq!(a["self_harm_flag"], true);
    assert_eq!(a["administered_on"], json!(day(-7)));
    assert_eq!(a["author"], me);
    assert_eq!(a["episode_id"], Value::Null);

    let listed = owner.get(&path).expect_json(200);
    assert_eq!(
        assessment_ids(&listed),
        [depression.clone(), anxiety.clone()],
        "by the day given"
    );
    let second = &listed["assessments"][1];
    assert_eq!(
        (
            second["total"].as_u64(),
            second["severity"].as_str(),
            second["self_harm_flag"].as_bool()
        ),
        (Some(4), Some("minimal"), Some(false))
    );
    assert_eq!(second["administered_on"], json!(day(0)), "today by default");

    // Every access is in the audit log, by id.
    let resources = |action: &str| -> Vec<String> {
        owner
            .audit_events(&format!("action={action}"))
            .iter()
            .map(|e| e["resource_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        resources("assessment.create"),
        [depression.clone(), anxiety.clone()]
    );
    assert_eq!(
        resources("assessment.read"),
        std::slice::from_ref(&depression)
    );
    assert_eq!(resources("assessment.list"), [depression, anxiety]);
    let _ = server.stop();
}

#[test]
fn bad_assessments_are_4xx_problems_naming_the_field_and_write_nothing() {
    let (practice, _server, owner) = start();
    let client = owner.create_client("Ben Example");
    let other = owner.create_client("Cy Example");
    let path = format!("/api/v1/clients/{client}/assessments");
    let r = owner.post(&format!("/api/v1/clients/{other}/episodes"), &json!({}));
    r.expect_json(201);
    let their_episode = created_id(&r);
    let with = |field: &str, value: Value| {
        let mut body = phq9(&[1; 9]);
        body[field] = value;
        body
    };
    let failures = Failures::default();
    let refuse = |what: &str, body: Value, status: u16, field: Option<&str>| {
        let r = owner.post(&path, &body);
        failures.problem(what, &r, status);
        if let Some(field) = field {
            failures.check(r.json()["field"] == json!(field), || {
                format!("[{what}] expected field {field}: {}", r.body)
            });
        }
    };
    refuse("eight PHQ-9 answers", phq9(&[1; 8]), 422, Some("items"));
    refuse("ten PHQ-9 answers", phq9(&[1; 10]), 422, Some("items"));
    refuse("nine GAD-7 answers", gad7(&[1; 9]), 422, Some("items"));
    refuse("no answers", phq9(&[]), 422, Some("items"));
    refuse(
        "an answer of 4",
        phq9(&[0, 0, 0, 0, 4, 0, 0, 0, 0]),
        422,
        Some("items"),
    );
    refuse(
        "a negative answer",
        gad7(&[0, 0, -1, 0, 0, 0, 0]),
        422,
        Some("items"),
    );
    refuse(
        "an answer of 300",
        gad7(&[0, 0, 300, 0, 0, 0, 0]),
        422,
        Some("items"),
    );
    refuse(
        "difficulty 7",
        with("difficulty", json!(7)),
        422,
        Some("difficulty"),
    );
    refuse(
        "given the day after tomorrow",
        with("administered_on", json!(day(2))),
        422,
        Some("administered_on"),
    );
    refuse(
        "given eleven years ago",
        with("administered_on", json!(day(-11 * 366))),
        422,
        Some("administered_on"),
    );
    refuse(
        "a date in words",
        with("administered_on", json!("last tuesday")),
        422,
        Some("administered_on"),
    );
    refuse(
        "somebody else's episode",
        with("episode", json!(their_episode)),
        422,
        Some("episode"),
    );
    refuse(
        "an unknown episode",
        with("episode", json!(uuid::Uuid::new_v4().to_string())),
        422,
        Some("episode"),
    );
    refuse(
        "an unknown instrument",
        with("instrument", json!("bdi2")),
        422,
        None,
    );
    refuse(
        "answers as text",
        with("items", json!("111111111")),
        422,
        None,
    );
    refuse(
        "a fractional answer",
        json!({"instrument": "phq9", "items": [1, 1, 1, 1, 1.5, 1, 1, 1, 1]}),
        422,
        None,
    );
    refuse("an unknown field", with("total", json!(9)), 422, None);
    refuse(
        "an overlong comment",
        with("comment", json!("x".repeat(2001))),
        422,
        Some("comment"),
    );
    let r = owner.send("POST", &path, None).resp;
    failures.problem("no body", &r, 415);
    let unknown = format!("/api/v1/clients/{}/assessments", uuid::Uuid::new_v4());
    failures.problem(
        "an unknown client",
        &owner.post(&unknown, &phq9(&[1; 9])),
        404,
    );
    failures.problem(
        "an unknown assessment",
        &owner.get(&format!("/api/v1/assessments/{}", uuid::Uuid::new_v4())),
        404,
    );
    failures.problem(
        "not an id",
        &owner.get("/api/v1/assessments/not-an-id"),
        404,
    );

    let listed = owner.get(&path).expect_json(200);
    failures.check(assessment_ids(&listed).is_empty(), || {
        format!("a refused assessment was listed: {listed}")
    });
    failures.check(rows_in(&practice, "assessments") == 0, || {
        "a refused assessment was written".into()
    });
    failures.check(
        owner.audit_events("action=assessment.create").is_empty(),
        || "a refused assessment was audited as created".into(),
    );
    failures.assert_none();
}

#[test]
fn the_biller_and_front_desk_are_refused_and_a_clinician_off_the_team_sees_no_difference() {
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let client = owner.create_client("Dee Example");
    let path = format!("/api/v1/clients/{client}/assessments");
    let r = owner.post(&path, &phq9(&[2; 9]));
    r.expect_json(201);
    let id = created_id(&r);
    let one = format!("/api/v1/assessments/{id}");
    let nowhere = format!("/api/v1/assessments/{}", uuid::Uuid::new_v4());

    for role in ["biller", "front_desk"] {
        let staff = sign_in(base, &hire(&owner, role));
        // They know who the client is; the answers are clinical record, not theirs to see.
        staff
            .get(&format!("/api/v1/clients/{client}"))
            .expect_json(200);
        let refused = staff.get(&one).expect_problem(403);
        let body = refused.to_string();
        for leaked in ["total", "severity", "items", "phq9"] {
            assert!(!body.contains(leaked), "[{role}] {body}");
        }
        staff.get(&nowhere).expect_problem(404);
        staff.get(&path).expect_problem(403);
        staff.post(&path, &phq9(&[0; 9])).expect_problem(403);
    }

    // Off the care team the client does not exist: the assessment answers as no assessment.
    let clinician = sign_in(base, &hire(&owner, "clinician"));
    let hidden = clinician.get(&one).expect_problem(404);
    let missing = clinician.get(&nowhere).expect_problem(404);
    assert_eq!(hidden, missing);
    clinician.get(&path).expect_problem(404);
    clinician.post(&path, &phq9(&[0; 9])).expect_problem(404);

    let listed = owner.get(&path).expect_json(200);
    assert_eq!(assessment_ids(&listed), [id]);
    let denied = owner.audit_events("action=access.denied");
    assert!(denied.len() >= 9, "{} denials audited", denied.len());
    for action in ["assessment.read", "assessment.list"] {
        let by_others = owner
            .audit_events(&format!("action={action}"))
            .iter()
            .filter(|e| e["role"] != "owner")
            .count();
        assert_eq!(by_others, 0, "{action} by someone refused");
    }
    let _ = server.stop();
}

#[test]
fn assessment_comments_never_reach_the_data_directory_or_the_logs() {
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
    let owner = Caller::bearer(&server.base_url, &practice.token);
    let marker = |kind: &str| format!("{kind}MARK{}", random_hex(12));
    let (comment, refused) = (marker("ASSESSMENTCOMMENT"), marker("REFUSEDCOMMENT"));
    let markers = vec![comment.clone(), refused.clone()];

    let client = owner.create_client("Eve Example");
    let path = format!("/api/v1/clients/{client}/assessments");
    let mut body = gad7(&[2, 2, 2, 2, 2, 2, 2]);
    body["comment"] = json!(comment);
    let r = owner.post(&path, &body);
    r.expect_json(201);
    let id = created_id(&r);
    // A refused assessment carrying a marker: the problem does not quote it either.
    let mut bad = phq9(&[9; 9]);
    bad["comment"] = json!(refused);
    let r = owner.post(&path, &bad);
    r.expect_problem(422);
    assert_no_hits(
        "the refusal",
        &scan("422 body", r.body.as_bytes(), &markers),
    );

    // It reads back in the clear through the API, scored.
    let a = owner
        .get(&format!("/api/v1/assessments/{id}"))
        .expect_json(200);
    assert_eq!(a["comment"], json!(comment));
    assert_eq!(
        (a["total"].as_u64(), a["severity"].as_str()),
        (Some(14), Some("moderate"))
    );
    let listed = owner.get(&path).expect_json(200).to_string();
    assert!(listed.contains(&comment), "listed with its comment");

    // The audit log as served holds ids only.
    let audit = owner.get("/api/v1/audit?limit=1000");
    audit.expect_json(200);
    for action in ["assessment.create", "assessment.read", "assessment.list"] {
        assert!(audit.body.contains(action), "{action} audited");
    }
    assert_no_hits(
        "GET /api/v1/audit",
        &scan("audit", audit.body.as_bytes(), &markers),
    );

    // Nothing on disk, in the server's temp directory, or in what it printed.
    let logs = server.stop();
    let mut hits = scan_dir(&practice.data_dir, &markers);
    hits.extend(scan_dir(tmp.path(), &markers));
    hits.extend(scan("stdout", &logs.stdout, &markers));
    hits.extend(scan("stderr", &logs.stderr, &markers));
    assert_no_hits("assessment markers", &hits);
}
