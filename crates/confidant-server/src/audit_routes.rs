//! The audit log's routes: search, latest checkpoint, inclusion and consistency proofs.
//! Owner-only for now (the privacy officer joins with staff roles); every read is audited.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::audit::{AuditPage, MAX_AUDIT_PAGE, Proof};
use confidant_core::ports::{AuditFilter, to_millis};
use confidant_core::{Action, ActorId, ClientId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::openapi::{AuthProblems, BadRequest, Invalid, NotFound};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The audit routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(checkpoint))
        .routes(routes!(inclusion))
        .routes(routes!(consistency))
}

/// The audit routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Decoded query pairs, or a 400 naming the allowed parameters.
fn pairs(q: Pairs, allowed: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let Query(pairs) = q.map_err(|_| Problem::bad_request("the query string is malformed"))?;
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        let _ = k;
        return Err(Problem::bad_request(format!(
            "unknown query parameter; allowed: {}",
            allowed.join(", ")
        )));
    }
    Ok(pairs)
}

fn bad(name: &str, rule: &str) -> Problem {
    Problem::bad_request(format!("`{name}` {rule}"))
}

fn number(name: &str, v: &str) -> Result<u64, Problem> {
    v.parse()
        .map_err(|_| bad(name, "must be a non-negative whole number"))
}

fn time(name: &str, v: &str) -> Result<i64, Problem> {
    OffsetDateTime::parse(v, &Rfc3339)
        .map(to_millis)
        .map_err(|_| {
            bad(
                name,
                "must be an RFC 3339 time such as 2026-01-31T09:00:00Z",
            )
        })
}

/// Searches the audit log, oldest first; every filter narrows the result.
///
/// Owner and privacy officer only; the search is itself audited.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(
        ("client" = Option<ClientId>, Query, description = "Only events about this client"),
        ("actor" = Option<ActorId>, Query, description = "Only events by this staff member"),
        ("action" = Option<String>, Query, description = "Only this action, e.g. `record.read`"),
        ("since" = Option<OffsetDateTime>, Query, description = "Only events at or after this RFC 3339 time", example = "2026-01-31T09:00:00Z"),
        ("until" = Option<OffsetDateTime>, Query, description = "Only events before this RFC 3339 time"),
        ("after" = Option<u64>, Query, description = "The `next` of the previous page"),
        ("limit" = Option<u32>, Query, description = "Events per page, 1 to 1000; 100 when absent", minimum = 1, maximum = 1000),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of events", body = AuditPage),
        AuthProblems,
        (status = 400, response = BadRequest),
    ),
)]
async fn search(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Pairs,
) -> Result<Response, Problem> {
    let mut filter = AuditFilter::default();
    let mut limit = 100;
    for (k, v) in pairs(
        q,
        &[
            "client", "actor", "action", "since", "until", "after", "limit",
        ],
    )? {
        match k.as_str() {
            "client" => {
                filter.client =
                    Some(ClientId::parse(&v).ok_or_else(|| bad("client", "must be a client id"))?)
            }
            "actor" => {
                filter.actor =
                    Some(ActorId::parse(&v).ok_or_else(|| bad("actor", "must be an actor id"))?)
            }
            "action" => {
                let known = Action::ALL.iter().find(|a| a.as_str() == v);
                let names: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
                let a = known.ok_or_else(|| {
                    bad("action", &format!("must be one of {}", names.join(", ")))
                })?;
                filter.action = Some(a.as_str().to_owned());
            }
            "since" => filter.since = Some(time("since", &v)?),
            "until" => filter.until = Some(time("until", &v)?),
            "after" => filter.after_seq = Some(number("after", &v)?),
            _ => {
                limit = number("limit", &v)
                    .ok()
                    .filter(|n| (1..=MAX_AUDIT_PAGE as u64).contains(n))
                    .ok_or_else(|| {
                        bad(
                            "limit",
                            &format!("must be a number from 1 to {MAX_AUDIT_PAGE}"),
                        )
                    })? as usize;
            }
        }
    }
    let page = state
        .blocking(move |v| v.audit_events(&access, &filter, limit))
        .await?;
    Ok(Json(page).into_response())
}

/// The latest signed checkpoint (a C2SP signed note over the log's size and root), signing one
/// first so it covers every event so far.
#[utoipa::path(
    get,
    path = "/api/v1/audit/checkpoint",
    tag = "audit",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The signed note", body = String, content_type = "text/plain"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
async fn checkpoint(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let row = state.blocking(move |v| v.audit_checkpoint(&access)).await?;
    let Some(row) = row else {
        return Err(Problem::not_found(
            "the audit log is empty; there is no checkpoint yet",
        ));
    };
    let mut resp = (StatusCode::OK, row.note).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(resp)
}

fn two_numbers(q: Pairs, a: &str, b: &str) -> Result<(u64, u64), Problem> {
    let (mut x, mut y) = (None, None);
    for (k, v) in pairs(q, &[a, b])? {
        if k == a {
            x = Some(number(a, &v)?);
        } else {
            y = Some(number(b, &v)?);
        }
    }
    Ok((
        x.ok_or_else(|| bad(a, "is required"))?,
        y.ok_or_else(|| bad(b, "is required"))?,
    ))
}

/// Proof that event `index` is in the log of size `size` (RFC 9162).
#[utoipa::path(
    get,
    path = "/api/v1/audit/proof/inclusion",
    tag = "audit",
    params(
        ("index" = u64, Query, description = "The event's sequence number"),
        ("size" = u64, Query, description = "The tree size of a checkpoint"),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The proof", body = Proof),
        AuthProblems,
        (status = 400, response = BadRequest),
        (status = 422, response = Invalid),
    ),
)]
async fn inclusion(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Pairs,
) -> Result<Response, Problem> {
    let (index, size) = two_numbers(q, "index", "size")?;
    let proof = state
        .blocking(move |v| v.inclusion_proof(&access, index, size))
        .await?;
    Ok(Json(proof).into_response())
}

/// Proof that the log at size `to` extends the log at size `from` (RFC 9162).
#[utoipa::path(
    get,
    path = "/api/v1/audit/proof/consistency",
    tag = "audit",
    params(
        ("from" = u64, Query, description = "The older tree size"),
        ("to" = u64, Query, description = "The newer tree size"),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The proof", body = Proof),
        AuthProblems,
        (status = 400, response = BadRequest),
        (status = 422, response = Invalid),
    ),
)]
async fn consistency(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Pairs,
) -> Result<Response, Problem> {
    let (from, to) = two_numbers(q, "from", "to")?;
    let proof = state
        .blocking(move |v| v.consistency_proof(&access, from, to))
        .await?;
    Ok(Json(proof).into_response())
}
