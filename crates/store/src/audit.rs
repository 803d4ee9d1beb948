//! The audit log: staff actions, sign-ins and exports of personal data,
//! appended to a hash chain (see `domain::audit`). An entry is written in the
//! same transaction as the action it records, its hash keyed with the audit
//! key that the database never holds. Signed checkpoints of the head are
//! kept in `audit_checkpoints` (and published); verifying holds the chain to
//! them and to any that outsiders kept.

use domain::audit::{AuditFields, AuditKeys, ChainCheck, Checkpoint, StoredEntry};
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// The schema version that brought keyed hashes and checkpoints; reading
/// the chain needs it.
pub const AUDIT_SCHEMA_VERSION: i64 = 18;

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
    /// The actor's name now (`audit_entries` only; the label is what was
    /// written at the time).
    pub actor_name: Option<String>,
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
    /// This action exactly.
    pub action: Option<String>,
    pub actor_id: Option<i64>,
    /// Actors whose name or mail address (as now) contains this.
    pub person: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// Entries checked and found whole.
    pub entries: i64,
    /// The first entry with a keyed hash; those before were written before the
    /// audit key existed (version 1).
    pub keyed_from: i64,
    /// Checkpoints (stored and given) the chain was held to.
    pub checkpoints: usize,
    /// The first entry that does not fit, and why; `None` when the chain is whole.
    pub first_broken: Option<(i64, String)>,
    /// Checkpoints refused because this server's key did not sign them.
    pub refused: Vec<String>,
}

impl AuditVerification {
    /// Nothing wrong: every entry fits and every checkpoint was genuine.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none() && self.refused.is_empty()
    }
}

/// The newest entry as `audit_head` records it, and the keyed boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub keyed_from: i64,
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
        actor_name: None,
    })
}

