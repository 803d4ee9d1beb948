//! Named leases: a row per job name says which node holds it and until when,
//! so that a scheduled run happens on one node only, even when several share
//! one PostgreSQL. A holder that dies loses the lease when it expires.

use std::time::Duration;

use sqlx::Row;

use crate::{Result, Store};

/// Who holds a lease, and until when (milliseconds since the Unix epoch, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub acquired_at: i64,
    pub expires_at: i64,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// Takes the lease `name` for `holder` until `now + ttl`, or renews it if
    /// `holder` already has it. Returns false while another holder's lease runs.
    /// One statement, so two nodes racing for the same lease cannot both win.
    pub async fn try_acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now_ms: i64,
    ) -> Result<bool> {
        let expires = now_ms.saturating_add(millis(ttl));
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE
                SET holder = excluded.holder,
                    acquired_at = CASE WHEN leases.holder = excluded.holder
                                       THEN leases.acquired_at ELSE excluded.acquired_at END,
                    expires_at = excluded.expires_at
              WHERE leases.holder = excluded.holder OR leases.expires_at <= $3",
        )
        .bind(name)
        .bind(holder)
        .bind(now_ms)
        .bind(expires)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up early; does nothing unless `holder` has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends lease `name` now, whoever holds it, so that the next node to look
    /// takes it (an administrator's "run now").
    pub async fn expire_lease(&self, name: &str, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE leases SET expires_at = $2 WHERE name = $1 AND expires_at > $2")
            .bind(name)
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The current row for `name`, expired or not.
    pub async fn lease(&self, name: &str) -> Result<Option<Lease>> {
        let row =
            sqlx::query("SELECT name, holder, acquired_at, expires_at FROM leases WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| {
            Ok(Lease {
                name: r.try_get("name")?,
                holder: r.try_get("holder")?,
                acquired_at: r.try_get("acquired_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}
