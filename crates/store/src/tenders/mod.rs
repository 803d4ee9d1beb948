//! E-tenders stored: the tender beside its case (schedule, 予定価格,
//! 最低制限価格, award method, keys), the companies taking part, and the
//! sealed bids. Every rule of time and state is the domain's
//! (`domain::tender`); this module applies it inside the transaction that
//! writes, so that the server's clock at the moment of writing decides.

use domain::CaseStatus;
use domain::tender::{Action, AwardMethod, Requirements, Schedule, Stage, Tender};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::cases::{self, Case, NewCase, parse as code};
use crate::orders::{FileOwner, NewFile, insert_file};
use crate::outbox::{self, NewMail};
use crate::{Result, Store, StoreError};

/// A new e-tender: its case (kind 電子調達案件) and its terms.
#[derive(Debug, Clone)]
pub struct NewTender {
    pub case: NewCase,
    pub schedule: Schedule,
    pub ceiling_yen: i64,
    /// 予定価格 published beforehand (else kept secret until the opening).
    pub ceiling_public: bool,
    pub minimum_yen: Option<i64>,
    pub award_method: AwardMethod,
    pub requirements: Requirements,
    /// 入札説明書, 仕様書 and the like, already checked.
    pub documents: Vec<NewFile>,
    pub created_by: Option<i64>,
}

/// A stored tender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderRecord {
    pub case_id: i64,
    pub tender: Tender,
    pub ceiling_yen: i64,
    pub ceiling_public: bool,
    pub minimum_yen: Option<i64>,
    pub award_method: AwardMethod,
    pub requirements: Requirements,
    pub public_key: Vec<u8>,
    pub wrapped_secret: Vec<u8>,
}

mod bids;
mod participants;

use bids::receipt;

pub use bids::{BidResult, OpeningRecord, Receipt, SealedBid};
pub use domain::tender::Participation;
pub use participants::{Application, CompanyTender, Participant, Question};

const TENDER_COLUMNS: &str = "case_id, stage, published_at, application_deadline,
    qualification_notice_at, bidding_opens_at, bid_deadline, opening_at, ceiling_yen,
    ceiling_public, minimum_yen, award_method, public_key, wrapped_secret, required_grades,
    required_prefectures, required_industries, requested_documents";

/// "A,B" ⇄ ["A", "B"].
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn record<R: crate::read::Cols>(r: &R) -> Result<TenderRecord> {
    let stage: String = r.col("stage")?;
    let method: String = r.col("award_method")?;
    Ok(TenderRecord {
        case_id: r.col("case_id")?,
        tender: Tender {
            stage: code(Stage::from_code(&stage))?,
            schedule: Schedule {
                published_at: r.col("published_at")?,
                application_deadline: r.col("application_deadline")?,
                qualification_notice_at: r.col("qualification_notice_at")?,
                bidding_opens_at: r.col("bidding_opens_at")?,
                bid_deadline: r.col("bid_deadline")?,
                opening_at: r.col("opening_at")?,
            },
        },
        ceiling_yen: r.col("ceiling_yen")?,
        ceiling_public: r.col::<i32>("ceiling_public")? == 1,
        minimum_yen: r.col("minimum_yen")?,
        award_method: code(AwardMethod::from_code(&method))?,
        requirements: Requirements {
            grades: list(&r.col::<String>("required_grades")?),
            prefectures: list(&r.col::<String>("required_prefectures")?)
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            industries: list(&r.col::<String>("required_industries")?),
            documents: r.col("requested_documents")?,
        },
        public_key: r.col("public_key")?,
        wrapped_secret: r.col("wrapped_secret")?,
    })
}

impl crate::read::FromCols for TenderRecord {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        record(row)
    }
}

/// The columns a tender's terms fill, and their placeholders ($2…$15).
const TERM_COLUMNS: &str = "published_at, application_deadline, qualification_notice_at,
    bidding_opens_at, bid_deadline, opening_at, ceiling_yen, ceiling_public, minimum_yen,
    award_method, required_grades, required_prefectures, required_industries, requested_documents";
