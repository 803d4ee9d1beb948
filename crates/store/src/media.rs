//! The media library of site content: one row per distinct file, named by
//! its SHA-256; an image cannot be deleted while a page or post shows it.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Result, Store, StoreError};

/// A file to add (checked by `content::media::check`).
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub sha256: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: Option<(u32, u32)>,
    pub alt: &'a str,
    pub content: &'a [u8],
}

/// A file of the library, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    pub id: i64,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub created_at: i64,
}

impl MediaInfo {
    /// Where the file is served: its hash and an extension for its type.
    pub fn url(&self) -> String {
        content::media::url_of(&self.sha256, &self.content_type)
    }
}

const INFO: &str =
    "id, sha256, name, content_type, size, width, height, alt, created_at FROM content_media";

fn info(r: &sqlx::any::AnyRow) -> Result<MediaInfo> {
    Ok(MediaInfo {
        id: r.try_get("id")?,
        sha256: r.try_get("sha256")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        bytes: r.try_get("size")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        alt: r.try_get("alt")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A SHA-256 as the library names files: 64 lower-case hex digits (it goes
/// into a LIKE pattern, so nothing else may pass).
pub(crate) fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Store {
    /// Adds a file, or finds it already there (`false`): the same bytes are
    /// one file, whatever they were called.
    pub async fn add_media(
        &self,
        m: &NewMedia<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<(MediaInfo, bool)> {
        if !is_sha256(m.sha256) {
            return Err(StoreError::Invalid("SHA-256 の形ではありません".into()));
        }
        if let Some(existing) = self.media_by_sha(m.sha256).await? {
            return Ok((existing, false));
        }
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO content_media (sha256, name, content_type, size, width, height, alt,
                    content, uploaded_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(m.sha256)
        .bind(m.name)
        .bind(m.content_type)
        .bind(m.content.len() as i64)
        .bind(m.size.map(|s| i64::from(s.0)))
        .bind(m.size.map(|s| i64::from(s.1)))
        .bind(m.alt)
        .bind(m.content)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| crate::conflict(e, &[("sha256", "sha256")]))?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "media.add",
                target_type: "media",
                target_id: &id.to_string(),
                detail: m.name,
            },
        )
        .await?;
        tx.commit().await?;
        let added = self
            .media_by_sha(m.sha256)
            .await?
            .ok_or(StoreError::Stale)?;
        Ok((added, true))
    }

    /// Every file, newest first.
    pub async fn media_list(&self) -> Result<Vec<MediaInfo>> {
        let rows = sqlx::query(&format!("SELECT {INFO} ORDER BY created_at DESC, id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(info).collect()
    }

    pub async fn media_by_sha(&self, sha256: &str) -> Result<Option<MediaInfo>> {
        let row = sqlx::query(&format!("SELECT {INFO} WHERE sha256 = $1"))
            .bind(sha256)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(info).transpose()
    }

    pub async fn media(&self, id: i64) -> Result<Option<MediaInfo>> {
        let row = sqlx::query(&format!("SELECT {INFO} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(info).transpose()
    }

    /// A file's type and bytes, to serve it.
    pub async fn media_content(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT content_type, content FROM content_media WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok((r.try_get("content_type")?, r.try_get("content")?)))
            .transpose()
    }

    /// The pages and posts whose text shows the file: (id, title, path).
    pub async fn media_used_by(&self, sha256: &str) -> Result<Vec<(i64, String, String)>> {
        if !is_sha256(sha256) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT id, title, path FROM content_items WHERE body LIKE $1 OR summary LIKE $1
              ORDER BY path",
        )
        .bind(format!("%/media/{sha256}%"))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("title")?, r.try_get("path")?)))
            .collect()
    }

    /// Changes a file's alternative text.
    pub async fn set_media_alt(&self, id: i64, alt: &str, actor: &Actor, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE content_media SET alt = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(alt)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "media.update",
                target_type: "media",
                target_id: &id.to_string(),
                detail: alt,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a file no page or post shows. `Invalid` names those that do.
    pub async fn delete_media(&self, id: i64, actor: &Actor, now: i64) -> Result<bool> {
        let Some(m) = self.media(id).await? else {
            return Ok(false);
        };
        let mut tx = self.pool().begin().await?;
        // Checked inside the transaction that deletes, so that a page
        // saved meanwhile with the image is seen.
        let used: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM content_items WHERE body LIKE $1 OR summary LIKE $1",
        )
        .bind(format!("%/media/{}%", m.sha256))
        .fetch_one(&mut *tx)
        .await?;
        if used > 0 {
            return Err(StoreError::Invalid(format!(
                "「{}」は {used} 件のページや投稿で使われています",
                m.name
            )));
        }
        sqlx::query("DELETE FROM content_media WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "media.delete",
                target_type: "media",
                target_id: &id.to_string(),
                detail: &m.name,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
