//! Episodes of care, appointments and the schedule, end to end against the real `confidant`
//! binary: the front desk books, moves and records attendance over HTTP while the biller is
//! refused; bad input is a 4xx problem that writes nothing; and no place, telehealth link, note
//! or reason ever reaches the data directory or the server's output in the clear.
//!
//! Times are built from the system clock (the server uses it too), rounded to whole minutes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

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

/// This minute, as whole minutes since the Unix epoch; each test takes it once, so times it
/// builds from it stay exactly as far apart as it says.
fn this_minute() -> i64 {
    i64::try_from(unix_now()).unwrap() / 60
}

/// The minute `minutes` after `now` (negative: before), as RFC 3339 in UTC.
fn at(now: i64, minutes: i64) -> String {
    let t = (now + minutes) * 60;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:00Z",
        secs / 3600,
        secs % 3600 / 60
    )
}

const DAY: i64 = 24 * 60;

fn appointment(starts_at: &str, place: &str) -> Value {
    json!({
        "starts_at": starts_at,
        "duration_minutes": 50,
        "service_code": "90834",
        "location": {"kind": "in_person", "place": place},
    })
}

/// `PATCH` with a JSON body as `caller` (the shared helpers send no PATCH with a body).
fn patch(caller: &Caller, path: &str, body: &Value) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .proxy(None)
        .build()
        .into();
    let mut rb = agent.patch(format!("{}{path}", caller.base));
    match &caller.credential {
        Credential::Anonymous => {}
        Credential::Bearer(t) => rb = rb.header("Authorization", format!("Bearer {t}")),
        Credential::Session { cookie } => rb = rb.header("Cookie", cookie),
    }
    if let Some(csrf) = &caller.csrf {
        rb = rb.header("X-CSRF-Token", csrf);
    }
    let mut r = rb
        .content_type("application/json")
        .send(serde_json::to_vec(body).unwrap().as_slice())
        .unwrap_or_else(|e| panic!("PATCH {path}: transport error: {e}"));
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let resp = Resp {
        method: "PATCH".into(),
        path: path.into(),
        status: r.status().as_u16(),
        content_type,
        body: r.body_mut().read_to_string().unwrap(),
    };
    assert!(
        resp.status < 500,
        "PATCH {path} → {} {:?}",
        resp.status,
        resp.body
    );
    resp
}

