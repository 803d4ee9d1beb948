//! 顧客管理システムへの出力: approved companies' data for the support
//! center's CRM, downloaded by an administrator; every export is recorded
//! in the export log and the audit log.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use import::export::{Encoding, Format, export_companies};

use super::actor;
use crate::auth::{ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "admin_exports.html")]
struct ExportsPage {
    layout: Layout,
    csrf: String,
    /// (when, by whom, format, scope, rows) of the previous export.
    last: Option<(String, String, String, String, i64)>,
    error: Option<&'static str>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let last = state
        .store
        .last_export(store::EXPORT_COMPANIES)
        .await?
        .map(|e| {
            (
                domain::time::jst_datetime(e.created_at),
                e.actor_label,
                e.format,
                match e.since {
                    Some(s) => format!("{}以降の変更分", domain::time::jst_datetime(s)),
                    None => "全件".to_owned(),
                },
                e.rows,
            )
        });
    render(
        &ExportsPage {
            layout: Layout::for_viewer("顧客管理システムへの出力", viewer),
            csrf: viewer.csrf_token.clone(),
            last,
            error,
        },
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
    )
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    page(&state, &viewer, None).await
}

pub async fn companies(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let format = match form.get("format") {
        "csv-utf8" => Format::Csv(Encoding::Utf8),
        "csv-cp932" => Format::Csv(Encoding::Cp932),
        "jsonl" => Format::JsonLines,
        _ => return page(&state, &viewer, Some("出力の形式を選んでください。")).await,
    };
    let now = crate::auth::now_ms();
    let exported = export_companies(
        &state.store,
        format,
        form.checked("changed"),
        &actor(&viewer, &ip)?,
        now,
    )
    .await?;
    let (y, m, d, h, mi, _) = domain::time::jst_parts(now);
    let name = format!(
        "companies-{y:04}{m:02}{d:02}-{h:02}{mi:02}.{}",
        format.extension()
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        exported.bytes,
    )
        .into_response())
}
