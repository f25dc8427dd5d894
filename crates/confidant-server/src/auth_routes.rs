//! Sign-in (second factor: TOTP code, recovery code or passkey), sign-out, password change,
//! accepting an invitation, and personal API tokens.
//! Secrets arrive in JSON bodies (never URLs) and leave once, in the response that creates them.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::actor::TokenView;
use confidant_core::auth::password::StaffPassword;
use confidant_core::login::{LoginStep, SecondFactor};
use confidant_core::{ActorId, TokenId};
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
        .routes(routes!(login))
        .routes(routes!(verify))
        .routes(routes!(logout))
        .routes(routes!(whoami))
        .routes(routes!(change_password))
        .routes(routes!(accept))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

/// The first step of signing in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    /// The staff member's e-mail address.
    email: String,
    /// Their password.
    #[schema(format = Password)]
    password: String,
}

/// What to do after the password was accepted, by `step`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
enum LoginReply<'a> {
    /// Send the authenticator app's code (or a recovery code or a passkey) with `challenge`
    /// to `POST /api/v1/auth/login/verify`.
    Totp {
        /// Names this sign-in at the next step; short-lived.
        challenge: &'a str,
    },
    /// No second factor yet: add `secret` to an authenticator app (or open `otpauth_uri`),
    /// then send its first code with `challenge`.
    Enroll {
        /// Names this sign-in at the next step; short-lived.
        challenge: &'a str,
        /// The `otpauth://` URI for a QR code.
        otpauth_uri: &'a str,
        /// The TOTP secret, base32.
        secret: &'a str,
    },
}

/// Signs in, first step: e-mail and password.
///
/// Answers alike for an unknown e-mail, a wrong password and an inactive account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = Login,
    responses(
        (status = 200, description = "The password is right; the next step", body = LoginReply),
        BodyProblems,
        (status = 401, response = LoginFailed),
        (status = 429, response = TooManyAttempts),
        (status = 503, response = Unavailable),
    ),
)]
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
        LoginStep::Totp { challenge } => Json(LoginReply::Totp {
            challenge: challenge.reveal(),
        })
        .into_response(),
        LoginStep::Enroll {
            challenge,
            uri,
            secret_base32,
        } => Json(LoginReply::Enroll {
            challenge: challenge.reveal(),
            otpauth_uri: uri.as_str(),
            secret: secret_base32.as_str(),
        })
        .into_response(),
    })
}

/// The second step of signing in: exactly one of `code`, `recovery_code` and `passkey`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Verify {
    /// The `challenge` from the first step.
    challenge: String,
    /// The authenticator app's current code.
    #[serde(default)]
    code: Option<String>,
    /// One of the recovery codes given at enrolment (each works once).
    #[serde(default)]
    recovery_code: Option<String>,
    /// The browser's `PublicKeyCredential` for `/auth/login/passkey/start`'s options.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    passkey: Option<serde_json::Value>,
}

/// A new session: the cookie is set; these go to the browser's script.
#[derive(Serialize, ToSchema)]
struct SessionReply<'a> {
    /// Send as `X-CSRF-Token` with every change made with this session.
    csrf_token: &'a str,
    /// Recovery codes, shown once at enrolment; `null` otherwise.
    recovery_codes: Option<Vec<&'a str>>,
}

/// Signs in, second step: a code, a recovery code or a passkey; sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login/verify",
    tag = "auth",
    request_body = Verify,
    responses(
        (
            status = 200,
            description = "Signed in; the session cookie is set",
            body = SessionReply,
            headers(("Set-Cookie" = String, description = "The session cookie")),
        ),
        BodyProblems,
        (status = 401, response = LoginFailed),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
        (status = 429, response = TooManyAttempts),
        (status = 503, response = Unavailable),
    ),
)]
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
    let mut resp = Json(SessionReply {
        csrf_token: session.csrf.reveal(),
        recovery_codes: session
            .recovery_codes
            .as_ref()
            .map(|codes| codes.iter().map(|c| c.as_str()).collect()),
    })
    .into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// Signs out: ends the session and clears its cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses((status = 204, description = "Signed out"), AuthProblems),
)]
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

