use testkit::{Backend, TestApp};

async fn probes_answer(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["engine"], expected);
    assert_eq!(app.get("/").await.status(), 200);
    app.shutdown().await;
}

#[tokio::test]
async fn health_readiness_and_top_page_answer_on_sqlite() {
    probes_answer(Backend::Sqlite).await;
}

#[tokio::test]
async fn health_readiness_and_top_page_answer_on_postgres() {
    probes_answer(Backend::Postgres).await;
}

#[tokio::test]
async fn readiness_fails_with_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.store().close().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_ne!(body["checks"]["database"], "ok");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_per_route_template_with_latency_histograms() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.get("/").await;
    }
    app.get("/no/such/page/123").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 3\n"),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_count{method=\"GET\",route=\"/\"} 3\n"));
    assert!(text.contains(
        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"} 3\n"
    ));
    // A missing page is counted without its path, so paths cannot flood the label set.
    assert!(text.contains("route=\"unmatched\",status=\"404\"} 1\n"));
    assert!(!text.contains("/no/such/page"));
    // Every sample line is `name{labels} value` or `name value`, under a TYPE line.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').expect("sample has a value");
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("numeric value: {line}"));
    }
}
