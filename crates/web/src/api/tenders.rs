//! The bidders' side of an e-tender as JSON, for bidders' own tools as much
//! as for the pages: submit a sealed bid, or decline. Authenticated by the
//! session; a JSON body (which a cross-site form cannot send) and the
//! origin check keep other sites from bidding in a user's name.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use store::{Receipt, StoreError};

use crate::auth::Viewer;
use crate::{AppState, ErrorKind, WebError};

#[derive(Debug, Deserialize)]
pub struct BidRequest {
    /// 入札金額 (yen).
    amount: i64,
    /// くじ入力番号, "000"–"999".
    kuji: String,
    #[serde(default)]
    breakdown: String,
}

fn receipt_json(r: &Receipt) -> Response {
    (
        StatusCode::CREATED,
        Json(json!({
            "receipt_no": r.receipt_no,
            "received_at": domain::time::jst_rfc3339(r.received_at),
            "received_at_ms": r.received_at,
            "sealed_sha256": r.sealed_hash,
            "declined": r.declined,
        })),
    )
        .into_response()
}

fn refused(e: etender::TenderError) -> WebError {
    match e {
        etender::TenderError::Refused(m) => WebError::new(ErrorKind::Unprocessable, m),
        etender::TenderError::Store(s) => store_refused(s),
        etender::TenderError::Seal(e) => WebError::internal(e),
    }
}

fn store_refused(e: StoreError) -> WebError {
    match e {
        StoreError::Invalid(m) => WebError::new(ErrorKind::Unprocessable, m),
        StoreError::Conflict { .. } => WebError::new(
            ErrorKind::Unprocessable,
            "この案件には既に入札（または辞退）しています。入札は一度だけです。",
        ),
        StoreError::Stale => WebError::not_found(),
        other => WebError::internal(other),
    }
}

fn bidder(viewer: &Viewer) -> Result<(i64, i64, store::Actor), WebError> {
    let user = viewer.user()?;
    let company = user
        .company_id
        .ok_or_else(|| WebError::new(ErrorKind::Forbidden, "企業の利用者だけが入札できます。"))?;
    Ok((
        user.id,
        company,
        store::Actor {
            user_id: Some(user.id),
            label: format!("入札者 {}", user.name),
            ip: None,
        },
    ))
}

pub async fn bid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Result<Json<BidRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, WebError> {
    // The server's clock at arrival decides whether the bid is in time.
    let now = crate::auth::now_ms();
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let Json(req) = body.map_err(|_| {
        WebError::new(
            ErrorKind::BadRequest,
            "入札の内容を読み取れません。JSON（amount, kuji, breakdown）で送ってください。",
        )
    })?;
    let (user, company, actor) = bidder(&viewer)?;
    let content = etender::BidContent {
        amount: req.amount,
        kuji: req.kuji,
        breakdown: req.breakdown,
    };
    let receipt = etender::submit(&state.store, id, company, Some(user), &content, &actor, now)
        .await
        .map_err(refused)?;
    Ok(receipt_json(&receipt))
}

pub async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let now = crate::auth::now_ms();
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let (user, company, actor) = bidder(&viewer)?;
    let receipt = state
        .store
        .submit_bid(id, company, Some(user), None, &actor, now)
        .await
        .map_err(store_refused)?;
    Ok(receipt_json(&receipt))
}
