//! `chance-navi bench pages`: the public pages under load, beside nginx
//! serving the very same HTML from disk, in one run.
//!
//! A new data folder gets the synthetic corpus (`--cases`, none by default)
//! and the real binary is started on it as `serve --demo`; once its index
//! holds every case, the top page, a case page, a search page with a word
//! and a facet, a post and a content page are fetched once as an anonymous
//! visitor would, and each
//! body is written to a folder that an nginx from Debian's package serves as
//! static files. Then wrk loads each page on both servers, alternating
//! (nginx first), with the same threads, connections and duration, and the
//! server's resident memory is read from /proc. Then the server is started
//! again on the same data with the render cache off (`--page-cache-mib 0`),
//! and each page is loaded once more: what a page costs when it is rendered.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::{Killed, http_get, spawn_server_with};
use crate::bench_serve::encode;

/// What the benchmark is asked to do.
#[derive(Debug, Clone)]
pub struct PagesArgs {
    pub cases: usize,
    pub seconds: u64,
    pub connections: u32,
    pub rounds: u32,
    /// Case pages to open one by one after the runs, to fill the cache.
    pub fill: usize,
}

/// One page measured: its path and name.
struct Page {
    name: &'static str,
    path: String,
    file: &'static str,
}

/// What wrk reported for one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Load {
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

pub async fn run(args: PagesArgs) -> Result<()> {
    which("nginx")?;
    which("wrk")?;
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let data = dir.join("data");
    std::fs::create_dir_all(&data).context("data folder")?;
    let started = Instant::now();
    if args.cases > 0 {
        crate::bench_serve::load(&data, args.cases).await?;
    }
    let loaded = started.elapsed();
    let exe = std::env::current_exe().context("cannot find the chance-navi binary")?;
    let dir2 = dir.clone();
    let result = tokio::task::spawn_blocking(move || measure(&exe, &dir2, &args, loaded))
        .await
        .context("benchmark task")?;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn which(tool: &str) -> Result<()> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
        || Path::new("/usr/sbin").join(tool).is_file();
    if !found {
        bail!("{tool} is not installed: apt-get install -y nginx-light wrk (or nginx)");
    }
    Ok(())
}

fn measure(exe: &Path, dir: &Path, args: &PagesArgs, loaded: Duration) -> Result<()> {
    let data = dir.join("data");
    let (mut server, addr) = spawn_server_with(exe, &data, None, &["--demo"])?;
    let pid = server.0.id();
    let indexed = wait_settled(&mut server, addr, Duration::from_secs(3600))?;

    let word = "清掃";
    let search = format!("/cases?q={}&prefecture=13", encode(word));
    let api = format!("/api/v1/cases?q={}&prefecture=13&per_page=1", encode(word));
    let (status, body) = http_get(addr, &api)?;
    if status != 200 {
        bail!("{api} answered {status}");
    }
    let first: serde_json::Value = serde_json::from_str(&body).context("search answer")?;
    let total = first["total"].as_u64().unwrap_or(0);
    let Some(case_id) = first["items"][0]["id"].as_i64() else {
        bail!("the search for {word} in 東京都 found no case to measure");
    };
    let pages = [
        Page {
            name: "top page (/)",
            path: "/".to_owned(),
            file: "top.html",
        },
        Page {
            name: "case page (/cases/{id})",
            path: format!("/cases/{case_id}"),
            file: "case.html",
        },
        Page {
            name: "search page (清掃 in 東京都)",
            path: search,
            file: "search.html",
        },
        // The demo's site content: a published post and a page of the tree.
        Page {
            name: "post page (/news/fair-2027)",
            path: "/news/fair-2027".to_owned(),
            file: "post.html",
        },
        Page {
            name: "content page (/project)",
            path: "/project".to_owned(),
            file: "project.html",
        },
    ];

    let www = dir.join("www");
    std::fs::create_dir_all(&www).context("nginx root")?;
    let mut sizes = Vec::new();
    for page in &pages {
        let (status, body) = http_get(addr, &page.path)?;
        if status != 200 {
            bail!("{} answered {status}", page.path);
        }
        sizes.push(body.len());
        std::fs::write(www.join(page.file), body.as_bytes()).context("writing a page")?;
    }
    let (_nginx, nginx_addr) = start_nginx(dir, &www)?;

    println!(
        "corpus: {} synthetic cases + the demo ({indexed} cases indexed); loading {:.1} s",
        args.cases,
        loaded.as_secs_f64()
    );
    println!(
        "wrk -t2 -c{} -d{}s --latency, {} round(s), nginx first in each; search: {total} hits",
        args.connections, args.seconds, args.rounds
    );
    println!();
    println!("| page | bytes | server | requests/s | p50 ms | p99 ms | of nginx |");
    println!("|---|---|---|---|---|---|---|");
    let mut peers = Vec::new();
    for (page, size) in pages.iter().zip(&sizes) {
        for _ in 0..args.rounds.max(1) {
            let url = format!("http://{nginx_addr}/{}", page.file);
            let peer = wrk(&url, args)?;
            let url = format!("http://{addr}{}", page.path);
            let ours = wrk(&url, args)?;
            check(page, &[peer, ours])?;
            row(page, *size, "nginx (static file)", peer, peer);
            row(page, *size, "chance-navi", ours, peer);
            peers.push(peer);
        }
    }
    if args.fill > 0 {
        let kept = fill_cache(addr, args.fill)?;
        println!();
        println!(
            "filled: {} case pages opened one by one; the render cache keeps {:.1} MiB (its bound: {:.1} MiB)",
            args.fill,
            kept.0 / 1_048_576.0,
            kept.1 / 1_048_576.0
        );
    }
    let memory = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        memory
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    let memory_line = format!(
        "server memory after the runs: RSS {:.0} MiB (anonymous {:.0}, mapped files {:.0}), peak {:.0} MiB",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:"),
        field("VmHWM:")
    );
    drop(server);

    // The same pages with the render cache off: what every page costs when
    // it is rendered (a signed-in user's, or a page not kept), against the
    // nginx rows above.
    let (mut server, addr) = spawn_server_with(exe, &data, None, &["--page-cache-mib", "0"])?;
    wait_settled(&mut server, addr, Duration::from_secs(3600))?;
    let mut peers = peers.into_iter();
    for (page, size) in pages.iter().zip(&sizes) {
        for _ in 0..args.rounds.max(1) {
            let url = format!("http://{addr}{}", page.path);
            let ours = wrk(&url, args)?;
            check(page, &[ours])?;
            let peer = peers.next().context("an nginx row per round")?;
            row(page, *size, "chance-navi, render cache off", ours, peer);
        }
    }
    drop(server);
    println!();
    println!("{memory_line}");
    Ok(())
}

