//! Company profiles for the business-partner directory (issue 16): what a
//! company shows beyond its application, who may see each field, and the
//! profile as a given audience sees it — the one projection every public
//! output is made from.

use std::collections::BTreeMap;

use domain::directory::{Audience, CAPITAL_BANDS, EMPLOYEE_BANDS, ProfileField, Visibility, band};
use sqlx::Row;

use crate::audit::{Actor, NewAuditEntry};
use crate::{Company, Result, Store, StoreError};

/// What a company edits of its profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileEdit {
    /// In the directory at all.
    pub listed: bool,
    pub municipality: String,
    pub products: String,
    /// Codes of `domain::directory::CERTIFICATIONS`.
    pub certifications: Vec<String>,
    /// JSIC division codes, at least one.
    pub industries: Vec<String>,
    /// Who sees each field (a field not named is public).
    pub visibility: BTreeMap<ProfileField, Visibility>,
}

/// A company's profile as stored, with its application's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub company: Company,
    pub edit: ProfileEdit,
    /// Recorded by operators (e.g. a fair's exhibitor).
    pub programmes: Vec<String>,
    /// Why an operator hid it (none: not hidden).
    pub hidden_reason: Option<String>,
    pub updated_at: i64,
}

/// A profile as one audience sees it: a field the company keeps from this
/// audience is `None` (or empty), whatever it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownProfile {
    pub id: i64,
    pub name: String,
    pub prefecture_code: i64,
    pub industries: Vec<String>,
    pub orders: bool,
    pub receives: bool,
    pub updated_at: i64,
    pub name_kana: Option<String>,
    pub municipality: Option<String>,
    pub description: Option<String>,
    pub products: Option<String>,
    pub keywords: Option<String>,
    pub certifications: Option<Vec<String>>,
    pub member_organization_ids: Option<Vec<i64>>,
    /// (code, label) of the band.
    pub capital: Option<(&'static str, &'static str)>,
    pub employees: Option<(&'static str, &'static str)>,
    pub founded: Option<i64>,
    pub website: Option<String>,
    pub programmes: Option<Vec<String>>,
}

impl Profile {
    pub fn visibility(&self, field: ProfileField) -> Visibility {
        self.edit
            .visibility
            .get(&field)
            .copied()
            .unwrap_or(Visibility::Public)
    }

    /// Whether the directory lists it: the company chose to be listed, is
    /// approved, and no operator hid it.
    pub fn is_listed(&self) -> bool {
        self.edit.listed
            && self.hidden_reason.is_none()
            && self.company.status == domain::CompanyStatus::Approved
    }

