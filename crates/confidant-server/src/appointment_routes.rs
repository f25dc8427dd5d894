//! Scheduling: episodes of care, appointments, and the schedule across clients. Each handler
//! authenticates, parses, makes one core call and responds; the policy and the audit trail are
//! the core's.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::ClientId;
use confidant_core::appointment::{
    Appointment, AppointmentInput, AppointmentPatch, CloseEpisodeInput, Episode, EpisodeInput,
};
use confidant_core::ids::{AppointmentId, EpisodeId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{
    AuthProblems, BadRequest, BodyProblems, Conflict, Created, Gone, NotFound, Purpose,
};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_episode, list_episodes))
        .routes(routes!(close_episode))
        .routes(routes!(create_appointment, list_appointments))
        .routes(routes!(get_appointment, update_appointment))
        .routes(routes!(schedule))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

fn client_id(text: &str) -> Result<ClientId, Problem> {
    path_id(text, ClientId::parse, "client")
}

fn appointment_id(text: &str) -> Result<AppointmentId, Problem> {
    path_id(text, AppointmentId::parse, "appointment")
}

fn created(id: &uuid::Uuid) -> Response {
    (StatusCode::CREATED, Json(Created::new(id))).into_response()
}

/// A client's episodes of care.
#[derive(Serialize, ToSchema)]
struct Episodes {
    /// Oldest first.
    episodes: Vec<Episode>,
}

/// Appointments, earliest first.
#[derive(Serialize, ToSchema)]
struct Appointments {
    /// Earliest first.
    appointments: Vec<Appointment>,
}

/// Opens an episode of care for a client; a client has at most one open.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/episodes",
    tag = "scheduling",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = EpisodeInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Opened", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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
    Ok(created(id.as_uuid()))
}

/// Closes an episode of care on a day no earlier than it opened.
#[utoipa::path(
    post,
    path = "/api/v1/episodes/{id}/close",
    tag = "scheduling",
    params(("id" = EpisodeId, Path, description = "The episode's id"), Purpose),
    request_body = CloseEpisodeInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The closed episode", body = Episode),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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

/// A client's episodes of care, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/episodes",
    tag = "scheduling",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The episodes", body = Episodes),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn list_episodes(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let episodes = state
        .blocking(move |v| v.episodes_of_client(&access, client))
        .await?;
    Ok(Json(Episodes { episodes }).into_response())
}

/// Books an appointment for a client: a start, and a duration or an end.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/appointments",
    tag = "scheduling",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = AppointmentInput,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Booked", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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
    Ok(created(id.as_uuid()))
}

/// One appointment.
#[utoipa::path(
    get,
    path = "/api/v1/appointments/{id}",
    tag = "scheduling",
    params(("id" = AppointmentId, Path, description = "The appointment's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The appointment", body = Appointment),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn get_appointment(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = appointment_id(&id)?;
    let appointment = state.blocking(move |v| v.appointment(&access, id)).await?;
    Ok(Json(appointment).into_response())
}

/// Changes an appointment: moves a scheduled one, records attendance, edits its note.
#[utoipa::path(
    patch,
    path = "/api/v1/appointments/{id}",
    tag = "scheduling",
    params(("id" = AppointmentId, Path, description = "The appointment's id"), Purpose),
    request_body = AppointmentPatch,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The changed appointment", body = Appointment),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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

/// A client's appointments, earliest first.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/appointments",
    tag = "scheduling",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The appointments", body = Appointments),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn list_appointments(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let appointments = state
        .blocking(move |v| v.appointments_of_client(&access, client))
        .await?;
    Ok(Json(Appointments { appointments }).into_response())
}

/// The schedule's window: at most 31 days.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Window {
    /// Start, RFC 3339 (write a `+` in an offset as `%2B`).
    #[param(format = DateTime, example = "2026-03-02T00:00:00Z")]
    from: String,
    /// End, RFC 3339, after the start.
    #[param(format = DateTime, example = "2026-03-03T00:00:00Z")]
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

/// The schedule: appointments across the clients the caller may see, in a window.
#[utoipa::path(
    get,
    path = "/api/v1/schedule",
    tag = "scheduling",
    params(Window, Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The appointments in the window", body = Appointments),
        AuthProblems,
        (status = 400, response = BadRequest),
        (status = 422, response = crate::openapi::Invalid),
    ),
)]
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
    Ok(Json(Appointments { appointments }).into_response())
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
