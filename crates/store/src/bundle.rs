//! Content bundles (decision 0009): the site's content written from one
//! installation (staging) and applied to another (production).
//!
//! A bundle holds every category, media file and item (page or post) in
//! its current state. Items are matched by `uid`, never by id, so that an
//! item keeps its production id — which revisions and other rows point to —
//! however often it is updated from staging. Applying is one transaction
//! over the content tables only, and compares before it writes: an item,
//! category or file that is the same is not touched, so applying the same
//! bundle twice changes nothing the second time.
//!
//! Reading is two passes over the file: the first checks the signature and
//! keeps what the records say (not the files' bytes); the plan is made from
//! that; applying reads the file again for the files production lacks, and
//! commits only after the second pass has checked the signature too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};

use content::bundle::{BundleError, BundleKey, BundleReader, BundleWriter, Frame, Header};
use content::diff::{Change as FieldChange, FieldDiff};
use content::{ContentKind, Status};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::content::ContentState;
use crate::{Result, Store, StoreError};

/// The schema of the records this version writes and the newest it reads.
pub const BUNDLE_SCHEMA: u32 = 1;

/// A category as a bundle carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CategoryRecord {
    code: String,
    name: String,
    sort_order: i64,
}

/// An item as a bundle carries it: its parent by uid, not by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ItemRecord {
    uid: String,
    path: String,
    parent_uid: Option<String>,
    state: ContentState,
    created_at: i64,
    updated_at: i64,
}

/// A media file's description (its bytes follow the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MediaRecord {
    sha256: String,
    name: String,
    content_type: String,
    width: Option<i64>,
    height: Option<i64>,
    alt: String,
    created_at: i64,
}

/// A menu link as a bundle carries it: its item by uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MenuRecord {
    menu: String,
    label: String,
    item_uid: Option<String>,
    url: Option<String>,
}

/// A top page's block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct BlockRecord {
    top: String,
    block: crate::layout::Block,
}

/// What a bundle holds, without the files' bytes.
#[derive(Debug, Default)]
struct Contents {
    categories: Vec<CategoryRecord>,
    media: Vec<MediaRecord>,
    items: Vec<ItemRecord>,
    menus: Vec<MenuRecord>,
    blocks: Vec<BlockRecord>,
}

/// What one record of a plan does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Added,
    Changed,
    Removed,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Added => "追加",
            Action::Changed => "変更",
            Action::Removed => "削除",
        }
    }
}

/// One thing a bundle adds, changes or removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    pub action: Action,
    /// The item's address, the category's code or the file's name.
    pub name: String,
    /// The fields that differ (for a change).
    pub fields: Vec<FieldDiff>,
}

/// The changes of one kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSection {
    /// 固定ページ, 投稿, カテゴリー, メディア.
    pub label: &'static str,
    pub unchanged: usize,
    pub changes: Vec<PlannedChange>,
}

impl PlanSection {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// What applying a bundle would do (or did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundlePlan {
    pub header: Header,
    pub sections: Vec<PlanSection>,
}