    /// The profile as `audience` sees it.
    pub fn shown(&self, audience: Audience) -> ShownProfile {
        let c = &self.company;
        let sees = |f: ProfileField| self.visibility(f).shown_to(audience);
        let text = |f: ProfileField, v: &str| (sees(f) && !v.is_empty()).then(|| v.to_owned());
        ShownProfile {
            id: c.id,
            name: c.name.clone(),
            prefecture_code: c.prefecture_code,
            industries: self.edit.industries.clone(),
            orders: c.orders,
            receives: c.receives,
            updated_at: self.updated_at,
            name_kana: text(ProfileField::NameKana, &c.name_kana),
            municipality: text(ProfileField::Municipality, &self.edit.municipality),
            description: text(ProfileField::Description, &c.description),
            products: text(ProfileField::Products, &self.edit.products),
            keywords: text(ProfileField::Keywords, &c.keywords),
            certifications: (sees(ProfileField::Certifications)
                && !self.edit.certifications.is_empty())
            .then(|| self.edit.certifications.clone()),
            member_organization_ids: (sees(ProfileField::MemberOrganizations)
                && !c.member_organization_ids.is_empty())
            .then(|| c.member_organization_ids.clone()),
            capital: c
                .capital_yen
                .filter(|_| sees(ProfileField::Capital))
                .and_then(|v| band(CAPITAL_BANDS, v)),
            employees: c
                .employees
                .filter(|_| sees(ProfileField::Employees))
                .and_then(|v| band(EMPLOYEE_BANDS, v)),
            founded: c.founded_year.filter(|_| sees(ProfileField::Founded)),
            website: c.website.clone().filter(|_| sees(ProfileField::Website)),
            programmes: (sees(ProfileField::Programmes) && !self.programmes.is_empty())
                .then(|| self.programmes.clone()),
        }
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Store {
    /// A company's profile; a company that never saved one has the
    /// defaults (listed, every field public, its application's industry).
    pub async fn company_profile(&self, company_id: i64) -> Result<Option<Profile>> {
        let Some(company) = self.company(company_id).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT listed, municipality, products, certifications, programmes, visibility,
                    hidden_reason, updated_at
               FROM company_profiles WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_optional(self.pool())
        .await?;
        let mut industries: Vec<String> = sqlx::query_scalar(
            "SELECT division_code FROM company_industries WHERE company_id = $1
              ORDER BY division_code",
        )
        .bind(company_id)
        .fetch_all(self.pool())
        .await?;
        if industries.is_empty() {
            industries.push(company.industry_division.clone());
        }
        let Some(row) = row else {
            return Ok(Some(Profile {
                edit: ProfileEdit {
                    listed: true,
                    industries,
                    ..ProfileEdit::default()
                },
                programmes: Vec::new(),
                hidden_reason: None,
                updated_at: company.updated_at,
                company,
            }));
        };
        let visibility: BTreeMap<String, String> =
            serde_json::from_str(&row.try_get::<String, _>("visibility")?)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let visibility = visibility
            .into_iter()
            .map(|(f, v)| {
                Ok((
                    crate::cases::parse(ProfileField::from_code(&f))?,
                    crate::cases::parse(Visibility::from_code(&v))?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Some(Profile {
            edit: ProfileEdit {
                listed: row.try_get::<i64, _>("listed")? == 1,
                municipality: row.try_get("municipality")?,
                products: row.try_get("products")?,
                certifications: lines(&row.try_get::<String, _>("certifications")?),
                industries,
                visibility,
            },
            programmes: lines(&row.try_get::<String, _>("programmes")?),
            hidden_reason: row.try_get("hidden_reason")?,
            updated_at: row.try_get("updated_at")?,
            company,
        }))
    }

    /// Saves what a company edits of its profile, with an audit entry.
    /// `Invalid` for an unknown certification or industry, or none.
    pub async fn save_profile(
        &self,
        company_id: i64,
        edit: &ProfileEdit,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        if let Some(c) = edit
            .certifications
            .iter()
            .find(|c| domain::directory::certification(c).is_none())
        {
            return Err(StoreError::Invalid(format!("認証 {c} はありません")));
        }
        if edit.industries.is_empty() {
            return Err(StoreError::Invalid("業種を一つ以上選んでください".into()));
        }
        let visibility: BTreeMap<&str, &str> = edit
            .visibility
            .iter()
            .map(|(f, v)| (f.as_str(), v.as_str()))
            .collect();
        let visibility =
            serde_json::to_string(&visibility).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO company_profiles (company_id, listed, municipality, products,
                    certifications, visibility, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (company_id) DO UPDATE SET listed = excluded.listed,
                    municipality = excluded.municipality, products = excluded.products,
                    certifications = excluded.certifications, visibility = excluded.visibility,
                    updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(i64::from(edit.listed))
        .bind(&edit.municipality)
        .bind(&edit.products)
        .bind(edit.certifications.join("\n"))
        .bind(visibility)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM company_industries WHERE company_id = $1")
            .bind(company_id)
            .execute(&mut *tx)
            .await?;
        for code in &edit.industries {
            sqlx::query(
                "INSERT INTO company_industries (company_id, division_code) VALUES ($1, $2)",
            )
            .bind(company_id)
            .bind(code)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(_) => {
                    StoreError::Invalid(format!("業種 {code} はありません"))
                }
                other => other.into(),
            })?;
        }
        self.append_audit_in(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "company.profile",
                target_type: "company",
                target_id: &company_id.to_string(),
                detail: if edit.listed { "listed" } else { "unlisted" },
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
