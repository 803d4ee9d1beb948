//! `chance-navi content …` as an operator runs it: export on a staging data
//! directory, push to a production server with an operations token (plan,
//! then apply), and the refusals said in Japanese with a failing exit.

use domain::Role;
use testkit::TestApp;

use crate::chance_navi;

/// The key every test portal signs bundles with, as a key file.
fn key_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bundle.key");
    std::fs::write(&path, format!("{}\n", "5a".repeat(32))).expect("key file");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staging_bundle_is_exported_and_pushed_to_production_with_an_operations_token() {
    let dir = tempfile::tempdir().expect("dir");
    let staging = dir.path().join("staging");
    let key = key_file(dir.path());
    let bundle = dir.path().join("content.cnb");
    let out = chance_navi()
        .arg("--data-dir")
        .arg(&staging)
        .arg("demo")
        .output()
        .expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = chance_navi()
        .arg("--data-dir")
        .arg(&staging)
        .arg("--bundle-key-file")
        .arg(&key)
        .args(["content", "export", "--output"])
        .arg(&bundle)
        .output()
        .expect("export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("items"));

    let production = TestApp::spawn().await;
    let (_, ops) = production.signed_in(Role::Ops, 1).await;
    production
        .db
        .store()
        .create_api_token(
            ops,
            "ステージング",
            &domain::audit::token_hash("cnv_push-token"),
            &store::Actor::cli("test"),
            web::auth::now_ms(),
        )
        .await
        .expect("token");
    let base = production.url("");
    let push = |token: &str, extra: &[&str]| {
        chance_navi()
            .env("CHANCE_NAVI_PUSH_TOKEN", token)
            .args(["content", "push"])
            .arg(&bundle)
            .args(["--to", base.trim_end_matches('/')])
            .args(extra)
            .output()
            .expect("push")
    };
    let out = tokio::task::block_in_place(|| push("cnv_push-token", &["--dry-run"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("dry run"));
    assert_eq!(production.get("/project").await.status(), 404);

    let out = tokio::task::block_in_place(|| push("cnv_wrong-token", &[]));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("APIトークンが無効です"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = tokio::task::block_in_place(|| push("cnv_push-token", &[]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("applied"));
    assert_eq!(production.get("/project").await.status(), 200);

    // Another installation with another key refuses it, saying why.
    let other = dir.path().join("other");
    let out = chance_navi()
        .arg("--data-dir")
        .arg(&other)
        .args(["content", "import", "--dry-run"])
        .arg(&bundle)
        .output()
        .expect("import");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("別の鍵で署名されています"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
