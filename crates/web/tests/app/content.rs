//! Site content: authoring with a preview, publication by the clock, the
//! page tree at its addresses, revisions, and what visitors see.

use domain::Role;
use store::{Actor, ContentSave, ContentState};
use testkit::{Backend, Html, Selector, TestApp, attrs, texts};

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

async fn html(r: reqwest::Response) -> Html {
    Html::parse_document(&r.text().await.expect("body"))
}

/// The fields of a post's form.
fn post_form<'a>(
    title: &'a str,
    slug: &'a str,
    body: &'a str,
    status: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        ("category", "fair"),
        ("tags", "商談会、東京"),
        ("summary", ""),
        ("body", body),
        ("event_starts_at", "2027-02-18 10:00"),
        ("event_ends_at", "2027-02-19 17:00"),
        ("venue", "東京ビッグサイト 東1ホール"),
        ("apply_until", ""),
        ("division", ""),
        ("status", status),
        ("publish_at", ""),
    ]
}

fn state(
    kind: &str,
    slug: &str,
    status: &str,
    at: Option<i64>,
    parent: Option<i64>,
) -> ContentState {
    ContentState {
        kind: kind.into(),
        parent_id: parent,
        slug: slug.into(),
        sort_order: 0,
        title: format!("{slug} の見出し"),
        body: "本文".into(),
        summary: None,
        category: (kind == "post").then(|| "news".to_owned()),
        tags: Vec::new(),
        status: status.into(),
        published_at: at,
        event: None,
        division: None,
        help_key: None,
    }
}

async fn saved(app: &TestApp, s: &ContentState) -> store::ContentItem {
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
}

#[tokio::test]
async fn an_operator_previews_then_publishes_a_post_that_visitors_read_with_its_event() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let body = "# 開催概要\n\n商談会を同時開催します。<script>alert(1)</script>\n\n[危ない](javascript:alert(1))";
    let mut fields = post_form(
        "ビジネスフロンティア・フェア2027",
        "ＦＡＩＲ-2027",
        body,
        "published",
    );
    fields.push(("intent", "preview"));
    let r = app
        .submit(
            &operator,
            "/admin/content/new/post",
            "/admin/content/new/post",
            &fields,
        )
        .await;
    assert_eq!(r.status(), 200);
    let page = html(r).await;
    assert_eq!(
        texts(&page, ".preview h2:not(#preview-title)"),
        ["開催概要"]
    );
    assert!(
        texts(&page, ".preview .content__body")
            .concat()
            .contains("<script>alert(1)</script>")
    );
    assert!(
        page.select(&scraper_selector(".preview .content__body script"))
            .next()
            .is_none()
    );
    assert!(
        texts(&page, ".notice li")
            .concat()
            .contains("リンクを外しました")
    );
    // Nothing was saved by the preview.
    assert_eq!(app.get("/news/fair-2027").await.status(), 404);

    let mut fields = post_form(
        "ビジネスフロンティア・フェア2027",
        "ＦＡＩＲ-2027",
        body,
        "published",
    );
    fields.push(("intent", "save"));
    let r = app
        .submit(
            &operator,
            "/admin/content/new/post",
            "/admin/content/new/post",
            &fields,
        )
        .await;
    assert_eq!(r.status(), 303, "saved and sent to the edit page");
    assert!(location(&r).starts_with("/admin/content/"));

    let (status, post) = app.page("/news/fair-2027").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&post, "h1"), ["ビジネスフロンティア・フェア2027"]);
    assert_eq!(
        attrs(&post, "link[rel=canonical]", "href"),
        [app.state.settings.public_url.clone() + "/news/fair-2027"]
    );
    assert_eq!(
        attrs(&post, "meta[property='og:title']", "content"),
        ["ビジネスフロンティア・フェア2027"]
    );
    assert!(
        texts(&post, ".facts dd")
            .concat()
            .contains("東京ビッグサイト")
    );
    assert!(
        post.select(&scraper_selector(".content__body a"))
            .next()
            .is_none(),
        "the unsafe link is gone"
    );
    let (_, list) = app.page("/news/category/fair").await;
    assert_eq!(
        attrs(&list, ".result__title a", "href"),
        ["/news/fair-2027"]
    );

    let ics = app.get("/news/fair-2027/event.ics").await;
    assert_eq!(ics.status(), 200);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/calendar")
    );
    let text = ics.text().await.expect("body").replace("\r\n ", "");
    assert!(text.contains("DTSTART:20270218T010000Z"), "{text}");
    assert!(text.contains("SUMMARY:ビジネスフロンティア・フェア2027"));
}

