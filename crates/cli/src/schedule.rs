//! Scheduled imports inside `serve`. Each schedule is a lease in the
//! database named after it: a node runs the import only when it takes the
//! lease after it expired, and holds it for the schedule's interval, so when
//! several nodes share one PostgreSQL each run happens on one node only.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::FutureExt;

use crate::config::{ImportOrigin, ImportSchedule};

/// How often each node looks for a schedule that is due.
const POLL: Duration = Duration::from_secs(30);
/// The lease is held at least this long while a run is going on, so that a
/// slow run is not started again by another node.
const RUN_GUARD: Duration = Duration::from_secs(3600);
/// A run that has shown no progress for this long is marked failed: its
/// process died or hung (a run records progress every 500 records).
const SILENT_RUN: Duration = Duration::from_millis(store::SILENT_RUN_MS as u64);

pub(crate) fn lease_name(i: usize, s: &ImportSchedule) -> String {
    format!("import:{}:{i}", s.source.name())
}

/// What a schedule reads: files, read record by record where the source
/// allows, so that their size does not matter — a downloaded answer is first
/// written to a temporary file, and a split search gives one file per answer.
pub struct Input {
    paths: Vec<std::path::PathBuf>,
    /// Downloaded answers' temporary files, removed when the input is dropped.
    _downloads: Vec<tempfile::NamedTempFile>,
}

impl Input {
    fn file(path: std::path::PathBuf) -> Input {
        Input {
            paths: vec![path],
            _downloads: Vec::new(),
        }
    }

    fn downloads(files: Vec<tempfile::NamedTempFile>) -> Input {
        Input {
            paths: files.iter().map(|f| f.path().to_owned()).collect(),
            _downloads: files,
        }
    }

    /// Imports it as `source` in one run.
    pub async fn import(
        &self,
        store: &store::Store,
        source: import::Source,
        origin: &str,
        progress: &mut (dyn FnMut(&store::RunCounts) + Send),
    ) -> store::Result<import::RunOutcome> {
        let paths: Vec<&std::path::Path> = self.paths.iter().map(|p| p.as_path()).collect();
        import::run_files(
            store,
            source,
            origin,
            &paths,
            crate::accounts::now_ms,
            progress,
        )
        .await
    }
}

/// Reads a schedule's input: a file, one URL, or (kkj with `days`) the
/// last days' publications, split into as many requests as needed.
pub async fn read(s: &ImportSchedule, now: i64) -> Result<(String, Input)> {
    match &s.origin {
        ImportOrigin::File(path) => {
            // Said now rather than in the run: a missing file is the operator's to fix.
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok((path.display().to_string(), Input::file(path.clone())))
        }
        ImportOrigin::Url(url) => {
            let shown = crate::import_cmd::without_credentials(url);
            match s.days {
                Some(days) if s.source == import::Source::Kkj => {
                    let from = now - i64::from(days) * 86_400_000;
                    let gathered = import::kkj_fetch::gather(url, from, now, |u| async move {
                        crate::import_cmd::fetch_to_file(&u)
                            .await
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
                    for t in &gathered.truncated {
                        tracing::warn!(
                            query = %crate::import_cmd::without_credentials(t),
                            "kkj query still has more hits than one answer holds"
                        );
                    }
                    Ok((shown, Input::downloads(gathered.documents)))
                }
                _ => {
                    let file = crate::import_cmd::fetch_to_file(url).await?;
                    Ok((shown, Input::downloads(vec![file])))
                }
            }
        }
    }
}

/// Runs `work` and reports whether it panicked, so that one faulty run never
/// ends the loop that runs every schedule.
async fn guarded(what: &str, work: impl std::future::Future<Output = ()>) -> bool {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(()) => true,
        Err(_) => {
            tracing::error!(job = what, "scheduled job panicked; the schedule goes on");
            false
        }
    }
}

/// Runs a schedule once: read, import, log.
async fn run_one(store: &store::Store, s: &ImportSchedule) {
    let now = crate::accounts::now_ms();
    let (origin, input) = match read(s, now).await {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(source = s.source.name(), error = %e, "scheduled import could not read its input");
            return;
        }
    };
    match input.import(store, s.source, &origin, &mut |_| {}).await {
        Ok(out) => tracing::info!(
            source = s.source.name(),
            run = out.run_id,
            inserted = out.counts.inserted,
            updated = out.counts.updated,
            rejected = out.counts.rejected,
            failed = out.error.is_some(),
            "scheduled import finished"
        ),
        Err(e) => tracing::warn!(source = s.source.name(), error = %e, "scheduled import failed"),
    }
}

/// Whether this node should run schedule `i` now; takes its lease if so.
pub async fn take_if_due(
    store: &store::Store,
    name: &str,
    holder: &str,
    every: Duration,
    now: i64,
) -> store::Result<bool> {
    if let Some(lease) = store.lease(name).await?
        && lease.expires_at > now
    {
        return Ok(false);
    }
    store
        .try_acquire_lease(name, holder, every.max(RUN_GUARD), now)
        .await
}

/// Runs the schedules until `stop`: each when due, on the node that takes
/// its lease; `run_now` (an administrator's "run now", which ended a lease) makes
/// it look at once. `wake` is told after each run (cases were written).
pub async fn run_scheduler(
    store: store::Store,
    schedules: Vec<ImportSchedule>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    run_now: std::sync::Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    if schedules.is_empty() {
        return;
    }
    let holder = format!(
        "{}-{}",
        std::process::id(),
        domain::audit::token_hash(&format!("{:?}", std::time::SystemTime::now()))
            .get(..12)
            .unwrap_or_default()
    );
    loop {
        let now = crate::accounts::now_ms();
        match store
            .abandon_silent_import_runs(now - SILENT_RUN.as_millis() as i64, now)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!(runs = n, "import runs without progress marked failed"),
            Err(e) => tracing::warn!(error = %e, "silent import runs could not be checked"),
        }
        for (i, s) in schedules.iter().enumerate() {
            let name = lease_name(i, s);
            let start = crate::accounts::now_ms();
            match take_if_due(&store, &name, &holder, s.every, start).await {
                Ok(true) => {
                    guarded(&name, run_one(&store, s)).await;
                    wake.notify_one();
                    // The next run is due one interval after this one began.
                    if let Err(e) = store
                        .try_acquire_lease(&name, &holder, s.every, start)
                        .await
                    {
                        tracing::warn!(error = %e, "import schedule lease could not be renewed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "import schedule lease could not be read"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = run_now.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_panicking_job_is_caught_and_reported() {
        assert!(super::guarded("ok", async {}).await);
        assert!(
            !super::guarded("boom", async {
                let v: Vec<u8> = Vec::new();
                let _ = v[usize::from(v.is_empty())];
            })
            .await
        );
    }

    #[test]
    fn lease_names_tell_schedules_apart() {
        let s = crate::config::ImportSchedule {
            source: import::Source::Kkj,
            origin: crate::config::ImportOrigin::Url("https://kkj.example/api".into()),
            every: std::time::Duration::from_secs(60),
            days: Some(3),
        };
        assert_eq!(super::lease_name(0, &s), "import:kkj:0");
        assert_eq!(super::lease_name(2, &s), "import:kkj:2");
    }
}
