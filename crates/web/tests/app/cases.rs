//! 案件を探す: finding cases by Japanese words and facets, and each case's page.

use proptest::prelude::*;
use testkit::{TestApp, attrs, texts};

async fn app_with_cases() -> TestApp {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let mut cases: Vec<store::NewCase> = (1..=3).map(testkit::fixtures::case).collect();
    cases[1].title = "広報誌の印刷物製作".into();
    cases[1].description = "広報誌の企画、編集、印刷及び製本を行う。".into();
    cases[1].category = domain::Category::Goods;
    cases[1].organization_name = "東京都生活文化局".into();
    cases[2].title = "駐車場の清掃及び警備".into();
    cases[2].prefecture_code = Some(14);
    cases[2].organization_name = "横浜市".into();
    let mut draft = testkit::fixtures::case(4);
    draft.title = "下書きの清掃案件".into();
    draft.status = domain::CaseStatus::Draft;
    cases.push(draft);
    store.upsert_cases(&cases, 1_000).await.expect("cases");
    app.indexed().await;
    app
}

#[tokio::test]
async fn a_visitor_finds_cases_by_a_two_character_word_and_narrows_them() {
    let app = app_with_cases().await;
    let (status, page) = app.page("/cases?q=%E6%B8%85%E6%8E%83").await; // 清掃
    assert_eq!(status, 200);
    assert_eq!(texts(&page, "#results-title"), ["検索結果 2件"]);
    let titles = texts(&page, ".result__title a");
    assert!(
        titles.contains(&"庁舎清掃業務委託（その1）".to_owned()),
        "{titles:?}"
    );
    assert!(titles.contains(&"駐車場の清掃及び警備".to_owned()));
    assert!(
        !titles.iter().any(|t| t.contains("下書き")),
        "drafts are not public"
    );
    // The prefecture facet counts, and narrowing keeps the words.
    let prefectures = texts(&page, "fieldset:has(input[name=prefecture]) label");
    assert!(
        prefectures
            .iter()
            .any(|l| l.contains("神奈川県") && l.contains("（1）")),
        "{prefectures:?}"
    );
    let (_, narrowed) = app.page("/cases?q=%E6%B8%85%E6%8E%83&prefecture=14").await;
    assert_eq!(
        texts(&narrowed, ".result__title a"),
        ["駐車場の清掃及び警備"]
    );
    assert_eq!(
        attrs(&narrowed, "input[name=prefecture][checked]", "value"),
        ["14"]
    );
    assert_eq!(attrs(&narrowed, "#f-q", "value"), ["清掃"]);
}

#[tokio::test]
async fn a_case_page_shows_dates_in_japan_time_with_the_era_and_links_out() {
    let app = app_with_cases().await;
    let (_, list) = app.page("/cases?q=%E5%8D%B0%E5%88%B7").await; // 印刷
    let href = attrs(&list, ".result__title a", "href");
    assert_eq!(href.len(), 1);
    let (status, page) = app.page(&href[0]).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&page, "h1"), ["広報誌の印刷物製作"]);
    let facts = texts(&page, ".facts dd");
    assert!(
        facts
            .iter()
            .any(|f| f.contains("（令和") && f.contains("年）")),
        "{facts:?}"
    );
    assert!(facts.contains(&"東京都生活文化局".to_owned()));
    assert_eq!(
        attrs(&page, "a.button", "href"),
        ["https://www.kkj.go.jp/d/?D=2"]
    );
    assert!(
        texts(&page, "main")
            .join("")
            .contains("官公需情報ポータルサイト")
    );
}

#[tokio::test]
async fn cases_that_are_not_public_or_do_not_exist_are_404() {
    let app = app_with_cases().await;
    let draft_id = app
        .db
        .store()
        .cases_changed_since(0, 10)
        .await
        .unwrap()
        .iter()
        .find(|c| c.fields.source_key == "kkj-4")
        .unwrap()
        .id;
    assert_eq!(app.get(&format!("/cases/{draft_id}")).await.status(), 404);
    assert_eq!(app.get("/cases/999999").await.status(), 404);
    assert_eq!(app.get("/cases/not-a-number").await.status(), 404);
}

