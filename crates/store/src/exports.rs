//! Exports of approved companies' data for the support center's CRM:
//! what to export (everything, or what changed since the last export) and
//! the record of each export, written with its audit entry.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::companies::{COLUMNS, company};
use crate::{Company, Result, Store};

/// A company with the names its codes stand for, and its first user as contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyRecord {
    pub company: Company,
    pub prefecture: String,
    pub industry: String,
    pub member_organizations: Vec<String>,
    pub registration_trigger: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}

/// A value an export's encoding could not hold, by company and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProblem {
    pub company_id: i64,
    pub company: String,
    /// The field's name as the CSV heads it ("会社名").
    pub field: String,
    /// The characters that could not be written.
    pub characters: String,
}

/// An export about to be recorded.
#[derive(Debug, Clone)]
pub struct NewExport<'a> {
    pub kind: &'a str,
    pub format: &'a str,
    /// Where it goes ("crm"); `None` for an ad-hoc export, which moves no
    /// destination's starting point.
    pub destination: Option<&'a str>,
    /// Changes after this instant were exported (changed-only exports).
    pub since: Option<i64>,
    /// The instant the export read from.
    pub watermark: i64,
    pub rows: i64,
    pub problems: &'a [ExportProblem],
}

/// A recorded export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    pub id: i64,
    pub kind: String,
    pub format: String,
    pub destination: Option<String>,
    pub changed_only: bool,
    /// Changes after this instant were exported (changed-only exports).
    pub since: Option<i64>,
    /// The instant the export read from; the next changed-only export starts here.
    pub watermark: i64,
    pub rows: i64,
    pub actor_label: String,
    pub created_at: i64,
}

/// What the CRM export is called in the exports table and the audit log.
pub const COMPANIES: &str = "companies";

impl Store {
    /// Approved and suspended companies (the CRM's customers), oldest first;
    /// with `since`, only those whose data or users changed at or after it (a
    /// change in the very millisecond of the previous export is sent twice
    /// rather than never).
    pub async fn companies_for_export(&self, since: Option<i64>) -> Result<Vec<CompanyRecord>> {
        let since = since.unwrap_or(i64::MIN);
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM companies c
              WHERE status IN ($2, $3)
                AND (c.updated_at >= $1
                     OR EXISTS (SELECT 1 FROM users u WHERE u.company_id = c.id AND u.updated_at >= $1))
              ORDER BY c.id"
        ))
        .bind(since)
        .bind(domain::CompanyStatus::Approved.as_str())
        .bind(domain::CompanyStatus::Suspended.as_str())
        .fetch_all(self.pool())
        .await?;
        let prefectures: std::collections::HashMap<i64, String> =
            self.prefectures().await?.into_iter().collect();
        let industries: std::collections::HashMap<String, String> = self
            .industry_divisions()
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let c = company(row)?;
            let members: Vec<String> = sqlx::query_scalar(
                "SELECT m.name FROM company_member_organizations cm
                   JOIN member_organizations m ON m.id = cm.member_organization_id
                  WHERE cm.company_id = $1 ORDER BY m.sort_order, m.id",
            )
            .bind(c.id)
            .fetch_all(self.pool())
            .await?;
            let trigger: Option<String> = match c.registration_trigger_id {
                Some(id) => {
                    sqlx::query_scalar("SELECT name FROM registration_triggers WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.pool())
                        .await?
                }
                None => None,
            };
            let contact = sqlx::query(
                "SELECT name, email FROM users WHERE company_id = $1 AND active = 1 ORDER BY id LIMIT 1",
            )
            .bind(c.id)
            .fetch_optional(self.pool())
            .await?;
            out.push(CompanyRecord {
                prefecture: prefectures
                    .get(&c.prefecture_code)
                    .cloned()
                    .unwrap_or_default(),
                industry: industries
                    .get(&c.industry_division)
                    .cloned()
                    .unwrap_or_default(),
                member_organizations: members,
                registration_trigger: trigger,
                contact_name: contact.as_ref().map(|r| r.try_get("name")).transpose()?,
                contact_email: contact.as_ref().map(|r| r.try_get("email")).transpose()?,
                company: c,
            });
        }
        Ok(out)
    }

    /// The newest export of `kind` to `destination`: where the next
    /// changed-only export to it starts.
    pub async fn last_export_to(
        &self,
        kind: &str,
        destination: &str,
    ) -> Result<Option<ExportRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {EXPORT_COLUMNS} FROM exports WHERE kind = $1 AND destination = $2
              ORDER BY id DESC LIMIT 1"
        ))
        .bind(kind)
        .bind(destination)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(export).next().transpose()
    }

    /// The newest exports of `kind`, newest first, at most `limit`.
    pub async fn exports(&self, kind: &str, limit: i64) -> Result<Vec<ExportRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {EXPORT_COLUMNS} FROM exports WHERE kind = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(kind)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(export).collect()
    }

    /// Each destination's newest export of `kind`, by destination name.
    pub async fn export_destinations(&self, kind: &str) -> Result<Vec<ExportRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {EXPORT_COLUMNS} FROM exports e
              WHERE kind = $1 AND destination IS NOT NULL
                AND id = (SELECT MAX(id) FROM exports x
                           WHERE x.kind = e.kind AND x.destination = e.destination)
              ORDER BY destination"
        ))
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(export).collect()
    }

    /// The values export `id` could not hold, in the order found.
    pub async fn export_problems(&self, id: i64) -> Result<Vec<ExportProblem>> {
        let rows = sqlx::query(
            "SELECT company_id, company, field, characters FROM export_problems
              WHERE export_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExportProblem {
                    company_id: r.try_get("company_id")?,
                    company: r.try_get("company")?,
                    field: r.try_get("field")?,
                    characters: r.try_get("characters")?,
                })
            })
            .collect()
    }
}

const EXPORT_COLUMNS: &str = "id, kind, format, destination, changed_only, since, watermark,
    row_count, actor_label, created_at";

fn export(r: &sqlx::any::AnyRow) -> Result<ExportRecord> {
    Ok(ExportRecord {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        format: r.try_get("format")?,
        destination: r.try_get("destination")?,
        changed_only: r.try_get::<i32, _>("changed_only")? == 1,
        since: r.try_get("since")?,
        watermark: r.try_get("watermark")?,
        rows: r.try_get("row_count")?,
        actor_label: r.try_get("actor_label")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Records an export, the values it could not hold, and its audit entry
    /// in one transaction.
    pub async fn record_export(&self, e: &NewExport<'_>, actor: &Actor, now: i64) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO exports (kind, format, destination, changed_only, since, watermark, row_count,
                                  actor_label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(e.kind)
        .bind(e.format)
        .bind(e.destination)
        .bind(i32::from(e.since.is_some()))
        .bind(e.since)
        .bind(e.watermark)
        .bind(e.rows)
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for p in e.problems {
            sqlx::query(
                "INSERT INTO export_problems (export_id, company_id, company, field, characters)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(p.company_id)
            .bind(&p.company)
            .bind(&p.field)
            .bind(&p.characters)
            .execute(&mut *tx)
            .await?;
        }
        let (format, rows) = (e.format, e.rows);
        let to = e.destination.unwrap_or("ad-hoc");
        let detail = match e.since {
            Some(s) => format!("format={format} to={to} rows={rows} changed_since={s}"),
            None => format!("format={format} to={to} rows={rows} all"),
        };
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: &format!("export.{}", e.kind),
                target_type: "export",
                target_id: &id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