/// Opens /cases/1 … /cases/N (four at a time) and returns what /metrics
/// says the render cache keeps and its bound, in bytes.
fn fill_cache(addr: SocketAddr, n: usize) -> Result<(f64, f64)> {
    let next = std::sync::atomic::AtomicUsize::new(1);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if id > n {
                        break;
                    }
                    let _ = http_get(addr, &format!("/cases/{id}"));
                }
            });
        }
    });
    let (status, text) = http_get(addr, "/metrics")?;
    if status != 200 {
        bail!("/metrics answered {status}");
    }
    let gauge = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    Ok((
        gauge("chance_navi_page_cache_bytes"),
        gauge("chance_navi_page_cache_limit_bytes"),
    ))
}

fn check(page: &Page, loads: &[Load]) -> Result<()> {
    if loads.iter().any(|l| l.errors > 0) {
        bail!(
            "{}: answers other than 2xx or 3xx, or socket errors",
            page.name
        );
    }
    Ok(())
}

fn row(page: &Page, size: usize, who: &str, load: Load, peer: Load) {
    println!(
        "| {} | {size} | {who} | {:.0} | {:.2} | {:.2} | {:.0} % |",
        page.name,
        load.requests_per_s,
        load.p50_ms,
        load.p99_ms,
        100.0 * load.requests_per_s / peer.requests_per_s
    );
}

