//! `chance-navi bench import`: import throughput of kkj-style records (the
//! search API's XML, 1,000 results per answer as the API gives them) into
//! SQLite and, with --database-url, PostgreSQL; then the same input again,
//! which must change nothing and write next to nothing.

use std::time::Instant;

use anyhow::{Context, Result};
use store::{DatabaseTarget, PoolSettings, Store};

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn day(ms: i64) -> String {
    let (y, m, d, ..) = domain::time::jst_parts(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// N records as kkj answers of at most 1,000 results each.
fn documents(n: usize, now: i64) -> Vec<Vec<u8>> {
    let cases = crate::bench_search::corpus(n, now);
    cases
        .chunks(1000)
        .map(|chunk| {
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Results><Version>1.0</Version><SearchResults><SearchHits>{}</SearchHits>",
                chunk.len()
            );
            for c in chunk {
                x.push_str(&format!(
                    "<SearchResult><Key>{key}</Key><ExternalDocumentURI>https://www.kkj.go.jp/d/{key}</ExternalDocumentURI>\
                     <ProjectName>{title}</ProjectName><LgCode>{lg}</LgCode><OrganizationName>{org}</OrganizationName>\
                     <CftIssueDate>{published}</CftIssueDate><Category>{category}</Category>\
                     <ProcedureType>{procedure}</ProcedureType><TenderSubmissionDeadline>{deadline}</TenderSubmissionDeadline>\
                     <ProjectDescription>{description}</ProjectDescription></SearchResult>",
                    key = xml_escape(&c.source_key),
                    title = xml_escape(&c.title),
                    lg = c.prefecture_code.map(|p| format!("{p:02}")).unwrap_or_default(),
                    org = xml_escape(&c.organization_name),
                    published = c.published_at.map(day).unwrap_or_default(),
                    category = c.category.label(),
                    procedure = c.procedure.label(),
                    deadline = c.submission_deadline.map(day).unwrap_or_default(),
                    description = xml_escape(&c.description),
                ));
            }
            x.push_str("</SearchResults></Results>");
            x.into_bytes()
        })
        .collect()
}

async fn measure(label: &str, target: &DatabaseTarget, docs: &[Vec<u8>], n: usize) -> Result<()> {
    let store = Store::connect(target, &PoolSettings::default()).await?;
    store.migrate().await?;
    let mut rows = Vec::new();
    for pass in ["first import", "same input again"] {
        let seq_before = store.latest_case_seq().await?;
        let started = Instant::now();
        let out = import::run_documents(
            &store,
            import::Source::Kkj,
            "bench",
            docs,
            crate::accounts::now_ms,
            &mut |_| {},
        )
        .await?;
        let secs = started.elapsed().as_secs_f64();
        let seq_used = store.latest_case_seq().await? - seq_before;
        rows.push(format!(
            "| {label} | {pass} | {n} | {secs:.1} | {:.0} | {} | {} | {} | {} |",
            n as f64 / secs,
            out.counts.inserted,
            out.counts.updated,
            out.counts.unchanged,
            seq_used
        ));
    }
    store.close().await;
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

pub async fn run(n: usize, database_url: Option<&str>) -> Result<()> {
    let now = crate::accounts::now_ms();
    let docs = documents(n, now);
    let bytes: usize = docs.iter().map(Vec::len).sum();
    println!(
        "{n} kkj-style records in {} answers ({:.1} MB of XML)",
        docs.len(),
        bytes as f64 / 1_048_576.0
    );
    println!();
    println!(
        "| database | pass | records | seconds | records/s | new | updated | unchanged | change batches written |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let sqlite = DatabaseTarget::sqlite(dir.join("bench.db")).map_err(|e| anyhow::anyhow!(e))?;
    let result = measure("SQLite", &sqlite, &docs, n).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Some(url) = database_url {
        let pg = DatabaseTarget::from_url(url).map_err(|e| anyhow::anyhow!(e))?;
        measure("PostgreSQL", &pg, &docs, n).await?;
    }
    Ok(())
}
