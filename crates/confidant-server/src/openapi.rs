//! The OpenAPI 3.1 document of the API, generated from the handlers and served at
//! `GET /api/v1/openapi.json` (no authentication: it describes shapes, never data).
//!
//! Each documented route is registered together with its documentation (utoipa-axum's
//! `routes!`), so a route cannot be served under one path and documented under another. The
//! document must never carry client data: examples are synthetic ids and fixed times only.
//!
//! To document a route:
//! 1. annotate its handler with `#[utoipa::path(...)]`: method, path, `params`, `request_body`,
//!    `responses` (success, then [`AuthProblems`], [`BodyProblems`] and single problems such
//!    as `(status = 404, response = NotFound)`), `security` and `tag`; a read takes
//!    `security(("bearer" = []), ("session" = []))`, a change
//!    `security(("bearer" = []), ("session" = [], "csrf" = []))`; derive `utoipa::ToSchema` on
//!    its body types (`IntoParams` on query structs);
//! 2. register it in its file's `api()` with `.routes(routes!(handler))` instead of
//!    `.route(path, get(handler))` (handlers sharing a path go in one `routes!`);
//! 3. for a new file, add its `api()` to [`documented`], the one list of documented routes, and
//!    take its routes off `NOT_YET_DOCUMENTED` in the tests below.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use confidant_core::ids::{AppointmentId, AssessmentId, AttachmentId, EpisodeId};
use confidant_core::{ActorId, ClientId, NoteId, PasskeyId, TokenId};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::{PROBLEM_JSON, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confidant",
        description = "Clinical records for therapy practices. JSON under `/api/v1`; every \
            error is an RFC 9457 problem document (`application/problem+json`). Authenticate \
            with a personal API token (`Authorization: Bearer`) or a browser session (the \
            session cookie, plus `X-CSRF-Token` on every change). Requests that open a \
            client's record may name their purpose of use in `Confidant-Purpose` (treatment \
            when absent)."
    ),
    modifiers(&Components),
    tags(
        (name = "auth", description = "Sign-in, sign-out, passwords, invitations, API tokens"),
        (name = "passkeys", description = "WebAuthn passkeys as a second factor"),
        (name = "staff", description = "Staff accounts (owner)"),
        (name = "care", description = "Care teams, restriction, supervision, break-glass"),
        (name = "clients", description = "Clients: demographics, discharge, record export"),
        (name = "notes", description = "Progress and psychotherapy notes"),
        (name = "assessments", description = "PHQ-9 and GAD-7, scored"),
        (name = "attachments", description = "Scans and recordings, streamed and encrypted"),
        (name = "search", description = "Finding clients and notes the caller may read"),
        (name = "scheduling", description = "Episodes of care and appointments"),
        (name = "audit", description = "The tamper-evident audit log and its proofs"),
        (name = "meta", description = "This document and the health check"),
    )
)]
struct ApiDoc;

/// Every documented route with its documentation: the one list to extend (see the module
/// comment). A route served but missing here fails
/// `every_served_route_is_documented_with_its_method`.
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(own())
        .merge(crate::routes::api())
        .merge(crate::note_routes::api())
        .merge(crate::assessment_routes::api())
        .merge(crate::attachment_routes::api())
        .merge(crate::consultation_routes::api())
        .merge(crate::auth_routes::api())
        .merge(crate::passkey_routes::api())
        .merge(crate::audit_routes::api())
        .merge(crate::appointment_routes::api())
        .merge(crate::admin_routes::api())
}

/// This document's own route.
fn own() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// The route serving the document, for the application's router.
pub(crate) fn router() -> Router<AppState> {
    own().into()
}