impl BundlePlan {
    /// Nothing would change.
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|s| s.changes.is_empty())
    }

    /// "固定ページ 追加 1・変更 2・削除 0・変更なし 5; …" for the audit log
    /// and the command line.
    pub fn summary(&self) -> String {
        self.sections
            .iter()
            .map(|s| {
                format!(
                    "{} 追加 {}・変更 {}・削除 {}・変更なし {}",
                    s.label,
                    s.count(Action::Added),
                    s.count(Action::Changed),
                    s.count(Action::Removed),
                    s.unchanged
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub items: usize,
    pub media: usize,
    pub categories: usize,
}

impl ContentState {
    /// The fields a diff compares, with their labels; `parent` is how the
    /// parent page is named (its id in one installation, its address
    /// between two).
    pub fn labelled(&self, parent: Option<String>) -> Vec<(&'static str, Option<String>)> {
        let some = |v: String| (!v.is_empty()).then_some(v);
        let e = self.event.as_ref();
        vec![
            ("タイトル", some(self.title.clone())),
            ("スラッグ", some(self.slug.clone())),
            ("親ページ", parent),
            ("並び順", Some(self.sort_order.to_string())),
            ("カテゴリー", self.category.clone()),
            ("タグ", some(self.tags.join("、"))),
            ("概要", self.summary.clone()),
            ("本文", some(self.body.clone())),
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
                self.division
                    .as_deref()
                    .and_then(content::division_label)
                    .map(str::to_owned),
            ),
            ("ヘルプキー", self.help_key.clone()),
            (
                "公開状態",
                Status::from_code(&self.status)
                    .ok()
                    .map(|s| s.label().to_owned()),
            ),
            (
                "公開日時",
                self.published_at.map(domain::time::jst_datetime),
            ),
        ]
    }
}

impl Store {
    /// Writes every category, media file and item to `out` as one signed
    /// bundle, a file at a time (memory holds the items' texts and one file).
    pub async fn export_content<W: Write>(
        &self,
        out: W,
        key: &BundleKey,
        source: &str,
        now: i64,
    ) -> Result<Exported> {
        let header = Header {
            schema: BUNDLE_SCHEMA,
            key_id: String::new(),
            made_at: now,
            source: source.to_owned(),
        };
        let mut w = BundleWriter::new(out, key, &header)?;
        let categories = self.content_categories().await?;
        for (code, name, sort_order) in &categories {
            w.frame(&tagged(
                "category",
                &CategoryRecord {
                    code: code.clone(),
                    name: name.clone(),
                    sort_order: *sort_order,
                },
            )?)?;
        }
        let media = self.media_list().await?;
        for m in &media {
            let Some((_, bytes)) = self.media_content(&m.sha256).await? else {
                continue;
            };
            let record = MediaRecord {
                sha256: m.sha256.clone(),
                name: m.name.clone(),
                content_type: m.content_type.clone(),
                width: m.width,
                height: m.height,
                alt: m.alt.clone(),
                created_at: m.created_at,
            };
            w.frame_with_blob(&tagged("media", &record)?, &bytes)?;
        }
        let items = all_items(self).await?;
        let uid_of: HashMap<i64, String> = items.iter().map(|i| (i.id, i.uid.clone())).collect();
        for i in &items {
            let mut state = i.state.clone();
            let parent_uid = state.parent_id.take().and_then(|p| uid_of.get(&p).cloned());
            w.frame(&tagged(
                "item",
                &ItemRecord {
                    uid: i.uid.clone(),
                    path: i.path.clone(),
                    parent_uid,
                    state,
                    created_at: i.created_at,
                    updated_at: i.updated_at,
                },
            )?)?;
        }
        for (menu, _) in crate::layout::MENUS {
            for l in self.menu_links(menu).await? {
                w.frame(&tagged(
                    "menu_link",
                    &MenuRecord {
                        menu: (*menu).to_owned(),
                        label: l.entry.label,
                        item_uid: l.entry.item_id.and_then(|i| uid_of.get(&i).cloned()),
                        url: l.entry.url,
                    },
                )?)?;
            }
        }
        for (top, _) in crate::layout::TOPS {
            for block in self.blocks(top).await? {
                w.frame(&tagged(
                    "block",
                    &BlockRecord {
                        top: (*top).to_owned(),
                        block,
                    },
                )?)?;
            }
        }
        w.finish()?;
        Ok(Exported {
            items: items.len(),
            media: media.len(),
            categories: categories.len(),
        })
    }

    /// What applying the bundle at `open()` would change here. Nothing is
    /// written; a bundle that is not whole, not ours or not signed with
    /// `key` is refused (`StoreError::Bundle`).
    pub async fn plan_bundle<R: BufRead>(
        &self,
        open: impl Fn() -> std::io::Result<R>,
        key: &BundleKey,
    ) -> Result<BundlePlan> {
        let (header, contents) = read_contents(open()?, key)?;
        let mut conn = self.pool().acquire().await?;
        plan(&mut conn, header, &contents).await
    }

    /// Applies the bundle in one transaction: everything or nothing. The
    /// bundle is read twice (see the module's documentation); `what` names
    /// the act in the audit log ("import" or "rollback").
    pub async fn apply_bundle<R: BufRead>(
        &self,
        open: impl Fn() -> std::io::Result<R>,
        key: &BundleKey,
        actor: &Actor,
        now: i64,
        what: &str,
    ) -> Result<BundlePlan> {
        let (header, contents) = read_contents(open()?, key)?;
        let mut tx = self.pool().begin().await?;
        // Writing first makes this transaction the writer at once: on SQLite
        // one that reads first and writes after another connection's commit
        // fails at once (「database is locked」) instead of waiting. The
        // statement changes no row.
        sqlx::query("UPDATE content_categories SET name = name WHERE 1 = 0")
            .execute(&mut *tx)
            .await?;
        let plan = plan(&mut tx, header, &contents).await?;
        if plan.is_empty() {
            return Ok(plan);
        }
        apply(&mut tx, &contents, open()?, key, actor.user_id, now).await?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: &format!("content.{what}"),
                target_type: "content",
                target_id: &plan.header.source,
                detail: &plan.summary(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }
}

fn tagged<T: Serialize>(t: &str, record: &T) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(record).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("t".into(), t.into());
    }
    Ok(v)
}

async fn all_items(store: &Store) -> Result<Vec<crate::ContentItem>> {
    store
        .content_list(&crate::ContentFilter {
            limit: i64::MAX,
            ..Default::default()
        })
        .await
        .map(|mut items| {
            // Parents before their children: a page's address is its
            // parent's and more.
            items.sort_by(|a, b| a.path.cmp(&b.path));
            items
        })
}

/// The first pass: the records, without the files' bytes, and the
/// signature checked.
fn read_contents<R: BufRead>(input: R, key: &BundleKey) -> Result<(Header, Contents)> {
    let mut reader = BundleReader::open(input, key, BUNDLE_SCHEMA)?.skip_blobs();
    let header = reader.header().clone();
    let mut c = Contents::default();
    while let Some(frame) = reader.next_frame()? {
        match frame.kind.as_str() {
            "category" => c.categories.push(frame.parse()?),
            "media" => c.media.push(frame.parse()?),
            "item" => c.items.push(frame.parse()?),
            "menu_link" => c.menus.push(frame.parse()?),
            "block" => c.blocks.push(frame.parse()?),
            other => {
                return Err(BundleError::Malformed(format!("知らない記録 {other}")).into());
            }
        }
    }
    check(&c)?;
    Ok((header, c))
}

/// What a signed bundle must still be to be applied: one record per name,
/// parents that are in it and come first, categories that exist, items of
/// a known kind and state.
fn check(c: &Contents) -> Result<()> {
    let bad = |m: String| StoreError::Bundle(BundleError::Malformed(m));
    let mut codes = HashSet::new();
    for cat in &c.categories {
        if !codes.insert(cat.code.as_str()) {
            return Err(bad(format!("カテゴリー {} が重複しています", cat.code)));
        }
    }
    let mut shas = HashSet::new();
    for m in &c.media {
        if !shas.insert(m.sha256.as_str()) || !crate::media::is_sha256(&m.sha256) {
            return Err(bad(format!("メディア {} が不正か重複しています", m.sha256)));
        }
    }
    let mut uids = HashSet::new();
    let mut paths = HashSet::new();
    let mut help_keys = HashSet::new();
    for i in &c.items {
        if let Some(p) = &i.parent_uid
            && !uids.contains(p.as_str())
        {
            return Err(bad(format!("{} の親ページが先にありません", i.path)));
        }
        if !uids.insert(i.uid.as_str())
            || !paths.insert(i.path.as_str())
            || i.state
                .help_key
                .as_ref()
                .is_some_and(|k| !help_keys.insert(k.as_str()))
        {
            return Err(bad(format!("{} が重複しています", i.path)));
        }
        if ContentKind::from_code(&i.state.kind).is_err()
            || Status::from_code(&i.state.status).is_err()
        {
            return Err(bad(format!("{} の種類か状態が不正です", i.path)));
        }
        if let Some(cat) = &i.state.category
            && !codes.contains(cat.as_str())
        {
            return Err(bad(format!("{} のカテゴリー {cat} がありません", i.path)));
        }
    }
    for m in &c.menus {
        let known = crate::layout::MENUS.iter().any(|(k, _)| *k == m.menu);
        let target = match (&m.item_uid, &m.url) {
            (Some(u), None) => uids.contains(u.as_str()),
            (None, Some(_)) => true,
            _ => false,
        };
        if !known || !target {
            return Err(bad(format!("メニューの「{}」が不正です", m.label)));
        }
    }
    for b in &c.blocks {
        let known = crate::layout::TOPS.iter().any(|(k, _)| *k == b.top)
            && crate::layout::BLOCK_KINDS
                .iter()
                .any(|(k, _)| *k == b.block.kind)
            && b.block
                .category
                .as_ref()
                .is_none_or(|c| codes.contains(c.as_str()));
        if !known {
            return Err(bad(format!(
                "トップページのブロック「{}」が不正です",
                b.block.title
            )));
        }
    }
    Ok(())
}

/// Production's items, by uid, with their parents' uids and addresses.
struct Here {
    items: HashMap<String, (crate::ContentItem, Option<String>)>,
    order: Vec<String>,
}

async fn here(conn: &mut AnyConnection) -> Result<Here> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM content_items ORDER BY path",
        crate::content::COLUMNS
    ))
    .fetch_all(&mut *conn)
    .await?;
    let items: Vec<crate::ContentItem> = rows
        .iter()
        .map(<crate::ContentItem as crate::read::FromCols>::from_cols)
        .collect::<Result<_>>()?;
    let uid_of: HashMap<i64, String> = items.iter().map(|i| (i.id, i.uid.clone())).collect();
    let order = items.iter().map(|i| i.uid.clone()).collect();
    let items = items
        .into_iter()
        .map(|i| {
            let parent = i.state.parent_id.and_then(|p| uid_of.get(&p).cloned());
            (i.uid.clone(), (i, parent))
        })
        .collect();
    Ok(Here { items, order })
}

