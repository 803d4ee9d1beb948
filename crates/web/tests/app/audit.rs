//! The public page of audit checkpoints and its JSON form.

use domain::audit::CheckpointDocument;
use store::{Actor, NewAuditEntry};
use testkit::{Backend, TestApp, attrs, texts};

async fn checkpoints_are_published_with_the_key_and_nothing_personal(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    let (page_status, empty) = app.page("/audit/checkpoints").await;
    assert_eq!(page_status, 200);
    assert_eq!(
        texts(&empty, "main p").last().map(String::as_str),
        Some("まだチェックポイントはありません。")
    );

    let actor = Actor {
        user_id: Some(7),
        label: "運営者 山田花子".into(),
        ip: Some("198.51.100.23".into()),
    };
    for n in 1..=3 {
        store
            .append_audit(&NewAuditEntry {
                at: 1_700_000_000_000 + n,
                actor: &actor,
                action: "company.approve",
                target_type: "company",
                target_id: &n.to_string(),
                detail: "株式会社テスト 承認",
            })
            .await
            .expect("as the test set it up");
        store
            .make_audit_checkpoint(1_700_000_100_000 + n)
            .await
            .expect("as the test set it up");
    }

    // Anyone, signed in or not, without JavaScript: a table of hashes.
    let response = app.get("/audit/checkpoints").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"]
            .to_str()
            .expect("as the test set it up"),
        "public, max-age=60"
    );
    let body = response.text().await.expect("as the test set it up");
    for personal in [
        "山田花子",
        "198.51.100.23",
        "株式会社テスト",
        "company.approve",
    ] {
        assert!(!body.contains(personal), "{personal} is on the public page");
    }
    let html = testkit::Html::parse_document(&body);
    assert_eq!(texts(&html, "h1"), ["監査ログのチェックポイント"]);
    let public_key = store
        .audit_public_key()
        .expect("as the test set it up")
        .to_hex();
    assert!(texts(&html, "dl.facts dd").contains(&public_key));
    assert_eq!(
        texts(&html, "ol.results > li h3").len(),
        3,
        "one section per checkpoint"
    );
    let seqs: Vec<String> = texts(&html, "ol.results dl.facts")
        .iter()
        .map(|t| t.split_whitespace().nth(1).unwrap_or_default().to_owned())
        .collect();
    assert_eq!(seqs, ["3", "2", "1"], "newest first");
    let newest = store
        .audit_checkpoints(1)
        .await
        .expect("as the test set it up")
        .remove(0);
    let first = texts(&html, "ol.results > li:first-child dd code");
    assert_eq!(first, [newest.head_hash.clone(), newest.signature.clone()]);
    assert_eq!(
        attrs(&html, "a[href='/audit/checkpoints.json']", "href").len(),
        1
    );

    // The same list as JSON, which reads back into checkpoints this key signed.
    let response = app.get("/audit/checkpoints.json").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("as the test set it up")
            .starts_with("application/json")
    );
    let body = response.text().await.expect("as the test set it up");
    assert!(!body.contains("198.51.100.23") && !body.contains("山田花子"));
    let doc: CheckpointDocument = serde_json::from_str(&body).expect("as the test set it up");
    assert_eq!(doc.public_key, public_key);
    let (key, checkpoints) = doc.read().expect("as the test set it up");
    assert_eq!(
        checkpoints.iter().map(|c| c.seq).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(checkpoints.iter().all(|c| key.verifies(c)));
    assert_eq!(
        checkpoints,
        store
            .audit_checkpoints(0)
            .await
            .expect("as the test set it up")
    );
    app.shutdown().await;
}

#[tokio::test]
async fn checkpoints_are_published_on_sqlite() {
    checkpoints_are_published_with_the_key_and_nothing_personal(Backend::Sqlite).await;
}

#[tokio::test]
async fn checkpoints_are_published_on_postgres() {
    checkpoints_are_published_with_the_key_and_nothing_personal(Backend::Postgres).await;
}
