//! Masters: prefectures, industries (JSIC), member organisations, registration
//! triggers, ordering organisations and their contract departments.

use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Result, Store, conflict};

/// An entry of a simple master: a name, an order, on or off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterItem {
    pub id: i64,
    pub name: String,
    pub sort_order: i64,
    pub active: bool,
}

/// The masters that are a plain list of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimpleMaster {
    /// 加盟団体
    MemberOrganizations,
    /// 登録のきっかけ
    RegistrationTriggers,
}

impl SimpleMaster {
    fn table(self) -> &'static str {
        match self {
            SimpleMaster::MemberOrganizations => "member_organizations",
            SimpleMaster::RegistrationTriggers => "registration_triggers",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryDivision {
    pub code: String,
    pub section_code: String,
    pub section_name: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderingOrganization {
    pub id: i64,
    pub name: String,
    pub name_kana: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractDepartment {
    pub id: i64,
    pub organization_id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}

impl Store {
    /// The entries of `master`, in display order; inactive ones only when asked.
    pub async fn master_items(
        &self,
        master: SimpleMaster,
        include_inactive: bool,
    ) -> Result<Vec<MasterItem>> {
        let sql = format!(
            "SELECT id, name, sort_order, active FROM {} WHERE active = 1 OR $1 = 1
              ORDER BY sort_order, id",
            master.table()
        );
        let rows = sqlx::query(&sql)
            .bind(i32::from(include_inactive))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MasterItem {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    sort_order: r.try_get("sort_order")?,
                    active: r.try_get::<i32, _>("active")? == 1,
                })
            })
            .collect()
    }

    /// Adds an entry at the end; the name must be new.
    pub async fn add_master_item(
        &self,
        master: SimpleMaster,
        name: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<i64> {
        let sql = format!(
            "INSERT INTO {t} (name, sort_order, active)
             VALUES ($1, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM {t}), 1) RETURNING id",
            t = master.table()
        );
        let change = Change {
            table: master.table(),
            detail: &format!("name={name}"),
            actor,
            now,
        };
        self.insert_audited(sqlx::query_scalar(&sql).bind(name), NAME_TAKEN, &change)
            .await
    }

    /// Renames, reorders or switches an entry on or off. Entries are never
    /// deleted: companies refer to them.
    pub async fn update_master_item(
        &self,
        master: SimpleMaster,
        item: &MasterItem,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE {} SET name = $2, sort_order = $3, active = $4 WHERE id = $1",
            master.table()
        );
        let detail = format!(
            "name={} sort_order={} active={}",
            item.name, item.sort_order, item.active
        );
        let change = Change {
            table: master.table(),
            detail: &detail,
            actor,
            now,
        };
        let q = sqlx::query(&sql)
            .bind(item.id)
            .bind(&item.name)
            .bind(item.sort_order)
            .bind(i32::from(item.active));
        self.update_audited(q, NAME_TAKEN, &item.id.to_string(), &change)
            .await
    }

    /// Every prefecture, by JIS X 0401 code.
    pub async fn prefectures(&self) -> Result<Vec<(i64, String)>> {
        let rows: Vec<Named> = self
            .read_rows::<_, i64>("SELECT code, name FROM prefectures ORDER BY code", &[])
            .await?;
        Ok(rows.into_iter().map(|Named(c, n)| (c, n)).collect())
    }

    /// Active JSIC divisions with their sections, in classification order.
    pub async fn industry_divisions(&self) -> Result<Vec<IndustryDivision>> {
        self.read_rows::<_, i64>(
            "SELECT d.code, d.section_code, s.name AS section_name, d.name
               FROM industry_divisions d JOIN industry_sections s ON s.code = d.section_code
              WHERE d.active = 1 AND s.active = 1
              ORDER BY s.sort_order, d.sort_order",
            &[],
        )
        .await
    }

