//! 顧客管理システムへの出力: approved companies' data for the support
//! center's CRM, downloaded by an administrator; every export is recorded
//! in the export log and the audit log.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use import::export::{DEFAULT_DESTINATION, Encoding, Format, destination_name, export_companies};

use crate::auth::actor;
use crate::auth::{ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// One export as the page lists it.
struct ExportRow {
    at: String,
    by: String,
    format: String,
    destination: String,
    scope: String,
    rows: i64,
    /// The characters CP932 could not hold, by company and field.
    problems: Vec<store::ExportProblem>,
}

#[derive(Template)]
#[template(path = "admin_exports.html")]
struct ExportsPage {
    layout: Layout,
    csrf: String,
    /// Each destination's newest export: where its next changed-only export starts.
    destinations: Vec<ExportRow>,
    recent: Vec<ExportRow>,
    destination: String,
    error: Option<(&'static str, &'static str)>,
}

async fn row(state: &AppState, e: store::ExportRecord) -> Result<ExportRow, WebError> {
    let problems = state.store.export_problems(e.id).await?;
    Ok(ExportRow {
        at: domain::time::jst_datetime(e.created_at),
        by: e.actor_label,
        format: e.format,
        destination: e
            .destination
            .unwrap_or_else(|| "（一時的な出力）".to_owned()),
        scope: match e.since {
            Some(s) => format!("{}以降の変更分", domain::time::jst_datetime(s)),
            None => "全件".to_owned(),
        },
        rows: e.rows,
        problems,
    })
}

/// The page; `error` is (field id, message).
async fn page(
    state: &AppState,
    viewer: &Viewer,
    destination: &str,
    error: Option<(&'static str, &'static str)>,
) -> Result<Response, WebError> {
    let mut destinations = Vec::new();
    for e in state
        .store
        .export_destinations(store::EXPORT_COMPANIES)
        .await?
    {
        destinations.push(row(state, e).await?);
    }
    let mut recent = Vec::new();
    for e in state.store.exports(store::EXPORT_COMPANIES, 20).await? {
        recent.push(row(state, e).await?);
    }
    render(
        &ExportsPage {
            layout: Layout::for_viewer("顧客管理システムへの出力", viewer),
            csrf: viewer.csrf_token().to_owned(),
            destinations,
            recent,
            destination: destination.to_owned(),
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
    page(&state, &viewer, DEFAULT_DESTINATION, None).await
}

pub async fn companies(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let typed = form.get("destination").to_owned();
    let format = match form.get("format") {
        "csv-utf8" => Format::Csv(Encoding::Utf8),
        "csv-cp932" => Format::Csv(Encoding::Cp932),
        "jsonl" => Format::JsonLines,
        _ => {
            return page(
                &state,
                &viewer,
                &typed,
                Some(("f-format", "出力の形式を選んでください。")),
            )
            .await;
        }
    };
    // An empty destination is a one-off export: it moves no starting point.
    let destination = if typed.trim().is_empty() {
        None
    } else {
        match destination_name(&typed) {
            Some(d) => Some(d),
            None => {
                return page(
                    &state,
                    &viewer,
                    &typed,
                    Some((
                        "f-destination",
                        "出力先の名前は、40文字以内の英数字・かな漢字・「-」「_」「.」で入力してください。",
                    )),
                )
                .await;
            }
        }
    };
    let changed = form.checked("changed");
    if changed && destination.is_none() {
        return page(
            &state,
            &viewer,
            &typed,
            Some((
                "f-destination",
                "変更分だけを出力するときは、出力先を入力してください（出力先ごとに前回の続きから出力します）。",
            )),
        )
        .await;
    }
    let now = crate::auth::now_ms();
    let exported = export_companies(
        &state.store,
        format,
        changed,
        destination.as_deref(),
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
