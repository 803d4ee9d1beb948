//! Site content: pages in a tree and posts in categories, each save kept as
//! a revision (docs/decisions/0009).
//!
//! An item's address (`path`) is derived here, in the writing transaction,
//! from its slug and its parent's path, and a page that moves takes its
//! descendants with it; a parent that would make a cycle is refused. Saves
//! are optimistic: the author's form carries the revision it was made from,
//! and a save from an older one is refused (`Stale`) instead of overwriting
//! another's work. Every save writes the whole state as a new revision and
//! thins the old ones (`content::revisions`).

use content::publish::{Publication, Status};
use content::{ContentKind, SlugPath};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::read::{Arg, Cols, FromCols};
use crate::{Result, Store, StoreError, conflict};

/// What an author edits: everything a revision keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentState {
    pub kind: String,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub sort_order: i64,
    pub title: String,
    pub body: String,
    pub summary: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub status: String,
    pub published_at: Option<i64>,
    pub event: Option<EventFields>,
    pub division: Option<String>,
    pub help_key: Option<String>,
}

/// The dates and place of a post that announces an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFields {
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub venue: Option<String>,
    /// 申込締切.
    pub apply_until: Option<i64>,
}

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentItem {
    pub id: i64,
    pub uid: String,
    pub kind: ContentKind,
    pub path: String,
    pub state: ContentState,
    pub publication: Publication,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: Option<i64>,
}

impl ContentItem {
    pub fn is_public(&self, now: i64) -> bool {
        self.publication.is_public(now)
    }
}

/// A save: a new item (`id` none) or the next state of one, made from
/// `revision`.
#[derive(Debug, Clone)]
pub struct ContentSave<'a> {
    pub id: Option<i64>,
    /// The revision the author's form was made from (none for a new item).
    pub revision: Option<i64>,
    pub state: &'a ContentState,
    /// Who saves, and when.
    pub actor: &'a Actor,
    pub now: i64,
}

/// A revision in an item's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionInfo {
    pub number: i64,
    pub saved_at: i64,
    pub saved_by: Option<i64>,
    /// The saver's name now (none when the account is gone or a command saved).
    pub saved_by_name: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ContentFilter<'a> {
    pub kind: Option<ContentKind>,
    pub category: Option<&'a str>,
    /// Only what a visitor sees at this time.
    pub public_at: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub(crate) const COLUMNS: &str =
    "id, uid, kind, parent_id, slug, path, sort_order, title, body, summary,
    category, tags, status, published_at, event_starts_at, event_ends_at, venue, apply_until,
    division, help_key, revision, created_at, updated_at, updated_by";

/// A visitor sees published items, and scheduled ones whose time has come.
const PUBLIC: &str = "(status = 'published' OR (status = 'scheduled' AND published_at <= $1))";

impl FromCols for ContentItem {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        let kind: String = row.col("kind")?;
        let status: String = row.col("status")?;
        let tags: String = row.col("tags")?;
        let starts: Option<i64> = row.col("event_starts_at")?;
        let published_at: Option<i64> = row.col("published_at")?;
        let status_code = crate::cases::parse(Status::from_code(&status))?;
        let state = ContentState {
            kind: kind.clone(),
            parent_id: row.col("parent_id")?,
            slug: row.col("slug")?,
            sort_order: row.col("sort_order")?,
            title: row.col("title")?,
            body: row.col("body")?,
            summary: row.col("summary")?,
            category: row.col("category")?,
            tags: tags.lines().map(str::to_owned).collect(),
            status,
            published_at,
            event: match starts {
                Some(starts_at) => Some(EventFields {
                    starts_at,
                    ends_at: row.col("event_ends_at")?,
                    venue: row.col("venue")?,
                    apply_until: row.col("apply_until")?,
                }),
                None => None,
            },
            division: row.col("division")?,
            help_key: row.col("help_key")?,
        };
        Ok(ContentItem {
            id: row.col("id")?,
            uid: row.col("uid")?,
            kind: crate::cases::parse(ContentKind::from_code(&kind))?,
            path: row.col("path")?,
            publication: Publication {
                status: status_code,
                at: published_at,
            },
            state,
            revision: row.col("revision")?,
            created_at: row.col("created_at")?,
            updated_at: row.col("updated_at")?,
            updated_by: row.col("updated_by")?,
        })
    }
}

