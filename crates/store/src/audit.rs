//! The audit log: staff actions, sign-ins and exports of personal data,
//! appended to a hash chain (see `domain::audit`). An entry is written in the
//! same transaction as the action it records.

use domain::audit::{AuditFields, entry_hash};
use sqlx::{AnyConnection, Row};

use crate::{Result, Store};

/// Who did something, from where; carried by every staff action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// A label that stays readable after the user is gone, e.g. "管理者 山田花子".
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The command line, for entries made by `chance-navi …` subcommands.
    pub fn cli(what: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("コマンド {what}"),
            ip: None,
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: i64,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    /// Free text or JSON; never passwords, tokens or bid contents.
    pub detail: &'a str,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
    pub ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            actor_label: &self.actor_label,
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            detail: &self.detail,
            ip: self.ip.as_deref(),
        }
    }
}

/// Which entries to list (all when empty), newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Actions starting with this, e.g. "company." or "sign_in".
    pub action_prefix: Option<String>,
    pub actor_id: Option<i64>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    pub entries: i64,
    /// The first entry that does not fit, and why; `None` when the chain is whole.
    pub first_broken: Option<(i64, String)>,
}

const COLUMNS: &str =
    "seq, at, actor_id, actor_label, action, target_type, target_id, detail, ip, prev_hash, hash";

fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_label: row.try_get("actor_label")?,
        action: row.try_get("action")?,
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        detail: row.try_get("detail")?,
        ip: row.try_get("ip")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Appends inside the caller's transaction. Updating `audit_head` first takes
/// its row lock (PostgreSQL) or the write lock (SQLite), so appenders queue
/// up and the chain never forks.
pub(crate) async fn append(conn: &mut AnyConnection, e: &NewAuditEntry<'_>) -> Result<i64> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let fields = AuditFields {
        seq,
        at: e.at,
        actor_id: e.actor.user_id,
        actor_label: &e.actor.label,
        action: e.action,
        target_type: e.target_type,
        target_id: e.target_id,
        detail: e.detail,
        ip: e.actor.ip.as_deref(),
    };
    let hash = entry_hash(&prev, &fields);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_label, action, target_type, target_id,
                                detail, ip, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(e.at)
    .bind(e.actor.user_id)
    .bind(&e.actor.label)
    .bind(e.action)
    .bind(e.target_type)
    .bind(e.target_id)
    .bind(e.detail)
    .bind(e.actor.ip.as_deref())
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

impl Store {
    /// Appends one entry in a transaction of its own; returns its sequence number.
    pub async fn append_audit(&self, e: &NewAuditEntry<'_>) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let seq = append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
        let mut n = 0;
        let mut param = || {
            n += 1;
            format!("${n}")
        };
        if filter.action_prefix.is_some() {
            sql.push_str(&format!(" AND action LIKE {} ESCAPE '\\'", param()));
        }
        if filter.actor_id.is_some() {
            sql.push_str(&format!(" AND actor_id = {}", param()));
        }
        if filter.from.is_some() {
            sql.push_str(&format!(" AND at >= {}", param()));
        }
        if filter.until.is_some() {
            sql.push_str(&format!(" AND at < {}", param()));
        }
        sql.push_str(&format!(
            " ORDER BY seq DESC LIMIT {} OFFSET {}",
            param(),
            param()
        ));
        let mut q = sqlx::query(&sql);
        if let Some(prefix) = &filter.action_prefix {
            let escaped = prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q = q.bind(format!("{escaped}%"));
        }
        if let Some(actor) = filter.actor_id {
            q = q.bind(actor);
        }
        if let Some(from) = filter.from {
            q = q.bind(from);
        }
        if let Some(until) = filter.until {
            q = q.bind(until);
        }
        let limit = if filter.limit <= 0 {
            100
        } else {
            filter.limit.min(1000)
        };
        let rows = q
            .bind(limit)
            .bind(filter.offset.max(0))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry).collect()
    }

    /// Recomputes the whole chain, oldest first, a page at a time. Names the
    /// first entry that was edited, inserted or deleted.
    pub async fn verify_audit_chain(&self) -> Result<AuditVerification> {
        const PAGE: i64 = 1000;
        let mut expected_seq = 1;
        let mut prev = String::new();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"
            ))
            .bind(expected_seq)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            let done = (rows.len() as i64) < PAGE;
            for row in &rows {
                let e = entry(row)?;
                let broken = |why: String| {
                    Ok(AuditVerification {
                        entries: e.seq - 1,
                        first_broken: Some((e.seq, why)),
                    })
                };
                if e.seq != expected_seq {
                    return Ok(AuditVerification {
                        entries: expected_seq - 1,
                        first_broken: Some((
                            expected_seq,
                            format!(
                                "entry {expected_seq} is missing (the next one is {})",
                                e.seq
                            ),
                        )),
                    });
                }
                if e.prev_hash != prev {
                    return broken(format!(
                        "entry {} does not follow the entry before it (previous hash differs)",
                        e.seq
                    ));
                }
                if entry_hash(&prev, &e.fields()) != e.hash {
                    return broken(format!("entry {} was changed after it was written", e.seq));
                }
                prev = e.hash;
                expected_seq += 1;
            }
            if done {
                break;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let last = expected_seq - 1;
        if head_seq != last || head_hash != prev {
            return Ok(AuditVerification {
                entries: last,
                first_broken: Some((
                    last + 1,
                    format!(
                        "the log ends at entry {last} but {head_seq} were written: the newest entries were deleted"
                    ),
                )),
            });
        }
        Ok(AuditVerification {
            entries: last,
            first_broken: None,
        })
    }
}
