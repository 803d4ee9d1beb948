//! E-tenders stored: the tender beside its case (schedule, 予定価格,
//! 最低制限価格, award method, keys), the companies taking part, and the
//! sealed bids. Every rule of time and state is the domain's
//! (`domain::tender`); this module applies it inside the transaction that
//! writes, so that the server's clock at the moment of writing decides.

use domain::tender::{Action, AwardMethod, Requirements, Schedule, Stage, Tender, Validity};
use domain::{CaseStatus, audit::sha256_hex};
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, NewAuditEntry};
use crate::cases::{self, Case, NewCase, parse as code};
use crate::durable::{self, Durable};
use crate::orders::{FILE_META, FileMeta, FileOwner, NewFile, file_meta, insert_file};
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

pub use domain::tender::Participation;

/// A company taking part in a tender, as staff review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub prefecture_code: i64,
    pub industry_division: String,
    pub status: Participation,
    pub reason: Option<String>,
    pub declared_grade: Option<String>,
    pub message: String,
    pub technical_score: Option<i64>,
    pub applied_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub files: Vec<FileMeta>,
}

/// An application to take part (参加希望申請).
#[derive(Debug, Clone)]
pub struct Application<'a> {
    pub case_id: i64,
    pub company_id: i64,
    pub user_id: Option<i64>,
    /// The 参加資格等級 the company declares.
    pub grade: Option<&'a str>,
    pub message: &'a str,
    pub files: &'a [NewFile],
}

/// A question (質問) and, once given, its public answer (回答). Who asked is
/// kept for staff only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub case_id: i64,
    pub company_id: i64,
    pub question: String,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

/// A company's part in one e-tender, for its my page: how it takes part
/// (参加申請, 指名 …) and its bid's or 辞退's receipt once it has one.
#[derive(Debug, Clone)]
pub struct CompanyTender {
    pub case: Case,
    pub tender: TenderRecord,
    pub participation: Participation,
    pub receipt: Option<Receipt>,
}

/// What the bidder is given on receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// 受付番号.
    pub receipt_no: String,
    /// The server's time of receipt (ms).
    pub received_at: i64,
    /// SHA-256 of the sealed bid (empty input for a decline).
    pub sealed_hash: String,
    pub declined: bool,
}

/// One bid as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidResult {
    pub bid_id: i64,
    /// The bidder (filled in when read back; ignored when recorded).
    pub company_name: String,
    /// The receipt the bidder was given — 受付番号 and the SHA-256 of the
    /// sealed bid — published with the result so that each bidder can check
    /// that what was opened is what it sent (read back from the bid;
    /// ignored when recorded).
    pub receipt: Receipt,
    pub amount_yen: i64,
    pub technical_score: i64,
    pub kuji: i64,
    pub validity: Validity,
    /// For a tied bid: its くじ number (0, 1, 2… in receipt order) and its part of the sum.
    pub kuji_position: Option<i64>,
    pub kuji_part: Option<i64>,
}

/// The outcome of an opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningRecord {
    pub opened_at: i64,
    pub opened_by: String,
    pub winner_bid: Option<i64>,
    pub kuji_sum: Option<i64>,
    pub kuji_drawn: Option<i64>,
    pub results: Vec<BidResult>,
}

/// A stored bid, still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBid {
    pub id: i64,
    pub company_id: i64,
    pub receipt: Receipt,
    pub sealed: Option<Vec<u8>>,
}

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

