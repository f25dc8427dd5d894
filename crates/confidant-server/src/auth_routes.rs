//! Sign-in (second factor: TOTP code, recovery code or passkey), sign-out, password change,
//! accepting an invitation, and personal API tokens.
//! Secrets arrive in JSON bodies (never URLs) and leave once, in the response that creates them.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use confidant_core::TokenId;
use confidant_core::auth::password::StaffPassword;
use confidant_core::login::{LoginStep, SecondFactor};
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
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/login/verify", post(verify))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/whoami", get(whoami))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/invitations/accept", post(accept))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(body): ApiJson<Login>,
) -> Result<Response, Problem> {
    let addr = source(&parts);
    state.limiter.check(addr)?;
    let password = StaffPassword::new(body.password);
    let result = state
        .blocking(move |v| v.begin_login(&body.email, &password, addr))
        .await;
    let step = match result {
        Ok(step) => step,
        Err(p) => {
            state.limiter.failed(addr);
            return Err(p);
        }
    };
    Ok(match step {
        LoginStep::Totp { challenge } => {
            Json(json!({"step": "totp", "challenge": challenge.reveal()}))
        }
        LoginStep::Enroll {
            challenge,
            uri,
            secret_base32,
        } => Json(json!({
            "step": "enroll",
            "challenge": challenge.reveal(),
            "otpauth_uri": uri.as_str(),
            "secret": secret_base32.as_str(),
        })),
    }
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Verify {
    challenge: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
    /// The browser's `PublicKeyCredential` for `/auth/login/passkey/start`'s options.
    #[serde(default)]
    passkey: Option<serde_json::Value>,
}

async fn verify(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(body): ApiJson<Verify>,
) -> Result<Response, Problem> {
    let addr = source(&parts);
    state.limiter.check(addr)?;
    let factor = match (body.code, body.recovery_code, body.passkey) {
        (Some(c), None, None) => SecondFactor::Totp(c),
        (None, Some(r), None) => SecondFactor::Recovery(r),
        (None, None, Some(p)) => SecondFactor::Passkey(p),
        _ => {
            return Err(Problem::unprocessable(
                "give exactly one of `code`, `recovery_code` and `passkey`",
            ));
        }
    };
    let challenge = ApiTokenSecret::presented(&body.challenge);
    let session = match state
        .blocking(move |v| v.complete_login(&challenge, factor, addr))
        .await
    {
        Ok(s) => s,
        Err(p) => {
            state.limiter.failed(addr);
            return Err(p);
        }
    };
    let cookie = state.cookies.set(session.token.reveal())?;
    let mut resp = Json(json!({
        "csrf_token": session.csrf.reveal(),
        "recovery_codes": session
            .recovery_codes
            .as_ref()
            .map(|codes| codes.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
    }))
    .into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

async fn logout(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    if let Some(token) = session_cookie(&parts, state.cookies) {
        state.blocking(move |v| v.logout(&access, &token)).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, state.cookies.clear());
    Ok(resp)
}

async fn whoami(Authenticated(access): Authenticated) -> Json<serde_json::Value> {
    Json(json!({"id": access.actor.id, "role": access.actor.role.as_str()}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    current: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<Response, Problem> {
    let (current, new) = (
        StaffPassword::new(body.current),
        StaffPassword::new(body.new),
    );
    state
        .blocking(move |v| v.change_password(&access, &current, &new))
        .await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, state.cookies.clear());
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Accept {
    token: String,
    password: String,
}

async fn accept(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Accept>,
) -> Result<Response, Problem> {
    let token = ApiTokenSecret::presented(&body.token);
    let password = StaffPassword::new(body.password);
    let id = state
        .blocking(move |v| v.accept_invitation(&token, &password))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    label: String,
    scope: String,
    #[serde(default)]
    expires_in_days: Option<u32>,
}

async fn create_token(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<Response, Problem> {
    let days = body.expires_in_days.unwrap_or(90);
    let ttl = Duration::from_secs(u64::from(days) * 86_400);
    let (id, secret, expires_at) = state
        .blocking(move |v| v.create_token(&access, &body.label, &body.scope, ttl))
        .await?;
    let body =
        json!({"id": id, "token": secret.reveal(), "expires_at": expires_at.unix_timestamp()});
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

async fn list_tokens(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let tokens = state.blocking(move |v| v.tokens(&access)).await?;
    Ok(Json(json!({"tokens": tokens})).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, TokenId::parse, "token")?;
    state.blocking(move |v| v.revoke_token(&access, id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
