//! Scheduling: episodes of care, appointments, and the schedule across clients. Each handler
//! authenticates, parses, makes one core call and responds; the policy and the audit trail are
//! the core's.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use confidant_core::ClientId;
use confidant_core::appointment::{
    AppointmentInput, AppointmentPatch, CloseEpisodeInput, EpisodeInput,
};
use confidant_core::ids::{AppointmentId, EpisodeId};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/clients/{id}/episodes",
            post(open_episode).get(list_episodes),
        )
        .route("/api/v1/episodes/{id}/close", post(close_episode))
        .route(
            "/api/v1/clients/{id}/appointments",
            post(create_appointment).get(list_appointments),
        )
        .route(
            "/api/v1/appointments/{id}",
            get(get_appointment).patch(update_appointment),
        )
        .route("/api/v1/schedule", get(schedule))
}

fn client_id(text: &str) -> Result<ClientId, Problem> {
    path_id(text, ClientId::parse, "client")
}

fn appointment_id(text: &str) -> Result<AppointmentId, Problem> {
    path_id(text, AppointmentId::parse, "appointment")
}

fn created(id: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn open_episode(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EpisodeInput>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let id = state
        .blocking(move |v| v.open_episode(&access, client, input))
        .await?;
    Ok(created(id))
}

async fn close_episode(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CloseEpisodeInput>,
) -> Result<Response, Problem> {
    let id = path_id(&id, EpisodeId::parse, "episode")?;
    let episode = state
        .blocking(move |v| v.close_episode(&access, id, input))
        .await?;
    Ok(Json(episode).into_response())
}

async fn list_episodes(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let episodes = state
        .blocking(move |v| v.episodes_of_client(&access, client))
        .await?;
    Ok(Json(json!({ "episodes": episodes })).into_response())
}

async fn create_appointment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let id = state
        .blocking(move |v| v.create_appointment(&access, client, input))
        .await?;
    Ok(created(id))
}

async fn get_appointment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = appointment_id(&id)?;
    let appointment = state.blocking(move |v| v.appointment(&access, id)).await?;
    Ok(Json(appointment).into_response())
}

async fn update_appointment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AppointmentPatch>,
) -> Result<Response, Problem> {
    let id = appointment_id(&id)?;
    let appointment = state
        .blocking(move |v| v.update_appointment(&access, id, patch))
        .await?;
    Ok(Json(appointment).into_response())
}

async fn list_appointments(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let appointments = state
        .blocking(move |v| v.appointments_of_client(&access, client))
        .await?;
    Ok(Json(json!({ "appointments": appointments })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Window {
    from: String,
    to: String,
}

const WINDOW_HELP: &str = "give `from` and `to` as RFC 3339 times, e.g. \
     ?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z (write a + in an offset as %2B)";

/// A schedule bound from the query string; unreadable is a bad request naming the parameter.
fn bound(field: &'static str, text: &str) -> Result<OffsetDateTime, Problem> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| {
        let mut p = Problem::bad_request(format!("`{field}` is not a time; {WINDOW_HELP}"));
        p.field = Some(field);
        p
    })
}

async fn schedule(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    window: Result<Query<Window>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(window) = window.map_err(|_| Problem::bad_request(WINDOW_HELP))?;
    let (from, to) = (bound("from", &window.from)?, bound("to", &window.to)?);
    let appointments = state
        .blocking(move |v| v.schedule(&access, from, to))
        .await?;
    Ok(Json(json!({ "appointments": appointments })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_bounds_are_rfc_3339_times_and_a_bad_one_is_named() {
        let t = bound("from", "2026-03-02T10:00:00+01:00").unwrap();
        assert_eq!(t, time::macros::datetime!(2026-03-02 09:00 UTC));
        for bad in ["2026-03-02", "2026-03-02T10:00:00 01:00", "monday", ""] {
            let p = bound("to", bad).unwrap_err();
            assert_eq!((p.status, p.field), (400, Some("to")), "{bad}");
            assert!(p.detail.contains("%2B"), "{}", p.detail);
        }
    }
}
