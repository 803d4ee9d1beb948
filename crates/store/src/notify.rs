//! おすすめ案件通知 stored: users' settings (criteria as JSON, each criterion
//! also as a row for statistics), the matches (each case once per setting,
//! whatever happens after), the cursor over the cases' change sequence, and
//! the unsubscribe tokens and pauses. Delivery writes the mail into the
//! outbox and marks its matches in one transaction, so a restart neither
//! loses a match nor sends it twice.

use domain::notify::{Criteria, Frequency};
use sqlx::Row;

use crate::outbox::{self, NewMail};
use crate::{Result, Store, StoreError};

/// A user's setting as stored (its criteria as JSON, each value under its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySetting {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub criteria: Criteria,
    pub frequency: Frequency,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_sent_at: Option<i64>,
}

/// A setting to save; its criteria are also kept as (facet, value) rows
/// (`Criteria::terms`) for the statistics.
#[derive(Debug, Clone)]
pub struct NewNotifySetting<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub criteria: &'a Criteria,
    pub frequency: Frequency,
}

/// What the administrator reads of the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyStats {
    pub settings: i64,
    pub users: i64,
    /// (facet, value, settings), most used first within each facet.
    pub terms: Vec<(String, String, i64)>,
}

/// The settings that may mail (see `Store::active_notify_settings`), with
/// `more` added to the conditions.
fn active_settings_sql(more: &str) -> String {
    format!(
        "SELECT {columns} FROM notify_settings s JOIN users u ON u.id = s.user_id
           LEFT JOIN notify_users n ON n.user_id = s.user_id
           LEFT JOIN companies c ON c.id = u.company_id
          WHERE s.frequency <> '{paused}' AND u.active = 1 AND n.paused_at IS NULL
            AND (u.company_id IS NULL OR c.status = '{approved}') {more}
          ORDER BY s.id",
        columns = SETTING_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        // Stored codes: plain ASCII words, safe to write into the statement.
        paused = Frequency::Paused.as_str(),
        approved = domain::CompanyStatus::Approved.as_str(),
    )
}

const SETTING_COLUMNS: &str =
    "id, user_id, name, criteria, frequency, created_at, updated_at, last_sent_at";

/// A stored setting; criteria or a frequency this version cannot read are an
/// error, never a default.
fn setting(r: &sqlx::any::AnyRow) -> Result<NotifySetting> {
    let id: i64 = r.try_get("id")?;
    let criteria: String = r.try_get("criteria")?;
    let frequency: String = r.try_get("frequency")?;
    Ok(NotifySetting {
        id,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        criteria: serde_json::from_str(&criteria).map_err(|e| {
            StoreError::Invalid(format!(
                "notification setting {id}: unreadable criteria ({e})"
            ))
        })?,
        frequency: crate::cases::parse(Frequency::parse(&frequency))?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        last_sent_at: r.try_get("last_sent_at")?,
    })
}

/// `setting`, or None with a warning when the row cannot be read.
fn readable(r: &sqlx::any::AnyRow) -> Option<NotifySetting> {
    setting(r)
        .inspect_err(|e| tracing::warn!(error = %e, "a notification setting is set aside"))
        .ok()
}

