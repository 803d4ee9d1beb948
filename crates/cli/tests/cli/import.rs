//! `chance-navi import run` on the importers' samples, from a file and from a URL.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::{Server, run};

fn sample(path: &str) -> String {
    format!(
        "{}/../import/tests/samples/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_file_is_imported_once_and_its_counts_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let file = sample("ocds/fictional-example-1.1/ocds-213czf-000-00001.json");
    let args = [
        "import",
        "run",
        "--data-dir",
        dir,
        "--source",
        "ocds",
        "--file",
        &file,
    ];
    let first = run(&args);
    let (out, err) = text(&first);
    assert!(first.status.success(), "{err}");
    assert!(
        out.contains("1 new, 0 updated, 0 unchanged, 0 skipped (not tenders), 0 set aside"),
        "{out}"
    );
    let again = run(&args);
    let (out, _) = text(&again);
    assert!(out.contains("0 new, 0 updated, 1 unchanged"), "{out}");
    // Records without a key are set aside; the run still succeeds.
    let kkj = sample("kkj/handwritten-examples/search-multiple.xml");
    let out = run(&[
        "import",
        "run",
        "--data-dir",
        dir,
        "--source",
        "kkj",
        "--file",
        &kkj,
    ]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("3 set aside"), "{}", text(&out).0);
}

#[test]
fn an_unreadable_document_or_a_bad_source_fails_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let junk = tmp.path().join("junk.json");
    std::fs::write(&junk, "not json").unwrap();
    let out = run(&[
        "import",
        "run",
        "--data-dir",
        dir,
        "--source",
        "ocds",
        "--file",
        junk.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let (_, err) = text(&out);
    assert!(err.contains("JSON"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = run(&[
        "import",
        "run",
        "--data-dir",
        dir,
        "--source",
        "nope",
        "--file",
        junk.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    // One line naming the value; --help lists every source.
    let err = text(&out).1;
    assert!(err.contains("'nope'") && err.contains("--source"), "{err}");
    let help = run(&["import", "run", "--help"]);
    let help = text(&help).0;
    for source in ["kkj", "tokyo", "tokyo-municipal", "ocds"] {
        assert!(help.contains(&format!("- {source}:")), "{help}");
    }
}

#[test]
fn a_url_is_fetched_and_its_credentials_are_not_printed() {
    let body = std::fs::read(sample("kkj/handwritten-examples/detail-pdf.xml")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(&body).unwrap();
        request
    });
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("http://user:secret@127.0.0.1:{port}/api/?Query=test");
    let out = run(&[
        "import",
        "run",
        "--data-dir",
        tmp.path().to_str().unwrap(),
        "--source",
        "kkj",
        "--url",
        &url,
    ]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("1 new"), "{stdout}");
    assert!(
        !stdout.contains("secret") && !stderr.contains("secret"),
        "{stdout}{stderr}"
    );
    let request = server.join().unwrap();
    assert!(request.starts_with("GET /api/?Query=test"), "{request}");
}

#[tokio::test]
async fn a_scheduled_import_runs_on_one_node_of_two_sharing_postgres() {
    let db = testkit::TestDb::postgres().await;
    db.store().migrate().await.expect("migrate");
    let store::DatabaseTarget::Postgres { url } = db.target().clone() else {
        panic!("a PostgreSQL test database");
    };
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("chance-navi.toml");
    std::fs::write(
        &config,
        format!(
            "[[import]]\nsource = \"ocds\"\nfile = \"{}\"\nevery_minutes = 60\n",
            sample("ocds/fictional-example-1.1/ocds-213czf-000-00001.json")
        ),
    )
    .unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let first = Server::start_with(&a, Some(&url), Some(&config));
    let second = Server::start_with(&b, Some(&url), Some(&config));
    for _ in 0..100 {
        let runs = db.store().import_runs(10).await.unwrap();
        if runs.iter().any(|r| r.finished_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Both nodes have polled at start; give the slower one time to try.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let runs = db.store().import_runs(10).await.unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].counts.inserted, 1);
    assert!(first.terminate().success());
    assert!(second.terminate().success());
}

#[test]
fn bad_import_schedules_are_refused_at_start_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    for (toml, says) in [
        (
            "[[import]]\nsource = \"nope\"\nurl = \"https://x\"\nevery_minutes = 5\n",
            "unknown source",
        ),
        (
            "[[import]]\nsource = \"kkj\"\nevery_minutes = 5\n",
            "exactly one of url and file",
        ),
        (
            "[[import]]\nsource = \"kkj\"\nurl = \"https://x\"\nevery_minutes = 0\n",
            "every_minutes",
        ),
        (
            "[[import]]\nsource = \"ocds\"\nurl = \"https://x\"\nevery_minutes = 5\ndays = 3\n",
            "days is for the kkj",
        ),
        (
            "[[import]]\nsource = \"kkj\"\nurl = \"ftp://x\"\nevery_minutes = 5\n",
            "http or https",
        ),
    ] {
        let config = tmp.path().join("c.toml");
        std::fs::write(&config, toml).unwrap();
        let out = run(&[
            "migrate",
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            tmp.path().to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{toml}");
        let (_, err) = text(&out);
        assert!(err.contains(says), "{toml}: {err}");
    }
}

#[test]
fn companies_are_exported_to_a_file_and_the_export_is_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let file = tmp.path().join("crm.jsonl");
    let out = run(&[
        "export",
        "companies",
        "--data-dir",
        dir,
        "--format",
        "jsonl",
        "--output",
        file.to_str().unwrap(),
    ]);
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("0 companies (all), jsonl"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");
    let out = run(&["export", "companies", "--data-dir", dir, "--format", "xlsx"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("unknown format"));
    let audit = run(&["audit", "verify", "--data-dir", dir]);
    assert!(audit.status.success(), "{}", text(&audit).1);
    assert!(text(&audit).0.contains('1'), "{}", text(&audit).0);
}

/// Validates `file` against the OCDS 1.1.5 release package schema.
fn validate_ocds(file: &std::path::Path) -> Result<(), String> {
    testkit::ocds::validate_file(file, testkit::ocds::Package::Release)
}

#[test]
fn the_ocds_export_validates_against_the_ocds_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    for (source, path) in [
        (
            "ocds",
            "ocds/fictional-example-1.1/ocds-213czf-000-00001.json",
        ),
        (
            "ocds",
            "ocds/real-world/paraguay/record-package-274231.json",
        ),
        ("kkj", "kkj/handwritten-examples/detail-pdf.xml"),
    ] {
        let out = run(&[
            "import",
            "run",
            "--data-dir",
            dir,
            "--source",
            source,
            "--file",
            &sample(path),
        ]);
        assert!(out.status.success(), "{}", text(&out).1);
    }
    // An e-tender of our own, bid on and opened: its bids and award go out too.
    opened_tender(tmp.path());
    let file = tmp.path().join("releases.json");
    let out = run(&[
        "export",
        "ocds",
        "--data-dir",
        dir,
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).1.contains("4 releases"), "{}", text(&out).1);
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(package["releases"][0]["ocid"], "ocds-213czf-000-00001");
    assert!(package["releases"][0]["awards"].is_array());
    let ours = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tender"]["title"] == "庁舎清掃業務委託（その7）")
        .unwrap_or_else(|| panic!("no e-tender release in {package}"));
    let details = ours["bids"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no bids in {ours}"));
    assert_eq!(details.len(), 2, "{ours}");
    // Each opened bid goes out under its 受付番号 with its sealed bid's SHA-256.
    for d in details {
        let hash = d["documents"][0]["description"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(hash.len(), 64, "{d}");
        assert!(d["id"].as_str().unwrap_or_default().contains('-'), "{d}");
    }
    assert_eq!(ours["awards"][0]["value"]["amount"], 900000.0);
    if let Err(e) = validate_ocds(&file) {
        panic!("{e}");
    }
    assert_eq!(
        package["extensions"][0],
        import::ocds_export::BIDS_EXTENSION
    );
    // The check can fail: a release without its ocid does not pass.
    let mut broken = package.clone();
    broken["releases"][0]
        .as_object_mut()
        .unwrap()
        .remove("ocid");
    let bad = tmp.path().join("broken.json");
    std::fs::write(&bad, broken.to_string()).unwrap();
    assert!(validate_ocds(&bad).is_err());
}

/// A stand-in for the kkj search API: a period longer than one day has
/// "too many" hits (it answers 1,500 with one result); a single day answers
/// one case of its own. Returns the port and the requests it saw.
fn fake_kkj() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("fake kkj");
    let port = listener.local_addr().expect("fake kkj").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            let target = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            log.lock().expect("fake kkj").push(target.clone());
            let period = target
                .split("CFT_Issue_Date=")
                .nth(1)
                .and_then(|p| p.split('&').next())
                .unwrap_or("")
                .replace("%2F", "/");
            let (from, to) = period.split_once('/').unwrap_or(("", ""));
            let body = if from == to {
                format!(
                    "<Results><SearchResults><SearchHits>1</SearchHits><SearchResult><Key>day-{from}</Key>\
                     <ProjectName>{from}公告の清掃業務</ProjectName><OrganizationName>某市</OrganizationName>\
                     <CftIssueDate>{from}</CftIssueDate></SearchResult></SearchResults></Results>"
                )
            } else {
                "<Results><SearchResults><SearchHits>1500</SearchHits><SearchResult><Key>x</Key>\
                 <ProjectName>x</ProjectName><OrganizationName>x</OrganizationName></SearchResult>\
                 </SearchResults></Results>"
                    .to_owned()
            };
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

#[test]
fn a_kkj_search_past_its_limit_is_split_by_day_and_reaches_search_within_a_second() {
    let (port, seen) = fake_kkj();
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let url = format!("http://127.0.0.1:{port}/api/?Query=%E6%B8%85%E6%8E%83");
    let out = run(&[
        "import",
        "run",
        "--data-dir",
        tmp.path().to_str().unwrap(),
        "--source",
        "kkj",
        "--url",
        &url,
        "--days",
        "1",
    ]);
    let imported = std::time::Instant::now();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // Two days: the period overflowed, so each day was asked for on its own.
    assert!(stdout.contains("2 new"), "{stdout}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen.iter().all(
            |s| s.starts_with("/api/?Query=%E6%B8%85%E6%8E%83&CFT_Issue_Date=")
                && s.ends_with("&Count=1000")
        ),
        "{seen:?}"
    );
    // The running node's search finds them within a second.
    let mut found = false;
    while imported.elapsed() < std::time::Duration::from_secs(1) {
        let (_, body) = crate::serve::get(&server.url("/api/v1/cases?q=%E6%B8%85%E6%8E%83"));
        if body.contains("\"total\":2") {
            found = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        found,
        "the imported cases were not searchable within a second"
    );
    assert!(server.terminate().success());
}

/// Makes an e-tender in the SQLite database of `dir`, two bids, and opens it.
fn opened_tender(dir: &std::path::Path) {
    use domain::tender::Schedule;
    use store::{Actor, DatabaseTarget, Participation};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let target =
            DatabaseTarget::sqlite(dir.canonicalize().expect("dir").join("chance-navi.db"))
                .expect("target");
        let store = testkit::connect(&target).await;
        let kek = seal::Kek::generate().expect("kek");
        let staff = Actor::cli("test");
        let (t0, h) = (1_800_000_000_000i64, 3_600_000i64);
        let terms = testkit::tenders::Terms {
            schedule: Schedule {
                published_at: t0,
                application_deadline: t0 + h,
                qualification_notice_at: t0 + h,
                bidding_opens_at: t0 + 2 * h,
                bid_deadline: t0 + 3 * h,
                opening_at: t0 + 4 * h,
            },
            ceiling_yen: 1_000_000,
            ceiling_public: true,
            minimum_yen: Some(850_000),
        };
        let id = testkit::tenders::published_case(&store, &kek, terms, 7, t0 - h).await;
        for (n, amount) in [(1u32, 900_000i64), (2, 800_000)] {
            let user = testkit::people::person(&store, domain::Role::ReceivingCompany, n)
                .await
                .expect("bidder");
            let company = store
                .user(user)
                .await
                .expect("read")
                .expect("user")
                .company_id
                .expect("company");
            store
                .set_participation(id, company, Participation::Nominated, None, &staff, t0)
                .await
                .expect("nominate");
            let bid = etender::BidContent {
                amount,
                kuji: "123".into(),
                breakdown: String::new(),
            };
            etender::submit(
                &store,
                id,
                company,
                Some(user),
                &bid,
                &staff,
                t0 + 2 * h + i64::from(n),
            )
            .await
            .expect("bid");
        }
        etender::open(&store, &kek, id, &staff, t0 + 4 * h)
            .await
            .expect("open");
        store.close().await;
    });
}
