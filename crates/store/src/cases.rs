//! Cases of every kind, written once per (source, source key): an unchanged
//! record changes nothing, a changed one gets a new change sequence number, and
//! search indexes follow that sequence.

use domain::CaseDate::{self, *};
use domain::{CaseKind, CaseStatus, Category, DayOnly, Procedure, When};
use sqlx::{AnyConnection, Row};

use crate::read::{Cols, FromCols};
use crate::{Result, Store, StoreError};

/// A case as an importer or a form hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub kind: CaseKind,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub procedure: Procedure,
    pub organization_name: String,
    pub organization_id: Option<i64>,
    pub company_id: Option<i64>,
    pub contract_department_id: Option<i64>,
    pub prefecture_code: Option<i64>,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub qualification_grade: Option<String>,
    pub published_at: Option<i64>,
    pub application_deadline: Option<i64>,
    pub submission_deadline: Option<i64>,
    pub opening_at: Option<i64>,
    /// The end of the delivery or performance period (納入・履行期限).
    pub period_end: Option<i64>,
    /// Which dates the source gave as a day only (shown without a time).
    pub day_only: DayOnly,
    pub status: CaseStatus,
    /// Where the record comes from: "kkj", "tokyo", "tokyo_municipal", "ocds", "portal".
    pub source: String,
    /// The record's stable id at its source.
    pub source_key: String,
    pub source_url: Option<String>,
    /// (title, URL) of each document, in order.
    pub documents: Vec<(String, String)>,
    pub created_by: Option<i64>,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: i64,
    pub fields: NewCase,
    pub change_seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Upserted {
    pub fn id(self) -> i64 {
        match self {
            Upserted::Inserted(id) | Upserted::Updated(id) | Upserted::Unchanged(id) => id,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_public_statuses_in_sql_are_the_public_ones() {
        let listed: Vec<&str> = super::public_statuses()
            .split(", ")
            .map(|s| s.trim_matches('\''))
            .collect();
        let public: Vec<&str> = domain::CaseStatus::ALL
            .iter()
            .filter(|s| s.is_public())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(listed, public);
    }
}

impl NewCase {
    /// The stored instant of date `d`.
    pub fn date(&self, d: CaseDate) -> Option<i64> {
        match d {
            CaseDate::Published => self.published_at,
            CaseDate::ApplicationDeadline => self.application_deadline,
            CaseDate::SubmissionDeadline => self.submission_deadline,
            CaseDate::Opening => self.opening_at,
            CaseDate::PeriodEnd => self.period_end,
        }
    }

    /// Date `d` as its source gave it: a moment, or a day without a time.
    pub fn when(&self, d: CaseDate) -> Option<When> {
        self.date(d).map(|ms| self.day_only.when(d, ms))
    }

    /// Sets date `d` from what a source wrote: a day without a time is kept
    /// as a day (a deadline to the day's end), and marked so.
    pub fn set_when(&mut self, d: CaseDate, when: Option<When>) {
        let ms = when.map(|w| d.stored_ms(w));
        match d {
            CaseDate::Published => self.published_at = ms,
            CaseDate::ApplicationDeadline => self.application_deadline = ms,
            CaseDate::SubmissionDeadline => self.submission_deadline = ms,
            CaseDate::Opening => self.opening_at = ms,
            CaseDate::PeriodEnd => self.period_end = ms,
        }
        self.day_only.set(d, when.is_some_and(When::is_day_only));
    }

    /// A digest of everything stored, so that re-importing an unchanged record is a no-op.
    pub fn content_hash(&self) -> String {
        let mut s = String::new();
        let mut field = |v: &str| {
            s.push_str(&v.len().to_string());
            s.push(':');
            s.push_str(v);
        };
        let opt_i = |v: Option<i64>| v.map_or_else(String::new, |n| n.to_string());
        let opt_s = |v: &Option<String>| v.clone().unwrap_or_default();
        for v in [
            self.kind.as_str().to_owned(),
            self.title.clone(),
            self.description.clone(),
            self.category.as_str().to_owned(),
            self.procedure.as_str().to_owned(),
            self.organization_name.clone(),
            opt_i(self.organization_id),
            opt_i(self.company_id),
            opt_i(self.contract_department_id),
            opt_i(self.prefecture_code),
            opt_s(&self.municipality_code),
            opt_s(&self.municipality_name),
            opt_s(&self.qualification_grade),
            opt_i(self.published_at),
            opt_i(self.application_deadline),
            opt_i(self.submission_deadline),
            opt_i(self.opening_at),
            opt_i(self.period_end),
            self.day_only.bits().to_string(),
            self.status.as_str().to_owned(),
            opt_s(&self.source_url),
        ] {
            field(&v);
        }
        for (title, url) in &self.documents {
            field(title);
            field(url);
        }
        domain::audit::token_hash(&s)
    }
}

/// One field of a case that an amendment changed, as people read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// What differs between two versions of a case, field by field.
pub fn changes(old: &NewCase, new: &NewCase) -> Vec<FieldChange> {
    let date = |c: &NewCase, d: CaseDate| c.when(d).map(When::label).unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let docs = |c: &NewCase| {
        c.documents
            .iter()
            .map(|(t, u)| format!("{t} <{u}>"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let pairs: [(&'static str, String, String); 18] = [
        ("件名", old.title.clone(), new.title.clone()),
        ("概要", old.description.clone(), new.description.clone()),
        ("種類", old.kind.label().into(), new.kind.label().into()),
        (
            "種別",
            old.category.label().into(),
            new.category.label().into(),
        ),
        (
            "入札・契約方式",
            old.procedure.label().into(),
            new.procedure.label().into(),
        ),
        (
            "発注機関",
            old.organization_name.clone(),
            new.organization_name.clone(),
        ),
        (
            "契約部署",
            num(old.contract_department_id),
            num(new.contract_department_id),
        ),
        (
            "都道府県",
            num(old.prefecture_code),
            num(new.prefecture_code),
        ),
        (
            "市区町村",
            text(&old.municipality_name),
            text(&new.municipality_name),
        ),
        (
            "等級",
            text(&old.qualification_grade),
            text(&new.qualification_grade),
        ),
        ("公告日", date(old, Published), date(new, Published)),
        (
            "参加申請の締切",
            date(old, ApplicationDeadline),
            date(new, ApplicationDeadline),
        ),
        (
            "入札・提出の締切",
            date(old, SubmissionDeadline),
            date(new, SubmissionDeadline),
        ),
        ("開札日時", date(old, Opening), date(new, Opening)),
        ("納入・履行期限", date(old, PeriodEnd), date(new, PeriodEnd)),
        ("状態", old.status.label().into(), new.status.label().into()),
        ("掲載元のURL", text(&old.source_url), text(&new.source_url)),
        ("資料", docs(old), docs(new)),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, before, after)| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

/// The statuses visitors may see, as asked of `CaseStatus::is_public`, for
/// SQL: `'open', 'closed', …` (stored codes are plain ASCII words).
fn public_statuses() -> &'static str {
    static LIST: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        domain::CaseStatus::ALL
            .iter()
            .filter(|s| s.is_public())
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    });
    &LIST
}

pub(crate) const COLUMNS: &str =
    "id, kind, title, description, category, procedure, organization_name,
    organization_id, company_id, contract_department_id, prefecture_code, municipality_code,
    municipality_name, qualification_grade, published_at, application_deadline,
    submission_deadline, opening_at, period_end, day_only, status, source, source_key,
    source_url, created_by, change_seq, created_at, updated_at";

/// A value read back from a row: a code the domain does not know is an error.
pub(crate) fn parse<T>(r: std::result::Result<T, domain::Invalid>) -> Result<T> {
    r.map_err(|e| StoreError::Invalid(e.to_string()))
}

pub(crate) fn case<R: Cols>(row: &R) -> Result<Case> {
    let kind: String = row.col("kind")?;
    let category: String = row.col("category")?;
    let procedure: String = row.col("procedure")?;
    let status: String = row.col("status")?;
    Ok(Case {
        id: row.col("id")?,
        fields: NewCase {
            kind: parse(CaseKind::parse(&kind))?,
            title: row.col("title")?,
            description: row.col("description")?,
            category: parse(Category::parse(&category))?,
            procedure: parse(Procedure::parse(&procedure))?,
            organization_name: row.col("organization_name")?,
            organization_id: row.col("organization_id")?,
            company_id: row.col("company_id")?,
            contract_department_id: row.col("contract_department_id")?,
            prefecture_code: row.col("prefecture_code")?,
            municipality_code: row.col("municipality_code")?,
            municipality_name: row.col("municipality_name")?,
            qualification_grade: row.col("qualification_grade")?,
            published_at: row.col("published_at")?,
            application_deadline: row.col("application_deadline")?,
            submission_deadline: row.col("submission_deadline")?,
            opening_at: row.col("opening_at")?,
            period_end: row.col("period_end")?,
            day_only: parse(DayOnly::from_bits(row.col("day_only")?))?,
            status: parse(CaseStatus::parse(&status))?,
            source: row.col("source")?,
            source_key: row.col("source_key")?,
            source_url: row.col("source_url")?,
            documents: Vec::new(),
            created_by: row.col("created_by")?,
        },
        change_seq: row.col("change_seq")?,
        created_at: row.col("created_at")?,
        updated_at: row.col("updated_at")?,
    })
}

impl FromCols for Case {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        case(row)
    }
}

/// A document of a case, as read: (case, title, address).
struct DocumentRow(i64, String, String);

impl FromCols for DocumentRow {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        Ok(DocumentRow(
            row.col("case_id")?,
            row.col("title")?,
            row.col("url")?,
        ))
    }
}

/// An amendment, as read: (when, import run, changes as JSON text).
struct HistoryRow(i64, Option<i64>, String);

impl FromCols for HistoryRow {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        Ok(HistoryRow(
            row.col("changed_at")?,
            row.col("run_id")?,
            row.col("changes")?,
        ))
    }
}

pub(crate) async fn documents(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<(String, String)>> {
    let rows =
        sqlx::query("SELECT title, url FROM case_documents WHERE case_id = $1 ORDER BY sort_order")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("title")?, r.try_get("url")?)))
        .collect()
}

