//! `chance-navi`: the one binary; each subcommand is an entry point of the product.

mod accounts;
mod audit_cmd;
mod bench;
mod bench_bids;
mod bench_bundle;
mod bench_import;
mod bench_notify;
mod bench_pages;
mod bench_search;
mod bench_serve;
mod config;
mod content_cmd;
mod corpus;
mod demo;
mod demo_content;
mod export_cmd;
mod import_cmd;
mod index;
mod notify_cmd;
mod schedule;
mod serve;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{CommonArgs, LogFormat, ServeArgs, Settings};

const AFTER_HELP: &str = "\
Settings are read from command-line flags first, then from environment variables
(shown in brackets), then from the TOML file given by --config, then defaults.
The file takes the same names in snake_case, with serve's under [serve]:

    data_dir = \"/var/lib/chance-navi\"
    database_url = \"postgres://navi:secret@db:5432/navi\"
    public_url = \"https://navi.example.jp\"
    smtp_url = \"smtp://navi:secret@mail.example.jp:587?tls=required\"
    mail_from = \"ビジネスチャンス・ナビ <no-reply@navi.example.jp>\"
    db_max_connections = 20
    log = \"info\"
    log_format = \"json\"
    kek_file = \"/etc/chance-navi/kek\"
    audit_key_file = \"/etc/chance-navi/audit\"

    [serve]
    listen = \"0.0.0.0:8080\"
    request_timeout_secs = 30
    max_body_bytes = 10485760
    shutdown_grace_secs = 30

Every subcommand takes --config, --data-dir and --database-url, so that
`chance-navi <command> --data-dir D` works on the installation that
`chance-navi serve --data-dir D` runs.

Two keys live outside the database, in <data-dir>/keys/ unless given: the
key-encryption key of sealed bids (kek) and the audit key (audit), which keys
the audit log's hashes and signs its checkpoints. Back both up apart from the
database, and give every node of a cluster the same ones.";

/// chance-navi: public tenders, e-procurement, private orders and business
/// partners for Japan's small and medium enterprises.
#[derive(Debug, Parser)]
#[command(name = "chance-navi", version, after_help = AFTER_HELP, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web portal: migrate the database, then serve until SIGTERM or SIGINT
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit
    Migrate,
    /// Load the demo data (staff in every role, companies at every stage of
    /// review, cases, the site's pages and news) unless it is there, and print
    /// who can sign in
    Demo,
    /// Create users from the command line (the first administrator, for one)
    User(accounts::UserArgs),
    /// Check the audit log against its key and checkpoints, and sign checkpoints
    Audit(audit_cmd::AuditArgs),
    /// Manage the search index (derived from the database)
    Index(index::IndexArgs),
    /// Import public tenders from outside sources
    Import(import_cmd::ImportArgs),
    /// Carry the site's content from staging to production: export a signed
    /// bundle, import it (--dry-run shows the plan), roll back, push
    Content(content_cmd::ContentArgs),
    /// Export data for other systems (the support center's CRM)
    Export(export_cmd::ExportArgs),
    /// おすすめ案件通知: match new cases against users' settings and mail them
    Notify(notify_cmd::NotifyArgs),
    /// Measure the portal's speed (results belong in docs/benchmarks.md)
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::Error::new(e).context("cannot start the async runtime")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings::resolve(&cli.common, &args)?;
            init_logging(&settings)?;
            serve::run(settings, args.demo).await
        }
        Command::Migrate => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            migrate(&settings).await
        }
        Command::Demo => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            let store = settings.store().await?;
            store.migrate().await?;
            let kek = settings.kek.load()?;
            let logins = demo::seed(&store, Some(&kek), accounts::now_ms()).await?;
            store.close().await;
            demo::print(&logins, &settings.public_url);
            Ok(())
        }
        Command::User(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            accounts::user(args, &settings).await
        }
        Command::Audit(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            audit_cmd::run(args, &settings).await
        }
        Command::Index(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            index::run(args, &settings).await
        }
        Command::Content(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            content_cmd::run(args, &settings).await
        }
        Command::Export(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            export_cmd::run(args, &settings).await
        }
        Command::Import(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            import_cmd::run(args, &settings).await
        }
        Command::Notify(args) => {
            let settings = Settings::resolve(&cli.common, &ServeArgs::default())?;
            init_logging(&settings)?;
            notify_cmd::run(args, &settings).await
        }
        Command::Bench(args) => bench::run(args, &cli.common).await,
    }
}

async fn migrate(settings: &Settings) -> Result<()> {
    let store = store::Store::connect(&settings.database, &settings.pool()).await?;
    let report = store.migrate().await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    if report.applied.is_empty() {
        writeln!(
            out,
            "database {} is up to date (version {})",
            store.target(),
            report.current
        )?;
    } else {
        let applied: Vec<String> = report.applied.iter().map(i64::to_string).collect();
        writeln!(
            out,
            "database {} migrated to version {} (applied {})",
            store.target(),
            report.current,
            applied.join(", ")
        )?;
    }
    Ok(())
}

fn init_logging(settings: &Settings) -> Result<()> {
    let filter = EnvFilter::try_new(&settings.log)
        .with_context(|| format!("invalid log filter {:?}", settings.log))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    }
    .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
}

/// One line on standard error: what failed and where, each cause after a colon.
fn fail(e: &anyhow::Error) -> ExitCode {
    let line = format!("{e:#}").replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "error: {line}");
    ExitCode::FAILURE
}

/// clap's own output for --help and --version; for a mistake, its first line
/// and where to read more, instead of the whole usage.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            let text = e.render().to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            let _ = writeln!(std::io::stderr(), "error: {first} (see chance-navi --help)");
            ExitCode::from(2)
        }
    }
}