/// The document as served, built once.
static DOCUMENT: LazyLock<Option<Bytes>> = LazyLock::new(|| {
    documented()
        .into_openapi()
        .to_pretty_json()
        .ok()
        .map(Bytes::from)
});

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object)),
)]
async fn openapi_json() -> Result<Response, Problem> {
    let body = DOCUMENT
        .clone()
        .ok_or_else(|| crate::problem::internal(&"the OpenAPI document could not be encoded"))?;
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

/// The `{"id"}` body of a 201 that created something.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Created {
    /// The new resource's id.
    #[schema(example = "00000000-0000-4000-8000-000000000000")]
    pub id: uuid::Uuid,
}

impl Created {
    /// The body naming `id`.
    pub(crate) fn new(id: &uuid::Uuid) -> Self {
        Self { id: *id }
    }
}

/// The `Confidant-Purpose` header, read by every authenticated request; documented on the
/// routes that open a client's record.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // The `Authenticated` extractor reads the header; this only documents it.
pub(crate) struct Purpose {
    /// Why the record is opened: `treatment` (when absent), `payment`, `operations`,
    /// `emergency` (after break-glass), `legal` or `client_request`.
    #[param(rename = "Confidant-Purpose", example = "treatment")]
    purpose: Option<String>,
}

/// Declares problem responses: each a `components/responses` entry with a problem body.
macro_rules! problems {
    ($($name:ident $status:literal $description:literal,)*) => {
        $(
            #[doc = $description]
            pub(crate) struct $name;

            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                    (stringify!($name), problem_response($description))
                }
            }

            impl $name {
                /// The status this problem is sent with.
                #[allow(dead_code)]
                pub(crate) const STATUS: &'static str = $status;
            }
        )*

        /// Every problem response, for the document's components.
        fn problem_responses() -> Vec<(&'static str, RefOr<utoipa::openapi::Response>)> {
            vec![$(<$name as utoipa::ToResponse>::response(),)*]
        }
    };
}

problems! {
    BadRequest "400" "The request could not be understood: a malformed query string or body.",
    Unauthenticated "401" "No valid API token or session was presented.",
    LoginFailed "401" "Sign-in failed: a wrong e-mail, password, code or challenge.",
    Forbidden "403" "The caller's role or the access policy refuses this, or a session's change \
        came without its CSRF token.",
    NotFound "404" "No such resource, or one the caller may not know exists.",
    Conflict "409" "A conflicting write happened at the same time (nothing changed), the \
        record's state does not allow this, or passkeys are not enabled on this server.",
    Gone "410" "The client's records were destroyed, or the token or challenge has expired.",
    TooLarge "413" "The request body is over the server's limit; nothing was written.",
    UnsupportedMediaType "415" "The body was not sent as `application/json`.",
    Invalid "422" "Well-formed JSON whose content breaks a rule; `field` names the field.",
    TooManyAttempts "429" "Too many failed attempts; wait `retry_after` seconds (also sent as \
        `Retry-After`).",
    RefusedFileType "415" "The file's media type is not on the allow-list, or its first bytes \
        do not match it; nothing was stored.",
    Integrity "500" "The stored data failed its integrity check (tampering or corruption); \
        nothing was sent. Restore from backup and report it.",
    Unavailable "503" "Storage or the audit log is unavailable; nothing was returned or written.",
}

/// A response whose body is a problem document.
fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .into()
}

/// Problems of every authenticated request: 401, 403 and 503.
pub(crate) struct AuthProblems;

impl IntoResponses for AuthProblems {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        refs(&[
            (Unauthenticated::STATUS, "Unauthenticated"),
            (Forbidden::STATUS, "Forbidden"),
            (Unavailable::STATUS, "Unavailable"),
        ])
    }
}

/// Problems of every JSON request body: 400, 413, 415 and 422.
pub(crate) struct BodyProblems;

impl IntoResponses for BodyProblems {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        refs(&[
            (BadRequest::STATUS, "BadRequest"),
            (TooLarge::STATUS, "TooLarge"),
            (UnsupportedMediaType::STATUS, "UnsupportedMediaType"),
            (Invalid::STATUS, "Invalid"),
        ])
    }
}

