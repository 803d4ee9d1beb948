//! Import runs, the quarantine of records set aside, and the lock that keeps
//! a scheduled run to one node.

use sqlx::Row;

use crate::read::{Cols, FromCols};
use crate::{Result, Store, StoreError};

impl FromCols for CaseResult {
    fn from_cols<R: Cols>(r: &R) -> Result<Self> {
        let kind: String = r.col("kind")?;
        Ok(CaseResult {
            sealed_sha256: None,
            kind: if kind == "award" { "award" } else { "bid" },
            external_id: r.col("external_id")?,
            party: r.col("party")?,
            amount: r.col("amount")?,
            currency: r.col("currency")?,
            status: r.col("status")?,
            date: r.col("result_date")?,
        })
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Running => "実行中",
            RunStatus::Succeeded => "完了",
            RunStatus::Failed => "失敗",
        }
    }

    fn parse(s: &str) -> Result<RunStatus> {
        Ok(match s {
            "running" => RunStatus::Running,
            "succeeded" => RunStatus::Succeeded,
            "failed" => RunStatus::Failed,
            other => return Err(StoreError::Invalid(format!("run status {other}"))),
        })
    }
}

/// An award or a bid a source published for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// "award" or "bid".
    pub kind: &'static str,
    pub external_id: String,
    /// The supplier(s) or tenderer(s), by name.
    pub party: String,
    /// As the source wrote it (a decimal number).
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub status: Option<String>,
    pub date: Option<i64>,
    /// For a bid opened here: the SHA-256 of the sealed bid, on its bidder's
    /// receipt (not stored with imported results, which have none).
    pub sealed_sha256: Option<String>,
}

/// Counts of a run so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Records read so far.
    pub seen: i64,
    /// Records the input holds, once known.
    pub expected: Option<i64>,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Records that are not cases by design (an OCDS planning release), not errors.
    pub skipped: i64,
}

/// One import run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRun {
    pub id: i64,
    pub source: String,
    /// The file or URL read (without credentials).
    pub origin: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: RunStatus,
    pub counts: RunCounts,
    pub error: Option<String>,
    /// When the run last showed progress.
    pub heartbeat_at: Option<i64>,
}

impl ImportRun {
    /// Percent done, when the size of the input is known.
    pub fn percent(&self) -> Option<i64> {
        let expected = self.counts.expected.filter(|e| *e > 0)?;
        Some((self.counts.seen * 100 / expected).clamp(0, 100))
    }
}

/// A run that has shown no progress for this long (it records progress
/// every batch) is taken to have died or hung.
pub const SILENT_RUN_MS: i64 = 3600 * 1000;

/// How one source's imports stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceHealth {
    pub newest: ImportRun,
    /// When a run of the source last finished without failing.
    pub last_success: Option<i64>,
}

impl SourceHealth {
    /// Whether an operator should be alerted: the newest run failed, or it
    /// is still shown running but has been silent too long.
    pub fn is_failing(&self, now: i64) -> bool {
        match self.newest.status {
            RunStatus::Failed => true,
            RunStatus::Succeeded => false,
            RunStatus::Running => {
                self.newest.heartbeat_at.unwrap_or(self.newest.started_at) < now - SILENT_RUN_MS
            }
        }
    }
}

/// A record set aside, with its reason and its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub id: i64,
    pub run_id: i64,
    pub source: String,
    pub source_key: Option<String>,
    pub reason: String,
    pub raw: String,
    pub created_at: i64,
}

const RUN_COLUMNS: &str = "id, source, origin, started_at, finished_at, status, seen, expected,
    inserted, updated, unchanged, rejected, skipped, error, heartbeat_at";

fn run(row: &sqlx::any::AnyRow) -> Result<ImportRun> {
    let status: String = row.try_get("status")?;
    Ok(ImportRun {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        origin: row.try_get("origin")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        status: RunStatus::parse(&status)?,
        counts: RunCounts {
            seen: row.try_get("seen")?,
            expected: row.try_get("expected")?,
            inserted: row.try_get("inserted")?,
            updated: row.try_get("updated")?,
            unchanged: row.try_get("unchanged")?,
            rejected: row.try_get("rejected")?,
            skipped: row.try_get("skipped")?,
        },
        error: row.try_get("error")?,
        heartbeat_at: row.try_get("heartbeat_at")?,
    })
}

