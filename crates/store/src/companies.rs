//! Companies and their applications (利用申請), reviewed by operators.

use domain::{
    CompanyAction, CompanyStatus, CorporateNumber, Dealings, PhoneNumber, PostalCode, Prefecture,
};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::outbox::{self, NewMail};
use crate::users::{self, NewUser};
use crate::{Result, Store, StoreError, conflict};

/// What a company tells about itself, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyProfile {
    pub corporate_number: Option<CorporateNumber>,
    pub sole_proprietor: bool,
    pub name: String,
    pub name_kana: String,
    pub representative: String,
    pub prefecture: Prefecture,
    pub postal_code: PostalCode,
    pub address: String,
    pub phone: PhoneNumber,
    pub website: Option<String>,
    pub industry_division: String,
    pub capital_yen: Option<i64>,
    pub employees: Option<i64>,
    pub founded_year: Option<i64>,
    pub description: String,
    pub keywords: String,
    pub member_organization_ids: Vec<i64>,
    pub registration_trigger_id: Option<i64>,
    pub mail_magazine: bool,
    pub dealings: Dealings,
}

/// A company as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub corporate_number: Option<String>,
    pub sole_proprietor: bool,
    pub name: String,
    pub name_kana: String,
    pub representative: String,
    pub prefecture_code: i64,
    pub postal_code: String,
    pub address: String,
    pub phone: String,
    pub website: Option<String>,
    pub industry_division: String,
    pub capital_yen: Option<i64>,
    pub employees: Option<i64>,
    pub founded_year: Option<i64>,
    pub description: String,
    pub keywords: String,
    pub registration_trigger_id: Option<i64>,
    pub mail_magazine: bool,
    pub orders: bool,
    pub receives: bool,
    pub status: CompanyStatus,
    pub status_reason: Option<String>,
    pub member_organization_ids: Vec<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const COLUMNS: &str =
    "id, corporate_number, sole_proprietor, name, name_kana, representative,
    prefecture_code, postal_code, address, phone, website, industry_division, capital_yen,
    employees, founded_year, description, keywords, registration_trigger_id, mail_magazine,
    orders, receives, status, status_reason, created_at, updated_at";

fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    Ok(row.try_get::<i32, _>(column)? == 1)
}

