//! One import run: parse, store what is good in batches, set aside what is
//! not, and keep the run's log and progress in the database.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures_util::FutureExt;
use store::{CaseResult, NewCase, RunCounts, Store, Upserted};

use crate::tokyo::Departments;
use crate::{Outcome, Parsed, Record, Source};

/// Reads one document of a source: what `Source::parse` does, or a stand-in.
pub type Parser<'a> = dyn Fn(&[u8], &Departments) -> Result<Parsed, String> + Sync + 'a;

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
    run_documents_with(
        store,
        source,
        origin,
        inputs,
        &|input, departments| source.parse(input, departments),
        now,
        progress,
    )
    .await
}

/// Like `run_documents`, reading each document with `parser`. A panic
/// anywhere in the run — a fault of ours, never of the input — ends only this
/// run: it is marked failed with the reason, and the caller (a schedule)
/// goes on.
pub async fn run_documents_with(
    store: &Store,
    source: Source,
    origin: &str,
    inputs: &[Vec<u8>],
    parser: &Parser<'_>,
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    let started = Instant::now();
    let run_id = store.start_import_run(source.name(), origin, now()).await?;
    let work = import_into(store, source, run_id, inputs, parser, &now, progress);
    guarded(store, source, run_id, started, &now, work).await
}

/// Imports the document in file `path`. A kkj answer is read record by
/// record and stored a batch at a time as it is read, so that memory stays
/// bounded whatever the file's size (a batch of records and the record being
/// read); other sources read the whole file.
pub async fn run_file(
    store: &Store,
    source: Source,
    origin: &str,
    path: &Path,
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    run_files(store, source, origin, &[path], now, progress).await
}

/// Like `run_file`, for a source answered in several files (a search split
/// into several requests, each answer downloaded to a file): one run over
/// all their records, read one file after the other.
pub async fn run_files(
    store: &Store,
    source: Source,
    origin: &str,
    paths: &[&Path],
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    let run_id = store.start_import_run(source.name(), origin, now()).await?;
    run_files_started(store, run_id, source, paths, now, progress).await
}

