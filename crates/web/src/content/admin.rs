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
use store::{ContentFilter, ContentItem, ContentSave, ContentState, EventFields, StoreError};

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::forms::{self, Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{Done, render};
use crate::{AppState, WebError};

use super::public::{self, DIVISIONS};

const MAX_TITLE: usize = 120;
const MAX_SUMMARY: usize = 300;
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 30;

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
    let sets = fields(&state, kind, &blank, None, None).await?;
    edit_page(
        &viewer,
        kind,
        None,
        None,
        sets,
        Errors::default(),
        None,
        Vec::new(),
        None,
    )
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
    let sets = fields(&state, item.kind, &item.state, Some(&item), None).await?;
    let mut page = edit_parts(&viewer, &item, sets, Errors::default(), None, Vec::new());
    page.layout = page.layout.notice(q.done.as_deref());
    render(&page, StatusCode::OK)
}

/// The form's fields, filled from `s` (and `raw` where the author typed
/// something that did not parse).
async fn fields(
    state: &AppState,
    kind: ContentKind,
    s: &ContentState,
    item: Option<&ContentItem>,
    raw: Option<&FormData>,
) -> Result<Vec<FieldSet>, WebError> {
    let text = |name: &'static str, value: String| raw.map_or(value, |f| f.get(name).to_owned());
    let time = |name: &'static str, ms: Option<i64>| {
        text(
            name,
            ms.map(domain::time::jst_input_value).unwrap_or_default(),
        )
    };
    let mut main = vec![
        Field::new("title", "タイトル", Kind::Text)
            .required()
            .value(text("title", s.title.clone())),
        Field::new("slug", "スラッグ（アドレスの末尾）", Kind::Text)
            .required()
            .hint(match kind {
                ContentKind::Page => "半角の英小文字・数字・ハイフン。親ページのアドレスの後に付きます（例: fair → /project/fair）。",
                ContentKind::Post => "半角の英小文字・数字・ハイフン。/news/ の後に付きます（例: fair-2026 → /news/fair-2026）。",
            })
            .value(text("slug", s.slug.clone())),
    ];
    match kind {
        ContentKind::Page => {
            let own = item.map(|i| i.path.clone());
            let pages = state
                .store
                .content_list(&ContentFilter {
                    kind: Some(ContentKind::Page),
                    limit: 1000,
                    ..ContentFilter::default()
                })
                .await?;
            let options = pages
                .into_iter()
                .filter(|p| {
                    own.as_ref()
                        .is_none_or(|o| p.path != *o && !p.path.starts_with(&format!("{o}/")))
                })
                .map(|p| (p.id.to_string(), format!("{}（{}）", p.state.title, p.path)))
                .collect();
            main.push(
                Field::new("parent_id", "親ページ", Kind::Select(options))
                    .hint("選ばないと最上位のページになります。")
                    .value(text(
                        "parent_id",
                        s.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                    )),
            );
            main.push(
                Field::new("sort_order", "並び順", Kind::Number)
                    .hint("同じ親の下で小さい順に並びます。")
                    .value(text("sort_order", s.sort_order.to_string())),
            );
            main.push(
                Field::new("help_key", "ヘルプキー", Kind::Text)
                    .hint(
                        "画面から help:キー で参照されるヘルプページのとき、そのキー（例: bid）。",
                    )
                    .value(text("help_key", s.help_key.clone().unwrap_or_default())),
            );
        }
        ContentKind::Post => {
            let categories = state
                .store
                .content_categories()
                .await?
                .into_iter()
                .map(|(c, n, _)| (c, n))
                .collect();
            main.push(
                Field::new("category", "カテゴリー", Kind::Select(categories))
                    .required()
                    .value(text("category", s.category.clone().unwrap_or_default())),
            );
            main.push(
                Field::new("tags", "タグ", Kind::Text)
                    .hint("読点（、）またはカンマで区切って10個まで。")
                    .value(text("tags", s.tags.join("、"))),
            );
        }
    }
    main.push(
        Field::new("summary", "概要（検索結果や一覧に表示）", Kind::TextArea)
            .hint("空欄なら本文の書き出しを使います。")
            .value(text("summary", s.summary.clone().unwrap_or_default())),
    );
    main.push(
        Field::new("body", "本文（Markdown）", Kind::TextArea)
            .hint("見出しは #、箇条書きは -、リンクは [文字](URL)、表は | で書きます。HTML のタグは文字としてそのまま表示されます。")
            .value(text("body", s.body.clone())),
    );
    let mut sets = vec![FieldSet::new(None, main)];
    if kind == ContentKind::Post {
        let e = s.event.as_ref();
        sets.push(FieldSet::new(
            Some("イベント（催しの告知のとき）"),
            vec![
                Field::new("event_starts_at", "開始日時", Kind::DateTime)
                    .value(time("event_starts_at", e.map(|e| e.starts_at))),
                Field::new("event_ends_at", "終了日時", Kind::DateTime)
                    .value(time("event_ends_at", e.and_then(|e| e.ends_at))),
                Field::new("venue", "会場", Kind::Text).value(text(
                    "venue",
                    e.and_then(|e| e.venue.clone()).unwrap_or_default(),
                )),
                Field::new("apply_until", "申込締切", Kind::DateTime)
                    .value(time("apply_until", e.and_then(|e| e.apply_until))),
                Field::new(
                    "division",
                    "コンペティションの部門",
                    Kind::Select(
                        DIVISIONS
                            .iter()
                            .map(|(c, l)| ((*c).into(), (*l).into()))
                            .collect(),
                    ),
                )
                .value(text("division", s.division.clone().unwrap_or_default())),
            ],
        ));
    }
    let statuses = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let scheduled_at = (s.status == Status::Scheduled.as_str())
        .then_some(s.published_at)
        .flatten();
    sets.push(FieldSet::new(
        Some("公開"),
        vec![
            Field::new("status", "公開状態", Kind::Radios(statuses))
                .required()
                .value(text("status", s.status.clone())),
            Field::new("publish_at", "予約する日時", Kind::DateTime)
                .hint("「予約」のとき、この日時から公開されます（日本時間）。")
                .value(time("publish_at", scheduled_at)),
        ],
    ));
    Ok(sets)
}