/// Appends inside the caller's transaction. Updating `audit_head` first takes
/// its row lock (PostgreSQL) or the write lock (SQLite), so appenders queue
/// up and the chain never forks. Entries appended since migration 0018 are
/// all at or past the keyed boundary, so the hash is always keyed.
async fn append(conn: &mut AnyConnection, keys: &AuditKeys, e: &NewAuditEntry<'_>) -> Result<i64> {
    // Every action the code records is labelled for the audit log's readers;
    // the test suites run this on every action they cause.
    debug_assert!(
        domain::audit::action_label(e.action).is_some(),
        "audit action {:?} has no label in domain::audit::actions",
        e.action
    );
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
    let hash = keys.entry_hash(&prev, &fields);
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

const CHECKPOINT_COLUMNS: &str = "seq, head_hash, at, keyed_from, signature";

fn checkpoint(row: &sqlx::any::AnyRow) -> Result<Checkpoint> {
    Ok(Checkpoint {
        seq: row.try_get("seq")?,
        head_hash: row.try_get("head_hash")?,
        at: row.try_get("at")?,
        keyed_from: row.try_get("keyed_from")?,
        signature: row.try_get("signature")?,
    })
}

fn stored_origin(cp: &Checkpoint) -> String {
    format!(
        "the stored checkpoint of {}",
        domain::time::jst_rfc3339(cp.at)
    )
}

impl Store {
    /// Appends inside the caller's transaction (see `append`); fails without
    /// the audit key, and so does the action it records.
    pub(crate) async fn append_audit_in(
        &self,
        conn: &mut AnyConnection,
        e: &NewAuditEntry<'_>,
    ) -> Result<i64> {
        append(conn, self.audit_keys()?, e).await
    }

    /// Appends one entry in a transaction of its own; returns its sequence number.
    pub async fn append_audit(&self, e: &NewAuditEntry<'_>) -> Result<i64> {
        let keys = self.audit_keys()?;
        let mut tx = self.pool().begin().await?;
        let seq = append(&mut tx, keys, e).await?;
        tx.commit().await?;
        Ok(seq)
    }
    /// Entries matching `filter`, newest first, with each actor's name now.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = format!(
            "SELECT {COLUMNS}, u.name AS actor_name
               FROM audit_log LEFT JOIN users u ON u.id = audit_log.actor_id WHERE 1 = 1"
        );
        let mut n = 0;
        let mut param = || {
            n += 1;
            format!("${n}")
        };
        if filter.action_prefix.is_some() {
            sql.push_str(&format!(" AND action LIKE {} ESCAPE '\\'", param()));
        }
        if filter.action.is_some() {
            sql.push_str(&format!(" AND action = {}", param()));
        }
        if filter.actor_id.is_some() {
            sql.push_str(&format!(" AND actor_id = {}", param()));
        }
        if filter.person.is_some() {
            let p = param();
            sql.push_str(&format!(
                " AND (u.name LIKE {p} ESCAPE '\\' OR u.email_key LIKE LOWER({p}) ESCAPE '\\'
                       OR actor_label LIKE {p} ESCAPE '\\')"
            ));
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
        let like = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        };
        let mut q = sqlx::query(&sql);
        if let Some(prefix) = &filter.action_prefix {
            q = q.bind(format!("{}%", like(prefix)));
        }
        if let Some(action) = &filter.action {
            q = q.bind(action.clone());
        }
        if let Some(actor) = filter.actor_id {
            q = q.bind(actor);
        }
        if let Some(person) = &filter.person {
            q = q.bind(format!("%{}%", like(person)));
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
        rows.iter()
            .map(|row| {
                let mut e = entry(row)?;
                e.actor_name = row.try_get("actor_name")?;
                Ok(e)
            })
            .collect()
    }

    /// The head of the chain as `audit_head` records it.
    pub async fn audit_head(&self) -> Result<AuditHead> {
        let row = sqlx::query("SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(AuditHead {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            keyed_from: row.try_get("keyed_from")?,
        })
    }

    /// The stored checkpoints, newest first, at most `limit` (all when 0).
    pub async fn audit_checkpoints(&self, limit: i64) -> Result<Vec<Checkpoint>> {
        let limit = if limit <= 0 { i64::MAX } else { limit };
        let rows = sqlx::query(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq DESC, at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(checkpoint).collect()
    }

    /// Recomputes the whole chain, oldest first, a page at a time, and holds
    /// it to every stored checkpoint. Names the first entry that was edited,
    /// inserted or deleted.
    pub async fn verify_audit_chain(&self) -> Result<AuditVerification> {
        self.verify_audit_chain_with(&[]).await
    }

    /// `verify_audit_chain`, holding the chain also to checkpoints kept
    /// outside (each with a name for messages): one that the chain no longer
    /// contains names the first entry that is gone or rewritten, one whose
    /// signature is not this server's is refused.
    pub async fn verify_audit_chain_with(
        &self,
        kept: &[(Checkpoint, String)],
    ) -> Result<AuditVerification> {
        let keys = self.audit_keys()?;
        // Checkpoints before the head, and the head before the entries: each
        // only grows, so nothing appended meanwhile looks like a deletion.
        let stored = self.audit_checkpoints(0).await?;
        let head = self.audit_head().await?;
        let mut check = ChainCheck::new(keys, head.keyed_from);
        let mut refused = Vec::new();
        let stored: Vec<(Checkpoint, String)> = stored
            .into_iter()
            .map(|cp| {
                let origin = stored_origin(&cp);
                (cp, origin)
            })
            .collect();
        for (cp, origin) in stored.iter().chain(kept) {
            if let Err(why) = check.pin(cp, origin) {
                refused.push(why);
            }
        }
        self.feed(&mut check, 1, head.seq).await?;
        let s = check.finish(head.seq, &head.hash);
        let mut first_broken = s.first_broken.map(|b| (b.seq, b.why));
        if let Some((seq, why)) = self.entries_past_head().await?
            && first_broken.as_ref().is_none_or(|(b, _)| *b > seq)
        {
            first_broken = Some((seq, why));
        }
        Ok(AuditVerification {
            entries: s
                .entries
                .min(first_broken.as_ref().map_or(i64::MAX, |(b, _)| b - 1)),
            keyed_from: s.keyed_from,
            checkpoints: s.checkpoints,
            first_broken,
            refused,
        })
    }

    /// Entries past the head mean the head was moved back over them. The
    /// newest entry is read before the head, so an append meanwhile is not one.
    async fn entries_past_head(&self) -> Result<Option<(i64, String)>> {
        let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(self.pool())
            .await?;
        let head = self.audit_head().await?;
        Ok(newest.filter(|n| *n > head.seq).map(|newest| {
            (
                head.seq + 1,
                format!(
                    "the head says entry {} is the newest, but the log holds entries up to {newest}: the head was moved back",
                    head.seq
                ),
            )
        }))
    }

    /// Reads the entries `from..=to` into `check`, a page at a time, until it breaks.
    async fn feed(&self, check: &mut ChainCheck<'_>, from: i64, to: i64) -> Result<()> {
        const PAGE: i64 = 1000;
        let mut next = from;
        while next <= to {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3"
            ))
            .bind(next)
            .bind(to)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            for row in &rows {
                let e = entry(row)?;
                let fits = check.entry(&StoredEntry {
                    fields: e.fields(),
                    prev_hash: &e.prev_hash,
                    hash: &e.hash,
                });
                if !fits {
                    return Ok(());
                }
                next = e.seq + 1;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        Ok(())
    }

    /// Signs a checkpoint of the head as it is now and keeps it. The entries
    /// since the newest stored checkpoint are verified first (all of them when
    /// there is none), so a broken chain is never vouched for.
    pub async fn make_audit_checkpoint(&self, now: i64) -> Result<Checkpoint> {
        let keys = self.audit_keys()?;
        let public = keys.public_key();
        // In the order verify reads them: the checkpoints, then the head.
        let stored = self.audit_checkpoints(0).await?;
        if let Some((seq, why)) = self.entries_past_head().await? {
            return Err(StoreError::AuditBroken { seq, why });
        }
        let head = self.audit_head().await?;
        if let Some(forged) = stored.iter().find(|cp| !public.verifies(cp)) {
            return Err(StoreError::AuditBroken {
                seq: forged.seq,
                why: format!(
                    "{} is not signed by this server's audit key",
                    stored_origin(forged)
                ),
            });
        }
        let newest = stored
            .iter()
            .find(|cp| cp.seq <= head.seq && cp.keyed_from == head.keyed_from);
        let (mut check, from) = match newest {
            Some(cp) if cp.seq > 0 => {
                (ChainCheck::resume_at(keys, head.keyed_from, cp.seq), cp.seq)
            }
            _ => (ChainCheck::new(keys, head.keyed_from), 1),
        };
        for cp in &stored {
            // Signatures were checked above.
            let _ = check.pin(cp, &stored_origin(cp));
        }
        self.feed(&mut check, from, head.seq).await?;
        if let Some(b) = check.finish(head.seq, &head.hash).first_broken {
            return Err(StoreError::AuditBroken {
                seq: b.seq,
                why: b.why,
            });
        }
        let cp = keys.checkpoint(head.seq, &head.hash, now, head.keyed_from);
        sqlx::query(&format!(
            "INSERT INTO audit_checkpoints ({CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (seq, at) DO NOTHING"
        ))
        .bind(cp.seq)
        .bind(&cp.head_hash)
        .bind(cp.at)
        .bind(cp.keyed_from)
        .bind(&cp.signature)
        .execute(self.pool())
        .await?;
        Ok(cp)
    }
}