/// An item's state as compared: without the installation's parent id.
fn comparable(s: &ContentState) -> ContentState {
    ContentState {
        parent_id: None,
        ..s.clone()
    }
}

async fn plan(conn: &mut AnyConnection, header: Header, c: &Contents) -> Result<BundlePlan> {
    let here = here(conn).await?;
    let path_of_uid = |uid: &Option<String>, paths: &HashMap<&str, &str>| {
        uid.as_deref()
            .and_then(|u| paths.get(u).map(|p| (*p).to_owned()))
    };
    let here_paths: HashMap<&str, &str> = here
        .items
        .iter()
        .map(|(u, (i, _))| (u.as_str(), i.path.as_str()))
        .collect();
    let there_paths: HashMap<&str, &str> = c
        .items
        .iter()
        .map(|i| (i.uid.as_str(), i.path.as_str()))
        .collect();
    let mut pages = PlanSection {
        label: "固定ページ",
        unchanged: 0,
        changes: Vec::new(),
    };
    let mut posts = PlanSection {
        label: "投稿",
        ..pages.clone()
    };
    for i in &c.items {
        let section = if i.state.kind == "post" {
            &mut posts
        } else {
            &mut pages
        };
        let new = i.state.labelled(path_of_uid(&i.parent_uid, &there_paths));
        match here.items.get(&i.uid) {
            None => section.changes.push(PlannedChange {
                action: Action::Added,
                name: i.path.clone(),
                fields: content::diff::fields(&[], &new),
            }),
            Some((old, parent)) => {
                if old.path == i.path
                    && *parent == i.parent_uid
                    && comparable(&old.state) == i.state
                {
                    section.unchanged += 1;
                } else {
                    let mut before = old.state.labelled(path_of_uid(parent, &here_paths));
                    let mut after = new;
                    before.push(("アドレス", Some(old.path.clone())));
                    after.push(("アドレス", Some(i.path.clone())));
                    section.changes.push(PlannedChange {
                        action: Action::Changed,
                        name: i.path.clone(),
                        fields: changed_only(content::diff::fields(&before, &after)),
                    });
                }
            }
        }
    }
    let kept: HashSet<&str> = c.items.iter().map(|i| i.uid.as_str()).collect();
    for uid in &here.order {
        if kept.contains(uid.as_str()) {
            continue;
        }
        let (old, parent) = &here.items[uid];
        let section = if old.kind == ContentKind::Post {
            &mut posts
        } else {
            &mut pages
        };
        section.changes.push(PlannedChange {
            action: Action::Removed,
            name: old.path.clone(),
            fields: content::diff::fields(
                &old.state.labelled(path_of_uid(parent, &here_paths)),
                &[],
            ),
        });
    }

    let cats = categories_here(conn).await?;
    let mut categories = PlanSection {
        label: "カテゴリー",
        unchanged: 0,
        changes: Vec::new(),
    };
    let category_fields = |c: &CategoryRecord| {
        vec![
            ("名前", Some(c.name.clone())),
            ("並び順", Some(c.sort_order.to_string())),
        ]
    };
    for cat in &c.categories {
        match cats.get(&cat.code) {
            Some(old) if old == cat => categories.unchanged += 1,
            Some(old) => categories.changes.push(PlannedChange {
                action: Action::Changed,
                name: cat.code.clone(),
                fields: changed_only(content::diff::fields(
                    &category_fields(old),
                    &category_fields(cat),
                )),
            }),
            None => categories.changes.push(PlannedChange {
                action: Action::Added,
                name: cat.code.clone(),
                fields: content::diff::fields(&[], &category_fields(cat)),
            }),
        }
    }
    for (code, old) in &cats {
        if !c.categories.iter().any(|x| &x.code == code) {
            categories.changes.push(PlannedChange {
                action: Action::Removed,
                name: code.clone(),
                fields: content::diff::fields(&category_fields(old), &[]),
            });
        }
    }

    let files = media_here(conn).await?;
    let mut media = PlanSection {
        label: "メディア",
        unchanged: 0,
        changes: Vec::new(),
    };
    let media_fields = |m: &MediaRecord| {
        vec![
            ("ファイル名", Some(m.name.clone())),
            (
                "代替テキスト",
                Some(m.alt.clone()).filter(|a| !a.is_empty()),
            ),
        ]
    };
    for m in &c.media {
        match files.get(&m.sha256) {
            Some(old) if old.name == m.name && old.alt == m.alt => media.unchanged += 1,
            Some(old) => media.changes.push(PlannedChange {
                action: Action::Changed,
                name: m.name.clone(),
                fields: changed_only(content::diff::fields(&media_fields(old), &media_fields(m))),
            }),
            None => media.changes.push(PlannedChange {
                action: Action::Added,
                name: m.name.clone(),
                fields: content::diff::fields(&[], &media_fields(m)),
            }),
        }
    }
    for (sha, old) in &files {
        if !c.media.iter().any(|m| &m.sha256 == sha) {
            media.changes.push(PlannedChange {
                action: Action::Removed,
                name: old.name.clone(),
                fields: content::diff::fields(&media_fields(old), &[]),
            });
        }
    }
    let there_paths_owned: HashMap<String, String> = there_paths
        .iter()
        .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
        .collect();
    let here_paths_owned: HashMap<String, String> = here_paths
        .iter()
        .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
        .collect();
    let menus_now = menus_here(conn, &here).await?;
    let mut menus = PlanSection {
        label: "メニュー",
        unchanged: 0,
        changes: Vec::new(),
    };
    for (code, name) in crate::layout::MENUS {
        let old: Vec<&MenuRecord> = menus_now.iter().filter(|m| m.menu == *code).collect();
        let new: Vec<&MenuRecord> = c.menus.iter().filter(|m| m.menu == *code).collect();
        if old == new {
            menus.unchanged += 1;
            continue;
        }
        let text = |list: &[&MenuRecord], paths: &HashMap<String, String>| {
            list.iter()
                .map(|m| {
                    let to = m
                        .item_uid
                        .as_ref()
                        .and_then(|u| paths.get(u).cloned())
                        .or_else(|| m.url.clone())
                        .unwrap_or_default();
                    format!("{} → {to}", m.label)
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        menus.changes.push(PlannedChange {
            action: Action::Changed,
            name: (*name).to_owned(),
            fields: changed_only(content::diff::fields(
                &[("リンク", Some(text(&old, &here_paths_owned)))],
                &[("リンク", Some(text(&new, &there_paths_owned)))],
            )),
        });
    }
    let blocks_now = blocks_here(conn).await?;
    let mut blocks = PlanSection {
        label: "トップページのブロック",
        unchanged: 0,
        changes: Vec::new(),
    };
    for (code, name) in crate::layout::TOPS {
        let old: Vec<&BlockRecord> = blocks_now.iter().filter(|b| b.top == *code).collect();
        let new: Vec<&BlockRecord> = c.blocks.iter().filter(|b| b.top == *code).collect();
        if old == new {
            blocks.unchanged += 1;
            continue;
        }
        let text = |list: &[&BlockRecord]| {
            list.iter()
                .map(|b| {
                    let b = &b.block;
                    format!(
                        "[{}] {}（{}・{}件）\n{}",
                        b.kind,
                        b.title,
                        b.category.as_deref().unwrap_or("-"),
                        b.count,
                        b.body
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        blocks.changes.push(PlannedChange {
            action: Action::Changed,
            name: (*name).to_owned(),
            fields: changed_only(content::diff::fields(
                &[("ブロック", Some(text(&old)))],
                &[("ブロック", Some(text(&new)))],
            )),
        });
    }
    Ok(BundlePlan {
        header,
        sections: vec![pages, posts, categories, media, menus, blocks],
    })
}

/// Production's menu links, their items by uid.
async fn menus_here(conn: &mut AnyConnection, here: &Here) -> Result<Vec<MenuRecord>> {
    let uid_of: HashMap<i64, &str> = here
        .items
        .values()
        .map(|(i, _)| (i.id, i.uid.as_str()))
        .collect();
    let rows = sqlx::query(
        "SELECT menu, label, item_id, url FROM content_menu_links ORDER BY menu, position, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let item: Option<i64> = r.try_get("item_id")?;
            Ok(MenuRecord {
                menu: r.try_get("menu")?,
                label: r.try_get("label")?,
                item_uid: item.and_then(|i| uid_of.get(&i).map(|u| (*u).to_owned())),
                url: r.try_get("url")?,
            })
        })
        .collect()
}

async fn blocks_here(conn: &mut AnyConnection) -> Result<Vec<BlockRecord>> {
    let rows = sqlx::query(
        "SELECT top, kind, title, body, category, count FROM content_blocks
          ORDER BY top, position, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BlockRecord {
                top: r.try_get("top")?,
                block: crate::layout::Block {
                    kind: r.try_get("kind")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    category: r.try_get("category")?,
                    count: r.try_get::<i64, _>("count")?,
                },
            })
        })
        .collect()
}

fn changed_only(fields: Vec<FieldDiff>) -> Vec<FieldDiff> {
    fields
        .into_iter()
        .filter(|f| f.change != FieldChange::Unchanged)
        .collect()
}

async fn categories_here(conn: &mut AnyConnection) -> Result<BTreeMap<String, CategoryRecord>> {
    let rows = sqlx::query("SELECT code, name, sort_order FROM content_categories")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let c = CategoryRecord {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                sort_order: r.try_get::<i64, _>("sort_order")?,
            };
            Ok((c.code.clone(), c))
        })
        .collect()
}

async fn media_here(conn: &mut AnyConnection) -> Result<BTreeMap<String, MediaRecord>> {
    let rows = sqlx::query(
        "SELECT sha256, name, content_type, width, height, alt, created_at FROM content_media",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let m = MediaRecord {
                sha256: r.try_get("sha256")?,
                name: r.try_get("name")?,
                content_type: r.try_get("content_type")?,
                width: r.try_get("width")?,
                height: r.try_get("height")?,
                alt: r.try_get("alt")?,
                created_at: r.try_get("created_at")?,
            };
            Ok((m.sha256.clone(), m))
        })
        .collect()
}

/// Writes what `plan` found, inside the caller's transaction. The files
/// production lacks are read from a second pass over the bundle, whose
/// signature is checked before this returns.
async fn apply<R: BufRead>(
    conn: &mut AnyConnection,
    c: &Contents,
    second: R,
    key: &BundleKey,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    let here = here(conn).await?;
    // Menus that change are written anew after the items (their links point
    // to items, some of which may go).
    let menus_now = menus_here(conn, &here).await?;
    let changed_menus: Vec<&str> = crate::layout::MENUS
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| {
            let old: Vec<&MenuRecord> = menus_now.iter().filter(|m| m.menu == *code).collect();
            let new: Vec<&MenuRecord> = c.menus.iter().filter(|m| m.menu == *code).collect();
            old != new
        })
        .collect();
    for code in &changed_menus {
        sqlx::query("DELETE FROM content_menu_links WHERE menu = $1")
            .bind(*code)
            .execute(&mut *conn)
            .await?;
    }
    let blocks_now = blocks_here(conn).await?;
    // Categories first: items point to them.
    let cats = categories_here(conn).await?;
    for cat in &c.categories {
        if cats.get(&cat.code) == Some(cat) {
            continue;
        }
        sqlx::query(
            "INSERT INTO content_categories (code, name, sort_order) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order",
        )
        .bind(&cat.code)
        .bind(&cat.name)
        .bind(cat.sort_order)
        .execute(&mut *conn)
        .await?;
    }

    // Items: the ones that change are first set aside (no parent, an
    // address nobody can have), the ones that go are deleted (deepest
    // first), new ones are inserted aside, then every changed or new one
    // is written in full, parents first.
    let mut changed: Vec<&ItemRecord> = Vec::new();
    for i in &c.items {
        match here.items.get(&i.uid) {
            Some((old, parent))
                if old.path == i.path
                    && *parent == i.parent_uid
                    && comparable(&old.state) == i.state => {}
            Some((old, _)) => {
                sqlx::query(
                    "UPDATE content_items SET parent_id = NULL, path = $2, help_key = NULL
                      WHERE id = $1",
                )
                .bind(old.id)
                .bind(format!("\u{1}bundle/{}", old.uid))
                .execute(&mut *conn)
                .await?;
                changed.push(i);
            }
            None => changed.push(i),
        }
    }
    let kept: HashSet<&str> = c.items.iter().map(|i| i.uid.as_str()).collect();
    for uid in here.order.iter().rev() {
        if kept.contains(uid.as_str()) {
            continue;
        }
        let id = here.items[uid].0.id;
        sqlx::query("DELETE FROM content_revisions WHERE item_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM content_items WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let mut id_of: HashMap<String, i64> = here
        .items
        .iter()
        .filter(|(u, _)| kept.contains(u.as_str()))
        .map(|(u, (i, _))| (u.clone(), i.id))
        .collect();
    for i in &changed {
        let s = &i.state;
        let e = s.event.as_ref();
        let (id, revision) = match id_of.get(&i.uid) {
            Some(id) => {
                let row = sqlx::query(
                    "UPDATE content_items SET revision = revision + 1 WHERE id = $1
                     RETURNING revision",
                )
                .bind(*id)
                .fetch_one(&mut *conn)
                .await?;
                (*id, row.try_get::<i64, _>("revision")?)
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO content_items (uid, kind, slug, path, sort_order, title, body,
                            tags, status, revision, created_at, updated_at)
                     VALUES ($1, $2, '', $3, 0, '', '', '', 'draft', 1, $4, $4)
                     RETURNING id",
                )
                .bind(&i.uid)
                .bind(&s.kind)
                .bind(format!("\u{1}bundle/{}", i.uid))
                .bind(i.created_at)
                .fetch_one(&mut *conn)
                .await?;
                id_of.insert(i.uid.clone(), id);
                (id, 1)
            }
        };
        let parent = i.parent_uid.as_ref().and_then(|u| id_of.get(u).copied());
        sqlx::query(
            "UPDATE content_items SET parent_id = $2, slug = $3, path = $4, sort_order = $5,
                    title = $6, body = $7, summary = $8, category = $9, tags = $10, status = $11,
                    published_at = $12, event_starts_at = $13, event_ends_at = $14, venue = $15,
                    apply_until = $16, division = $17, help_key = $18, updated_at = $19,
                    updated_by = $20, created_at = $21
              WHERE id = $1",
        )
        .bind(id)
        .bind(parent)
        .bind(&s.slug)
        .bind(&i.path)
        .bind(s.sort_order)
        .bind(&s.title)
        .bind(&s.body)
        .bind(&s.summary)
        .bind(&s.category)
        .bind(s.tags.join("\n"))
        .bind(&s.status)
        .bind(s.published_at)
        .bind(e.map(|e| e.starts_at))
        .bind(e.and_then(|e| e.ends_at))
        .bind(e.and_then(|e| e.venue.clone()))
        .bind(e.and_then(|e| e.apply_until))
        .bind(&s.division)
        .bind(&s.help_key)
        .bind(i.updated_at)
        .bind(by)
        .bind(i.created_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| crate::conflict(e, &[("path", "path"), ("help_key", "help_key")]))?;
        let mut state = s.clone();
        state.parent_id = parent;
        crate::content::write_revision(conn, id, revision, &state, by, now).await?;
    }

    for code in &changed_menus {
        for (i, m) in c.menus.iter().filter(|m| m.menu == *code).enumerate() {
            sqlx::query(
                "INSERT INTO content_menu_links (menu, position, label, item_id, url)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&m.menu)
            .bind(i as i64 + 1)
            .bind(&m.label)
            .bind(m.item_uid.as_ref().and_then(|u| id_of.get(u).copied()))
            .bind(&m.url)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (code, _) in crate::layout::TOPS {
        let old: Vec<&BlockRecord> = blocks_now.iter().filter(|b| b.top == *code).collect();
        let new: Vec<&BlockRecord> = c.blocks.iter().filter(|b| b.top == *code).collect();
        if old == new {
            continue;
        }
        sqlx::query("DELETE FROM content_blocks WHERE top = $1")
            .bind(*code)
            .execute(&mut *conn)
            .await?;
        for (i, b) in new.iter().enumerate() {
            sqlx::query(
                "INSERT INTO content_blocks (top, position, kind, title, body, category, count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&b.top)
            .bind(i as i64 + 1)
            .bind(&b.block.kind)
            .bind(&b.block.title)
            .bind(&b.block.body)
            .bind(&b.block.category)
            .bind(b.block.count)
            .execute(&mut *conn)
            .await?;
        }
    }

    // Categories no item uses any more.
    for code in cats.keys() {
        if !c.categories.iter().any(|x| &x.code == code) {
            sqlx::query("DELETE FROM content_categories WHERE code = $1")
                .bind(code)
                .execute(&mut *conn)
                .await?;
        }
    }

    // Media: what production lacks comes from the second pass; names and
    // alternative texts are updated; files not in the bundle go.
    let files = media_here(conn).await?;
    let wanted: HashMap<&str, &MediaRecord> = c
        .media
        .iter()
        .filter(|m| !files.contains_key(&m.sha256))
        .map(|m| (m.sha256.as_str(), m))
        .collect();
    let mut reader = BundleReader::open(second, key, BUNDLE_SCHEMA)?;
    let mut inserted = 0;
    while let Some(Frame { kind, json, blob }) = reader.next_frame()? {
        if kind != "media" {
            continue;
        }
        let sha = json.get("sha256").and_then(|s| s.as_str()).unwrap_or("");
        let (Some(m), Some(bytes)) = (wanted.get(sha), blob) else {
            continue;
        };
        if hex(&Sha256::digest(&bytes)) != m.sha256 {
            return Err(BundleError::Tampered.into());
        }
        sqlx::query(
            "INSERT INTO content_media (sha256, name, content_type, size, width, height, alt,
                    content, uploaded_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&m.sha256)
        .bind(&m.name)
        .bind(&m.content_type)
        .bind(bytes.len() as i64)
        .bind(m.width)
        .bind(m.height)
        .bind(&m.alt)
        .bind(&bytes)
        .bind(by)
        .bind(m.created_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        inserted += 1;
    }
    if inserted != wanted.len() {
        return Err(BundleError::Tampered.into());
    }
    for m in &c.media {
        if let Some(old) = files.get(&m.sha256)
            && (old.name != m.name || old.alt != m.alt)
        {
            sqlx::query(
                "UPDATE content_media SET name = $2, alt = $3, updated_at = $4 WHERE sha256 = $1",
            )
            .bind(&m.sha256)
            .bind(&m.name)
            .bind(&m.alt)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    for sha in files.keys() {
        if !c.media.iter().any(|m| &m.sha256 == sha) {
            sqlx::query("DELETE FROM content_media WHERE sha256 = $1")
                .bind(sha)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
