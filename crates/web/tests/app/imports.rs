//! What the staff see of imports, and what visitors see of an imported
//! case's amendments and results.

use domain::Role;
use store::{CaseResult, RunCounts};
use testkit::people::{PASSWORD, person};
use testkit::{TestApp, attrs, texts};

#[tokio::test]
async fn staff_see_runs_with_progress_and_the_records_set_aside() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let run = store
        .start_import_run("kkj", "https://kkj.example.jp/api/", 1_000)
        .await
        .unwrap();
    let counts = RunCounts {
        seen: 50,
        expected: Some(200),
        inserted: 40,
        rejected: 10,
        ..RunCounts::default()
    };
    store.record_import_progress(run, &counts, 2).await.unwrap();
    store
        .quarantine(
            run,
            "kkj",
            Some("K-9"),
            "Key（案件の識別子）がありません。",
            "<SearchResult><ProjectName>&lt;壊れた&gt;</ProjectName></SearchResult>",
            1_000,
        )
        .await
        .unwrap();
    let ops = person(store, Role::Ops, 1).await.expect("ops");
    let email = store.user(ops).await.unwrap().unwrap().email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;

    let page = client.get(app.url("/admin/imports")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = testkit::Html::parse_document(&page.text().await.unwrap());
    assert_eq!(attrs(&html, "progress", "value"), ["25"]);
    assert!(texts(&html, "td").contains(&"実行中".to_owned()));

    let page = client
        .get(app.url(&format!("/admin/imports/{run}")))
        .send()
        .await
        .unwrap();
    let body = page.text().await.unwrap();
    assert!(body.contains("Key（案件の識別子）がありません。"));
    // The raw record is shown as text, never as markup.
    assert!(!body.contains("<SearchResult>"));
    let html = testkit::Html::parse_document(&body);
    assert_eq!(
        texts(&html, "pre.raw"),
        ["<SearchResult><ProjectName>&lt;壊れた&gt;</ProjectName></SearchResult>"]
    );

    // Companies do not see imports.
    let company = person(store, Role::ReceivingCompany, 2)
        .await
        .expect("company");
    let email = store.user(company).await.unwrap().unwrap().email;
    let other = TestApp::new_client();
    app.sign_in(&other, &email, PASSWORD).await;
    assert_eq!(
        other
            .get(app.url("/admin/imports"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_imported_case_shows_its_amendments_and_results() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let id = store
        .upsert_case(&testkit::fixtures::case(1), 1_000)
        .await
        .unwrap()
        .id();
    let mut amended = testkit::fixtures::case(1);
    amended.title = "庁舎清掃業務委託（その1）【訂正】".into();
    store
        .upsert_with_history(None, &[amended], 2_000)
        .await
        .unwrap();
    store
        .replace_case_results(
            id,
            &[CaseResult {
                sealed_sha256: None,
                kind: "award",
                external_id: "a1".into(),
                party: "株式会社清掃サービス".into(),
                amount: Some("1200000".into()),
                currency: Some("JPY".into()),
                status: Some("active".into()),
                date: Some(2_000),
            }],
        )
        .await
        .unwrap();
    let (status, page) = app.page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    let cells = texts(&page, "td");
    assert!(
        cells.contains(&"株式会社清掃サービス".to_owned()),
        "{cells:?}"
    );
    assert!(cells.contains(&"1200000円".to_owned()), "{cells:?}");
    assert!(
        cells.contains(&"庁舎清掃業務委託（その1）".to_owned()),
        "{cells:?}"
    );
    assert!(
        cells.contains(&"庁舎清掃業務委託（その1）【訂正】".to_owned()),
        "{cells:?}"
    );
    app.shutdown().await;
}

async fn signed_in_as(app: &TestApp, role: Role, n: u32) -> reqwest::Client {
    app.signed_in(role, n).await.0
}

#[tokio::test]
async fn an_administrator_imports_an_uploaded_file_and_follows_its_progress() {
    let app = TestApp::spawn().await;
    let admin = signed_in_as(&app, Role::Admin, 1).await;
    let xml = std::fs::read(format!(
        "{}/../import/tests/samples/kkj/handwritten-examples/detail-pdf.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample");
    let r = app
        .submit_multipart(
            &admin,
            "/admin/imports",
            "/admin/imports",
            &[("source", "kkj")],
            &[("file", "kkj-answer.xml", &xml)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let run_page = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(run_page.starts_with("/admin/imports/"), "{run_page}");
    let id: i64 = run_page.rsplit('/').next().unwrap().parse().unwrap();
    // The run goes on in the background; its page shows how far it got.
    let mut run = None;
    for _ in 0..200 {
        let r = app.db.store().import_run(id).await.unwrap().unwrap();
        if r.status != store::RunStatus::Running {
            run = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let run = run.expect("the run ends");
    assert_eq!(run.status, store::RunStatus::Succeeded, "{:?}", run.error);
    assert_eq!(run.counts.inserted, 1, "{:?}", run.counts);
    assert!(run.origin.contains("kkj-answer.xml"), "{}", run.origin);
    let html = testkit::Html::parse_document(
        &admin
            .get(app.url(&run_page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(texts(&html, "dd").iter().any(|t| t.contains("完了")));

    // Without a source or a file: told which, nothing started.
    let before = app.db.store().import_runs(100).await.unwrap().len();
    let r = app
        .submit_multipart(
            &admin,
            "/admin/imports",
            "/admin/imports",
            &[("source", "")],
            &[("file", "a.xml", b"<x/>")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("取込み元を選んでください"));
    let r = app
        .submit_multipart(
            &admin,
            "/admin/imports",
            "/admin/imports",
            &[("source", "ocds")],
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.db.store().import_runs(100).await.unwrap().len(), before);

    // Operators see the runs but not the form.
    let operator = signed_in_as(&app, Role::Operator, 2).await;
    let html = testkit::Html::parse_document(
        &operator
            .get(app.url("/admin/imports"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(texts(&html, "#upload-title").is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_scheduled_import_is_run_now_by_ending_its_lease_unless_one_is_running() {
    let settings = web::WebSettings {
        import_schedules: vec![web::ScheduledImport {
            lease: "import:kkj:0".into(),
            source: import::Source::Kkj,
            origin: "https://www.kkj.go.jp/api/?Query=清掃".into(),
            every_minutes: 60,
        }],
        ..web::WebSettings::default()
    };
    let app = TestApp::spawn_with(testkit::Backend::Sqlite, web::routes(), settings).await;
    let store = app.db.store();
    let now = web::auth::now_ms();
    store
        .try_acquire_lease(
            "import:kkj:0",
            "node-a",
            std::time::Duration::from_secs(3600),
            now,
        )
        .await
        .unwrap();
    let ops = signed_in_as(&app, Role::Ops, 1).await;
    let page = ops
        .get(app.url("/admin/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1時間ごと") && page.contains("今すぐ実行する"),
        "{page}"
    );
    let r = app
        .submit(&ops, "/admin/imports", "/admin/imports/schedules/0", &[])
        .await;
    assert_eq!(r.status(), 303);
    let lease = store.lease("import:kkj:0").await.unwrap().unwrap();
    assert!(
        lease.expires_at <= web::auth::now_ms(),
        "any node may take it now"
    );
    // While a run of the source is going on, not again.
    store
        .start_import_run("kkj", "scheduled", web::auth::now_ms())
        .await
        .unwrap();
    let r = app
        .submit(&ops, "/admin/imports", "/admin/imports/schedules/0", &[])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("実行中です"));
    // A schedule that does not exist.
    let r = app
        .submit(&ops, "/admin/imports", "/admin/imports/schedules/7", &[])
        .await;
    assert_eq!(r.status(), 404);
    app.shutdown().await;
}