fn scraper_selector(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

/// A post scheduled a moment ahead is not shown, nor listed, before its
/// time, and is from then on — with nothing run in between, and the
/// list kept by the render cache meanwhile.
async fn a_scheduled_post_appears_on_time_with_no_job(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    saved(
        &app,
        &state(
            "post",
            "earlier",
            "published",
            Some(web::auth::now_ms() - 1000),
            None,
        ),
    )
    .await;
    let due = web::auth::now_ms() + 1_500;
    saved(
        &app,
        &state("post", "due-soon", "scheduled", Some(due), None),
    )
    .await;
    // Asked for again and again up to the moment it is due: the list is
    // rendered anew each second and kept in between.
    while web::auth::now_ms() < due - 60 {
        assert_eq!(app.get("/news/due-soon").await.status(), 404);
        let (_, list) = app.page("/news").await;
        assert_eq!(attrs(&list, ".result__title a", "href"), ["/news/earlier"]);
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    assert!(app.state.pages.bytes() > 0, "the list was kept");
    let wait = due - web::auth::now_ms();
    if wait >= 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait as u64 + 5)).await;
    }
    assert_eq!(app.get("/news/due-soon").await.status(), 200);
    let (_, list) = app.page("/news").await;
    assert_eq!(
        attrs(&list, ".result__title a", "href"),
        ["/news/due-soon", "/news/earlier"]
    );
    // Its form now says 公開 (saving it as 予約 for a time gone by would be
    // refused), and saving it unchanged keeps it public.
    let (admin, _) = app.signed_in(Role::Admin, 1).await;
    let id = app
        .db
        .store()
        .content_at("/news/due-soon")
        .await
        .expect("read")
        .expect("there")
        .id;
    let form = html(
        admin
            .get(app.url(&format!("/admin/content/{id}")))
            .send()
            .await
            .expect("form"),
    )
    .await;
    assert_eq!(
        attrs(&form, "input[name=status][checked]", "value"),
        ["published"]
    );
}

