//! Sign-in gates and known devices (`domain::throttle`): an attempt is
//! reserved in the database before any password is checked, by one upsert per
//! gate that passes only while the gate is open, so that parallel requests
//! and several nodes sharing one PostgreSQL all count against the same limit.

use domain::throttle::{Gate, Settle};

use crate::{Result, Store};

/// What the gates said to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passage {
    /// Counted at every gate; go on and check the password.
    Admitted,
    /// Some gate is closed for this long still; nothing was counted.
    Closed { wait_ms: i64 },
}

/// The delay after this attempt, from the gate's row before it: the policy
/// of `domain::throttle::GatePolicy::delay_after` written as SQL, because
/// counting and closing must happen in the one statement. `$3` is the start of
/// the forgetting window, `$4` the delay after a first attempt, `$5` `free`,
/// `$6` the first delay, `$7` the cap.
const NEXT_DELAY: &str = "CASE WHEN sign_in_gates.updated_at <= $3 THEN $4
                               WHEN sign_in_gates.attempts + 1 < $5 THEN 0
                               WHEN sign_in_gates.delay_ms = 0 THEN $6
                               WHEN sign_in_gates.delay_ms * 2 >= $7 THEN $7
                               ELSE sign_in_gates.delay_ms * 2 END";

impl Store {
    /// Reserves one attempt at every gate, all or none: when each gate is
    /// open each counts the attempt (and may close behind it); when any is
    /// closed none counts it, and the answer says how long the longest wait is.
    pub async fn pass_gates(&self, gates: &[Gate], now: i64) -> Result<Passage> {
        // A gate without a delay stays open (open_at 0) rather than "open
        // since now": requests on their way at once read the clock in any
        // order, and one that read it a moment earlier must not find the
        // gate closed by the one before it.
        let sql = format!(
            "INSERT INTO sign_in_gates (gate, attempts, delay_ms, open_at, updated_at)
             VALUES ($1, 1, $4, $8, $2)
             ON CONFLICT (gate) DO UPDATE
                SET attempts = CASE WHEN sign_in_gates.updated_at <= $3 THEN 1
                                    ELSE sign_in_gates.attempts + 1 END,
                    delay_ms = {NEXT_DELAY},
                    open_at = CASE WHEN {NEXT_DELAY} = 0 THEN 0 ELSE $2 + {NEXT_DELAY} END,
                    updated_at = $2
              WHERE sign_in_gates.open_at <= $2
             RETURNING attempts"
        );
        let mut tx = self.pool().begin().await?;
        let mut wait_ms = 0;
        for gate in gates {
            let p = gate.policy;
            let admitted: Option<i64> = sqlx::query_scalar(&sql)
                .bind(&gate.key)
                .bind(now)
                .bind(now - p.forget_after_ms)
                .bind(p.delay_after(1))
                .bind(p.free)
                .bind(p.first_delay_ms)
                .bind(p.max_delay_ms)
                .bind(match p.delay_after(1) {
                    0 => 0,
                    d => now + d,
                })
                .fetch_optional(&mut *tx)
                .await?;
            if admitted.is_none() {
                let open_at: i64 =
                    sqlx::query_scalar("SELECT open_at FROM sign_in_gates WHERE gate = $1")
                        .bind(&gate.key)
                        .fetch_one(&mut *tx)
                        .await?;
                wait_ms = wait_ms.max(open_at - now).max(1);
            }
        }
        if wait_ms > 0 {
            tx.rollback().await?;
            return Ok(Passage::Closed { wait_ms });
        }
        tx.commit().await?;
        Ok(Passage::Admitted)
    }

    /// After a right password: the gates in `reset` start over, those in
    /// `refund` forget the one attempt this was.
    pub async fn settle_gates(&self, settle: &Settle) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for key in &settle.reset {
            sqlx::query("DELETE FROM sign_in_gates WHERE gate = $1")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        for key in &settle.refund {
            sqlx::query(
                "UPDATE sign_in_gates SET attempts = attempts - 1 WHERE gate = $1 AND attempts > 0",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The attempts a gate has counted in its current run (0 when it has none).
    pub async fn gate_attempts(&self, key: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT attempts FROM sign_in_gates WHERE gate = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?
                .unwrap_or(0),
        )
    }

    /// Whether the browser holding this token signed in to `email_key`
    /// within `domain::throttle::DEVICE_LIFETIME_MS`.
    pub async fn is_known_device(
        &self,
        token_hash: &str,
        email_key: &str,
        now: i64,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_devices
              WHERE token_hash = $1 AND email_key = $2 AND last_used_at > $3",
        )
        .bind(token_hash)
        .bind(email_key)
        .bind(now - domain::throttle::DEVICE_LIFETIME_MS)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Remembers (or refreshes) a browser that signed in to `email_key`.
    pub async fn remember_device(&self, token_hash: &str, email_key: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_devices (token_hash, email_key, created_at, last_used_at)
             VALUES ($1, $2, $3, $3)
             ON CONFLICT (token_hash) DO UPDATE SET email_key = $2, last_used_at = $3",
        )
        .bind(token_hash)
        .bind(email_key)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