#[expect(clippy::too_many_arguments, reason = "one page, its parts named")]
fn edit_page(
    viewer: &Viewer,
    kind: ContentKind,
    id: Option<i64>,
    revision: Option<i64>,
    mut sets: Vec<FieldSet>,
    errors: Errors,
    preview: Option<public::Shown>,
    notices: Vec<String>,
    live_path: Option<String>,
) -> Result<Response, WebError> {
    let summary = errors.apply(&mut sets);
    let heading = match id {
        Some(_) => format!("{}の編集", kind.label()),
        None => format!("{}の作成", kind.label()),
    };
    let status = crate::pages::status_for(!summary.is_empty());
    render(
        &EditPage {
            layout: Layout::for_viewer(heading.clone(), viewer),
            heading,
            action: id.map_or_else(
                || format!("/admin/content/new/{}", kind.as_str()),
                |i| format!("/admin/content/{i}"),
            ),
            csrf: viewer.csrf_token().to_owned(),
            revision,
            kind,
            id,
            summary,
            sets,
            preview_item: preview,
            notices,
            live_path,
        },
        status,
    )
}

fn edit_parts(
    viewer: &Viewer,
    item: &ContentItem,
    mut sets: Vec<FieldSet>,
    errors: Errors,
    preview: Option<public::Shown>,
    notices: Vec<String>,
) -> EditPage {
    let summary = errors.apply(&mut sets);
    let heading = format!("{}の編集", item.kind.label());
    EditPage {
        layout: Layout::for_viewer(heading.clone(), viewer),
        heading,
        action: format!("/admin/content/{}", item.id),
        csrf: viewer.csrf_token().to_owned(),
        revision: Some(item.revision),
        kind: item.kind,
        id: Some(item.id),
        summary,
        sets,
        preview_item: preview,
        notices,
        live_path: item.is_public(now_ms()).then(|| item.path.clone()),
    }
}

