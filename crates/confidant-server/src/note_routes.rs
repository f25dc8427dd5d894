//! The note lifecycle over HTTP: edit a draft, sign, co-sign, add an addendum, read the earlier
//! versions; and a client's discharge. Each handler authenticates, parses, makes one core call.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use confidant_core::{
    AddendumInput, Client, ClientId, ClientInput, ClientStatus, Note, NoteEditInput, NoteId,
};
use serde_json::json;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{AuthProblems, BodyProblems, Conflict, Gone, NotFound, Purpose};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The lifecycle routes (editing a note is `PUT /api/v1/notes/{id}`, routed with its `GET`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notes/{id}/sign", post(sign_note))
        .route("/api/v1/notes/{id}/cosign", post(cosign_note))
        .route("/api/v1/notes/{id}/addenda", post(add_addendum))
        .route("/api/v1/notes/{id}/versions", get(note_versions))
        .route("/api/v1/clients/{id}/status", put(set_client_status))
        .route("/api/v1/clients/{id}/export", get(export_record))
}

/// The version a signer read: signing applies only to exactly that content.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInput {
    version: u32,
}

/// A client's new status.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusInput {
    status: ClientStatus,
}

/// Replaces a client's demographics: the whole set, as when adding a client.
#[utoipa::path(
    put,
    path = "/api/v1/clients/{id}",
    tag = "clients",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = ClientInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The client, changed", body = Client),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
pub(crate) async fn update_client(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ClientInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, ClientId::parse, "client")?;
    let client = state
        .blocking(move |v| v.update_client(&access, id, input))
        .await?;
    Ok(Json(client).into_response())
}

/// Edits a draft: a new version, made from the version named; the one it replaces is kept.
#[utoipa::path(
    put,
    path = "/api/v1/notes/{id}",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    request_body = NoteEditInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The note at its new version", body = Note),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
pub(crate) async fn update_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NoteEditInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let note = state
        .blocking(move |v| v.update_note(&access, id, input))
        .await?;
    Ok(Json(note).into_response())
}

async fn sign_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SignInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let note = state
        .blocking(move |v| v.sign_note(&access, id, input.version))
        .await?;
    Ok(Json(note).into_response())
}

async fn cosign_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let note = state.blocking(move |v| v.cosign_note(&access, id)).await?;
    Ok(Json(note).into_response())
}

async fn add_addendum(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AddendumInput>,
) -> Result<Response, Problem> {
    let parent = path_id(&id, NoteId::parse, "note")?;
    let id = state
        .blocking(move |v| v.add_addendum(&access, parent, input))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn note_versions(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let versions = state
        .blocking(move |v| v.note_versions(&access, id))
        .await?;
    Ok(Json(json!({ "versions": versions })).into_response())
}

async fn set_client_status(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, ClientId::parse, "client")?;
    let client = state
        .blocking(move |v| v.set_client_status(&access, id, input.status))
        .await?;
    Ok(Json(client).into_response())
}

/// `GET /api/v1/clients/{id}/export`: the record as one JSON file to save, never cached.
async fn export_record(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, ClientId::parse, "client")?;
    let export = state
        .blocking(move |v| v.export_record(&access, id))
        .await?;
    let disposition = format!("attachment; filename=\"record-{id}.json\"");
    Ok((
        [
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(export),
    )
        .into_response())
}
