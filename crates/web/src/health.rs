//! Probes for 24-hour operation: liveness, readiness and metrics.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::json;

use crate::auth::{ClientAddr, Guarded, PUBLIC, Viewer};
use crate::{AppState, ErrorKind, WebError};

/// How long readiness waits for the database before calling it unreachable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn routes(g: Guarded) -> Guarded {
    g.get("/healthz", PUBLIC, get(healthz))
        .get("/readyz", PUBLIC, get(readyz))
        .get("/healthz/imports", PUBLIC, get(imports))
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

/// Who may watch the portal's working: the operations role and
/// administrators, and the networks configured for monitoring. The counters
/// tell, among other things, how many bids arrived and when — nothing for
/// anyone before the opening.
fn may_watch(state: &AppState, viewer: &Viewer, addr: ClientAddr) -> Result<(), WebError> {
    if viewer.has(domain::Role::Ops)
        || viewer.has(domain::Role::Admin)
        || domain::net::in_any(&state.settings.metrics_from, addr.0)
    {
        Ok(())
    } else {
        Err(WebError::new(
            ErrorKind::Forbidden,
            "このページは運用・保守の担当者と、監視用に設定されたネットワークからだけ見られます。",
        ))
    }
}

async fn metrics(
    State(state): State<AppState>,
    viewer: Viewer,
    addr: ClientAddr,
) -> Result<Response, WebError> {
    may_watch(&state, &viewer, addr)?;
    let mut body = state.metrics.render();
    body.push_str(&format!(
        "# HELP chance_navi_page_cache_bytes Bytes of pages the render cache keeps now.\n\
         # TYPE chance_navi_page_cache_bytes gauge\nchance_navi_page_cache_bytes {}\n\
         # HELP chance_navi_page_cache_limit_bytes The render cache's bound.\n\
         # TYPE chance_navi_page_cache_limit_bytes gauge\nchance_navi_page_cache_limit_bytes {}\n",
        state.pages.bytes(),
        state.settings.page_cache_bytes
    ));
    let now = crate::auth::now_ms();
    match state.store.import_health().await {
        Ok(sources) => body.push_str(&import_metrics(&sources, now)),
        Err(e) => tracing::warn!(error = %e, "import health could not be read for metrics"),
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// Each source's imports in the Prometheus text format.
fn import_metrics(sources: &[store::SourceHealth], now: i64) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# HELP chance_navi_import_failing 1 when the source's newest import run failed or has been silent for an hour.\n\
         # TYPE chance_navi_import_failing gauge\n",
    );
    for s in sources {
        let _ = writeln!(
            out,
            "chance_navi_import_failing{{source=\"{}\"}} {}",
            s.newest.source,
            u8::from(s.is_failing(now))
        );
    }
    out.push_str(
        "# HELP chance_navi_import_last_success_timestamp_seconds When an import run of the source last succeeded.\n\
         # TYPE chance_navi_import_last_success_timestamp_seconds gauge\n",
    );
    for s in sources {
        if let Some(at) = s.last_success {
            let _ = writeln!(
                out,
                "chance_navi_import_last_success_timestamp_seconds{{source=\"{}\"}} {}",
                s.newest.source,
                at / 1000
            );
        }
    }
    out
}

/// For an operator's alert: 200 while every source's newest import run
/// succeeded (or is running and showing progress), 503 naming each failing
/// source and why.
async fn imports(
    State(state): State<AppState>,
    viewer: Viewer,
    addr: ClientAddr,
) -> Result<Response, WebError> {
    may_watch(&state, &viewer, addr)?;
    let now = crate::auth::now_ms();
    let sources = state.store.import_health().await?;
    let failing = sources.iter().any(|s| s.is_failing(now));
    let body = json!({
        "status": if failing { "failing" } else { "ok" },
        "sources": sources.iter().map(|s| json!({
            "source": s.newest.source,
            "failing": s.is_failing(now),
            "newest_run": {
                "id": s.newest.id,
                "status": s.newest.status.as_str(),
                "started_at": domain::time::jst_rfc3339(s.newest.started_at),
                "finished_at": s.newest.finished_at.map(domain::time::jst_rfc3339),
                "error": s.newest.error,
            },
            "last_success_at": s.last_success.map(domain::time::jst_rfc3339),
        })).collect::<Vec<_>>(),
    });
    let status = if failing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response())
}
