//! `chance-navi bench search`: the search index against the peers a team
//! would otherwise pick, on one synthetic corpus, in one run.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use domain::Category;
use search::{CaseQuery, OpenState, SearchIndex};
use store::{Case, DatabaseTarget, Peer, PeerQuery, PeerRow, PoolSettings, Store};

/// A query class of the fixed mix.
pub(crate) struct Class {
    pub name: &'static str,
    pub words: &'static [&'static str],
    pub category: Option<Category>,
    pub prefecture: Option<i64>,
    pub open: bool,
}

pub(crate) const CLASSES: &[Class] = &[
    Class {
        name: "2-character word (清掃)",
        words: &["清掃"],
        category: None,
        prefecture: None,
        open: false,
    },
    Class {
        name: "longer word (空調設備保守)",
        words: &["空調設備保守"],
        category: None,
        prefecture: None,
        open: false,
    },
    Class {
        name: "several words (庁舎 清掃 業務)",
        words: &["庁舎", "清掃", "業務"],
        category: None,
        prefecture: None,
        open: false,
    },
    Class {
        name: "facets only (物品, 東京都, 募集中)",
        words: &[],
        category: Some(Category::Goods),
        prefecture: Some(13),
        open: true,
    },
    Class {
        name: "word + facets (印刷, 東京都, 募集中)",
        words: &["印刷"],
        category: None,
        prefecture: Some(13),
        open: true,
    },
    Class {
        name: "rare word (水素燃料電池)",
        words: &["水素燃料電池"],
        category: None,
        prefecture: None,
        open: false,
    },
    Class {
        name: "word in every case (案件)",
        words: &["案件"],
        category: None,
        prefecture: None,
        open: false,
    },
];

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

pub(crate) fn percentiles(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.95), at(0.99))
}

pub(crate) fn corpus(n: usize, now: i64) -> Vec<store::NewCase> {
    crate::corpus::cases(n, 42, now, &[(0, "株式会社ベンチ発注".to_owned())], "kkj")
}

pub async fn run(n: usize, reps: usize, peers: bool) -> Result<()> {
    let now = crate::accounts::now_ms();
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let reps = reps.max(1);
    println!(
        "corpus: {n} cases; {reps} timed runs per query after one untimed run (LIKE: {})",
        if n > 100_000 { reps.min(5) } else { reps }
    );
    println!();
    println!("| engine | build s | query | p50 ms | p95 ms | p99 ms | hits |");
    println!("|---|---|---|---|---|---|---|");

    // The search index, on disk as the server keeps it.
    let started = Instant::now();
    let index = SearchIndex::open_or_create(&dir.join("index"))?;
    {
        let cases = corpus(n, now);
        for (chunk_no, chunk) in cases.chunks(20_000).enumerate() {
            let batch: Vec<Case> = chunk
                .iter()
                .enumerate()
                .map(|(i, c)| Case {
                    id: (chunk_no * 20_000 + i + 1) as i64,
                    fields: c.clone(),
                    change_seq: 1,
                    created_at: now,
                    updated_at: now,
                })
                .collect();
            index.apply(&batch)?;
        }
        index.commit(1)?;
    }
    let index_build = started.elapsed().as_secs_f64();
    for class in CLASSES {
        let q = CaseQuery {
            text: class.words.join(" "),
            categories: class.category.into_iter().collect(),
            prefectures: class.prefecture.into_iter().collect(),
            state: class.open.then_some(OpenState::Open),
            per_page: 20,
            ..CaseQuery::default()
        };
        // One untimed run first: a server's index is warm in steady state.
        let mut hits = index.search(&q, now)?.total;
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            hits = index.search(&q, now)?.total;
            times.push(t.elapsed());
        }
        let (p50, p95, p99) = percentiles(times);
        println!(
            "| tantivy (bigram) | {index_build:.1} | {} | {p50:.2} | {p95:.2} | {p99:.2} | {hits} |",
            class.name
        );
    }
    let rss = rss_mib();
    drop(index);
    if !peers {
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }

    // The peers, in one SQLite file.
    let started = Instant::now();
    let store = Store::connect(
        &DatabaseTarget::sqlite(dir.join("peer.db")).map_err(|e| anyhow::anyhow!(e))?,
        &PoolSettings {
            max_connections: 1,
            ..PoolSettings::default()
        },
    )
    .await?;
    store.peer_setup().await?;
    {
        let cases = corpus(n, now);
        for (chunk_no, chunk) in cases.chunks(10_000).enumerate() {
            let rows: Vec<PeerRow> = chunk
                .iter()
                .enumerate()
                .map(|(i, c)| PeerRow {
                    id: (chunk_no * 10_000 + i + 1) as i64,
                    title: c.title.clone(),
                    description: c.description.clone(),
                    organization: c.organization_name.clone(),
                    category: c.category.as_str().to_owned(),
                    prefecture: c.prefecture_code.unwrap_or(0),
                    published: c.published_at.unwrap_or(0),
                    deadline: c.submission_deadline.unwrap_or(i64::MAX),
                })
                .collect();
            store.peer_insert(&rows).await?;
        }
    }
    let peer_build = started.elapsed().as_secs_f64();
    for (peer, label, peer_reps) in [
        (Peer::Fts5Trigram, "SQLite FTS5 trigram", reps),
        (
            Peer::Like,
            "SQLite LIKE scan",
            if n > 100_000 { reps.min(5) } else { reps },
        ),
    ] {
        for class in CLASSES {
            let q = PeerQuery {
                words: class.words.iter().map(|w| (*w).to_owned()).collect(),
                category: class.category.map(|c| c.as_str().to_owned()),
                prefecture: class.prefecture,
                open_after: class.open.then_some(now),
            };
            let mut hits = store.peer_search(peer, &q).await?.0;
            let mut times = Vec::with_capacity(peer_reps);
            for _ in 0..peer_reps {
                let t = Instant::now();
                hits = store.peer_search(peer, &q).await?.0;
                times.push(t.elapsed());
            }
            let (p50, p95, p99) = percentiles(times);
            println!(
                "| {label} | {peer_build:.1} | {} | {p50:.2} | {p95:.2} | {p99:.2} | {hits} |",
                class.name
            );
        }
    }
    store.close().await;
    println!();
    println!(
        "resident memory after indexing and querying with tantivy: {rss:.0} MiB (the benchmark process; the corpus had been dropped)"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
