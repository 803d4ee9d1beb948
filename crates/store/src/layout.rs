//! The site's menus and its top pages' blocks (decision 0009), each saved
//! as a whole: an operator edits the list and the list is replaced in one
//! transaction, with an audit entry.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Result, Store, StoreError};

/// Where a menu is shown.
pub const MENUS: &[(&str, &str)] = &[
    ("header", "ヘッダーメニュー"),
    ("footer", "フッターメニュー"),
];
/// The two top pages.
pub const TOPS: &[(&str, &str)] = &[
    ("navi", "ビジネスチャンス・ナビ トップ（/）"),
    ("project", "中小企業世界発信プロジェクト トップ（/project）"),
];
/// What a block shows.
pub const BLOCK_KINDS: &[(&str, &str)] = &[
    ("lead", "リード文"),
    ("news", "お知らせの一覧"),
    ("programmes", "事業のカード"),
    ("cases", "新着の募集中案件"),
    ("links", "リンク集"),
];

/// A link as saved: to an item, or to an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub label: String,
    pub item_id: Option<i64>,
    pub url: Option<String>,
}

/// A link as shown: where it goes now, and whether a visitor may follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    pub entry: MenuEntry,
    /// The item's address, or the url.
    pub href: String,
    /// The item's publication (none for a url).
    pub publication: Option<content::Publication>,
    /// The item's title (for the admin page).
    pub item_title: Option<String>,
}

impl MenuLink {
    /// A visitor may follow it at `now`.
    pub fn is_public(&self, now: i64) -> bool {
        self.publication.is_none_or(|p| p.is_public(now))
    }
}

/// One block of a top page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub count: i64,
}

fn known(list: &[(&str, &str)], code: &str) -> Result<()> {
    if list.iter().any(|(c, _)| *c == code) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("{code} は使えません")))
    }
}

impl Store {
    /// Audits a list saved whole — (action, target type, target id), its
    /// length — and commits.
    async fn commit_list(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        (action, target_type, target_id): (&str, &str, &str),
        n: usize,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action,
                target_type,
                target_id,
                detail: &format!("{n} 件"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A menu's links in order.
    pub async fn menu_links(&self, menu: &str) -> Result<Vec<MenuLink>> {
        let rows = sqlx::query(
            "SELECT m.label, m.item_id, m.url, i.path, i.title, i.status, i.published_at
               FROM content_menu_links m LEFT JOIN content_items i ON i.id = m.item_id
              WHERE m.menu = $1 ORDER BY m.position, m.id",
        )
        .bind(menu)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let url: Option<String> = r.try_get("url")?;
                let path: Option<String> = r.try_get("path")?;
                let status: Option<String> = r.try_get("status")?;
                let publication = match status {
                    Some(s) => Some(content::Publication {
                        status: crate::cases::parse(content::Status::from_code(&s))?,
                        at: r.try_get("published_at")?,
                    }),
                    None => None,
                };
                Ok(MenuLink {
                    href: path.or_else(|| url.clone()).unwrap_or_default(),
                    entry: MenuEntry {
                        label: r.try_get("label")?,
                        item_id: r.try_get("item_id")?,
                        url,
                    },
                    publication,
                    item_title: r.try_get("title")?,
                })
            })
            .collect()
    }

    /// Replaces a menu's links, with an audit entry.
    pub async fn save_menu(
        &self,
        menu: &str,
        entries: &[MenuEntry],
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        known(MENUS, menu)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM content_menu_links WHERE menu = $1")
            .bind(menu)
            .execute(&mut *tx)
            .await?;
        for (i, e) in entries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO content_menu_links (menu, position, label, item_id, url)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(menu)
            .bind(i as i64 + 1)
            .bind(&e.label)
            .bind(e.item_id)
            .bind(&e.url)
            .execute(&mut *tx)
            .await?;
        }
        self.commit_list(
            tx,
            ("content.menu", "menu", menu),
            entries.len(),
            actor,
            now,
        )
        .await
    }

    /// The menus (by label) that link to an item.
    pub async fn menus_linking(&self, item_id: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT menu, label FROM content_menu_links WHERE item_id = $1 ORDER BY menu, position",
        )
        .bind(item_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("menu")?, r.try_get("label")?)))
            .collect()
    }

    /// A top page's blocks in order.
    pub async fn blocks(&self, top: &str) -> Result<Vec<Block>> {
        let rows = sqlx::query(
            "SELECT kind, title, body, category, count FROM content_blocks
              WHERE top = $1 ORDER BY position, id",
        )
        .bind(top)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Block {
                    kind: r.try_get("kind")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    category: r.try_get("category")?,
                    count: r.try_get::<i64, _>("count")?,
                })
            })
            .collect()
    }

    /// Replaces a top page's blocks, with an audit entry.
    pub async fn save_blocks(
        &self,
        top: &str,
        blocks: &[Block],
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        known(TOPS, top)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM content_blocks WHERE top = $1")
            .bind(top)
            .execute(&mut *tx)
            .await?;
        for (i, b) in blocks.iter().enumerate() {
            known(BLOCK_KINDS, &b.kind)?;
            sqlx::query(
                "INSERT INTO content_blocks (top, position, kind, title, body, category, count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(top)
            .bind(i as i64 + 1)
            .bind(&b.kind)
            .bind(&b.title)
            .bind(&b.body)
            .bind(&b.category)
            .bind(b.count)
            .execute(&mut *tx)
            .await?;
        }
        self.commit_list(tx, ("content.blocks", "top", top), blocks.len(), actor, now)
            .await
    }
}
