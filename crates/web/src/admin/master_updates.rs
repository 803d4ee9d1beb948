//! 契約部署マスタの年次更新: upload next year's master, see what changes and
//! what refers to it, choose where an abolished department's cases go, and
//! apply — or set the upload aside. Applied updates stay as each year's history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use import::departments::{self, Change, Plan};
use serde::Deserialize;
use store::StoreError;

use crate::auth::actor;
use crate::auth::{ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "admin_master_updates.html")]
struct ListPage {
    layout: Layout,
    csrf: String,
    updates: Vec<UpdateRow>,
    error: Option<String>,
    year: String,
}

/// One uploaded yearly update of the 契約部署 master.
struct UpdateRow {
    id: i64,
    fiscal_year: i64,
    status: &'static str,
    uploaded: String,
    /// When it was applied, empty if not (yet).
    applied: String,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "確認中",
        "applied" => "適用済み",
        "discarded" => "取りやめ",
        _ => "不明",
    }
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
    year: String,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let updates = state
        .store
        .master_updates()
        .await?
        .into_iter()
        .map(|u| UpdateRow {
            id: u.id,
            fiscal_year: u.fiscal_year,
            status: status_label(&u.status),
            uploaded: domain::time::jst_datetime(u.created_at),
            applied: u
                .applied_at
                .map(domain::time::jst_datetime)
                .unwrap_or_default(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &ListPage {
            layout: Layout::for_viewer("契約部署マスタの年次更新", viewer).notice(done),
            csrf: viewer.csrf_token().to_owned(),
            updates,
            error,
            year,
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let (y, ..) = domain::time::jst_parts(crate::auth::now_ms());
    list_page(
        &state,
        &viewer,
        None,
        (y + 1).to_string(),
        q.done.as_deref(),
    )
    .await
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let year_text = domain::text::normalize(form.get("year")).trim().to_owned();
    let bad = |msg: &str| msg.to_owned();
    let year = match year_text.parse::<i64>() {
        Ok(y) if (2000..=2200).contains(&y) => y,
        _ => {
            return list_page(
                &state,
                &viewer,
                Some(bad("年度を西暦4桁で入力してください。")),
                year_text,
                None,
            )
            .await;
        }
    };
    let Some(file) = form.files("file").into_iter().next() else {
        return list_page(
            &state,
            &viewer,
            Some(bad("来年度の契約部署マスタ（CSV）を選んでください。")),
            year_text,
            None,
        )
        .await;
    };
    if file.bytes.len() > 5 * 1024 * 1024 {
        return list_page(
            &state,
            &viewer,
            Some(bad("ファイルが大きすぎます（5MBまで）。")),
            year_text,
            None,
        )
        .await;
    }
    let text = import::tokyo::decode(&file.bytes);
    if let Err(e) = departments::parse(text.as_bytes()) {
        return list_page(&state, &viewer, Some(e), year_text, None).await;
    }
    let user = viewer.user()?.id;
    let id = state
        .store
        .create_master_update(year, &text, Some(user), crate::auth::now_ms())
        .await?;
    Ok(Redirect::to(&format!("/admin/master-updates/{id}")).into_response())
}

/// One change as the page shows it.
struct ChangeRow {
    organization: String,
    kind: &'static str,
    old: String,
    new: String,
    cases: i64,
    users: i64,
    /// For an abolished department: its id, for the form's choice.
    abolished: Option<i64>,
    organization_id: i64,
}

/// One change an applied update made, with what it moved.
struct HistoryRow {
    organization: String,
    kind: String,
    old: String,
    new: String,
    moved_cases: i64,
    moved_users: i64,
}

#[derive(Template)]
#[template(path = "admin_master_update.html")]
struct UpdatePage {
    layout: Layout,
    csrf: String,
    id: i64,
    year: i64,
    status: &'static str,
    draft: bool,
    notice: Option<&'static str>,
    errors: Vec<(usize, String)>,
    counts: Vec<(&'static str, usize)>,
    rows: Vec<ChangeRow>,
    /// Organisation id → the codes it will have, for the move choice.
    targets: HashMap<i64, Vec<(String, String)>>,
    /// The applied history.
    history: Vec<HistoryRow>,
}

fn describe(code: Option<&str>, name: Option<&str>) -> String {
    match (code, name) {
        (Some(c), Some(n)) => format!("{c} {n}"),
        (Some(c), None) => c.to_owned(),
        (None, Some(n)) => n.to_owned(),
        (None, None) => "—".to_owned(),
    }
}

async fn current_plan(
    state: &AppState,
    csv: &str,
) -> Result<(Plan, Vec<departments::Row>), WebError> {
    let rows = departments::parse(csv.as_bytes()).unwrap_or_default();
    let organizations = state.store.ordering_organizations().await?;
    let mut current = HashMap::new();
    for o in &organizations {
        current.insert(o.id, state.store.contract_departments(o.id).await?);
    }
    Ok((departments::plan(&rows, &organizations, &current), rows))
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    page(&state, &viewer, id, q.done.as_deref(), StatusCode::OK).await
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let update = state
        .store
        .master_update(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let org_names: HashMap<i64, String> = state
        .store
        .ordering_organizations()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let draft = update.status == "draft";
    let (plan, csv_rows) = current_plan(state, &update.csv).await?;
    let mut rows = Vec::new();
    if draft {
        for org in &plan.organizations {
            for c in &org.changes {
                let (mut cases, mut users) = (0, 0);
                for dept in c.touches() {
                    let (n, u) = state.store.department_references(dept).await?;
                    cases += n;
                    users += u;
                }
                let (old, new) = match c {
                    Change::Added { code, name } => ("—".to_owned(), format!("{code} {name}")),
                    Change::Renamed {
                        code,
                        old_name,
                        name,
                        ..
                    } => (format!("{code} {old_name}"), format!("{code} {name}")),
                    Change::Recoded {
                        old_code,
                        old_name,
                        code,
                        name,
                        ..
                    } => (format!("{old_code} {old_name}"), format!("{code} {name}")),
                    Change::Merged {
                        code,
                        name,
                        sources,
                        ..
                    } => (
                        sources
                            .iter()
                            .map(|(_, c, n)| format!("{c} {n}"))
                            .collect::<Vec<_>>()
                            .join("、"),
                        format!("{code} {name}"),
                    ),
                    Change::Abolished { code, name, .. } => {
                        (format!("{code} {name}"), "—".to_owned())
                    }
                };
                rows.push(ChangeRow {
                    organization: org.organization.clone(),
                    kind: c.label(),
                    old,
                    new,
                    cases,
                    users,
                    abolished: match c {
                        Change::Abolished { id, .. } => Some(*id),
                        _ => None,
                    },
                    organization_id: org.organization_id,
                });
            }
        }
    }
    let history = if draft {
        Vec::new()
    } else {
        state
            .store
            .master_update_changes(id)
            .await?
            .into_iter()
            .map(|c| HistoryRow {
                organization: org_names
                    .get(&c.organization_id)
                    .cloned()
                    .unwrap_or_default(),
                kind: c.kind,
                old: describe(c.old_code.as_deref(), c.old_name.as_deref()),
                new: describe(c.new_code.as_deref(), c.new_name.as_deref()),
                moved_cases: c.moved_cases,
                moved_users: c.moved_users,
            })
            .collect()
    };
    let counts = ["新設", "名称変更", "コード変更", "統合", "廃止"]
        .into_iter()
        .map(|k| (k, plan.count(k)))
        .collect();
    render(
        &UpdatePage {
            layout: Layout::for_viewer(
                format!("{}年度の契約部署マスタ", update.fiscal_year),
                viewer,
            ),
            csrf: viewer.csrf_token().to_owned(),
            id,
            year: update.fiscal_year,
            status: status_label(&update.status),
            draft,
            notice: match done {
                Some("applied") => {
                    Some("契約部署マスタを更新しました。変更の内容は下の履歴のとおりです。")
                }
                _ => None,
            },
            errors: if draft {
                plan.errors.clone()
            } else {
                Vec::new()
            },
            counts,
            rows,
            targets: departments::codes_after(&plan, &csv_rows),
            history,
        },
        status,
    )
}

pub async fn apply(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let update = state
        .store
        .master_update(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let (plan, csv_rows) = current_plan(&state, &update.csv).await?;
    if !plan.errors.is_empty() || update.status != "draft" {
        return page(&state, &viewer, id, None, StatusCode::CONFLICT).await;
    }
    // Where each abolished department's references go: a code the
    // organisation will have, or nowhere.
    let targets = departments::codes_after(&plan, &csv_rows);
    let mut moves = HashMap::new();
    for org in &plan.organizations {
        for c in &org.changes {
            if let Change::Abolished { id: dept, .. } = c {
                let chosen = form.get(&format!("move_{dept}"));
                let valid = targets
                    .get(&org.organization_id)
                    .is_some_and(|t| t.iter().any(|(code, _)| code == chosen));
                if valid {
                    moves.insert(*dept, chosen.to_owned());
                }
            }
        }
    }
    let (ops, changes) = departments::operations(&plan, &moves);
    match state
        .store
        .apply_master_update(
            id,
            &ops,
            &changes,
            &actor(&viewer, &ip)?,
            crate::auth::now_ms(),
        )
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/admin/master-updates/{id}?done=applied")).into_response())
        }
        Err(StoreError::Stale) => page(&state, &viewer, id, None, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn discard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    state.store.discard_master_update(id).await?;
    Ok(Redirect::to("/admin/master-updates?done=discarded").into_response())
}