    pub async fn ordering_organizations(&self) -> Result<Vec<OrderingOrganization>> {
        let rows = sqlx::query(
            "SELECT id, name, name_kana, active FROM ordering_organizations ORDER BY name_kana, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderingOrganization {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    name_kana: r.try_get("name_kana")?,
                    active: r.try_get::<i32, _>("active")? == 1,
                })
            })
            .collect()
    }

    /// Every code that an applied yearly update replaced, oldest update
    /// first: (organisation, old code, the code that took its place) for each
    /// コード変更, 統合 (one row per merged code) and 廃止 whose references
    /// moved elsewhere. Old listings name departments by these codes.
    pub async fn contract_department_successors(&self) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT c.organization_id, c.old_code, c.new_code
               FROM master_update_changes c JOIN master_updates u ON u.id = c.update_id
              WHERE u.status = 'applied' AND c.kind IN ('コード変更', '統合', '廃止')
                AND c.old_code IS NOT NULL AND c.new_code IS NOT NULL
              ORDER BY u.applied_at, c.id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let org: i64 = r.try_get("organization_id")?;
            let old: String = r.try_get("old_code")?;
            let new: String = r.try_get("new_code")?;
            // A merge keeps the merged codes joined by ';'.
            for code in old.split(';').filter(|c| !c.is_empty() && *c != new) {
                out.push((org, code.to_owned(), new.clone()));
            }
        }
        Ok(out)
    }

    pub async fn contract_departments(
        &self,
        organization_id: i64,
    ) -> Result<Vec<ContractDepartment>> {
        let rows = sqlx::query(
            "SELECT id, organization_id, code, name, active FROM contract_departments
              WHERE organization_id = $1 ORDER BY code",
        )
        .bind(organization_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContractDepartment {
                    id: r.try_get("id")?,
                    organization_id: r.try_get("organization_id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    active: r.try_get::<i32, _>("active")? == 1,
                })
            })
            .collect()
    }
}

/// A JSIC section or division as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryEntry {
    pub code: String,
    /// The section a division belongs to; `None` for a section.
    pub section_code: Option<String>,
    pub name: String,
    pub active: bool,
}

impl Store {
    /// Every section and division, inactive ones included, in classification order.
    pub async fn industry_entries(&self) -> Result<Vec<IndustryEntry>> {
        let rows = sqlx::query(
            "SELECT code, NULL AS section_code, name, active, sort_order, 0 AS level, code AS section_key
               FROM industry_sections
             UNION ALL
             SELECT d.code, d.section_code, d.name, d.active, d.sort_order, 1 AS level, d.section_code AS section_key
               FROM industry_divisions d
             ORDER BY section_key, level, sort_order",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IndustryEntry {
                    code: r.try_get("code")?,
                    section_code: r.try_get("section_code")?,
                    name: r.try_get("name")?,
                    active: r.try_get::<i32, _>("active")? == 1,
                })
            })
            .collect()
    }

    /// Renames or switches a section or division on or off.
    pub async fn update_industry(
        &self,
        entry: &IndustryEntry,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let table = if entry.section_code.is_some() {
            "industry_divisions"
        } else {
            "industry_sections"
        };
        let sql = format!("UPDATE {table} SET name = $2, active = $3 WHERE code = $1");
        let detail = format!("name={} active={}", entry.name, entry.active);
        let change = Change {
            table,
            detail: &detail,
            actor,
            now,
        };
        let q = sqlx::query(&sql)
            .bind(&entry.code)
            .bind(&entry.name)
            .bind(i32::from(entry.active));
        self.update_audited(q, &[], &entry.code, &change).await
    }

    pub async fn ordering_organization(&self, id: i64) -> Result<Option<OrderingOrganization>> {
        Ok(self
            .ordering_organizations()
            .await?
            .into_iter()
            .find(|o| o.id == id))
    }

    /// Adds an ordering organisation; its name must be new.
    pub async fn add_ordering_organization(
        &self,
        name: &str,
        name_kana: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<i64> {
        let change = Change {
            table: "ordering_organizations",
            detail: &format!("name={name}"),
            actor,
            now,
        };
        let q = sqlx::query_scalar(
            "INSERT INTO ordering_organizations (name, name_kana, active) VALUES ($1, $2, 1) RETURNING id",
        )
        .bind(name)
        .bind(name_kana);
        self.insert_audited(q, NAME_TAKEN, &change).await
    }

    pub async fn update_ordering_organization(
        &self,
        org: &OrderingOrganization,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let detail = format!("name={} active={}", org.name, org.active);
        let change = Change {
            table: "ordering_organizations",
            detail: &detail,
            actor,
            now,
        };
        let q = sqlx::query("UPDATE ordering_organizations SET name = $2, name_kana = $3, active = $4 WHERE id = $1")
            .bind(org.id)
            .bind(&org.name)
            .bind(&org.name_kana)
            .bind(i32::from(org.active));
        self.update_audited(q, NAME_TAKEN, &org.id.to_string(), &change)
            .await
    }

    /// Adds a contract department (契約部署); its code must be new within the organisation.
    pub async fn add_contract_department(
        &self,
        organization_id: i64,
        code: &str,
        name: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<i64> {
        let detail = format!("organization={organization_id} code={code} name={name}");
        let change = Change {
            table: "contract_departments",
            detail: &detail,
            actor,
            now,
        };
        let q = sqlx::query_scalar(
            "INSERT INTO contract_departments (organization_id, code, name, active) VALUES ($1, $2, $3, 1) RETURNING id",
        )
        .bind(organization_id)
        .bind(code)
        .bind(name);
        self.insert_audited(q, CODE_TAKEN, &change).await
    }

    pub async fn update_contract_department(
        &self,
        dept: &ContractDepartment,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let detail = format!(
            "code={} name={} active={}",
            dept.code, dept.name, dept.active
        );
        let change = Change {
            table: "contract_departments",
            detail: &detail,
            actor,
            now,
        };
        let q = sqlx::query(
            "UPDATE contract_departments SET code = $3, name = $4, active = $5 WHERE id = $1 AND organization_id = $2",
        )
        .bind(dept.id)
        .bind(dept.organization_id)
        .bind(&dept.code)
        .bind(&dept.name)
        .bind(i32::from(dept.active));
        self.update_audited(q, CODE_TAKEN, &dept.id.to_string(), &change)
            .await
    }
}

impl Store {
    /// Renames a prefecture (the JIS X 0401 code stays).
    pub async fn rename_prefecture(
        &self,
        code: i64,
        name: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<bool> {
        let change = Change {
            table: "prefectures",
            detail: &format!("name={name}"),
            actor,
            now,
        };
        let q = sqlx::query("UPDATE prefectures SET name = $2 WHERE code = $1")
            .bind(code)
            .bind(name);
        self.update_audited(q, NAME_TAKEN, &code.to_string(), &change)
            .await
    }

    /// A prefecture's name as the master has it.
    pub async fn prefecture_name(&self, code: i64) -> Result<String> {
        let rows: Vec<Named> = self
            .read_rows(
                "SELECT code, name FROM prefectures WHERE code = $1",
                &[code],
            )
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|Named(_, n)| n)
            .unwrap_or_default())
    }
}

