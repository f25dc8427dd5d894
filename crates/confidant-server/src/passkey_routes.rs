//! Passkeys: registering, listing and removing them from a signed-in browser session, and the
//! first half of a passkey sign-in (the options for `navigator.credentials.get()`); the second
//! half is `POST /api/v1/auth/login/verify` with `passkey`. The browser's answers pass to the core
//! untouched and are never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::PasskeyId;
use confidant_core::passkey::PasskeyView;
use confidant_crypto::ApiTokenSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{
    AuthProblems, BodyProblems, Conflict, Created, Gone, LoginFailed, NotFound, TooManyAttempts,
    Unavailable,
};
use crate::problem::Problem;
use crate::session::{Authenticated, session_cookie, source};

/// The routes, each with its OpenAPI documentation.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(register_start))
        .routes(routes!(register_finish))
        .routes(routes!(remove))
        .routes(routes!(login_start))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

/// The session cookie a registration is bound to. Without one the caller authenticated with a
/// bearer token, which the core refuses whatever session it is handed.
fn session(parts: &axum::http::request::Parts, state: &AppState) -> ApiTokenSecret {
    session_cookie(parts, state.cookies).unwrap_or_else(|| ApiTokenSecret::presented(""))
}

/// WebAuthn options for the browser: fresh each time, never cached.
fn options(value: serde_json::Value) -> Response {
    let mut resp = Json(value).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Starts registering a passkey: the options for `navigator.credentials.create()`.
///
/// From a signed-in browser session only, never with an API token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/register/start",
    tag = "passkeys",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "WebAuthn creation options, passed to the browser as they are", body = Object),
        AuthProblems,
        (status = 409, response = Conflict),
    ),
)]
async fn register_start(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    let session = session(&parts, &state);
    let value = state
        .blocking(move |v| v.passkey_registration_start(&access, &session))
        .await?;
    Ok(options(value))
}

/// The browser's answer to the registration options, and a name for the passkey.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Finish {
    /// The owner's name for the passkey, e.g. the device it lives on.
    label: String,
    /// The `PublicKeyCredential` from `navigator.credentials.create()`, as JSON.
    #[schema(value_type = Object)]
    credential: serde_json::Value,
}

/// Finishes registering a passkey and stores it.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/register/finish",
    tag = "passkeys",
    request_body = Finish,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Registered", body = Created),
        AuthProblems,
        BodyProblems,
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
    ),
)]
async fn register_finish(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    parts: axum::http::request::Parts,
    ApiJson(body): ApiJson<Finish>,
) -> Result<Response, Problem> {
    let session = session(&parts, &state);
    let id = state
        .blocking(move |v| {
            v.passkey_registration_finish(&access, &session, &body.label, body.credential)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(Created::new(id.as_uuid()))).into_response())
}

/// The caller's passkeys.
#[derive(Serialize, ToSchema)]
struct Passkeys {
    /// Never the credentials themselves.
    passkeys: Vec<PasskeyView>,
}

/// Lists the caller's passkeys.
#[utoipa::path(
    get,
    path = "/api/v1/auth/passkeys",
    tag = "passkeys",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The passkeys", body = Passkeys), AuthProblems),
)]
async fn list(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let passkeys = state.blocking(move |v| v.passkeys(&access)).await?;
    Ok(Json(Passkeys { passkeys }).into_response())
}

/// Removes one of the caller's passkeys; it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/passkeys/{id}",
    tag = "passkeys",
    params(("id" = PasskeyId, Path, description = "The passkey's id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
async fn remove(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, PasskeyId::parse, "passkey")?;
    state
        .blocking(move |v| v.delete_passkey(&access, id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A sign-in under way, after its password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginStart {
    /// The `challenge` from `POST /api/v1/auth/login`.
    challenge: String,
}

/// Signs in with a passkey, after the password: the options for `navigator.credentials.get()`.
///
/// Send the browser's answer as `passkey` to `POST /api/v1/auth/login/verify`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login/passkey/start",
    tag = "passkeys",
    request_body = LoginStart,
    responses(
        (status = 200, description = "WebAuthn request options, passed to the browser as they are", body = Object),
        BodyProblems,
        (status = 401, response = LoginFailed),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
        (status = 429, response = TooManyAttempts),
        (status = 503, response = Unavailable),
    ),
)]
async fn login_start(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(body): ApiJson<LoginStart>,
) -> Result<Response, Problem> {
    let addr = source(&parts);
    state.limiter.check(addr)?;
    let challenge = ApiTokenSecret::presented(&body.challenge);
    match state
        .blocking(move |v| v.passkey_login_start(&challenge, addr))
        .await
    {
        Ok(value) => Ok(options(value)),
        Err(p) => {
            // An unknown or expired challenge is a guess like a wrong password.
            if p.status == StatusCode::UNAUTHORIZED.as_u16() {
                state.limiter.failed(addr);
            }
            Err(p)
        }
    }
}
