//! `chance-navi bench bundle`: a content bundle of N pages and M images
//! (the size: 500 pages and 200 images, about 100 MB) exported from
//! a staging database, planned and applied on a new production database
//! (SQLite and, with --database-url, PostgreSQL), then applied again; each
//! phase's time and how far resident memory rose above where it started.

use std::time::Instant;

use anyhow::Result;
use store::{Actor, ContentSave, ContentState, DatabaseTarget, NewMedia, PoolSettings, Store};

/// A page's text: headings, paragraphs, a list and a table, about 4 KB.
fn body(n: usize) -> String {
    let mut s = format!("## 第{n}回の概要\n\n");
    for i in 0..8 {
        s.push_str(&format!(
            "都内中小企業の製品・技術・サービスを国内外に発信し、販路の開拓と取引の拡大を支援します。段落{i}では、出展の手続き、商談会の予約、会場での注意事項を説明します。\n\n"
        ));
    }
    s.push_str("- 出展料は無料です\n- 小間装飾は主催者が用意します\n- 商談会は事前予約制です\n\n");
    s.push_str("| 項目 | 内容 |\n|---|---|\n| 会期 | 2日間 |\n| 会場 | 東京ビッグサイト |\n");
    s
}

fn page(slug: String, parent: Option<i64>, n: usize) -> ContentState {
    ContentState {
        kind: "page".into(),
        parent_id: parent,
        slug,
        sort_order: n as i64,
        title: format!("ビジネスフロンティア・フェア 案内ページ {n}"),
        body: body(n),
        summary: None,
        category: None,
        tags: Vec::new(),
        status: "published".into(),
        published_at: None,
        event: None,
        division: None,
        help_key: None,
    }
}

/// Bytes that do not compress (as photographs do not), `kib` KiB long.
fn image(seed: u64, kib: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    while out.len() < kib * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(kib * 1024);
    out
}

/// A throwaway database's store, with a throwaway audit key.
async fn open(target: &DatabaseTarget) -> Result<Store> {
    let store = Store::connect(target, &PoolSettings::default())
        .await?
        .with_audit_keys(std::sync::Arc::new(domain::audit::AuditKeys::derive(
            &domain::audit::AuditSecret::from_bytes([0x17; 32]),
        )));
    store.migrate().await?;
    Ok(store)
}

async fn staging(
    target: &DatabaseTarget,
    pages: usize,
    images: usize,
    kib: usize,
) -> Result<Store> {
    let store = open(target).await?;
    let actor = Actor::cli("bench");
    let now = crate::accounts::now_ms();
    let save = |s: ContentState| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            store
                .save_content(&ContentSave {
                    id: None,
                    revision: None,
                    state: &s,
                    actor: &actor,
                    now,
                })
                .await
                .map(|i| i.id)
        }
    };
    // Sections of 50 pages: a top page and its children.
    let mut parent = None;
    for n in 0..pages {
        if n % 50 == 0 {
            parent = Some(save(page(format!("section-{n}"), None, n)).await?);
        } else {
            save(page(format!("page-{n}"), parent, n)).await?;
        }
    }
    for i in 0..images {
        let bytes = image(i as u64 + 1, kib);
        let sha: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        store
            .add_media(
                &NewMedia {
                    sha256: &sha,
                    name: &format!("photo-{i}.png"),
                    content_type: "image/png",
                    size: Some((1600, 1200)),
                    alt: &format!("会場の写真 {i}"),
                    content: &bytes,
                },
                &actor,
                now,
            )
            .await?;
    }
    Ok(store)
}

fn rss_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Runs `f`, printing a row: its time and how far the peak resident memory
/// rose above the resident memory before it.
async fn phase<T, F: std::future::Future<Output = Result<T>>>(
    engine: &str,
    label: &str,
    f: F,
) -> Result<T> {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = rss_mib("VmRSS:");
    let started = Instant::now();
    let out = f.await?;
    let seconds = started.elapsed().as_secs_f64();
    let rise = (rss_mib("VmHWM:") - before).max(0.0);
    println!("| {engine} | {label} | {seconds:.2} | {rise:.0} |");
    Ok(out)
}

pub async fn run(
    pages: usize,
    images: usize,
    kib: usize,
    database_url: Option<&str>,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let key = content::bundle::BundleKey::from_bytes(&[0x42; 32]);
    let staging_target =
        DatabaseTarget::sqlite(dir.path().join("staging.db")).map_err(|e| anyhow::anyhow!(e))?;
    let setup = Instant::now();
    let staging = staging(&staging_target, pages, images, kib).await?;
    println!(
        "staging: {pages} pages, {images} images of {kib} KiB, written in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let bundles = web::Bundles::new(key, dir.path().join("bundles"));
    let file = dir.path().join("content.cnb");
    println!();
    println!("| production | phase | seconds | peak RSS rise (MiB) |");
    println!("|---|---|---:|---:|");
    phase("SQLite (staging)", "export", async {
        Ok(bundles
            .export(&staging, &file, "https://staging.example.jp", 0)
            .await?)
    })
    .await?;
    let size = std::fs::metadata(&file)?.len();
    let mut targets = vec![(
        "SQLite",
        DatabaseTarget::sqlite(dir.path().join("production.db")).map_err(|e| anyhow::anyhow!(e))?,
    )];
    if let Some(url) = database_url {
        targets.push((
            "PostgreSQL",
            DatabaseTarget::from_url(url).map_err(|e| anyhow::anyhow!(e))?,
        ));
    }
    let actor = Actor::cli("bench");
    for (engine, target) in targets {
        let production = open(&target).await?;
        phase(engine, "plan (dry run)", async {
            Ok(bundles.plan(&production, &file).await?)
        })
        .await?;
        for label in ["apply", "apply again (no change)"] {
            phase(engine, label, async {
                Ok(bundles
                    .import(
                        &production,
                        &file,
                        "bench",
                        &actor,
                        crate::accounts::now_ms(),
                    )
                    .await?)
            })
            .await?;
        }
        production.close().await;
    }
    println!();
    println!(
        "bundle: {:.1} MB; resident memory at the end {:.0} MiB",
        size as f64 / 1_048_576.0,
        rss_mib("VmRSS:")
    );
    Ok(())
}
