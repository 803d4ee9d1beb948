//! What visitors see of the site's content: pages at their addresses, posts
//! under /news, lists by category, and events as calendar files.
//!
//! Whether an item is public is decided here, when it is read, by the
//! clock (`content::publish`); a list or page that will change when a
//! scheduled item comes due is kept by the render cache only until then.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use content::ContentKind;
use serde::Deserialize;
use store::{ContentFilter, ContentItem};

use crate::auth::{Viewer, now_ms};
use crate::layout::Layout;
use crate::page_cache::KeepUntil;
use crate::pages::render;
use crate::{AppState, WebError};

use super::PER_PAGE;

/// A post or page as shown.
#[derive(Debug)]
pub struct Shown {
    pub title: String,
    pub html: String,
    pub path: String,
    pub kind: ContentKind,
    pub published: Option<String>,
    pub updated: String,
    pub category: Option<(String, String)>,
    pub tags: Vec<String>,
    /// (href, tag): each tag's list.
    pub tag_links: Vec<(String, String)>,
    pub event: Option<EventShown>,
    pub division: Option<&'static str>,
    pub description: String,
    /// (href, title) from the top of the tree to the item's parent.
    pub breadcrumbs: Vec<(String, String)>,
    pub children: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct EventShown {
    pub when: String,
    pub venue: Option<String>,
    pub apply_until: Option<String>,
    pub ics: String,
}

/// A tag as a path segment ("/" too is encoded).
fn tag_path(tag: &str) -> String {
    crate::auth::encode_query(tag).replace('/', "%2F")
}

/// The item made ready for its template (the body rendered now).
pub fn shown(
    item: &ContentItem,
    category_name: Option<String>,
    media: &dyn content::Media,
) -> Shown {
    let s = &item.state;
    let rendered = content::render(&s.body, media);
    let (html, plain) = match rendered {
        Ok(r) => (r.html, r.plain),
        // Saved texts passed the same rules; an older one that no longer
        // does is shown as a notice instead of a broken page.
        Err(e) => (crate::rich::html(&e.to_string()).to_string(), String::new()),
    };
    let description = s
        .summary
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| content::markdown::summary(&plain, 120));
    Shown {
        title: s.title.clone(),
        html,
        path: item.path.clone(),
        kind: item.kind,
        published: item.publication.at.map(domain::time::jst_date),
        updated: domain::time::jst_date(item.updated_at),
        category: s.category.clone().zip(category_name),
        tags: s.tags.clone(),
        tag_links: s
            .tags
            .iter()
            .map(|t| (format!("/news/tag/{}", tag_path(t)), t.clone()))
            .collect(),
        event: s.event.as_ref().map(|e| EventShown {
            when: match e.ends_at {
                Some(end) if end > e.starts_at => format!(
                    "{} ～ {}",
                    domain::time::jst_datetime(e.starts_at),
                    domain::time::jst_datetime(end)
                ),
                _ => domain::time::jst_datetime(e.starts_at),
            },
            venue: e.venue.clone(),
            apply_until: e.apply_until.map(domain::time::jst_datetime),
            ics: format!("{}/event.ics", item.path),
        }),
        division: s.division.as_deref().and_then(content::division_label),
        description,
        breadcrumbs: Vec::new(),
        children: Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "content_item.html")]
pub struct ItemPage {
    pub layout: Layout,
    pub item: Shown,
    pub canonical: String,
    /// Shown above the page in the authoring preview.
    pub preview: bool,
    /// The project's top page: the blocks operators arranged below its text.
    pub blocks: Vec<crate::blocks::BlockView>,
    /// A programme's page: its category's newest posts.
    pub programme: Option<crate::blocks::BlockView>,
}

/// A category's name, if it exists.
async fn category_name(state: &AppState, code: &str) -> Result<Option<String>, WebError> {
    Ok(state
        .store
        .content_categories()
        .await?
        .into_iter()
        .find(|c| c.0 == code)
        .map(|c| c.1))
}