fn record(r: &sqlx::any::AnyRow) -> Result<TenderRecord> {
    let stage: String = r.try_get("stage")?;
    let method: String = r.try_get("award_method")?;
    Ok(TenderRecord {
        case_id: r.try_get("case_id")?,
        tender: Tender {
            stage: code(Stage::from_code(&stage))?,
            schedule: Schedule {
                published_at: r.try_get("published_at")?,
                application_deadline: r.try_get("application_deadline")?,
                qualification_notice_at: r.try_get("qualification_notice_at")?,
                bidding_opens_at: r.try_get("bidding_opens_at")?,
                bid_deadline: r.try_get("bid_deadline")?,
                opening_at: r.try_get("opening_at")?,
            },
        },
        ceiling_yen: r.try_get("ceiling_yen")?,
        ceiling_public: r.try_get::<i32, _>("ceiling_public")? == 1,
        minimum_yen: r.try_get("minimum_yen")?,
        award_method: code(AwardMethod::from_code(&method))?,
        requirements: Requirements {
            grades: list(&r.try_get::<String, _>("required_grades")?),
            prefectures: list(&r.try_get::<String, _>("required_prefectures")?)
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            industries: list(&r.try_get::<String, _>("required_industries")?),
            documents: r.try_get("requested_documents")?,
        },
        public_key: r.try_get("public_key")?,
        wrapped_secret: r.try_get("wrapped_secret")?,
    })
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
    case.source = crate::PORTAL_SOURCE.to_owned();
    case.published_at = Some(t.schedule.published_at);
    case.application_deadline = Some(t.schedule.application_deadline);
    case.submission_deadline = Some(t.schedule.bid_deadline);
    case.opening_at = Some(t.schedule.opening_at);
    if !t.requirements.grades.is_empty() {
        case.qualification_grade = Some(format!("{}等級", t.requirements.grades.join("・")));
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

const PARTICIPANT_SELECT: &str = "SELECT p.id, p.company_id, c.name AS company_name,
        c.prefecture_code, c.industry_division, p.status, p.reason, p.declared_grade, p.message,
        p.technical_score, p.applied_at, p.decided_at
   FROM tender_participants p JOIN companies c ON c.id = p.company_id";

fn participant(r: &sqlx::any::AnyRow) -> Result<Participant> {
    Ok(Participant {
        id: r.try_get("id")?,
        company_id: r.try_get("company_id")?,
        company_name: r.try_get("company_name")?,
        prefecture_code: r.try_get::<i32, _>("prefecture_code").map(i64::from)?,
        industry_division: r.try_get("industry_division")?,
        status: code(Participation::from_code(&r.try_get::<String, _>("status")?))?,
        reason: r.try_get("reason")?,
        declared_grade: r.try_get("declared_grade")?,
        message: r.try_get("message")?,
        technical_score: r.try_get("technical_score")?,
        applied_at: r.try_get("applied_at")?,
        decided_at: r.try_get("decided_at")?,
        files: Vec::new(),
    })
}

/// A bid's receipt from its row (`receipt_no`, `received_at`, `declined`, `sealed_hash`).
fn receipt(r: &sqlx::any::AnyRow) -> Result<Receipt> {
    Ok(Receipt {
        receipt_no: r.try_get("receipt_no")?,
        received_at: r.try_get("received_at")?,
        sealed_hash: r.try_get("sealed_hash")?,
        declined: r.try_get::<i32, _>("declined")? == 1,
    })
}

fn question(r: &sqlx::any::AnyRow) -> Result<Question> {
    Ok(Question {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        company_id: r.try_get("company_id")?,
        question: r.try_get("question")?,
        asked_at: r.try_get("asked_at")?,
        answer: r.try_get("answer")?,
        answered_at: r.try_get("answered_at")?,
    })
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
        if current.tender.stage != Stage::Draft {
            return Err(StoreError::Invalid(
                "公告済みの案件は編集できません。日程の変更は変更公告で行ってください。".into(),
            ));
        }
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
        let row = sqlx::query(&format!(
            "SELECT {TENDER_COLUMNS} FROM tenders WHERE case_id = $1"
        ))
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(record).transpose()
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

    /// Records a company's participation (its application during the
    /// application period, or staff's decision or nomination), audited.
    pub async fn set_participation(
        &self,
        case_id: i64,
        company_id: i64,
        status: Participation,
        reason: Option<&str>,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        if status == Participation::Applied {
            t.tender.apply(Action::Apply, now).map_err(refused)?;
        } else if t.tender.phase(now).is_final() {
            return Err(StoreError::Invalid("この案件は終了しています。".into()));
        }
        upsert_participant(&mut tx, case_id, company_id, status, reason, now).await?;
        self.audited(
            &mut tx,
            actor,
            &format!("tender.participation.{}", status.as_str()),
            case_id,
            &format!("company={company_id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn participation(
        &self,
        case_id: i64,
        company_id: i64,
    ) -> Result<Option<Participation>> {
        let s: Option<String> = sqlx::query_scalar(
            "SELECT status FROM tender_participants WHERE case_id = $1 AND company_id = $2",
        )
        .bind(case_id)
        .bind(company_id)
        .fetch_optional(self.pool())
        .await?;
        s.map(|s| code(Participation::from_code(&s))).transpose()
    }

    /// Receives a company's sealed bid (`sealed`), or its 辞退 (`None`), by
    /// the server's clock at `now`: only while bids are accepted, only from
    /// an approved or nominated company, once. The receipt and its audit
    /// entry (receipt number and hash, never the amount) are written in the
    /// same transaction, committed durably (SQLite `synchronous = FULL`,
    /// PostgreSQL `synchronous_commit = on`): when this returns, the bid is
    /// on disk and survives a power cut.
    pub async fn submit_bid(
        &self,
        case_id: i64,
        company_id: i64,
        user_id: Option<i64>,
        sealed: Option<&[u8]>,
        actor: &Actor,
        now: i64,
    ) -> Result<Receipt> {
        self.submit_bid_mailing(
            case_id,
            company_id,
            user_id,
            sealed,
            actor,
            |_| Vec::new(),
            now,
        )
        .await
    }

    /// [`Store::submit_bid`], with the mails `receipt_mails` composes from
    /// the receipt (受付番号 and hash, never the amount) queued in the same
    /// transaction: a receipt mail goes out exactly when the bid is stored.
    #[expect(
        clippy::too_many_arguments,
        reason = "the bid's facts, each its own value"
    )]
    pub async fn submit_bid_mailing(
        &self,
        case_id: i64,
        company_id: i64,
        user_id: Option<i64>,
        sealed: Option<&[u8]>,
        actor: &Actor,
        receipt_mails: impl Fn(&Receipt) -> Vec<NewMail>,
        now: i64,
    ) -> Result<Receipt> {
        let mut durable = Durable::acquire(self).await?;
        let outcome = async {
            let mut tx = durable.begin().await?;
            let receipt = receive_bid(
                self, &mut tx, case_id, company_id, user_id, sealed, actor, now,
            )
            .await?;
            for m in receipt_mails(&receipt) {
                outbox::enqueue(&mut tx, &m, now).await?;
            }
            tx.commit().await?;
            Ok(receipt)
        }
        .await;
        durable.release().await;
        outcome
    }

    /// What the engine says, inside the transaction a bid is written in,
    /// about that transaction's commit: SQLite's `synchronous` ("full": the
    /// write-ahead log is synced at the commit), PostgreSQL's
    /// `synchronous_commit` ("on"). The bid path's durability, for tests and
    /// `chance-navi bench bids`.
    pub async fn bid_commit_durability(&self) -> Result<String> {
        let mut durable = Durable::acquire(self).await?;
        let engine = self.engine();
        let level = async {
            let mut tx = durable.begin().await?;
            let level = durable::level(&mut tx, engine).await?;
            tx.rollback().await?;
            Ok(level)
        }
        .await;
        durable.release().await;
        level
    }

    /// Opens the tender at `now` by the domain's rules (at or after the
    /// opening time) and records each bid as opened and the outcome, with
    /// an audit entry, in one transaction. The caller decrypted the bids.
    pub async fn record_opening(
        &self,
        case_id: i64,
        outcome: &OpeningRecord,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        t.tender.apply(Action::Open, now).map_err(refused)?;
        sqlx::query("UPDATE tenders SET stage = $2, updated_at = $3 WHERE case_id = $1")
            .bind(case_id)
            .bind(t.tender.stage.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO tender_openings (case_id, opened_at, opened_by, winner_bid, kuji_sum, kuji_drawn)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(now)
        .bind(&actor.label)
        .bind(outcome.winner_bid)
        .bind(outcome.kuji_sum)
        .bind(outcome.kuji_drawn)
        .execute(&mut *tx)
        .await?;
        for r in &outcome.results {
            sqlx::query(
                "INSERT INTO bid_results (bid_id, case_id, amount_yen, technical_score, kuji, validity,
                                          kuji_position, kuji_part)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(r.bid_id)
            .bind(case_id)
            .bind(r.amount_yen)
            .bind(r.technical_score)
            .bind(r.kuji)
            .bind(r.validity.as_str())
            .bind(r.kuji_position)
            .bind(r.kuji_part)
            .execute(&mut *tx)
            .await?;
        }
        self.audited(
            &mut tx,
            actor,
            "tender.open",
            case_id,
            &format!(
                "bids={} winner_bid={}",
                outcome.results.len(),
                outcome
                    .winner_bid
                    .map_or_else(|| "none".to_owned(), |w| w.to_string())
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The opening's outcome, once the tender was opened: every opened bid
    /// with its bidder, amount, validity, くじ figures and receipt (受付番号
    /// and SHA-256), in order of receipt — everything that is published with
    /// the result (the case page, the API, the OCDS export). `None` before
    /// the opening, so nothing of it can be published early.
    pub async fn opening(&self, case_id: i64) -> Result<Option<OpeningRecord>> {
        let Some(row) = sqlx::query(
            "SELECT opened_at, opened_by, winner_bid, kuji_sum, kuji_drawn FROM tender_openings
              WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let results = sqlx::query(
            "SELECT r.bid_id, c.name AS company_name, r.amount_yen, r.technical_score, r.kuji, r.validity,
                    r.kuji_position, r.kuji_part, b.receipt_no, b.received_at, b.declined, b.sealed_hash
               FROM bid_results r JOIN bids b ON b.id = r.bid_id JOIN companies c ON c.id = b.company_id
              WHERE r.case_id = $1 ORDER BY b.received_at, b.id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(BidResult {
                bid_id: r.try_get("bid_id")?,
                company_name: r.try_get("company_name")?,
                receipt: receipt(r)?,
                amount_yen: r.try_get("amount_yen")?,
                technical_score: r.try_get("technical_score")?,
                kuji: r.try_get::<i32, _>("kuji").map(i64::from)?,
                validity: code(Validity::from_code(&r.try_get::<String, _>("validity")?))?,
                kuji_position: r.try_get::<Option<i32>, _>("kuji_position")?.map(i64::from),
                kuji_part: r.try_get("kuji_part")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(OpeningRecord {
            opened_at: row.try_get("opened_at")?,
            opened_by: row.try_get("opened_by")?,
            winner_bid: row.try_get("winner_bid")?,
            kuji_sum: row.try_get("kuji_sum")?,
            kuji_drawn: row.try_get::<Option<i32>, _>("kuji_drawn")?.map(i64::from),
            results,
        }))
    }

    /// The bidding companies' names by bid id.
    pub async fn bid_company_names(
        &self,
        case_id: i64,
    ) -> Result<std::collections::HashMap<i64, String>> {
        let rows = sqlx::query(
            "SELECT b.id, c.name FROM bids b JOIN companies c ON c.id = b.company_id WHERE b.case_id = $1",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    /// The tender's bids, still sealed, in order of receipt.
    pub async fn sealed_bids(&self, case_id: i64) -> Result<Vec<SealedBid>> {
        let rows = sqlx::query(
            "SELECT id, company_id, receipt_no, received_at, declined, sealed, sealed_hash FROM bids
              WHERE case_id = $1 ORDER BY received_at, id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SealedBid {
                    id: r.try_get("id")?,
                    company_id: r.try_get("company_id")?,
                    sealed: r.try_get("sealed")?,
                    receipt: receipt(r)?,
                })
            })
            .collect()
    }
}

/// The bid's checks and writes, inside the durable transaction `conn`.
#[expect(
    clippy::too_many_arguments,
    reason = "one bid's facts, written together in the caller's transaction"
)]
async fn receive_bid(
    store: &Store,
    conn: &mut AnyConnection,
    case_id: i64,
    company_id: i64,
    user_id: Option<i64>,
    sealed: Option<&[u8]>,
    actor: &Actor,
    now: i64,
) -> Result<Receipt> {
    let mut t = locked(&mut *conn, case_id).await?;
    let action = if sealed.is_some() {
        Action::Bid
    } else {
        Action::Decline
    };
    t.tender.apply(action, now).map_err(refused)?;
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM tender_participants WHERE case_id = $1 AND company_id = $2",
    )
    .bind(case_id)
    .bind(company_id)
    .fetch_optional(&mut *conn)
    .await?;
    if !status
        .map(|s| code(Participation::from_code(&s)))
        .transpose()?
        .is_some_and(Participation::may_bid)
    {
        return Err(StoreError::Invalid(
            "この案件に入札できるのは、参加資格を認められた企業（指名された企業）だけです。".into(),
        ));
    }
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM bids WHERE case_id = $1 AND company_id = $2")
            .bind(case_id)
            .bind(company_id)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict { field: "bid" });
    }
    let sealed_hash = sha256_hex(sealed.unwrap_or_default());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bids (case_id, company_id, user_id, receipt_no, received_at, declined, sealed, sealed_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(case_id)
    .bind(company_id)
    .bind(user_id)
    .bind(format!("pending-{case_id}-{company_id}"))
    .bind(now)
    .bind(i32::from(sealed.is_none()))
    .bind(sealed)
    .bind(&sealed_hash)
    .fetch_one(&mut *conn)
    .await?;
    let receipt_no = format!("{case_id}-{id:07}");
    sqlx::query("UPDATE bids SET receipt_no = $2 WHERE id = $1")
        .bind(id)
        .bind(&receipt_no)
        .execute(&mut *conn)
        .await?;
    store
        .audited(
            &mut *conn,
            actor,
            if sealed.is_some() {
                "tender.bid_received"
            } else {
                "tender.bid_declined"
            },
            case_id,
            &format!("receipt={receipt_no} sha256={sealed_hash}"),
            now,
        )
        .await?;
    Ok(Receipt {
        receipt_no,
        received_at: now,
        sealed_hash,
        declined: sealed.is_none(),
    })
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

async fn upsert_participant(
    conn: &mut AnyConnection,
    case_id: i64,
    company_id: i64,
    status: Participation,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tender_participants (case_id, company_id, status, reason, applied_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id, company_id) DO UPDATE
            SET status = excluded.status, reason = excluded.reason, decided_at = excluded.decided_at",
    )
    .bind(case_id)
    .bind(company_id)
    .bind(status.as_str())
    .bind(reason)
    .bind((status == Participation::Applied).then_some(now))
    .bind((status != Participation::Applied).then_some(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// A company applies to take part (参加希望申請) during the application
    /// period, with the grade it declares, a message and documents; `mails`
    /// (to the organisation's staff) are queued and the application audited
    /// in the same transaction. `Conflict { field: "application" }` when the
    /// company already applied or was nominated.
    pub async fn apply_to_tender(
        &self,
        a: &Application<'_>,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, a.case_id).await?;
        t.tender.apply(Action::Apply, now).map_err(refused)?;
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM tender_participants WHERE case_id = $1 AND company_id = $2",
        )
        .bind(a.case_id)
        .bind(a.company_id)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: "application",
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_participants (case_id, company_id, status, declared_grade, message,
                                              applied_at)
             VALUES ($1, $2, 'applied', $3, $4, $5) RETURNING id",
        )
        .bind(a.case_id)
        .bind(a.company_id)
        .bind(a.grade)
        .bind(a.message)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for f in a.files {
            insert_file(&mut tx, FileOwner::Participant(id), f, a.user_id, now).await?;
        }
        enqueue_all(&mut tx, mails, now).await?;
        self.audited(
            &mut tx,
            actor,
            "tender.participation.applied",
            a.case_id,
            &format!("company={} files={}", a.company_id, a.files.len()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Staff decide on an application (資格審査: approved, or rejected with
    /// its reason) or nominate a company (指名通知), from 公告 until bidding
    /// closes; the company is mailed (`mails`) in the same transaction.
    #[expect(clippy::too_many_arguments, reason = "each is a fact of the decision")]
    pub async fn decide_participation(
        &self,
        case_id: i64,
        company_id: i64,
        status: Participation,
        reason: Option<&str>,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        if status == Participation::Applied {
            return Err(StoreError::Invalid("審査の結果を選んでください。".into()));
        }
        if status == Participation::Rejected && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Invalid(
                "参加資格を認めない理由を入力してください。".into(),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        t.tender.apply(Action::Decide, now).map_err(refused)?;
        let current: Option<String> = sqlx::query_scalar(
            "SELECT status FROM tender_participants WHERE case_id = $1 AND company_id = $2",
        )
        .bind(case_id)
        .bind(company_id)
        .fetch_optional(&mut *tx)
        .await?;
        let has_bid: Option<i64> =
            sqlx::query_scalar("SELECT id FROM bids WHERE case_id = $1 AND company_id = $2")
                .bind(case_id)
                .bind(company_id)
                .fetch_optional(&mut *tx)
                .await?;
        if has_bid.is_some() {
            return Err(StoreError::Invalid(
                "入札（または辞退）を受け付けた企業の参加資格は変更できません。".into(),
            ));
        }
        if status != Participation::Nominated && current.is_none() {
            return Err(StoreError::Invalid(
                "この企業からの参加申請はありません。".into(),
            ));
        }
        upsert_participant(&mut tx, case_id, company_id, status, reason, now).await?;
        enqueue_all(&mut tx, mails, now).await?;
        self.audited(
            &mut tx,
            actor,
            &format!("tender.participation.{}", status.as_str()),
            case_id,
            &format!("company={company_id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every company taking part, in order of application, with its documents.
    pub async fn participants(&self, case_id: i64) -> Result<Vec<Participant>> {
        let rows = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE p.case_id = $1 ORDER BY p.id"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = rows.iter().map(participant).collect::<Result<Vec<_>>>()?;
        let files = sqlx::query(&format!(
            "SELECT {FILE_META}, participant_id FROM files
              WHERE participant_id IN (SELECT id FROM tender_participants WHERE case_id = $1)
              ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        for f in &files {
            let owner: i64 = f.try_get("participant_id")?;
            if let Some(p) = out.iter_mut().find(|p| p.id == owner) {
                p.files.push(file_meta(f)?);
            }
        }
        Ok(out)
    }

    /// One company's part in a tender.
    pub async fn participant(&self, case_id: i64, company_id: i64) -> Result<Option<Participant>> {
        Ok(self
            .participants(case_id)
            .await?
            .into_iter()
            .find(|p| p.company_id == company_id))
    }

    /// Records a company's 技術点 for 総合評価, before the opening, audited.
    pub async fn set_technical_score(
        &self,
        case_id: i64,
        company_id: i64,
        score: i64,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        if !(0..=1_000_000).contains(&score) {
            return Err(StoreError::Invalid(
                "技術点は0以上1,000,000以下の整数で入力してください。".into(),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        if t.award_method != AwardMethod::Comprehensive {
            return Err(StoreError::Invalid(
                "技術点は総合評価落札方式の案件だけに登録します。".into(),
            ));
        }
        t.tender.apply(Action::Score, now).map_err(refused)?;
        let done = sqlx::query(
            "UPDATE tender_participants SET technical_score = $3
              WHERE case_id = $1 AND company_id = $2 AND status IN ('approved', 'nominated')",
        )
        .bind(case_id)
        .bind(company_id)
        .bind(score)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Invalid(
                "技術点は参加資格を認めた企業（指名した企業）に登録します。".into(),
            ));
        }
        self.audited(
            &mut tx,
            actor,
            "tender.technical_score",
            case_id,
            &format!("company={company_id} score={score}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A company asks a question in the question period; staff are mailed.
    pub async fn ask_question(
        &self,
        case_id: i64,
        company_id: i64,
        text: &str,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        t.tender.apply(Action::Ask, now).map_err(refused)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_questions (case_id, company_id, question, asked_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(case_id)
        .bind(company_id)
        .bind(text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        enqueue_all(&mut tx, mails, now).await?;
        self.audited(
            &mut tx,
            actor,
            "tender.question",
            case_id,
            &format!("question={id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Staff answer (or correct the answer to) a question; the answer is
    /// published with the question and `mails` go to everyone taking part.
    pub async fn answer_question(
        &self,
        case_id: i64,
        question_id: i64,
        answer: &str,
        actor: &Actor,
        mails: &[NewMail],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let t = locked(&mut tx, case_id).await?;
        if t.tender.phase(now).is_final() {
            return Err(StoreError::Invalid("この案件は終了しています。".into()));
        }
        let done = sqlx::query(
            "UPDATE tender_questions SET answer = $3, answered_at = $4, answered_by = $5
              WHERE id = $1 AND case_id = $2",
        )
        .bind(question_id)
        .bind(case_id)
        .bind(answer)
        .bind(now)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        enqueue_all(&mut tx, mails, now).await?;
        self.audited(
            &mut tx,
            actor,
            "tender.answer",
            case_id,
            &format!("question={question_id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tender's questions in the order asked.
    pub async fn questions(&self, case_id: i64) -> Result<Vec<Question>> {
        let rows = sqlx::query(
            "SELECT id, case_id, company_id, question, asked_at, answer, answered_at
               FROM tender_questions WHERE case_id = $1 ORDER BY asked_at, id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(question).collect()
    }

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
