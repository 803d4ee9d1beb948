//! Menus and top pages in the administration area (decision 0009): the
//! header and footer menus, and the blocks of the two top pages, each edited
//! as a list of rows in one form (no script: the order is a number per row,
//! an emptied row is removed, blank rows add).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::{BLOCK_KINDS, Block, MENUS, MenuEntry, TOPS};

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// Blank rows offered for adding.
const BLANK_ROWS: usize = 3;
const MAX_ROWS: usize = 40;
const MAX_LABEL: usize = 40;

/// A menu row as the form shows it.
#[derive(Debug, Clone, Default)]
pub struct MenuRow {
    pub label: String,
    pub target: String,
}

/// A block row as the form shows it.
#[derive(Debug, Clone, Default)]
pub struct BlockRow {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub category: String,
    pub count: String,
}

#[derive(Template)]
#[template(path = "admin_layout.html")]
struct LayoutPage {
    layout: Layout,
    csrf: String,
    /// (code, name, rows, errors) per menu.
    menus: Vec<(&'static str, &'static str, Vec<MenuRow>, Vec<String>)>,
    tops: &'static [(&'static str, &'static str)],
}

#[derive(Template)]
#[template(path = "admin_blocks.html")]
struct BlocksPage {
    layout: Layout,
    csrf: String,
    top: &'static str,
    top_name: &'static str,
    rows: Vec<BlockRow>,
    errors: Vec<String>,
    kinds: &'static [(&'static str, &'static str)],
    categories: Vec<(String, String)>,
}

fn menu_of(code: &str) -> Result<(&'static str, &'static str), WebError> {
    MENUS
        .iter()
        .find(|(c, _)| *c == code)
        .copied()
        .ok_or_else(WebError::not_found)
}

fn top_of(code: &str) -> Result<(&'static str, &'static str), WebError> {
    TOPS.iter()
        .find(|(c, _)| *c == code)
        .copied()
        .ok_or_else(WebError::not_found)
}

fn with_blanks<T: Default>(mut rows: Vec<T>) -> Vec<T> {
    rows.extend((0..BLANK_ROWS).map(|_| T::default()));
    rows
}