const TERM_VALUES: &str = "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds the terms of `t` in the order of `TERM_COLUMNS`.
fn with_terms<'q>(q: AnyQuery<'q>, t: &NewTender) -> AnyQuery<'q> {
    let s = t.schedule;
    let r = &t.requirements;
    q.bind(s.published_at)
        .bind(s.application_deadline)
        .bind(s.qualification_notice_at)
        .bind(s.bidding_opens_at)
        .bind(s.bid_deadline)
        .bind(s.opening_at)
        .bind(t.ceiling_yen)
        .bind(i32::from(t.ceiling_public))
        .bind(t.minimum_yen)
        .bind(t.award_method.as_str())
        .bind(r.grades.join(","))
        .bind(
            r.prefectures
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(r.industries.join(","))
        .bind(r.documents.clone())
}

/// The case fields a tender's terms decide.
fn case_for(t: &NewTender, mut case: NewCase) -> NewCase {
    // A tender's case is an e-tender, whatever the caller filled in: pages
    // look for a tender only behind an e-tender.
    case.kind = domain::CaseKind::ETender;
    case.source = crate::PORTAL_SOURCE.to_owned();
    case.published_at = Some(t.schedule.published_at);
    case.application_deadline = Some(t.schedule.application_deadline);
    case.submission_deadline = Some(t.schedule.bid_deadline);
    case.opening_at = Some(t.schedule.opening_at);
    if let Some(grades) = t.requirements.grade_label() {
        case.qualification_grade = Some(grades);
    }
    case
}

async fn enqueue_all(conn: &mut AnyConnection, mails: &[NewMail], now: i64) -> Result<()> {
    for m in mails {
        outbox::enqueue(conn, m, now).await?;
    }
    Ok(())
}

impl Store {
    async fn audited(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        action: &str,
        case_id: i64,
        detail: &str,
        now: i64,
    ) -> Result<()> {
        self.append_audit_in(
            conn,
            &NewAuditEntry {
                at: now,
                actor,
                action,
                target_type: "tender",
                target_id: &case_id.to_string(),
                detail,
            },
        )
        .await?;
        Ok(())
    }
}

/// The tender row, locked for this transaction. Writing first takes the
/// write lock at once on both engines (SQLite: the transaction is a writer
/// from its first statement, so a concurrent bid waits instead of failing
/// to upgrade; PostgreSQL: the row is locked), which serialises every
/// decision about one tender.
async fn locked(conn: &mut AnyConnection, case_id: i64) -> Result<TenderRecord> {
    let touched = sqlx::query("UPDATE tenders SET updated_at = updated_at WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    if touched.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    let row = sqlx::query(&format!(
        "SELECT {TENDER_COLUMNS} FROM tenders WHERE case_id = $1"
    ))
    .bind(case_id)
    .fetch_one(&mut *conn)
    .await?;
    record(&row)
}

/// Where company `company_id` stands in tender `case_id` (None: not taking part).
async fn standing(
    conn: &mut AnyConnection,
    case_id: i64,
    company_id: i64,
) -> Result<Option<Participation>> {
    let s: Option<String> = sqlx::query_scalar(
        "SELECT status FROM tender_participants WHERE case_id = $1 AND company_id = $2",
    )
    .bind(case_id)
    .bind(company_id)
    .fetch_optional(&mut *conn)
    .await?;
    s.map(|s| code(Participation::from_code(&s))).transpose()
}

fn refused(e: domain::Invalid) -> StoreError {
    StoreError::Invalid(e.message().to_owned())
}

