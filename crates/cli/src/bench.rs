//! `chance-navi bench …`: measurements of the real binary, printed as Markdown
//! rows for docs/benchmarks.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use crate::config::CommonArgs;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchKind,
}

#[derive(Debug, Subcommand)]
enum BenchKind {
    /// Time from starting `chance-navi serve` to its first ready /readyz, each
    /// run on a new, empty data directory (SQLite). With --database-url, the
    /// same is measured on that PostgreSQL database too, in the same run.
    Startup {
        /// How many starts to time per engine
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        runs: u32,
    },
    /// Build a synthetic corpus of N cases, index it, and time a fixed mix of
    /// queries on the search index and, in the same run, on SQLite FTS5
    /// (trigram) and on a plain LIKE scan. Prints a Markdown table.
    Search {
        /// Cases in the corpus
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Times each query is run per engine (LIKE at most 5 times above 100,000 cases)
        #[arg(long, default_value_t = 30)]
        reps: usize,
        /// Measure the index only, without the peers (for quick iterations;
        /// recorded results include the peers)
        #[arg(long)]
        no_peers: bool,
    },
    /// Sealed bids accepted per second: each sealed to its tender's key and
    /// stored with its receipt and audit entry in a durable commit (SQLite
    /// synchronous=FULL, PostgreSQL synchronous_commit=on), 16 bidders at
    /// once, on a new SQLite database and, with --database-url, on that
    /// (empty) PostgreSQL database
    Bids {
        /// Bids to submit
        #[arg(long, default_value_t = 2000)]
        bids: usize,
    },
    /// Export a content bundle of N pages and M images from a staging
    /// database, then plan, apply and apply again on a new SQLite database
    /// and, with --database-url, on that (empty) PostgreSQL database; each
    /// phase's seconds and peak memory rise
    Bundle {
        /// Pages (in sections of 50)
        #[arg(long, default_value_t = 500)]
        pages: usize,
        /// Images
        #[arg(long, default_value_t = 200)]
        images: usize,
        /// Size of each image in KiB (incompressible bytes)
        #[arg(long, default_value_t = 500)]
        image_kib: usize,
    },
    /// Import N kkj-style records (XML answers of 1,000) into a new SQLite
    /// database and, with --database-url, into that PostgreSQL database
    /// (which should be empty); then the same input again.
    Import {
        /// Records to import
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        /// Instead: write a kkj answer of --records records of this many KiB
        /// each to a file, import it from the file (the reader holds one
        /// record at a time) and, as the peer, read whole into memory, and
        /// report each pass's peak resident memory
        #[arg(long, value_name = "KIB")]
        record_kib: Option<usize>,
    },
    /// Match M new cases against N notification settings with the settings'
    /// index, and in the same run with the plain approach (each setting
    /// checked against every case) on a sample of the settings, scaled to N.
    Notify {
        /// Notification settings
        #[arg(long, default_value_t = 100_000)]
        settings: usize,
        /// New cases
        #[arg(long, default_value_t = 10_000)]
        cases: usize,
        /// Settings the plain approach is measured on
        #[arg(long, default_value_t = 5_000)]
        plain_sample: usize,
    },
    /// Load N cases into a new SQLite database, start `chance-navi serve` on
    /// it, let the node build its index, then time the search mix over HTTP
    /// and read the server's resident memory from /proc.
    Serve {
        /// Cases in the corpus
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Requests per query class
        #[arg(long, default_value_t = 30)]
        reps: usize,
    },
    /// The top page, a case page, a search page (清掃 in 東京都), a post and
    /// a content page of the demo's site under load with wrk, beside nginx serving the same HTML as static files in
    /// the same run; on `serve --demo`, with N synthetic cases added first.
    /// Needs nginx and wrk (Debian's packages).
    Pages {
        /// Synthetic cases loaded before the demo (0: the demo alone)
        #[arg(long, default_value_t = 0)]
        cases: usize,
        /// Seconds per wrk run
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Open connections
        #[arg(long, default_value_t = 64)]
        connections: u32,
        /// Alternating runs (nginx, chance-navi) per page
        #[arg(long, default_value_t = 1)]
        rounds: u32,
        /// After the runs, open this many case pages one by one (/cases/1 …)
        /// to fill the render cache, then read the server's memory
        #[arg(long, default_value_t = 0)]
        fill_cache: usize,
    },
}

