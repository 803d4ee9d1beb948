//! The audit log, for administrators and operations staff: people by name,
//! actions by their Japanese label, filtered by person, action and dates
//! (a GET form that needs no JavaScript), newest first, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::AuditFilter;

use crate::auth::{Viewer, encode_query};
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

const PAGE: i64 = 50;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    person: Option<String>,
    action: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<i64>,
}

/// One entry as people read it.
struct Entry {
    seq: i64,
    at: String,
    person: String,
    /// Filters the log by this person.
    person_href: Option<String>,
    action: String,
    target: String,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    person: String,
    action: String,
    from: String,
    until: String,
    actions: &'static [(&'static str, &'static str)],
    /// The person the list is narrowed to by a link, if any.
    actor_name: Option<String>,
    errors: Vec<&'static str>,
    entries: Vec<Entry>,
    newer: Option<String>,
    older: Option<String>,
}

fn target_label(kind: &str) -> &str {
    match kind {
        "user" => "利用者",
        "company" => "企業",
        "case" => "案件",
        "export" => "出力",
        "master" => "マスタ",
        "api_token" => "APIトークン",
        other => other,
    }
}

/// A typed date (JST) as the first millisecond of that day.
fn day(input: &str) -> Result<Option<i64>, ()> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    domain::time::parse_jst_datetime(input, 0)
        .filter(|_| !input.contains([':', 'T']))
        .map(Some)
        .ok_or(())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let person = q.person.unwrap_or_default().trim().to_owned();
    let action = q
        .action
        .map(|a| a.trim().to_owned())
        .filter(|a| domain::audit::action_label(a).is_some())
        .unwrap_or_default();
    let actor_id: Option<i64> = q.actor.as_deref().and_then(|a| a.trim().parse().ok());
    let from_text = q.from.unwrap_or_default();
    let until_text = q.until.unwrap_or_default();
    let mut errors = Vec::new();
    let from = day(&from_text).unwrap_or_else(|()| {
        errors.push("開始日は 2026-12-01 のように年-月-日で入力してください。");
        None
    });
    let until = day(&until_text).unwrap_or_else(|()| {
        errors.push("終了日は 2026-12-31 のように年-月-日で入力してください。");
        None
    });
    let page = q.page.unwrap_or(0).clamp(0, 100_000);
    let filter = AuditFilter {
        action: (!action.is_empty()).then(|| action.clone()),
        actor_id,
        person: (!person.is_empty()).then(|| person.clone()),
        from,
        // The end date is the whole of that day.
        until: until.map(|u| u + DAY_MS),
        limit: PAGE + 1,
        offset: page * PAGE,
        ..AuditFilter::default()
    };
    let mut found = state.store.audit_entries(&filter).await?;
    let more = found.len() as i64 > PAGE;
    found.truncate(usize::try_from(PAGE).unwrap_or(50));
    let actor_name = match actor_id {
        Some(id) => state.store.user(id).await?.map(|u| u.name),
        None => None,
    };
    // People acted on are named too (a page holds at most PAGE of them).
    let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    for e in found.iter().filter(|e| e.target_type == "user") {
        if let Ok(id) = e.target_id.parse::<i64>()
            && !names.contains_key(&id)
            && let Some(u) = state.store.user(id).await?
        {
            names.insert(id, u.name);
        }
    }
    let entries = found
        .into_iter()
        .map(|e| Entry {
            seq: e.seq,
            at: domain::time::jst_datetime(e.at),
            person_href: e.actor_id.map(|id| format!("/admin/audit?actor={id}")),
            person: e.actor_name.unwrap_or(e.actor_label),
            action: domain::audit::action_label(&e.action)
                .map_or_else(|| e.action.clone(), str::to_owned),
            target: if e.target_id.is_empty() {
                target_label(&e.target_type).to_owned()
            } else if let Some(name) = (e.target_type == "user")
                .then(|| e.target_id.parse::<i64>().ok())
                .flatten()
                .and_then(|id| names.get(&id))
            {
                format!("{} {name}", target_label(&e.target_type))
            } else {
                format!("{} {}", target_label(&e.target_type), e.target_id)
            },
            detail: e.detail,
            ip: e.ip.unwrap_or_default(),
        })
        .collect();
    let link = |page: i64| {
        format!(
            "/admin/audit?person={}&action={}&actor={}&from={}&until={}&page={page}",
            encode_query(&person),
            encode_query(&action),
            actor_id.map_or_else(String::new, |a| a.to_string()),
            encode_query(from_text.trim()),
            encode_query(until_text.trim()),
        )
    };
    render(
        &AuditPage {
            layout: Layout::for_viewer("監査ログ", &viewer),
            newer: (page > 0).then(|| link(page - 1)),
            older: more.then(|| link(page + 1)),
            person,
            action,
            from: from_text.trim().to_owned(),
            until: until_text.trim().to_owned(),
            actions: domain::audit::ACTIONS,
            actor_name,
            errors,
            entries,
        },
        StatusCode::OK,
    )
}
