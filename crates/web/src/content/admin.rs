//! Authoring site content in the administration area (administrators and
//! operators): the list, the form with a preview that needs no JavaScript,
//! saving with the revision the form was made from, the history with a diff
//! against the live version, and restoring a revision.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use content::publish::{Publication, Status};
use content::{ContentKind, Notice};
use serde::Deserialize;
use store::{ContentFilter, ContentItem, ContentSave, ContentState, StoreError};

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::forms::{Errors, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{Done, render};
use crate::{AppState, WebError};

use super::form;
use super::public;

#[derive(Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    done: Option<String>,
}

/// One row of the list.
struct Row {
    id: i64,
    kind: &'static str,
    title: String,
    path: String,
    status: &'static str,
    public: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "admin_content.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    kind: Option<ContentKind>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| ContentKind::from_code(k).ok());
    let now = now_ms();
    let items = state
        .store
        .content_list(&ContentFilter {
            kind,
            limit: 1000,
            ..ContentFilter::default()
        })
        .await?;
    let rows = items
        .iter()
        .map(|i| Row {
            id: i.id,
            kind: i.kind.label(),
            title: i.state.title.clone(),
            path: i.path.clone(),
            status: i.publication.shown(now).label(),
            public: i.is_public(now),
            updated: domain::time::jst_datetime(i.updated_at),
        })
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("サイトコンテンツ", &viewer).notice(q.done.as_deref()),
            rows,
            kind,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "admin_content_edit.html")]
struct EditPage {
    layout: Layout,
    heading: String,
    action: String,
    csrf: String,
    revision: Option<i64>,
    kind: ContentKind,
    id: Option<i64>,
    summary: Vec<(String, String)>,
    sets: Vec<FieldSet>,
    /// The page as it would look, when asked for.
    preview_item: Option<public::Shown>,
    notices: Vec<String>,
    live_path: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    let kind = ContentKind::from_code(&kind).map_err(|_| WebError::not_found())?;
    let blank = ContentState {
        kind: kind.as_str().into(),
        parent_id: None,
        slug: String::new(),
        sort_order: 0,
        title: String::new(),
        body: String::new(),
        summary: None,
        category: (kind == ContentKind::Post).then(|| "news".to_owned()),
        tags: Vec::new(),
        status: Status::Draft.as_str().into(),
        published_at: None,
        event: None,
        division: None,
        help_key: None,
    };
    let sets = form::fields(&state, kind, &blank, None, None).await?;
    EditPage::new(
        &viewer,
        kind,
        None,
        None,
        sets,
        &Errors::default(),
        None,
        Vec::new(),
    )
    .render()
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let sets = form::fields(&state, item.kind, &item.state, Some(&item), None).await?;
    let mut page = EditPage::new(
        &viewer,
        item.kind,
        Some(&item),
        Some(item.revision),
        sets,
        &Errors::default(),
        None,
        Vec::new(),
    );
    page.layout = page.layout.notice(q.done.as_deref());
    page.render()
}

impl EditPage {
    /// The form for a new item of `kind` (`item` none) or for `item`,
    /// made from `revision`, with what the author must fix.
    #[expect(clippy::too_many_arguments, reason = "one page, its parts named")]
    fn new(
        viewer: &Viewer,
        kind: ContentKind,
        item: Option<&ContentItem>,
        revision: Option<i64>,
        mut sets: Vec<FieldSet>,
        errors: &Errors,
        preview_item: Option<public::Shown>,
        notices: Vec<String>,
    ) -> EditPage {
        let summary = errors.apply(&mut sets);
        let heading = match item {
            Some(_) => format!("{}の編集", kind.label()),
            None => format!("{}の作成", kind.label()),
        };
        EditPage {
            layout: Layout::for_viewer(heading.clone(), viewer),
            heading,
            action: item.map_or_else(
                || format!("/admin/content/new/{}", kind.as_str()),
                |i| format!("/admin/content/{}", i.id),
            ),
            csrf: viewer.csrf_token().to_owned(),
            revision,
            kind,
            id: item.map(|i| i.id),
            summary,
            sets,
            preview_item,
            notices,
            live_path: item
                .filter(|i| i.is_public(now_ms()))
                .map(|i| i.path.clone()),
        }
    }

    fn render(&self) -> Result<Response, WebError> {
        render(self, crate::pages::status_for(!self.summary.is_empty()))
    }
}