pub(crate) async fn write(
    conn: &mut AnyConnection,
    existing: Option<i64>,
    c: &NewCase,
    hash: &str,
    seq: i64,
    now: i64,
) -> Result<i64> {
    let sql = match existing {
        None => {
            "INSERT INTO cases (kind, title, description, category, procedure, organization_name,
                organization_id, company_id, contract_department_id, prefecture_code, municipality_code,
                municipality_name, qualification_grade, published_at, application_deadline,
                submission_deadline, opening_at, status, source, source_key, source_url, content_hash,
                created_by, change_seq, created_at, period_end, day_only, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                     $19, $20, $21, $22, $23, $24, $25, $26, $27, $25)
             RETURNING id"
        }
        Some(_) => {
            "UPDATE cases SET kind = $1, title = $2, description = $3, category = $4, procedure = $5,
                organization_name = $6, organization_id = $7, company_id = $8, contract_department_id = $9,
                prefecture_code = $10, municipality_code = $11, municipality_name = $12,
                qualification_grade = $13, published_at = $14, application_deadline = $15,
                submission_deadline = $16, opening_at = $17, status = $18, source = $19,
                source_key = $20, source_url = $21, content_hash = $22, created_by = COALESCE(created_by, $23),
                change_seq = $24, updated_at = $25, period_end = $26, day_only = $27
              WHERE id = $28
             RETURNING id"
        }
    };
    let q = bind_fields(sqlx::query_scalar(sql), c, hash, seq, now);
    let q = match existing {
        Some(id) => q.bind(id),
        None => q,
    };
    let id: i64 = q.fetch_one(&mut *conn).await?;
    sqlx::query("DELETE FROM case_documents WHERE case_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (i, (title, url)) in c.documents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_documents (case_id, title, url, sort_order) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(title)
        .bind(url)
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Takes the next change sequence number. Taking the head row first
/// serialises case writers on both engines, so numbers are handed out in
/// commit order.
pub(crate) async fn next_seq(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("UPDATE case_change_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Loads a case with its documents inside a transaction.
pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Case>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut c = case(&row)?;
    c.fields.documents = documents(conn, id).await?;
    Ok(Some(c))
}

type CaseQuery<'q> = sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>>;

/// Binds $1…$27 of both the INSERT and the UPDATE, in column order.
fn bind_fields<'q>(
    q: CaseQuery<'q>,
    c: &'q NewCase,
    hash: &'q str,
    seq: i64,
    now: i64,
) -> CaseQuery<'q> {
    q.bind(c.kind.as_str())
        .bind(&c.title)
        .bind(&c.description)
        .bind(c.category.as_str())
        .bind(c.procedure.as_str())
        .bind(&c.organization_name)
        .bind(c.organization_id)
        .bind(c.company_id)
        .bind(c.contract_department_id)
        .bind(c.prefecture_code)
        .bind(c.municipality_code.as_deref())
        .bind(c.municipality_name.as_deref())
        .bind(c.qualification_grade.as_deref())
        .bind(c.published_at)
        .bind(c.application_deadline)
        .bind(c.submission_deadline)
        .bind(c.opening_at)
        .bind(c.status.as_str())
        .bind(&c.source)
        .bind(&c.source_key)
        .bind(c.source_url.as_deref())
        .bind(hash)
        .bind(c.created_by)
        .bind(seq)
        .bind(now)
        .bind(c.period_end)
        .bind(c.day_only.bits())
}