/// The ids in a `{"appointments": [...]}` answer, in order.
fn appointment_ids(v: &Value) -> Vec<String> {
    v["appointments"]
        .as_array()
        .unwrap_or_else(|| panic!("no `appointments` array in {v}"))
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// `GET /api/v1/schedule` from a day before `now` to three days after.
fn schedule_path(now: i64) -> String {
    format!(
        "/api/v1/schedule?from={}&to={}",
        at(now, -DAY),
        at(now, 3 * DAY)
    )
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
fn the_front_desk_schedules_over_http_and_the_biller_is_refused() {
    let now = this_minute();
    let (_practice, server, owner) = start();
    let base = &server.base_url;
    let desk = sign_in(base, &hire(&owner, "front_desk"));
    let biller = sign_in(base, &hire(&owner, "biller"));
    let client = desk.create_client("Nia Example");

    let r = desk.post(
        &format!("/api/v1/clients/{client}/episodes"),
        &json!({"reason": "self-referred"}),
    );
    r.expect_json(201);
    let episode = created_id(&r);

    // One next week; one that began two hours ago, given by its end.
    let later = at(now, 7 * DAY);
    let r = desk.post(
        &format!("/api/v1/clients/{client}/appointments"),
        &appointment(&later, "Room 2"),
    );
    r.expect_json(201);
    let next_week = created_id(&r);
    let r = desk.post(
        &format!("/api/v1/clients/{client}/appointments"),
        &json!({
            "starts_at": at(now, -120),
            "ends_at": at(now, -40),
            "service_code": "h0004",
            "location": {"kind": "telehealth", "link": "https://video.example/r/77"},
        }),
    );
    r.expect_json(201);
    let earlier = created_id(&r);

    let a = desk
        .get(&format!("/api/v1/appointments/{next_week}"))
        .expect_json(200);
    assert_eq!(a["client_id"], json!(client));
    assert_eq!(a["episode_id"], json!(episode), "joins the open episode");
    assert_eq!(a["starts_at"], json!(later));
    assert_eq!(a["duration_minutes"], 50);
    assert_eq!(a["attendance"], "scheduled");
    assert_eq!(
        a["location"],
        json!({"kind": "in_person", "place": "Room 2"})
    );
    let b = desk
        .get(&format!("/api/v1/appointments/{earlier}"))
        .expect_json(200);
    assert_eq!(
        (b["duration_minutes"].as_u64(), b["service_code"].as_str()),
        (Some(80), Some("H0004"))
    );

    // Attendance only once it has started; moving only while scheduled.
    let p = patch(
        &desk,
        &format!("/api/v1/appointments/{next_week}"),
        &json!({"attendance": "attended"}),
    );
    assert_eq!(p.expect_problem(422)["field"], "attendance");
    let attended = patch(
        &desk,
        &format!("/api/v1/appointments/{earlier}"),
        &json!({"attendance": "attended", "note": "arrived late"}),
    )
    .expect_json(200);
    assert_eq!(
        (attended["attendance"].as_str(), attended["note"].as_str()),
        (Some("attended"), Some("arrived late"))
    );
    let moved_to = at(now, 8 * DAY);
    let moved = patch(
        &desk,
        &format!("/api/v1/appointments/{next_week}"),
        &json!({"starts_at": moved_to, "duration_minutes": 80}),
    )
    .expect_json(200);
    assert_eq!(moved["starts_at"], json!(moved_to));
    let p = patch(
        &desk,
        &format!("/api/v1/appointments/{earlier}"),
        &json!({"starts_at": moved_to}),
    );
    assert_eq!(p.expect_problem(422)["field"], "starts_at");

    let listed = desk
        .get(&format!("/api/v1/clients/{client}/appointments"))
        .expect_json(200);
    assert_eq!(
        appointment_ids(&listed),
        [earlier.clone(), next_week.clone()]
    );
    let week = desk.get(&schedule_path(now)).expect_json(200);
    assert_eq!(
        appointment_ids(&week),
        std::slice::from_ref(&earlier),
        "next week is outside the window"
    );

    // The biller sees neither appointments nor the schedule, and cannot book.
    for r in [
        biller.post(
            &format!("/api/v1/clients/{client}/appointments"),
            &appointment(&later, "Room 3"),
        ),
        biller.get(&format!("/api/v1/appointments/{earlier}")),
        biller.get(&format!("/api/v1/clients/{client}/appointments")),
        biller.get(&schedule_path(now)),
        patch(
            &biller,
            &format!("/api/v1/appointments/{next_week}"),
            &json!({"attendance": "cancelled"}),
        ),
    ] {
        r.expect_problem(403);
    }
    let after = desk
        .get(&format!("/api/v1/appointments/{next_week}"))
        .expect_json(200);
    assert_eq!(after["attendance"], "scheduled");

    // The episode closes once.
    let closed = desk
        .post(&format!("/api/v1/episodes/{episode}/close"), &json!({}))
        .expect_json(200);
    assert!(closed["closed_on"].is_string(), "{closed}");
    let again = desk.post(&format!("/api/v1/episodes/{episode}/close"), &json!({}));
    assert_eq!(again.expect_problem(422)["field"], "closed_on");
    let episodes = desk
        .get(&format!("/api/v1/clients/{client}/episodes"))
        .expect_json(200);
    assert_eq!(episodes["episodes"][0]["id"], json!(episode));
    assert_eq!(episodes["episodes"][0]["reason"], "self-referred");
}

#[test]
fn bad_appointment_requests_are_4xx_problems_and_write_nothing() {
    let now = this_minute();
    let (practice, _server, owner) = start();
    let client = owner.create_client("Oli Example");
    let path = format!("/api/v1/clients/{client}/appointments");
    let start = at(now, DAY);
    let with = |field: &str, value: Value| {
        let mut body = appointment(&start, "Room 1");
        body[field] = value;
        body
    };
    let failures = Failures::default();
    let refuse = |what: &str, body: Value, status: u16, field: Option<&str>| {
        let r = owner.post(&path, &body);
        failures.problem(what, &r, status);
        if let (Some(field), 422) = (field, r.status) {
            failures.check(r.json()["field"] == json!(field), || {
                format!("[{what}] expected field {field}: {}", r.body)
            });
        }
    };
    for minutes in [0, 4, 481, 65_535, 70_000, -50] {
        refuse(
            &format!("duration {minutes}"),
            with("duration_minutes", json!(minutes)),
            422,
            Some("duration_minutes"),
        );
    }
    refuse(
        "duration as text",
        with("duration_minutes", json!("50")),
        422,
        None,
    );
    refuse(
        "duration and end",
        with("ends_at", json!(at(now, DAY + 50))),
        422,
        Some("ends_at"),
    );
    let mut ends_first = with("ends_at", json!(at(now, DAY - 10)));
    ends_first
        .as_object_mut()
        .unwrap()
        .remove("duration_minutes");
    refuse("end before start", ends_first, 422, Some("ends_at"));
    let mut neither = appointment(&start, "Room 1");
    neither.as_object_mut().unwrap().remove("duration_minutes");
    refuse(
        "no duration, no end",
        neither,
        422,
        Some("duration_minutes"),
    );
    for code in ["9083", "908345", "90834-95", "", "ABCDEFGHIJK"] {
        refuse(
            &format!("service code {code:?}"),
            with("service_code", json!(code)),
            422,
            Some("service_code"),
        );
    }
    refuse(
        "start in words",
        with("starts_at", json!("tomorrow at nine")),
        422,
        Some("starts_at"),
    );
    refuse(
        "start a century away",
        with("starts_at", json!("2126-01-05T09:00:00Z")),
        422,
        Some("starts_at"),
    );
    refuse(
        "plain-http telehealth link",
        with(
            "location",
            json!({"kind": "telehealth", "link": "http://video.example/r/1"}),
        ),
        422,
        Some("location"),
    );
    refuse(
        "unknown location kind",
        with("location", json!({"kind": "phone"})),
        422,
        None,
    );
    refuse("unknown field", with("room", json!(7)), 422, None);
    refuse(
        "somebody's episode",
        with("episode", json!(uuid::Uuid::new_v4().to_string())),
        422,
        Some("episode"),
    );
    let r = owner.send("POST", &path, None).resp;
    failures.problem("no body", &r, 415);
    let unknown = format!("/api/v1/clients/{}/appointments", uuid::Uuid::new_v4());
    failures.problem(
        "unknown client",
        &owner.post(&unknown, &appointment(&start, "Room 1")),
        404,
    );
    failures.check(rows_in(&practice, "appointments") == 0, || {
        "a refused booking wrote an appointment".into()
    });

    // A change that breaks a rule changes nothing.
    let r = owner.post(&path, &appointment(&start, "Room 1"));
    r.expect_json(201);
    let one = format!("/api/v1/appointments/{}", created_id(&r));
    let before = owner.get(&one).expect_json(200);
    for (what, body, status) in [
        ("empty change", json!({}), 422),
        ("zero duration", json!({"duration_minutes": 0}), 422),
        ("absurd duration", json!({"duration_minutes": 65_535}), 422),
        ("unknown attendance", json!({"attendance": "maybe"}), 422),
        (
            "attendance before start",
            json!({"attendance": "no_show"}),
            422,
        ),
        ("unknown field", json!({"ends_at": at(now, DAY + 50)}), 422),
    ] {
        failures.problem(what, &patch(&owner, &one, &body), status);
    }
    failures.problem(
        "unknown appointment",
        &patch(
            &owner,
            &format!("/api/v1/appointments/{}", uuid::Uuid::new_v4()),
            &json!({"note": "x"}),
        ),
        404,
    );
    let after = owner.get(&one).expect_json(200);
    failures.check(before == after, || format!("changed: {before} → {after}"));

    // Schedule windows.
    let from = at(now, 0);
    for (what, query, status, field) in [
        ("no window", String::new(), 400, None),
        ("no end", format!("?from={from}"), 400, None),
        (
            "unknown parameter",
            format!("?from={from}&to={from}&clinician=1"),
            400,
            None,
        ),
        (
            "unreadable start",
            format!("?from=monday&to={from}"),
            400,
            Some("from"),
        ),
        (
            "unencoded plus",
            "?from=2026-03-02T09:00:00+01:00&to=2026-03-03T09:00:00+01:00".into(),
            400,
            Some("from"),
        ),
        (
            "empty window",
            format!("?from={from}&to={from}"),
            422,
            Some("to"),
        ),
        (
            "32 days",
            format!("?from={from}&to={}", at(now, 32 * DAY)),
            422,
            Some("to"),
        ),
    ] {
        let r = owner.get(&format!("/api/v1/schedule{query}"));
        failures.problem(what, &r, status);
        if let Some(field) = field {
            failures.check(r.json()["field"] == json!(field), || {
                format!("[{what}] {}", r.body)
            });
        }
    }
    let encoded = owner
        .get("/api/v1/schedule?from=2026-03-02T09:00:00%2B01:00&to=2026-03-03T09:00:00%2B01:00")
        .expect_json(200);
    failures.check(encoded["appointments"].is_array(), || encoded.to_string());
    failures.check(rows_in(&practice, "appointments") == 1, || {
        "one appointment".into()
    });
    failures.assert_none();
}

#[test]
fn places_links_notes_and_reasons_never_reach_the_data_directory_or_the_logs() {
    let now = this_minute();
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
    let desk = sign_in(&server.base_url, &hire(&owner, "front_desk"));
    let marker = |kind: &str| format!("{kind}MARK{}", random_hex(12));
    let (place, link, note, changed, reason, refused) = (
        marker("PLACE"),
        marker("LINK"),
        marker("NOTE"),
        marker("CHANGED"),
        marker("REASON"),
        marker("REFUSED"),
    );
    let markers = vec![
        place.clone(),
        link.clone(),
        note.clone(),
        changed.clone(),
        reason.clone(),
        refused.clone(),
    ];

    let client = desk.create_client("Pat Example");
    let r = desk.post(
        &format!("/api/v1/clients/{client}/episodes"),
        &json!({"reason": reason}),
    );
    r.expect_json(201);
    let episode = created_id(&r);
    let path = format!("/api/v1/clients/{client}/appointments");
    let mut in_person = appointment(&at(now, 60), &place);
    in_person["note"] = json!(note);
    let r = desk.post(&path, &in_person);
    r.expect_json(201);
    let first = created_id(&r);
    let mut video = appointment(&at(now, 180), "unused");
    video["location"] =
        json!({"kind": "telehealth", "link": format!("https://video.example/{link}")});
    let r = desk.post(&path, &video);
    r.expect_json(201);
    let second = created_id(&r);
    patch(
        &desk,
        &format!("/api/v1/appointments/{second}"),
        &json!({"note": changed}),
    )
    .expect_json(200);
    // A refused booking carrying a marker: the problem does not quote it either.
    let mut bad = appointment(&at(now, 60), &refused);
    bad["duration_minutes"] = json!(0);
    let r = desk.post(&path, &bad);
    r.expect_problem(422);
    assert_no_hits(
        "the refusal",
        &scan("422 body", r.body.as_bytes(), &markers),
    );

    // Everything reads back in the clear through the API.
    let one = desk
        .get(&format!("/api/v1/appointments/{first}"))
        .expect_json(200);
    assert_eq!(
        (one["location"]["place"].as_str(), one["note"].as_str()),
        (Some(place.as_str()), Some(note.as_str()))
    );
    let listed = desk.get(&path).expect_json(200).to_string();
    for m in [&place, &link, &note, &changed] {
        assert!(listed.contains(m.as_str()), "{m} listed");
    }
    let schedule = desk.get(&schedule_path(now)).expect_json(200);
    assert_eq!(appointment_ids(&schedule), [first, second]);
    let episodes = desk
        .get(&format!("/api/v1/clients/{client}/episodes"))
        .expect_json(200);
    assert_eq!(episodes["episodes"][0]["reason"], json!(reason));
    desk.post(&format!("/api/v1/episodes/{episode}/close"), &json!({}))
        .expect_json(200);

    // The audit log as served holds ids only.
    let audit = owner.get("/api/v1/audit?limit=1000");
    audit.expect_json(200);
    for action in [
        "appointment.create",
        "appointment.update",
        "appointment.list",
        "episode.close",
    ] {
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
    assert_no_hits("appointment markers", &hits);
}
