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