/// Adds the time the answer may be kept until, when a scheduled item will
/// change it.
async fn until_next(state: &AppState, mut response: Response) -> Result<Response, WebError> {
    if let Some(at) = state.store.next_scheduled_content(now_ms()).await? {
        response.extensions_mut().insert(KeepUntil(at));
    }
    Ok(response)
}

async fn public_item(state: &AppState, path: &str) -> Result<ContentItem, WebError> {
    match state.store.content_at(path).await? {
        Some(item) if item.is_public(now_ms()) => Ok(item),
        _ => Err(WebError::not_found()),
    }
}

async fn item_page(
    state: &AppState,
    viewer: &Viewer,
    item: ContentItem,
) -> Result<Response, WebError> {
    let category = match &item.state.category {
        Some(c) => category_name(state, c).await?,
        None => None,
    };
    let library = super::media::library(state, &item.state.body).await?;
    let mut shown = shown(&item, category, &library);
    if item.kind == ContentKind::Page {
        let now = now_ms();
        let mut at = item.state.parent_id;
        let mut trail = Vec::new();
        while let Some(id) = at {
            let Some(parent) = state.store.content_item(id).await? else {
                break;
            };
            if parent.is_public(now) {
                trail.push((parent.path.clone(), parent.state.title.clone()));
            }
            at = parent.state.parent_id;
        }
        trail.reverse();
        shown.breadcrumbs = trail;
        shown.children = state
            .store
            .content_children(Some(item.id))
            .await?
            .into_iter()
            .filter(|c| c.is_public(now))
            .map(|c| (c.path, c.state.title))
            .collect();
    }
    let canonical = format!(
        "{}{}",
        state.settings.public_url.trim_end_matches('/'),
        item.path
    );
    let blocks = if item.path == crate::blocks::PROJECT_TOP {
        crate::blocks::views(state, "project").await?
    } else {
        Vec::new()
    };
    // The programmes' cards stand for the list of the pages below.
    if blocks.iter().any(|b| b.kind == "programmes") {
        shown.children.clear();
    }
    // A page with a category is that programme's page: its newest posts.
    let programme = match (&item.kind, &item.state.category) {
        (ContentKind::Page, Some(code)) => Some(
            crate::blocks::view(
                state,
                store::Block {
                    kind: "news".into(),
                    title: format!(
                        "{}のお知らせ",
                        category_name(state, code).await?.unwrap_or_default()
                    ),
                    body: String::new(),
                    category: Some(code.clone()),
                    count: 10,
                },
            )
            .await?,
        ),
        _ => None,
    };
    let page = render(
        &ItemPage {
            layout: Layout::for_viewer(item.state.title.clone(), viewer),
            item: shown,
            canonical,
            preview: false,
            blocks,
            programme,
        },
        axum::http::StatusCode::OK,
    )?;
    until_next(state, page).await
}

/// A page of the tree, at its address: what no route of the portal answers.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Result<Response, WebError> {
    if !matches!(method, axum::http::Method::GET | axum::http::Method::HEAD) {
        return Err(WebError::not_found());
    }
    let path = uri.path();
    if content::SlugPath::parse(path)
        .map(|p| p.to_string())
        .as_deref()
        != Ok(path)
    {
        return Err(WebError::not_found());
    }
    let item = public_item(&state, path).await?;
    if item.kind != ContentKind::Page {
        return Err(WebError::not_found());
    }
    item_page(&state, &viewer, item).await
}

pub async fn post(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let item = public_item(&state, &format!("/news/{slug}")).await?;
    item_page(&state, &viewer, item).await
}

/// A post's event as an iCalendar file.
pub async fn event(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let item = public_item(&state, &format!("/news/{slug}")).await?;
    let Some(e) = &item.state.event else {
        return Err(WebError::not_found());
    };
    let url = format!(
        "{}{}",
        state.settings.public_url.trim_end_matches('/'),
        item.path
    );
    let host = state
        .settings
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("chance-navi")
        .trim_end_matches('/')
        .to_owned();
    let uid = format!("{}@{host}", item.uid);
    let body = content::ics::calendar(&content::ics::Event {
        uid: &uid,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        summary: &item.state.title,
        location: e.venue.as_deref(),
        description: item.state.summary.as_deref(),
        url: Some(&url),
        stamp: item.updated_at,
    });
    let response = (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"event.ics\"",
            ),
        ],
        body,
    )
        .into_response();
    until_next(&state, response).await
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

