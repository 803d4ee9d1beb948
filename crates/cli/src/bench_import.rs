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

/// The process's peak resident memory so far (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Starts counting the peak resident memory afresh (Linux: clear_refs 5).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Writes `n` kkj records of about `kib` KiB each to `path`, a record at a
/// time; answers the file's size.
fn write_long_records(path: &std::path::Path, n: usize, kib: usize) -> Result<u64> {
    use std::io::Write as _;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).context("benchmark file")?);
    write!(
        f,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Results><Version>1.0</Version><SearchResults><SearchHits>{n}</SearchHits>"
    )?;
    // A notice's full text: Japanese, about `kib` KiB.
    let line = "本件は、庁舎の日常清掃及び定期清掃を行うものである。入札参加資格、仕様及び契約条件は別紙のとおり。\n";
    let body = line.repeat((kib * 1024 / line.len()).max(1));
    for i in 0..n {
        write!(
            f,
            "<SearchResult><Key>LONG-{i}</Key><ExternalDocumentURI>https://www.kkj.go.jp/d/LONG-{i}</ExternalDocumentURI>\
             <ProjectName>庁舎清掃業務委託 第{i}号</ProjectName><LgCode>13</LgCode><OrganizationName>東京都</OrganizationName>\
             <CftIssueDate>2026-05-01</CftIssueDate><Category>3</Category><ProcedureType>1</ProcedureType>\
             <ProjectDescription>{body}</ProjectDescription></SearchResult>"
        )?;
    }
    write!(f, "</SearchResults></Results>")?;
    f.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// `bench import --records N --record-kib K`: the peak memory of importing
/// one answer of long records from a file, into a new SQLite database.
pub async fn long_records(n: usize, kib: usize) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-long-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let file = dir.join("answer.xml");
    let size = write_long_records(&file, n, kib)?;
    println!(
        "{n} kkj records of {kib} KiB each in one answer: {:.1} MiB of XML",
        size as f64 / 1_048_576.0
    );
    println!();
    println!(
        "| read | records | seconds | records/s | MiB/s | peak resident memory during the import |"
    );
    println!("|---|---|---|---|---|---|");
    // Ours first, then in the same run the peer: the whole document read
    // into memory and parsed at once, as imports worked before.
    for (label, whole) in [
        ("record by record (ours)", false),
        ("whole document in memory (peer)", true),
    ] {
        let db = dir.join(format!("bench-{whole}.db"));
        let target = DatabaseTarget::sqlite(&db).map_err(|e| anyhow::anyhow!(e))?;
        let store = Store::connect(&target, &PoolSettings::default()).await?;
        store.migrate().await?;
        let reset = reset_peak_rss();
        let started = Instant::now();
        let out = if whole {
            let bytes = std::fs::read(&file).context("benchmark file")?;
            import::run_documents(
                &store,
                import::Source::Kkj,
                "bench",
                &[bytes],
                crate::accounts::now_ms,
                &mut |_| {},
            )
            .await?
        } else {
            import::run_file(
                &store,
                import::Source::Kkj,
                "bench",
                &file,
                crate::accounts::now_ms,
                &mut |_| {},
            )
            .await?
        };
        let secs = started.elapsed().as_secs_f64();
        let peak = peak_rss_mib().unwrap_or(0.0);
        store.close().await;
        let _ = std::fs::remove_file(&db);
        if let Some(e) = out.error {
            anyhow::bail!("the import failed: {e}");
        }
        println!(
            "| {label} | {} | {secs:.1} | {:.0} | {:.1} | {peak:.1} MiB{} |",
            out.counts.inserted,
            out.counts.inserted as f64 / secs,
            size as f64 / 1_048_576.0 / secs,
            if reset {
                ""
            } else {
                " (peak since start: could not reset)"
            }
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
