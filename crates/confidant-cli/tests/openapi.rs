//! The OpenAPI document, end to end against the real `confidant` binary: served without
//! credentials at `/api/v1/openapi.json`, it is OpenAPI 3.x JSON, and every operation it
//! documents is one the binary routes with that method (an anonymous call is refused for want
//! of credentials or input, never answered "no such route" or "method not allowed").
//! The converse, that every served route is documented, is checked against the router itself in
//! confidant-server's `openapi` unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::json;

/// Stands in for every id in a documented path: well-formed, and no one's.
const NIL: &str = "00000000-0000-4000-8000-000000000000";

/// Reads that answer without credentials: this document and the health check.
const ANSWERED_ANONYMOUSLY: &[&str] = &["/api/v1/openapi.json", "/healthz"];

#[test]
fn the_document_is_served_without_credentials_and_every_operation_in_it_is_routed() {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let anonymous = server.anonymous();
    let doc = anonymous.get("/api/v1/openapi.json").expect_json(200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "Confidant");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", NIL).replace("{user}", NIL);
        assert!(
            !concrete.contains('{'),
            "a path parameter this test does not know: {path}"
        );
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let resp = match method.as_str() {
                "GET" => anonymous.get(&concrete),
                "POST" => anonymous.post_json(&concrete, &json!({})),
                other => anonymous.send_method(other, &concrete),
            };
            let kind = resp.json()["type"].as_str().unwrap_or_default().to_owned();
            assert!(
                resp.status != 405 && kind != "urn:confidant:problem:not-found",
                "{method} {path} is documented but not routed: {} {}",
                resp.status,
                resp.body
            );
            if !ANSWERED_ANONYMOUSLY.contains(&path.as_str()) {
                assert!(
                    (400..500).contains(&resp.status),
                    "an anonymous, empty {method} {path} must be refused: {}",
                    resp.status
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} operations documented");
    server.stop();
}
