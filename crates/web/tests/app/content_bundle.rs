//! Staging → production through the pages and the API: an operator on
//! staging downloads the bundle, the operations role on production uploads
//! it, sees the plan, applies it and rolls it back; a staging server pushes
//! with a token; broken bundles are refused with the reason.

use domain::Role;
use store::{Actor, ContentSave, ContentState};
use testkit::{Backend, Html, Selector, TestApp, texts};

fn post(slug: &str, title: &str) -> ContentState {
    ContentState {
        kind: "post".into(),
        parent_id: None,
        slug: slug.into(),
        sort_order: 0,
        title: title.into(),
        body: "フェアの出展者募集を始めました。".into(),
        summary: None,
        category: Some("fair".into()),
        tags: vec!["出展".into()],
        status: "published".into(),
        published_at: Some(1_700_000_000_000),
        event: None,
        division: None,
        help_key: None,
    }
}

async fn write(app: &TestApp, s: &ContentState) -> i64 {
    app.db
        .store()
        .save_content(&ContentSave {
            id: None,
            revision: None,
            state: s,
            actor: &Actor::cli("test"),
            now: web::auth::now_ms(),
        })
        .await
        .expect("saved")
        .id
}

async fn download(app: &TestApp) -> Vec<u8> {
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let r = app
        .submit(
            &operator,
            "/admin/content/bundle",
            "/admin/content/bundle/download",
            &[],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .contains(".cnb")
    );
    r.bytes().await.expect("bytes").to_vec()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

async fn promotes_through_the_admin_pages(backend: Backend) {
    let staging = TestApp::spawn_on(backend).await;
    let production = TestApp::spawn_on(backend).await;
    write(&staging, &post("exhibitors-2027", "出展者募集のお知らせ")).await;
    let bundle = download(&staging).await;

    let (ops, _) = production.signed_in(Role::Ops, 1).await;
    let page = "/admin/content/bundle";
    // A changed byte is refused with the reason, and nothing is kept.
    let mut tampered = bundle.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x20;
    let r = production
        .submit_multipart(
            &ops,
            page,
            "/admin/content/bundle/upload",
            &[],
            &[("bundle", "content.cnb", &tampered)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("署名が合いません") || body.contains("形式が正しくありません"),
        "{body}"
    );

    // The plan names what changes, and changes nothing yet.
    let r = production
        .submit_multipart(
            &ops,
            page,
            "/admin/content/bundle/upload",
            &[],
            &[("bundle", "content.cnb", &bundle)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = Html::parse_document(&r.text().await.expect("body"));
    let changes = texts(&html, "ul.plan summary");
    assert!(
        changes
            .iter()
            .any(|c| c.contains("追加") && c.contains("/news/exhibitors-2027")),
        "{changes:?}"
    );
    assert!(
        production
            .get("/news/exhibitors-2027")
            .await
            .status()
            .is_client_error()
    );
    let pending = html
        .select(&Selector::parse("input[name=pending]").expect("selector"))
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("pending")
        .to_owned();

    let r = production
        .submit(
            &ops,
            page,
            "/admin/content/bundle/apply",
            &[("pending", &pending)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(location(&r), "/admin/content/bundle?done=bundle_applied");
    let after = ops
        .get(production.url("/admin/content/bundle?done=bundle_applied"))
        .send()
        .await
        .expect("page");
    let after = Html::parse_document(&after.text().await.expect("body"));
    assert!(
        texts(&after, "[role=status]")
            .iter()
            .any(|t| t.contains("取り込みました")),
        "the page says what was done"
    );
    let shown = production.get("/news/exhibitors-2027").await;
    assert_eq!(shown.status(), 200);
    assert!(
        shown
            .text()
            .await
            .expect("body")
            .contains("出展者募集のお知らせ")
    );
    let actions: Vec<String> = production
        .db
        .store()
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("content.".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.iter().any(|a| a == "content.import"), "{actions:?}");

    // Rollback returns to the content before the import.
    let r = production
        .submit(&ops, page, "/admin/content/bundle/rollback", &[])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        production
            .get("/news/exhibitors-2027")
            .await
            .status()
            .is_client_error()
    );
}

#[tokio::test]
async fn a_bundle_is_promoted_through_the_admin_pages_on_sqlite() {
    promotes_through_the_admin_pages(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_bundle_is_promoted_through_the_admin_pages_on_postgres() {
    promotes_through_the_admin_pages(Backend::Postgres).await;
}

#[tokio::test]
async fn a_staging_server_pushes_with_an_operations_token_and_others_are_refused() {
    let staging = TestApp::spawn().await;
    let production = TestApp::spawn().await;
    write(&staging, &post("winners", "受賞企業の発表")).await;
    let bundle = download(&staging).await;
    let (_, ops_id) = production.signed_in(Role::Ops, 1).await;
    let (_, operator_id) = production.signed_in(Role::Operator, 2).await;
    let store = production.db.store();
    let now = web::auth::now_ms();
    for (user, token) in [(ops_id, "cnv_ops-push"), (operator_id, "cnv_operator-push")] {
        store
            .create_api_token(
                user,
                "ステージング",
                &domain::audit::token_hash(token),
                &Actor::cli("test"),
                now,
            )
            .await
            .expect("token");
    }
    let push = |token: &'static str, query: &'static str, body: Vec<u8>| {
        let url = production.url(&format!("/api/v1/content/bundle{query}"));
        async move {
            TestApp::new_client()
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
                .await
                .expect("push")
        }
    };
    // Operators write on staging; applying on production is not theirs.
    let r = push("cnv_operator-push", "", bundle.clone()).await;
    assert_eq!(r.status(), 403);

    let r = push("cnv_ops-push", "?dry_run=true", bundle.clone()).await;
    assert_eq!(r.status(), 200);
    let plan: serde_json::Value = r.json().await.expect("json");
    assert_eq!(plan["applied"], false);
    assert!(
        plan["summary"]
            .as_str()
            .expect("summary")
            .contains("投稿 追加 1")
    );
    assert!(
        production
            .get("/news/winners")
            .await
            .status()
            .is_client_error()
    );

    let r = push("cnv_ops-push", "", bundle[..bundle.len() - 10].to_vec()).await;
    assert_eq!(r.status(), 422);
    let err: serde_json::Value = r.json().await.expect("json");
    assert!(err.to_string().contains("途中で切れています"), "{err}");

    let r = push("cnv_ops-push", "", bundle.clone()).await;
    assert_eq!(r.status(), 200);
    let done: serde_json::Value = r.json().await.expect("json");
    assert_eq!(done["applied"], true);
    assert_eq!(production.get("/news/winners").await.status(), 200);
    // Again: nothing to do.
    let r = push("cnv_ops-push", "", bundle).await;
    let again: serde_json::Value = r.json().await.expect("json");
    assert_eq!(again["applied"], false);
}