impl Store {
    /// Writes one case; see `upsert_cases`.
    pub async fn upsert_case(&self, c: &NewCase, now: i64) -> Result<Upserted> {
        Ok(self.upsert_cases(std::slice::from_ref(c), now).await?[0])
    }

    /// Writes a batch in one transaction, keyed by (source, source key). All
    /// changed cases of the batch share one new change sequence number; an
    /// unchanged record is left alone.
    pub async fn upsert_cases(&self, batch: &[NewCase], now: i64) -> Result<Vec<Upserted>> {
        self.upsert_with_history(None, batch, now).await
    }

    /// Like `upsert_cases`, and every amendment is kept in the case's history
    /// (what changed, before and after), attributed to import run `run`.
    pub async fn upsert_with_history(
        &self,
        run: Option<i64>,
        batch: &[NewCase],
        now: i64,
    ) -> Result<Vec<Upserted>> {
        let mut tx = self.pool().begin().await?;
        // Taking the head row first serialises case writers on both engines,
        // so sequence numbers are handed out in commit order.
        let seq = next_seq(&mut tx).await?;
        let mut results = Vec::with_capacity(batch.len());
        for c in batch {
            let hash = c.content_hash();
            let found = sqlx::query(
                "SELECT id, content_hash FROM cases WHERE source = $1 AND source_key = $2",
            )
            .bind(&c.source)
            .bind(&c.source_key)
            .fetch_optional(&mut *tx)
            .await?;
            let result = match found {
                Some(row) => {
                    let id: i64 = row.try_get("id")?;
                    let old: String = row.try_get("content_hash")?;
                    if old == hash {
                        Upserted::Unchanged(id)
                    } else {
                        if let Some(before) = load(&mut tx, id).await? {
                            let diff = changes(&before.fields, c);
                            if !diff.is_empty() {
                                sqlx::query(
                                    "INSERT INTO case_history (case_id, run_id, changed_at, changes)
                                     VALUES ($1, $2, $3, $4)",
                                )
                                .bind(id)
                                .bind(run)
                                .bind(now)
                                .bind(serde_json::to_string(&diff).unwrap_or_default())
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                        Upserted::Updated(write(&mut tx, Some(id), c, &hash, seq, now).await?)
                    }
                }
                None => Upserted::Inserted(write(&mut tx, None, c, &hash, seq, now).await?),
            };
            results.push(result);
        }
        if results.iter().all(|r| matches!(r, Upserted::Unchanged(_))) {
            // Nothing changed: give the sequence number back.
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(results)
    }

    /// One case with its documents.
    pub async fn case(&self, id: i64) -> Result<Option<Case>> {
        Ok(self.cases_by_ids(&[id]).await?.pop())
    }

    /// Cases changed after sequence number `after`, oldest change first, at
    /// most `limit` (documents not loaded). A follower keeps the largest
    /// `change_seq` it has seen and asks again.
    pub async fn cases_changed_since(&self, after: i64, limit: i64) -> Result<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM cases WHERE change_seq > $1 ORDER BY change_seq, id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(case).collect()
    }

    /// The cases with these ids and their documents, in the order of `ids`
    /// (missing ones left out).
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let placeholders = placeholders.join(", ");
        let cases: Vec<Case> = self
            .read_rows(
                &format!("SELECT {COLUMNS} FROM cases WHERE id IN ({placeholders})"),
                ids,
            )
            .await?;
        let mut found: std::collections::HashMap<i64, Case> =
            cases.into_iter().map(|c| (c.id, c)).collect();
        let documents: Vec<DocumentRow> = self
            .read_rows(
                &format!(
                    "SELECT case_id, title, url FROM case_documents WHERE case_id IN ({placeholders})
                      ORDER BY case_id, sort_order"
                ),
                ids,
            )
            .await?;
        for DocumentRow(case_id, title, url) in documents {
            if let Some(c) = found.get_mut(&case_id) {
                c.fields.documents.push((title, url));
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Every case that carries change sequence number `seq`.
    pub async fn cases_with_seq(&self, seq: i64) -> Result<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM cases WHERE change_seq = $1 ORDER BY id"
        ))
        .bind(seq)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(case).collect()
    }

    /// The newest change sequence number handed out.
    pub async fn latest_case_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT seq FROM case_change_head WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// A case's amendments, newest first: (when, import run, changes).
    pub async fn case_history(
        &self,
        case_id: i64,
    ) -> Result<Vec<(i64, Option<i64>, Vec<serde_json::Value>)>> {
        let rows: Vec<HistoryRow> = self
            .read_rows(
                "SELECT changed_at, run_id, changes FROM case_history WHERE case_id = $1 ORDER BY id DESC",
                &[case_id],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|HistoryRow(at, run, changes)| {
                (at, run, serde_json::from_str(&changes).unwrap_or_default())
            })
            .collect())
    }

