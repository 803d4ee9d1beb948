//! Finding companies for the review pages: a search over name, reading,
//! 法人番号 and users' mail addresses, and how many match in each status.

use domain::CompanyStatus;
use sqlx::Row;

use crate::companies::{COLUMNS, Company, company};
use crate::{Result, Store};

/// What the reviewer typed: a part of the name or its reading, a 法人番号,
/// or a part of a user's mail address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanySearch {
    pub text: String,
}

impl CompanySearch {
    /// The condition (parameters from `$first`) and the values to bind.
    fn condition(&self, first: usize) -> Option<(String, Vec<String>)> {
        let text = domain::text::normalize(&self.text);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let like = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let number = if digits.len() == 13
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            digits
        } else {
            String::new()
        };
        let (a, b, c) = (first, first + 1, first + 2);
        Some((
            format!(
                "(name LIKE ${a} ESCAPE '\\' OR name_kana LIKE ${a} ESCAPE '\\'
                  OR corporate_number = ${b}
                  OR id IN (SELECT company_id FROM users
                             WHERE company_id IS NOT NULL AND email_key LIKE ${c} ESCAPE '\\'))"
            ),
            vec![like.clone(), number, like.to_lowercase()],
        ))
    }
}

impl Store {
    /// Companies matching `search`, in `status` (every status when `None`),
    /// oldest application first.
    pub async fn search_companies(
        &self,
        status: Option<CompanyStatus>,
        search: &CompanySearch,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Company>> {
        let mut sql = format!("SELECT {COLUMNS} FROM companies WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(s) = status {
            binds.push(s.as_str().to_owned());
            sql.push_str(&format!(" AND status = ${}", binds.len()));
        }
        if let Some((cond, values)) = search.condition(binds.len() + 1) {
            sql.push_str(&format!(" AND {cond}"));
            binds.extend(values);
        }
        sql.push_str(&format!(
            " ORDER BY created_at, id LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        rows.iter().map(company).collect()
    }

    /// How many companies matching `search` are in each status.
    pub async fn company_status_counts(
        &self,
        search: &CompanySearch,
    ) -> Result<Vec<(CompanyStatus, i64)>> {
        let mut sql = "SELECT status, COUNT(*) AS n FROM companies WHERE 1 = 1".to_owned();
        let mut binds = Vec::new();
        if let Some((cond, values)) = search.condition(1) {
            sql.push_str(&format!(" AND {cond}"));
            binds = values;
        }
        sql.push_str(" GROUP BY status");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let status = crate::cases::parse(CompanyStatus::from_code(&status))?;
                Ok((status, row.try_get("n")?))
            })
            .collect()
    }
}