impl Store {
    /// The categories of posts: (code, name, order), in order.
    pub async fn content_categories(&self) -> Result<Vec<(String, String, i64)>> {
        let rows: Vec<Category> = self
            .read_rows::<_, i64>(
                "SELECT code, name, sort_order FROM content_categories ORDER BY sort_order, code",
                &[],
            )
            .await?;
        Ok(rows.into_iter().map(|c| (c.0, c.1, c.2)).collect())
    }

    /// The item with this id, whatever its state.
    pub async fn content_item(&self, id: i64) -> Result<Option<ContentItem>> {
        let sql = format!("SELECT {COLUMNS} FROM content_items WHERE id = $1");
        Ok(self.read_rows(&sql, &[id]).await?.pop())
    }

    /// The item at this address, whatever its state.
    pub async fn content_at(&self, path: &str) -> Result<Option<ContentItem>> {
        let sql = format!("SELECT {COLUMNS} FROM content_items WHERE path = $1");
        Ok(self.read_rows(&sql, &[Arg::Text(path)]).await?.pop())
    }

    /// The page a screen's help link names (`help:bid`), whatever its state.
    pub async fn content_by_help_key(&self, key: &str) -> Result<Option<ContentItem>> {
        let sql = format!("SELECT {COLUMNS} FROM content_items WHERE help_key = $1");
        Ok(self.read_rows(&sql, &[Arg::Text(key)]).await?.pop())
    }

    /// Items by `filter`: posts newest first, pages in the tree's order.
    pub async fn content_list(&self, f: &ContentFilter<'_>) -> Result<Vec<ContentItem>> {
        let now = f.public_at.unwrap_or(0);
        let kind = f.kind.map(ContentKind::as_str).unwrap_or("");
        let category = f.category.unwrap_or("");
        let sql = format!(
            "SELECT {COLUMNS} FROM content_items
              WHERE ($2 = '' OR kind = $2) AND ($3 = '' OR category = $3)
                AND ($4 = 0 OR {PUBLIC})
              ORDER BY CASE WHEN kind = 'post' THEN 0 ELSE 1 END,
                       CASE WHEN kind = 'post' THEN COALESCE(published_at, updated_at) ELSE 0 END DESC,
                       path, id
              LIMIT $5 OFFSET $6"
        );
        let public = i64::from(f.public_at.is_some());
        let limit = if f.limit > 0 { f.limit } else { 100 };
        self.read_rows(
            &sql,
            &[
                Arg::Int(now),
                Arg::Text(kind),
                Arg::Text(category),
                Arg::Int(public),
                Arg::Int(limit),
                Arg::Int(f.offset.max(0)),
            ],
        )
        .await
    }

