//! The mail outbox: mail is written here in the same transaction as what
//! caused it, then delivered by a worker that claims due rows, so nothing is
//! lost while the SMTP server is down or across a restart.

use sqlx::{AnyConnection, Row};

use crate::{Engine, Result, Store, StoreError};

/// A message to send. Headers are extra header lines (e.g. List-Unsubscribe).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Mail with the same key is queued once only.
    pub dedupe_key: Option<String>,
}

/// A queued message, as the delivery worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub headers: Vec<(String, String)>,
    pub attempts: i64,
    pub status: String,
    pub last_error: Option<String>,
    pub created_at: i64,
}

fn encode_headers(headers: &[(String, String)]) -> Result<String> {
    let mut out = String::new();
    for (name, value) in headers {
        // A line break in a header would let its value add headers of its own.
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
            || value.contains(['\r', '\n'])
        {
            return Err(StoreError::Invalid(format!("bad mail header {name:?}")));
        }
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
    Ok(out)
}

fn decode_headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

const COLUMNS: &str =
    "id, to_addr, subject, body_text, body_html, headers, attempts, status, last_error, created_at";

fn mail(row: &sqlx::any::AnyRow) -> Result<OutboxMail> {
    let headers: String = row.try_get("headers")?;
    Ok(OutboxMail {
        id: row.try_get("id")?,
        to: row.try_get("to_addr")?,
        subject: row.try_get("subject")?,
        body_text: row.try_get("body_text")?,
        body_html: row.try_get("body_html")?,
        headers: decode_headers(&headers),
        attempts: row.try_get("attempts")?,
        status: row.try_get("status")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Queues inside the caller's transaction; `None` when the dedupe key was queued before.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    m: &NewMail,
    now: i64,
) -> Result<Option<i64>> {
    let headers = encode_headers(&m.headers)?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO mail_outbox (to_addr, subject, body_text, body_html, headers, dedupe_key,
                                  status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id",
    )
    .bind(&m.to)
    .bind(&m.subject)
    .bind(&m.body_text)
    .bind(m.body_html.as_deref())
    .bind(headers)
    .bind(m.dedupe_key.as_deref())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn enqueue_mail(&self, m: &NewMail, now: i64) -> Result<Option<i64>> {
        let mut conn = self.pool().acquire().await?;
        enqueue(&mut conn, m, now).await
    }

    /// Claims up to `limit` due messages for `lease_ms`; another worker (on
    /// this node or another) will not get them until the lease runs out.
    pub async fn claim_due_mail(
        &self,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<OutboxMail>> {
        let lock = match self.engine() {
            Engine::Postgres => "FOR UPDATE SKIP LOCKED",
            // SQLite has one writer at a time: the UPDATE is already exclusive.
            Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE mail_outbox SET claimed_until = $1, attempts = attempts + 1
              WHERE id IN (SELECT id FROM mail_outbox
                            WHERE status = 'pending' AND next_attempt_at <= $2
                              AND (claimed_until IS NULL OR claimed_until <= $2)
                            ORDER BY id LIMIT $3 {lock})
              RETURNING {COLUMNS}"
        );
        let rows = sqlx::query(&sql)
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut mails = rows.iter().map(mail).collect::<Result<Vec<_>>>()?;
        mails.sort_by_key(|m| m.id);
        Ok(mails)
    }

    pub async fn mark_mail_sent(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = $2, claimed_until = NULL,
                    last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A failure worth retrying at `next_attempt_at`.
    pub async fn mark_mail_retry(&self, id: i64, error: &str, next_attempt_at: i64) -> Result<()> {
        sqlx::query(
            "UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3, claimed_until = NULL
              WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(next_attempt_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A permanent failure: the message stays for the record, and is not retried.
    pub async fn mark_mail_failed(&self, id: i64, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE mail_outbox SET status = 'failed', last_error = $2, claimed_until = NULL
              WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks unsent mail to addresses at `domain` as failed, so that it is
    /// never delivered (demo data uses a domain of its own).
    pub async fn discard_pending_mail_to_domain(&self, domain: &str) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE mail_outbox SET status = 'failed', last_error = 'discarded: demo data'
              WHERE status = 'pending' AND to_addr LIKE $1",
        )
        .bind(format!("%@{domain}"))
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// Every message to `to`, oldest first (for tests and the admin area).
    pub async fn mail_to(&self, to: &str) -> Result<Vec<OutboxMail>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE to_addr = $1 ORDER BY id"
        ))
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(mail).collect()
    }

    /// How many messages wait in each status.
    pub async fn mail_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status ORDER BY status",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_line_breaks_are_refused() {
        let h = vec![("List-Unsubscribe".to_owned(), "<https://x/u/1>".to_owned())];
        assert_eq!(decode_headers(&encode_headers(&h).unwrap()), h);
        assert!(encode_headers(&[("X".into(), "a\r\nBcc: evil@x".into())]).is_err());
        assert!(encode_headers(&[("Bad Name".into(), "v".into())]).is_err());
    }
}