/// The form read into a state, with what the author must fix.
fn read_form(
    form: &FormData,
    kind: ContentKind,
    before: Option<&ContentItem>,
    now: i64,
) -> (ContentState, Errors, Vec<Notice>) {
    let mut errors = Errors::default();
    let title = forms::required_text(&mut errors, form, "title", "タイトル", MAX_TITLE);
    let slug = match content::Slug::parse(form.get("slug")) {
        Ok(s) => s.to_string(),
        Err(e) => {
            errors.add("slug", e.to_string());
            form.get("slug").trim().to_owned()
        }
    };
    let body = form.get("body").replace("\r\n", "\n");
    let mut notices = Vec::new();
    match content::render(&body, &content::NoMedia) {
        Ok(r) => {
            if let Some(n) = r.notices.iter().find(|n| n.blocks_saving()) {
                errors.add("body", n.message());
            }
            notices = r.notices;
        }
        Err(e) => errors.add("body", e.to_string()),
    }
    let summary = forms::optional_text(&mut errors, form, "summary", "概要", MAX_SUMMARY);
    let mut state = ContentState {
        kind: kind.as_str().into(),
        parent_id: None,
        slug,
        sort_order: 0,
        title,
        body,
        summary: (!summary.is_empty()).then_some(summary),
        category: None,
        tags: Vec::new(),
        status: Status::Draft.as_str().into(),
        published_at: None,
        event: None,
        division: None,
        help_key: None,
    };
    match kind {
        ContentKind::Page => {
            state.parent_id = form.get("parent_id").trim().parse().ok();
            state.sort_order =
                forms::optional_number(&mut errors, form, "sort_order", "並び順", 1_000_000)
                    .unwrap_or(0);
            let key = domain::text::normalize(form.get("help_key"))
                .trim()
                .trim_start_matches("help:")
                .to_lowercase();
            if !key.is_empty() {
                match content::Slug::parse(&key) {
                    Ok(k) => state.help_key = Some(k.to_string()),
                    Err(_) => errors.add(
                        "help_key",
                        "ヘルプキーは半角の英小文字・数字・ハイフンで入力してください。",
                    ),
                }
            }
        }
        ContentKind::Post => {
            let category = form.get("category").trim();
            if category.is_empty() {
                errors.add("category", "カテゴリーを選んでください。");
            }
            state.category = Some(category.to_owned());
            let tags: Vec<String> = domain::text::normalize(form.get("tags"))
                .split([',', '、', '，', '\n'])
                .map(domain::text::tidy)
                .filter(|t| !t.is_empty())
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.contains(&t) {
                        acc.push(t);
                    }
                    acc
                });
            if tags.len() > MAX_TAGS || tags.iter().any(|t| t.chars().count() > MAX_TAG) {
                errors.add(
                    "tags",
                    format!("タグは{MAX_TAG}文字以内で、{MAX_TAGS}個までにしてください。"),
                );
            }
            state.tags = tags;
            let starts =
                forms::optional_datetime(&mut errors, form, "event_starts_at", "開始日時", 10);
            let ends = forms::optional_datetime(&mut errors, form, "event_ends_at", "終了日時", 17);
            let venue = forms::optional_text(&mut errors, form, "venue", "会場", 200);
            let apply = forms::optional_datetime(&mut errors, form, "apply_until", "申込締切", 17);
            match starts {
                Some(starts_at) => {
                    if ends.is_some_and(|e| e < starts_at) {
                        errors.add("event_ends_at", "終了日時は開始日時より後にしてください。");
                    }
                    state.event = Some(EventFields {
                        starts_at,
                        ends_at: ends,
                        venue: (!venue.is_empty()).then_some(venue),
                        apply_until: apply,
                    });
                }
                None if ends.is_some() || !venue.is_empty() || apply.is_some() => {
                    errors.add("event_starts_at", "イベントの開始日時を入力してください。");
                }
                None => {}
            }
            let division = form.get("division").trim();
            if !division.is_empty() {
                if public::division_label(division).is_none() {
                    errors.add("division", "部門を選び直してください。");
                }
                state.division = Some(division.to_owned());
            }
        }
    }
    let wanted = Status::from_code(form.get("status")).unwrap_or(Status::Draft);
    let at = forms::optional_datetime(&mut errors, form, "publish_at", "予約する日時", 9);
    match content::publish::decide(wanted, at, before.map(|b| b.publication), now) {
        Ok(Publication { status, at }) => {
            state.status = status.as_str().into();
            state.published_at = at;
        }
        Err(e) => {
            errors.add("publish_at", e.to_string());
            state.status = wanted.as_str().into();
            state.published_at = at;
        }
    }
    (state, errors, notices)
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
    let (s, mut errors, notices) = read_form(&form, kind, before.as_ref(), now);
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
    let sets = fields(state, kind, &s, before.as_ref(), Some(&form)).await?;
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
        );
        item_view.breadcrumbs.clear();
        item_view
    });
    match &before {
        Some(item) => {
            let mut page = edit_parts(viewer, item, sets, errors, shown, notices);
            page.revision = revision;
            let status = crate::pages::status_for(!page.summary.is_empty());
            render(&page, status)
        }
        None => edit_page(viewer, kind, None, None, sets, errors, shown, notices, None),
    }
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
            format!("削除できません: {m}。下のページを先に移すか削除してください。"),
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

/// The fields a diff compares, with their labels.
fn labelled(s: &ContentState) -> Vec<(&'static str, Option<String>)> {
    let some = |v: String| (!v.is_empty()).then_some(v);
    let e = s.event.as_ref();
    vec![
        ("タイトル", some(s.title.clone())),
        ("スラッグ", some(s.slug.clone())),
        ("親ページ", s.parent_id.map(|p| p.to_string())),
        ("並び順", Some(s.sort_order.to_string())),
        ("カテゴリー", s.category.clone()),
        ("タグ", some(s.tags.join("、"))),
        ("概要", s.summary.clone()),
        ("本文", some(s.body.clone())),
        (
            "イベント開始",
            e.map(|e| domain::time::jst_datetime(e.starts_at)),
        ),
        (
            "イベント終了",
            e.and_then(|e| e.ends_at).map(domain::time::jst_datetime),
        ),
        ("会場", e.and_then(|e| e.venue.clone())),
        (
            "申込締切",
            e.and_then(|e| e.apply_until)
                .map(domain::time::jst_datetime),
        ),
        (
            "部門",
            s.division
                .as_deref()
                .and_then(public::division_label)
                .map(str::to_owned),
        ),
        ("ヘルプキー", s.help_key.clone()),
        (
            "公開状態",
            Status::from_code(&s.status)
                .ok()
                .map(|s| s.label().to_owned()),
        ),
    ]
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
    let diffs = content::diff::fields(&labelled(&old), &labelled(&item.state));
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
