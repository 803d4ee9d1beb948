//! The chance-navi web server: routes, pages and the middleware every request
//! passes through. Handlers are thin; SQL lives in `store`, rules in `domain`.

mod assets;
mod errors;
mod health;
mod home;
mod layout;
mod metrics;
mod middleware;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use errors::{ErrorKind, WebError};
pub use layout::{Layout, NavItem};
pub use metrics::Metrics;

/// Settings the web layer needs; the CLI fills them from flags, environment and file.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// A request that takes longer is answered with 503.
    pub request_timeout: Duration,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: usize,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Everything a handler may need, shared by all requests.
#[derive(Debug)]
pub struct App {
    pub store: store::Store,
    pub settings: WebSettings,
    pub metrics: Metrics,
}

/// The shared state as an extractor: `State(AppState)`.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    pub fn new(store: store::Store, settings: WebSettings) -> Self {
        AppState(Arc::new(App {
            store,
            settings,
            metrics: Metrics::new(),
        }))
    }
}

/// Every route of the portal, before the middleware. Each feature folder adds its own.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(health::router())
        .merge(assets::router())
}

/// The portal: `routes()` wrapped in the middleware every request passes through.
pub fn app(state: AppState) -> Router {
    with_middleware(routes(), state)
}

/// Wraps any set of routes in the portal's middleware (tests add routes of their own).
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    middleware::wrap(routes.fallback(errors::not_found), state)
}

/// Serves `app` on `listener` until `shutdown` completes; requests in flight then finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
