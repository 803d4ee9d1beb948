use std::time::Duration;

use axum::routing::get;
use testkit::{Backend, TestApp};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    // "/" twice: the second answer comes from the render cache, early.
    for path in ["/", "/", "/nope", "/healthz", "/api/v1/nope"] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
}

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_gzip() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    let routes = web::routes().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            "finished"
        }),
    );
    let mut app = TestApp::spawn_with(Backend::Sqlite, routes, web::WebSettings::default()).await;
    let request = tokio::spawn(app.client.get(app.url("/slow")).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let server = app.begin_shutdown();
    let response = request
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops after the request")
        .unwrap()
        .unwrap();
    // New connections are no longer accepted.
    assert!(app.client.get(app.url("/healthz")).send().await.is_err());
}

#[tokio::test]
async fn pages_for_a_signed_in_user_are_never_cached_and_https_gets_hsts() {
    let app = TestApp::spawn().await;
    let id = testkit::people::person(app.db.store(), domain::Role::ReceivingCompany, 1)
        .await
        .unwrap();
    let s = testkit::people::session(app.db.store(), Some(id)).await;
    let r = app
        .client
        .get(app.url("/mypage"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    assert!(
        !r.headers().contains_key("strict-transport-security"),
        "plain http"
    );
    let settings = web::WebSettings {
        secure_cookies: true,
        ..Default::default()
    };
    let tls = TestApp::spawn_with(Backend::Sqlite, web::routes(), settings).await;
    let r = tls.get("/").await;
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn an_anonymous_page_without_a_form_sets_no_cookie_and_a_form_page_sets_the_csrf_cookie() {
    let app = TestApp::spawn().await;
    let id = app.public_case(1).await;
    for path in ["/".to_owned(), "/cases".to_owned(), format!("/cases/{id}")] {
        let r = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers().get("set-cookie").is_none(),
            "{path} set {:?}",
            r.headers().get("set-cookie")
        );
    }
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("cn_csrf="), "{cookie}");
    // The token the form shows is the cookie's, and a second form page
    // keeps it (no new cookie).
    let token = cookie["cn_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body = r.text().await.unwrap();
    assert!(body.contains(&token));
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains(&token));
}
