//! Per-user API tokens: a user's own tools call the JSON API with
//! `Authorization: Bearer …`. Only a token's hash is stored; the user names,
//! lists and revokes their tokens, and each use is dated.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::users::{USER_COLUMNS, USER_FROM, user};
use crate::{Result, Store, StoreError, User};

/// A token as its owner sees it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// How often a token's last use is written back.
const TOUCH_EVERY_MS: i64 = 60_000;

impl Store {
    /// Stores a new token (by its hash) for `user_id`, audited.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "api_token.create",
                target_type: "user",
                target_id: &user_id.to_string(),
                detail: &format!("token={id}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A user's tokens, newest first.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
              WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of the user's own tokens, audited; `Stale` when it is
    /// not theirs or already revoked.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        id: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3
              WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "api_token.revoke",
                target_type: "user",
                target_id: &user_id.to_string(),
                detail: &format!("token={id}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a live token belongs to; its last use is dated (at most
    /// once a minute).
    pub async fn user_by_api_token(&self, token_hash: &str, now: i64) -> Result<Option<User>> {
        let mut rows: Vec<TokenUser> = self
            .read_rows(
                &format!(
                    "SELECT {USER_COLUMNS}, t.id AS token_id, t.last_used_at {USER_FROM}
                       JOIN api_tokens t ON t.user_id = u.id
                      WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
                ),
                &[crate::read::Arg::Text(token_hash)],
            )
            .await?;
        let Some(TokenUser {
            user,
            token_id,
            last_used_at,
        }) = rows.pop()
        else {
            return Ok(None);
        };
        if last_used_at.is_none_or(|l| now - l > TOUCH_EVERY_MS) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token_id)
                .bind(now)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(user))
    }
}

/// A token's user, as read for a request.
struct TokenUser {
    user: User,
    token_id: i64,
    last_used_at: Option<i64>,
}

impl crate::read::FromCols for TokenUser {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        Ok(TokenUser {
            user: user(row)?,
            token_id: row.col("token_id")?,
            last_used_at: row.col("last_used_at")?,
        })
    }
}
