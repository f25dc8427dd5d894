//! Route table and handlers. Each handler: authenticate, parse, one core call, respond.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use confidant_core::{ClientId, ClientInput, NoteId, NoteInput};
use serde_json::json;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::problem::Problem;
use crate::session::Authenticated;

/// Every route of the API.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/clients", post(create_client).get(list_clients))
        .route(
            "/api/v1/clients/{id}",
            get(get_client).put(crate::note_routes::update_client),
        )
        .route(
            "/api/v1/clients/{id}/notes",
            post(create_note).get(list_notes),
        )
        .route(
            "/api/v1/notes/{id}",
            get(get_note).put(crate::note_routes::update_note),
        )
        .route("/api/v1/search", get(search))
        .merge(crate::audit_routes::router())
        .merge(crate::auth_routes::router())
        .merge(crate::passkey_routes::router())
        .merge(crate::admin_routes::router())
        .merge(crate::appointment_routes::router())
        .merge(crate::note_routes::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
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

fn created(id: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn create_client(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    ApiJson(input): ApiJson<ClientInput>,
) -> Result<Response, Problem> {
    let id = state
        .blocking(move |v| v.create_client(&access, input))
        .await?;
    Ok(created(id))
}

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
    Ok(created(id))
}

async fn list_notes(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = path_id(&id, ClientId::parse, "client")?;
    let notes = state
        .blocking(move |v| v.notes_of_client(&access, client))
        .await?;
    Ok(Json(json!({ "notes": notes })).into_response())
}

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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

async fn search(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Result<axum::extract::Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let axum::extract::Query(params) = q.map_err(|_| {
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
    Ok(Json(json!({ "results": results })).into_response())
}
