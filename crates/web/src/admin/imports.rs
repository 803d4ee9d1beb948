//! 取込みの状況: import runs with their counts and progress, and each run's
//! quarantine (the records set aside, with the reason and the raw record).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use store::{ImportRun, Quarantined, RunStatus};

use crate::auth::Viewer;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// The longest raw record shown (characters); the rest is cut with a note.
const RAW_SHOWN: usize = 20_000;

fn source_label(source: &str) -> &'static str {
    match source {
        "kkj" => "官公需情報ポータルサイト",
        "ocds" => "OCDS",
        "tokyo" => "東京都電子調達システム",
        "tokyo_municipal" => "東京電子自治体共同運営",
        _ => "その他",
    }
}

/// A run as the pages show it.
struct RunRow {
    run: ImportRun,
    source: &'static str,
    started: String,
    duration: String,
}

fn row(run: ImportRun) -> RunRow {
    let duration = match run.finished_at {
        Some(f) => format!("{:.1}秒", (f - run.started_at) as f64 / 1000.0),
        None => "—".to_owned(),
    };
    RunRow {
        source: source_label(&run.source),
        started: domain::time::jst_datetime(run.started_at),
        duration,
        run,
    }
}

#[derive(Template)]
#[template(path = "admin_imports.html")]
struct ListPage {
    layout: Layout,
    runs: Vec<RunRow>,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let runs = state
        .store
        .import_runs(100)
        .await?
        .into_iter()
        .map(row)
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("取込みの状況", &viewer),
            runs,
        },
        StatusCode::OK,
    )
}

/// A quarantined record as shown: its raw text cut to a readable length.
struct Shown {
    q: Quarantined,
    raw: String,
    cut: bool,
}

#[derive(Template)]
#[template(path = "admin_import.html")]
struct RunPage {
    layout: Layout,
    r: RunRow,
    running: bool,
    set_aside: Vec<Shown>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let run = state
        .store
        .import_run(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let set_aside = state
        .store
        .quarantined(id)
        .await?
        .into_iter()
        .map(|q| {
            let cut = q.raw.chars().count() > RAW_SHOWN;
            Shown {
                raw: q.raw.chars().take(RAW_SHOWN).collect(),
                cut,
                q,
            }
        })
        .collect();
    render(
        &RunPage {
            layout: Layout::for_viewer(format!("取込み {id}"), &viewer),
            running: run.status == RunStatus::Running,
            r: row(run),
            set_aside,
        },
        StatusCode::OK,
    )
}
