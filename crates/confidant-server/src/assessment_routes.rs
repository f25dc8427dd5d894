//! Standardised assessments (PHQ-9, GAD-7): record one for a client, list a client's, read one.
//! Each handler authenticates, parses, makes one core call and responds; the scoring, the
//! policy and the audit trail are the core's.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use confidant_core::ClientId;
use confidant_core::assessment::RecordAssessmentInput;
use confidant_core::ids::AssessmentId;
use serde_json::json;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/clients/{id}/assessments",
            post(record_assessment).get(list_assessments),
        )
        .route("/api/v1/assessments/{id}", get(get_assessment))
}

fn client_id(text: &str) -> Result<ClientId, Problem> {
    path_id(text, ClientId::parse, "client")
}

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
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn list_assessments(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let assessments = state
        .blocking(move |v| v.assessments_of_client(&access, client))
        .await?;
    Ok(Json(json!({ "assessments": assessments })).into_response())
}

async fn get_assessment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, AssessmentId::parse, "assessment")?;
    let assessment = state.blocking(move |v| v.assessment(&access, id)).await?;
    Ok(Json(assessment).into_response())
}