/// Who the caller is.
#[derive(Serialize, ToSchema)]
struct WhoAmI {
    /// Their account.
    id: ActorId,
    /// Their role, e.g. `clinician`.
    role: &'static str,
}

/// Who the caller is: their account and role.
#[utoipa::path(
    get,
    path = "/api/v1/auth/whoami",
    tag = "auth",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The caller", body = WhoAmI), AuthProblems),
)]
async fn whoami(Authenticated(access): Authenticated) -> Json<WhoAmI> {
    Json(WhoAmI {
        id: access.actor.id,
        role: access.actor.role.as_str(),
    })
}

/// A new password, given with the current one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    /// The current password.
    #[schema(format = Password)]
    current: String,
    /// The new one: at least 12 characters, not a common or guessable one.
    #[schema(format = Password)]
    new: String,
}

/// Changes the caller's password; every session ends, so sign in again.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "auth",
    request_body = ChangePassword,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Changed; the session cookie is cleared"),
        AuthProblems,
        BodyProblems,
        (status = 429, response = TooManyAttempts),
    ),
)]
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

/// Accepting an invitation: its token and the new member's password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Accept {
    /// The invitation token, as given by the owner.
    token: String,
    /// The new password: at least 12 characters, not a common or guessable one.
    #[schema(format = Password)]
    password: String,
}

/// Accepts an invitation and sets a password; the second factor is enrolled at first sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/invitations/accept",
    tag = "auth",
    request_body = Accept,
    responses(
        (status = 201, description = "The account is active", body = Created),
        BodyProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
        (status = 503, response = Unavailable),
    ),
)]
async fn accept(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Accept>,
) -> Result<Response, Problem> {
    let token = ApiTokenSecret::presented(&body.token);
    let password = StaffPassword::new(body.password);
    let id = state
        .blocking(move |v| v.accept_invitation(&token, &password))
        .await?;
    Ok((StatusCode::CREATED, Json(Created::new(id.as_uuid()))).into_response())
}

/// A new personal API token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// The owner's name for it.
    label: String,
    /// `read`, `write` or `admin`; no more than the caller's own.
    #[schema(example = "read")]
    scope: String,
    /// Days until it expires; 90 when absent.
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// A token just created: the secret is shown this once.
#[derive(Serialize, ToSchema)]
struct TokenReply<'a> {
    /// Its id (to revoke it).
    id: TokenId,
    /// The secret, for `Authorization: Bearer`; never shown again.
    token: &'a str,
    /// When it expires, in seconds since the Unix epoch.
    expires_at: i64,
}

/// Creates a personal API token for scripts; the secret is in this response only.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "auth",
    request_body = NewToken,
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Created", body = TokenReply),
        AuthProblems,
        BodyProblems,
    ),
)]
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
    let body = TokenReply {
        id,
        token: secret.reveal(),
        expires_at: expires_at.unix_timestamp(),
    };
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// The caller's API tokens.
#[derive(Serialize, ToSchema)]
struct Tokens {
    /// Never their secrets.
    tokens: Vec<TokenView>,
}

/// Lists the caller's API tokens (never their secrets).
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "auth",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The tokens", body = Tokens), AuthProblems),
)]
async fn list_tokens(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
) -> Result<Response, Problem> {
    let tokens = state.blocking(move |v| v.tokens(&access)).await?;
    Ok(Json(Tokens { tokens }).into_response())
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "auth",
    params(("id" = TokenId, Path, description = "The token's id")),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Revoked"),
        AuthProblems,
        (status = 404, response = NotFound),
    ),
)]
async fn revoke_token(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, TokenId::parse, "token")?;
    state.blocking(move |v| v.revoke_token(&access, id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