impl Store {
    /// Creates a draft e-tender. `keys(case_id)` makes the tender's key pair
    /// once its id is known: (public key, wrapped private key).
    pub async fn create_tender(
        &self,
        t: &NewTender,
        keys: impl FnOnce(i64) -> std::result::Result<(Vec<u8>, Vec<u8>), String>,
        now: i64,
    ) -> Result<i64> {
        t.schedule.check().map_err(refused)?;
        let mut tx = self.pool().begin().await?;
        let seq = cases::next_seq(&mut tx).await?;
        let mut case = case_for(t, t.case.clone());
        case.status = CaseStatus::Draft;
        case.source_key = format!("tender-{seq}");
        case.documents.clear();
        let id = cases::write(&mut tx, None, &case, &case.content_hash(), seq, now).await?;
        let (public, wrapped) = keys(id).map_err(StoreError::Invalid)?;
        let sql = format!(
            "INSERT INTO tenders (case_id, {TERM_COLUMNS}, stage, public_key, wrapped_secret,
                                  created_by, created_at, updated_at)
             VALUES ($1, {TERM_VALUES}, 'draft', $16, $17, $18, $19, $19)"
        );
        with_terms(sqlx::query(&sql).bind(id), t)
            .bind(public)
            .bind(wrapped)
            .bind(t.created_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        attach_documents(&mut tx, id, &case, &t.documents, t.created_by, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Rewrites a draft tender (its case, terms, schedule and requirements),
    /// adding `t.documents` and removing the documents `remove`. `Invalid`
    /// once it is published: a published tender changes only by 変更公告.
    pub async fn update_tender_draft(
        &self,
        case_id: i64,
        t: &NewTender,
        remove: &[i64],
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        t.schedule.check().map_err(refused)?;
        let mut tx = self.pool().begin().await?;
        let current = locked(&mut tx, case_id).await?;
        current.tender.check_editable().map_err(refused)?;
        let old = cases::load(&mut tx, case_id)
            .await?
            .ok_or(StoreError::Stale)?;
        let mut case = case_for(t, t.case.clone());
        case.status = CaseStatus::Draft;
        case.source_key = old.fields.source_key;
        let sql = format!(
            "UPDATE tenders SET ({TERM_COLUMNS}, updated_at) = ({TERM_VALUES}, $16)
              WHERE case_id = $1"
        );
        with_terms(sqlx::query(&sql).bind(case_id), t)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for file in remove {
            sqlx::query("DELETE FROM files WHERE id = $1 AND case_id = $2")
                .bind(*file)
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
        }
        attach_documents(&mut tx, case_id, &case, &t.documents, actor.user_id, now).await?;
        self.audited(&mut tx, actor, "tender.edit", case_id, "", now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn tender(&self, case_id: i64) -> Result<Option<TenderRecord>> {
        let rows: Vec<TenderRecord> = self
            .read_rows(
                &format!("SELECT {TENDER_COLUMNS} FROM tenders WHERE case_id = $1"),
                &[case_id],
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// A staff action on the tender (publish, cancel, open, award…), by the
    /// domain's rules at `now`; the case's status follows and the action is
    /// audited. `Invalid` with the reason when the rules refuse it.
    pub async fn tender_action(
        &self,
        case_id: i64,
        action: Action,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        self.tender_action_mailing(case_id, action, actor, &[], now)
            .await
    }

    /// `tender_action`, queuing `mails` (変更公告 and 中止 to every company
    /// taking part) in the same transaction.
    pub async fn tender_action_mailing(
        &self,
        case_id: i64,
        action: Action,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let seq = cases::next_seq(&mut tx).await?;
        let mut t = locked(&mut tx, case_id).await?;
        t.tender.apply(action, now).map_err(refused)?;
        sqlx::query(
            "UPDATE tenders SET stage = $2, published_at = $3, application_deadline = $4,
                    qualification_notice_at = $5, bidding_opens_at = $6, bid_deadline = $7,
                    opening_at = $8, updated_at = $9
              WHERE case_id = $1",
        )
        .bind(case_id)
        .bind(t.tender.stage.as_str())
        .bind(t.tender.schedule.published_at)
        .bind(t.tender.schedule.application_deadline)
        .bind(t.tender.schedule.qualification_notice_at)
        .bind(t.tender.schedule.bidding_opens_at)
        .bind(t.tender.schedule.bid_deadline)
        .bind(t.tender.schedule.opening_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(mut case) = cases::load(&mut tx, case_id).await? {
            case.fields.status = t.tender.stage.case_status();
            let s = t.tender.schedule;
            case.fields.published_at = Some(s.published_at);
            case.fields.application_deadline = Some(s.application_deadline);
            case.fields.submission_deadline = Some(s.bid_deadline);
            case.fields.opening_at = Some(s.opening_at);
            cases::write(
                &mut tx,
                Some(case_id),
                &case.fields,
                &case.fields.content_hash(),
                seq,
                now,
            )
            .await?;
        }
        let name = match action {
            Action::Publish => "tender.publish",
            Action::Amend(_) => "tender.amend",
            Action::Cancel => "tender.cancel",
            Action::Open => "tender.open",
            Action::Award => "tender.award",
            Action::DeclareUnsuccessful => "tender.unsuccessful",
            Action::Apply
            | Action::Bid
            | Action::Decline
            | Action::Ask
            | Action::Decide
            | Action::Score => "tender.action",
        };
        enqueue_all(&mut tx, mails, now).await?;
        self.audited(&mut tx, actor, name, case_id, "", now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Stores `files` as documents of the tender's case and lists every
/// document on the case, under a new sequence number so that search follows.
async fn attach_documents(
    conn: &mut AnyConnection,
    case_id: i64,
    case: &NewCase,
    files: &[NewFile],
    user_id: Option<i64>,
    now: i64,
) -> Result<()> {
    for f in files {
        insert_file(conn, FileOwner::Case(case_id), f, user_id, now).await?;
    }
    let mut case = case.clone();
    case.documents = crate::orders::case_files(conn, case_id)
        .await?
        .into_iter()
        .map(|f| (f.name.clone(), f.href()))
        .collect();
    let seq = cases::next_seq(conn).await?;
    cases::write(conn, Some(case_id), &case, &case.content_hash(), seq, now).await?;
    Ok(())
}

impl Store {
    /// The e-tenders company `company_id` takes part in — applied to,
    /// nominated for, bid on or declined — newest first (by the tender's
    /// opening), each with its receipt if it has bid or declined.
    pub async fn company_tenders(&self, company_id: i64) -> Result<Vec<CompanyTender>> {
        let rows = sqlx::query(
            "SELECT p.case_id, p.status, b.receipt_no, b.received_at, b.declined, b.sealed_hash
               FROM tender_participants p
               JOIN tenders t ON t.case_id = p.case_id
               LEFT JOIN bids b ON b.case_id = p.case_id AND b.company_id = p.company_id
              WHERE p.company_id = $1
              ORDER BY t.opening_at DESC, p.case_id DESC",
        )
        .bind(company_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("case_id")?;
            let participation = code(Participation::from_code(&r.try_get::<String, _>("status")?))?;
            let has_bid = r.try_get::<Option<String>, _>("receipt_no")?.is_some();
            let receipt = if has_bid { Some(receipt(&r)?) } else { None };
            if let (Some(case), Some(tender)) = (self.case(id).await?, self.tender(id).await?) {
                out.push(CompanyTender {
                    case,
                    tender,
                    participation,
                    receipt,
                });
            }
        }
        Ok(out)
    }

    /// The e-tenders an organisation's staff manage (every tender for `None`,
    /// the portal's administrators), newest first.
    pub async fn staff_tenders(
        &self,
        organization_id: Option<i64>,
    ) -> Result<Vec<(Case, TenderRecord)>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT t.case_id FROM tenders t JOIN cases c ON c.id = t.case_id
              WHERE $1 IS NULL OR c.organization_id = $1
              ORDER BY t.created_at DESC, t.case_id DESC",
        )
        .bind(organization_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for id in ids {
            if let (Some(c), Some(t)) = (self.case(id).await?, self.tender(id).await?) {
                out.push((c, t));
            }
        }
        Ok(out)
    }
}
