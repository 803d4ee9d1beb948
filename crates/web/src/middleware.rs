//! The layers every request passes through, outermost first:
//! the render cache's early answer → compression → security headers → tracing → metrics → error pages → CSRF
//! origin check → panic catcher → session (viewer) → timeout → body-size limit
//! → the route's role guard → the route.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self as axum_mw, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::errors::{self, ErrorInfo, ErrorKind, WebError};
use crate::{AppState, auth, metrics};

/// Only our own origin may supply scripts, styles, images, fonts and form targets;
/// no page may be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub(crate) fn wrap(routes: Router<AppState>, state: AppState) -> Router {
    let limit = state.settings.max_body_bytes;
    let timeout = state.settings.request_timeout;
    let mut router = routes
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum_mw::from_fn_with_state(
            (limit, state.settings.max_bundle_bytes),
            limit_body,
        ))
        .layer(axum_mw::from_fn_with_state(timeout, request_timeout))
        .layer(axum_mw::from_fn_with_state(
            state.clone(),
            crate::site_layout::provide,
        ))
        .layer(axum_mw::from_fn_with_state(
            state.clone(),
            auth::load_viewer,
        ))
        .layer(CatchPanicLayer::custom(on_panic))
        .layer(CsrfLayer::new())
        .layer(axum_mw::from_fn(error_pages))
        .layer(axum_mw::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // The route template, never the raw path or query: they can hold
                    // tokens and personal data.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("request", method = %req.method(), route)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        );
    for (name, value) in security_headers(state.settings.secure_cookies) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
        .layer(CompressionLayer::new())
        // Outermost: a visitor's page kept by the render cache is answered
        // before any of the above is run (it adds the same headers itself).
        .layer(axum_mw::from_fn_with_state(
            state.clone(),
            crate::page_cache::answer_early,
        ))
        .with_state(state)
}

/// The headers every answer carries; with `https`, HSTS too.
pub(crate) fn security_headers(https: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if https {
        // Served over https: browsers should never fall back to plain http.
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    headers
}

async fn request_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_secs = limit.as_secs_f64(), "request timed out");
            WebError::new(ErrorKind::Unavailable, ErrorKind::Unavailable.message()).into_response()
        }
    }
}

fn on_panic(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The payload may quote request data, so it is not logged here; the panic
    // hook has already reported where it happened.
    tracing::error!("handler panicked");
    WebError::new(ErrorKind::Internal, ErrorKind::Internal.message()).into_response()
}

/// Turns every error status into the site's Japanese page, or into the JSON
/// envelope under `/api/`, unless the handler already rendered its own.
/// The routes that take a content bundle, which may be far larger than any
/// form (their handlers write it to a file as it arrives).
const BUNDLE_ROUTES: &[&str] = &["/admin/content/bundle/upload", "/api/v1/content/bundle"];

/// Refuses a body larger than the limit (413): at once when its length is
/// declared, or as soon as it has been read past the limit.
async fn limit_body(
    State((forms, bundles)): State<(usize, usize)>,
    req: Request,
    next: Next,
) -> Response {
    let limit = if BUNDLE_ROUTES.contains(&req.uri().path()) {
        bundles
    } else {
        forms
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit))))
        .await
}

async fn error_pages(req: Request, next: Next) -> Response {
    let json = wants_json(&req);
    let head = req.method() == Method::HEAD;
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    if info.is_none() && has_own_body(&response) {
        return response;
    }
    let kind = info
        .as_ref()
        .map_or_else(|| ErrorKind::from_status(status), |i| i.kind);
    let message = info.map_or_else(|| kind.message().to_owned(), |i| i.message);
    let (parts, _) = response.into_parts();
    let mut rendered = errors::render(kind, &message, status, json);
    for keep in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&keep) {
            rendered.headers_mut().insert(keep, v.clone());
        }
    }
    if head {
        let (parts, _) = rendered.into_parts();
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    rendered
}

fn wants_json(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.starts_with("application/json"))
}

fn has_own_body(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"))
}
