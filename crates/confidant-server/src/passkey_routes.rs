//! Passkeys: registering, listing and removing them from a signed-in browser session, and the
//! first half of a passkey sign-in (the options for `navigator.credentials.get()`); the second
//! half is `POST /api/v1/auth/login/verify` with `passkey`. The browser's answers pass to the core
//! untouched and are never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use confidant_core::PasskeyId;
use confidant_crypto::ApiTokenSecret;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::extract::{ApiJson, path_id};
use crate::problem::Problem;
use crate::session::{Authenticated, session_cookie, source};

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/passkeys", get(list))
        .route("/api/v1/auth/passkeys/register/start", post(register_start))
        .route(
            "/api/v1/auth/passkeys/register/finish",
            post(register_finish),
        )
        .route("/api/v1/auth/passkeys/{id}", delete(remove))
        .route("/api/v1/auth/login/passkey/start", post(login_start))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finish {
    label: String,
    credential: serde_json::Value,
}

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
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn list(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let passkeys = state.blocking(move |v| v.passkeys(&access)).await?;
    Ok(Json(json!({ "passkeys": passkeys })).into_response())
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginStart {
    challenge: String,
}

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
