//! `chance-navi serve`: migrate, listen, serve, and stop gracefully.

use std::io::Write;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::config::Settings;

/// How often a node looks whether an audit checkpoint is due.
const CHECKPOINT_LOOK: std::time::Duration = std::time::Duration::from_secs(600);

pub async fn run(settings: Settings, demo: bool) -> Result<()> {
    // Before anything else, so that a signal arriving during start-up is not
    // met by the default action (an abrupt exit).
    let signals = Signals::install()?;
    let store = settings.store().await?;
    let report = store.migrate().await?;
    if !report.applied.is_empty() {
        tracing::info!(version = report.current, applied = ?report.applied, "database migrated");
    }
    let listener = TcpListener::bind(settings.serve.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.serve.listen))?;
    let addr = listener.local_addr().context("listening address")?;
    let mailer = settings.mailer()?;
    let mut web_settings = settings.web();
    web_settings.bundles = Some(settings.bundles()?);
    if web_settings.public_url == format!("http://{}", settings.serve.listen) {
        // The default public URL follows the port actually bound (port 0 picks one).
        web_settings.public_url = format!("http://{addr}");
    }
    let index = std::sync::Arc::new(
        search::SearchIndex::open_or_create(&settings.data_dir.join("index")).context(
            "cannot open the search index (is another chance-navi using this data directory?)",
        )?,
    );
    let kek = std::sync::Arc::new(settings.kek.load()?);
    // Demo data goes in before any worker or request runs: written beside
    // them, one of its transactions could meet SQLite's lock and stop the
    // start-up (「database is locked」), or a visitor could sign in to an
    // account not yet made.
    let logins = if demo {
        Some(crate::demo::seed(&store, Some(&kek), crate::accounts::now_ms()).await?)
    } else {
        None
    };
    let state = web::AppState::with_kek(
        store.clone(),
        web_settings,
        index.clone(),
        Some(kek.clone()),
    );
    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let mail_worker = tokio::spawn(mail::run_worker(
        mailer,
        store.clone(),
        state.mail_wake.clone(),
        std::time::Duration::from_secs(30),
        crate::accounts::now_ms,
        workers_stopped,
    ));
    let housekeeping = tokio::spawn(housekeeping(store.clone(), stop_workers.subscribe()));
    let follower = tokio::spawn(search::follow::run_follower(
        store.clone(),
        index,
        state.cases_wake.clone(),
        std::time::Duration::from_millis(500),
        stop_workers.subscribe(),
    ));
    let scheduler = tokio::spawn(crate::schedule::run_scheduler(
        store.clone(),
        settings.imports.clone(),
        state.cases_wake.clone(),
        state.imports_wake.clone(),
        stop_workers.subscribe(),
    ));
    let notifier = tokio::spawn(crate::notify_cmd::run_scheduler(
        store.clone(),
        mail::Composer::new(&state.settings.public_url),
        std::time::Duration::from_secs(60),
        state.mail_wake.clone(),
        stop_workers.subscribe(),
    ));
    let checkpointer = tokio::spawn(crate::audit_cmd::run_checkpointer(
        store.clone(),
        CHECKPOINT_LOOK,
        stop_workers.subscribe(),
    ));
    let limits = state.settings.connections;
    web::site::set_contact(settings.contact.clone());
    let app = web::app(state);

    let (stop, stopped) = oneshot::channel::<()>();
    let mut server = tokio::spawn(web::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    tracing::info!(
        %addr,
        engine = store.engine().name(),
        data_dir = %settings.data_dir.display(),
        "chance-navi is ready"
    );
    // On standard output, for people and for tools that started us on port 0.
    let mut out = std::io::stdout().lock();
    writeln!(out, "chance-navi listening on http://{addr}")?;
    out.flush()?;
    drop(out);
    if let Some(logins) = logins {
        crate::demo::print(&logins, &settings.public_url);
    }

    tokio::select! {
        result = &mut server => {
            let _ = stop_workers.send(true);
            store.close().await;
            return result.context("server task")?.context("server stopped");
        }
        signal = signals.recv() => {
            tracing::info!(signal = signal?, "shutting down: finishing requests in flight");
        }
    }
    let _ = stop.send(());
    match tokio::time::timeout(settings.serve.shutdown_grace, &mut server).await {
        Ok(result) => result.context("server task")?.context("server stopped")?,
        Err(_) => {
            tracing::warn!(
                grace_secs = settings.serve.shutdown_grace.as_secs(),
                "grace period over: requests still in flight are abandoned"
            );
            server.abort();
        }
    }
    let _ = stop_workers.send(true);
    let _ = mail_worker.await;
    let _ = housekeeping.await;
    let _ = scheduler.await;
    let _ = notifier.await;
    let _ = checkpointer.await;
    let _ = follower.await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM and SIGINT (Ctrl-C), listened for from the moment they are installed.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(mut self) -> Result<&'static str> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => Ok("SIGTERM"),
                _ = self.int.recv() => Ok("SIGINT"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .context("cannot listen for Ctrl-C")?;
            Ok("Ctrl-C")
        }
    }
}

/// Every ten minutes: expired sessions and old sign-in attempts go. Each node
/// may do it; the deletes are idempotent.
async fn housekeeping(store: store::Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let now = crate::accounts::now_ms();
        if let Err(e) = store.purge_expired_sessions(now).await {
            tracing::warn!(error = %e, "expired sessions could not be purged");
        }
        if let Err(e) = store.purge_sign_in_attempts(now - 24 * 3600 * 1000).await {
            tracing::warn!(error = %e, "old sign-in attempts could not be purged");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(600)) => {}
            _ = stop.changed() => return,
        }
    }
}