/// Saves or previews, for a new item (`before` none) or an existing one.
async fn submit(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    kind: ContentKind,
    before: Option<ContentItem>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(viewer)?;
    let now = now_ms();
    let library = super::media::library(state, form.get("body")).await?;
    let (s, mut errors, notices) = form::read(&form, kind, before.as_ref(), &library, now);
    // A code the form never offered (the store would refuse it by its
    // foreign key) is answered beside its field.
    if let Some(c) = s.category.as_deref().filter(|c| !c.is_empty())
        && !state
            .store
            .content_categories()
            .await?
            .iter()
            .any(|(code, ..)| code == c)
    {
        errors.add("category", "カテゴリーを選び直してください。");
    }
    let revision = form.get("revision").trim().parse::<i64>().ok();
    let notices: Vec<String> = notices
        .iter()
        .filter(|n| !n.blocks_saving())
        .map(Notice::message)
        .collect();
    let preview = form.get("intent") == "preview";
    if errors.is_empty() && !preview {
        let saved = state
            .store
            .save_content(&ContentSave {
                id: before.as_ref().map(|b| b.id),
                revision,
                state: &s,
                actor: &actor(viewer, ip)?,
                now,
            })
            .await;
        match saved {
            Ok(item) => {
                return Ok(Redirect::to(&format!("/admin/content/{}?done=saved", item.id)).into_response());
            }
            Err(StoreError::Conflict { field: "path" }) => errors.add("slug", "このアドレスは別のページや投稿が使っています。別のスラッグにしてください。"),
            Err(StoreError::Conflict { field: "help_key" }) => errors.add("help_key", "このヘルプキーは別のページが使っています。"),
            Err(StoreError::Stale) => errors.add(
                "revision",
                "この間に別の人が保存しました。入力した内容は下に残っています。別の画面で最新の内容を確かめてから、もう一度保存してください。",
            ),
            Err(StoreError::Invalid(m)) => errors.add(if kind == ContentKind::Page { "parent_id" } else { "slug" }, m),
            Err(e) => return Err(e.into()),
        }
    }
    let sets = form::fields(state, kind, &s, before.as_ref(), Some(&form)).await?;
    let shown = preview.then(|| {
        let mut item_view = public::shown(
            &ContentItem {
                id: before.as_ref().map_or(0, |b| b.id),
                uid: String::new(),
                kind,
                path: before.as_ref().map_or_else(String::new, |b| b.path.clone()),
                state: s.clone(),
                publication: Publication {
                    status: Status::Published,
                    at: Some(now),
                },
                revision: 0,
                created_at: now,
                updated_at: now,
                updated_by: None,
            },
            None,
            &library,
        );
        item_view.breadcrumbs.clear();
        item_view
    });
    EditPage::new(
        viewer,
        kind,
        before.as_ref(),
        revision,
        sets,
        &errors,
        shown,
        notices,
    )
    .render()
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(kind): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let kind = ContentKind::from_code(&kind).map_err(|_| WebError::not_found())?;
    submit(&state, &viewer, &ip, kind, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    submit(&state, &viewer, &ip, item.kind, Some(item), form).await
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    match state
        .store
        .delete_content(id, &actor(&viewer, &ip)?, now_ms())
        .await
    {
        Ok(true) => Ok(Redirect::to("/admin/content?done=discarded").into_response()),
        Ok(false) => Err(WebError::not_found()),
        Err(StoreError::Invalid(m)) => Err(WebError::new(
            crate::errors::ErrorKind::Conflict,
            format!("削除できません。{m}"),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_content_revisions.html")]
struct RevisionsPage {
    layout: Layout,
    item_id: i64,
    title: String,
    live: i64,
    /// (number, saved at, by).
    rows: Vec<(i64, String, String)>,
}

pub async fn revisions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let rows = state
        .store
        .content_revisions(id)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.number,
                domain::time::jst_datetime(r.saved_at),
                r.saved_by_name.unwrap_or_else(|| "（不明）".into()),
            )
        })
        .collect();
    render(
        &RevisionsPage {
            layout: Layout::for_viewer(format!("変更履歴: {}", item.state.title), &viewer),
            item_id: id,
            title: item.state.title.clone(),
            live: item.revision,
            rows,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "admin_content_diff.html")]
struct DiffPage {
    layout: Layout,
    item_id: i64,
    number: i64,
    live: i64,
    csrf: String,
    diffs: Vec<content::diff::FieldDiff>,
}

pub async fn revision(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, number)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let old = state
        .store
        .content_revision(id, number)
        .await?
        .ok_or_else(WebError::not_found)?;
    let parent = |s: &store::ContentState| s.parent_id.map(|p| p.to_string());
    let diffs = content::diff::fields(
        &old.labelled(parent(&old)),
        &item.state.labelled(parent(&item.state)),
    );
    render(
        &DiffPage {
            layout: Layout::for_viewer(format!("第{number}版と公開中の版の違い"), &viewer),
            item_id: id,
            number,
            live: item.revision,
            csrf: viewer.csrf_token().to_owned(),
            diffs,
        },
        StatusCode::OK,
    )
}

/// Saves revision `number`'s text as the next revision; the item's
/// publication state stays as it is now.
pub async fn restore(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path((id, number)): Path<(i64, i64)>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let mut old = state
        .store
        .content_revision(id, number)
        .await?
        .ok_or_else(WebError::not_found)?;
    old.status = item.state.status.clone();
    old.published_at = item.state.published_at;
    old.kind = item.state.kind.clone();
    let revision = form.get("revision").trim().parse::<i64>().ok();
    match state
        .store
        .save_content(&ContentSave {
            id: Some(id),
            revision,
            state: &old,
            actor: &actor(&viewer, &ip)?,
            now: now_ms(),
        })
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/content/{id}?done=restored")).into_response()),
        Err(StoreError::Stale) => Err(WebError::new(
            crate::errors::ErrorKind::Conflict,
            "この間に別の人が保存しました。変更履歴を開き直してから、もう一度戻してください。",
        )),
        Err(StoreError::Conflict { .. }) | Err(StoreError::Invalid(_)) => Err(WebError::new(
            crate::errors::ErrorKind::Conflict,
            "この版のアドレスやヘルプキーは、今は別のページが使っているか、親ページがありません。編集画面で直してから保存してください。",
        )),
        Err(e) => Err(e.into()),
    }
}
