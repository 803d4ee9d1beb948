//! Probes for 24-hour operation: liveness, readiness and metrics.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::json;

use crate::AppState;
use crate::auth::{Guarded, PUBLIC};

/// How long readiness waits for the database before calling it unreachable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn routes(g: Guarded) -> Guarded {
    g.get("/healthz", PUBLIC, get(healthz))
        .get("/readyz", PUBLIC, get(readyz))
        .get("/metrics", PUBLIC, get(metrics))
}

/// The process is alive and answering; says nothing about its dependencies.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready to serve: the database answers and the search index is open.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!("readiness: database timed out");
            "timeout"
        }
    };
    // The index is readable if a searcher can be had; its lag is reported.
    let index_docs = state.search.num_docs();
    let index_seq = state.search.indexed_seq();
    let ready = database == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": {"database": database, "index": "ok"},
        "index": {"documents": index_docs, "seq": index_seq},
        "engine": state.store.engine().name(),
    });
    (
        status,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        state.metrics.render(),
    )
        .into_response()
}