pub(crate) fn company(row: &sqlx::any::AnyRow) -> Result<Company> {
    let status: String = row.try_get("status")?;
    Ok(Company {
        id: row.try_get("id")?,
        corporate_number: row.try_get("corporate_number")?,
        sole_proprietor: flag(row, "sole_proprietor")?,
        name: row.try_get("name")?,
        name_kana: row.try_get("name_kana")?,
        representative: row.try_get("representative")?,
        prefecture_code: row.try_get("prefecture_code")?,
        postal_code: row.try_get("postal_code")?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        website: row.try_get("website")?,
        industry_division: row.try_get("industry_division")?,
        capital_yen: row.try_get("capital_yen")?,
        employees: row.try_get("employees")?,
        founded_year: row.try_get("founded_year")?,
        description: row.try_get("description")?,
        keywords: row.try_get("keywords")?,
        registration_trigger_id: row.try_get("registration_trigger_id")?,
        mail_magazine: flag(row, "mail_magazine")?,
        orders: flag(row, "orders")?,
        receives: flag(row, "receives")?,
        status: crate::cases::parse(CompanyStatus::from_code(&status))?,
        status_reason: row.try_get("status_reason")?,
        member_organization_ids: Vec::new(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const PROFILE_CONFLICTS: &[(&str, &str)] = &[("corporate_number", "corporate_number")];

async fn set_member_organizations(
    conn: &mut AnyConnection,
    company_id: i64,
    ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM company_member_organizations WHERE company_id = $1")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        sqlx::query(
            "INSERT INTO company_member_organizations (company_id, member_organization_id) VALUES ($1, $2)",
        )
        .bind(company_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A reviewer's decision on a company, as seen on the review page.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    pub company_id: i64,
    /// The status the reviewer saw; if it changed meanwhile, the review is `Stale`.
    pub seen: CompanyStatus,
    pub action: CompanyAction,
    pub reason: Option<&'a str>,
    /// The mail that tells the applicant.
    pub mail: Option<&'a NewMail>,
}

/// What a new application creates: the company, its first user, and the
/// confirmation mail; all or nothing.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub profile: &'a CompanyProfile,
    pub user: &'a NewUser,
    /// SHA-256 of the confirmation token the mail carries.
    pub confirmation_token_hash: &'a str,
    pub token_expires_at: i64,
    pub mail: &'a NewMail,
    /// The version of the terms of use the applicant agreed to.
    pub terms_version: &'a str,
}

impl Store {
    /// Creates the company (awaiting email confirmation), its first user, the
    /// confirmation token and the mail, in one transaction.
    /// `Conflict { field: "email" | "corporate_number" }` when either is taken.
    pub async fn create_application(
        &self,
        app: &NewApplication<'_>,
        now: i64,
    ) -> Result<(i64, i64)> {
        let p = app.profile;
        let mut tx = self.pool().begin().await?;
        let company_id: i64 = sqlx::query_scalar(
            "INSERT INTO companies (corporate_number, sole_proprietor, name, name_kana, representative,
                prefecture_code, postal_code, address, phone, website, industry_division, capital_yen,
                employees, founded_year, description, keywords, registration_trigger_id, mail_magazine,
                orders, receives, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                     $19, $20, $21, $22, $22)
             RETURNING id",
        )
        .bind(p.corporate_number.map(|c| c.to_string()))
        .bind(i32::from(p.sole_proprietor))
        .bind(&p.name)
        .bind(&p.name_kana)
        .bind(&p.representative)
        .bind(i32::from(p.prefecture.code()))
        .bind(p.postal_code.digits())
        .bind(&p.address)
        .bind(p.phone.digits())
        .bind(p.website.as_deref())
        .bind(&p.industry_division)
        .bind(p.capital_yen)
        .bind(p.employees)
        .bind(p.founded_year)
        .bind(&p.description)
        .bind(&p.keywords)
        .bind(p.registration_trigger_id)
        .bind(i32::from(p.mail_magazine))
        .bind(i32::from(p.dealings.orders))
        .bind(i32::from(p.dealings.receives))
        .bind(CompanyStatus::EmailUnconfirmed.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict(e, PROFILE_CONFLICTS))?;
        set_member_organizations(&mut tx, company_id, &p.member_organization_ids).await?;
        let user_id = users::insert(&mut tx, app.user, Some(company_id), None, now).await?;
        crate::terms::record_terms(&mut tx, user_id, app.terms_version, now).await?;
        // The applicant is the company's first administrator.
        sqlx::query("UPDATE users SET company_admin = 1 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        users::insert_token(
            &mut tx,
            app.confirmation_token_hash,
            user_id,
            users::TokenPurpose::ConfirmEmail,
            now,
            app.token_expires_at,
        )
        .await?;
        outbox::enqueue(&mut tx, app.mail, now).await?;
        tx.commit().await?;
        Ok((company_id, user_id))
    }

    /// The company with this 法人番号, if registered.
    pub async fn company_id_by_corporate_number(&self, number: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM companies WHERE corporate_number = $1")
                .bind(number)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn company(&self, id: i64) -> Result<Option<Company>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM companies WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut c = company(&row)?;
        c.member_organization_ids = sqlx::query_scalar(
            "SELECT member_organization_id FROM company_member_organizations
              WHERE company_id = $1 ORDER BY member_organization_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(c))
    }

    /// Companies in `status`, oldest application first (the review queue).
    pub async fn companies_with_status(
        &self,
        status: CompanyStatus,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Company>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM companies WHERE status = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
        ))
        .bind(status.as_str())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(company).collect()
    }

    /// Applies a review action (approve, reject, return, suspend, reinstate)
    /// if the company is still in the status the reviewer saw; records it in
    /// the audit log and queues `mail`, all in one transaction. Suspending
    /// signs the company's users out at once.
    pub async fn review_company(
        &self,
        review: &Review<'_>,
        actor: &Actor,
        now: i64,
    ) -> Result<CompanyStatus> {
        let Review {
            company_id,
            seen,
            action,
            reason,
            mail,
        } = *review;
        let next = seen
            .apply(action)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE companies SET status = $3, status_reason = $4, reviewed_at = $5, reviewed_by = $6,
                    updated_at = $5
              WHERE id = $1 AND status = $2",
        )
        .bind(company_id)
        .bind(seen.as_str())
        .bind(next.as_str())
        .bind(reason)
        .bind(now)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if !next.may_sign_in() {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE company_id = $1)",
            )
            .bind(company_id)
            .execute(&mut *tx)
            .await?;
        }
        let detail = match reason {
            Some(r) => format!("{} → {}: {r}", seen.as_str(), next.as_str()),
            None => format!("{} → {}", seen.as_str(), next.as_str()),
        };
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: &format!("company.{}", action_name(action)),
                target_type: "company",
                target_id: &company_id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        if let Some(mail) = mail {
            outbox::enqueue(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(next)
    }

    /// The applicant corrects a returned application and sends it back to review.
    pub async fn resubmit_application(
        &self,
        company_id: i64,
        profile: &CompanyProfile,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let done = write_profile(
            &mut tx,
            company_id,
            profile,
            true,
            now,
            Some(CompanyStatus::Returned),
        )
        .await?;
        if !done {
            return Err(StoreError::Stale);
        }
        sqlx::query("UPDATE companies SET status = $2, status_reason = NULL WHERE id = $1")
            .bind(company_id)
            .bind(CompanyStatus::InReview.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves an approved company's own edits. The legal name, its reading,
    /// the 法人番号 and what the company does here (its roles) are not changed
    /// here; see `request_legal_change` and `request_dealings_change`.
    pub async fn update_company_profile(
        &self,
        company_id: i64,
        profile: &CompanyProfile,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        if !write_profile(&mut tx, company_id, profile, false, now, None).await? {
            return Err(StoreError::Stale);
        }
        tx.commit().await?;
        Ok(())
    }
}

fn action_name(action: CompanyAction) -> &'static str {
    match action {
        CompanyAction::ConfirmEmail => "confirm_email",
        CompanyAction::Approve => "approve",
        CompanyAction::Reject => "reject",
        CompanyAction::Return => "return",
        CompanyAction::Resubmit => "resubmit",
        CompanyAction::Suspend => "suspend",
        CompanyAction::Reinstate => "reinstate",
    }
}

async fn write_profile(
    conn: &mut AnyConnection,
    company_id: i64,
    p: &CompanyProfile,
    // The legal identity and the dealings (roles) too: only for an
    // application, which is reviewed as a whole.
    legal_too: bool,
    now: i64,
    required_status: Option<CompanyStatus>,
) -> Result<bool> {
    // One statement for both cases, so that every bound parameter is used
    // (PostgreSQL refuses parameters a statement does not mention).
    let sql = "UPDATE companies SET representative = $2, prefecture_code = $3, postal_code = $4,
                address = $5, phone = $6, website = $7, industry_division = $8, capital_yen = $9,
                employees = $10, founded_year = $11, description = $12, keywords = $13,
                mail_magazine = $14, updated_at = $22,
                orders = CASE WHEN $23 = 1 THEN $15 ELSE orders END,
                receives = CASE WHEN $23 = 1 THEN $16 ELSE receives END,
                corporate_number = CASE WHEN $23 = 1 THEN $17 ELSE corporate_number END,
                sole_proprietor = CASE WHEN $23 = 1 THEN $18 ELSE sole_proprietor END,
                name = CASE WHEN $23 = 1 THEN $19 ELSE name END,
                name_kana = CASE WHEN $23 = 1 THEN $20 ELSE name_kana END
          WHERE id = $1 AND ($21 IS NULL OR status = $21)";
    let done = sqlx::query(sql)
        .bind(company_id)
        .bind(&p.representative)
        .bind(i32::from(p.prefecture.code()))
        .bind(p.postal_code.digits())
        .bind(&p.address)
        .bind(p.phone.digits())
        .bind(p.website.as_deref())
        .bind(&p.industry_division)
        .bind(p.capital_yen)
        .bind(p.employees)
        .bind(p.founded_year)
        .bind(&p.description)
        .bind(&p.keywords)
        .bind(i32::from(p.mail_magazine))
        .bind(i32::from(p.dealings.orders))
        .bind(i32::from(p.dealings.receives))
        .bind(p.corporate_number.map(|c| c.to_string()))
        .bind(i32::from(p.sole_proprietor))
        .bind(&p.name)
        .bind(&p.name_kana)
        .bind(required_status.map(CompanyStatus::as_str))
        .bind(now)
        .bind(i32::from(legal_too))
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict(e, PROFILE_CONFLICTS))?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    set_member_organizations(conn, company_id, &p.member_organization_ids).await?;
    Ok(true)
}

#[cfg(test)]
mod action_label_tests {
    use super::{CompanyAction, action_name};

    #[test]
    fn every_review_of_a_company_has_an_audit_label() {
        for action in [
            CompanyAction::ConfirmEmail,
            CompanyAction::Approve,
            CompanyAction::Reject,
            CompanyAction::Return,
            CompanyAction::Resubmit,
            CompanyAction::Suspend,
            CompanyAction::Reinstate,
        ] {
            let code = format!("company.{}", action_name(action));
            assert!(domain::audit::action_label(&code).is_some(), "{code}");
        }
        for request in ["legal_change", "dealings_change"] {
            for verdict in ["approve", "reject"] {
                let code = format!("company.{request}.{verdict}");
                assert!(domain::audit::action_label(&code).is_some(), "{code}");
            }
        }
        use crate::tenders::Participation;
        for p in [
            Participation::Applied,
            Participation::Approved,
            Participation::Rejected,
            Participation::Nominated,
        ] {
            let code = format!("tender.participation.{}", p.as_str());
            assert!(domain::audit::action_label(&code).is_some(), "{code}");
        }
        let code = format!("export.{}", crate::exports::COMPANIES);
        assert!(domain::audit::action_label(&code).is_some(), "{code}");
    }
}
