//! Administration: staff accounts (owner), care teams (owner or primary clinician), restricted
//! clients, shares for supervision, and break-glass with its review (privacy officer).

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use confidant_core::staff::{INVITATION_TTL, NewStaff};
use confidant_core::{ActorId, ClientId};
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
        .route("/api/v1/staff", get(list_staff).post(invite))
        .route("/api/v1/staff/{id}/deactivate", post(deactivate))
        .route("/api/v1/staff/{id}/reset-mfa", post(reset_mfa))
        .route("/api/v1/staff/{id}/role", put(set_role))
        .route("/api/v1/staff/{id}/supervisor", put(set_supervisor))
        .route("/api/v1/staff/{id}/assistant-terms", put(set_terms))
        .route(
            "/api/v1/clients/{id}/care-team",
            get(care_team).post(assign),
        )
        .route("/api/v1/clients/{id}/care-team/{user}", delete(unassign))
        .route("/api/v1/clients/{id}/restricted", put(set_restricted))
        .route("/api/v1/clients/{id}/share-for-supervision", post(share))
        .route("/api/v1/clients/{id}/break-glass", post(break_glass))
        .route("/api/v1/break-glass", get(grants))
        .route("/api/v1/break-glass/{id}/review", post(review))
}

fn user_id(text: &str) -> Result<ActorId, Problem> {
    path_id(text, ActorId::parse, "staff member")
}

fn client_id(text: &str) -> Result<ClientId, Problem> {
    path_id(text, ClientId::parse, "client")
}

fn done() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    display_name: String,
    role: String,
    #[serde(default)]
    expires_in_hours: Option<u32>,
}

async fn invite(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    ApiJson(body): ApiJson<Invite>,
) -> Result<Response, Problem> {
    let ttl = match body.expires_in_hours {
        None => INVITATION_TTL,
        Some(h @ 1..=720) => Duration::from_secs(u64::from(h) * 3600),
        Some(_) => {
            return Err(Problem::unprocessable(
                "`expires_in_hours` must be from 1 to 720",
            ));
        }
    };
    let new = NewStaff {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
    };
    let inv = state
        .blocking(move |v| v.invite_staff(&access, new, ttl))
        .await?;
    let expires = inv
        .expires_at
        .format(&Rfc3339)
        .map_err(|e| crate::problem::internal(&e))?;
    let body =
        json!({"id": inv.user, "invitation_token": inv.token.reveal(), "expires_at": expires});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn list_staff(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let staff = state.blocking(move |v| v.staff(&access)).await?;
    Ok(Json(json!({"staff": staff})).into_response())
}

async fn deactivate(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    state
        .blocking(move |v| v.deactivate_staff(&access, id))
        .await?;
    Ok(done())
}

async fn reset_mfa(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    state.blocking(move |v| v.reset_mfa(&access, id)).await?;
    Ok(done())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Role {
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Role>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    state
        .blocking(move |v| v.set_role(&access, id, &body.role))
        .await?;
    Ok(done())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Supervisor {
    supervisor: Option<String>,
}

async fn set_supervisor(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Supervisor>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    let sup = body
        .supervisor
        .map(|s| {
            ActorId::parse(&s)
                .ok_or_else(|| Problem::unprocessable("`supervisor` must be a staff id or null"))
        })
        .transpose()?;
    state
        .blocking(move |v| v.set_supervisor(&access, id, sup))
        .await?;
    Ok(done())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Terms {
    nda_on_file: bool,
    #[serde(default)]
    window_start: Option<String>,
    #[serde(default)]
    window_end: Option<String>,
}

fn rfc3339(field: &str, v: &str) -> Result<OffsetDateTime, Problem> {
    OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
        Problem::unprocessable(format!(
            "`{field}` must be an RFC 3339 time such as 2026-01-31T09:00:00Z"
        ))
    })
}

async fn set_terms(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Terms>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    let window = match (body.window_start, body.window_end) {
        (Some(s), Some(e)) => Some((rfc3339("window_start", &s)?, rfc3339("window_end", &e)?)),
        (None, None) => None,
        _ => {
            return Err(Problem::unprocessable(
                "give both `window_start` and `window_end`, or neither",
            ));
        }
    };
    state
        .blocking(move |v| v.set_assistant_terms(&access, id, body.nda_on_file, window))
        .await?;
    Ok(done())
}

async fn care_team(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let members = state
        .blocking(move |v| v.care_team(&access, client))
        .await?;
    Ok(Json(json!({"members": members})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Assign {
    user: String,
    #[serde(default)]
    primary: bool,
}

async fn assign(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Assign>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let user = ActorId::parse(&body.user)
        .ok_or_else(|| Problem::unprocessable("`user` must be a staff id"))?;
    state
        .blocking(move |v| v.assign_care_team(&access, client, user, body.primary))
        .await?;
    Ok(StatusCode::CREATED.into_response())
}

async fn unassign(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let user = user_id(&user)?;
    state
        .blocking(move |v| v.unassign_care_team(&access, client, user))
        .await?;
    Ok(done())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Restricted {
    restricted: bool,
}

async fn set_restricted(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Restricted>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    state
        .blocking(move |v| v.set_restricted(&access, client, body.restricted))
        .await?;
    Ok(done())
}

async fn share(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let supervisor = state
        .blocking(move |v| v.share_for_supervision(&access, client))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"supervisor": supervisor}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakGlass {
    reason: String,
}

async fn break_glass(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BreakGlass>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let ttl = state.break_glass_ttl;
    let until = state
        .blocking(move |v| v.break_glass(&access, client, &body.reason, ttl))
        .await?;
    let until = until
        .format(&Rfc3339)
        .map_err(|e| crate::problem::internal(&e))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"expires_at": until, "purpose": "emergency"})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantsQuery {
    #[serde(default)]
    unreviewed: Option<bool>,
}

async fn grants(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    q: Result<Query<GrantsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) =
        q.map_err(|_| Problem::bad_request("the only parameter is `unreviewed=true|false`"))?;
    let only = q.unreviewed.unwrap_or(true);
    let grants = state
        .blocking(move |v| v.break_glass_grants(&access, only))
        .await?;
    Ok(Json(json!({"grants": grants})).into_response())
}

async fn review(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = uuid_of(&id)?;
    state
        .blocking(move |v| v.review_break_glass(&access, id))
        .await?;
    Ok(done())
}

fn uuid_of(text: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::try_parse(text)
        .map_err(|_| Problem::not_found("no such break-glass grant; check the id"))
}