#[tokio::test]
async fn bad_search_parameters_get_a_clear_400() {
    let app = app_with_cases().await;
    let (status, page) = app.page("/cases?kind=spaceship").await;
    assert_eq!(status, 400);
    assert!(texts(&page, "main p")[0].contains("種類"));
    let (status, _) = app.page("/cases?page=0").await;
    assert_eq!(status, 400);
    let (status, _) = app.page("/cases?page=two").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_page_past_the_end_says_where_the_results_end_and_links_to_the_last_page() {
    let app = app_with_cases().await;
    // Two results, one per page: page 2 is the last.
    let (status, page) = app
        .page("/cases?q=%E6%B8%85%E6%8E%83&per_page=1&page=1")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        attrs(&page, ".pager a", "href"),
        [
            "/cases?q=%E6%B8%85%E6%8E%83&per_page=1",
            "/cases?q=%E6%B8%85%E6%8E%83&per_page=1&page=2",
            "/cases?q=%E6%B8%85%E6%8E%83&per_page=1&page=2"
        ]
    );
    for past in ["3", "100", "999", "18446744073709551615"] {
        let (status, page) = app
            .page(&format!(
                "/cases?q=%E6%B8%85%E6%8E%83&per_page=1&page={past}"
            ))
            .await;
        assert_eq!(status, 200, "page {past}");
        assert_eq!(texts(&page, "#results-title"), ["検索結果 2件"]);
        let said = texts(&page, ".search__results p").join(" ");
        assert!(said.contains("最後のページは2ページ"), "{said}");
        assert!(!said.contains("見つかりませんでした"), "{said}");
        assert_eq!(
            attrs(&page, ".search__results p a", "href")
                .last()
                .map(String::as_str),
            Some("/cases?q=%E6%B8%85%E6%8E%83&per_page=1&page=2")
        );
    }
}

#[tokio::test]
async fn the_results_come_before_the_filters_which_fold_into_a_disclosure() {
    let app = app_with_cases().await;
    let (_, page) = app.page("/cases?q=%E6%B8%85%E6%8E%83").await;
    // In reading order: the search box, the results, then the filters.
    let selector = testkit::Selector::parse("#f-q, .result__title a, .search__refine input")
        .expect("selector");
    let order: Vec<&str> = page
        .select(&selector)
        .map(|e| e.value().attr("name").unwrap_or("result"))
        .collect();
    assert_eq!(order[..3], ["q", "result", "result"], "{order:?}");
    assert!(order[3..].iter().all(|n| *n != "result"), "{order:?}");
    assert_eq!(texts(&page, "details.search__refine > summary").len(), 1);
    assert_eq!(attrs(&page, "details.search__refine", "open").len(), 0);
    // 絞り込む at the top of the filters and at the bottom.
    assert_eq!(
        texts(&page, ".search__facets button[type=submit]"),
        ["この条件で絞り込む", "この条件で絞り込む"]
    );
    // With a filter chosen, the disclosure starts open.
    let (_, narrowed) = app.page("/cases?q=%E6%B8%85%E6%8E%83&prefecture=14").await;
    assert_eq!(attrs(&narrowed, "details.search__refine", "open").len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn no_search_string_gets_a_server_error(q in "\\PC{0,300}|[\"\\- 　清掃印刷()*?]{0,40}") {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let app = TestApp::spawn().await;
            let r = app.client.get(app.url("/cases")).query(&[("q", q.as_str())]).send().await.unwrap();
            assert!(r.status() == 200 || r.status() == 400, "{} for {q:?}", r.status());
        });
    }
}

