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
}

pub async fn run(args: ExportArgs, settings: &Settings) -> Result<()> {
    let ExportCommand::Companies {
        format,
        changed,
        output,
    } = args.command;
    let Some(format) = Format::parse(&format) else {
        bail!("unknown format {format:?}: use csv-utf8, csv-cp932 or jsonl");
    };
    let store = store::Store::connect(&settings.database, &settings.pool()).await?;
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
