//! Request extractors that fail with problem documents: JSON bodies, query strings, bearer
//! tokens and ids.
//!
//! Serde's own messages can quote the offending value (which may be client content), so they
//! are rewritten to name the field and the expectation only.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::problem::Problem;

/// A JSON request body of type `T`, or a 400/413/415/422 problem.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

fn is_json(parts_ct: Option<&str>) -> bool {
    let Some(ct) = parts_ct else { return false };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if !is_json(ct) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let limit = state.max_body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "Request too large",
                    format!(
                        "the request body is over the limit of {limit} bytes; nothing was written"
                    ),
                )
            } else {
                Problem::bad_request("the request body could not be read; send it again")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, turning serde's errors into content-free problems.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // Syntax first, over the whole body, so "not JSON" (400) never depends on where the first
    // type error (422) happens to sit. JSON is UTF-8 (RFC 8259), strings included.
    if std::str::from_utf8(bytes).is_err() {
        return Err(Problem::bad_request(
            "the request body is not valid UTF-8; send JSON encoded as UTF-8",
        ));
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| {
        Problem::bad_request(format!(
            "the request body is not valid JSON (at line {} column {})",
            e.line(),
            e.column()
        ))
    })?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Problem::unprocessable(describe_data_error(&path, &e.into_inner()))
    })?;
    Ok(value)
}

/// Rewrites a serde data error without any quoted input value.
fn describe_data_error(path: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or_default();
    let expected = msg.find("expected").map(|i| &msg[i..]);
    let field = if path == "." {
        "the body".to_owned()
    } else {
        format!("`{path}`")
    };
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("missing required field {rest}");
    }
    if msg.starts_with("unknown field") {
        // The path names the unknown key itself, which the caller chose: leave it out.
        return format!(
            "unknown field in the body; {}",
            expected.unwrap_or("remove it")
        );
    }
    let what = if msg.starts_with("invalid type") {
        "has the wrong type"
    } else if msg.starts_with("unknown variant") {
        "is not one of the allowed values"
    } else {
        "has an invalid value"
    };
    match expected {
        Some(exp) => format!("{field} {what}; {exp}"),
        None => format!("{field} {what}"),
    }
}

/// Parses an id from a path segment; anything that is not an id is simply not found.
pub(crate) fn path_id<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<T, Problem> {
    parse(text).ok_or_else(|| Problem::not_found(format!("no such {what}; check the id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
        count: u32,
    }

    fn detail(body: &str) -> (u16, String) {
        let p = parse_json::<Shape>(body.as_bytes()).unwrap_err();
        (p.status, p.detail)
    }

    #[test]
    fn data_errors_never_quote_the_value_sent() {
        let (status, d) = detail(r#"{"name": 5, "count": 1}"#);
        assert_eq!(status, 422);
        assert!(d.contains("`name` has the wrong type"), "{d}");
        let (status, d) = detail(r#"{"name": "x", "count": "SecretWord"}"#);
        assert_eq!(status, 422);
        assert!(!d.contains("SecretWord"), "{d}");
        let (_, d) = detail(r#"{"name": "x", "count": 1, "SecretKey": 1}"#);
        assert!(
            !d.contains("SecretKey") && d.starts_with("unknown field"),
            "{d}"
        );
        let (_, d) = detail(r#"{"name": "x"}"#);
        assert_eq!(d, "missing required field `count`");
    }

    #[test]
    fn well_formed_json_of_the_wrong_shape_is_unprocessable_wherever_the_error_sits() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct WithEnum {
            kind: Kind,
        }
        for body in [r#"{"kind": 1}"#, r#"{"kind": null}"#, r#"{"kind": ["A"]}"#] {
            assert_eq!(
                parse_json::<WithEnum>(body.as_bytes()).unwrap_err().status,
                422,
                "{body}"
            );
        }
        assert_eq!(detail(r#"{"name": "x", "name": "y", "count": 1}"#).0, 422);
    }

    #[test]
    fn malformed_json_is_a_bad_request_even_after_a_shape_error() {
        assert_eq!(detail(r#"{"unknown": 1, "#).0, 400);
        assert_eq!(detail(&"[".repeat(100_000)).0, 400);
        let bad_utf8 = b"{\"name\": \"\xff\", \"count\": 1}";
        assert_eq!(parse_json::<Shape>(bad_utf8).unwrap_err().status, 400);
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        assert_eq!(detail(r#"{"name": "x", "#).0, 400);
        assert_eq!(detail("").0, 400);
        assert_eq!(detail("not json").0, 400);
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }
}
