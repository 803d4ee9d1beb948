//! The yearly update of the contract-department master in the admin area:
//! upload, diff and impact, choose where an abolished department's cases
//! go, apply, and the year's history.

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Html, TestApp, texts};

const ORG: &str = "公益財団法人東京都中小企業振興公社";

#[tokio::test]
async fn an_administrator_reviews_the_differences_and_applies_next_years_master() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let org = store
        .ordering_organizations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == ORG)
        .expect("seeded organisation");
    let depts = store.contract_departments(org.id).await.unwrap();
    let b01 = depts.iter().find(|d| d.code == "B01").unwrap().id;
    let a02 = depts.iter().find(|d| d.code == "A02").unwrap().id;
    let mut case = testkit::fixtures::case(1);
    case.contract_department_id = Some(b01);
    let case_id = store.upsert_case(&case, 1_000).await.unwrap().id();

    let admin = person(store, Role::Admin, 1).await.expect("admin");
    let email = store.user(admin).await.unwrap().unwrap().email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;

    let csv = format!(
        "発注機関,契約部署コード,契約部署名,旧契約部署コード\n\
         {ORG},A01,総務部 総務課,\n\
         {ORG},A10,経営管理部 経理課,A02\n\
         {ORG},C02,販路開拓課,\n"
    );
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&csv);
    let r = app
        .submit_multipart(
            &client,
            "/admin/master-updates",
            "/admin/master-updates",
            &[("year", "２０２７")],
            &[("file", "keiyaku-2027.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page_path = r.headers()["location"].to_str().unwrap().to_owned();
    let page = Html::parse_document(
        &client
            .get(app.url(&page_path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let cells = texts(&page, "td");
    for kind in ["コード変更", "新設", "廃止"] {
        assert!(cells.contains(&kind.to_owned()), "{kind}: {cells:?}");
    }
    // B01 is abolished and one case refers to it.
    assert!(cells.contains(&"B01 取引振興課".to_owned()), "{cells:?}");
    assert!(cells.contains(&"1件".to_owned()), "{cells:?}");

    let r = app
        .submit(
            &client,
            &page_path,
            &format!("{page_path}/apply"),
            &[(&format!("move_{b01}"), "A10")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let after = store.contract_departments(org.id).await.unwrap();
    let a10 = after.iter().find(|d| d.code == "A10").unwrap();
    assert_eq!(a10.id, a02, "the recoded department keeps its row");
    assert!(!after.iter().find(|d| d.code == "B01").unwrap().active);
    assert_eq!(
        store
            .case(case_id)
            .await
            .unwrap()
            .unwrap()
            .fields
            .contract_department_id,
        Some(a02)
    );
    let history = Html::parse_document(
        &client
            .get(app.url(&format!("{page_path}?done=applied")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(texts(&history, ".notice")[0].contains("更新しました"));
    assert!(
        texts(&history, "td").contains(&"1件".to_owned()),
        "the case moved"
    );

    // A file naming an organisation the master does not have cannot be applied.
    let bad = "発注機関,契約部署コード,契約部署名\n大阪府,X1,契約課\n";
    let r = app
        .submit_multipart(
            &client,
            "/admin/master-updates",
            "/admin/master-updates",
            &[("year", "2028")],
            &[("file", "bad.csv", bad.as_bytes())],
        )
        .await;
    let path = r.headers()["location"].to_str().unwrap().to_owned();
    let page = Html::parse_document(
        &client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(texts(&page, ".error-summary li")[0].contains("大阪府"));
    assert!(
        texts(&page, "button")
            .iter()
            .all(|b| !b.contains("適用する"))
    );
    app.shutdown().await;
}
