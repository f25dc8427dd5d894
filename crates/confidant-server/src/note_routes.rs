//! The note lifecycle over HTTP: edit a draft, sign, co-sign, add an addendum, read the earlier
//! versions; and a client's discharge. Each handler authenticates, parses, makes one core call.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::export::RecordExport;
use confidant_core::note::NoteVersion;
use confidant_core::{
    AddendumInput, Client, ClientId, ClientInput, ClientStatus, Note, NoteEditInput, NoteId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{AuthProblems, BodyProblems, Conflict, Created, Gone, NotFound, Purpose};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The lifecycle routes, each with its OpenAPI documentation (editing a note is
/// `PUT /api/v1/notes/{id}`, and replacing demographics `PUT /api/v1/clients/{id}`: both are
/// registered with their `GET`s in `routes.rs`).
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_note))
        .routes(routes!(cosign_note))
        .routes(routes!(add_addendum))
        .routes(routes!(note_versions))
        .routes(routes!(set_client_status))
        .routes(routes!(export_record))
}

/// The lifecycle routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

/// The version a signer read: signing applies only to exactly that content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInput {
    /// The note's `version` as read; refused if the draft has moved on since.
    version: u32,
}

/// A client's new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusInput {
    /// `discharged` to discharge, `active` to readmit.
    status: ClientStatus,
}

/// A note's earlier versions.
#[derive(Serialize, ToSchema)]
struct Versions {
    /// The drafts before the current one, oldest first.
    versions: Vec<NoteVersion>,
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

/// Signs a draft as its author, at the version read; signed, the note never changes again.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/sign",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    request_body = SignInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The signed note", body = Note),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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

/// Co-signs a trainee's signed note as their assigned supervisor, which locks it.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/cosign",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The co-signed, locked note", body = Note),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
async fn cosign_note(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let note = state.blocking(move |v| v.cosign_note(&access, id)).await?;
    Ok(Json(note).into_response())
}

/// Adds an addendum to a signed note: a note of its own, of the same kind, pointing at the
/// note it corrects; a draft until its author signs it (or signed at once, `sign`).
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/addenda",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The signed note's id"), Purpose),
    request_body = AddendumInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Added; `id` is the addendum's", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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
    Ok((StatusCode::CREATED, Json(Created::new(id.as_uuid()))).into_response())
}

/// A note's earlier versions: its drafts before the current one, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/notes/{id}/versions",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The earlier versions", body = Versions),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn note_versions(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let versions = state
        .blocking(move |v| v.note_versions(&access, id))
        .await?;
    Ok(Json(Versions { versions }).into_response())
}

/// Discharges a client, or readmits one; the record stays whole either way.
#[utoipa::path(
    put,
    path = "/api/v1/clients/{id}/status",
    tag = "clients",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = StatusInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The client with the new status", body = Client),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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

/// The client's record as one JSON file to save, never cached: demographics, episodes,
/// appointments, progress notes and addenda, assessments and the list of attachments;
/// psychotherapy notes always withheld. Refused under an emergency (break-glass) grant.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/export",
    tag = "clients",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The record", body = RecordExport,
            headers(
                ("Content-Disposition" = String,
                    description = "`attachment; filename=\"record-{id}.json\"`"),
                ("Cache-Control" = String, description = "`no-store`"),
            )),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
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
