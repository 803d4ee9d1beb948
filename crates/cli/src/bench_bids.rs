//! `chance-navi bench bids`: sealed bids accepted per second — each sealed
//! to its tender's key (padded to its fixed size) and stored with its
//! receipt and audit entry in one durably committed transaction — on SQLite
//! and, with --database-url, PostgreSQL. Each row names the durability the
//! engine reports inside a bid's transaction.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use domain::tender::{Action, AwardMethod, Schedule};
use store::{Actor, DatabaseTarget, NewTender, Participation, PoolSettings, Store};

fn random_bytes() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot draw random bytes: {e}"))?;
    Ok(bytes)
}

/// Concurrent bidders (requests in flight at once).
const CONCURRENCY: usize = 16;

async fn measure(label: &str, target: &DatabaseTarget, bids: usize) -> Result<String> {
    let store = Store::connect(
        target,
        &PoolSettings {
            max_connections: 20,
            ..PoolSettings::default()
        },
    )
    .await?
    // A throwaway database: a throwaway audit key.
    .with_audit_keys(std::sync::Arc::new(domain::audit::AuditKeys::derive(
        &domain::audit::AuditSecret::from_bytes(random_bytes()?),
    )));
    store.migrate().await?;
    let commit = match store.engine() {
        store::Engine::Sqlite => "synchronous",
        store::Engine::Postgres => "synchronous_commit",
    };
    let commit = format!("{commit}={}", store.bid_commit_durability().await?);
    let now = crate::accounts::now_ms();
    // The demo's companies are the bidders.
    crate::demo::seed(&store, None, now).await?;
    let companies: Vec<i64> = store
        .companies_with_status(domain::CompanyStatus::Approved, 100, 0)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let kek = Arc::new(seal::Kek::generate().map_err(|e| anyhow::anyhow!(e))?);
    let staff = Actor::cli("bench bids");
    let h = 3_600_000;
    let schedule = Schedule {
        published_at: now - 4 * h,
        application_deadline: now - 3 * h,
        qualification_notice_at: now - 2 * h,
        bidding_opens_at: now - h,
        bid_deadline: now + 24 * h,
        opening_at: now + 25 * h,
    };
    let tenders_needed = bids.div_ceil(companies.len().max(1));
    let mut pairs = Vec::with_capacity(bids);
    for n in 0..tenders_needed {
        let mut case = crate::bench_search::corpus(1, now).remove(0);
        case.kind = domain::CaseKind::ETender;
        case.company_id = None;
        case.title = format!("ベンチマーク入札案件 {n}");
        let kek2 = kek.clone();
        let id = store
            .create_tender(
                &NewTender {
                    case,
                    schedule,
                    ceiling_yen: 10_000_000,
                    ceiling_public: true,
                    minimum_yen: None,
                    award_method: AwardMethod::LowestPrice,
                    requirements: Default::default(),
                    documents: Vec::new(),
                    created_by: None,
                },
                move |id| {
                    let k = seal::new_tender_keys(&kek2, id).map_err(|e| e.to_string())?;
                    Ok((k.public.to_vec(), k.wrapped_secret))
                },
                now - 5 * h,
            )
            .await?;
        // Publishing checks the deadline against the real clock.
        store
            .tender_action(id, Action::Publish, &staff, now)
            .await?;
        let public: [u8; 32] = store
            .tender(id)
            .await?
            .context("tender")?
            .public_key
            .try_into()
            .map_err(|_| anyhow::anyhow!("public key"))?;
        for c in &companies {
            store
                .set_participation(id, *c, Participation::Nominated, None, &staff, now)
                .await?;
            pairs.push((id, *c, public));
        }
    }
    pairs.truncate(bids);
    let pairs = Arc::new(pairs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let store = store.clone();
        let pairs = pairs.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::cli("bench bids");
            let mut done = 0usize;
            for (i, (tender, company, public)) in pairs.iter().enumerate() {
                if i % CONCURRENCY != worker {
                    continue;
                }
                let plain = format!(
                    "{{\"amount\":{},\"kuji\":\"{:03}\"}}",
                    5_000_000 + i,
                    i % 1000
                );
                let sealed =
                    seal::seal(public, plain.as_bytes()).map_err(|e| anyhow::anyhow!(e))?;
                store
                    .submit_bid(
                        *tender,
                        *company,
                        None,
                        Some(&sealed),
                        &actor,
                        crate::accounts::now_ms(),
                    )
                    .await?;
                done += 1;
            }
            anyhow::Ok(done)
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.context("bench task")??;
    }
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    Ok(format!(
        "| {label} | {accepted} | {CONCURRENCY} | {secs:.2} | {:.0} | {commit} |",
        accepted as f64 / secs
    ))
}

pub async fn run(bids: usize, database_url: Option<&str>) -> Result<()> {
    println!("| database | bids accepted | concurrent bidders | seconds | bids/s | bid commit |");
    println!("|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("chance-navi-bench-bids-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).context("benchmark folder")?;
    let sqlite = DatabaseTarget::sqlite(dir.join("bench.db")).map_err(|e| anyhow::anyhow!(e))?;
    let row = measure("SQLite (WAL)", &sqlite, bids).await;
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", row?);
    if let Some(url) = database_url {
        let pg = DatabaseTarget::from_url(url).map_err(|e| anyhow::anyhow!(e))?;
        println!("{}", measure("PostgreSQL", &pg, bids).await?);
    }
    Ok(())
}
