use crate::{Server, run};

pub fn get(url: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        testkit::install_tls_provider();
        let r = reqwest::get(url).await.expect("request");
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    })
}

fn serves_the_portal(database_url: Option<&str>, engine: &str) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let server = Server::start(tmp.path(), database_url);
    let (status, body) = get(&server.url("/healthz"));
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&server.url("/readyz"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&format!("\"engine\":\"{engine}\"")), "{body}");
    let (status, body) = get(&server.url("/"));
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"ja\">"));
    let (status, body) = get(&server.url("/metrics"));
    assert_eq!(status, 200);
    assert!(
        body.contains("http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"),
        "{body}"
    );
    let exit = server.terminate();
    assert!(exit.success(), "serve exits cleanly on SIGTERM: {exit:?}");
}

#[test]
fn serve_answers_probes_metrics_and_the_top_page_on_sqlite() {
    serves_the_portal(None, "sqlite");
}

#[test]
fn serve_answers_probes_metrics_and_the_top_page_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(testkit::TestDb::postgres());
    let store::DatabaseTarget::Postgres { url } = db.target().clone() else {
        unreachable!("a postgres test database")
    };
    serves_the_portal(Some(&url), "postgres");
}

#[test]
fn serve_creates_the_sqlite_database_in_the_data_directory_and_migrate_finds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nested/data");
    let server = Server::start(&data, None);
    assert!(data.join("chance-navi.db").is_file());
    assert!(server.terminate().success());
    let out = run(&["migrate", "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("is up to date (version"), "{text}");
    assert!(text.contains("nested/data/chance-navi.db"), "{text}");
}

#[test]
fn settings_come_from_the_environment_and_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let from_env = tmp.path().join("from-env");
    let from_file = tmp.path().join("from-file");
    let config = tmp.path().join("chance-navi.toml");
    std::fs::write(&config, format!("data_dir = \"{}\"\n", from_file.display())).unwrap();
    let out = crate::chance_navi()
        .args(["migrate", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        from_file.join("chance-navi.db").is_file(),
        "the file's data_dir is used"
    );
    let out = crate::chance_navi()
        .args(["migrate", "--config", config.to_str().unwrap()])
        .env("CHANCE_NAVI_DATA_DIR", &from_env)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        from_env.join("chance-navi.db").is_file(),
        "the environment beats the file"
    );
}

#[test]
fn bench_startup_prints_a_table_row_per_engine() {
    let out = run(&["bench", "startup", "--runs", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| engine | runs | min ms |"), "{text}");
    assert!(text.contains("| sqlite (new file) | 2 |"), "{text}");
}

#[test]
fn index_rebuild_builds_the_search_index_from_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let out = run(&["index", "rebuild", "--data-dir", data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("search index rebuilt: 0 cases read"),
        "{text}"
    );
    assert!(tmp.path().join("index").is_dir());
}

#[test]
fn readiness_reports_the_search_index() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let (status, body) = get(&server.url("/readyz"));
    assert_eq!(status, 200);
    assert!(body.contains("\"index\":\"ok\""), "{body}");
    assert!(server.terminate().success());
}

#[test]
fn bench_search_answers_every_query_alike_on_all_three_engines() {
    let out = run(&["bench", "search", "--cases", "3000", "--reps", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with("| tantivy") || l.starts_with("| SQLite"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 21, "{text}");
    // The same query finds the same number of cases on every engine.
    for class in rows.iter().take(7) {
        let same: Vec<&str> = rows
            .iter()
            .filter(|r| r[3] == class[3])
            .map(|r| r[7])
            .collect();
        assert_eq!(same.len(), 3);
        assert!(same.iter().all(|h| *h == same[0]), "{}: {same:?}", class[3]);
    }
    assert!(text.contains("resident memory"));
}

#[test]
fn bench_serve_measures_a_running_node_over_http_and_agrees_with_the_index() {
    let served = run(&["bench", "serve", "--cases", "600", "--reps", "1"]);
    assert!(
        served.status.success(),
        "{}",
        String::from_utf8_lossy(&served.stderr)
    );
    let served = String::from_utf8(served.stdout).unwrap();
    assert!(served.contains("| after the queries |"), "{served}");
    let direct = run(&[
        "bench",
        "search",
        "--cases",
        "600",
        "--reps",
        "1",
        "--no-peers",
    ]);
    let direct = String::from_utf8(direct.stdout).unwrap();
    // The last column of each query row: the hits.
    let hits = |text: &str, row: &dyn Fn(&str) -> bool| -> Vec<String> {
        text.lines()
            .filter(|l| row(l))
            .map(|l| {
                l.trim_end_matches(" |")
                    .rsplit("| ")
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    };
    let over_http = hits(&served, &|l| {
        l.starts_with("| ")
            && l.contains(" (")
            && !l.starts_with("| query")
            && !l.starts_with("| server")
    });
    let in_index = hits(&direct, &|l| l.starts_with("| tantivy"));
    assert_eq!(over_http.len(), 7, "{served}");
    // The node answers the mix with the hit counts the index alone gives.
    assert_eq!(over_http, in_index, "{served}\n{direct}");
}

#[test]
fn bench_import_reimports_nothing_the_second_time() {
    let out = run(&["bench", "import", "--records", "1500"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let again = text
        .lines()
        .find(|l| l.contains("same input again"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = again.split('|').map(str::trim).collect();
    // new, updated, unchanged, change batches written
    assert_eq!(&cells[6..10], ["0", "0", "1500", "0"], "{again}");
}

#[test]
fn bench_bids_accepts_every_bid_from_sixteen_concurrent_bidders() {
    let out = run(&["bench", "bids", "--bids", "120"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("| SQLite"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(cells[2], "120", "{row}");
    assert_eq!(
        cells[6], "synchronous=full",
        "bids are committed durably: {row}"
    );
}

#[test]
fn serve_creates_a_private_key_encryption_key_and_refuses_a_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let key = tmp.path().join("keys/kek");
    let text = std::fs::read_to_string(&key).expect("a key file is created");
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only its owner may read it");
    }
    assert!(server.terminate().success());
    // The same key is used the next time.
    let server = Server::start(tmp.path(), None);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
    assert!(server.terminate().success());
    // A key in the environment that is not one stops the start with one line.
    let other = tempfile::tempdir().unwrap();
    let out = crate::chance_navi()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(other.path())
        .env("CHANCE_NAVI_KEK", "not-a-key")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CHANCE_NAVI_KEK"), "{err}");
    assert!(
        !err.contains("not-a-key"),
        "the key is never printed: {err}"
    );
}

/// Bids arrive over HTTP; the server is killed (SIGKILL) while they do.
/// After a restart, every bid the server acknowledged is there, whole, and
/// nothing half-written is.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_acknowledged_bid_survives_the_server_being_killed() {
    use domain::tender::Schedule;
    use store::{Actor, DatabaseTarget, Participation};

    testkit::install_tls_provider();
    let tmp = tempfile::tempdir().unwrap();
    let kek = seal::Kek::generate().unwrap();
    std::fs::create_dir_all(tmp.path().join("keys")).unwrap();
    std::fs::write(tmp.path().join("keys/kek"), kek.to_hex()).unwrap();
    testkit::write_audit_key(tmp.path());
    let target =
        DatabaseTarget::sqlite(tmp.path().canonicalize().unwrap().join("chance-navi.db")).unwrap();
    let store = testkit::connect(&target).await;
    store.migrate().await.unwrap();
    let staff = Actor::cli("test");
    let now = web::auth::now_ms();
    let h = 3_600_000;
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: now - 4 * h,
            application_deadline: now - 3 * h,
            qualification_notice_at: now - 3 * h,
            bidding_opens_at: now - 2 * h,
            bid_deadline: now + h,
            opening_at: now + 2 * h,
        },
        ceiling_yen: 10_000_000,
        ceiling_public: false,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(&store, &kek, terms, 1, now - 5 * h).await;
    let mut bidders = Vec::new();
    for n in 0..60 {
        let user = testkit::people::person(&store, domain::Role::ReceivingCompany, n)
            .await
            .unwrap();
        let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
        store
            .set_participation(id, company, Participation::Nominated, None, &staff, now)
            .await
            .unwrap();
        bidders.push(testkit::people::session(&store, Some(user)).await.cookie);
    }

    let mut server = Server::start(tmp.path(), None);
    let url = server.url(&format!("/api/v1/tenders/{id}/bids"));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for (n, cookie) in bidders.into_iter().enumerate() {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            // Spread the arrivals so that the kill falls among them.
            tokio::time::sleep(std::time::Duration::from_millis(25 * n as u64)).await;
            let r = client
                .post(&url)
                .header("cookie", cookie)
                .json(&serde_json::json!({"amount": 1_000_000 + n, "kuji": format!("{:03}", n)}))
                .send()
                .await
                .ok()?;
            if r.status() != 201 {
                return None;
            }
            r.json::<serde_json::Value>().await.ok()
        }));
    }
    // Kill once some bids are in and most are still to come.
    for _ in 0..500 {
        if store.sealed_bids(id).await.unwrap().len() >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = server.child.wait();
    let mut acknowledged = Vec::new();
    for t in tasks {
        if let Some(receipt) = t.await.unwrap() {
            acknowledged.push(receipt);
        }
    }
    assert!(
        !acknowledged.is_empty(),
        "some bids were acknowledged before the kill"
    );
    assert!(
        acknowledged.len() < 60,
        "the kill fell among the bids ({})",
        acknowledged.len()
    );

    // Restart on the same data directory, then look at what is stored.
    let restarted = Server::start(tmp.path(), None);
    let bids = store.sealed_bids(id).await.unwrap();
    for receipt in &acknowledged {
        let no = receipt["receipt_no"].as_str().unwrap();
        let stored = bids
            .iter()
            .find(|b| b.receipt.receipt_no == no)
            .unwrap_or_else(|| panic!("{no} was lost"));
        assert_eq!(
            Some(stored.receipt.sealed_hash.as_str()),
            receipt["sealed_sha256"].as_str()
        );
    }
    // Nothing half there: every stored bid is whole, with its audit entry.
    let audit = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("tender.bid".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    for b in &bids {
        assert!(!b.receipt.receipt_no.starts_with("pending"), "{b:?}");
        assert!(b.sealed.is_some());
        assert!(
            audit
                .iter()
                .any(|e| e.detail.contains(&b.receipt.receipt_no)),
            "{b:?} has no audit entry"
        );
    }
    assert_eq!(audit.len(), bids.len());
    assert_eq!(store.verify_audit_chain().await.unwrap().first_broken, None);
    assert!(restarted.terminate().success());
}
