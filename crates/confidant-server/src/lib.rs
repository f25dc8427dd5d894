//! Confidant's HTTP interface: the JSON API under `/api/v1` and `/healthz`.
//!
//! Handlers authenticate, parse and call a core service; they never touch storage or keys, and
//! never log request bodies. Every error leaves as an RFC 9457 problem document.

mod admin_routes;
mod appointment_routes;
mod assessment_routes;
mod attachment_routes;
mod audit_routes;
mod auth_routes;
mod consultation_routes;
mod extract;
mod note_routes;
mod openapi;
mod passkey_routes;
mod problem;
mod routes;
mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use confidant_core::{CoreError, Vault};
use tokio::net::TcpListener;

pub use problem::{PROBLEM_JSON, Problem};
pub use session::{AddressLimiter, CSRF_HEADER, CookieSecurity, PURPOSE_HEADER};

/// Default request body limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler shares: the open vault and the server's limits.
#[derive(Clone)]
pub struct AppState {
    vault: Arc<Vault>,
    max_body_bytes: usize,
    pub(crate) cookies: CookieSecurity,
    pub(crate) limiter: Arc<AddressLimiter>,
    pub(crate) break_glass_ttl: Duration,
}

/// How the server behaves, beyond the vault it serves.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// How the session cookie is written.
    pub cookies: CookieSecurity,
    /// How long a break-glass grant lasts.
    pub break_glass_ttl: Duration,
    /// Failed sign-ins allowed per address per `address_window`.
    pub address_failures: u32,
    /// Window for `address_failures`.
    pub address_window: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cookies: CookieSecurity::Secure,
            break_glass_ttl: confidant_core::care::BREAK_GLASS_TTL,
            address_failures: 20,
            address_window: Duration::from_secs(15 * 60),
        }
    }
}

impl AppState {
    /// State for a server over `vault`.
    pub fn new(vault: Arc<Vault>, config: ServerConfig) -> Self {
        Self {
            vault,
            max_body_bytes: config.max_body_bytes,
            cookies: config.cookies,
            limiter: Arc::new(AddressLimiter::new(
                config.address_failures,
                config.address_window,
            )),
            break_glass_ttl: config.break_glass_ttl,
        }
    }

    /// Runs a (blocking) core call off the async executor.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&Vault) -> Result<T, CoreError> + Send + 'static,
    {
        let vault = Arc::clone(&self.vault);
        match tokio::task::spawn_blocking(move || f(&vault)).await {
            Ok(result) => result.map_err(Problem::from),
            Err(join) => Err(problem::internal(&join)),
        }
    }
}

/// The full application: routes, body limit, and request logging (method, route, status only).
pub fn app(state: AppState) -> Router {
    let limit = state.max_body_bytes;
    served()
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Every route served, before state and layers; the OpenAPI tests check it against the document.
fn served() -> Router<AppState> {
    routes::router()
        .merge(assessment_routes::router())
        .merge(attachment_routes::router())
        .merge(consultation_routes::router())
        .merge(openapi::router())
}

/// Logs the route template, never the concrete path or body.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let start = Instant::now();
    let resp = next.run(req).await;
    tracing::info!(%method, route, status = resp.status().as_u16(), micros = start.elapsed().as_micros() as u64, "request");
    resp
}

/// Serves `app` on `listener` until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}
