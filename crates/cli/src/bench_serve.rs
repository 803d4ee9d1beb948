//! `chance-navi bench serve`: a serving node with N cases, measured from
//! outside. The corpus goes into a new SQLite database; then the real binary
//! is started on it as `serve` would be in production, builds its index from
//! the database as a new node does, and answers the search mix over HTTP
//! (`/api/v1/cases`). Reported: the time to load and to index, the end-to-end
//! latency per query class, and the server process's resident memory read
//! from /proc (peak and after the queries, with the part that is mapped index
//! files shown apart).

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use store::{DatabaseTarget, PoolSettings, Store};

use crate::bench::{Killed, http_get, spawn_server};
use crate::bench_search::{CLASSES, Class, percentiles};

/// Memory figures of a process, in MiB, from /proc/<pid>/status.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss: f64,
    peak: f64,
    anon: f64,
    file: f64,
}

fn memory(pid: u32) -> Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Ok(Memory {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
    })
}

/// The API query string for a query class.
fn query_string(class: &Class) -> String {
    let mut pairs = Vec::new();
    if !class.words.is_empty() {
        pairs.push(format!("q={}", encode(&class.words.join(" "))));
    }
    if let Some(c) = class.category {
        pairs.push(format!("category={}", c.as_str()));
    }
    if let Some(p) = class.prefecture {
        pairs.push(format!("prefecture={p}"));
    }
    if class.open {
        pairs.push("status=open".to_owned());
    }
    pairs.push("per_page=20".to_owned());
    pairs.join("&")
}

pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `"total"` of an API answer.
fn total_of(body: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("total")?.as_u64()
}

/// Waits until the node's index holds `n` documents; returns how long it took.
fn wait_indexed(addr: SocketAddr, n: usize, limit: Duration) -> Result<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok((200, body)) = http_get(addr, "/readyz") {
            let docs = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["index"]["documents"].as_u64());
            if docs == Some(n as u64) {
                return Ok(started.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!(
        "the node did not index {n} cases within {} s",
        limit.as_secs()
    )
}

pub(crate) async fn load(dir: &Path, n: usize) -> Result<()> {
    let now = crate::accounts::now_ms();
    let store = Store::connect(
        &DatabaseTarget::sqlite(dir.join(crate::config::DATABASE_FILE))
            .map_err(|e| anyhow::anyhow!(e))?,
        &PoolSettings {
            max_connections: 1,
            ..PoolSettings::default()
        },
    )
    .await?;
    store.migrate().await?;
    let mut cases = crate::bench_search::corpus(n, now);
    // The corpus's private orders name a company that this database does not
    // have; they keep its name as their organisation.
    for c in &mut cases {
        c.company_id = None;
    }
    for chunk in cases.chunks(5_000) {
        store.upsert_cases(chunk, now).await?;
    }
    store.close().await;
    Ok(())
}

pub async fn run(n: usize, reps: usize) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let reps = reps.max(1);

    let started = Instant::now();
    load(&dir, n).await?;
    let loaded = started.elapsed();

    let exe = std::env::current_exe().context("cannot find the chance-navi binary")?;
    let dir2 = dir.clone();
    let report = tokio::task::spawn_blocking(move || measure(&exe, &dir2, n, reps))
        .await
        .context("benchmark task")?;
    let _ = std::fs::remove_dir_all(&dir);
    let (indexed, rows, after_index, after_queries) = report?;

    println!("corpus: {n} cases in SQLite; {reps} timed requests per query after one untimed");
    println!();
    println!(
        "loading the database: {:.1} s; the node's index built from it: {:.1} s",
        loaded.as_secs_f64(),
        indexed.as_secs_f64()
    );
    println!();
    println!("| query (GET /api/v1/cases, 20 per page) | p50 ms | p95 ms | p99 ms | hits |");
    println!("|---|---|---|---|---|");
    for (name, p50, p95, p99, hits) in rows {
        println!("| {name} | {p50:.2} | {p95:.2} | {p99:.2} | {hits} |");
    }
    println!();
    println!(
        "| server memory (MiB) | RSS | of which anonymous | of which mapped files | peak RSS |"
    );
    println!("|---|---|---|---|---|");
    for (when, m) in [
        ("after building the index", after_index),
        ("after the queries", after_queries),
    ] {
        println!(
            "| {when} | {:.0} | {:.0} | {:.0} | {:.0} |",
            m.rss, m.anon, m.file, m.peak
        );
    }
    Ok(())
}

type Row = (&'static str, f64, f64, f64, u64);

fn measure(
    exe: &Path,
    dir: &Path,
    n: usize,
    reps: usize,
) -> Result<(Duration, Vec<Row>, Memory, Memory)> {
    let (server, addr): (Killed, SocketAddr) = spawn_server(exe, dir, None)?;
    let pid = server.0.id();
    let indexed = wait_indexed(addr, n, Duration::from_secs(1800))?;
    let after_index = memory(pid)?;
    let mut rows = Vec::new();
    for class in CLASSES {
        let path = format!("/api/v1/cases?{}", query_string(class));
        let (status, body) = http_get(addr, &path)?;
        if status != 200 {
            bail!("{path} answered {status}: {body}");
        }
        let mut hits = total_of(&body).unwrap_or(0);
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            let (_, body) = http_get(addr, &path)?;
            times.push(t.elapsed());
            hits = total_of(&body).unwrap_or(hits);
        }
        let (p50, p95, p99) = percentiles(times);
        rows.push((class.name, p50, p95, p99, hits));
    }
    let after_queries = memory(pid)?;
    drop(server);
    Ok((indexed, rows, after_index, after_queries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_carry_the_class_words_and_facets() {
        let q = query_string(&CLASSES[4]);
        assert_eq!(
            q,
            "q=%E5%8D%B0%E5%88%B7&prefecture=13&status=open&per_page=20"
        );
        let q = query_string(&CLASSES[3]);
        assert_eq!(q, "category=goods&prefecture=13&status=open&per_page=20");
    }
}
