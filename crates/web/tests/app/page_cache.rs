//! The render cache: visitors are served pages rendered once, and never a
//! page from before a committed change, nor anyone else's page.

use testkit::{Backend, TestApp};

const PAGES: usize = 4;

/// The case page, a search that finds it, and the API's two reads of it.
fn paths(id: i64) -> [String; PAGES] {
    [
        format!("/cases/{id}"),
        "/cases?q=%E6%B8%85%E6%8E%83".to_owned(), // 清掃
        format!("/api/v1/cases/{id}"),
        "/api/v1/cases?q=%E6%B8%85%E6%8E%83".to_owned(),
    ]
}

async fn body(app: &TestApp, path: &str) -> String {
    let r = app.client.get(app.url(path)).send().await.expect("request");
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.expect("body")
}

/// Every commit — by this node's store or by another node's (a second store
/// on the same database) — shows on the next request to every page, however
/// quickly it follows, while the pages before it were served from the cache.
async fn a_committed_change_is_never_hidden(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let here = app.db.store().clone();
    let other_node = testkit::connect(app.db.target()).await;
    let id = app.public_case(1).await;
    for path in paths(id) {
        assert!(
            body(&app, &path)
                .await
                .contains("庁舎清掃業務委託（その1）"),
            "{path}"
        );
    }
    assert!(app.state.pages.bytes() > 0, "the pages were kept");
    for round in 0..12 {
        let title = format!("庁舎清掃業務委託（第{round}回の変更）");
        let mut c = testkit::fixtures::case(1);
        c.title = title.clone();
        let store = if round % 2 == 0 { &here } else { &other_node };
        store
            .upsert_cases(&[c], 2_000 + round)
            .await
            .expect("change");
        // No wait: the very next request must show it.
        for path in paths(id) {
            let text = body(&app, &path).await;
            assert!(text.contains(&title), "round {round}: {path} is stale");
            // And again, now from the cache.
            assert!(body(&app, &path).await.contains(&title), "{path}");
        }
    }
    other_node.close().await;
}

#[tokio::test]
async fn a_committed_change_is_never_hidden_by_the_cache_on_sqlite() {
    a_committed_change_is_never_hidden(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_committed_change_is_never_hidden_by_the_cache_on_postgres() {
    a_committed_change_is_never_hidden(Backend::Postgres).await;
}

/// A signed-in user's page is never kept, and a visitor never gets it: the
/// same address, in turns, always shows each their own header.
async fn each_viewer_sees_their_own_page(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let id = app.public_case(1).await;
    let (company, _) = app.signed_in(domain::Role::ReceivingCompany, 1).await;
    // The signed-in header: the way to the user's own page, and signing out.
    let own = ["href=\"/mypage\"", "ログアウト"];
    let visitor = TestApp::new_client();
    for path in ["/".to_owned(), format!("/cases/{id}"), "/cases".to_owned()] {
        for _ in 0..2 {
            let r = visitor.get(app.url(&path)).send().await.expect("request");
            assert_eq!(r.headers()["cache-control"], "public, no-cache", "{path}");
            let text = r.text().await.expect("body");
            assert!(!own.iter().any(|m| text.contains(m)), "{path}");
            let r = company.get(app.url(&path)).send().await.expect("request");
            assert_eq!(r.headers()["cache-control"], "private, no-store", "{path}");
            assert!(r.headers().get("etag").is_none(), "{path}");
            let text = r.text().await.expect("body");
            assert!(own.iter().all(|m| text.contains(m)), "{path}");
        }
    }
}

#[tokio::test]
async fn one_users_page_is_never_served_to_another_on_sqlite() {
    each_viewer_sees_their_own_page(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_users_page_is_never_served_to_another_on_postgres() {
    each_viewer_sees_their_own_page(Backend::Postgres).await;
}

#[tokio::test]
async fn a_client_that_has_the_page_is_answered_304_until_it_changes_and_gzip_is_negotiated() {
    let app = TestApp::spawn().await;
    let id = app.public_case(1).await;
    for path in paths(id) {
        let r = app
            .client
            .get(app.url(&path))
            .send()
            .await
            .expect("request");
        let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
        let modified = r.headers()["last-modified"]
            .to_str()
            .expect("date")
            .to_owned();
        let plain = r.bytes().await.expect("body");
        let again = |name: &'static str, value: String| {
            app.client.get(app.url(&path)).header(name, value).send()
        };
        let r = again("if-none-match", etag.clone()).await.expect("request");
        assert_eq!(r.status(), 304, "{path}");
        assert!(r.bytes().await.expect("body").is_empty());
        let r = again("if-modified-since", modified.clone())
            .await
            .expect("request");
        assert_eq!(r.status(), 304, "{path}");
        // Compressed, once, and the same bytes.
        let r = again("accept-encoding", "gzip".to_owned())
            .await
            .expect("request");
        assert_eq!(r.headers()["content-encoding"], "gzip", "{path}");
        assert!(
            r.headers()["vary"]
                .to_str()
                .expect("vary")
                .contains("Accept-Encoding")
        );
        let packed = r.bytes().await.expect("body");
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .expect("gzip");
        assert_eq!(unpacked, plain.to_vec(), "{path}");
    }
    // A change: the old tag no longer matches.
    let page = format!("/cases/{id}");
    let r = app
        .client
        .get(app.url(&page))
        .send()
        .await
        .expect("request");
    let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
    let mut c = testkit::fixtures::case(1);
    c.title = "庁舎清掃業務委託（変更）".into();
    app.db
        .store()
        .upsert_cases(&[c], 2_000)
        .await
        .expect("change");
    let r = app
        .client
        .get(app.url(&page))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("body").contains("（変更）"));
}

/// A page larger than the cache keeps is answered in full, every time.
#[tokio::test]
async fn a_page_too_large_to_keep_is_answered_in_full() {
    let big = "案".repeat(1_000_000); // 3 MB of UTF-8
    let page = big.clone();
    let routes = web::routes().route(
        "/big",
        axum::routing::get(move || {
            let page = page.clone();
            async move { page }
        })
        .layer(axum::middleware::from_fn(web::page_cache::serve)),
    );
    let app = TestApp::spawn_with(Backend::Sqlite, routes, web::WebSettings::default()).await;
    for _ in 0..2 {
        let r = app
            .client
            .get(app.url("/big"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.expect("body"), big);
    }
    assert_eq!(app.state.pages.bytes(), 0, "nothing kept");
}
