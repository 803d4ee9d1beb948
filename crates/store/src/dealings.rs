//! A change of what an approved company does here — orders (発注), receives
//! (受注) or both — goes to review, as a change of its legal identity does:
//! the request waits here, the company keeps its current roles, and a
//! reviewer applies or refuses it.

use domain::Dealings;
use sqlx::Row;

use crate::audit::Actor;
use crate::outbox::NewMail;
use crate::{Result, Store, StoreError};

/// A requested change, pending or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealingsChange {
    pub id: i64,
    pub company_id: i64,
    pub proposed: Dealings,
    pub status: String,
    pub reason: Option<String>,
    pub requested_at: i64,
}

const COLUMNS: &str =
    "id, company_id, proposed_orders, proposed_receives, status, reason, requested_at";

fn change(row: &sqlx::any::AnyRow) -> Result<DealingsChange> {
    let orders: i32 = row.try_get("proposed_orders")?;
    let receives: i32 = row.try_get("proposed_receives")?;
    Ok(DealingsChange {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        proposed: Dealings::new(orders == 1, receives == 1)
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        requested_at: row.try_get("requested_at")?,
    })
}

impl Store {
    /// Records the company's request, replacing a pending one; `None` only
    /// withdraws the pending one (the company chose its current roles again).
    pub async fn request_dealings_change(
        &self,
        company_id: i64,
        proposed: Option<Dealings>,
        requested_by: i64,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE company_dealings_changes SET status = 'withdrawn', reviewed_at = $2
              WHERE company_id = $1 AND status = 'pending'",
        )
        .bind(company_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let id = match proposed {
            None => None,
            Some(d) => Some(
                sqlx::query_scalar(
                    "INSERT INTO company_dealings_changes (company_id, proposed_orders,
                            proposed_receives, status, requested_by, requested_at)
                     VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id",
                )
                .bind(company_id)
                .bind(i32::from(d.orders))
                .bind(i32::from(d.receives))
                .bind(requested_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?,
            ),
        };
        tx.commit().await?;
        Ok(id)
    }

    /// The company's pending request, if any.
    pub async fn pending_dealings_change(&self, company_id: i64) -> Result<Option<DealingsChange>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM company_dealings_changes WHERE company_id = $1 AND status = 'pending'"
        ))
        .bind(company_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(change).transpose()
    }

    /// Every pending request, oldest first (the reviewers' queue).
    pub async fn pending_dealings_changes(&self) -> Result<Vec<DealingsChange>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM company_dealings_changes WHERE status = 'pending' ORDER BY requested_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change).collect()
    }

    /// Applies (`approve`) or refuses a pending request, with the audit entry
    /// and the mail to the company, in one transaction. `Stale` when it is no
    /// longer pending.
    pub async fn review_dealings_change(
        &self,
        change_id: i64,
        approve: bool,
        reason: Option<&str>,
        mail: Option<&NewMail>,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let status = if approve { "approved" } else { "rejected" };
        // Deciding first claims the request, so two reviewers cannot both act on it.
        let row = sqlx::query(&format!(
            "UPDATE company_dealings_changes SET status = $2, reason = $3, reviewed_by = $4, reviewed_at = $5
              WHERE id = $1 AND status = 'pending' RETURNING {COLUMNS}"
        ))
        .bind(change_id)
        .bind(status)
        .bind(reason)
        .bind(actor.user_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(c) = row.as_ref().map(change).transpose()? else {
            return Err(StoreError::Stale);
        };
        if approve {
            sqlx::query(
                "UPDATE companies SET orders = $2, receives = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(c.company_id)
            .bind(i32::from(c.proposed.orders))
            .bind(i32::from(c.proposed.receives))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!(
            "dealings={}{}",
            c.proposed.label(),
            reason.map(|r| format!(": {r}")).unwrap_or_default()
        );
        self.record_company_review(
            &mut tx,
            &crate::legal::CompanyReview {
                request: "dealings_change",
                approve,
                company_id: c.company_id,
                detail: &detail,
                mail,
            },
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