#[tokio::test]
async fn a_scheduled_post_appears_on_time_with_no_job_on_sqlite() {
    a_scheduled_post_appears_on_time_with_no_job(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_scheduled_post_appears_on_time_with_no_job_on_postgres() {
    a_scheduled_post_appears_on_time_with_no_job(Backend::Postgres).await;
}

#[tokio::test]
async fn pages_are_served_at_their_addresses_with_breadcrumbs_and_drafts_are_not() {
    let app = TestApp::spawn().await;
    let project = saved(&app, &state("page", "project", "published", Some(1), None)).await;
    let fair = saved(
        &app,
        &state("page", "fair", "published", Some(1), Some(project.id)),
    )
    .await;
    saved(
        &app,
        &state("page", "2027", "published", Some(1), Some(fair.id)),
    )
    .await;
    saved(
        &app,
        &state("page", "secret", "draft", None, Some(project.id)),
    )
    .await;

    let (status, page) = app.page("/project/fair/2027").await;
    assert_eq!(status, 200);
    assert_eq!(
        attrs(&page, ".breadcrumbs a", "href"),
        ["/project", "/project/fair"]
    );
    let (_, top) = app.page("/project").await;
    assert_eq!(
        attrs(&top, "#children-title + ul a", "href"),
        ["/project/fair"],
        "the draft is not listed"
    );
    for path in [
        "/project/secret",
        "/project/none",
        "/Project",
        "/project/fair/2027/",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    let post = app
        .client
        .post(app.url("/project"))
        .send()
        .await
        .expect("request");
    assert_eq!(post.status(), 404);
    // An operator sees the draft in the list, not at its address.
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let r = operator
        .get(app.url("/project/secret"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 404);
    let list = html(
        operator
            .get(app.url("/admin/content?kind=page"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert!(
        texts(&list, "tbody td")
            .iter()
            .any(|t| t == "/project/secret")
    );
}

#[tokio::test]
async fn a_save_from_an_older_form_is_refused_and_a_revision_is_restored() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let item = saved(&app, &state("page", "guide", "published", Some(1), None)).await;
    let edit = format!("/admin/content/{}", item.id);
    let form = |title: &'static str| {
        vec![
            ("title", title),
            ("slug", "guide"),
            ("parent_id", ""),
            ("sort_order", "0"),
            ("help_key", ""),
            ("summary", ""),
            ("body", "本文"),
            ("status", "published"),
            ("publish_at", ""),
            ("revision", "1"),
            ("intent", "save"),
        ]
    };
    let r = app
        .submit(&operator, &edit, &edit, &form("一人目の題"))
        .await;
    assert_eq!(r.status(), 303);
    // A second author's form was made from revision 1 too.
    let r = app
        .submit(&operator, &edit, &edit, &form("二人目の題"))
        .await;
    assert_eq!(r.status(), 422);
    let page = html(r).await;
    assert!(
        texts(&page, ".error-summary li")
            .concat()
            .contains("別の人が保存しました")
    );
    assert_eq!(
        attrs(&page, "#f-title", "value"),
        ["二人目の題"],
        "the typed text is kept"
    );
    let live = app
        .db
        .store()
        .content_item(item.id)
        .await
        .expect("read")
        .expect("item");
    assert_eq!(live.state.title, "一人目の題");

    // The diff of revision 1 against the live one, then restoring it.
    let (status, diff) = app_page(&operator, &app, &format!("{edit}/revisions/1")).await;
    assert_eq!(status, 200);
    let lines = texts(&diff, ".diff__lines");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("− guide の見出し") && l.contains("＋ 一人目の題")),
        "{lines:?}"
    );
    let r = app
        .submit(
            &operator,
            &format!("{edit}/revisions/1"),
            &format!("{edit}/revisions/1/restore"),
            &[("revision", "2")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let live = app
        .db
        .store()
        .content_item(item.id)
        .await
        .expect("read")
        .expect("item");
    assert_eq!(live.state.title, "guide の見出し");
    assert_eq!(live.revision, 3);
    assert!(
        live.is_public(web::auth::now_ms()),
        "restoring keeps it published"
    );
    let (_, history) = app_page(&operator, &app, &format!("{edit}/revisions")).await;
    assert_eq!(texts(&history, "tbody th").len(), 3);
}

async fn app_page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Html) {
    let r = client.get(app.url(path)).send().await.expect("page");
    (r.status().as_u16(), html(r).await)
}

#[tokio::test]
async fn only_administrators_and_operators_write_content() {
    let app = TestApp::spawn().await;
    let (company, _) = app.signed_in(Role::ReceivingCompany, 1).await;
    let r = company
        .get(app.url("/admin/content"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 403);
    let visitor = TestApp::new_client();
    let r = visitor
        .get(app.url("/admin/content/new/post"))
        .send()
        .await
        .expect("request");
    assert_ne!(r.status(), 200);
    let (admin, _) = app.signed_in(Role::Admin, 2).await;
    let r = admin
        .get(app.url("/admin/content"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn an_image_without_alternative_text_or_an_oversized_text_is_not_saved() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let huge = "- ".repeat(150_000);
    for (body, message) in [
        ("![](/media/photo.png)", "代替テキスト"),
        (huge.as_str(), "本文が長すぎます"),
    ] {
        let mut fields = post_form("画像の記事", "photo", body, "published");
        fields.push(("intent", "save"));
        let r = app
            .submit(
                &operator,
                "/admin/content/new/post",
                "/admin/content/new/post",
                &fields,
            )
            .await;
        assert_eq!(r.status(), 422);
        let page = html(r).await;
        assert!(
            texts(&page, "#f-body-error").concat().contains(message),
            "{message}"
        );
    }
    assert_eq!(app.get("/news/photo").await.status(), 404);
}

#[tokio::test]
async fn feeds_the_sitemap_and_robots_list_only_what_visitors_may_read() {
    let app = TestApp::spawn().await;
    let now = web::auth::now_ms();
    let mut fair = state("post", "fair-news", "published", Some(now - 1000), None);
    fair.category = Some("fair".into());
    fair.title = "フェア & 商談会 <速報>".into();
    saved(&app, &fair).await;
    saved(
        &app,
        &state("post", "plain-news", "published", Some(now - 2000), None),
    )
    .await;
    saved(&app, &state("post", "hidden-news", "draft", None, None)).await;
    saved(&app, &state("page", "about", "published", Some(1), None)).await;
    saved(&app, &state("page", "draft-page", "draft", None, None)).await;

    let r = app.get("/news/category/fair/feed.atom").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("application/atom+xml")
    );
    let feed = r.text().await.expect("body");
    assert!(
        feed.contains("<title>フェア &amp; 商談会 &lt;速報&gt;</title>"),
        "{feed}"
    );
    assert!(feed.contains("label=\"ビジネスフロンティア・フェア\""));
    assert!(!feed.contains("plain-news"), "another category's post");
    let all = app.get("/news/feed.atom").await.text().await.expect("body");
    assert!(all.contains("/news/plain-news") && all.contains("/news/fair-news"));
    assert!(!all.contains("hidden-news"));
    assert_eq!(app.get("/news/category/none/feed.atom").await.status(), 404);

    let sitemap = app.get("/sitemap.xml").await.text().await.expect("body");
    for listed in [
        "/news/fair-news</loc>",
        "/about</loc>",
        "/news/category/fair</loc>",
        "/cases</loc>",
    ] {
        assert!(sitemap.contains(listed), "{listed}");
    }
    for hidden in ["hidden-news", "draft-page"] {
        assert!(!sitemap.contains(hidden), "{hidden}");
    }
    let robots = app.get("/robots.txt").await.text().await.expect("body");
    assert!(robots.contains("Disallow: /admin"));
    assert!(robots.contains(&format!(
        "Sitemap: {}/sitemap.xml",
        app.state.settings.public_url
    )));
}

#[tokio::test]
async fn a_help_key_leads_to_its_page_and_a_missing_one_to_help_that_exists() {
    let app = TestApp::spawn().await;
    let mut bid = state("page", "bid-help", "published", Some(1), None);
    bid.help_key = Some("bid".into());
    saved(&app, &bid).await;
    let r = app.get("/help/topics/bid").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/bid-help");

    let mut draft = state("page", "faq-draft", "draft", None, None);
    draft.help_key = Some("faq".into());
    saved(&app, &draft).await;
    for key in ["faq", "unknown"] {
        let (status, page) = app.page(&format!("/help/topics/{key}")).await;
        assert_eq!(status, 200, "{key}");
        let links = attrs(&page, "main .links a", "href");
        assert!(!links.is_empty());
        for href in links {
            assert_eq!(app.get(&href).await.status(), 200, "{href} exists");
        }
    }
    assert_eq!(app.get("/help/topics/%3Cscript%3E").await.status(), 404);
}

/// A 640×480 PNG's first bytes: enough for the library's checks.
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&640u32.to_be_bytes());
    b.extend_from_slice(&480u32.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}

#[tokio::test]
async fn an_image_needs_alternative_text_is_served_for_ever_and_stays_while_shown() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let bytes = png();
    let upload = |alt: &'static str, name: &'static str, body: Vec<u8>| {
        let (app, operator) = (&app, &operator);
        async move {
            app.submit_multipart(
                operator,
                "/admin/media",
                "/admin/media",
                &[("alt", alt)],
                &[("file", name, &body)],
            )
            .await
        }
    };
    let r = upload("", "hall.png", bytes.clone()).await;
    assert_eq!(r.status(), 422);
    assert!(
        html(r)
            .await
            .root_element()
            .text()
            .collect::<String>()
            .contains("代替テキスト")
    );
    let r = upload("展示会", "evil.png", b"<svg onload=alert(1)>".to_vec()).await;
    assert_eq!(r.status(), 422, "a script named .png is refused");
    let r = upload("展示会場の様子", "hall.png", bytes.clone()).await;
    assert_eq!(r.status(), 303);
    let list = app.db.store().media_list().await.expect("list");
    assert_eq!(list.len(), 1);
    let url = list[0].url();

    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .contains("immutable")
    );
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), bytes);
    assert_eq!(app.get(&url.replace(".png", ".jpg")).await.status(), 404);

    // A post that shows it: its size and the library's alternative text.
    let body = format!("会場の写真です。\n\n![]({url})");
    let mut fields = post_form("会場のご案内", "hall", &body, "published");
    fields.push(("intent", "save"));
    let r = app
        .submit(
            &operator,
            "/admin/content/new/post",
            "/admin/content/new/post",
            &fields,
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, post) = app.page("/news/hall").await;
    assert_eq!(
        attrs(&post, ".content__body img", "alt"),
        ["展示会場の様子"]
    );
    assert_eq!(attrs(&post, ".content__body img", "width"), ["640"]);
    assert_eq!(attrs(&post, ".content__body img", "height"), ["480"]);

    // Shown, so not deleted; the library says where.
    let id = list[0].id.to_string();
    let r = app
        .submit(
            &operator,
            "/admin/media",
            &format!("/admin/media/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.get(&url).await.status(), 200);
    let page = html(
        operator
            .get(app.url("/admin/media"))
            .send()
            .await
            .expect("page"),
    )
    .await;
    assert!(
        texts(&page, "tbody td a")
            .iter()
            .any(|t| t == "会場のご案内")
    );
}

#[tokio::test]
async fn a_form_with_a_category_or_division_that_does_not_exist_is_answered_beside_the_field() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let mut fields = post_form("存在しないカテゴリー", "odd-category", "本文", "published");
    for f in fields.iter_mut() {
        if f.0 == "category" {
            f.1 = "no-such-category";
        }
        if f.0 == "division" {
            f.1 = "no-such-division";
        }
    }
    fields.push(("intent", "save"));
    let r = app
        .submit(
            &operator,
            "/admin/content/new/post",
            "/admin/content/new/post",
            &fields,
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = html(r).await;
    assert!(!texts(&page, "#f-category-error").is_empty());
    assert!(!texts(&page, "#f-division-error").is_empty());
    assert_eq!(app.get("/news/odd-category").await.status(), 404);
}

/// Operators arrange the header and footer menus: a page is linked by its
/// id (the link follows it when it moves), a draft's link is not shown, a
/// target that is neither the site's nor https is refused beside its row,
/// and a page a menu links cannot be deleted without saying so.
#[tokio::test]
async fn operators_arrange_the_menus_and_a_linked_page_is_not_deleted_silently() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let fair = saved(&app, &state("page", "fair", "published", None, None)).await;
    saved(&app, &state("page", "secret", "draft", None, None)).await;
    let r = app
        .submit(
            &operator,
            "/admin/layout",
            "/admin/layout/menus/header",
            &[
                ("label_0", "フェア"),
                ("target_0", "/fair"),
                ("order_0", "2"),
                ("label_1", "準備中"),
                ("target_1", "/secret"),
                ("order_1", "3"),
                ("label_2", "案件を探す（詳細）"),
                ("target_2", "/cases?status=open"),
                ("order_2", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, top) = app.page("/").await;
    let header = texts(&top, ".site-nav a");
    let at = |label: &str| header.iter().position(|l| l == label);
    assert!(at("案件を探す（詳細）") < at("フェア"), "{header:?}");
    assert!(
        at("準備中").is_none(),
        "a draft's link is not shown: {header:?}"
    );

    // Moving the page takes the link along.
    let mut moved = fair.state.clone();
    moved.slug = "fair-2027".into();
    app.db
        .store()
        .save_content(&ContentSave {
            id: Some(fair.id),
            revision: Some(fair.revision),
            state: &moved,
            actor: &Actor::cli("test"),
            now: web::auth::now_ms(),
        })
        .await
        .expect("moved");
    let (_, news) = app.page("/news").await;
    assert!(
        attrs(&news, ".site-nav a", "href").contains(&"/fair-2027".to_owned()),
        "{:?}",
        attrs(&news, ".site-nav a", "href")
    );

    // A target that is neither the site's nor https is refused.
    let r = app
        .submit(
            &operator,
            "/admin/layout",
            "/admin/layout/menus/footer",
            &[("label_0", "危ない"), ("target_0", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("1行目"));
    assert!(
        app.db
            .store()
            .menu_links("footer")
            .await
            .expect("menu")
            .is_empty()
    );

    // The linked page cannot be deleted until the menu lets go of it.
    let r = app
        .submit(
            &operator,
            &format!("/admin/content/{}", fair.id),
            &format!("/admin/content/{}/delete", fair.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("ヘッダーメニューの「フェア」からリンクされています")
    );
    assert!(
        app.db
            .store()
            .content_item(fair.id)
            .await
            .expect("read")
            .is_some()
    );
}

/// The top pages are made of the blocks operators arrange; the navi's top
/// keeps its search box first; a programme's page lists its category's
/// posts.
#[tokio::test]
async fn the_top_pages_show_the_blocks_operators_arrange() {
    let app = TestApp::spawn().await;
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    let project = saved(&app, &state("page", "project", "published", None, None)).await;
    let mut fair = state("page", "fair", "published", None, Some(project.id));
    fair.title = "ビジネスフロンティア・フェア".into();
    fair.summary = Some("展示会と商談会".into());
    fair.category = Some("fair".into());
    saved(&app, &fair).await;
    let mut news = state("post", "fair-open", "published", Some(1_000), None);
    news.category = Some("fair".into());
    news.title = "出展者の募集を始めました".into();
    saved(&app, &news).await;

    // Before any block: the portal's own introduction.
    let (_, top) = app.page("/").await;
    assert!(
        top.select(&Selector::parse("form[role=search] input[name=q]").expect("s"))
            .next()
            .is_some()
    );
    assert!(texts(&top, "h2").contains(&"このサイトでできること".to_owned()));

    let r = app
        .submit(
            &operator,
            "/admin/layout/tops/navi",
            "/admin/layout/tops/navi",
            &[
                ("kind_0", "lead"),
                (
                    "body_0",
                    "**中小企業**のための受発注ポータルです。\n\n<script>alert(1)</script>",
                ),
                ("order_0", "1"),
                ("kind_1", "news"),
                ("title_1", "フェアのお知らせ"),
                ("category_1", "fair"),
                ("count_1", "3"),
                ("order_1", "3"),
                ("kind_2", "programmes"),
                ("title_2", "4つの支援"),
                ("order_2", "2"),
                ("kind_3", "cases"),
                ("title_3", "新着の募集中案件"),
                ("order_3", "4"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, top) = app.page("/").await;
    let headings = texts(&top, "main h2");
    assert_eq!(
        headings,
        ["4つの支援", "フェアのお知らせ", "新着の募集中案件"],
        "in the order given, the introduction gone"
    );
    let first_form = top
        .select(&Selector::parse("main form, main section").expect("s"))
        .next()
        .map(|e| e.value().name().to_owned());
    assert_eq!(
        first_form.as_deref(),
        Some("section"),
        "the hero with its search box comes first"
    );
    assert!(texts(&top, ".block--lead strong").contains(&"中小企業".to_owned()));
    assert!(
        !top.html().contains("<script>alert"),
        "lead text is made safe"
    );
    assert_eq!(
        attrs(&top, ".block--programmes a", "href"),
        ["/project/fair"]
    );
    assert_eq!(
        attrs(&top, ".block--news li a", "href"),
        ["/news/fair-open"]
    );

    // A count out of range is refused beside its row, and nothing changes.
    let r = app
        .submit(
            &operator,
            "/admin/layout/tops/project",
            "/admin/layout/tops/project",
            &[
                ("kind_0", "news"),
                ("title_0", "お知らせ"),
                ("count_0", "500"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("件数は1から20"));
    assert!(
        app.db
            .store()
            .blocks("project")
            .await
            .expect("blocks")
            .is_empty()
    );

    // A programme's page lists its category's posts.
    let (_, programme) = app.page("/project/fair").await;
    assert_eq!(
        attrs(&programme, ".block--news li a", "href"),
        ["/news/fair-open"]
    );
}

/// A post's tags lead to the list of posts with that tag.
#[tokio::test]
async fn a_tag_lists_the_posts_that_carry_it() {
    let app = TestApp::spawn().await;
    let mut a = state("post", "with-tag", "published", Some(1_000), None);
    a.tags = vec!["商談会".into(), "A/B".into()];
    saved(&app, &a).await;
    saved(
        &app,
        &state("post", "without", "published", Some(2_000), None),
    )
    .await;
    let (_, post) = app.page("/news/with-tag").await;
    let links: Vec<String> = attrs(&post, ".result__meta a.badge", "href")
        .into_iter()
        .filter(|l| l.starts_with("/news/tag/"))
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(
        links.contains(&"/news/tag/%E5%95%86%E8%AB%87%E4%BC%9A".to_owned()),
        "{links:?}"
    );
    assert!(links.contains(&"/news/tag/A%2FB".to_owned()), "{links:?}");
    for link in links {
        let (status, list) = app.page(&link).await;
        assert_eq!(status, 200, "{link}");
        assert_eq!(attrs(&list, ".result__title a", "href"), ["/news/with-tag"]);
    }
    assert_eq!(app.get("/news/tag/%20").await.status(), 404);
}

/// The site search finds cases, pages and posts by the same text rules
/// (widths and case folded, words inside longer words), grouped by kind;
/// drafts are not found.
#[tokio::test]
async fn the_site_search_groups_cases_pages_and_posts() {
    let app = TestApp::spawn().await;
    let mut page = state("page", "cleaning-guide", "published", None, None);
    page.title = "庁舎清掃業務の手引き".into();
    saved(&app, &page).await;
    let mut post = state("post", "cleaning-news", "published", Some(1_000), None);
    post.body = "ＣＬＥＡＮ（清掃）事業者向けの説明会を開きます。".into();
    saved(&app, &post).await;
    let mut draft = state("post", "cleaning-draft", "draft", None, None);
    draft.title = "清掃の下書き".into();
    saved(&app, &draft).await;
    let (status, found) = app.page("/search?q=%E6%B8%85%E6%8E%83").await;
    assert_eq!(status, 200);
    let headings = texts(&found, "main h2");
    assert_eq!(headings.len(), 3, "{headings:?}");
    assert!(headings[0].starts_with("案件"));
    assert_eq!(headings[1], "ページ（1件）");
    assert_eq!(headings[2], "お知らせ（1件）");
    let links = attrs(&found, ".block__list a", "href");
    assert!(links.contains(&"/cleaning-guide".to_owned()));
    assert!(links.contains(&"/news/cleaning-news".to_owned()));
    assert!(!links.contains(&"/news/cleaning-draft".to_owned()));
    // Half-width lower case finds the full-width upper case.
    let (_, found) = app.page("/search?q=clean").await;
    assert_eq!(
        attrs(&found, ".block__list a", "href"),
        ["/news/cleaning-news"]
    );
    // Nothing but punctuation, or an unbalanced quote, is answered calmly.
    assert_eq!(app.get("/search?q=%E3%83%BB%E3%83%BB").await.status(), 200);
    assert_eq!(app.get("/search?q=%22%E6%B8%85").await.status(), 200);
}
