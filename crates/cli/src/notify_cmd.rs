//! `chance-navi notify run`: one pass of おすすめ案件通知 — match the cases
//! changed since the last pass against every active setting, queue each due
//! user's mail, and deliver what is queued. `serve` runs the same pass every
//! minute on one node at a time.

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(subcommand)]
    command: NotifyCommand,
}

#[derive(Debug, Subcommand)]
enum NotifyCommand {
    /// Match the new and amended cases against every notification setting,
    /// queue the due mails and deliver them (SMTP, or the outbox folder)
    Run,
}

/// A user's unsubscribe token: 32 random bytes.
pub fn fresh_token() -> String {
    web::auth::random_token()
}

pub async fn run(args: NotifyArgs, settings: &Settings) -> Result<()> {
    match args.command {
        NotifyCommand::Run => {
            let store = store::Store::connect(&settings.database, &settings.pool()).await?;
            store.migrate().await?;
            let composer = mail::Composer::new(&settings.public_url);
            let now = crate::accounts::now_ms();
            let report = notify::pass::run(&store, &composer, fresh_token, now).await?;
            let delivery = settings.mailer()?.deliver_due(&store, now).await?;
            println!(
                "notify: {} cases read, matched against {} settings, {} new matches, {} mails queued; delivered {} (retrying {}, failed {})",
                report.cases_read,
                report.settings,
                report.new_matches,
                report.mails,
                delivery.sent,
                delivery.retried,
                delivery.failed
            );
            store.close().await;
            Ok(())
        }
    }
}

/// Runs the pass every `every` inside `serve`, on the node that holds the
/// `notify` lease, and wakes the mail worker after it.
pub async fn run_scheduler(
    store: store::Store,
    composer: mail::Composer,
    every: std::time::Duration,
    mail_wake: std::sync::Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let holder = format!("{}-{}", std::process::id(), fresh_token());
    loop {
        let now = crate::accounts::now_ms();
        match store.try_acquire_lease("notify", &holder, every, now).await {
            Ok(true) => match notify::pass::run(&store, &composer, fresh_token, now).await {
                Ok(report) => {
                    if report.mails > 0 {
                        mail_wake.notify_one();
                    }
                    tracing::debug!(?report, "notification pass");
                }
                Err(e) => tracing::warn!(error = %e, "notification pass failed"),
            },
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "notification lease could not be read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
