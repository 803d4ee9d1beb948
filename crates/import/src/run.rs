//! One import run: parse, store what is good in batches, set aside what is
//! not, and keep the run's log and progress in the database.

use std::time::Instant;

use store::{NewCase, RunCounts, Store, Upserted};

use crate::{Record, Source};

/// Records stored per transaction.
const BATCH: usize = 500;
/// The longest raw text kept for a record set aside.
const MAX_RAW: usize = 1_000_000;

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub run_id: i64,
    pub counts: RunCounts,
    /// Why the document could not be read at all (nothing was stored).
    pub error: Option<String>,
    pub seconds: f64,
}

fn clip(raw: &str) -> &str {
    if raw.len() <= MAX_RAW {
        return raw;
    }
    let mut end = MAX_RAW;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    &raw[..end]
}

/// Imports `input` (read from `origin`, a path or URL without credentials)
/// as `source`. `progress` is called after each batch. Store errors end the
/// run as failed and are returned.
pub async fn run(
    store: &Store,
    source: Source,
    origin: &str,
    input: &[u8],
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    run_documents(store, source, origin, &[input.to_vec()], now, progress).await
}

/// Like `run`, for a source answered in several documents (a search split
/// into several requests): one run over all their records.
pub async fn run_documents(
    store: &Store,
    source: Source,
    origin: &str,
    inputs: &[Vec<u8>],
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    let started = Instant::now();
    let run_id = store.start_import_run(source.name(), origin, now()).await?;
    let mut counts = RunCounts::default();
    let departments = match source {
        Source::Tokyo | Source::TokyoMunicipal => crate::tokyo::Departments::load(store).await?,
        _ => crate::tokyo::Departments::default(),
    };
    let mut parsed = crate::Parsed::default();
    let mut failure = None;
    for input in inputs {
        match source.parse(input, &departments) {
            Ok(p) => parsed.records.extend(p.records),
            Err(reason) => {
                failure = Some((reason, input));
                break;
            }
        }
    }
    let parsed = match failure {
        None => parsed,
        Some((reason, input)) => {
            let raw = String::from_utf8_lossy(input);
            store
                .quarantine(run_id, source.name(), None, &reason, clip(&raw), now())
                .await?;
            counts.rejected = 1;
            store
                .finish_import_run(run_id, &counts, Some(&reason), now())
                .await?;
            return Ok(RunOutcome {
                run_id,
                counts,
                error: Some(reason),
                seconds: started.elapsed().as_secs_f64(),
            });
        }
    };
    counts.expected = Some(parsed.records.len() as i64);
    store.record_import_progress(run_id, &counts).await?;
    let result = store_records(
        store,
        source,
        run_id,
        &parsed.records,
        &now,
        &mut counts,
        progress,
    )
    .await;
    let error = result.as_ref().err().map(ToString::to_string);
    store
        .finish_import_run(run_id, &counts, error.as_deref(), now())
        .await?;
    result?;
    tracing::info!(
        source = source.name(),
        run = run_id,
        inserted = counts.inserted,
        updated = counts.updated,
        unchanged = counts.unchanged,
        rejected = counts.rejected,
        "import finished"
    );
    Ok(RunOutcome {
        run_id,
        counts,
        error: None,
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn store_records(
    store: &Store,
    source: Source,
    run_id: i64,
    records: &[Record],
    now: &impl Fn() -> i64,
    counts: &mut RunCounts,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<(), store::StoreError> {
    for chunk in records.chunks(BATCH) {
        let mut good: Vec<(&Record, NewCase)> = Vec::new();
        for r in chunk {
            match &r.outcome {
                Ok(case) => good.push((r, case.clone())),
                Err(reason) => {
                    store
                        .quarantine(
                            run_id,
                            source.name(),
                            r.key.as_deref(),
                            reason,
                            clip(&r.raw),
                            now(),
                        )
                        .await?;
                    counts.rejected += 1;
                }
            }
        }
        // The same key twice in one document: the later record wins, once.
        let mut cases: Vec<NewCase> = Vec::with_capacity(good.len());
        for (_, c) in &good {
            match cases.iter_mut().find(|x| x.source_key == c.source_key) {
                Some(x) => *x = c.clone(),
                None => cases.push(c.clone()),
            }
        }
        let done = store
            .upsert_with_history(Some(run_id), &cases, now())
            .await?;
        for (c, outcome) in cases.iter().zip(&done) {
            match outcome {
                Upserted::Inserted(_) => counts.inserted += 1,
                Upserted::Updated(_) => counts.updated += 1,
                Upserted::Unchanged(_) => counts.unchanged += 1,
            }
            let results = good
                .iter()
                .rev()
                .find(|(_, x)| x.source_key == c.source_key)
                .map(|(r, _)| r.results.as_slice())
                .unwrap_or_default();
            if !matches!(outcome, Upserted::Unchanged(_)) || !results.is_empty() {
                store.replace_case_results(outcome.id(), results).await?;
            }
        }
        counts.seen += chunk.len() as i64;
        store.record_import_progress(run_id, counts).await?;
        progress(counts);
    }
    Ok(())
}