/// A code and its name, as read.
struct Named(i64, String);

impl crate::read::FromCols for Named {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        Ok(Named(row.col("code")?, row.col("name")?))
    }
}

/// A unique name or code taken, as `conflict` reports it.
const NAME_TAKEN: &[(&str, &str)] = &[("name", "name")];
const CODE_TAKEN: &[(&str, &str)] = &[("code", "code"), ("contract_departments", "code")];

/// What a change to a master is, for its audit entry.
struct Change<'a> {
    table: &'a str,
    detail: &'a str,
    actor: &'a Actor,
    now: i64,
}

type Insert<'q> = sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>>;
type Update<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Store {
    /// Runs an `INSERT … RETURNING id` and records it (`master.add`), in one transaction.
    async fn insert_audited(
        &self,
        q: Insert<'_>,
        conflicts: &[(&str, &'static str)],
        c: &Change<'_>,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id = q
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict(e, conflicts))?;
        let entry = NewAuditEntry {
            at: c.now,
            actor: c.actor,
            action: "master.add",
            target_type: c.table,
            target_id: &id.to_string(),
            detail: c.detail,
        };
        self.append_audit_in(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Runs an `UPDATE` and, when it touched a row, records it (`master.update`),
    /// in one transaction. False when no row matched.
    async fn update_audited(
        &self,
        q: Update<'_>,
        conflicts: &[(&str, &'static str)],
        target_id: &str,
        c: &Change<'_>,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = q
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, conflicts))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let entry = NewAuditEntry {
            at: c.now,
            actor: c.actor,
            action: "master.update",
            target_type: c.table,
            target_id,
            detail: c.detail,
        };
        self.append_audit_in(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl crate::read::FromCols for IndustryDivision {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        Ok(IndustryDivision {
            code: row.col("code")?,
            section_code: row.col("section_code")?,
            section_name: row.col("section_name")?,
            name: row.col("name")?,
        })
    }
}
