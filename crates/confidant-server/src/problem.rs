//! RFC 9457 problem documents: the one place errors become HTTP responses.
//!
//! Details say what was wrong and what to do, and never quote client content: core errors are
//! already content-free, and request-parsing messages are rewritten here before use.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use confidant_core::CoreError;
use confidant_core::ports::StoreError;
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response body, per RFC 9457.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, fixed summary of the kind.
    pub title: &'static str,
    /// The HTTP status, repeated for clients that lose headers.
    pub status: u16,
    /// What happened here and what to do about it.
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Seconds to wait before trying again (also sent as `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem of kind `slug` with a status, title and detail.
    pub fn new(
        status: StatusCode,
        slug: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: format!("urn:confidant:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// 400: the request could not be understood.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// 404: nothing here (also for ids the caller may not know exist).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// 422: well-formed JSON whose content breaks a rule.
    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            detail,
        )
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut resp = (status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<CoreError> for Problem {
    fn from(e: CoreError) -> Self {
        match &e {
            CoreError::Invalid(inv) => {
                let mut p = Self::unprocessable(inv.to_string());
                p.field = Some(inv.field);
                p
            }
            CoreError::NotFound(what) => Self::not_found(format!("no such {what}; check the id")),
            CoreError::Shredded => Self::new(
                StatusCode::GONE,
                "destroyed",
                "Record destroyed",
                "this client's records were destroyed at the end of their retention period",
            ),
            CoreError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                "send a valid, unexpired API token as `Authorization: Bearer <token>`",
            ),
            CoreError::Forbidden(why) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", why.clone())
            }
            CoreError::LoginFailed => Self::new(
                StatusCode::UNAUTHORIZED,
                "login-failed",
                "Sign-in failed",
                "the e-mail, password or code is wrong; repeated failures lock the account for a while",
            ),
            CoreError::Locked { seconds } => too_many(*seconds),
            CoreError::Expired(what) => Self::new(
                StatusCode::GONE,
                "expired",
                "Expired",
                format!("this {what} has expired"),
            ),
            CoreError::State(why) => Self::new(
                StatusCode::CONFLICT,
                "record-state",
                "Not allowed in the record's state",
                *why,
            ),
            CoreError::PasskeysDisabled => Self::new(
                StatusCode::CONFLICT,
                "passkeys-disabled",
                "Passkeys not enabled",
                "passkeys are not enabled on this server: its administrator must start it with \
                 `confidant serve --public-url https://…`, the address staff open in their \
                 browsers; until then, use codes from the authenticator app",
            ),
            CoreError::UnsupportedMediaType(why) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                why.clone(),
            ),
            CoreError::TooLarge { limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request too large",
                format!("the file is over the limit of {limit} bytes; nothing was stored"),
            ),
            CoreError::AttachmentsDisabled => Self::new(
                StatusCode::CONFLICT,
                "attachments-disabled",
                "Attachments not enabled",
                "this server was started without a place to keep attachments; its \
                 administrator must start it with `confidant serve`",
            ),
            CoreError::Integrity => {
                tracing::error!(error = %e, "stored data failed its integrity check");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "integrity",
                    "Stored data failed its integrity check",
                    "the stored record is damaged or was tampered with, so nothing of it was \
                     returned; tell the administrator, who can restore it from a backup",
                )
            }
            CoreError::Audit(_) => {
                tracing::error!(error = %e, "audit log unavailable; access refused");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "audit-unavailable",
                    "Audit log unavailable",
                    "the access could not be recorded in the audit log, so it was refused and \
                     nothing was returned or written; try again, and tell the administrator if \
                     it persists",
                )
            }
            CoreError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %e, "storage unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "storage is unavailable; nothing was changed, try again shortly",
                )
            }
            CoreError::Store(StoreError::Conflict(_)) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                "a conflicting write happened at the same time; nothing was changed, try again",
            ),
            _ => internal(&e),
        }
    }
}

/// 429 with `retry_after` seconds: too many failed attempts from this account or address.
pub fn too_many(retry_after: u64) -> Problem {
    let mut p = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-attempts",
        "Too many attempts",
        format!("too many failed attempts; try again in {retry_after} seconds"),
    );
    p.retry_after = Some(retry_after);
    p
}

/// 500, logged by its (content-free) cause; the caller learns only that nothing leaked.
pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
    tracing::error!(error = %cause, "internal error");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the server failed; the error is logged for the administrator",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritable_audit_log_is_a_503_that_returns_nothing() {
        let p = Problem::from(CoreError::Audit("disk full".into()));
        assert_eq!(p.status, 503);
        assert!(p.detail.contains("nothing was returned or written"));
        assert!(
            !p.detail.contains("disk full"),
            "internal causes stay in the log"
        );
    }

    #[test]
    fn every_core_error_maps_to_a_problem_with_a_matching_status() {
        let cases = [
            (CoreError::NotFound("client"), 404),
            (CoreError::Shredded, 410),
            (CoreError::Unauthenticated, 401),
            (CoreError::Integrity, 500),
            (CoreError::Store(StoreError::Unavailable("x".into())), 503),
            (CoreError::Store(StoreError::Conflict("x".into())), 409),
            (CoreError::PasskeysDisabled, 409),
            (CoreError::UnsupportedMediaType("x".into()), 415),
            (CoreError::TooLarge { limit: 10 }, 413),
            (CoreError::AttachmentsDisabled, 409),
            (CoreError::State("signed"), 409),
        ];
        for (e, status) in cases {
            let p = Problem::from(e);
            assert_eq!(p.status, status);
            assert_eq!(p.into_response().status().as_u16(), status);
        }
    }
}
