//! `chance-navi content`: the site's content carried from staging to
//! production as one signed bundle (decision 0009) — export, import (with
//! `--dry-run` for the field-level plan), rollback of the last import, and
//! push to a production server over HTTPS.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use store::{Action, BundlePlan};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ContentArgs {
    #[command(subcommand)]
    command: ContentCommand,
}

#[derive(Debug, Subcommand)]
enum ContentCommand {
    /// Write every page, post, category and media file (drafts too) to one
    /// bundle signed with the bundle key
    Export {
        /// The bundle file to write
        #[arg(long)]
        output: PathBuf,
    },
    /// Apply a bundle in one transaction (the content as it was is kept for
    /// `content rollback`); with --dry-run, print what would change and
    /// change nothing
    Import {
        /// The bundle file
        file: PathBuf,
        /// Print the plan (added, changed, removed, unchanged, and each
        /// changed field) without applying it
        #[arg(long)]
        dry_run: bool,
    },
    /// Return the content to what it was before the last import
    Rollback,
    /// Send a bundle to a production server (POST /api/v1/content/bundle)
    /// with an API token of its operations role, from
    /// CHANCE_NAVI_PUSH_TOKEN or --token-file
    Push {
        /// The bundle file
        file: PathBuf,
        /// The production server's address, e.g. https://navi.example.jp
        #[arg(long)]
        to: String,
        /// File holding the API token
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// Ask for the plan only
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(args: ContentArgs, settings: &Settings) -> Result<()> {
    let now = crate::accounts::now_ms();
    let actor = store::Actor::cli("content");
    if let ContentCommand::Push {
        file,
        to,
        token_file,
        dry_run,
    } = &args.command
    {
        return push(file, to, token_file.as_deref(), *dry_run).await;
    }
    let bundles = settings.bundles()?;
    let store = settings.store().await?;
    store.migrate().await?;
    let result = match args.command {
        ContentCommand::Export { output } => {
            let n = bundles
                .export(&store, &output, &settings.public_url, now)
                .await
                .with_context(|| format!("cannot write {}", output.display()))?;
            let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
            println!(
                "wrote {} ({} bytes): {} items, {} media files, {} categories",
                output.display(),
                size,
                n.items,
                n.media,
                n.categories
            );
            Ok(())
        }
        ContentCommand::Import { file, dry_run } => {
            let plan = if dry_run {
                bundles.plan(&store, &file).await
            } else {
                bundles
                    .import(&store, &file, &settings.public_url, &actor, now)
                    .await
            };
            match plan {
                Ok(plan) => {
                    print_plan(&plan, dry_run)?;
                    Ok(())
                }
                Err(e) => Err(refusal(e)),
            }
        }
        ContentCommand::Rollback => match bundles.rollback(&store, &actor, now).await {
            Ok(Some(plan)) => {
                println!("rolled back to the content before the last import");
                print_plan(&plan, false)?;
                Ok(())
            }
            Ok(None) => Err(anyhow::anyhow!(
                "戻せる取り込みがありません（この環境ではまだ取り込んでいません）。"
            )),
            Err(e) => Err(refusal(e)),
        },
        ContentCommand::Push { .. } => unreachable!("handled above"),
    };
    store.close().await;
    result
}

/// A refused bundle is said as it is (in Japanese); other faults keep
/// their cause.
fn refusal(e: store::StoreError) -> anyhow::Error {
    match e {
        store::StoreError::Bundle(b) => anyhow::anyhow!("{b}"),
        other => anyhow::Error::new(other),
    }
}

fn print_plan(plan: &BundlePlan, dry_run: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bundle from {} made {}",
        plan.header.source,
        domain::time::jst_datetime(plan.header.made_at)
    )?;
    for s in &plan.sections {
        writeln!(
            out,
            "{}: 追加 {} / 変更 {} / 削除 {} / 変更なし {}",
            s.label,
            s.count(Action::Added),
            s.count(Action::Changed),
            s.count(Action::Removed),
            s.unchanged
        )?;
        for c in &s.changes {
            writeln!(out, "  {} {}", c.action.label(), c.name)?;
            if c.action == Action::Changed {
                for f in &c.fields {
                    writeln!(out, "    {}", f.field)?;
                    for l in &f.lines {
                        writeln!(out, "      {}{}", l.sign, l.text)?;
                    }
                }
            }
        }
    }
    let verdict = match (plan.is_empty(), dry_run) {
        (true, _) => "nothing to change",
        (false, true) => "dry run: nothing was changed",
        (false, false) => "applied",
    };
    writeln!(out, "{verdict}")?;
    Ok(())
}

async fn push(
    file: &std::path::Path,
    to: &str,
    token_file: Option<&std::path::Path>,
    dry_run: bool,
) -> Result<()> {
    let token = match token_file {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the token file {}", p.display()))?,
        None => std::env::var("CHANCE_NAVI_PUSH_TOKEN")
            .context("give the production API token with --token-file or CHANCE_NAVI_PUSH_TOKEN")?,
    };
    let token = token.trim().to_owned();
    let base = to.trim_end_matches('/');
    if !(base.starts_with("https://")
        || base.starts_with("http://127.0.0.1")
        || base.starts_with("http://localhost"))
    {
        bail!("push over HTTPS only (or to this machine): {base}");
    }
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let body = tokio::fs::File::open(file)
        .await
        .with_context(|| format!("cannot read {}", file.display()))?;
    let url = format!(
        "{base}/api/v1/content/bundle{}",
        if dry_run { "?dry_run=true" } else { "" }
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::builder()
        .build()?
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .header("content-length", size)
        .body(reqwest::Body::wrap_stream(web::file_stream(body)))
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = response.status();
    let answer: serde_json::Value = response
        .json()
        .await
        .with_context(|| format!("{base} answered {status} without JSON"))?;
    if !status.is_success() {
        let message = answer["message"]
            .as_str()
            .or_else(|| answer["error"]["message"].as_str())
            .unwrap_or("");
        bail!("{base} refused the bundle ({status}): {message}");
    }
    println!(
        "{}: {}",
        if answer["applied"] == true {
            "applied"
        } else if dry_run {
            "dry run"
        } else {
            "nothing to change"
        },
        answer["summary"].as_str().unwrap_or("")
    );
    Ok(())
}
