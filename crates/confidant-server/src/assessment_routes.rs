//! Standardised assessments (PHQ-9, GAD-7): record one for a client, list a client's, read one.
//! Each handler authenticates, parses, makes one core call and responds; the scoring, the
//! policy and the audit trail are the core's.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::ClientId;
use confidant_core::assessment::{Assessment, RecordAssessmentInput};
use confidant_core::ids::AssessmentId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{AuthProblems, BodyProblems, Created, Gone, NotFound, Purpose};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_assessment, list_assessments))
        .routes(routes!(get_assessment))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

/// A client's assessments.
#[derive(Serialize, ToSchema)]
struct Assessments {
    /// By the day they were given.
    assessments: Vec<Assessment>,
}

fn client_id(text: &str) -> Result<ClientId, Problem> {
    path_id(text, ClientId::parse, "client")
}

/// Records a completed PHQ-9 or GAD-7 in a client's record, scored; nothing is written unless
/// every answer, the day, the episode and the comment pass.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/assessments",
    tag = "assessments",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = RecordAssessmentInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Recorded", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn record_assessment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecordAssessmentInput>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let id = state
        .blocking(move |v| v.record_assessment(&access, client, input))
        .await?;
    Ok((StatusCode::CREATED, Json(Created::new(id.as_uuid()))).into_response())
}

/// A client's assessments, scored, by the day they were given.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/assessments",
    tag = "assessments",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The assessments", body = Assessments),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn list_assessments(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let assessments = state
        .blocking(move |v| v.assessments_of_client(&access, client))
        .await?;
    Ok(Json(Assessments { assessments }).into_response())
}

/// One assessment, scored.
#[utoipa::path(
    get,
    path = "/api/v1/assessments/{id}",
    tag = "assessments",
    params(("id" = AssessmentId, Path, description = "The assessment's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The assessment", body = Assessment),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn get_assessment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, AssessmentId::parse, "assessment")?;
    let assessment = state.blocking(move |v| v.assessment(&access, id)).await?;
    Ok(Json(assessment).into_response())
}