    /// Ids of public cases after `after`, in id order, at most `limit` (for
    /// exports that walk every case).
    pub async fn public_case_ids_after(&self, after: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT id FROM cases WHERE id > $1 AND status IN ({})
              ORDER BY id LIMIT $2",
            public_statuses()
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Public cases in the order they last changed, after position `after`
    /// (change sequence number, id) and changed at or after `since`, at most
    /// `limit`, with their documents: a feed a client pages through with the
    /// position of the last case it got.
    pub async fn public_cases_by_change(
        &self,
        after: (i64, i64),
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Case>> {
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM cases
              WHERE status IN ({})
                AND (change_seq > $1 OR (change_seq = $1 AND id > $2))
                AND updated_at >= $3
              ORDER BY change_seq, id LIMIT $4",
            public_statuses()
        ))
        .bind(after.0)
        .bind(after.1)
        .bind(since.unwrap_or(i64::MIN))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        self.cases_by_ids(&ids).await
    }

    /// The case a source keeps under `key`.
    pub async fn case_by_source_key(&self, source: &str, key: &str) -> Result<Option<Case>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE source = $1 AND source_key = $2")
                .bind(source)
                .bind(key)
                .fetch_optional(self.pool())
                .await?;
        match id {
            Some(id) => self.case(id).await,
            None => Ok(None),
        }
    }

    pub async fn count_cases(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases")
            .fetch_one(self.pool())
            .await?)
    }
}
