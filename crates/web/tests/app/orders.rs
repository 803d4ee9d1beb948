//! Private orders end to end over HTTP: an ordering company drafts a case with
//! a document, an operator returns it and then publishes it, two receiving
//! companies enter with attachments, the two sides talk, and the ordering
//! company chooses its partner — every step told by mail through a real SMTP
//! server — and no one else sees what is not theirs.

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Backend, Html, TestApp, attrs, texts};

const PDF: &[u8] = b"%PDF-1.7\n% spec\n";

async fn html(r: reqwest::Response) -> (u16, Html) {
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

/// A signed-in client for a new person in `role`, and their address.
async fn signed_in(app: &TestApp, role: Role, n: u32) -> (reqwest::Client, String) {
    let id = person(app.db.store(), role, n).await.expect("person");
    let email = app
        .db
        .store()
        .user(id)
        .await
        .expect("read")
        .expect("user")
        .email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;
    (client, email)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_else(|| panic!("no redirect: {}", r.status()))
        .to_owned()
}

fn order_fields<'a>(intent: &'a str, deadline: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "private_order"),
        ("title", "工場内空調設備の定期点検"),
        (
            "description",
            "工場内の空調設備（12台）の定期点検と報告書の作成をお願いします。",
        ),
        ("category", "services"),
        ("procedure", "quotation_comparison"),
        ("prefecture", "13"),
        ("municipality", "大田区"),
        ("conditions", "冷凍空調技士の在籍"),
        ("application_deadline", deadline),
        ("intent", intent),
    ]
}

