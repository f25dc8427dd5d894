//! "Prepare for consultation" over HTTP: a note de-identified beside the original, corrected
//! by the clinician, then shared for supervision, consultation or research. Neither answer is
//! ever cached. Each handler authenticates, parses, makes one core call.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::NoteId;
use confidant_core::consultation::{PrepareInput, Prepared, ShareInput, Shared};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{AuthProblems, BodyProblems, Gone, NotFound, Purpose};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(prepare))
        .routes(routes!(share))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

fn no_store(body: impl serde::Serialize) -> Response {
    let mut resp = Json(body).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The note de-identified beside the original, every replacement placed in both (character
/// offsets), with the clinician's extra redactions and undone detections applied. Nothing
/// leaves the record yet.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/deidentify",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    request_body = PrepareInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Original and de-identified text", body = Prepared),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn prepare(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PrepareInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let prepared = state
        .blocking(move |v| v.prepare_for_consultation(&access, id, input))
        .await?;
    Ok(no_store(prepared))
}

/// Shares the clinician's final de-identified version for supervision, consultation or
/// research: recorded in the audit log as a disclosure of de-identified information.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/deidentify/share",
    tag = "notes",
    params(("id" = NoteId, Path, description = "The note's id"), Purpose),
    request_body = ShareInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The de-identified text, to hand on", body = Shared),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn share(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ShareInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, NoteId::parse, "note")?;
    let shared = state
        .blocking(move |v| v.share_deidentified(&access, id, input))
        .await?;
    Ok(no_store(shared))
}
