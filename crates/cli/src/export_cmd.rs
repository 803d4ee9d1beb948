//! `chance-navi export companies`: approved companies' data for the support
//! center's CRM, as CSV (UTF-8 or CP932) or JSON Lines; every export is
//! recorded and audited.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use import::export::{Format, export_companies};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    command: ExportCommand,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Approved (and suspended) companies with their contact, one per row
    Companies {
        /// csv-utf8 (with BOM), csv-cp932 (Shift_JIS for Excel) or jsonl
        #[arg(long, default_value = "csv-utf8")]
        format: String,
        /// Only companies that changed since the previous export
        #[arg(long)]
        changed: bool,
        /// Write here instead of standard output
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Every public case as an OCDS 1.1 release package (JSON), with the
    /// awards published for it
    Ocds {
        /// Write here instead of standard output
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

/// Writes the release package a page of cases at a time, so that a million
/// cases never sit in memory at once.
async fn ocds(settings: &Settings, output: Option<std::path::PathBuf>) -> Result<()> {
    let store = store::Store::connect(&settings.database, &settings.pool()).await?;
    store.migrate().await?;
    let mut out: Box<dyn Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let site = settings.public_url.clone();
    let now = crate::accounts::now_ms();
    let mut head = import::ocds_export::package(&[], &site, now);
    if let Some(obj) = head.as_object_mut() {
        obj.remove("releases");
    }
    // The package without its releases, then the releases streamed in.
    let head = serde_json::to_string(&head)?;
    let head = head.strip_suffix('}').context("package layout")?;
    write!(out, "{head},\"releases\":[")?;
    let mut after = 0;
    let mut written = 0u64;
    loop {
        let ids = store.public_case_ids_after(after, 1000).await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for c in store.cases_by_ids(&ids).await? {
            let mut results = store.case_results(c.id).await?;
            if let Some(opening) = store.opening(c.id).await? {
                results.extend(import::ocds_export::opening_results(&opening));
            }
            if written > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut out, &import::ocds_export::release(&c, &results, &site))?;
            written += 1;
        }
    }
    out.write_all(b"]}\n")?;
    out.flush()?;
    store.close().await;
    eprintln!("OCDS release package: {written} releases");
    Ok(())
}

pub async fn run(args: ExportArgs, settings: &Settings) -> Result<()> {
    let (format, changed, output) = match args.command {
        ExportCommand::Companies {
            format,
            changed,
            output,
        } => (format, changed, output),
        ExportCommand::Ocds { output } => return ocds(settings, output).await,
    };
    let Some(format) = Format::parse(&format) else {
        bail!("unknown format {format:?}: use csv-utf8, csv-cp932 or jsonl");
    };
    // Every export of personal data is audited.
    let store = settings.store().await?;
    store.migrate().await?;
    let exported = export_companies(
        &store,
        format,
        changed,
        &store::Actor::cli("export companies"),
        crate::accounts::now_ms(),
    )
    .await?;
    store.close().await;
    match &output {
        Some(path) => std::fs::write(path, &exported.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout()
            .write_all(&exported.bytes)
            .context("cannot write to standard output")?,
    }
    let scope = match exported.since {
        Some(s) => format!("changed since {}", domain::time::jst_rfc3339(s)),
        None => "all".to_owned(),
    };
    eprintln!(
        "export {}: {} companies ({scope}), {}",
        exported.export_id,
        exported.rows,
        format.name()
    );
    if exported.unmappable > 0 {
        eprintln!(
            "warning: {} characters cannot be written in CP932 and were written as 〓; use --format csv-utf8 to keep them",
            exported.unmappable
        );
    }
    Ok(())
}
