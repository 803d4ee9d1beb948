//! Sealed bids and declines with their receipts, and the opening's record.

use domain::audit::sha256_hex;
use domain::tender::{Action, Validity};
use sqlx::{AnyConnection, Row};

use crate::audit::Actor;
use crate::cases::parse as code;
use crate::durable::{self, Durable};
use crate::outbox::{self, NewMail};
use crate::read::{Cols, FromCols};
use crate::{Result, Store, StoreError};

use super::*;

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

/// A bid's receipt from its row (`receipt_no`, `received_at`, `declined`, `sealed_hash`).
pub(super) fn receipt<R: Cols>(r: &R) -> Result<Receipt> {
    Ok(Receipt {
        receipt_no: r.col("receipt_no")?,
        received_at: r.col("received_at")?,
        sealed_hash: r.col("sealed_hash")?,
        declined: r.col::<i32>("declined")? == 1,
    })
}

/// A tender's opening as read, before its results are attached.
struct OpeningRow(OpeningRecord);

impl FromCols for OpeningRow {
    fn from_cols<R: Cols>(row: &R) -> Result<Self> {
        Ok(OpeningRow(OpeningRecord {
            opened_at: row.col("opened_at")?,
            opened_by: row.col("opened_by")?,
            winner_bid: row.col("winner_bid")?,
            kuji_sum: row.col("kuji_sum")?,
            kuji_drawn: row.col::<Option<i32>>("kuji_drawn")?.map(i64::from),
            results: Vec::new(),
        }))
    }
}

impl FromCols for BidResult {
    fn from_cols<R: Cols>(r: &R) -> Result<Self> {
        Ok(BidResult {
            bid_id: r.col("bid_id")?,
            company_name: r.col("company_name")?,
            receipt: receipt(r)?,
            amount_yen: r.col("amount_yen")?,
            technical_score: r.col("technical_score")?,
            kuji: r.col::<i32>("kuji").map(i64::from)?,
            validity: code(Validity::from_code(&r.col::<String>("validity")?))?,
            kuji_position: r.col::<Option<i32>>("kuji_position")?.map(i64::from),
            kuji_part: r.col("kuji_part")?,
        })
    }
}

impl Store {
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
        let openings: Vec<OpeningRow> = self
            .read_rows(
                "SELECT opened_at, opened_by, winner_bid, kuji_sum, kuji_drawn FROM tender_openings
                  WHERE case_id = $1",
                &[case_id],
            )
            .await?;
        let Some(OpeningRow(mut opening)) = openings.into_iter().next() else {
            return Ok(None);
        };
        opening.results = self
            .read_rows(
                "SELECT r.bid_id, c.name AS company_name, r.amount_yen, r.technical_score, r.kuji, r.validity,
                        r.kuji_position, r.kuji_part, b.receipt_no, b.received_at, b.declined, b.sealed_hash
                   FROM bid_results r JOIN bids b ON b.id = r.bid_id JOIN companies c ON c.id = b.company_id
                  WHERE r.case_id = $1 ORDER BY b.received_at, b.id",
                &[case_id],
            )
            .await?;
        Ok(Some(opening))
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
    let now_standing = standing(&mut *conn, case_id, company_id).await?;
    domain::tender::check_bidder(now_standing).map_err(refused)?;
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
