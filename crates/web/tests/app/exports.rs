//! The CRM export: what an administrator downloads, in each format, and
//! that every export is audited.

use domain::Role;
use testkit::TestApp;
use testkit::people::{PASSWORD, person};

async fn admin(app: &TestApp) -> reqwest::Client {
    let store = app.db.store();
    let id = person(store, Role::Admin, 90).await.expect("admin");
    let email = store.user(id).await.expect("read").expect("admin").email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;
    client
}

#[tokio::test]
async fn an_administrator_exports_companies_as_csv_cp932_and_json_lines() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    for n in 1..=2 {
        person(store, Role::ReceivingCompany, n)
            .await
            .expect("company");
    }
    // An applicant still in review is not a customer yet.
    person(store, Role::Applicant, 3).await.expect("applicant");
    let client = admin(&app).await;
    let page = client.get(app.url("/admin/exports")).send().await.unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());

    let r = app
        .submit(
            &client,
            "/admin/exports",
            "/admin/exports/companies",
            &[("format", "csv-utf8")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"companies-"),
        "{disposition}"
    );
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "header and two approved companies: {text}");
    assert!(lines[0].starts_with("企業ID,法人番号,個人事業主,会社名"));

    let r = app
        .submit(
            &client,
            "/admin/exports",
            "/admin/exports/companies",
            &[("format", "csv-cp932")],
        )
        .await;
    let bytes = r.bytes().await.unwrap();
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(decoded.starts_with("企業ID,"));

    // Nothing changed since: a changed-only export is empty.
    let r = app
        .submit(
            &client,
            "/admin/exports",
            "/admin/exports/companies",
            &[("format", "jsonl"), ("changed", "1")],
        )
        .await;
    assert_eq!(r.text().await.unwrap(), "");
    // A new company afterwards is the only one in the next.
    let user = person(store, Role::OrderingCompany, 4)
        .await
        .expect("company");
    // Test people are made at fixed early instants; this one changes now.
    let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
    app.db
        .execute_raw(&format!(
            "UPDATE companies SET updated_at = {} WHERE id = {company}",
            web::auth::now_ms()
        ))
        .await;
    let r = app
        .submit(
            &client,
            "/admin/exports",
            "/admin/exports/companies",
            &[("format", "jsonl"), ("changed", "1")],
        )
        .await;
    let text = r.text().await.unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(rows[0]["orders"], "1");
    assert!(rows[0]["contact_email"].as_str().unwrap().contains('@'));

    // Every export is in the audit log, and the chain still holds.
    let entries = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("export.".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| e.action == "export.companies"));
    assert_eq!(store.verify_audit_chain().await.unwrap().first_broken, None);

    // A bad format is refused plainly; operators cannot export at all.
    let r = app
        .submit(
            &client,
            "/admin/exports",
            "/admin/exports/companies",
            &[("format", "xlsx")],
        )
        .await;
    assert_eq!(r.status(), 422);
    app.shutdown().await;
}
