//! The audit log's signed checkpoints, published for anyone to keep: a page
//! and the same list as JSON (`chance-navi audit verify --checkpoints FILE`
//! reads that file back). Only sequence numbers, hashes, times and
//! signatures: nothing about who did what.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::audit::{Checkpoint, CheckpointDocument, PublicKey};

use crate::auth::{Guarded, PUBLIC, Viewer};
use crate::errors::ErrorKind;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// How many of the newest checkpoints are published (one a day, or every
/// thousand entries): outsiders who look at least this often miss none.
pub const PUBLISHED: i64 = 100;

/// Checkpoints change at most every few minutes; a cache may keep them briefly.
const CACHE: &str = "public, max-age=60";

pub fn routes(g: Guarded) -> Guarded {
    g.get("/audit/checkpoints", PUBLIC, get(page))
        .get("/audit/checkpoints.json", PUBLIC, get(json))
}

/// One row of the page.
#[derive(Debug)]
struct Row {
    seq: i64,
    time: String,
    head_hash: String,
    keyed_from: i64,
    signature: String,
}

#[derive(Template)]
#[template(path = "audit_checkpoints.html")]
struct CheckpointsPage {
    layout: Layout,
    public_key: String,
    rows: Vec<Row>,
}

async fn published(state: &AppState) -> Result<(PublicKey, Vec<Checkpoint>), WebError> {
    let Some(key) = state.store.audit_public_key() else {
        return Err(WebError::new(
            ErrorKind::Unavailable,
            "このサーバーには監査ログの鍵が設定されていません。",
        ));
    };
    Ok((key, state.store.audit_checkpoints(PUBLISHED).await?))
}

async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let (key, checkpoints) = published(&state).await?;
    let rows = checkpoints
        .into_iter()
        .map(|cp| Row {
            seq: cp.seq,
            time: domain::time::jst_datetime(cp.at),
            head_hash: cp.head_hash,
            keyed_from: cp.keyed_from,
            signature: cp.signature,
        })
        .collect();
    let mut response = render(
        &CheckpointsPage {
            layout: Layout::for_viewer("監査ログのチェックポイント", &viewer),
            public_key: key.to_hex(),
            rows,
        },
        StatusCode::OK,
    )?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    Ok(response)
}

async fn json(State(state): State<AppState>) -> Result<Response, WebError> {
    let (key, checkpoints) = published(&state).await?;
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static(CACHE))],
        Json(CheckpointDocument::new(&key, &checkpoints)),
    )
        .into_response())
}
