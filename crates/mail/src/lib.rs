//! Mail for chance-navi: what the portal writes (`compose`), and the worker
//! that takes the database outbox and delivers it — over SMTP when configured,
//! otherwise as `.eml` files in `<data-dir>/outbox` — with retries and back-off.

pub mod compose;

pub use compose::{
    BidReceipt, CaseEvent, Composer, DigestCase, DigestGroup, Outcome, TenderOutcome,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::{NewMail, OutboxMail, Store};
use tokio::sync::Notify;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid sender address {0:?}: {1}")]
    From(String, String),
    #[error("invalid SMTP URL (smtp://user:password@host:port, smtps://… or ?tls=required): {0}")]
    SmtpUrl(String),
    #[error("cannot create the mail outbox folder {0}: {1}")]
    Folder(PathBuf, std::io::Error),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Where mail goes.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Delivers the outbox. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Where the SMTP server is, without credentials, for messages and logs.
    shown: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer({})", self.shown)
    }
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Messages claimed per pass, and how long a claim holds.
const BATCH: i64 = 50;
const LEASE_MS: i64 = 5 * 60 * 1000;
/// A message still failing this long after it was queued is given up.
const GIVE_UP_AFTER_MS: i64 = 48 * 3600 * 1000;

impl Mailer {
    /// SMTP when `smtp_url` is given, else `.eml` files in `outbox_dir`.
    pub fn new(smtp_url: Option<&str>, from: &str, outbox_dir: &Path) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| {
            MailError::From(from.to_owned(), e.to_string())
        })?;
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Mailer {
                    transport: Transport::Smtp(transport),
                    from,
                    shown: redact(url),
                })
            }
            None => {
                std::fs::create_dir_all(outbox_dir)
                    .map_err(|e| MailError::Folder(outbox_dir.to_owned(), e))?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(outbox_dir, std::fs::Permissions::from_mode(0o700))
                        .map_err(|e| MailError::Folder(outbox_dir.to_owned(), e))?;
                }
                Ok(Mailer {
                    transport: Transport::Files(outbox_dir.to_owned()),
                    from,
                    shown: format!("files in {}", outbox_dir.display()),
                })
            }
        }
    }

    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Claims due messages and delivers them; failures are rescheduled with
    /// back-off, permanent refusals (5xx) and old messages are given up.
    pub async fn deliver_due(&self, store: &Store, now: i64) -> Result<DeliveryReport, MailError> {
        let mut report = DeliveryReport::default();
        loop {
            let batch = store.claim_due_mail(now, BATCH, LEASE_MS).await?;
            let last = (batch.len() as i64) < BATCH;
            for mail in batch {
                match self.send(&mail).await {
                    Ok(()) => {
                        store.mark_mail_sent(mail.id, now).await?;
                        report.sent += 1;
                    }
                    Err(SendError { permanent, reason }) => {
                        if permanent || now - mail.created_at >= GIVE_UP_AFTER_MS {
                            tracing::warn!(mail.id = mail.id, %reason, "mail given up");
                            store.mark_mail_failed(mail.id, &reason).await?;
                            // A notification that bounced for good pauses the
                            // user's notifications; the user is shown why.
                            if permanent {
                                store
                                    .pause_notifications_after_bounce(mail.id, &reason, now)
                                    .await?;
                            }
                            report.failed += 1;
                        } else {
                            let next = now + backoff(mail.attempts).as_millis() as i64;
                            tracing::info!(mail.id = mail.id, attempts = mail.attempts, %reason, "mail will be retried");
                            store.mark_mail_retry(mail.id, &reason, next).await?;
                            report.retried += 1;
                        }
                    }
                }
            }
            if last {
                return Ok(report);
            }
        }
    }

    async fn send(&self, mail: &OutboxMail) -> Result<(), SendError> {
        let message = self.build(mail).map_err(|reason| SendError {
            permanent: true,
            reason,
        })?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
            Transport::Files(dir) => {
                let path = dir.join(format!("{:08}.eml", mail.id));
                write_private(&path, &message.formatted())
                    .await
                    .map_err(|e| SendError {
                        permanent: false,
                        reason: format!("cannot write {}: {e}", path.display()),
                    })
            }
        }
    }

    fn build(&self, mail: &OutboxMail) -> Result<Message, String> {
        self.message(&NewMail {
            to: mail.to.clone(),
            subject: mail.subject.clone(),
            body_text: mail.body_text.clone(),
            body_html: mail.body_html.clone(),
            headers: mail.headers.clone(),
            dedupe_key: None,
        })
    }

    /// The message this mailer sends for `mail`, from its sender: what the
    /// delivery uses, and what the mail snapshot tests read the headers of.
    /// Its `Date` is the current time and a multipart boundary is random.
    pub fn message(&self, mail: &NewMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("invalid recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject);
        for (name, value) in &mail.headers {
            let name = HeaderName::new_from_ascii(name.clone())
                .map_err(|e| format!("header {name:?}: {e}"))?;
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        match &mail.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body_text.clone()),
        }
        .map_err(|e| e.to_string())
    }
}

struct SendError {
    permanent: bool,
    reason: String,
}

/// 30 s after the first failure, doubling up to an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::from_secs((30u64 << exp).min(3600))
}

fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            let host = host.split('?').next().unwrap_or(host);
            format!("{scheme}://{host}")
        }
        None => "smtp".to_owned(),
    }
}

/// Runs delivery passes until `shutdown` completes: every `interval`, and at
/// once when `wake` is notified (after something was queued).
pub async fn run_worker(
    mailer: Mailer,
    store: Store,
    wake: Arc<Notify>,
    interval: Duration,
    clock: fn() -> i64,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(transport = mailer.describe(), "mail delivery started");
    loop {
        match mailer.deliver_due(&store, clock()).await {
            Ok(r) if r != DeliveryReport::default() => {
                tracing::info!(
                    sent = r.sent,
                    retried = r.retried,
                    failed = r.failed,
                    "mail delivered"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail delivery pass failed"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Writes a mail file only its owner may read (0600): it may hold a
/// password-reset or invitation link.
async fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options.open(path).await?;
    f.write_all(bytes).await?;
    f.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(5), Duration::from_secs(480));
        assert_eq!(backoff(50), Duration::from_secs(3600));
    }

    #[test]
    fn smtp_credentials_are_not_shown() {
        assert_eq!(
            redact("smtp://user:secret@mail.example.jp:587?tls=required"),
            "smtp://mail.example.jp:587"
        );
    }
}