impl Store {
    /// Saves a new setting (`id` None) or one of the user's own; `Stale` when
    /// `id` is not theirs, `Invalid` past `max_per_user` settings.
    pub async fn save_notify_setting(
        &self,
        id: Option<i64>,
        s: &NewNotifySetting<'_>,
        max_per_user: usize,
        now: i64,
    ) -> Result<i64> {
        let criteria = serde_json::to_string(s.criteria).map_err(|e| {
            StoreError::Invalid(format!("notification criteria cannot be stored ({e})"))
        })?;
        let frequency = s.frequency.as_str();
        let mut tx = self.pool().begin().await?;
        let id = match id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE notify_settings SET name = $3, criteria = $4, frequency = $5, updated_at = $6
                      WHERE id = $1 AND user_id = $2",
                )
                .bind(id)
                .bind(s.user_id)
                .bind(s.name)
                .bind(&criteria)
                .bind(&frequency)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Stale);
                }
                sqlx::query("DELETE FROM notify_setting_terms WHERE setting_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                // Serialises one user's inserts, so the limit holds under races.
                sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
                    .bind(s.user_id)
                    .execute(&mut *tx)
                    .await?;
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM notify_settings WHERE user_id = $1")
                        .bind(s.user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if count as usize >= max_per_user {
                    return Err(StoreError::Invalid(format!(
                        "通知設定は1人{max_per_user}件までです。使っていない設定を削除してください。"
                    )));
                }
                sqlx::query_scalar(
                    "INSERT INTO notify_settings (user_id, name, criteria, frequency, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(s.user_id)
                .bind(s.name)
                .bind(&criteria)
                .bind(&frequency)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        for (facet, value) in s.criteria.terms(s.frequency) {
            sqlx::query(
                "INSERT INTO notify_setting_terms (setting_id, facet, value) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(facet)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn notify_settings_of(&self, user_id: i64) -> Result<Vec<NotifySetting>> {
        let rows = sqlx::query(&format!(
            "SELECT {SETTING_COLUMNS} FROM notify_settings WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(setting).collect()
    }

    pub async fn notify_setting(&self, id: i64) -> Result<Option<NotifySetting>> {
        let row = sqlx::query(&format!(
            "SELECT {SETTING_COLUMNS} FROM notify_settings WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(setting).transpose()
    }

    /// Deletes one of the user's settings (and its matches); `Stale` otherwise.
    pub async fn delete_notify_setting(&self, user_id: i64, id: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let owned: Option<i64> =
            sqlx::query_scalar("SELECT id FROM notify_settings WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if owned.is_none() {
            return Err(StoreError::Stale);
        }
        for table in ["notify_matches", "notify_setting_terms"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE setting_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM notify_settings WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every setting that may mail: not paused, of an active user whose
    /// notifications are not paused and whose company may sign in.
    /// A setting that cannot be read is set aside with a warning (its id
    /// only), so that one damaged row does not stop everyone's mail.
    pub async fn active_notify_settings(&self) -> Result<Vec<NotifySetting>> {
        let rows = sqlx::query(&active_settings_sql(""))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().filter_map(readable).collect())
    }

    /// `active_notify_settings`, among `ids` only.
    pub async fn active_notify_settings_in(&self, ids: &[i64]) -> Result<Vec<NotifySetting>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = active_settings_sql(&format!("AND s.id IN ({})", placeholders.join(", ")));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            out.extend(q.fetch_all(self.pool()).await?.iter().filter_map(readable));
        }
        Ok(out)
    }

    /// How far the matcher has read the cases' change sequence.
    pub async fn notify_cursor(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT case_seq FROM notify_cursor WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Moves the cursor past every case there is: what is already in the
    /// database is nobody's news (after loading demo data or a bulk import).
    pub async fn skip_notify_cursor_to_latest(&self) -> Result<i64> {
        sqlx::query(
            "UPDATE notify_cursor SET case_seq = (SELECT COALESCE(MAX(change_seq), 0) FROM cases)
              WHERE id = 1",
        )
        .execute(self.pool())
        .await?;
        self.notify_cursor().await
    }

    /// Records what matched in a batch of cases and moves the cursor past
    /// them, in one transaction; a (setting, case) already recorded stays
    /// as it was. Returns the matches that are new.
    pub async fn record_notify_matches(
        &self,
        pairs: &[(i64, i64)],
        read_up_to: i64,
        now: i64,
    ) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let mut added = 0;
        for (setting, case) in pairs {
            let done = sqlx::query(
                "INSERT INTO notify_matches (setting_id, case_id, matched_at) VALUES ($1, $2, $3)
                 ON CONFLICT (setting_id, case_id) DO NOTHING",
            )
            .bind(setting)
            .bind(case)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected();
        }
        sqlx::query("UPDATE notify_cursor SET case_seq = $1 WHERE id = 1 AND case_seq < $1")
            .bind(read_up_to)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Matches not mailed yet: (setting, case), by setting.
    pub async fn unmailed_notify_matches(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT setting_id, case_id FROM notify_matches WHERE mailed_at IS NULL
              ORDER BY setting_id, case_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("setting_id")?, r.try_get("case_id")?)))
            .collect()
    }

    /// Queues `mail` for the matches `pairs` and marks them mailed, in one
    /// transaction (`None`: marks them only — their cases were withdrawn). Matches already marked (by a pass that ran meanwhile)
    /// are not mailed again: when none is left, nothing is queued and this
    /// returns false.
    pub async fn deliver_notifications(
        &self,
        pairs: &[(i64, i64)],
        mail: Option<&NewMail>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let mut marked = 0;
        for (setting, case) in pairs {
            marked += sqlx::query(
                "UPDATE notify_matches SET mailed_at = $3
                  WHERE setting_id = $1 AND case_id = $2 AND mailed_at IS NULL",
            )
            .bind(setting)
            .bind(case)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if marked as usize != pairs.len() {
            tx.rollback().await?;
            return Ok(false);
        }
        let mut settings: Vec<i64> = pairs.iter().map(|(s, _)| *s).collect();
        settings.dedup();
        for s in settings {
            sqlx::query("UPDATE notify_settings SET last_sent_at = $2 WHERE id = $1")
                .bind(s)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(mail) = mail {
            outbox::enqueue(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The user's unsubscribe token, made (from `fresh`) on first use.
    pub async fn notify_token(&self, user_id: i64, fresh: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO notify_users (user_id, token) VALUES ($1, $2)
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(fresh)
        .execute(self.pool())
        .await?;
        Ok(
            sqlx::query_scalar("SELECT token FROM notify_users WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Whether `token` is an unsubscribe token, and whether its user's
    /// mail is already stopped: `None` for a token nobody holds.
    pub async fn unsubscribe_token_state(&self, token: &str) -> Result<Option<bool>> {
        let paused: Option<Option<i64>> =
            sqlx::query_scalar("SELECT paused_at FROM notify_users WHERE token = $1")
                .bind(token)
                .fetch_optional(self.pool())
                .await?;
        Ok(paused.map(|p| p.is_some()))
    }

    /// Pauses the notifications of the token's user (one-click unsubscribe);
    /// the user, or None for an unknown token.
    pub async fn unsubscribe_notifications(&self, token: &str, now: i64) -> Result<Option<i64>> {
        let user: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM notify_users WHERE token = $1")
                .bind(token)
                .fetch_optional(self.pool())
                .await?;
        if let Some(user) = user {
            sqlx::query(
                "UPDATE notify_users SET paused_at = $2, paused_reason = 'unsubscribed'
                  WHERE user_id = $1 AND paused_at IS NULL",
            )
            .bind(user)
            .bind(now)
            .execute(self.pool())
            .await?;
        }
        Ok(user)
    }

    /// Pauses the notifications of whoever a notification mail that failed
    /// for good was addressed to (a permanent bounce).
    pub async fn pause_notifications_after_bounce(
        &self,
        mail_id: i64,
        reason: &str,
        now: i64,
    ) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE notify_users SET paused_at = $2, paused_reason = $3
              WHERE paused_at IS NULL AND user_id IN (
                    SELECT u.id FROM users u JOIN mail_outbox m ON m.to_addr = u.email
                     WHERE m.id = $1 AND m.dedupe_key LIKE 'notify:%')",
        )
        .bind(mail_id)
        .bind(now)
        .bind(reason)
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// Why the user's notifications are paused, and since when.
    pub async fn notify_pause(&self, user_id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT paused_at, paused_reason FROM notify_users
              WHERE user_id = $1 AND paused_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("paused_at")?,
                r.try_get::<Option<String>, _>("paused_reason")?
                    .unwrap_or_default(),
            ))
        })
        .transpose()
    }

    pub async fn resume_notifications(&self, user_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE notify_users SET paused_at = NULL, paused_reason = NULL WHERE user_id = $1",
        )
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Counts for the administrator: settings, users, and each criterion's use.
    pub async fn notify_stats(&self) -> Result<NotifyStats> {
        let settings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notify_settings")
            .fetch_one(self.pool())
            .await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT user_id) FROM notify_settings")
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query(
            "SELECT facet, value, COUNT(DISTINCT setting_id) AS n FROM notify_setting_terms
              GROUP BY facet, value ORDER BY facet, n DESC, value",
        )
        .fetch_all(self.pool())
        .await?;
        let terms = rows
            .iter()
            .map(|r| Ok((r.try_get("facet")?, r.try_get("value")?, r.try_get("n")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(NotifyStats {
            settings,
            users,
            terms,
        })
    }
}
