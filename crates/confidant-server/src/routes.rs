//! Route table and handlers. Each handler: authenticate, parse, one core call, respond.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::search::SearchResult;
use confidant_core::{Client, ClientId, ClientInput, ClientPage, Note, NoteId, NoteInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{
    AuthProblems, BadRequest, BodyProblems, Conflict, Created, Gone, Invalid, NotFound, Purpose,
};
use crate::problem::Problem;
use crate::session::Authenticated;

/// This file's routes (and the edits routed with their reads), each with its OpenAPI
/// documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(create_client, list_clients))
        .routes(routes!(get_client, crate::note_routes::update_client))
        .routes(routes!(create_note, list_notes))
        .routes(routes!(get_note, crate::note_routes::update_note))
        .routes(routes!(search))
}

/// Every route of the API.
pub(crate) fn router() -> Router<AppState> {
    Router::from(api())
        .merge(crate::audit_routes::router())
        .merge(crate::auth_routes::router())
        .merge(crate::passkey_routes::router())
        .merge(crate::admin_routes::router())
        .merge(crate::appointment_routes::router())
        .merge(crate::note_routes::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The health check's answer.
#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok`: the server is up.
    status: &'static str,
}

/// Whether the server is up; for load balancers and monitors, without credentials.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)),
)]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

async fn not_found() -> Problem {
    Problem::not_found("no such route; the API lives under /api/v1")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this route does not accept that method",
    )
}

fn created(id: &uuid::Uuid) -> Response {
    (StatusCode::CREATED, Json(Created::new(id))).into_response()
}

/// Adds a client: demographics, sealed under the client's own key.
#[utoipa::path(
    post,
    path = "/api/v1/clients",
    tag = "clients",
    params(Purpose),
    request_body = ClientInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Added", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 409, response = Conflict),
    ),
)]
async fn create_client(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    ApiJson(input): ApiJson<ClientInput>,
) -> Result<Response, Problem> {
    let id = state
        .blocking(move |v| v.create_client(&access, input))
        .await?;
    Ok(created(id.as_uuid()))
}

/// One client's demographics and status.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}",
    tag = "clients",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The client", body = Client),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn get_client(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, ClientId::parse, "client")?;
    let client = state.blocking(move |v| v.client(&access, id)).await?;
    Ok(Json(client).into_response())
}

/// Parses `limit` and `after` from a query string.
fn list_params(query: Option<&str>) -> Result<(usize, Option<ClientId>), Problem> {
    let mut limit = 100;
    let mut after = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=confidant_core::MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        Problem::bad_request(format!(
                            "`limit` must be a number from 1 to {}",
                            confidant_core::MAX_PAGE
                        ))
                    })?;
            }
            "after" => {
                after = Some(ClientId::parse(v).ok_or_else(|| {
                    Problem::bad_request(
                        "`after` must be a client id from a previous page's `next`",
                    )
                })?);
            }
            _ => {
                return Err(Problem::bad_request(
                    "unknown query parameter; use `limit` and `after`",
                ));
            }
        }
    }
    Ok((limit, after))
}

/// The clients the caller may see, a page at a time, ordered by id.
#[utoipa::path(
    get,
    path = "/api/v1/clients",
    tag = "clients",
    params(
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500,
            description = "Clients on a page, 1 to 500; 100 when absent"),
        ("after" = Option<ClientId>, Query,
            description = "The previous page's `next`; the first page when absent"),
        Purpose,
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of clients", body = ClientPage),
        AuthProblems,
        (status = 400, response = BadRequest),
    ),
)]
async fn list_clients(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let (limit, after) = list_params(query.as_deref())?;
    let page = state
        .blocking(move |v| v.clients(&access, after, limit))
        .await?;
    Ok(Json(page).into_response())
}

/// A client's notes.
#[derive(Serialize, ToSchema)]
struct Notes {
    /// Oldest first; those the caller may not read are absent.
    notes: Vec<Note>,
}

/// Writes a note in a client's record: a draft, or signed at once (`sign`).
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/notes",
    tag = "notes",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = NoteInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Written", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
async fn create_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NoteInput>,
) -> Result<Response, Problem> {
    let client = path_id(&id, ClientId::parse, "client")?;
    let id = state
        .blocking(move |v| v.create_note(&access, client, input))
        .await?;
    Ok(created(id.as_uuid()))
}

/// The notes in a client's record that the caller may read.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/notes",
    tag = "notes",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The notes", body = Notes),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn list_notes(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = path_id(&id, ClientId::parse, "client")?;
    let notes = state
        .blocking(move |v| v.notes_of_client(&access, client))
        .await?;
    Ok(Json(Notes { notes }).into_response())
}

/// One note, at its current version.
#[utoipa::path(
    get,
    path = "/api/v1/notes/{id}",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The note", body = Note),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn get_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let note = state.blocking(move |v| v.note(&access, id)).await?;
    Ok(Json(note).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_are_checked() {
        assert_eq!(list_params(None).unwrap(), (100, None));
        assert_eq!(list_params(Some("limit=5")).unwrap().0, 5);
        for bad in ["limit=0", "limit=501", "limit=x", "after=nope", "sort=name"] {
            assert_eq!(list_params(Some(bad)).unwrap_err().status, 400, "{bad}");
        }
    }
}

/// What to search for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    /// The words to find (at most 200 characters).
    q: String,
    /// Most results, 1 to 100; 20 when absent.
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// Search results, best first.
#[derive(Serialize, ToSchema)]
struct SearchResults {
    /// Best first; only records the caller may read.
    results: Vec<SearchResult>,
}

/// Finds words in client names and notes the caller may read: ids to fetch, never text.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams, Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The results", body = SearchResults),
        AuthProblems,
        (status = 400, response = BadRequest),
        (status = 422, response = Invalid),
    ),
)]
async fn search(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = q.map_err(|_| {
        Problem::bad_request("give the words to find as `q`, and optionally `limit` (1-100)")
    })?;
    let limit = params.limit.unwrap_or(20);
    if !(1..=confidant_core::search::MAX_RESULTS).contains(&limit) {
        return Err(Problem::bad_request(
            "`limit` must be a number from 1 to 100",
        ));
    }
    let results = state
        .blocking(move |v| v.search(&access, &params.q, limit))
        .await?;
    Ok(Json(SearchResults { results }).into_response())
}
