//! Administration: staff accounts (owner), care teams (owner or primary clinician), restricted
//! clients, shares for supervision, and break-glass with its review (privacy officer).

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::care::{GrantView, Member};
use confidant_core::staff::{INVITATION_TTL, NewStaff, StaffView};
use confidant_core::{ActorId, ClientId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{AuthProblems, BadRequest, BodyProblems, Conflict, Gone, NotFound, Purpose};
use crate::problem::Problem;
use crate::session::Authenticated;

/// The routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, invite))
        .routes(routes!(deactivate))
        .routes(routes!(reset_mfa))
        .routes(routes!(set_role))
        .routes(routes!(set_supervisor))
        .routes(routes!(set_terms))
        .routes(routes!(care_team, assign))
        .routes(routes!(unassign))
        .routes(routes!(set_restricted))
        .routes(routes!(share))
        .routes(routes!(break_glass))
        .routes(routes!(grants))
        .routes(routes!(review))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
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

/// A new staff member to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Invite {
    /// Their e-mail address, to sign in with.
    email: String,
    /// Their name as colleagues see it.
    display_name: String,
    /// Their role, e.g. `clinician`, `supervisor`, `trainee`, `assistant`, `biller`,
    /// `privacy_officer` or `owner`.
    role: String,
    /// Hours the invitation works, 1 to 720; 72 when absent.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 720)]
    expires_in_hours: Option<u32>,
}

/// An invitation just made: its token is shown this once.
#[derive(Serialize, ToSchema)]
struct InvitationReply<'a> {
    /// The new account.
    id: ActorId,
    /// Give this to the new member to accept with; never shown again.
    invitation_token: &'a str,
    /// When it stops working (RFC 3339).
    #[schema(format = DateTime)]
    expires_at: String,
}

/// Invites a staff member (owner only); they accept with the token and set a password.
#[utoipa::path(
    post,
    path = "/api/v1/staff",
    tag = "staff",
    request_body = Invite,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Invited", body = InvitationReply),
        AuthProblems,
        BodyProblems,
        (status = 409, response = Conflict),
    ),
)]
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
    let body = InvitationReply {
        id: inv.user,
        invitation_token: inv.token.reveal(),
        expires_at: expires,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The practice's staff.
#[derive(Serialize, ToSchema)]
struct Staff {
    /// Every account, without secrets.
    staff: Vec<StaffView>,
}

/// Lists every staff account (owner only).
#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The staff", body = Staff), AuthProblems),
)]
async fn list_staff(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let staff = state.blocking(move |v| v.staff(&access)).await?;
    Ok(Json(Staff { staff }).into_response())
}

/// Deactivates a staff account: it can no longer sign in, and its tokens stop working.
#[utoipa::path(
    post,
    path = "/api/v1/staff/{id}/deactivate",
    tag = "staff",
    params(("id" = ActorId, Path, description = "The staff member's id")),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Deactivated"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
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

/// Resets a staff member's second factor: they enrol a new one at their next sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/staff/{id}/reset-mfa",
    tag = "staff",
    params(("id" = ActorId, Path, description = "The staff member's id")),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Reset"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
async fn reset_mfa(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = user_id(&id)?;
    state.blocking(move |v| v.reset_mfa(&access, id)).await?;
    Ok(done())
}

/// A staff member's new role.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Role {
    /// The role, e.g. `clinician`.
    role: String,
}

/// Changes a staff member's role.
#[utoipa::path(
    put,
    path = "/api/v1/staff/{id}/role",
    tag = "staff",
    params(("id" = ActorId, Path, description = "The staff member's id")),
    request_body = Role,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Changed"),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
    ),
)]
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

/// A trainee's supervisor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Supervisor {
    /// The supervisor's staff id, or `null` for none.
    #[schema(value_type = Option<ActorId>)]
    supervisor: Option<String>,
}

/// Sets or clears a trainee's supervisor.
#[utoipa::path(
    put,
    path = "/api/v1/staff/{id}/supervisor",
    tag = "staff",
    params(("id" = ActorId, Path, description = "The trainee's id")),
    request_body = Supervisor,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Set"),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
    ),
)]
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

/// An assistant's terms: an NDA on file, and optionally a window of access.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Terms {
    /// Whether a signed confidentiality agreement is on file.
    nda_on_file: bool,
    /// Start of the access window (RFC 3339); give both ends or neither.
    #[serde(default)]
    #[schema(format = DateTime)]
    window_start: Option<String>,
    /// End of the access window (RFC 3339).
    #[serde(default)]
    #[schema(format = DateTime)]
    window_end: Option<String>,
}