    /// The pages directly below `parent` (the top level for none), in order.
    pub async fn content_children(&self, parent: Option<i64>) -> Result<Vec<ContentItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM content_items
              WHERE kind = 'page' AND COALESCE(parent_id, 0) = $1
              ORDER BY sort_order, id"
        );
        self.read_rows(&sql, &[parent.unwrap_or(0)]).await
    }

    /// The earliest time after `now` at which a scheduled item becomes
    /// public: until then, what visitors see changes only by a commit.
    pub async fn next_scheduled_content(&self, now: i64) -> Result<Option<i64>> {
        let rows: Vec<Scalar> = self
            .read_rows(
                "SELECT MIN(published_at) AS v FROM content_items
                  WHERE status = 'scheduled' AND published_at > $1",
                &[now],
            )
            .await?;
        Ok(rows.into_iter().next().and_then(|s| s.0))
    }

    /// An item's revisions, newest first.
    pub async fn content_revisions(&self, item_id: i64) -> Result<Vec<RevisionInfo>> {
        let rows = sqlx::query(
            "SELECT r.number, r.saved_at, r.saved_by, u.name
               FROM content_revisions r LEFT JOIN users u ON u.id = r.saved_by
              WHERE r.item_id = $1 ORDER BY r.number DESC",
        )
        .bind(item_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RevisionInfo {
                    number: r.try_get("number")?,
                    saved_at: r.try_get("saved_at")?,
                    saved_by: r.try_get("saved_by")?,
                    saved_by_name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// The state an item had at revision `number`.
    pub async fn content_revision(
        &self,
        item_id: i64,
        number: i64,
    ) -> Result<Option<ContentState>> {
        let snapshot: Option<String> = sqlx::query_scalar(
            "SELECT snapshot FROM content_revisions WHERE item_id = $1 AND number = $2",
        )
        .bind(item_id)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        snapshot
            .map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Invalid(e.to_string())))
            .transpose()
    }

    /// Saves an item and its revision in one transaction, with an audit
    /// entry. `Conflict { field: "path" | "help_key" }` when another item has
    /// the address or the help key; `Stale` when the item was saved by
    /// someone else since `revision`; `Invalid` for a parent that is not a
    /// page, is the item itself or lies below it.
    pub async fn save_content(&self, save: &ContentSave<'_>) -> Result<ContentItem> {
        let s = save.state;
        let kind = crate::cases::parse(ContentKind::from_code(&s.kind))?;
        let mut tx = self.pool().begin().await?;
        // Write first (see `apply_bundle`): on SQLite a transaction that
        // reads first fails at once when another writer commits meanwhile.
        sqlx::query("UPDATE content_categories SET name = name WHERE 1 = 0")
            .execute(&mut *tx)
            .await?;
        let before = match save.id {
            Some(id) => Some(stored(&mut tx, id).await?.ok_or(StoreError::Stale)?),
            None => None,
        };
        let path = path_of(&mut tx, kind, s, before.as_ref()).await?;
        let now = save.now;
        let tags = s.tags.join("\n");
        let id = match &before {
            Some(b) => {
                if Some(b.revision) != save.revision || b.kind != kind {
                    return Err(StoreError::Stale);
                }
                let update = sqlx::query(
                    "UPDATE content_items SET parent_id = $3, slug = $4, path = $5, sort_order = $6,
                            title = $7, body = $8, summary = $9, category = $10, tags = $11,
                            status = $12, published_at = $13, event_starts_at = $14,
                            event_ends_at = $15, venue = $16, apply_until = $17, division = $18,
                            help_key = $19, revision = revision + 1, updated_at = $20,
                            updated_by = $21
                      WHERE id = $1 AND revision = $2",
                )
                .bind(b.id)
                .bind(b.revision);
                let done = with_state(update, s, &path, &tags, now, save.actor.user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unique)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Stale);
                }
                if b.path != path {
                    move_descendants(&mut tx, &b.path, &path).await?;
                }
                b.id
            }
            None => {
                let uid = new_uid(now)?;
                let insert = sqlx::query(
                    "INSERT INTO content_items (uid, kind, parent_id, slug, path, sort_order, title,
                            body, summary, category, tags, status, published_at, event_starts_at,
                            event_ends_at, venue, apply_until, division, help_key, revision,
                            created_at, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                             $17, $18, $19, 1, $20, $20, $21)
                     RETURNING id",
                )
                .bind(&uid)
                .bind(kind.as_str());
                with_state(insert, s, &path, &tags, now, save.actor.user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unique)?
                    .try_get("id")?
            }
        };
        let number = before.as_ref().map_or(1, |b| b.revision + 1);
        write_revision(&mut tx, id, number, s, save.actor.user_id, now).await?;
        let was = before.as_ref().map(|b| b.state.status.as_str());
        let detail = format!("{path} r{number}: {} → {}", was.unwrap_or("new"), s.status);
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor: save.actor,
                action: &format!("content.{}", s.status),
                target_type: kind.as_str(),
                target_id: &id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        let item = stored(&mut tx, id).await?.ok_or(StoreError::Stale)?;
        tx.commit().await?;
        Ok(item)
    }

    /// Deletes an item and its revisions, with an audit entry. `Invalid`
    /// when pages lie below it (move or delete them first).
    pub async fn delete_content(&self, id: i64, actor: &Actor, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let Some(item) = stored(&mut tx, id).await? else {
            return Ok(false);
        };
        let children: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM content_items WHERE parent_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if children > 0 {
            return Err(StoreError::Invalid(format!(
                "{} の下に {children} ページあります。下のページを先に移すか削除してください。",
                item.path
            )));
        }
        let menus = sqlx::query("SELECT menu, label FROM content_menu_links WHERE item_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        if let Some(m) = menus.first() {
            let menu: String = m.try_get("menu")?;
            let label: String = m.try_get("label")?;
            let name = crate::layout::MENUS
                .iter()
                .find(|(c, _)| *c == menu)
                .map_or(menu.as_str(), |(_, n)| n);
            return Err(StoreError::Invalid(format!(
                "このページは{name}の「{label}」からリンクされています。先にメニューから外してください。"
            )));
        }
        sqlx::query("DELETE FROM content_revisions WHERE item_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM content_items WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "content.delete",
                target_type: item.kind.as_str(),
                target_id: &id.to_string(),
                detail: &item.path,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

struct Category(String, String, i64);

impl FromCols for Category {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        Ok(Category(
            row.col("code")?,
            row.col("name")?,
            row.col("sort_order")?,
        ))
    }
}

/// One optional number read by `read_rows`.
struct Scalar(Option<i64>);

impl FromCols for Scalar {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        Ok(Scalar(row.col("v")?))
    }
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<Option<ContentItem>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM content_items WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(ContentItem::from_cols).transpose()
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds `$3`… of both writes of an item (the insert's and the update's
/// columns are in the same order): its state, address, and who saved it when.
fn with_state<'q>(
    q: AnyQuery<'q>,
    s: &'q ContentState,
    path: &'q str,
    tags: &'q str,
    now: i64,
    by: Option<i64>,
) -> AnyQuery<'q> {
    let event = s.event.as_ref();
    q.bind(s.parent_id)
        .bind(&s.slug)
        .bind(path)
        .bind(s.sort_order)
        .bind(&s.title)
        .bind(&s.body)
        .bind(&s.summary)
        .bind(&s.category)
        .bind(tags)
        .bind(&s.status)
        .bind(s.published_at)
        .bind(event.map(|e| e.starts_at))
        .bind(event.and_then(|e| e.ends_at))
        .bind(event.and_then(|e| e.venue.clone()))
        .bind(event.and_then(|e| e.apply_until))
        .bind(&s.division)
        .bind(&s.help_key)
        .bind(now)
        .bind(by)
}

