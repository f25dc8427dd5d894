//! Who is calling: a bearer API token, or a session cookie (with its CSRF token on every
//! state-changing request), plus a per-address limit on failed sign-ins.
//!
//! The cookie is `__Host-` prefixed, `Secure`, `HttpOnly`, `SameSite=Strict`; only a server
//! listening on loopback may drop `Secure` (and the prefix), for development, and it says so at
//! start. Nothing here logs a token.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use confidant_core::{Access, CoreError, Purpose};
use confidant_crypto::ApiTokenSecret;

use crate::AppState;
use crate::problem::Problem;

/// Header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Header naming the purpose of use of a request; treatment when absent.
pub const PURPOSE_HEADER: &str = "confidant-purpose";

/// How the session cookie is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// `__Host-` prefix and `Secure`: the only choice off loopback.
    Secure,
    /// Plain cookie for `http://127.0.0.1` development.
    LoopbackDevelopment,
}

impl CookieSecurity {
    /// The cookie's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Secure => "__Host-confidant_session",
            Self::LoopbackDevelopment => "confidant_session",
        }
    }

    /// `Set-Cookie` value that stores `token`.
    pub fn set(self, token: &str) -> Result<HeaderValue, Problem> {
        let secure = if self == Self::Secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
            self.name()
        ))
        .map_err(|e| crate::problem::internal(&e))
    }

    /// `Set-Cookie` value that removes the cookie.
    pub fn clear(self) -> HeaderValue {
        match self {
            Self::Secure => HeaderValue::from_static(
                "__Host-confidant_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0",
            ),
            Self::LoopbackDevelopment => HeaderValue::from_static(
                "confidant_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
            ),
        }
    }
}

/// The session cookie's value in a request, if any.
pub(crate) fn session_cookie(parts: &Parts, security: CookieSecurity) -> Option<ApiTokenSecret> {
    let prefix = format!("{}=", security.name());
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(prefix.as_str())
                .map(ApiTokenSecret::presented)
        })
}

fn bearer(parts: &Parts) -> Option<ApiTokenSecret> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| ApiTokenSecret::presented(t.trim()))
}

/// The caller's network address.
pub(crate) fn source(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn purpose(parts: &Parts) -> Result<Purpose, Problem> {
    match parts.headers.get(PURPOSE_HEADER) {
        None => Ok(Purpose::Treatment),
        Some(v) => v.to_str().ok().and_then(Purpose::parse).ok_or_else(|| {
            Problem::bad_request(
                "`Confidant-Purpose` must be one of treatment, payment, operations, emergency, \
                 legal, client_request",
            )
        }),
    }
}

fn safe_method(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The authenticated caller with their purpose of use and address.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub Access);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let source = source(parts);
        let result = if let Some(token) = bearer(parts) {
            if safe_method(&parts.method) {
                // Checked right here on the async worker: one indexed read on a connection the
                // store keeps for it, microseconds, which saves each read a hop through the
                // blocking pool. A request with a body still takes the hop, which gives its
                // body time to arrive: a handler refusing it unread (415, 400) then leaves the
                // connection open for the next request instead of closing it.
                state.vault.authenticate(&token).map_err(Problem::from)
            } else {
                state
                    .blocking(move |vault| vault.authenticate(&token))
                    .await
            }
        } else if let Some(token) = session_cookie(parts, state.cookies) {
            let csrf = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(ApiTokenSecret::presented);
            let needs_csrf = !safe_method(&parts.method);
            let (actor, csrf_digest) = state
                .blocking(move |vault| vault.authenticate_session(&token))
                .await?;
            if needs_csrf && csrf.map(|c| c.digest()) != Some(csrf_digest) {
                return Err(Problem::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "CSRF token missing or wrong",
                    "send the session's CSRF token in the X-CSRF-Token header with every change",
                ));
            }
            Ok(actor)
        } else {
            Err(Problem::from(CoreError::Unauthenticated))
        };
        let actor = match result {
            Ok(actor) => actor,
            Err(problem) => {
                if problem.status == StatusCode::UNAUTHORIZED.as_u16() {
                    // Denials are audited too; the 401 stands even if that write fails.
                    let _ = state
                        .blocking(move |vault| vault.record_auth_failure(source))
                        .await;
                }
                return Err(problem);
            }
        };
        Ok(Self(Access {
            actor,
            purpose: purpose(parts)?,
            source,
        }))
    }
}

/// Failed sign-ins per address in a sliding window: past the limit, that address waits.
#[derive(Debug)]
pub struct AddressLimiter {
    window: Duration,
    limit: u32,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl AddressLimiter {
    /// At most `limit` failures per address per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            window,
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses an address that has failed too often lately.
    pub(crate) fn check(&self, addr: Option<IpAddr>) -> Result<(), Problem> {
        let Some(addr) = addr else { return Ok(()) };
        let mut seen = self.seen.lock().map_err(|e| crate::problem::internal(&e))?;
        let now = Instant::now();
        seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        match seen.get(&addr) {
            Some((start, n)) if *n >= self.limit => {
                let wait = self
                    .window
                    .saturating_sub(now.duration_since(*start))
                    .as_secs()
                    + 1;
                Err(crate::problem::too_many(wait))
            }
            _ => Ok(()),
        }
    }

    /// Counts one failure from an address.
    pub(crate) fn failed(&self, addr: Option<IpAddr>) {
        let Some(addr) = addr else { return };
        if let Ok(mut seen) = self.seen.lock() {
            let now = Instant::now();
            let entry = seen.entry(addr).or_insert((now, 0));
            entry.1 = entry.1.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_failures_in_the_window() {
        let l = AddressLimiter::new(3, Duration::from_secs(60));
        let a: Option<IpAddr> = Some("192.0.2.1".parse().unwrap());
        let b: Option<IpAddr> = Some("192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert!(l.check(a).is_ok());
            l.failed(a);
        }
        assert_eq!(l.check(a).unwrap_err().status, 429);
        assert!(l.check(b).is_ok(), "other addresses are unaffected");
    }

    #[test]
    fn the_secure_cookie_has_every_protection() {
        let v = CookieSecurity::Secure.set("abc").unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with("__Host-confidant_session=abc"));
        for attr in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(v.contains(attr), "{attr} missing from {v}");
        }
        assert!(!v.contains("Domain"), "__Host- cookies carry no Domain");
    }
}
