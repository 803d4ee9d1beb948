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
        /// Only companies that changed since the previous export to the same
        /// destination (--to)
        #[arg(long)]
        changed: bool,
        /// Where the export goes: --changed starts where the previous export
        /// to this destination ended, and this export becomes its next
        /// starting point
        #[arg(long, value_name = "NAME", default_value = import::export::DEFAULT_DESTINATION,
              conflicts_with = "ad_hoc")]
        to: String,
        /// A one-off export: it moves no destination's starting point (and
        /// cannot be --changed)
        #[arg(long, conflicts_with = "changed")]
        ad_hoc: bool,
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
    let head = import::ocds_export::package_head(&format!("{site}/"), &site, now);
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
            if written > 0 {
                out.write_all(b",")?;
            }
            let release = import::ocds_export::case_release(&store, &c, &site).await?;
            serde_json::to_writer(&mut out, &release)?;
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
    let (format, changed, to, ad_hoc, output) = match args.command {
        ExportCommand::Companies {
            format,
            changed,
            to,
            ad_hoc,
            output,
        } => (format, changed, to, ad_hoc, output),
        ExportCommand::Ocds { output } => return ocds(settings, output).await,
    };
    let Some(format) = Format::parse(&format) else {
        bail!("unknown format {format:?}: use csv-utf8, csv-cp932 or jsonl");
    };
    let destination = if ad_hoc {
        None
    } else {
        Some(import::export::destination_name(&to).ok_or_else(|| {
            anyhow::anyhow!("--to {to:?}: use 1 to 40 letters, digits, '-', '_' or '.'")
        })?)
    };
    // Every export of personal data is audited.
    let store = settings.store().await?;
    store.migrate().await?;
    let exported = export_companies(
        &store,
        format,
        changed,
        destination.as_deref(),
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
        "export {} to {}: {} companies ({scope}), {}",
        exported.export_id,
        destination.as_deref().unwrap_or("(ad hoc)"),
        exported.rows,
        format.name()
    );
    if !exported.problems.is_empty() {
        eprintln!(
            "warning: {} values hold characters CP932 cannot; they were written as 〓 (use --format csv-utf8 to keep them):",
            exported.problems.len()
        );
        for p in &exported.problems {
            eprintln!(
                "  company {} ({}), {}: {}",
                p.company_id, p.company, p.field, p.characters
            );
        }
    }
    Ok(())
}