/// Like `run_files`, for run `run_id` already started (so that whoever
/// started it can show its progress while it goes on).
pub async fn run_files_started(
    store: &Store,
    run_id: i64,
    source: Source,
    paths: &[&Path],
    now: impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<RunOutcome, store::StoreError> {
    let started = Instant::now();
    if source == Source::Kkj {
        let paths = paths.iter().map(|p| p.to_path_buf()).collect();
        let work = stream_kkj(store, run_id, paths, &now, progress);
        return guarded(store, source, run_id, started, &now, work).await;
    }
    let mut inputs = Vec::with_capacity(paths.len());
    for path in paths {
        match std::fs::read(path) {
            Ok(bytes) => inputs.push(bytes),
            Err(e) => {
                let reason = format!("ファイルを読めません：{e}");
                store
                    .finish_import_run(run_id, &RunCounts::default(), Some(&reason), now())
                    .await?;
                return Ok(RunOutcome {
                    run_id,
                    counts: RunCounts::default(),
                    error: Some(reason),
                    seconds: started.elapsed().as_secs_f64(),
                });
            }
        }
    }
    let parser = |input: &[u8], departments: &Departments| source.parse(input, departments);
    let work = import_into(store, source, run_id, &inputs, &parser, &now, progress);
    guarded(store, source, run_id, started, &now, work).await
}

/// Records handed from the reading thread to the storing task at most at once.
const IN_FLIGHT: usize = 8;
/// A batch is stored when it holds `BATCH` records or this many bytes of text.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// About how much memory a record holds.
fn weight(r: &Record) -> usize {
    r.raw.len()
        + r.outcome
            .case()
            .map_or(0, |c| c.title.len() + c.description.len() + 512)
}

async fn stream_kkj(
    store: &Store,
    run_id: i64,
    paths: Vec<PathBuf>,
    now: &impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<(RunCounts, Option<String>), store::StoreError> {
    let mut counts = RunCounts::default();
    // Every file is opened before anything is stored, so that a missing one
    // fails the run before it began.
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        match std::fs::File::open(path) {
            Ok(f) => files.push(f),
            Err(e) => {
                let reason = format!("ファイルを読めません：{e}");
                store
                    .finish_import_run(run_id, &counts, Some(&reason), now())
                    .await?;
                return Ok((counts, Some(reason)));
            }
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Record>(IN_FLIGHT);
    let reading = tokio::task::spawn_blocking(move || {
        for (i, file) in files.into_iter().enumerate() {
            let read =
                crate::kkj::stream(std::io::BufReader::with_capacity(1 << 16, file), &mut |r| {
                    // The storing side stopped (a database error): stop handing over.
                    let _ = tx.blocking_send(r);
                });
            if let Err(reason) = read {
                return Err(if paths.len() > 1 {
                    format!("{}件目の応答：{reason}", i + 1)
                } else {
                    reason
                });
            }
        }
        Ok(())
    });
    let mut batch: Vec<Record> = Vec::new();
    let mut bytes = 0;
    let mut stored: Result<(), store::StoreError> = Ok(());
    loop {
        let next = rx.recv().await;
        let done = next.is_none();
        if let Some(r) = next {
            bytes += weight(&r);
            batch.push(r);
        }
        if !batch.is_empty() && (done || batch.len() >= BATCH || bytes >= BATCH_BYTES) {
            stored = store_records(
                store,
                Source::Kkj,
                run_id,
                &batch,
                now,
                &mut counts,
                progress,
            )
            .await;
            batch.clear();
            bytes = 0;
            if stored.is_err() {
                break;
            }
        }
        if done {
            break;
        }
    }
    drop(rx);
    let read = reading.await;
    if let Err(e) = stored {
        store
            .finish_import_run(run_id, &counts, Some(&e.to_string()), now())
            .await?;
        return Err(e);
    }
    let error = match read {
        Ok(Ok(())) => {
            counts.expected = Some(counts.seen);
            None
        }
        // Whatever was read before the document broke off is stored, batch by batch.
        Ok(Err(reason)) => Some(if counts.seen > 0 {
            format!("{reason}（それまでの{}件は取り込みました）", counts.seen)
        } else {
            reason
        }),
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(join) => Some(format!("読み込みが中断されました：{join}")),
    };
    store
        .finish_import_run(run_id, &counts, error.as_deref(), now())
        .await?;
    Ok((counts, error))
}

/// Runs a run's work; a panic in it — a fault of ours, never of the input —
/// marks the run failed with the reason instead of unwinding into the caller.
async fn guarded(
    store: &Store,
    source: Source,
    run_id: i64,
    started: Instant,
    now: &impl Fn() -> i64,
    work: impl std::future::Future<Output = Result<(RunCounts, Option<String>), store::StoreError>>,
) -> Result<RunOutcome, store::StoreError> {
    let work = AssertUnwindSafe(work).catch_unwind().await;
    let (counts, error) = match work {
        Ok(done) => done?,
        Err(panic) => {
            let reason = format!(
                "取り込みの途中で内部エラーが起きたため、この回を中止しました：{}",
                panic_message(panic.as_ref())
            );
            tracing::error!(source = source.name(), run = run_id, error = %reason, "import run panicked");
            // What was stored before the fault stays; its counts are the last recorded.
            let counts = store
                .import_run(run_id)
                .await?
                .map(|r| r.counts)
                .unwrap_or_default();
            store
                .finish_import_run(run_id, &counts, Some(&reason), now())
                .await?;
            (counts, Some(reason))
        }
    };
    Ok(RunOutcome {
        run_id,
        counts,
        error,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The text of a panic's payload, clipped.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "（内容不明）".to_owned());
    text.chars().take(300).collect()
}

/// Parses and stores; finishes the run. Returns the counts and, when the
/// document could not be read at all, why.
async fn import_into(
    store: &Store,
    source: Source,
    run_id: i64,
    inputs: &[Vec<u8>],
    parser: &Parser<'_>,
    now: &impl Fn() -> i64,
    progress: &mut (dyn FnMut(&RunCounts) + Send),
) -> Result<(RunCounts, Option<String>), store::StoreError> {
    let mut counts = RunCounts::default();
    let departments = match source {
        Source::Tokyo | Source::TokyoMunicipal => Departments::load(store).await?,
        _ => Departments::default(),
    };
    let mut parsed = Parsed::default();
    let mut failure = None;
    for input in inputs {
        match parser(input, &departments) {
            Ok(p) => parsed.records.extend(p.records),
            Err(reason) => {
                failure = Some((reason, input));
                break;
            }
        }
    }
    if let Some((reason, input)) = failure {
        let raw = String::from_utf8_lossy(input);
        store
            .quarantine(run_id, source.name(), None, &reason, clip(&raw), now())
            .await?;
        counts.rejected = 1;
        store
            .finish_import_run(run_id, &counts, Some(&reason), now())
            .await?;
        return Ok((counts, Some(reason)));
    }
    counts.expected = Some(parsed.records.len() as i64);
    store.record_import_progress(run_id, &counts, now()).await?;
    let result = store_records(
        store,
        source,
        run_id,
        &parsed.records,
        now,
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
        skipped = counts.skipped,
        "import finished"
    );
    Ok((counts, None))
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
        // The same key twice in one document: the later record wins, once.
        let mut good: Vec<(NewCase, Vec<CaseResult>)> = Vec::new();
        for r in chunk {
            let (outcome, results) = match &r.ocds {
                Some(process) => compile_with_kept(store, process, now()).await?,
                None => (r.outcome.clone(), r.results.clone()),
            };
            match outcome {
                Outcome::Case(case) => {
                    let case = *case;
                    match good
                        .iter_mut()
                        .find(|(x, _)| x.source_key == case.source_key)
                    {
                        Some(slot) => *slot = (case, results),
                        None => good.push((case, results)),
                    }
                }
                Outcome::Skipped(_) => counts.skipped += 1,
                Outcome::Rejected(reason) => {
                    store
                        .quarantine(
                            run_id,
                            source.name(),
                            r.key.as_deref(),
                            &reason,
                            clip(&r.raw),
                            now(),
                        )
                        .await?;
                    counts.rejected += 1;
                }
            }
        }
        let cases: Vec<NewCase> = good.iter().map(|(c, _)| c.clone()).collect();
        let done = store
            .upsert_with_history(Some(run_id), &cases, now())
            .await?;
        for ((_, results), outcome) in good.iter().zip(&done) {
            match outcome {
                Upserted::Inserted(_) => counts.inserted += 1,
                Upserted::Updated(_) => counts.updated += 1,
                Upserted::Unchanged(_) => counts.unchanged += 1,
            }
            if !matches!(outcome, Upserted::Unchanged(_)) || !results.is_empty() {
                store.replace_case_results(outcome.id(), results).await?;
            }
        }
        counts.seen += chunk.len() as i64;
        store.record_import_progress(run_id, counts, now()).await?;
        progress(counts);
    }
    Ok(())
}

/// An OCDS process compiled from every release kept for it, this
/// document's included (kept first).
async fn compile_with_kept(
    store: &Store,
    process: &crate::ocds::Process,
    now: i64,
) -> Result<(Outcome, Vec<CaseResult>), store::StoreError> {
    store
        .save_ocds_releases(&process.ocid, &process.to_keep(), now)
        .await?;
    let kept: Vec<serde_json::Value> = store
        .ocds_releases(&process.ocid)
        .await?
        .iter()
        .filter_map(|(_, body)| serde_json::from_str(body).ok())
        .collect();
    Ok(crate::ocds::resolve(&process.ocid, &kept))
}