/// Waits until /readyz answers and the index's document count has stopped
/// growing (the corpus and the demo both indexed); returns the count.
fn wait_settled(server: &mut Killed, addr: SocketAddr, limit: Duration) -> Result<u64> {
    let started = Instant::now();
    let mut last = None;
    let mut same = 0;
    while started.elapsed() < limit {
        if let Ok(Some(status)) = server.0.try_wait() {
            bail!("the server stopped while starting: {status}");
        }
        if let Ok((200, body)) = http_get(addr, "/readyz") {
            let docs = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["index"]["documents"].as_u64());
            if docs.is_some() && docs == last {
                same += 1;
                if same >= 3 {
                    return Ok(docs.unwrap_or(0));
                }
            } else {
                same = 0;
                last = docs;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    bail!(
        "the node's index did not settle within {} s",
        limit.as_secs()
    )
}

/// nginx in the foreground, stopped with its workers when dropped (killing
/// the master alone would leave the workers running, holding the port).
struct Nginx {
    master: Killed,
    conf: std::path::PathBuf,
    dir: std::path::PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let stopped = Command::new("nginx")
            .arg("-c")
            .arg(&self.conf)
            .arg("-p")
            .arg(&self.dir)
            .args(["-s", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if stopped {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(self.master.0.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Dropping `master` kills whatever is left of it.
    }
}

/// Starts nginx in the foreground on a free port, serving `www`.
fn start_nginx(dir: &Path, www: &Path) -> Result<(Nginx, SocketAddr)> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .context("a free port for nginx")?
        .port();
    let conf = dir.join("nginx.conf");
    let tmp = dir.join("nginx-tmp");
    std::fs::create_dir_all(&tmp).context("nginx folder")?;
    std::fs::write(&conf, nginx_conf(dir, &tmp, www, port)).context("nginx.conf")?;
    let child = Command::new("nginx")
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start nginx")?;
    let child = Nginx {
        master: Killed(child),
        conf,
        dir: dir.to_path_buf(),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if http_get(addr, "/top.html").is_ok_and(|(s, _)| s == 200) {
            return Ok((child, addr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!(
        "nginx did not answer on {addr}; see {}",
        dir.join("nginx-error.log").display()
    )
}

/// nginx as a static file server is usually set up: two workers (one per
/// core), sendfile, keep-alive, no access log.
fn nginx_conf(dir: &Path, tmp: &Path, www: &Path, port: u16) -> String {
    let d = |p: &Path| p.display().to_string();
    let tmp = d(tmp);
    format!(
        "daemon off;
worker_processes auto;
pid {pid};
error_log {err} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ text/html html; }}
    default_type text/html;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {www};
    }}
}}
",
        pid = d(&dir.join("nginx.pid")),
        err = d(&dir.join("nginx-error.log")),
        www = d(www),
    )
}

fn wrk(url: &str, args: &PagesArgs) -> Result<Load> {
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{}", args.connections)])
        .arg(format!("-d{}s", args.seconds))
        .arg("--latency")
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk failed on {url}: {text}");
    }
    parse_wrk(&text).with_context(|| format!("cannot read wrk's report on {url}:\n{text}"))
}

/// Reads requests per second, the 50th and 99th latency percentiles and the
/// count of non-2xx/3xx answers from wrk's `--latency` report.
pub(crate) fn parse_wrk(text: &str) -> Option<Load> {
    let mut load = Load {
        requests_per_s: f64::NAN,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        errors: 0,
    };
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(v)) => load.requests_per_s = v.parse().ok()?,
            (Some("50%"), Some(v)) => load.p50_ms = millis(v)?,
            (Some("99%"), Some(v)) => load.p99_ms = millis(v)?,
            _ => {}
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            load.errors += n.trim().parse::<u64>().ok()?;
        }
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 12"
            load.errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    (load.requests_per_s.is_finite() && load.p50_ms.is_finite() && load.p99_ms.is_finite())
        .then_some(load)
}

/// "812.00us", "1.23ms", "2.00s" in milliseconds.
fn millis(v: &str) -> Option<f64> {
    let (number, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:8080/top.html
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.16ms    1.02ms  30.28ms   92.70%
    Req/Sec    28.11k     2.51k   33.69k    73.00%
  Latency Distribution
     50%  812.00us
     75%    1.29ms
     90%    2.06ms
     99%    5.11ms
  559350 requests in 10.01s, 7.52GB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:  55880.45
Transfer/sec:    769.03MB
";

    #[test]
    fn wrk_reports_are_read_with_their_units_and_errors() {
        let load = parse_wrk(REPORT).expect("a full report");
        assert_eq!(load.requests_per_s, 55880.45);
        assert!((load.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(load.p99_ms, 5.11);
        assert_eq!(load.errors, 5);
    }

    #[test]
    fn a_report_without_the_latency_distribution_is_refused() {
        let cut: String = REPORT
            .lines()
            .filter(|l| !l.contains('%') || l.contains("Stdev"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(parse_wrk(&cut), None);
    }

    #[test]
    fn nginx_serves_the_pages_folder_with_keep_alive_and_no_log() {
        let conf = nginx_conf(
            Path::new("/b"),
            Path::new("/b/t"),
            Path::new("/b/www"),
            8123,
        );
        assert!(conf.contains("listen 127.0.0.1:8123;"));
        assert!(conf.contains("root /b/www;"));
        assert!(conf.contains("access_log off;"));
        assert!(conf.contains("daemon off;"));
    }
}
