//! The yearly update of the contract-department master, stored: the
//! uploaded master as a draft, and its application in one transaction —
//! departments added, renamed, recoded, merged and abolished, the cases and
//! users that referred to them moved along — with the history of every year.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Result, Store, StoreError};

/// One low-level step of applying an update, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartmentOp {
    Insert {
        organization_id: i64,
        code: String,
        name: String,
    },
    /// A new code and/or name for an existing department (references stay).
    Update {
        id: i64,
        code: String,
        name: String,
    },
    /// Cases and users of department `from` move to the department with
    /// `code` in `organization_id` (after the inserts and updates).
    MoveReferences {
        from: i64,
        organization_id: i64,
        code: String,
        /// The index in `changes` that counts what moved.
        change: usize,
    },
    Deactivate {
        id: i64,
    },
}

/// One change as the history keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentChange {
    pub organization_id: i64,
    /// 新設, 名称変更, コード変更, 統合, 廃止.
    pub kind: String,
    pub old_code: Option<String>,
    pub old_name: Option<String>,
    pub new_code: Option<String>,
    pub new_name: Option<String>,
    pub moved_cases: i64,
    pub moved_users: i64,
}

/// An uploaded master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterUpdate {
    pub id: i64,
    pub fiscal_year: i64,
    /// "draft", "applied" or "discarded".
    pub status: String,
    pub csv: String,
    pub created_at: i64,
    pub applied_at: Option<i64>,
    pub applied_by_label: Option<String>,
}

fn update(r: &sqlx::any::AnyRow) -> Result<MasterUpdate> {
    Ok(MasterUpdate {
        id: r.try_get("id")?,
        fiscal_year: r.try_get("fiscal_year")?,
        status: r.try_get("status")?,
        csv: r.try_get("csv")?,
        created_at: r.try_get("created_at")?,
        applied_at: r.try_get("applied_at")?,
        applied_by_label: r.try_get("applied_by_label")?,
    })
}

const UPDATE_COLUMNS: &str =
    "id, fiscal_year, status, csv, created_at, applied_at, applied_by_label";

impl Store {
    pub async fn create_master_update(
        &self,
        fiscal_year: i64,
        csv: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO master_updates (fiscal_year, status, csv, created_by, created_at)
             VALUES ($1, 'draft', $2, $3, $4) RETURNING id",
        )
        .bind(fiscal_year)
        .bind(csv)
        .bind(user)
        .bind(now)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn master_update(&self, id: i64) -> Result<Option<MasterUpdate>> {
        let row = sqlx::query(&format!(
            "SELECT {UPDATE_COLUMNS} FROM master_updates WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(update).transpose()
    }

    /// Every update, newest first.
    pub async fn master_updates(&self) -> Result<Vec<MasterUpdate>> {
        let rows = sqlx::query(&format!(
            "SELECT {UPDATE_COLUMNS} FROM master_updates ORDER BY id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(update).collect()
    }

    /// The changes an applied update made, in order.
    pub async fn master_update_changes(&self, id: i64) -> Result<Vec<DepartmentChange>> {
        let rows = sqlx::query(
            "SELECT organization_id, kind, old_code, old_name, new_code, new_name, moved_cases, moved_users
               FROM master_update_changes WHERE update_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DepartmentChange {
                    organization_id: r.try_get("organization_id")?,
                    kind: r.try_get("kind")?,
                    old_code: r.try_get("old_code")?,
                    old_name: r.try_get("old_name")?,
                    new_code: r.try_get("new_code")?,
                    new_name: r.try_get("new_name")?,
                    moved_cases: r.try_get("moved_cases")?,
                    moved_users: r.try_get("moved_users")?,
                })
            })
            .collect()
    }

    /// How many cases and users refer to department `id`.
    pub async fn department_references(&self, id: i64) -> Result<(i64, i64)> {
        let cases: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE contract_department_id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        let users: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE contract_department_id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok((cases, users))
    }

    /// Applies a draft update in one transaction: `ops` in order, then the
    /// history (`changes`, with what moved counted) and an audit entry.
    /// `Stale` when the update is no longer a draft; `Invalid` when a move
    /// names a department that is not there.
    pub async fn apply_master_update(
        &self,
        id: i64,
        ops: &[DepartmentOp],
        changes: &[DepartmentChange],
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE master_updates SET status = 'applied', applied_at = $2, applied_by_label = $3
              WHERE id = $1 AND status = 'draft'",
        )
        .bind(id)
        .bind(now)
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        let mut changes = changes.to_vec();
        // Codes that change move out of the way first, so that swapped or
        // reused codes never meet the (organisation, code) uniqueness.
        for op in ops {
            if let DepartmentOp::Update { id, .. } = op {
                sqlx::query("UPDATE contract_departments SET code = $2 WHERE id = $1")
                    .bind(*id)
                    .bind(format!("~{id}"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for op in ops {
            match op {
                DepartmentOp::Update { id, code, name } => {
                    sqlx::query(
                        "UPDATE contract_departments SET code = $2, name = $3, active = 1 WHERE id = $1",
                    )
                    .bind(*id)
                    .bind(code)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
                DepartmentOp::Insert {
                    organization_id,
                    code,
                    name,
                } => {
                    sqlx::query(
                        "INSERT INTO contract_departments (organization_id, code, name, active)
                         VALUES ($1, $2, $3, 1)",
                    )
                    .bind(*organization_id)
                    .bind(code)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
                DepartmentOp::MoveReferences { .. } | DepartmentOp::Deactivate { .. } => {}
            }
        }
        for op in ops {
            match op {
                DepartmentOp::MoveReferences {
                    from,
                    organization_id,
                    code,
                    change,
                } => {
                    let to: i64 = sqlx::query_scalar(
                        "SELECT id FROM contract_departments WHERE organization_id = $1 AND code = $2",
                    )
                    .bind(*organization_id)
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("no department {code}")))?;
                    let cases = sqlx::query(
                        "UPDATE cases SET contract_department_id = $2 WHERE contract_department_id = $1",
                    )
                    .bind(*from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let users = sqlx::query(
                        "UPDATE users SET contract_department_id = $2 WHERE contract_department_id = $1",
                    )
                    .bind(*from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if let Some(c) = changes.get_mut(*change) {
                        c.moved_cases += cases as i64;
                        c.moved_users += users as i64;
                    }
                }
                DepartmentOp::Deactivate { id } => {
                    sqlx::query("UPDATE contract_departments SET active = 0 WHERE id = $1")
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                }
                DepartmentOp::Insert { .. } | DepartmentOp::Update { .. } => {}
            }
        }
        for c in &changes {
            sqlx::query(
                "INSERT INTO master_update_changes (update_id, organization_id, kind, old_code, old_name,
                                                    new_code, new_name, moved_cases, moved_users)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(c.organization_id)
            .bind(&c.kind)
            .bind(c.old_code.as_deref())
            .bind(c.old_name.as_deref())
            .bind(c.new_code.as_deref())
            .bind(c.new_name.as_deref())
            .bind(c.moved_cases)
            .bind(c.moved_users)
            .execute(&mut *tx)
            .await?;
        }
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "master.contract_departments.update",
                target_type: "master_update",
                target_id: &id.to_string(),
                detail: &format!("changes={}", changes.len()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a draft aside without applying it.
    pub async fn discard_master_update(&self, id: i64) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE master_updates SET status = 'discarded' WHERE id = $1 AND status = 'draft'",
        )
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }
}
