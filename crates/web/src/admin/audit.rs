//! The audit log, for administrators and operations staff.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::AuditFilter;

use crate::auth::Viewer;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

const PAGE: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
}

type Row = (i64, String, String, String, String, String, String);

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    action: String,
    actor: String,
    entries: Vec<Row>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let action = q.action.unwrap_or_default().trim().to_owned();
    let actor = q.actor.unwrap_or_default().trim().to_owned();
    let page = q.page.unwrap_or(0).clamp(0, 100_000);
    let filter = AuditFilter {
        action_prefix: (!action.is_empty()).then(|| action.clone()),
        actor_id: actor.parse().ok(),
        limit: PAGE,
        offset: page * PAGE,
        ..AuditFilter::default()
    };
    let entries: Vec<Row> = state
        .store
        .audit_entries(&filter)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.seq,
                domain::time::jst_datetime(e.at),
                e.actor_label,
                e.action,
                format!("{} {}", e.target_type, e.target_id),
                e.detail,
                e.ip.unwrap_or_default(),
            )
        })
        .collect();
    let next = (entries.len() as i64 == PAGE).then(|| {
        format!(
            "/admin/audit?action={}&actor={}&page={}",
            crate::auth::encode_query(&action),
            crate::auth::encode_query(&actor),
            page + 1
        )
    });
    render(
        &AuditPage {
            layout: Layout::for_viewer("監査ログ", &viewer),
            action,
            actor,
            entries,
            next,
        },
        StatusCode::OK,
    )
}
