//! E-tenders stored: the tender beside its case (schedule, 予定価格,
//! 最低制限価格, award method, keys), the companies taking part, and the
//! sealed bids. Every rule of time and state is the domain's
//! (`domain::tender`); this module applies it inside the transaction that
//! writes, so that the server's clock at the moment of writing decides.

use domain::tender::{Action, AwardMethod, Schedule, Stage, Tender};
use domain::{CaseStatus, audit::sha256_hex};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Actor, NewAuditEntry};
use crate::cases::{self, NewCase};
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
    pub public_key: Vec<u8>,
    pub wrapped_secret: Vec<u8>,
}

/// Where a company stands in a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participation {
    Applied,
    Approved,
    Rejected,
    /// 指名 (designated competitive tendering).
    Nominated,
}

impl Participation {
    pub fn as_str(self) -> &'static str {
        match self {
            Participation::Applied => "applied",
            Participation::Approved => "approved",
            Participation::Rejected => "rejected",
            Participation::Nominated => "nominated",
        }
    }

    pub fn may_bid(self) -> bool {
        matches!(self, Participation::Approved | Participation::Nominated)
    }

    fn parse(s: &str) -> Result<Participation> {
        Ok(match s {
            "applied" => Participation::Applied,
            "approved" => Participation::Approved,
            "rejected" => Participation::Rejected,
            "nominated" => Participation::Nominated,
            other => return Err(StoreError::Invalid(format!("participation {other}"))),
        })
    }
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
    pub amount_yen: i64,
    pub technical_score: i64,
    pub kuji: i64,
    /// "valid", "over_ceiling", "under_minimum", "malformed".
    pub validity: String,
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

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Draft => "draft",
        Stage::Live => "live",
        Stage::Opened => "opened",
        Stage::Awarded => "awarded",
        Stage::Unsuccessful => "unsuccessful",
        Stage::Cancelled => "cancelled",
    }
}

fn stage_of(s: &str) -> Result<Stage> {
    Ok(match s {
        "draft" => Stage::Draft,
        "live" => Stage::Live,
        "opened" => Stage::Opened,
        "awarded" => Stage::Awarded,
        "unsuccessful" => Stage::Unsuccessful,
        "cancelled" => Stage::Cancelled,
        other => return Err(StoreError::Invalid(format!("tender stage {other}"))),
    })
}

fn method_name(m: AwardMethod) -> &'static str {
    match m {
        AwardMethod::LowestPrice => "lowest_price",
        AwardMethod::Comprehensive => "comprehensive",
    }
}

const TENDER_COLUMNS: &str = "case_id, stage, published_at, application_deadline,
    qualification_notice_at, bidding_opens_at, bid_deadline, opening_at, ceiling_yen,
    ceiling_public, minimum_yen, award_method, public_key, wrapped_secret";

