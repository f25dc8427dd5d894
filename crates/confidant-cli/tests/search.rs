//! Search over HTTP: finds names and note text the caller may read, refuses bad parameters, and
//! the in-memory index leaves nothing on disk (the canary extended to the index).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;

#[test]
fn search_finds_names_and_note_text_and_the_index_never_reaches_disk() {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let api = server.api(&practice.token);
    let name_marker = format!("Zqname{}", random_hex(10));
    let note_marker = format!("zqnote{}", random_hex(10));
    let client = api.create_client(&sample_client(&format!("Ada {name_marker}")));
    let note = api.create_note(
        &client,
        "progress",
        &format!("talked about {note_marker} today"),
    );

    let by_name = api
        .get(&format!("/api/v1/search?q={name_marker}"))
        .expect_json(200);
    assert_eq!(by_name["results"][0]["kind"], "client_name", "{by_name}");
    assert_eq!(by_name["results"][0]["client_id"], client.as_str());
    // Type-ahead: a prefix of the last word finds it too.
    let prefix = &note_marker[..note_marker.len() - 3];
    let by_text = api
        .get(&format!("/api/v1/search?q=talked+{prefix}"))
        .expect_json(200);
    assert_eq!(by_text["results"][0]["note_id"], note.as_str(), "{by_text}");
    let nothing = api
        .get("/api/v1/search?q=neverwrittenanywhere")
        .expect_json(200);
    assert_eq!(nothing["results"].as_array().unwrap().len(), 0);

    for bad in [
        "/api/v1/search",
        "/api/v1/search?q=x&limit=0",
        "/api/v1/search?q=x&limit=101",
        "/api/v1/search?q=x&sort=1",
    ] {
        api.get(bad).expect_problem(400);
    }
    server
        .anonymous()
        .get("/api/v1/search?q=ada")
        .expect_problem(401);
    let hits = api.get("/api/v1/audit?action=search").expect_json(200);
    assert!(
        !hits["events"].as_array().unwrap().is_empty(),
        "searches are audited"
    );

    let logs = server.stop();
    let markers = vec![
        name_marker.clone(),
        note_marker.clone(),
        name_marker.to_lowercase(),
    ];
    assert_no_hits(
        "data directory after searching",
        &scan_dir(&practice.data_dir, &markers),
    );
    let mut out = logs.stdout_text().into_bytes();
    out.extend(logs.stderr_text().into_bytes());
    assert_no_hits("server output", &scan("server output", &out, &markers));
}