/// A list of posts.
#[derive(Template)]
#[template(path = "content_list.html")]
struct ListPage {
    layout: Layout,
    heading: String,
    posts: Vec<Shown>,
    categories: Vec<(String, String)>,
    current: Option<String>,
    base: String,
    page: i64,
    more: bool,
}

/// How many of the newest posts a tag's list looks through.
const TAGGED_WINDOW: i64 = 2000;

async fn list(
    state: &AppState,
    viewer: &Viewer,
    category: Option<(String, String)>,
    tag: Option<String>,
    q: ListQuery,
) -> Result<Response, WebError> {
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=500).contains(p))
        .unwrap_or(1);
    let code = category.as_ref().map(|c| c.0.clone());
    let items = match &tag {
        None => {
            state
                .store
                .content_list(&ContentFilter {
                    kind: Some(ContentKind::Post),
                    category: code.as_deref(),
                    public_at: Some(now_ms()),
                    limit: PER_PAGE + 1,
                    offset: (page - 1) * PER_PAGE,
                })
                .await?
        }
        // Tags are few and posts with one fewer still: the newest posts are
        // looked through here.
        Some(t) => state
            .store
            .content_list(&ContentFilter {
                kind: Some(ContentKind::Post),
                public_at: Some(now_ms()),
                limit: TAGGED_WINDOW,
                ..ContentFilter::default()
            })
            .await?
            .into_iter()
            .filter(|i| i.state.tags.contains(t))
            .skip(((page - 1) * PER_PAGE) as usize)
            .take(PER_PAGE as usize + 1)
            .collect(),
    };
    let more = items.len() as i64 > PER_PAGE;
    let categories = state.store.content_categories().await?;
    let name_of = |c: &Option<String>| {
        c.as_ref()
            .and_then(|c| categories.iter().find(|x| &x.0 == c).map(|x| x.1.clone()))
    };
    let posts = items
        .iter()
        .take(PER_PAGE as usize)
        .map(|i| shown(i, name_of(&i.state.category), &content::NoMedia))
        .collect();
    let (heading, base) = match (&category, &tag) {
        (_, Some(t)) => (
            format!("タグ「{t}」のお知らせ"),
            format!("/news/tag/{}", tag_path(t)),
        ),
        (Some((code, name)), None) => (name.clone(), format!("/news/category/{code}")),
        (None, None) => ("お知らせ・新着情報".to_owned(), "/news".to_owned()),
    };
    let response = render(
        &ListPage {
            layout: Layout::for_viewer(heading.clone(), viewer)
                .current(crate::layout::NavItem::News),
            heading,
            posts,
            categories: categories.into_iter().map(|(c, n, _)| (c, n)).collect(),
            current: code,
            base,
            page,
            more,
        },
        axum::http::StatusCode::OK,
    )?;
    until_next(state, response).await
}

pub async fn news(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(&state, &viewer, None, None, q).await
}

/// The posts with a tag.
pub async fn tag(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(tag): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let tag = domain::text::tidy(&tag);
    if tag.is_empty() || tag.chars().count() > 40 {
        return Err(WebError::not_found());
    }
    list(&state, &viewer, None, Some(tag), q).await
}

pub async fn category(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let Some(name) = category_name(&state, &code).await? else {
        return Err(WebError::not_found());
    };
    list(&state, &viewer, Some((code, name)), None, q).await
}

