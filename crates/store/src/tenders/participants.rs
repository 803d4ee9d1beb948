//! Who takes part in a tender: applications, the review, nominations, 技術点,
//! and questions with their public answers.

use domain::tender::Action;
use sqlx::{AnyConnection, Row};

use crate::audit::Actor;
use crate::cases::{Case, parse as code};
use crate::orders::{FILE_META, FileMeta, FileOwner, NewFile, file_meta, insert_file};
use crate::outbox::NewMail;
use crate::{Result, Store, StoreError};

use super::*;

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

fn question<R: crate::read::Cols>(r: &R) -> Result<Question> {
    Ok(Question {
        id: r.col("id")?,
        case_id: r.col("case_id")?,
        company_id: r.col("company_id")?,
        question: r.col("question")?,
        asked_at: r.col("asked_at")?,
        answer: r.col("answer")?,
        answered_at: r.col("answered_at")?,
    })
}

impl crate::read::FromCols for Question {
    fn from_cols<R: crate::read::Cols>(row: &R) -> Result<Self> {
        question(row)
    }
}

impl Store {
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
        } else {
            t.tender.check_not_final(now).map_err(refused)?;
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
        let mut conn = self.pool().acquire().await?;
        standing(&mut conn, case_id, company_id).await
    }
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
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.case_id)
        .bind(a.company_id)
        .bind(Participation::Applied.as_str())
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
        status
            .check_decision(reason, Some(Participation::Applied), false)
            .map_err(refused)?;
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        t.tender.apply(Action::Decide, now).map_err(refused)?;
        let current = standing(&mut tx, case_id, company_id).await?;
        let has_bid: Option<i64> =
            sqlx::query_scalar("SELECT id FROM bids WHERE case_id = $1 AND company_id = $2")
                .bind(case_id)
                .bind(company_id)
                .fetch_optional(&mut *tx)
                .await?;
        status
            .check_decision(reason, current, has_bid.is_some())
            .map_err(refused)?;
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
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
        let now_standing = standing(&mut tx, case_id, company_id).await?;
        domain::tender::check_technical_score(t.award_method, score, now_standing)
            .map_err(refused)?;
        t.tender.apply(Action::Score, now).map_err(refused)?;
        sqlx::query(
            "UPDATE tender_participants SET technical_score = $3
              WHERE case_id = $1 AND company_id = $2",
        )
        .bind(case_id)
        .bind(company_id)
        .bind(score)
        .execute(&mut *tx)
        .await?;
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
        t.tender.check_not_final(now).map_err(refused)?;
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
        self.read_rows(
            "SELECT id, case_id, company_id, question, asked_at, answer, answered_at
               FROM tender_questions WHERE case_id = $1 ORDER BY asked_at, id",
            &[case_id],
        )
        .await
    }
}