pub async fn run(args: BenchArgs, common: &CommonArgs) -> Result<()> {
    match args.what {
        BenchKind::Startup { runs } => {
            let common = common.clone();
            tokio::task::spawn_blocking(move || startup(runs, &common))
                .await
                .context("benchmark task")?
        }
        BenchKind::Search {
            cases,
            reps,
            no_peers,
        } => crate::bench_search::run(cases, reps, !no_peers).await,
        BenchKind::Serve { cases, reps } => crate::bench_serve::run(cases, reps).await,
        BenchKind::Pages {
            cases,
            seconds,
            connections,
            rounds,
            fill_cache,
        } => {
            crate::bench_pages::run(crate::bench_pages::PagesArgs {
                cases,
                seconds,
                connections,
                rounds,
                fill: fill_cache,
            })
            .await
        }
        BenchKind::Notify {
            settings,
            cases,
            plain_sample,
        } => tokio::task::spawn_blocking(move || {
            crate::bench_notify::run(settings, cases, plain_sample)
        })
        .await
        .context("benchmark task")?,
        BenchKind::Bids { bids } => {
            crate::bench_bids::run(bids, common.database_url.as_deref()).await
        }
        BenchKind::Bundle {
            pages,
            images,
            image_kib,
        } => {
            crate::bench_bundle::run(pages, images, image_kib, common.database_url.as_deref()).await
        }
        BenchKind::Import {
            records,
            record_kib: Some(kib),
        } => crate::bench_import::long_records(records, kib).await,
        BenchKind::Import {
            records,
            record_kib: None,
        } => crate::bench_import::run(records, common.database_url.as_deref()).await,
    }
}

fn startup(runs: u32, common: &CommonArgs) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the chance-navi binary")?;
    let mut engines = vec![("sqlite (new file)", None)];
    if let Some(url) = &common.database_url {
        engines.push(("postgres (migrated)", Some(url.clone())));
    }
    println!("| engine | runs | min ms | median ms | p90 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    for (label, url) in engines {
        let mut times = Vec::with_capacity(runs as usize);
        for i in 0..runs {
            let dir = std::env::temp_dir().join(format!(
                "chance-navi-bench-startup-{}-{i}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let result = time_one_start(&exe, &dir, url.as_deref());
            let _ = std::fs::remove_dir_all(&dir);
            times.push(result?);
        }
        times.sort();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {label} | {runs} | {} | {} | {} | {} |",
            ms(times[0]),
            ms(at(0.5)),
            ms(at(0.9)),
            ms(times[times.len() - 1])
        );
    }
    Ok(())
}

/// A child process killed when dropped.
pub(crate) struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn time_one_start(
    exe: &std::path::Path,
    dir: &std::path::Path,
    url: Option<&str>,
) -> Result<Duration> {
    let start = Instant::now();
    let (_child, addr) = spawn_server(exe, dir, url)?;
    let deadline = start + Duration::from_secs(30);
    while Instant::now() < deadline {
        if readyz(addr).unwrap_or(false) {
            return Ok(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    bail!("the server at {addr} was not ready within 30 s")
}

/// Starts `chance-navi serve` on a free port with `dir` as its data folder
/// (and `url` as its database, if given); returns it and where it listens.
pub(crate) fn spawn_server(
    exe: &std::path::Path,
    dir: &std::path::Path,
    url: Option<&str>,
) -> Result<(Killed, SocketAddr)> {
    spawn_server_with(exe, dir, url, &[])
}

/// As [`spawn_server`], with more arguments to `serve` (e.g. `--demo`).
pub(crate) fn spawn_server_with(
    exe: &std::path::Path,
    dir: &std::path::Path,
    url: Option<&str>,
    extra: &[&str],
) -> Result<(Killed, SocketAddr)> {
    let mut cmd = Command::new(exe);
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log",
        "warn",
        "--data-dir",
    ])
    .arg(dir)
    .args(extra)
    .env_remove("CHANCE_NAVI_CONFIG")
    .env_remove("DATABASE_URL")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = Killed(cmd.spawn().context("cannot start chance-navi serve")?);
    let stdout = child.0.stdout.take().context("server stdout")?;
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    reader
        .read_line(&mut line)
        .context("reading the server's address")?;
    // The server goes on printing (`--demo` lists its sign-ins): keep reading,
    // or it would die writing to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let addr: SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .with_context(|| format!("the server did not say where it listens: {line:?}"))?;
    Ok((child, addr))
}

/// `GET path` over a plain socket (HTTP/1.1, connection closed): the status
/// and the body.
pub(crate) fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    Ok((status, body))
}

/// `GET /readyz`: true on 200.
fn readyz(addr: SocketAddr) -> std::io::Result<bool> {
    Ok(http_get(addr, "/readyz")?.0 == 200)
}
