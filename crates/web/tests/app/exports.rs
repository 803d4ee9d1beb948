//! The CRM export: what an administrator downloads, in each format, and
//! that every export is audited.

use domain::Role;
use testkit::TestApp;
use testkit::people::person;

async fn admin(app: &TestApp) -> reqwest::Client {
    app.signed_in(Role::Admin, 90).await.0
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
            &[("format", "csv-utf8"), ("destination", "crm")],
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
            &[
                ("format", "jsonl"),
                ("changed", "1"),
                ("destination", "crm"),
            ],
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
            &[
                ("format", "jsonl"),
                ("changed", "1"),
                ("destination", "crm"),
            ],
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

/// Downloads one export through the admin page.
async fn export(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.submit(client, "/admin/exports", "/admin/exports/companies", fields)
        .await
}

async fn changed_ids(r: reqwest::Response) -> Vec<i64> {
    r.text()
        .await
        .expect("body")
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("number")
        })
        .collect()
}

#[tokio::test]
async fn each_destination_keeps_its_own_starting_point_and_an_ad_hoc_export_moves_none() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let user = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("company");
    let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
    let client = admin(&app).await;
    let touch = || async {
        app.db
            .execute_raw(&format!(
                "UPDATE companies SET updated_at = {} WHERE id = {company}",
                web::auth::now_ms()
            ))
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    // The CRM and a second destination each take everything once.
    for to in ["crm", "mailservice"] {
        let r = export(
            &app,
            &client,
            &[("format", "jsonl"), ("changed", "1"), ("destination", to)],
        )
        .await;
        assert_eq!(changed_ids(r).await, [company], "{to}");
    }
    touch().await;
    // An ad-hoc export (no destination) takes the change but moves nothing.
    let r = export(&app, &client, &[("format", "jsonl"), ("destination", "")]).await;
    assert_eq!(changed_ids(r).await, [company]);
    // So does an export to the second destination.
    let r = export(
        &app,
        &client,
        &[
            ("format", "jsonl"),
            ("changed", "1"),
            ("destination", "mailservice"),
        ],
    )
    .await;
    assert_eq!(changed_ids(r).await, [company]);
    // The CRM still gets the change: its starting point did not move.
    let r = export(
        &app,
        &client,
        &[
            ("format", "jsonl"),
            ("changed", "1"),
            ("destination", "crm"),
        ],
    )
    .await;
    assert_eq!(
        changed_ids(r).await,
        [company],
        "the CRM must not miss the change"
    );
    let r = export(
        &app,
        &client,
        &[
            ("format", "jsonl"),
            ("changed", "1"),
            ("destination", "crm"),
        ],
    )
    .await;
    assert!(changed_ids(r).await.is_empty());
    // Changed-only without a destination has no starting point: refused.
    let r = export(
        &app,
        &client,
        &[("format", "jsonl"), ("changed", "1"), ("destination", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = client
        .get(app.url("/admin/exports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("mailservice") && page.contains("（一時的な出力）"),
        "{page}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn values_cp932_cannot_hold_are_reported_by_company_and_field_and_formulas_never_run() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let user = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("company");
    let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
    app.db
        .execute_raw(&format!(
            "UPDATE companies SET name = '𠮷田製作所', description = '=HYPERLINK(\"https://evil.example\",\"♥\")', keywords = '+cmd' WHERE id = {company}"
        ))
        .await;
    let client = admin(&app).await;
    let r = export(
        &app,
        &client,
        &[("format", "csv-cp932"), ("destination", "crm")],
    )
    .await;
    let bytes = r.bytes().await.unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("会社名"), "〓田製作所");
    assert!(
        cell("事業内容").starts_with("'=HYPERLINK"),
        "{}",
        cell("事業内容")
    );
    assert_eq!(cell("キーワード"), "'+cmd");
    // The same in UTF-8: nothing lost, nothing runnable.
    let r = export(
        &app,
        &client,
        &[("format", "csv-utf8"), ("destination", "")],
    )
    .await;
    let text = String::from_utf8(r.bytes().await.unwrap()[3..].to_vec()).unwrap();
    assert!(
        text.contains("𠮷田製作所") && text.contains("'=HYPERLINK"),
        "{text}"
    );

    let last = store.exports(store::EXPORT_COMPANIES, 10).await.unwrap();
    let cp932 = last.iter().find(|e| e.format == "csv-cp932").unwrap();
    let problems = store.export_problems(cp932.id).await.unwrap();
    let found: Vec<(i64, &str, &str)> = problems
        .iter()
        .map(|p| (p.company_id, p.field.as_str(), p.characters.as_str()))
        .collect();
    assert_eq!(
        found,
        [(company, "会社名", "𠮷"), (company, "事業内容", "♥")]
    );
    let page = client
        .get(app.url("/admin/exports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("〓」として出力した文字（2件）"), "{page}");
    assert!(page.contains("<td>事業内容</td><td>♥</td>"), "{page}");
    app.shutdown().await;
}
