use std::time::Duration;

use axum::routing::{get, post};
use testkit::{Backend, TestApp, texts};

#[tokio::test]
async fn an_unknown_page_gets_the_japanese_404_page() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/cases/does-not-exist?x=1").await;
    assert_eq!(status, 404);
    assert_eq!(texts(&html, "h1"), ["ページが見つかりません"]);
    assert_eq!(
        texts(&html, "title"),
        ["ページが見つかりません｜ビジネスチャンス・ナビ"]
    );
    assert!(texts(&html, "main a").contains(&"トップページへ戻る".to_owned()));
}

#[tokio::test]
async fn an_unknown_api_path_gets_a_json_error_with_code_and_message() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ページ")
    );
}

#[tokio::test]
async fn a_panicking_handler_gets_the_japanese_500_page_and_the_server_lives_on() {
    let routes = web::routes().route(
        "/boom",
        get(|| async {
            if true {
                panic!("deliberate test panic");
            }
            "unreachable"
        }),
    );
    let app = TestApp::spawn_with(Backend::Sqlite, routes, web::WebSettings::default()).await;
    let (status, html) = app.page("/boom").await;
    assert_eq!(status, 500);
    assert_eq!(texts(&html, "h1"), ["システムエラーが発生しました"]);
    let body = html.html();
    assert!(!body.contains("deliberate"), "the cause is not shown");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn an_internal_error_shows_none_of_its_cause() {
    let routes = web::routes().route(
        "/fails",
        get(|| async {
            Err::<&str, _>(web::WebError::internal(std::io::Error::other(
                "secret detail of the failure",
            )))
        }),
    );
    let app = TestApp::spawn_with(Backend::Sqlite, routes, web::WebSettings::default()).await;
    let response = app.get("/fails").await;
    assert_eq!(response.status(), 500);
    assert!(!response.text().await.unwrap().contains("secret detail"));
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_cut_off_with_a_japanese_503() {
    let routes = web::routes().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }),
    );
    let settings = web::WebSettings {
        request_timeout: Duration::from_millis(200),
        ..Default::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, routes, settings).await;
    let (status, html) = app.page("/slow").await;
    assert_eq!(status, 503);
    assert_eq!(texts(&html, "h1"), ["ただいま処理できません"]);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_in_japanese() {
    let routes = web::routes().route("/echo", post(|body: String| async move { body }));
    let settings = web::WebSettings {
        max_body_bytes: 1024,
        ..Default::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, routes, settings).await;
    let ok = app
        .client
        .post(app.url("/echo"))
        .body("x".repeat(1000))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let too_big = app
        .client
        .post(app.url("/echo"))
        .body("x".repeat(5000))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    let html = testkit::Html::parse_document(&too_big.text().await.unwrap());
    assert_eq!(texts(&html, "h1"), ["送信されたデータが大きすぎます"]);
}

#[tokio::test]
async fn a_wrong_method_gets_405_with_the_allow_header_kept() {
    let app = TestApp::spawn().await;
    let response = app.client.delete(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
    let html = testkit::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(texts(&html, "h1"), ["この操作は受け付けられません"]);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_with_a_japanese_403() {
    let routes = web::routes().route("/form", post(|| async { "accepted" }));
    let app = TestApp::spawn_with(Backend::Sqlite, routes, web::WebSettings::default()).await;
    let response = app
        .client
        .post(app.url("/form"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let html = testkit::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(texts(&html, "h1"), ["このページは表示できません"]);
    let same_origin = app
        .client
        .post(app.url("/form"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 200);
}