/// The newest posts, of every category or of one, as an Atom feed.
async fn feed_of(
    state: &AppState,
    category: Option<(String, String)>,
) -> Result<Response, WebError> {
    let site = state.settings.public_url.trim_end_matches('/').to_owned();
    let now = now_ms();
    let code = category.as_ref().map(|c| c.0.clone());
    let items = state
        .store
        .content_list(&ContentFilter {
            kind: Some(ContentKind::Post),
            category: code.as_deref(),
            public_at: Some(now),
            limit: 50,
            offset: 0,
        })
        .await?;
    let (title, page) = match &category {
        Some((code, name)) => (
            format!("ビジネスチャンス・ナビ {name}"),
            format!("/news/category/{code}"),
        ),
        None => (
            "ビジネスチャンス・ナビ お知らせ・新着情報".to_owned(),
            "/news".to_owned(),
        ),
    };
    let categories = state.store.content_categories().await?;
    let entries: Vec<crate::atom::Entry> = items
        .iter()
        .map(|i| {
            let shown = shown(i, None, &content::NoMedia);
            let category = i.state.category.as_ref().and_then(|c| {
                categories
                    .iter()
                    .find(|x| &x.0 == c)
                    .map(|x| (x.0.clone(), x.1.clone()))
            });
            crate::atom::Entry {
                title: i.state.title.clone(),
                url: format!("{site}{}", i.path),
                updated: i.updated_at.max(i.publication.at.unwrap_or(0)),
                author: "ビジネスチャンス・ナビ".to_owned(),
                category,
                summary: shown.description,
            }
        })
        .collect();
    let body = crate::atom::feed(
        &crate::atom::Feed {
            title: &title,
            self_url: format!("{site}{page}/feed.atom"),
            alternate_url: format!("{site}{page}"),
            updated: items.iter().map(|i| i.updated_at).max().unwrap_or(0),
        },
        &entries,
    );
    let response = (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response();
    until_next(state, response).await
}

pub async fn news_feed(State(state): State<AppState>) -> Result<Response, WebError> {
    feed_of(&state, None).await
}

pub async fn category_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let Some(name) = category_name(&state, &code).await? else {
        return Err(WebError::not_found());
    };
    feed_of(&state, Some((code, name))).await
}

/// The portal's own public pages, listed in the sitemap before the content.
const SITE_PAGES: &[&str] = &[
    "/",
    "/cases",
    "/news",
    "/search",
    "/apply",
    "/terms",
    "/privacy",
    "/contact",
    "/sitemap",
    "/help/kuji",
    "/help/formats",
];

/// sitemap.xml: the portal's public pages, every public page and post,
/// and the category lists.
pub async fn sitemap_xml(State(state): State<AppState>) -> Result<Response, WebError> {
    let site = state.settings.public_url.trim_end_matches('/').to_owned();
    let now = now_ms();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let url = |out: &mut String, path: &str, modified: Option<i64>| {
        out.push_str(&format!(
            "<url><loc>{}</loc>",
            crate::atom::xml(&format!("{site}{path}"))
        ));
        if let Some(m) = modified {
            out.push_str(&format!(
                "<lastmod>{}</lastmod>",
                domain::time::jst_rfc3339(m)
            ));
        }
        out.push_str("</url>\n");
    };
    for p in SITE_PAGES {
        url(&mut out, p, None);
    }
    for (code, _, _) in state.store.content_categories().await? {
        url(&mut out, &format!("/news/category/{code}"), None);
    }
    let items = state
        .store
        .content_list(&ContentFilter {
            public_at: Some(now),
            limit: 45_000,
            ..ContentFilter::default()
        })
        .await?;
    for i in &items {
        url(&mut out, &i.path, Some(i.updated_at));
    }
    out.push_str("</urlset>\n");
    let response = (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        out,
    )
        .into_response();
    until_next(&state, response).await
}

/// robots.txt: everything public may be read; the signed-in areas are not
/// for crawlers; where the sitemap is.
pub async fn robots(State(state): State<AppState>) -> Response {
    let site = state.settings.public_url.trim_end_matches('/');
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /mypage\nDisallow: /org\nDisallow: /account\nDisallow: /login\nDisallow: /files/\nAllow: /\n\nSitemap: {site}/sitemap.xml\n"
        ),
    )
        .into_response()
}