async fn a_private_order_goes_from_draft_to_a_chosen_partner(backend: Backend) {
    let app = TestApp::spawn_with_mail(backend).await;
    let (orderer, orderer_email) = signed_in(&app, Role::OrderingCompany, 1).await;
    let (operator, operator_email) = signed_in(&app, Role::Operator, 2).await;
    let (a, a_email) = signed_in(&app, Role::ReceivingCompany, 3).await;
    let (b, b_email) = signed_in(&app, Role::ReceivingCompany, 4).await;

    // Draft with a document and submit it.
    let r = app
        .submit_multipart(
            &orderer,
            "/mypage/orders/new",
            "/mypage/orders",
            &order_fields("submit", "2099-12-01T17:00"),
            &[("files", "仕様書.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let order_page = location(&r);
    assert!(order_page.ends_with("?done=submitted"), "{order_page}");
    let case_path = order_page.trim_end_matches("?done=submitted").to_owned();
    let id = case_path.rsplit('/').next().expect("id").to_owned();
    assert!(
        app.mail(&operator_email, "案件の審査依頼")
            .await
            .contains(&format!("/admin/orders/{id}"))
    );
    // Not public while in review, not even its document.
    assert_eq!(app.get(&format!("/cases/{id}")).await.status(), 404);
    let (_, mine) = html(orderer.get(app.url(&case_path)).send().await.expect("get")).await;
    let document = attrs(&mine, ".links a", "href")[0].clone();
    assert!(document.starts_with("/files/"), "{document}");
    assert_eq!(app.get(&document).await.status(), 404);
    assert_eq!(
        orderer
            .get(app.url(&document))
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body")
            .as_ref(),
        PDF,
        "the company sees its own draft's document"
    );

    // The operator returns it with a comment; the company sees the comment.
    let (_, queue) = html(
        operator
            .get(app.url("/admin/orders"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(texts(&queue, "table a"), ["工場内空調設備の定期点検"]);
    let review = format!("/admin/orders/{id}");
    let r = app
        .submit(
            &operator,
            &review,
            &format!("{review}/review"),
            &[("decision", "return"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status(), 422, "a return needs a comment");
    let r = app
        .submit(
            &operator,
            &review,
            &format!("{review}/review"),
            &[
                ("decision", "return"),
                ("comment", "点検の対象台数を明記してください。"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        app.mail(&orderer_email, "案件の修正のお願い")
            .await
            .contains("点検の対象台数を明記してください。")
    );
    let (_, returned) = html(orderer.get(app.url(&case_path)).send().await.expect("get")).await;
    assert!(
        returned
            .html()
            .contains("点検の対象台数を明記してください。")
    );

    // Corrected and submitted again, then published.
    let mut fields = order_fields("submit", "2099-12-01T17:00");
    fields[2].1 = "工場内の空調設備（全12台）の定期点検と報告書の作成をお願いします。";
    let r = app
        .submit_multipart(
            &orderer,
            &format!("{case_path}/edit"),
            &case_path,
            &fields,
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .submit(
            &operator,
            &review,
            &format!("{review}/review"),
            &[("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // The queue it lands on says what was done.
    assert_eq!(location(&r), "/admin/orders?done=published");
    let (_, queue) = html(
        operator
            .get(app.url(&location(&r)))
            .send()
            .await
            .expect("queue"),
    )
    .await;
    assert!(texts(&queue, "main [role=status]")[0].contains("公開しました"));
    app.mail(&orderer_email, "案件を公開しました").await;
    app.indexed().await;
    let (status, public) = app.page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(public.html().contains("全12台"));
    assert_eq!(app.get(&document).await.status(), 200, "public document");
    let api: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(api["documents"][0]["url"], app.url(&document), "{api}");
    assert_eq!(api["kind"], "private_order", "{api}");
    let (_, found) = app.page("/cases?q=空調&kind=private_order").await;
    assert!(
        attrs(&found, ".result a", "href").contains(&format!("/cases/{id}")),
        "{}",
        found.html()
    );

    // Company A enters with an attachment; both sides are told.
    let entry_form = format!("/cases/{id}/entry");
    let r = app
        .submit_multipart(
            &a,
            &entry_form,
            &entry_form,
            &[("body", "同規模の工場で10年の点検実績があります。")],
            &[("files", "会社案内.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let thread = location(&r).replace("?done=entered", "");
    assert!(
        app.mail(&orderer_email, "エントリーがありました")
            .await
            .contains("10年の点検実績")
    );
    app.mail(&a_email, "エントリーを受け付けました").await;
    // A second entry by the same company is refused.
    let r = app
        .submit_multipart(
            &a,
            &format!("/cases/{id}"),
            &entry_form,
            &[("body", "再度")],
            &[],
        )
        .await;
    assert_eq!(r.status(), 409);
    // It says why, and its link is named for where it leads.
    let (_, refused) = html(r).await;
    assert!(texts(&refused, "main p")[0].contains("エントリー済み"));
    assert_eq!(texts(&refused, "main a")[0], "エントリーのページを開く");
    assert_eq!(attrs(&refused, "main a", "href")[0], thread);

    // The ordering company reads the entry, downloads the attachment, replies.
    let (status, seen) = html(orderer.get(app.url(&thread)).send().await.expect("get")).await;
    assert_eq!(status, 200);
    let attachment = attrs(&seen, ".thread a", "href")[0].clone();
    let got = orderer.get(app.url(&attachment)).send().await.expect("get");
    assert_eq!(got.status(), 200);
    let disposition = got
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let r = app
        .submit_multipart(
            &orderer,
            &thread,
            &format!("{thread}/messages"),
            &[("body", "見積書をお送りください。")],
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        app.mail(&a_email, "メッセージが届きました")
            .await
            .contains("見積書をお送りください。")
    );

    // Company B enters too, and cannot see A's entry or its attachment.
    let r = app
        .submit_multipart(
            &b,
            &entry_form,
            &entry_form,
            &[("body", "対応可能です。")],
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        b.get(app.url(&thread)).send().await.expect("get").status(),
        404
    );
    assert_eq!(
        b.get(app.url(&attachment))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
    assert_eq!(app.get(&attachment).await.status(), 404, "visitors neither");
    let r = app
        .submit(&a, &thread, &format!("{thread}/choose"), &[])
        .await;
    assert_eq!(r.status(), 403, "the entrant cannot choose itself");

    // Choosing first asks, and does nothing until confirmed.
    let r = app
        .submit(&orderer, &thread, &format!("{thread}/choose"), &[])
        .await;
    assert_eq!(r.status(), 200);
    let asked = Html::parse_document(&r.text().await.expect("body"));
    assert_eq!(texts(&asked, "h1"), ["取引先に選定してよろしいですか"]);
    assert!(
        texts(&asked, ".caution")
            .join("")
            .contains("取り消せません")
    );
    let (_, open) = app.page(&format!("/cases/{id}")).await;
    assert!(!texts(&open, ".badge--plain").contains(&"決定済み".to_owned()));

    // The ordering company chooses A: A, B and the orderer are told.
    let r = app
        .submit(
            &orderer,
            &thread,
            &format!("{thread}/choose"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    app.mail(&a_email, "取引先に選定されました").await;
    app.mail(&b_email, "エントリーの結果のお知らせ").await;
    app.mail(&orderer_email, "取引先の選定を記録しました").await;
    let (_, decided) = app.page(&format!("/cases/{id}")).await;
    assert!(texts(&decided, ".badge--plain").contains(&"決定済み".to_owned()));
    let (_, a_entries) = html(a.get(app.url("/mypage/entries")).send().await.expect("get")).await;
    assert!(texts(&a_entries, "td").contains(&"選定".to_owned()));
    app.shutdown().await;
}

#[tokio::test]
async fn a_private_order_goes_from_draft_to_a_chosen_partner_on_sqlite() {
    a_private_order_goes_from_draft_to_a_chosen_partner(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_private_order_goes_from_draft_to_a_chosen_partner_on_postgres() {
    a_private_order_goes_from_draft_to_a_chosen_partner(Backend::Postgres).await;
}

#[tokio::test]
async fn bad_orders_and_bad_files_are_refused_with_reasons_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (orderer, _) = signed_in(&app, Role::OrderingCompany, 1).await;
    let mut fields = order_fields("submit", "2001-01-01T09:00");
    fields[1].1 = "";
    let r = app
        .submit_multipart(
            &orderer,
            "/mypage/orders/new",
            "/mypage/orders",
            &fields,
            &[("files", "見積.pdf", b"<script>alert(1)</script>")],
        )
        .await;
    let (status, page) = html(r).await;
    assert_eq!(status, 422);
    let errors = texts(&page, ".error-summary li");
    assert!(
        errors.iter().any(|e| e.contains("件名を入力")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("これから先の日時")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("拡張子")), "{errors:?}");
    // What was typed is kept.
    assert!(page.html().contains("工場内の空調設備（12台）"));

    let too_many: Vec<(&str, &str, &[u8])> = (0..6).map(|_| ("files", "a.pdf", PDF)).collect();
    let r = app
        .submit_multipart(
            &orderer,
            "/mypage/orders/new",
            "/mypage/orders",
            &order_fields("draft", "2099-01-01"),
            &too_many,
        )
        .await;
    let (status, page) = html(r).await;
    assert_eq!(status, 422);
    assert!(texts(&page, ".error-summary li")[0].contains("5個まで"));

    let (_, list) = html(
        orderer
            .get(app.url("/mypage/orders"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert!(texts(&list, "table a").is_empty(), "nothing was saved");

    // A form without its token is refused.
    let r = orderer
        .post(app.url("/mypage/orders"))
        .multipart(reqwest::multipart::Form::new().text("title", "x"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    app.shutdown().await;
}

#[tokio::test]
async fn an_ordering_company_calls_off_its_case_and_the_entrant_is_told() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let (orderer, _) = signed_in(&app, Role::OrderingCompany, 1).await;
    let (operator, _) = signed_in(&app, Role::Operator, 2).await;
    let (a, a_email) = signed_in(&app, Role::ReceivingCompany, 3).await;
    let r = app
        .submit_multipart(
            &orderer,
            "/mypage/orders/new",
            "/mypage/orders",
            &order_fields("submit", "2099-12-01T17:00"),
            &[],
        )
        .await;
    let case_path = location(&r).replace("?done=submitted", "");
    let id = case_path.rsplit('/').next().expect("id").to_owned();
    let review = format!("/admin/orders/{id}");
    let r = app
        .submit(
            &operator,
            &review,
            &format!("{review}/review"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let entry_form = format!("/cases/{id}/entry");
    let r = app
        .submit_multipart(
            &a,
            &entry_form,
            &entry_form,
            &[("body", "対応できます。")],
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);

    let r = app
        .submit(&orderer, &case_path, &format!("{case_path}/cancel"), &[])
        .await;
    assert_eq!(r.status(), 200, "calling off first asks");
    let asked = Html::parse_document(&r.text().await.expect("body"));
    assert_eq!(texts(&asked, "h1"), ["募集を中止してよろしいですか"]);
    let r = app
        .submit(
            &orderer,
            &case_path,
            &format!("{case_path}/cancel"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        app.mail(&a_email, "案件の中止のお知らせ")
            .await
            .contains("募集を中止しました")
    );
    let (_, page) = app.page(&format!("/cases/{id}")).await;
    assert!(texts(&page, ".badge--plain").contains(&"中止".to_owned()));
    assert!(page.html().contains("エントリーの受付は終了しました"));
    // Twice is refused, plainly.
    let r = app
        .submit(&orderer, &case_path, &format!("{case_path}/cancel"), &[])
        .await;
    assert_eq!(r.status(), 409);
    app.shutdown().await;
}

#[tokio::test]
async fn a_description_keeps_its_paragraphs_and_line_breaks_and_its_urls_become_safe_links() {
    let app = TestApp::spawn().await;
    let (orderer, _) = signed_in(&app, Role::OrderingCompany, 1).await;
    let mut fields = order_fields("draft", "2099-01-01T09:00");
    fields[2].1 = "点検の対象：\r\n　空調設備12台\r\n\r\n\r\n仕様は https://www.example.co.jp/spec?id=1&v=2 をご覧ください。javascript:alert(1)";
    let r = app
        .submit_multipart(
            &orderer,
            "/mypage/orders/new",
            "/mypage/orders",
            &fields,
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = location(&r);
    let (status, html) = html(
        orderer
            .get(app.url(&page))
            .send()
            .await
            .expect("order page"),
    )
    .await;
    assert_eq!(status, 200);
    let paragraphs = texts(&html, ".case__description p");
    assert_eq!(
        paragraphs,
        [
            "点検の対象： 空調設備12台",
            "仕様は https://www.example.co.jp/spec?id=1&v=2 をご覧ください。javascript:alert(1)"
        ]
    );
    // One line break inside the first paragraph; the three empty lines became one paragraph break.
    assert_eq!(
        html.select(&testkit::Selector::parse(".case__description br").expect("selector"))
            .count(),
        1
    );
    assert_eq!(
        attrs(&html, ".case__description a", "href"),
        ["https://www.example.co.jp/spec?id=1&v=2"]
    );
    assert_eq!(
        attrs(&html, ".case__description a", "rel"),
        ["nofollow noopener noreferrer"]
    );
}

#[tokio::test]
async fn the_order_forms_default_button_saves_a_draft_and_only_the_second_submits() {
    let app = TestApp::spawn().await;
    let (orderer, _) = signed_in(&app, Role::OrderingCompany, 1).await;
    let (_, html) = {
        let r = orderer
            .get(app.url("/mypage/orders/new"))
            .send()
            .await
            .expect("get");
        (
            r.status(),
            Html::parse_document(&r.text().await.expect("body")),
        )
    };
    // The first submit button is the one Enter presses.
    assert_eq!(
        attrs(&html, "main form button[type=submit]", "value"),
        ["draft", "submit"]
    );
    assert_eq!(
        texts(&html, "main form button[type=submit]"),
        ["下書きとして保存する", "審査に提出する"]
    );
    // A form sent without a button (Enter in a browser that sends none) is a draft.
    let mut fields = order_fields("", "2099-12-01T17:00");
    fields.retain(|(k, _)| *k != "intent");
    let r = app
        .submit(&orderer, "/mypage/orders/new", "/mypage/orders", &fields)
        .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("?done=draft"), "{}", location(&r));
    let page = location(&r);
    let (_, shown) = {
        let r = orderer.get(app.url(&page)).send().await.expect("get");
        (
            r.status(),
            Html::parse_document(&r.text().await.expect("body")),
        )
    };
    assert_eq!(
        texts(&shown, "p.notice[role=status]").len(),
        1,
        "a message on the page it lands on"
    );
    app.shutdown().await;
}