fn rfc3339(field: &str, v: &str) -> Result<OffsetDateTime, Problem> {
    OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
        Problem::unprocessable(format!(
            "`{field}` must be an RFC 3339 time such as 2026-01-31T09:00:00Z"
        ))
    })
}

/// Sets an assistant's terms of access.
#[utoipa::path(
    put,
    path = "/api/v1/staff/{id}/assistant-terms",
    tag = "staff",
    params(("id" = ActorId, Path, description = "The assistant's id")),
    request_body = Terms,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Set"),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
    ),
)]
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

/// A client's care team.
#[derive(Serialize, ToSchema)]
struct CareTeam {
    /// The members.
    members: Vec<Member>,
}

/// A client's care team.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/care-team",
    tag = "care",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The care team", body = CareTeam),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn care_team(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let members = state
        .blocking(move |v| v.care_team(&access, client))
        .await?;
    Ok(Json(CareTeam { members }).into_response())
}

/// A staff member to add to a care team.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Assign {
    /// The staff member's id.
    #[schema(value_type = ActorId)]
    user: String,
    /// Whether they are the primary clinician.
    #[serde(default)]
    primary: bool,
}

/// Adds a staff member to a client's care team (owner or primary clinician).
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/care-team",
    tag = "care",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = Assign,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Added"),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
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

/// Removes a staff member from a client's care team.
#[utoipa::path(
    delete,
    path = "/api/v1/clients/{id}/care-team/{user}",
    tag = "care",
    params(
        ("id" = ClientId, Path, description = "The client's id"),
        ("user" = ActorId, Path, description = "The staff member's id"),
        Purpose,
    ),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
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

/// Whether a client is restricted.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Restricted {
    /// A restricted client is invisible to everyone outside their care team.
    restricted: bool,
}

/// Restricts a client (or lifts it).
#[utoipa::path(
    put,
    path = "/api/v1/clients/{id}/restricted",
    tag = "care",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    request_body = Restricted,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Set"),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
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

/// Who a client's record was shared with.
#[derive(Serialize, ToSchema)]
struct Shared {
    /// The trainee's supervisor, now able to read the record.
    supervisor: ActorId,
}

/// Shares a client's record with the caller's supervisor (a trainee's).
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/share-for-supervision",
    tag = "care",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Shared", body = Shared),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
async fn share(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = client_id(&id)?;
    let supervisor = state
        .blocking(move |v| v.share_for_supervision(&access, client))
        .await?;
    Ok((StatusCode::CREATED, Json(Shared { supervisor })).into_response())
}

/// Why the glass is broken.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BreakGlass {
    /// The emergency, in the caller's words; sealed, and shown to the privacy officer.
    reason: String,
}

/// A break-glass grant just made.
#[derive(Serialize, ToSchema)]
struct GrantReply {
    /// Until when (RFC 3339).
    #[schema(format = DateTime, example = "2026-03-02T09:00:00Z")]
    expires_at: String,
    /// Send as `Confidant-Purpose` while using the grant: always `emergency`.
    #[schema(example = "emergency")]
    purpose: &'static str,
}

/// Breaks the glass: emergency access to a client's record for a short time, flagged for review.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/break-glass",
    tag = "care",
    params(("id" = ClientId, Path, description = "The client's id")),
    request_body = BreakGlass,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Granted", body = GrantReply),
        AuthProblems,
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
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
    let body = GrantReply {
        expires_at: until,
        purpose: "emergency",
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Which break-glass grants to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct GrantsQuery {
    /// Only those not yet reviewed (`true`, the default) or every one (`false`).
    #[serde(default)]
    unreviewed: Option<bool>,
}

/// Break-glass grants.
#[derive(Serialize, ToSchema)]
struct Grants {
    /// Newest first.
    grants: Vec<GrantView>,
}

/// Lists break-glass grants for review (privacy officer).
#[utoipa::path(
    get,
    path = "/api/v1/break-glass",
    tag = "care",
    params(GrantsQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The grants", body = Grants),
        AuthProblems,
        (status = 400, response = BadRequest),
    ),
)]
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
    Ok(Json(Grants { grants }).into_response())
}

/// Marks a break-glass grant reviewed (privacy officer).
#[utoipa::path(
    post,
    path = "/api/v1/break-glass/{id}/review",
    tag = "care",
    params(("id" = uuid::Uuid, Path, description = "The grant's id")),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Reviewed"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
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
