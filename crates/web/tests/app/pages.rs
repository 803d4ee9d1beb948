use testkit::{Html, TestApp, attrs, texts};

#[tokio::test]
async fn the_top_page_says_what_the_portal_is_for_in_japanese() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    assert_eq!(attrs(&html, "html", "lang"), ["ja"]);
    let h1 = texts(&html, "h1");
    assert_eq!(h1.len(), 1, "one h1: {h1:?}");
    assert!(h1[0].contains("中小企業"));
    assert_eq!(texts(&html, "title"), ["ビジネスチャンス・ナビ"]);
    let sections = texts(&html, "main h2");
    assert!(
        sections.contains(&"このサイトでできること".to_owned()),
        "{sections:?}"
    );
    assert!(texts(&html, "main .card").len() >= 4);
}

#[tokio::test]
async fn every_page_has_the_skip_link_header_navigation_and_footer() {
    let app = TestApp::spawn().await;
    for path in ["/", "/no-such-page"] {
        let (_, html) = app.page(path).await;
        assert_eq!(
            attrs(&html, "body > a.skip-link", "href"),
            ["#main"],
            "{path}"
        );
        assert_eq!(attrs(&html, "main", "id"), ["main"], "{path}");
        assert_eq!(
            texts(&html, "header nav[aria-label] a"),
            ["案件を探す", "お知らせ", "利用申請", "ログイン"],
            "{path}"
        );
        assert_eq!(
            texts(&html, "header .site-name"),
            ["ビジネスチャンス・ナビ"]
        );
        assert_eq!(texts(&html, "footer").len(), 1, "{path}");
        assert_eq!(
            texts(&html, "footer nav a"),
            [
                "利用規約",
                "プライバシーポリシー",
                "お問い合わせ",
                "サイトマップ"
            ],
            "{path}"
        );
        assert!(
            texts(&html, "footer .site-footer__contact")[0].contains("受付時間"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn signed_in_people_see_their_home_instead_of_the_ways_in_on_every_page() {
    let app = TestApp::spawn().await;
    let (user, _) = app.signed_in(domain::Role::ReceivingCompany, 1).await;
    for path in ["/", "/cases", "/terms"] {
        let body = user.get(app.url(path)).send().await.expect("page");
        let html = Html::parse_document(&body.text().await.expect("body"));
        assert_eq!(
            texts(&html, "header nav[aria-label] a"),
            ["案件を探す", "お知らせ", "マイページ"],
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_terms_privacy_contact_and_site_map_pages_exist_and_link_only_to_pages_that_do() {
    let app = TestApp::spawn().await;
    for (path, h1) in [
        ("/terms", "利用規約"),
        ("/privacy", "プライバシーポリシー"),
        ("/contact", "お問い合わせ"),
        ("/sitemap", "サイトマップ"),
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(texts(&html, "h1"), [h1], "{path}");
    }
    let (_, terms) = app.page("/terms").await;
    assert!(texts(&terms, "main .meta")[0].contains(web::site::TERMS_VERSION_LABEL));
    // Every entry of the site map is a page (signed-in pages send visitors to sign in).
    let (_, map) = app.page("/sitemap").await;
    let hrefs = attrs(&map, "main a", "href");
    assert!(hrefs.len() >= 15, "{hrefs:?}");
    for href in hrefs {
        let status = app.get(&href).await.status();
        assert!(status == 200 || status == 303, "{href}: {status}");
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_site_itself_and_cached_for_good() {
    let app = TestApp::spawn().await;
    let (_, html) = app.page("/").await;
    let hrefs = attrs(&html, "link[rel=stylesheet]", "href");
    assert_eq!(hrefs.len(), 1);
    assert!(
        hrefs[0].starts_with("/assets/"),
        "local stylesheet: {hrefs:?}"
    );
    let css = app.get(&hrefs[0]).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let plain = css.text().await.unwrap();
    assert!(plain.contains(".skip-link"));
    // Compressed once, ahead of time, for those who accept gzip.
    let packed = app
        .client
        .get(app.url(&hrefs[0]))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(packed.headers()["content-encoding"], "gzip");
    let packed = packed.bytes().await.unwrap();
    assert!(
        packed.len() < plain.len() / 2,
        "{} of {}",
        packed.len(),
        plain.len()
    );
    let mut unpacked = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, plain);
    // Old or made-up names are not served.
    assert_eq!(
        app.get("/assets/site-0000000000000000.css").await.status(),
        404
    );
    // Nothing on the page is loaded from another origin.
    for attr in ["src", "href"] {
        for value in attrs(&html, &format!("[{attr}]"), attr) {
            assert!(
                !value.starts_with("http") && !value.starts_with("//"),
                "{value}"
            );
        }
    }
}