async fn layout_page(
    state: &AppState,
    viewer: &Viewer,
    submitted: Option<(&str, Vec<MenuRow>, Vec<String>)>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let mut menus = Vec::new();
    for (code, name) in MENUS {
        let (rows, errors) = match &submitted {
            Some((c, rows, errors)) if c == code => (rows.clone(), errors.clone()),
            _ => {
                let rows = state
                    .store
                    .menu_links(code)
                    .await?
                    .into_iter()
                    .map(|l| MenuRow {
                        label: l.entry.label,
                        target: l.href,
                    })
                    .collect();
                (with_blanks(rows), Vec::new())
            }
        };
        menus.push((*code, *name, rows, errors));
    }
    let status = if submitted.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &LayoutPage {
            layout: Layout::for_viewer("メニューとトップページ", viewer).notice(done),
            csrf: viewer.csrf_token().to_owned(),
            menus,
            tops: TOPS,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    layout_page(&state, &viewer, None, q.done.as_deref()).await
}

/// The rows of a list form (`{name}_{i}` fields), in the order their
/// `order_{i}` numbers give, rows left empty dropped.
fn rows(form: &FormData, names: &[&str]) -> Vec<Vec<String>> {
    let mut rows: Vec<(i64, usize, Vec<String>)> = (0..MAX_ROWS)
        .filter_map(|i| {
            let values: Vec<String> = names
                .iter()
                .map(|n| form.get(&format!("{n}_{i}")).trim().replace("\r\n", "\n"))
                .collect();
            if values.iter().all(String::is_empty) {
                return None;
            }
            let order = form
                .get(&format!("order_{i}"))
                .trim()
                .parse::<i64>()
                .unwrap_or(i as i64 + 1);
            Some((order, i, values))
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    rows.into_iter().map(|r| r.2).collect()
}

pub async fn save_menu(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(menu): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (code, _) = menu_of(&menu)?;
    let mut entries = Vec::new();
    let mut shown = Vec::new();
    let mut errors = Vec::new();
    for (n, row) in rows(&form, &["label", "target"]).into_iter().enumerate() {
        let (label, target) = (domain::text::tidy(&row[0]), row[1].clone());
        let line = n + 1;
        shown.push(MenuRow {
            label: label.clone(),
            target: target.clone(),
        });
        if label.is_empty() {
            errors.push(format!("{line}行目: 表示名を入力してください。"));
            continue;
        }
        if label.chars().count() > MAX_LABEL {
            errors.push(format!(
                "{line}行目: 表示名は{MAX_LABEL}文字以内にしてください。"
            ));
            continue;
        }
        if target.starts_with('/') && !target.starts_with("//") {
            // A page or post of the site's content is linked by its id, so
            // that the link follows it when it moves.
            let path = target.split(['?', '#']).next().unwrap_or("");
            let item = match state.store.content_at(path).await? {
                Some(i) if path == target => Some(i.id),
                _ => None,
            };
            entries.push(MenuEntry {
                label,
                item_id: item,
                url: item.is_none().then_some(target),
            });
        } else if target.starts_with("https://") || target.starts_with("http://") {
            entries.push(MenuEntry {
                label,
                item_id: None,
                url: Some(target),
            });
        } else {
            errors.push(format!(
                "{line}行目: リンク先は「/project/fair」のようなサイト内のアドレスか、https:// で始まるアドレスで入力してください。"
            ));
        }
    }
    if !errors.is_empty() {
        return layout_page(
            &state,
            &viewer,
            Some((code, with_blanks(shown), errors)),
            None,
        )
        .await;
    }
    state
        .store
        .save_menu(code, &entries, &actor(&viewer, &ip)?, now_ms())
        .await?;
    Ok(Redirect::to("/admin/layout?done=saved").into_response())
}

async fn blocks_page(
    state: &AppState,
    viewer: &Viewer,
    top: (&'static str, &'static str),
    submitted: Option<(Vec<BlockRow>, Vec<String>)>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let status = if submitted.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (rows, errors) = match submitted {
        Some(s) => s,
        None => (
            with_blanks(
                state
                    .store
                    .blocks(top.0)
                    .await?
                    .into_iter()
                    .map(|b| BlockRow {
                        kind: b.kind,
                        title: b.title,
                        body: b.body,
                        category: b.category.unwrap_or_default(),
                        count: b.count.to_string(),
                    })
                    .collect(),
            ),
            Vec::new(),
        ),
    };
    let categories = state
        .store
        .content_categories()
        .await?
        .into_iter()
        .map(|(c, n, _)| (c, n))
        .collect();
    render(
        &BlocksPage {
            layout: Layout::for_viewer(format!("{}のブロック", top.1), viewer).notice(done),
            csrf: viewer.csrf_token().to_owned(),
            top: top.0,
            top_name: top.1,
            rows,
            errors,
            kinds: BLOCK_KINDS,
            categories,
        },
        status,
    )
}

pub async fn show_blocks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(top): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    let top = top_of(&top)?;
    blocks_page(&state, &viewer, top, None, q.done.as_deref()).await
}

pub async fn save_blocks(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(top): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let top = top_of(&top)?;
    let categories: Vec<String> = state
        .store
        .content_categories()
        .await?
        .into_iter()
        .map(|c| c.0)
        .collect();
    let mut blocks = Vec::new();
    let mut shown = Vec::new();
    let mut errors = Vec::new();
    let names = ["kind", "title", "body", "category", "count"];
    for (n, row) in rows(&form, &names).into_iter().enumerate() {
        let line = n + 1;
        let r = BlockRow {
            kind: row[0].clone(),
            title: domain::text::tidy(&row[1]),
            body: row[2].clone(),
            category: row[3].clone(),
            count: row[4].clone(),
        };
        shown.push(r.clone());
        if r.kind.is_empty() {
            // Emptying the kind removes the block.
            continue;
        }
        if !BLOCK_KINDS.iter().any(|(k, _)| *k == r.kind) {
            errors.push(format!("{line}行目: 種類を選んでください。"));
            continue;
        }
        if r.kind != "lead" && r.title.is_empty() {
            errors.push(format!("{line}行目: 見出しを入力してください。"));
        }
        if matches!(r.kind.as_str(), "lead" | "links") {
            if r.body.is_empty() {
                errors.push(format!("{line}行目: 本文を入力してください。"));
            } else if let Err(e) = content::render(&r.body, &content::NoMedia) {
                errors.push(format!("{line}行目: {e}"));
            }
        }
        let category = (!r.category.is_empty()).then(|| r.category.clone());
        if category.as_ref().is_some_and(|c| !categories.contains(c)) {
            errors.push(format!("{line}行目: カテゴリーを選び直してください。"));
        }
        let count = if r.count.is_empty() {
            5
        } else {
            match r.count.parse::<i64>() {
                Ok(c) if (1..=20).contains(&c) => c,
                _ => {
                    errors.push(format!("{line}行目: 件数は1から20の数で入力してください。"));
                    5
                }
            }
        };
        blocks.push(Block {
            kind: r.kind.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            category,
            count,
        });
    }
    if !errors.is_empty() {
        return blocks_page(
            &state,
            &viewer,
            top,
            Some((with_blanks(shown), errors)),
            None,
        )
        .await;
    }
    state
        .store
        .save_blocks(top.0, &blocks, &actor(&viewer, &ip)?, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/admin/layout/tops/{}?done=saved", top.0)).into_response())
}
