//! The blocks of the two top pages (decision 0009) made ready to show: a
//! lead text, a list of news, the programmes' cards, the newest open cases
//! from the search index, links. Used by the navi's top page (`/`) and the
//! project's (`/project`).

use content::ContentKind;
use store::{Block, ContentFilter};

use crate::auth::now_ms;
use crate::{AppState, WebError};

/// Where the programmes' pages are: the pages directly below it.
pub const PROJECT_TOP: &str = "/project";

/// A block as shown.
#[derive(Debug)]
pub struct BlockView {
    pub kind: String,
    pub title: String,
    /// A lead's or links' text, rendered and made safe.
    pub html: String,
    /// (href, title, date or note) of a list's entries.
    pub entries: Vec<(String, String, String)>,
    /// Where the whole list is.
    pub more: Option<(String, String)>,
}

impl BlockView {
    /// The block's heading id (for aria-labelledby).
    pub fn heading_id(&self, i: &usize) -> String {
        format!("block-{}-{i}", self.kind)
    }
}

fn markdown(text: &str) -> String {
    match content::render(text, &content::NoMedia) {
        Ok(r) => r.html,
        Err(e) => crate::rich::html(&e.to_string()).to_string(),
    }
}

/// The blocks of `top` as shown now.
pub async fn views(state: &AppState, top: &str) -> Result<Vec<BlockView>, WebError> {
    let blocks = state.store.blocks(top).await?;
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        out.push(view(state, b).await?);
    }
    Ok(out)
}

/// One block as shown now.
pub async fn view(state: &AppState, b: Block) -> Result<BlockView, WebError> {
    let now = now_ms();
    let count = b.count.clamp(1, 20);
    let mut v = BlockView {
        kind: b.kind.clone(),
        title: b.title.clone(),
        html: String::new(),
        entries: Vec::new(),
        more: None,
    };
    match b.kind.as_str() {
        "lead" | "links" => v.html = markdown(&b.body),
        "news" => {
            let posts = state
                .store
                .content_list(&ContentFilter {
                    kind: Some(ContentKind::Post),
                    category: b.category.as_deref(),
                    public_at: Some(now),
                    limit: count,
                    offset: 0,
                })
                .await?;
            v.entries = posts
                .into_iter()
                .map(|p| {
                    let date = p
                        .publication
                        .at
                        .map(domain::time::jst_date)
                        .unwrap_or_default();
                    (p.path, p.state.title, date)
                })
                .collect();
            v.more = Some(match &b.category {
                Some(c) => (
                    format!("/news/category/{c}"),
                    format!("{}の一覧へ", v.title),
                ),
                None => ("/news".to_owned(), "お知らせの一覧へ".to_owned()),
            });
        }
        "programmes" => {
            if let Some(top) = state.store.content_at(PROJECT_TOP).await? {
                v.entries = state
                    .store
                    .content_children(Some(top.id))
                    .await?
                    .into_iter()
                    .filter(|p| p.is_public(now))
                    .take(count as usize)
                    .map(|p| {
                        let text = p.state.summary.clone().unwrap_or_default();
                        (p.path, p.state.title, text)
                    })
                    .collect();
            }
        }
        "cases" => {
            let q = search::CaseQuery {
                state: Some(search::OpenState::Open),
                sort: search::Sort::Newest,
                per_page: count as usize,
                ..Default::default()
            };
            let found = state.search.search(&q, now).map_err(WebError::internal)?;
            let cases = state.store.cases_by_ids(&found.ids).await?;
            v.entries = found
                .ids
                .iter()
                .filter_map(|id| cases.iter().find(|c| c.id == *id))
                .map(|c| {
                    let note = match c.fields.submission_deadline {
                        Some(d) => format!(
                            "{}・締切 {}",
                            c.fields.organization_name,
                            domain::time::jst_date(d)
                        ),
                        None => c.fields.organization_name.clone(),
                    };
                    (format!("/cases/{}", c.id), c.fields.title.clone(), note)
                })
                .collect();
            v.more = Some((
                "/cases?status=open".to_owned(),
                "募集中の案件をすべて見る".to_owned(),
            ));
        }
        _ => {}
    }
    Ok(v)
}