impl Store {
    /// Records the start of a run.
    pub async fn start_import_run(&self, source: &str, origin: &str, now: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO import_runs (source, origin, started_at, status) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(source)
        .bind(origin)
        .bind(now)
        .bind(RunStatus::Running.as_str())
        .fetch_one(self.pool())
        .await?)
    }

    /// Writes a run's counts so far (the admin page shows its progress) and
    /// that it is alive at `now`.
    pub async fn record_import_progress(&self, run: i64, c: &RunCounts, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE import_runs SET seen = $2, expected = $3, inserted = $4, updated = $5,
                    unchanged = $6, rejected = $7, skipped = $8, heartbeat_at = $9
              WHERE id = $1",
        )
        .bind(run)
        .bind(c.seen)
        .bind(c.expected)
        .bind(c.inserted)
        .bind(c.updated)
        .bind(c.unchanged)
        .bind(c.rejected)
        .bind(c.skipped)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks as failed every run still shown as running that has shown no
    /// progress since `silent_since` (its process died or hung); returns how
    /// many. The reason says so in Japanese.
    pub async fn abandon_silent_import_runs(&self, silent_since: i64, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE import_runs SET status = $1, finished_at = $2,
                    error = '実行中のまま応答がなくなりました（処理が異常終了したか、止まっています）。'
              WHERE status = $3 AND COALESCE(heartbeat_at, started_at) < $4",
        )
        .bind(RunStatus::Failed.as_str())
        .bind(now)
        .bind(RunStatus::Running.as_str())
        .bind(silent_since)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Whether a run of `source` is going on (shown as running and not silent
    /// since `alive_since`).
    pub async fn import_running(&self, source: &str, alive_since: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM import_runs
              WHERE source = $1 AND status = $2 AND COALESCE(heartbeat_at, started_at) >= $3",
        )
        .bind(source)
        .bind(RunStatus::Running.as_str())
        .bind(alive_since)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Each source's newest run and when it last succeeded, by source name:
    /// what an operator's health check and the metrics read.
    pub async fn import_health(&self) -> Result<Vec<SourceHealth>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM import_runs r
              WHERE id = (SELECT MAX(id) FROM import_runs x WHERE x.source = r.source)
              ORDER BY source"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let newest = run(row)?;
            let last_success: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(finished_at) FROM import_runs WHERE source = $1 AND status = $2",
            )
            .bind(&newest.source)
            .bind(RunStatus::Succeeded.as_str())
            .fetch_one(self.pool())
            .await?;
            out.push(SourceHealth {
                newest,
                last_success,
            });
        }
        Ok(out)
    }

    /// Records how a run ended: its final counts, and the error if it failed.
    pub async fn finish_import_run(
        &self,
        run: i64,
        c: &RunCounts,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        self.record_import_progress(run, c, now).await?;
        let status = if error.is_some() {
            RunStatus::Failed
        } else {
            RunStatus::Succeeded
        };
        sqlx::query(
            "UPDATE import_runs SET status = $2, error = $3, finished_at = $4 WHERE id = $1",
        )
        .bind(run)
        .bind(status.as_str())
        .bind(error)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Sets a record aside with the reason and its raw text.
    pub async fn quarantine(
        &self,
        run: i64,
        source: &str,
        source_key: Option<&str>,
        reason: &str,
        raw: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO import_quarantine (run_id, source, source_key, reason, raw, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(run)
        .bind(source)
        .bind(source_key)
        .bind(reason)
        .bind(raw)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces a case's published results with `results`.
    pub async fn replace_case_results(&self, case_id: i64, results: &[CaseResult]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM case_results WHERE case_id = $1")
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        for r in results {
            sqlx::query(
                "INSERT INTO case_results (case_id, kind, external_id, party, amount, currency, status, result_date)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(case_id)
            .bind(r.kind)
            .bind(&r.external_id)
            .bind(&r.party)
            .bind(r.amount.as_deref())
            .bind(r.currency.as_deref())
            .bind(r.status.as_deref())
            .bind(r.date)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A case's published results: awards first, then bids, in the order stored.
    pub async fn case_results(&self, case_id: i64) -> Result<Vec<CaseResult>> {
        self.read_rows(
            "SELECT kind, external_id, party, amount, currency, status, result_date FROM case_results
              WHERE case_id = $1 ORDER BY CASE kind WHEN 'award' THEN 0 ELSE 1 END, id",
            &[case_id],
        )
        .await
    }

    pub async fn import_run(&self, id: i64) -> Result<Option<ImportRun>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM import_runs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(run).transpose()
    }

    /// The newest runs first.
    pub async fn import_runs(&self, limit: i64) -> Result<Vec<ImportRun>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM import_runs ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run).collect()
    }

    /// The records a run set aside, in the order they came.
    pub async fn quarantined(&self, run: i64) -> Result<Vec<Quarantined>> {
        let rows = sqlx::query(
            "SELECT id, run_id, source, source_key, reason, raw, created_at FROM import_quarantine
              WHERE run_id = $1 ORDER BY id",
        )
        .bind(run)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Quarantined {
                    id: r.try_get("id")?,
                    run_id: r.try_get("run_id")?,
                    source: r.try_get("source")?,
                    source_key: r.try_get("source_key")?,
                    reason: r.try_get("reason")?,
                    raw: r.try_get("raw")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// The releases kept for contracting process `ocid`, as (release id, JSON).
    pub async fn ocds_releases(&self, ocid: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT release_id, body FROM ocds_releases WHERE ocid = $1
              ORDER BY release_date, release_id",
        )
        .bind(ocid)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("release_id")?, r.try_get("body")?)))
            .collect()
    }

    /// Keeps releases of `ocid` (release id, date, JSON); a release id seen
    /// before is replaced by the newer copy.
    pub async fn save_ocds_releases(
        &self,
        ocid: &str,
        releases: &[(String, Option<i64>, String)],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for (id, date, body) in releases {
            sqlx::query(
                "INSERT INTO ocds_releases (ocid, release_id, release_date, body, imported_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (ocid, release_id)
                 DO UPDATE SET release_date = excluded.release_date, body = excluded.body,
                               imported_at = excluded.imported_at",
            )
            .bind(ocid)
            .bind(id)
            .bind(*date)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
