//! 取込みの状況: import runs with their counts and progress, and each run's
//! quarantine (the records set aside, with the reason and the raw record);
//! starting one from an uploaded file, or running a scheduled one now.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use import::Source;
use store::{ImportRun, Quarantined, RunStatus};

use crate::auth::Viewer;
use crate::forms::FormData;
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

/// A scheduled import as the list shows it.
struct ScheduleRow {
    n: usize,
    source: &'static str,
    origin: String,
    every: String,
}

#[derive(Template)]
#[template(path = "admin_imports.html")]
struct ListPage {
    layout: Layout,
    csrf: String,
    runs: Vec<RunRow>,
    /// (value, label) of each source.
    sources: Vec<(&'static str, &'static str)>,
    schedules: Vec<ScheduleRow>,
    /// Whether this viewer may start imports (administrators and the
    /// operations role).
    may_start: bool,
    /// (field id, message) of a refused upload.
    error: Option<(&'static str, String)>,
    done: Option<&'static str>,
    max_upload: String,
}

/// Who may start imports: administrators and the operations role.
pub const STARTERS: &[domain::Role] = &[domain::Role::Admin, domain::Role::Ops];

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<(&'static str, String)>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let runs = state
        .store
        .import_runs(100)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let schedules = state
        .settings
        .import_schedules
        .iter()
        .enumerate()
        .map(|(n, s)| ScheduleRow {
            n,
            source: s.source.label(),
            origin: s.origin.clone(),
            every: if s.every_minutes % 60 == 0 {
                format!("{}時間ごと", s.every_minutes / 60)
            } else {
                format!("{}分ごと", s.every_minutes)
            },
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &ListPage {
            layout: Layout::for_viewer("取込みの状況", viewer),
            csrf: viewer.csrf_token().to_owned(),
            runs,
            sources: Source::ALL.iter().map(|s| (s.name(), s.label())).collect(),
            schedules,
            may_start: STARTERS.iter().any(|r| viewer.has(*r)),
            error,
            done,
            max_upload: domain::upload::size_label(state.settings.max_body_bytes as i64),
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = q
        .iter()
        .any(|(k, v)| k == "done" && v == "scheduled")
        .then_some("取込みを始めるよう指示しました。実行中の記録が下の一覧に現れます。");
    list_page(&state, &viewer, None, done).await
}

/// Starts an import of an uploaded file; the run goes on in the background
/// and its page shows how far it has got.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let Some(source) = Source::parse_name(form.get("source")) else {
        return list_page(
            &state,
            &viewer,
            Some(("f-source", "取込み元を選んでください。".into())),
            None,
        )
        .await;
    };
    let Some(file) = form
        .files("file")
        .into_iter()
        .next()
        .filter(|f| !f.bytes.is_empty())
    else {
        return list_page(
            &state,
            &viewer,
            Some(("f-file", "取り込むファイルを選んでください。".into())),
            None,
        )
        .await;
    };
    let name = domain::upload::clean_name(&file.file_name);
    // Kept in a temporary file for the run: a kkj answer is read from it
    // record by record.
    let mut temp = tempfile::NamedTempFile::new().map_err(WebError::internal)?;
    std::io::Write::write_all(&mut temp, &file.bytes).map_err(WebError::internal)?;
    let who = viewer.user()?.name.clone();
    let origin = format!("アップロード「{name}」（{who}）");
    let now = crate::auth::now_ms();
    let run_id = state
        .store
        .start_import_run(source.name(), &origin, now)
        .await?;
    let task_state = state.clone();
    tokio::spawn(async move {
        let path = temp.path().to_owned();
        let out = import::run_files_started(
            &task_state.store,
            run_id,
            source,
            &[path.as_path()],
            crate::auth::now_ms,
            &mut |_| {},
        )
        .await;
        drop(temp);
        match out {
            Ok(out) => tracing::info!(
                run = out.run_id,
                failed = out.error.is_some(),
                "uploaded import finished"
            ),
            Err(e) => {
                tracing::warn!(run = run_id, error = %e, "uploaded import could not be stored")
            }
        }
        task_state.cases_written();
    });
    Ok(Redirect::to(&format!("/admin/imports/{run_id}")).into_response())
}

/// Runs scheduled import `n` now: its lease ends, so the next node to look
/// (this one at once) takes it — unless a run of its source is going on.
pub async fn run_schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(n): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let schedule = n
        .parse::<usize>()
        .ok()
        .and_then(|n| state.settings.import_schedules.get(n))
        .ok_or_else(WebError::not_found)?;
    let now = crate::auth::now_ms();
    if state
        .store
        .import_running(schedule.source.name(), now - store::SILENT_RUN_MS)
        .await?
    {
        return list_page(
            &state,
            &viewer,
            Some((
                "schedules",
                format!(
                    "{}の取込みが実行中です。終わってから、もう一度お試しください。",
                    schedule.source.label()
                ),
            )),
            None,
        )
        .await;
    }
    state.store.expire_lease(&schedule.lease, now).await?;
    state.imports_wake.notify_one();
    Ok(Redirect::to("/admin/imports?done=scheduled").into_response())
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
