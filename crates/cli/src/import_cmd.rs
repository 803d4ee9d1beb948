//! `chance-navi import run`: one import from a file or a URL, with a
//! progress bar when standard error is a terminal.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use import::Source;

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    command: ImportCommand,
}

/// The sources, as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SourceArg {
    /// 官公需情報ポータルサイト: the search API's XML
    Kkj,
    /// 東京都財務局 (東京都電子調達システム): CSV, docs/formats/tokyo.md
    Tokyo,
    /// 東京電子自治体共同運営: CSV, docs/formats/tokyo-municipal.md
    TokyoMunicipal,
    /// OCDS 1.1 (and 1.0) release or record packages: JSON
    Ocds,
}

impl SourceArg {
    fn source(self) -> Source {
        match self {
            SourceArg::Kkj => Source::Kkj,
            SourceArg::Tokyo => Source::Tokyo,
            SourceArg::TokyoMunicipal => Source::TokyoMunicipal,
            SourceArg::Ocds => Source::Ocds,
        }
    }
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import once from a file or a URL; prints the run's counts. Bad records
    /// are set aside (see the admin area's import runs) and the rest goes on;
    /// exit status 1 when the document cannot be read at all.
    Run {
        /// Where the document comes from
        #[arg(long, value_enum)]
        source: SourceArg,
        /// Read this file
        #[arg(long, conflicts_with = "url", required_unless_present = "url")]
        file: Option<std::path::PathBuf>,
        /// Fetch this URL (http or https)
        #[arg(long)]
        url: Option<String>,
        /// kkj with --url: fetch what was published in the last N days,
        /// splitting the query by date and prefecture when it has more hits
        /// than one answer (1,000) holds
        #[arg(long, requires = "url")]
        days: Option<u32>,
    },
}

/// A URL as it may be logged and stored: without user and password.
pub(crate) fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            if path.is_empty() {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_owned(),
    }
}

/// Starts a GET of `url`; the answer's body is still to read.
async fn get(url: &str, timeout_secs: u64) -> Result<reqwest::Response> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("--url must be an http or https address: {url}");
    }
    // One crypto provider for TLS, chosen once for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(timeout_secs))
        .user_agent(concat!("chance-navi/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot make an HTTP client")?;
    let shown = without_credentials(url);
    let response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("cannot fetch {shown}"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{shown} answered {status}");
    }
    Ok(response)
}

/// Downloads `url` into a temporary file a chunk at a time, so that an
/// answer of any size never sits in memory; the file goes when dropped.
pub(crate) async fn fetch_to_file(url: &str) -> Result<tempfile::NamedTempFile> {
    use std::io::Write as _;
    let shown = without_credentials(url);
    let mut response = get(url, 3600).await?;
    let mut file = tempfile::NamedTempFile::new().context("cannot make a temporary file")?;
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("cannot read the answer of {shown}"))?
    {
        file.write_all(&chunk)
            .context("cannot write the temporary file")?;
    }
    file.flush().context("cannot write the temporary file")?;
    Ok(file)
}

/// Draws `[#####-----] 50% 500/1000` on standard error.
fn bar(c: &store::RunCounts) {
    let expected = c.expected.unwrap_or(0).max(1);
    let filled = (c.seen * 30 / expected).clamp(0, 30) as usize;
    let _ = write!(
        std::io::stderr(),
        "\r[{}{}] {:>3}% {}/{}",
        "#".repeat(filled),
        "-".repeat(30 - filled),
        c.seen * 100 / expected,
        c.seen,
        c.expected.unwrap_or(0)
    );
}

pub async fn run(args: ImportArgs, settings: &Settings) -> Result<()> {
    let ImportCommand::Run {
        source,
        file,
        url,
        days,
    } = args.command;
    let source = source.source();
    if days.is_some() && source != Source::Kkj {
        bail!("--days is for --source kkj only");
    }
    let (origin, documents) = match (&file, &url) {
        (Some(path), _) => {
            crate::schedule::read(
                &crate::config::ImportSchedule {
                    source,
                    origin: crate::config::ImportOrigin::File(path.clone()),
                    every: std::time::Duration::ZERO,
                    days: None,
                },
                crate::accounts::now_ms(),
            )
            .await?
        }
        (None, Some(url)) => {
            crate::schedule::read(
                &crate::config::ImportSchedule {
                    source,
                    origin: crate::config::ImportOrigin::Url(url.clone()),
                    every: std::time::Duration::ZERO,
                    days,
                },
                crate::accounts::now_ms(),
            )
            .await?
        }
        (None, None) => bail!("give --file or --url"),
    };
    let store = store::Store::connect(&settings.database, &settings.pool()).await?;
    store.migrate().await?;
    let terminal = std::io::stderr().is_terminal();
    let mut progress = |c: &store::RunCounts| {
        if terminal {
            bar(c);
        }
    };
    let outcome = documents
        .import(&store, source, &origin, &mut progress)
        .await?;
    if terminal {
        eprintln!();
    }
    store.close().await;
    let c = outcome.counts;
    println!(
        "import run {} ({}, {origin}): {} new, {} updated, {} unchanged, {} skipped (not tenders), {} set aside ({:.1} s)",
        outcome.run_id,
        source.name(),
        c.inserted,
        c.updated,
        c.unchanged,
        c.skipped,
        c.rejected,
        outcome.seconds
    );
    if let Some(error) = outcome.error {
        bail!("the document could not be imported: {error}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_source_has_its_command_line_name() {
        use clap::ValueEnum;
        for source in import::Source::ALL {
            let arg = super::SourceArg::value_variants()
                .iter()
                .find(|a| a.source() == source)
                .expect("every source can be named");
            let name = arg
                .to_possible_value()
                .expect("named")
                .get_name()
                .to_owned();
            assert_eq!(import::Source::parse_name(&name), Some(source), "{name}");
        }
    }

    use super::without_credentials;

    #[test]
    fn credentials_never_reach_the_log() {
        assert_eq!(
            without_credentials("https://user:secret@kkj.example.jp/api/?Query=清掃"),
            "https://kkj.example.jp/api/?Query=清掃"
        );
        assert_eq!(without_credentials("http://h"), "http://h");
    }
}