/// The item's address: a page's from its parent's, a post's under /news.
async fn path_of(
    conn: &mut AnyConnection,
    kind: ContentKind,
    s: &ContentState,
    before: Option<&ContentItem>,
) -> Result<String> {
    let slug = content::Slug::parse(&s.slug).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if kind == ContentKind::Post {
        return Ok(format!("/news/{slug}"));
    }
    let parent = match s.parent_id {
        None => None,
        Some(pid) => {
            let p = stored(conn, pid)
                .await?
                .ok_or_else(|| StoreError::Invalid(format!("親ページ {pid} がありません")))?;
            if p.kind != ContentKind::Page {
                return Err(StoreError::Invalid(
                    "親にできるのは固定ページだけです".into(),
                ));
            }
            if let Some(b) = before
                && (p.id == b.id || p.path.starts_with(&format!("{}/", b.path)))
            {
                return Err(StoreError::Invalid(
                    "ページを自分自身や自分の下のページの下には移せません".into(),
                ));
            }
            Some(SlugPath::parse(&p.path).map_err(|e| StoreError::Invalid(e.to_string()))?)
        }
    };
    let path =
        SlugPath::child(parent.as_ref(), slug).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(path.to_string())
}

/// Rewrites the paths below a page that moved from `old` to `new`.
async fn move_descendants(conn: &mut AnyConnection, old: &str, new: &str) -> Result<()> {
    let below = format!("{old}/");
    let rows = sqlx::query("SELECT id, path FROM content_items WHERE kind = 'page'")
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let path: String = r.try_get("path")?;
        if let Some(rest) = path.strip_prefix(&below) {
            let depth = rest.split('/').count() + new.split('/').filter(|p| !p.is_empty()).count();
            if depth > content::slug::MAX_DEPTH {
                return Err(StoreError::Invalid(content::SlugError::TooDeep.to_string()));
            }
            sqlx::query("UPDATE content_items SET path = $2 WHERE id = $1")
                .bind(r.try_get::<i64, _>("id")?)
                .bind(format!("{new}/{rest}"))
                .execute(&mut *conn)
                .await
                .map_err(unique)?;
        }
    }
    Ok(())
}

pub(crate) async fn write_revision(
    conn: &mut AnyConnection,
    item_id: i64,
    number: i64,
    state: &ContentState,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    let snapshot = serde_json::to_string(state).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO content_revisions (item_id, number, saved_at, saved_by, snapshot)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(item_id)
    .bind(number)
    .bind(now)
    .bind(by)
    .bind(snapshot)
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query("SELECT id, saved_at FROM content_revisions WHERE item_id = $1")
        .bind(item_id)
        .fetch_all(&mut *conn)
        .await?;
    let all = rows
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("saved_at")?)))
        .collect::<Result<Vec<(i64, i64)>>>()?;
    for id in content::revisions::to_thin(&all) {
        sqlx::query("DELETE FROM content_revisions WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn unique(e: sqlx::Error) -> StoreError {
    conflict(
        e,
        &[("path", "path"), ("help_key", "help_key"), ("uid", "uid")],
    )
}

/// A name for a new item that no other installation will make: the time
/// and 16 random bytes.
fn new_uid(now: i64) -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{now:x}-{hex}"))
}