#[tokio::test]
async fn a_case_s_deadlines_download_as_a_calendar() {
    let app = app_with_cases().await;
    let (_, list) = app.page("/cases?q=%E5%8D%B0%E5%88%B7").await;
    let href = attrs(&list, ".result__title a", "href").remove(0);
    // Only dates still ahead are offered: move the fixture's dates a year on.
    let store = app.db.store();
    let id: i64 = href.rsplit('/').next().expect("id").parse().expect("id");
    let mut fields = store.case(id).await.expect("read").expect("case").fields;
    let now = web::auth::now_ms();
    let shift =
        (now - fields.application_deadline.expect("deadline")).max(0) + 365 * 24 * 3_600_000;
    for d in [
        &mut fields.application_deadline,
        &mut fields.submission_deadline,
        &mut fields.opening_at,
    ] {
        *d = d.map(|at| at + shift);
    }
    store.upsert_case(&fields, now).await.expect("dates ahead");
    let (_, page) = app.page(&href).await;
    let ics_href = attrs(&page, "a[download]", "href").remove(0);
    let r = app.get(&ics_href).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let body = r.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n") && body.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(
        body.matches("BEGIN:VEVENT").count(),
        3,
        "application, submission, opening"
    );
    let unfolded = body.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:【入札・提出の締切】広報誌の印刷物製作"),
        "{unfolded}"
    );
    assert!(body.lines().all(|l| l.len() <= 76), "folded at 75 octets");
}

#[tokio::test]
async fn any_search_is_an_atom_feed() {
    let app = app_with_cases().await;
    let (_, page) = app.page("/cases?q=%E6%B8%85%E6%8E%83").await;
    let feed_href = attrs(&page, "a[type='application/atom+xml']", "href").remove(0);
    assert!(feed_href.starts_with("/cases/feed.atom?q="), "{feed_href}");
    let r = app.get(&feed_href).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let body = r.text().await.unwrap();
    assert!(body.starts_with("<?xml"));
    assert_eq!(body.matches("<entry>").count(), 2);
    assert!(body.contains("<title>駐車場の清掃及び警備</title>"));
    assert!(!body.contains("下書き"));
}

/// A case written by anything but the importers (which refuse them) with
/// links of every unsafe scheme: none becomes a link on the page, in the API
/// or in the OCDS export.
#[tokio::test]
async fn links_other_than_http_and_https_are_never_links_on_the_page_in_the_api_or_the_export() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let mut c = testkit::fixtures::case(1);
    c.source_url = Some("javascript:alert(document.cookie)".into());
    c.documents = vec![
        (
            "仕様書".into(),
            "https://www.city.example.jp/spec.pdf".into(),
        ),
        ("罠".into(), "javascript:alert(1)".into()),
        (
            "データ".into(),
            "data:text/html,<script>alert(1)</script>".into(),
        ),
        ("別サイト".into(), "//evil.example/x".into()),
        (
            "偽ホスト".into(),
            "https://www.city.example.jp@evil.example/".into(),
        ),
    ];
    let id = store.upsert_case(&c, 1_000).await.expect("case").id();
    let (status, page) = app.page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    let hrefs = attrs(&page, "main a", "href");
    assert!(
        hrefs
            .iter()
            .all(|h| h.starts_with('/') && !h.starts_with("//")
                || h.starts_with("https://www.city.example.jp/spec")),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"https://www.city.example.jp/spec.pdf".to_owned()));
    let listed = texts(&page, ".links li");
    assert_eq!(
        listed.len(),
        5,
        "every document is still listed: {listed:?}"
    );
    assert!(listed[1].starts_with("罠"), "{listed:?}");

    let api: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(api["source_url"], serde_json::Value::Null);
    let urls: Vec<&serde_json::Value> = api["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| &d["url"])
        .collect();
    assert_eq!(urls[0], "https://www.city.example.jp/spec.pdf");
    assert!(urls[1..].iter().all(|u| u.is_null()), "{urls:?}");

    let case = store.case(id).await.expect("read").expect("case");
    let release = import::ocds_export::release(&case, &[], "https://navi.example.jp", None);
    let text = release.to_string();
    for bad in ["javascript:", "data:", "//evil.example", "@evil.example"] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
}