fn record(r: &sqlx::any::AnyRow) -> Result<TenderRecord> {
    let stage: String = r.try_get("stage")?;
    let method: String = r.try_get("award_method")?;
    Ok(TenderRecord {
        case_id: r.try_get("case_id")?,
        tender: Tender {
            stage: stage_of(&stage)?,
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
        award_method: if method == "comprehensive" {
            AwardMethod::Comprehensive
        } else {
            AwardMethod::LowestPrice
        },
        public_key: r.try_get("public_key")?,
        wrapped_secret: r.try_get("wrapped_secret")?,
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
        let mut case = t.case.clone();
        case.status = CaseStatus::Draft;
        case.source = crate::PORTAL_SOURCE.to_owned();
        case.source_key = format!("tender-{seq}");
        case.published_at = Some(t.schedule.published_at);
        case.application_deadline = Some(t.schedule.application_deadline);
        case.submission_deadline = Some(t.schedule.bid_deadline);
        case.opening_at = Some(t.schedule.opening_at);
        let id = cases::write(&mut tx, None, &case, &case.content_hash(), seq, now).await?;
        let (public, wrapped) = keys(id).map_err(StoreError::Invalid)?;
        sqlx::query(&format!(
            "INSERT INTO tenders ({TENDER_COLUMNS}, created_by, created_at, updated_at)
             VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)"
        ))
        .bind(id)
        .bind(t.schedule.published_at)
        .bind(t.schedule.application_deadline)
        .bind(t.schedule.qualification_notice_at)
        .bind(t.schedule.bidding_opens_at)
        .bind(t.schedule.bid_deadline)
        .bind(t.schedule.opening_at)
        .bind(t.ceiling_yen)
        .bind(i32::from(t.ceiling_public))
        .bind(t.minimum_yen)
        .bind(method_name(t.award_method))
        .bind(public)
        .bind(wrapped)
        .bind(t.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
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
        .bind(stage_name(t.tender.stage))
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
            case.fields.status = match t.tender.stage {
                Stage::Draft => CaseStatus::Draft,
                Stage::Live => CaseStatus::Open,
                Stage::Opened => CaseStatus::Closed,
                Stage::Awarded => CaseStatus::Awarded,
                Stage::Unsuccessful | Stage::Cancelled => CaseStatus::Cancelled,
            };
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
            Action::Apply | Action::Bid | Action::Decline => "tender.action",
        };
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: name,
                target_type: "tender",
                target_id: &case_id.to_string(),
                detail: "",
            },
        )
        .await?;
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
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: &format!("tender.participation.{}", status.as_str()),
                target_type: "tender",
                target_id: &case_id.to_string(),
                detail: &format!("company={company_id}"),
            },
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
        s.map(|s| Participation::parse(&s)).transpose()
    }

    /// Receives a company's sealed bid (`sealed`), or its 辞退 (`None`), by
    /// the server's clock at `now`: only while bids are accepted, only from
    /// an approved or nominated company, once. The receipt and its audit
    /// entry (receipt number and hash, never the amount) are written in the
    /// same transaction; when this returns, the bid is stored.
    pub async fn submit_bid(
        &self,
        case_id: i64,
        company_id: i64,
        user_id: Option<i64>,
        sealed: Option<&[u8]>,
        actor: &Actor,
        now: i64,
    ) -> Result<Receipt> {
        let mut tx = self.pool().begin().await?;
        let mut t = locked(&mut tx, case_id).await?;
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
        .fetch_optional(&mut *tx)
        .await?;
        if !status
            .map(|s| Participation::parse(&s))
            .transpose()?
            .is_some_and(Participation::may_bid)
        {
            return Err(StoreError::Invalid(
                "この案件に入札できるのは、参加資格を認められた企業（指名された企業）だけです。"
                    .into(),
            ));
        }
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM bids WHERE case_id = $1 AND company_id = $2")
                .bind(case_id)
                .bind(company_id)
                .fetch_optional(&mut *tx)
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
        .fetch_one(&mut *tx)
        .await?;
        let receipt_no = format!("{case_id}-{id:07}");
        sqlx::query("UPDATE bids SET receipt_no = $2 WHERE id = $1")
            .bind(id)
            .bind(&receipt_no)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: if sealed.is_some() {
                    "tender.bid_received"
                } else {
                    "tender.bid_declined"
                },
                target_type: "tender",
                target_id: &case_id.to_string(),
                detail: &format!("receipt={receipt_no} sha256={sealed_hash}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Receipt {
            receipt_no,
            received_at: now,
            sealed_hash,
            declined: sealed.is_none(),
        })
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
            .bind(stage_name(t.tender.stage))
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
            .bind(&r.validity)
            .bind(r.kuji_position)
            .bind(r.kuji_part)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &NewAuditEntry {
                at: now,
                actor,
                action: "tender.open",
                target_type: "tender",
                target_id: &case_id.to_string(),
                detail: &format!(
                    "bids={} winner_bid={}",
                    outcome.results.len(),
                    outcome
                        .winner_bid
                        .map_or_else(|| "none".to_owned(), |w| w.to_string())
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The opening's outcome, once the tender was opened.
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
                    r.kuji_position, r.kuji_part
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
                amount_yen: r.try_get("amount_yen")?,
                technical_score: r.try_get("technical_score")?,
                kuji: r.try_get::<i32, _>("kuji").map(i64::from)?,
                validity: r.try_get("validity")?,
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
                let declined = r.try_get::<i32, _>("declined")? == 1;
                Ok(SealedBid {
                    id: r.try_get("id")?,
                    company_id: r.try_get("company_id")?,
                    sealed: r.try_get("sealed")?,
                    receipt: Receipt {
                        receipt_no: r.try_get("receipt_no")?,
                        received_at: r.try_get("received_at")?,
                        sealed_hash: r.try_get("sealed_hash")?,
                        declined,
                    },
                })
            })
            .collect()
    }
}