/// A screen's help link (`help:bid` is `/help/topics/bid`): the help page an
/// operator gave that key, or — while there is none, or it is not public —
/// a page saying so with the ways to get help that always exist.
pub async fn help_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let Ok(key) = content::Slug::parse(&key) else {
        return Err(WebError::not_found());
    };
    if let Some(item) = state.store.content_by_help_key(key.as_str()).await?
        && item.is_public(now_ms())
    {
        let response = axum::response::Redirect::to(&item.path).into_response();
        return until_next(&state, response).await;
    }
    let page = crate::pages::MessagePage::new(
        Layout::for_viewer("ヘルプ", &viewer),
        &["この画面のヘルプは準備中です。操作でお困りのときは、下のページをご覧いただくか、お問い合わせください。"],
    )
    .link("/contact", "お問い合わせ")
    .link("/sitemap", "サイトマップ")
    .link("/help/kuji", "電子くじの決め方");
    let response = render(&page, axum::http::StatusCode::OK)?;
    until_next(&state, response).await
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// One group of the site search's results.
#[derive(Debug)]
pub struct Group {
    pub heading: &'static str,
    pub total: usize,
    /// (href, title, note)
    pub entries: Vec<(String, String, String)>,
    /// Where all of them are, when more than the shown.
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "site_search.html")]
struct SearchPage {
    layout: Layout,
    text: String,
    groups: Vec<Group>,
}

/// Entries of each content group shown.
const SHOWN_PER_GROUP: usize = 20;

/// The site search: cases (from the index), pages and posts (by the same
/// text rules), grouped by kind.
pub async fn site_search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let text = domain::text::tidy(q.q.as_deref().unwrap_or(""));
    let text: String = text.chars().take(100).collect();
    let mut groups = Vec::new();
    if let Some(query) = content::find::Query::parse(&text) {
        let now = now_ms();
        let found = state
            .search
            .search(
                &search::CaseQuery {
                    text: text.clone(),
                    per_page: 5,
                    ..Default::default()
                },
                now,
            )
            .map_err(WebError::internal);
        // A query the case index cannot read (an unbalanced quote) still
        // searches the pages and posts.
        let (total, ids) = found.map_or((0, Vec::new()), |f| (f.total, f.ids));
        let cases = state.store.cases_by_ids(&ids).await?;
        groups.push(Group {
            heading: "案件",
            total,
            entries: ids
                .iter()
                .filter_map(|id| cases.iter().find(|c| c.id == *id))
                .map(|c| {
                    (
                        format!("/cases/{}", c.id),
                        c.fields.title.clone(),
                        c.fields.organization_name.clone(),
                    )
                })
                .collect(),
            more: (total > 5).then(|| format!("/cases?q={}", crate::auth::encode_query(&text))),
        });
        let items = state
            .store
            .content_list(&ContentFilter {
                public_at: Some(now),
                limit: 45_000,
                ..ContentFilter::default()
            })
            .await?;
        for (kind, heading) in [
            (ContentKind::Page, "ページ"),
            (ContentKind::Post, "お知らせ"),
        ] {
            let mut hits: Vec<(content::find::Rank, &ContentItem)> = items
                .iter()
                .filter(|i| i.kind == kind)
                .filter_map(|i| {
                    let body = format!(
                        "{}\n{}\n{}",
                        i.state.summary.as_deref().unwrap_or(""),
                        i.state.tags.join(" "),
                        i.state.body
                    );
                    query.rank(&i.state.title, &body).map(|r| (r, i))
                })
                .collect();
            // Title matches first; otherwise in the list's order.
            hits.sort_by_key(|(r, _)| *r);
            groups.push(Group {
                heading,
                total: hits.len(),
                entries: hits
                    .iter()
                    .take(SHOWN_PER_GROUP)
                    .map(|(_, i)| {
                        let note = i
                            .publication
                            .at
                            .filter(|_| kind == ContentKind::Post)
                            .map(domain::time::jst_date)
                            .unwrap_or_else(|| i.path.clone());
                        (i.path.clone(), i.state.title.clone(), note)
                    })
                    .collect(),
                more: None,
            });
        }
    }
    let title = if text.is_empty() {
        "サイト内検索".to_owned()
    } else {
        format!("「{text}」の検索結果")
    };
    let response = render(
        &SearchPage {
            layout: Layout::for_viewer(title, &viewer),
            text,
            groups,
        },
        axum::http::StatusCode::OK,
    )?;
    until_next(&state, response).await
}
