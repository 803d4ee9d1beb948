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
    // The top page's answers after the first came from the render cache,
    // counted the same; the cache tells how much it keeps and its bound.
    let kept: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("chance_navi_page_cache_bytes "))
        .and_then(|v| v.parse().ok())
        .expect("the cache's bytes");
    assert!(kept > 0.0, "{text}");
    assert!(text.contains("chance_navi_page_cache_limit_bytes 67108864\n"));
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

/// GET `path` with `cookie` (or none) and return the status.
async fn status_as(app: &TestApp, path: &str, cookie: Option<&str>) -> u16 {
    let mut r = app.client.get(app.url(path));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn metrics_and_import_health_are_for_operations_and_the_monitoring_network_only() {
    use domain::Role;
    use testkit::people::{person, session};
    // No monitoring network: only the operations role and administrators.
    let settings = web::WebSettings {
        metrics_from: Vec::new(),
        ..web::WebSettings::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, web::routes(), settings).await;
    let store = app.db.store();
    for (p, path) in ["/metrics", "/healthz/imports"].into_iter().enumerate() {
        let p = p as u32 * 100;
        assert_eq!(
            status_as(&app, path, None).await,
            403,
            "{path} for a visitor"
        );
        for (n, role) in [Role::ReceivingCompany, Role::Operator, Role::OrgStaff]
            .into_iter()
            .enumerate()
        {
            let s = session(store, person(store, role, p + n as u32 + 10).await).await;
            assert_eq!(
                status_as(&app, path, Some(&s.cookie)).await,
                403,
                "{path} for {role:?}"
            );
        }
        for (n, role) in [Role::Ops, Role::Admin].into_iter().enumerate() {
            let s = session(store, person(store, role, p + n as u32 + 20).await).await;
            assert_eq!(
                status_as(&app, path, Some(&s.cookie)).await,
                200,
                "{path} for {role:?}"
            );
        }
    }
    // A bid's answers are counted in /metrics: a visitor must not read them.
    let body = app.get("/metrics").await.text().await.unwrap();
    assert!(!body.contains("http_requests_total"));
    app.shutdown().await;

    // The monitoring network (loopback here, the default) reads them without signing in.
    let app = TestApp::spawn().await;
    assert_eq!(status_as(&app, "/metrics", None).await, 200);
    // A forged X-Forwarded-For does not move a client into or out of it.
    let r = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the peer is not a trusted proxy: its header is ignored"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_judged() {
    let settings = web::WebSettings {
        trusted_proxies: vec![domain::net::Network::parse("127.0.0.1").unwrap()],
        ..web::WebSettings::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, web::routes(), settings).await;
    let from = |xff: &'static str| {
        app.client
            .get(app.url("/metrics"))
            .header("x-forwarded-for", xff)
            .send()
    };
    assert_eq!(from("203.0.113.9").await.unwrap().status(), 403);
    assert_eq!(
        from("203.0.113.9, 127.0.0.5").await.unwrap().status(),
        200,
        "127.0.0.5 is the nearest untrusted hop, inside the monitoring network"
    );
    assert_eq!(
        from("127.0.0.9, 203.0.113.9").await.unwrap().status(),
        403,
        "a spoofed leftmost entry is not believed"
    );
    app.shutdown().await;
}

async fn import_failures_are_visible(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    let now = domain::time::jst_to_ms(2026, 12, 1, 9, 0);
    let ok = store
        .start_import_run("kkj", "test", now)
        .await
        .expect("import health");
    store
        .finish_import_run(ok, &store::RunCounts::default(), None, now)
        .await
        .expect("import health");
    let r = app.get("/healthz/imports").await;
    assert_eq!(r.status(), 200);
    let failed = store
        .start_import_run("kkj", "test", now + 1)
        .await
        .expect("import health");
    store
        .finish_import_run(
            failed,
            &store::RunCounts::default(),
            Some("取り込みの途中で内部エラーが起きたため、この回を中止しました"),
            now + 2,
        )
        .await
        .expect("import health");
    let r = app.get("/healthz/imports").await;
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.expect("import health");
    assert_eq!(body["status"], "failing");
    assert_eq!(body["sources"][0]["source"], "kkj");
    assert_eq!(body["sources"][0]["failing"], true);
    assert!(
        body["sources"][0]["newest_run"]["error"]
            .as_str()
            .expect("import health")
            .contains("内部エラー")
    );
    assert!(body["sources"][0]["last_success_at"].is_string());
    let metrics = app
        .get("/metrics")
        .await
        .text()
        .await
        .expect("import health");
    assert!(
        metrics.contains("chance_navi_import_failing{source=\"kkj\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("chance_navi_import_last_success_timestamp_seconds{source=\"kkj\"}"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_failed_import_shows_in_the_health_check_and_metrics_on_sqlite() {
    import_failures_are_visible(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_failed_import_shows_in_the_health_check_and_metrics_on_postgres() {
    import_failures_are_visible(Backend::Postgres).await;
}