fn refs(pairs: &[(&str, &str)]) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    pairs
        .iter()
        .map(|(status, name)| ((*status).to_owned(), Ref::from_response_name(*name).into()))
        .collect()
}

/// Adds what no handler declares: security schemes, the problem schema and responses.
struct Components;

impl Modify for Components {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`POST /api/v1/tokens`), scoped read, write or admin",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::CookieSecurity::Secure.name(),
                "The browser session set by `POST /api/v1/auth/login/verify` (named \
                 `confidant_session` on a loopback development server)",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's CSRF token (from sign-in), required with the session cookie on \
                 every change",
            ))),
        );
        components
            .schemas
            .insert(Problem::name().into_owned(), Problem::schema());
        // Ids named by path and query parameters (bodies bring their own schemas along).
        let ids = [
            (ClientId::name(), ClientId::schema()),
            (NoteId::name(), NoteId::schema()),
            (ActorId::name(), ActorId::schema()),
            (TokenId::name(), TokenId::schema()),
            (PasskeyId::name(), PasskeyId::schema()),
            (EpisodeId::name(), EpisodeId::schema()),
            (AppointmentId::name(), AppointmentId::schema()),
            (AssessmentId::name(), AssessmentId::schema()),
            (AttachmentId::name(), AttachmentId::schema()),
        ];
        for (name, schema) in ids {
            components.schemas.insert(name.into_owned(), schema);
        }
        for (name, response) in problem_responses() {
            components.responses.insert(name.to_owned(), response);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value;

    use super::*;

    /// Path segments of routes still being written in their own files (attachments): a served
    /// path with one of them may be undocumented until its file is annotated, then the segment
    /// is taken off. The test prints what is still undocumented.
    const NOT_YET_DOCUMENTED: &[&str] = &[];

    /// Routes anyone may call: signing in, accepting an invitation, this document, the health
    /// check.
    const PUBLIC: &[(&str, &str)] = &[
        ("GET", "/healthz"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/login/verify"),
        ("POST", "/api/v1/auth/login/passkey/start"),
        ("POST", "/api/v1/invitations/accept"),
        ("GET", "/api/v1/openapi.json"),
    ];

    type Routes = BTreeSet<(String, String)>;

    fn document() -> Value {
        let bytes = DOCUMENT.clone().expect("the document encodes");
        serde_json::from_slice(&bytes).expect("the document is JSON")
    }

    /// What the application's router really serves, read from its debug form (axum keeps the
    /// route table private): each route id's path, and its methods from its `Allow` header.
    fn served() -> Routes {
        let debug = format!("{:?}", crate::served());
        let (routes, paths) = debug
            .split_once("paths: {")
            .expect("axum's router debug output lists its paths");
        let mut methods = BTreeMap::new();
        for chunk in routes.split("RouteId(").skip(1) {
            let (id, rest) = chunk.split_once(')').expect("a route id");
            let allow = rest
                .split_once("allow_header: Bytes(b\"")
                .and_then(|(_, a)| a.split_once('"'))
                .map(|(a, _)| a)
                .expect("every route says which methods it allows");
            methods.insert(id.to_owned(), allow.to_owned());
        }
        let mut served = Routes::new();
        // `RouteId(1): "/path", RouteId(2): "/other"}`: the map ends where no `, ` follows.
        let mut rest = paths;
        while let Some(entry) = rest.strip_prefix("RouteId(") {
            let (id, after) = entry.split_once("): \"").expect("a route id and its path");
            let (path, after) = after.split_once('"').expect("a quoted path");
            for method in methods[id].split(',').filter(|m| *m != "HEAD") {
                served.insert((method.to_owned(), path.to_owned()));
            }
            match after.strip_prefix(", ") {
                Some(next) => rest = next,
                None => break,
            }
        }
        served
    }

    fn documented_routes(doc: &Value) -> Routes {
        let mut routes = Routes::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ] {
                if item.get(method).is_some() {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        routes
    }

    fn has_segment(route: &(String, String), segment: &str) -> bool {
        route.1.split('/').any(|s| s == segment)
    }

    fn not_yet_documented(route: &(String, String)) -> bool {
        NOT_YET_DOCUMENTED
            .iter()
            .any(|segment| has_segment(route, segment))
    }

    #[test]
    fn the_document_is_openapi_3_json_for_confidant_with_its_schemes_and_problem_schema() {
        let doc = document();
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{}",
            doc["openapi"]
        );
        assert_eq!(doc["info"]["title"], "Confidant");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["bearer"]["scheme"], "bearer");
        assert_eq!(schemes["session"]["in"], "cookie");
        assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
        let problem = &doc["components"]["schemas"]["Problem"]["properties"];
        for field in ["type", "title", "status", "detail"] {
            assert!(problem.get(field).is_some(), "Problem lacks `{field}`");
        }
    }

    /// Every `$ref` in `value`.
    fn refs_in(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs_in(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        refs_in(&doc, &mut refs);
        assert!(refs.len() > 10, "the document uses shared components");
        for r in refs {
            let pointer = r.strip_prefix('#').expect("local references only");
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn every_served_route_is_documented_with_its_method() {
        let served = served();
        assert!(
            served.contains(&("GET".to_owned(), "/api/v1/openapi.json".to_owned())),
            "reading the router found {served:?}"
        );
        let documented = documented_routes(&document());
        let pending: Vec<_> = served.iter().filter(|r| not_yet_documented(r)).collect();
        println!("served but not yet documented ({}):", pending.len());
        for (method, path) in &pending {
            println!("  {method} {path}");
        }
        let missing: Vec<_> = served
            .iter()
            .filter(|r| !documented.contains(*r) && !not_yet_documented(r))
            .collect();
        assert!(
            missing.is_empty(),
            "served but not in the OpenAPI document (annotate the handler and register it with \
             `routes!`, see openapi.rs): {missing:?}"
        );
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            unserved.is_empty(),
            "documented but not served: {unserved:?}"
        );
        let stale: Vec<_> = NOT_YET_DOCUMENTED
            .iter()
            .filter(|segment| {
                served
                    .iter()
                    .filter(|r| has_segment(r, segment))
                    .all(|r| documented.contains(r))
            })
            .collect();
        assert!(
            stale.is_empty(),
            "fully documented, or no longer served; take off NOT_YET_DOCUMENTED: {stale:?}"
        );
    }

    #[test]
    fn every_operation_has_a_tag_a_success_its_problems_and_security_unless_public() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let route = format!("{} {path}", method.to_uppercase());
                let responses = op["responses"].as_object().expect("responses");
                let has = |status: &str| responses.contains_key(status);
                assert!(
                    op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                    "{route}"
                );
                assert!(
                    responses.keys().any(|s| s.starts_with('2')),
                    "{route}: no success"
                );
                let public = PUBLIC.contains(&(method.to_uppercase().as_str(), path.as_str()));
                let secured = op
                    .get("security")
                    .is_some_and(|s| s != &Value::Array(vec![]));
                assert_eq!(secured, !public, "{route}: security");
                if secured {
                    assert!(
                        has("401") && has("403") && has("503"),
                        "{route}: auth problems"
                    );
                }
                if op.get("requestBody").is_some() {
                    assert!(
                        has("400") && has("415") && has("422"),
                        "{route}: body problems"
                    );
                }
                if path.contains('{') {
                    assert!(has("404"), "{route}: an unknown id is a 404");
                }
                for (status, response) in responses {
                    if !status.starts_with('2') {
                        let r = response["$ref"].as_str().unwrap_or_default();
                        assert!(r.starts_with("#/components/responses/"), "{route} {status}");
                    }
                }
            }
        }
    }

    /// Whether an example value is plainly synthetic: an id, a time, a day, a small number, or
    /// a word the API defines (a purpose of use, a token scope, any `enum` value).
    fn synthetic(value: &Value, enums: &BTreeSet<String>) -> bool {
        match value {
            Value::Null | Value::Bool(_) => true,
            Value::Number(n) => n.as_f64().is_some_and(|n| n.abs() < 100_000.0),
            Value::String(s) => {
                uuid::Uuid::try_parse(s).is_ok()
                    || time::OffsetDateTime::parse(
                        s,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok()
                    || time::Date::parse(
                        s,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .is_ok()
                    || confidant_core::Purpose::parse(s).is_some()
                    || confidant_core::Scope::parse(s).is_some()
                    || enums.contains(s)
            }
            Value::Array(items) => items.iter().all(|v| synthetic(v, enums)),
            Value::Object(map) => map.values().all(|v| synthetic(v, enums)),
        }
    }

    /// Every example value in `value`, and every `enum` value.
    fn examples_in(value: &Value, examples: &mut Vec<Value>, enums: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match k.as_str() {
                        "example" => examples.push(v.clone()),
                        "examples" => match v {
                            Value::Array(items) => examples.extend(items.iter().cloned()),
                            // Named examples: `{name: {value, summary}}`.
                            Value::Object(named) => examples.extend(
                                named
                                    .values()
                                    .map(|e| e.get("value").cloned().unwrap_or_default()),
                            ),
                            other => examples.push(other.clone()),
                        },
                        "enum" => enums.extend(
                            v.as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|e| e.as_str().map(str::to_owned)),
                        ),
                        _ => examples_in(v, examples, enums),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| examples_in(v, examples, enums)),
            _ => {}
        }
    }

    /// Every string in `value`, keys included.
    fn strings_in<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::String(s) => out.push(s),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k);
                strings_in(v, out);
            }),
            Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
            _ => {}
        }
    }

    fn has_email_address(s: &str) -> bool {
        s.split(|c: char| c.is_whitespace() || "`()<>,;\"'".contains(c))
            .any(|w| {
                w.split_once('@')
                    .is_some_and(|(u, d)| !u.is_empty() && d.contains('.'))
            })
    }

    #[test]
    fn the_document_holds_no_example_that_looks_like_client_data() {
        let doc = document();
        let (mut examples, mut enums) = (Vec::new(), BTreeSet::new());
        examples_in(&doc, &mut examples, &mut enums);
        assert!(
            examples.len() >= 3,
            "the walk finds the document's examples: {examples:?}"
        );
        for example in &examples {
            assert!(
                synthetic(example, &enums),
                "example may look like client data: {example}"
            );
        }
        let mut strings = Vec::new();
        strings_in(&doc, &mut strings);
        for s in strings {
            assert!(
                !has_email_address(s),
                "the document quotes an e-mail address: {s}"
            );
        }
    }

    #[test]
    fn the_client_data_check_refuses_names_addresses_and_phone_numbers() {
        let enums = BTreeSet::from(["scheduled".to_owned()]);
        for ok in [
            serde_json::json!("00000000-0000-4000-8000-000000000000"),
            serde_json::json!("2026-03-02T09:00:00Z"),
            serde_json::json!("2026-03-02"),
            serde_json::json!("scheduled"),
            serde_json::json!(50),
            serde_json::json!({"id": "00000000-0000-4000-8000-000000000000", "n": 1}),
        ] {
            assert!(synthetic(&ok, &enums), "{ok}");
        }
        for client_like in [
            serde_json::json!("Jane Doe"),
            serde_json::json!("12 Harbour Street"),
            serde_json::json!("555-0100"),
            serde_json::json!(5550100123_u64),
            serde_json::json!({"legal_name": "Jane Doe"}),
            serde_json::json!(["scheduled", "Sam"]),
        ] {
            assert!(!synthetic(&client_like, &enums), "{client_like}");
        }
        assert!(has_email_address("write to `jane.doe@example.org` today"));
        assert!(!has_email_address(
            "the e-mail address, e.g. from @mentions"
        ));
    }
}
