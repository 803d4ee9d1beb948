//! A change of an approved company's legal name, its reading or its 法人番号
//! goes back to review: the request waits here, the company keeps working under
//! its current identity, and a reviewer applies or refuses it.

use domain::CorporateNumber;
use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::outbox::{self, NewMail};
use crate::{Result, Store, StoreError, conflict};

/// A requested change, pending or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalChange {
    pub id: i64,
    pub company_id: i64,
    pub proposed_name: String,
    pub proposed_name_kana: String,
    /// `None`: the company is a sole proprietor without a 法人番号.
    pub proposed_corporate_number: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub requested_at: i64,
}

const COLUMNS: &str =
    "id, company_id, proposed_name, proposed_name_kana, proposed_corporate_number,
    status, reason, requested_at";

fn change(row: &sqlx::any::AnyRow) -> Result<LegalChange> {
    Ok(LegalChange {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        proposed_name: row.try_get("proposed_name")?,
        proposed_name_kana: row.try_get("proposed_name_kana")?,
        proposed_corporate_number: row.try_get("proposed_corporate_number")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        requested_at: row.try_get("requested_at")?,
    })
}

impl Store {
    /// Records (or replaces) the company's pending request.
    pub async fn request_legal_change(
        &self,
        company_id: i64,
        name: &str,
        name_kana: &str,
        corporate_number: Option<CorporateNumber>,
        requested_by: i64,
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE company_legal_changes SET status = 'withdrawn', reviewed_at = $2
              WHERE company_id = $1 AND status = 'pending'",
        )
        .bind(company_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO company_legal_changes (company_id, proposed_name, proposed_name_kana,
                    proposed_corporate_number, status, requested_by, requested_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id",
        )
        .bind(company_id)
        .bind(name)
        .bind(name_kana)
        .bind(corporate_number.map(|c| c.to_string()))
        .bind(requested_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The company's pending request, if any.
    pub async fn pending_legal_change(&self, company_id: i64) -> Result<Option<LegalChange>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM company_legal_changes WHERE company_id = $1 AND status = 'pending'"
        ))
        .bind(company_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(change).transpose()
    }

    /// Every pending request, oldest first (the reviewers' queue).
    pub async fn pending_legal_changes(&self) -> Result<Vec<LegalChange>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM company_legal_changes WHERE status = 'pending' ORDER BY requested_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change).collect()
    }

    /// Applies (`approve`) or refuses a pending request, with the audit entry
    /// and the mail to the company, in one transaction. `Conflict` when the new
    /// 法人番号 belongs to another company; `Stale` when it is no longer pending.
    pub async fn review_legal_change(
        &self,
        change_id: i64,
        approve: bool,
        reason: Option<&str>,
        mail: Option<&NewMail>,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        // Writing first makes this transaction the writer at once: on SQLite a
        // transaction that read first and writes after another connection's
        // commit fails at once (「database is locked」) instead of waiting —
        // seen as a 500 when the mail worker wrote in between.
        sqlx::query("UPDATE company_legal_changes SET status = status WHERE id = $1")
            .bind(change_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM company_legal_changes WHERE id = $1 AND status = 'pending'"
        ))
        .bind(change_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(c) = row.as_ref().map(change).transpose()? else {
            return Err(StoreError::Stale);
        };
        if approve {
            sqlx::query(
                "UPDATE companies SET name = $2, name_kana = $3, corporate_number = $4,
                        sole_proprietor = $5, updated_at = $6 WHERE id = $1",
            )
            .bind(c.company_id)
            .bind(&c.proposed_name)
            .bind(&c.proposed_name_kana)
            .bind(c.proposed_corporate_number.as_deref())
            .bind(i32::from(c.proposed_corporate_number.is_none()))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, &[("corporate_number", "corporate_number")]))?;
        }
        let status = if approve { "approved" } else { "rejected" };
        sqlx::query(
            "UPDATE company_legal_changes SET status = $2, reason = $3, reviewed_by = $4, reviewed_at = $5
              WHERE id = $1",
        )
        .bind(change_id)
        .bind(status)
        .bind(reason)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "name={} corporate_number={}{}",
            c.proposed_name,
            c.proposed_corporate_number.as_deref().unwrap_or("-"),
            reason.map(|r| format!(": {r}")).unwrap_or_default()
        );
        self.record_company_review(
            &mut tx,
            &CompanyReview {
                request: "legal_change",
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

/// A company's reviewed request (a change of legal identity, of dealings),
/// as its audit entry and its mail record it.
pub(crate) struct CompanyReview<'a> {
    /// "legal_change", "dealings_change": the audit action's middle part.
    pub request: &'static str,
    pub approve: bool,
    pub company_id: i64,
    pub detail: &'a str,
    pub mail: Option<&'a NewMail>,
}

impl Store {
    /// Writes a reviewed request's audit entry and queues the company's mail,
    /// in the review's transaction.
    pub(crate) async fn record_company_review(
        &self,
        conn: &mut sqlx::AnyConnection,
        r: &CompanyReview<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let verdict = if r.approve { "approve" } else { "reject" };
        self.append_audit_in(
            &mut *conn,
            &NewAuditEntry {
                at: now,
                actor,
                action: &format!("company.{}.{verdict}", r.request),
                target_type: "company",
                target_id: &r.company_id.to_string(),
                detail: r.detail,
            },
        )
        .await?;
        if let Some(mail) = r.mail {
            outbox::enqueue(&mut *conn, mail, now).await?;
        }
        Ok(())
    }
}
