//! Masters: prefectures, industries (JSIC), member organisations, registration
//! triggers, ordering organisations and their contract departments.

use sqlx::Row;

use crate::audit::{self, Actor, NewAuditEntry};
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
        let mut tx = self.pool().begin().await?;
        let sql = format!(
            "INSERT INTO {t} (name, sort_order, active)
             VALUES ($1, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM {t}), 1) RETURNING id",
            t = master.table()
        );
        let id: i64 = sqlx::query_scalar(&sql)
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict(e, &[("name", "name")]))?;
        let detail = format!("name={name}");
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "master.add",
                target_type: master.table(),
                target_id: &id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
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
        let mut tx = self.pool().begin().await?;
        let sql = format!(
            "UPDATE {} SET name = $2, sort_order = $3, active = $4 WHERE id = $1",
            master.table()
        );
        let done = sqlx::query(&sql)
            .bind(item.id)
            .bind(&item.name)
            .bind(item.sort_order)
            .bind(i32::from(item.active))
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, &[("name", "name")]))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let detail = format!(
            "name={} sort_order={} active={}",
            item.name, item.sort_order, item.active
        );
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "master.update",
                target_type: master.table(),
                target_id: &item.id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every prefecture, by JIS X 0401 code.
    pub async fn prefectures(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT code, name FROM prefectures ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("name")?)))
            .collect()
    }

    /// Active JSIC divisions with their sections, in classification order.
    pub async fn industry_divisions(&self) -> Result<Vec<IndustryDivision>> {
        let rows = sqlx::query(
            "SELECT d.code, d.section_code, s.name AS section_name, d.name
               FROM industry_divisions d JOIN industry_sections s ON s.code = d.section_code
              WHERE d.active = 1 AND s.active = 1
              ORDER BY s.sort_order, d.sort_order",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IndustryDivision {
                    code: r.try_get("code")?,
                    section_code: r.try_get("section_code")?,
                    section_name: r.try_get("section_name")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
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
