//! The bid page as a bidder meets it (issue 12): the form only while a bid
//! can be made now, otherwise why and when; a confirmation step that repeats
//! the amount and seals nothing; the receipt, and its mail through a real
//! SMTP server (receipt number and hash, never the amount); 辞退 only once
//! confirmed.

use domain::tender::Schedule;
use store::Actor;
use testkit::{Backend, Html, TestApp, attrs, texts};

const H: i64 = 3_600_000;

fn terms(schedule: Schedule) -> testkit::tenders::Terms {
    testkit::tenders::Terms {
        schedule,
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    }
}

/// A schedule whose 入札書受付 runs from `opens` to `deadline` (relative to `now`).
fn schedule(now: i64, opens: i64, deadline: i64) -> Schedule {
    Schedule {
        published_at: now - 10 * H,
        application_deadline: now - 9 * H,
        qualification_notice_at: now - 9 * H,
        bidding_opens_at: now + opens,
        bid_deadline: now + deadline,
        opening_at: now + deadline + H,
    }
}

async fn html_of(r: reqwest::Response) -> (u16, Html) {
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, Html) {
    html_of(client.get(app.url(path)).send().await.expect("get")).await
}

/// A signed-in receiving company's user, nominated for every tender in
/// `ids`: (browser, user).
async fn bidder(app: &TestApp, ids: &[i64], n: u32, now: i64) -> (reqwest::Client, store::User) {
    let store = app.db.store();
    let (user, company) = testkit::tenders::nominated_bidder(store, ids[0], n, now - 8 * H).await;
    for id in &ids[1..] {
        store
            .set_participation(
                *id,
                company,
                store::Participation::Nominated,
                None,
                &Actor::cli("test"),
                now - 8 * H,
            )
            .await
            .expect("nominate");
    }
    let user = store.user(user).await.expect("read").expect("user");
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, testkit::people::PASSWORD)
        .await;
    (client, user)
}

fn has_bid_form(html: &Html) -> bool {
    !attrs(html, "form input[name=amount]", "name").is_empty()
}

#[tokio::test]
async fn the_bid_form_is_shown_only_while_a_bid_can_be_made_and_otherwise_says_why_and_when() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let published = |s, n| {
        let kek = kek.clone();
        async move { testkit::tenders::published_case(store, &kek, terms(s), n, now - 11 * H).await }
    };
    let before = published(schedule(now, H, 2 * H), 1).await;
    let during = published(schedule(now, -H, H), 2).await;
    let after = published(schedule(now, -2 * H, -H / 2), 3).await;
    let mut s = schedule(now, -3 * H, -2 * H);
    s.opening_at = now - H;
    let opened = published(s, 4).await;
    let (client, _) = bidder(&app, &[before, during, after, opened], 1, now).await;
    etender::open(store, &kek, opened, &Actor::cli("test"), now)
        .await
        .expect("open");

    let (status, html) = get(&app, &client, &format!("/cases/{during}/bid")).await;
    assert_eq!(status, 200);
    assert!(has_bid_form(&html), "the form while bids are accepted");
    assert!(
        texts(&html, "main p")
            .iter()
            .any(|p| p.contains("入札締切：")),
        "the form names the deadline"
    );

    let opens = domain::When::At(now + H).label();
    let deadline = domain::When::At(now - H / 2).label();
    for (id, says) in [
        (before, format!("入札の受付は{opens} から始まります。")),
        (after, format!("入札の締切（{deadline}）を過ぎました。")),
        (opened, "開札済みです。".to_owned()),
    ] {
        let path = format!("/cases/{id}/bid");
        let (status, html) = get(&app, &client, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!has_bid_form(&html), "no bid form on {path}");
        let page = texts(&html, "main p").join("\n");
        assert!(page.contains(&says), "{path} says {says:?}: {page}");
        // The case page offers no bid button either.
        let (_, case) = get(&app, &client, &format!("/cases/{id}")).await;
        assert!(
            attrs(&case, &format!("a[href='{path}']"), "href").is_empty(),
            "no bid link on /cases/{id}"
        );
        // A POST with a valid bid is refused with the same reason, and nothing is stored.
        let r = app
            .submit(
                &client,
                &format!("/cases/{during}/bid"),
                &path,
                &[("amount", "800000"), ("kuji", "123"), ("confirm", "1")],
            )
            .await;
        let (_, html) = html_of(r).await;
        assert!(texts(&html, "main p").join("\n").contains(&says));
        assert!(store.sealed_bids(id).await.expect("bids").is_empty());
    }
    let (_, html) = get(&app, &client, &format!("/cases/{opened}/bid")).await;
    assert_eq!(
        attrs(&html, "main a[href$='#bid-results-title']", "href"),
        [format!("/cases/{opened}#bid-results-title")],
        "the opened tender links to its result"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_empty_or_zero_amount_is_told_plainly_beside_its_field() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let id =
        testkit::tenders::published_case(store, &kek, terms(schedule(now, -H, H)), 1, now - 11 * H)
            .await;
    let (client, _) = bidder(&app, &[id], 1, now).await;
    let path = format!("/cases/{id}/bid");
    let error = |html: &Html, field: &str| texts(html, &format!("#f-{field}-error"));
    let (status, html) = html_of(
        app.submit(&client, &path, &path, &[("amount", ""), ("kuji", "")])
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        error(&html, "amount")[0].contains("入札金額を入力してください"),
        "{:?}",
        error(&html, "amount")
    );
    assert!(error(&html, "kuji")[0].contains("くじ入力番号を入力してください"));
    for zero in ["0", "０", "-1"] {
        let (status, html) = html_of(
            app.submit(&client, &path, &path, &[("amount", zero), ("kuji", "123")])
                .await,
        )
        .await;
        assert_eq!(status, 422, "{zero}");
        let e = error(&html, "amount").join("");
        assert!(
            e.contains("1円以上の金額を半角または全角の数字で入力"),
            "{zero}: {e}"
        );
        assert!(!e.contains("0以上"), "{e}");
    }
    let hint = texts(
        &html_of(client.get(app.url(&path)).send().await.expect("get"))
            .await
            .1,
        "#f-amount-hint",
    );
    assert!(hint[0].contains("1円以上"), "{hint:?}");
    app.shutdown().await;
}

async fn the_confirmation_seals_nothing_and_the_receipt_is_mailed_without_the_amount(
    backend: Backend,
) {
    let app = TestApp::spawn_with_mail(backend).await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let id =
        testkit::tenders::published_case(store, &kek, terms(schedule(now, -H, H)), 1, now - 11 * H)
            .await;
    let title = store
        .case(id)
        .await
        .expect("read")
        .expect("case")
        .fields
        .title;
    let (client, user) = bidder(&app, &[id], 1, now).await;
    let path = format!("/cases/{id}/bid");

    // The form's POST shows the confirmation, and nothing is sealed yet.
    let typed = [
        ("amount", "８００，０００"),
        ("kuji", "０４２"),
        ("breakdown", "一式"),
    ];
    let (status, html) = html_of(app.submit(&client, &path, &path, &typed).await).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["入札内容の確認"]);
    let facts = texts(&html, "dl.facts dd").join("\n");
    for fact in [
        "金800,000円（税抜）",
        "800000 円",
        &title,
        "042",
        "一式",
        &domain::When::At(now + H).label(),
    ] {
        assert!(facts.contains(fact), "{fact} in {facts}");
    }
    assert!(
        store.sealed_bids(id).await.expect("bids").is_empty(),
        "not sealed before the confirmation"
    );
    assert_eq!(
        texts(&html, "main form button"),
        ["この内容で入札する", "修正する"],
        "the first button (Enter) confirms"
    );
    let hidden = |name: &str| {
        attrs(
            &html,
            &format!("main form input[type=hidden][name={name}]"),
            "value",
        )
    };
    assert_eq!(hidden("amount"), ["800000"]);
    assert_eq!(hidden("confirm"), ["1"]);
    assert_eq!(hidden("csrf_token").len(), 1);

    // 「修正する」: back to the form with the values kept, still nothing sealed.
    let mut edit: Vec<(&str, &str)> = vec![
        ("amount", "800000"),
        ("kuji", "042"),
        ("breakdown", "一式"),
        ("confirm", "1"),
        ("intent", "edit"),
    ];
    let (status, html) = html_of(app.submit(&client, &path, &path, &edit).await).await;
    assert_eq!(status, 200);
    assert_eq!(attrs(&html, "input[name=amount]", "value"), ["800000"]);
    assert_eq!(attrs(&html, "input[name=kuji]", "value"), ["042"]);
    assert!(store.sealed_bids(id).await.expect("bids").is_empty());

    // Without a CSRF token the confirmation does nothing.
    let forged = client
        .post(app.url(&path))
        .form(&[("amount", "800000"), ("kuji", "042"), ("confirm", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 403);
    assert!(store.sealed_bids(id).await.expect("bids").is_empty());

    // Confirmed: sealed, stored, the receipt page and the receipt mail.
    edit.pop();
    let (status, html) = html_of(app.submit(&client, &path, &path, &edit).await).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["入札を受け付けました"]);
    assert_eq!(texts(&html, "p.notice[role=status]").len(), 1);
    let bids = store.sealed_bids(id).await.expect("bids");
    assert_eq!(bids.len(), 1);
    let r = &bids[0].receipt;
    let page = texts(&html, "main p").join("\n");
    for fact in [
        format!("受付番号：{}", r.receipt_no),
        format!("受付時刻：{}", domain::time::jst_datetime_ms(r.received_at)),
        format!("（SHA-256）：{}", r.sealed_hash),
        format!("案件名：{title}"),
    ] {
        assert!(page.contains(&fact), "{fact} in {page}");
    }
    let mail = app.mail(&user.email, "入札を受け付けました").await;
    for fact in [
        r.receipt_no.as_str(),
        r.sealed_hash.as_str(),
        &domain::time::jst_datetime_ms(r.received_at),
        &title,
    ] {
        assert!(mail.contains(fact), "{fact} in the mail: {mail}");
    }
    for amount in ["800000", "800,000", "８００"] {
        assert!(!mail.contains(amount), "no amount in the mail: {mail}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn the_confirmation_seals_nothing_and_the_receipt_is_mailed_without_the_amount_on_sqlite() {
    the_confirmation_seals_nothing_and_the_receipt_is_mailed_without_the_amount(Backend::Sqlite)
        .await;
}

#[tokio::test]
async fn the_confirmation_seals_nothing_and_the_receipt_is_mailed_without_the_amount_on_postgres() {
    the_confirmation_seals_nothing_and_the_receipt_is_mailed_without_the_amount(Backend::Postgres)
        .await;
}

#[tokio::test]
async fn declining_does_nothing_until_confirmed() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let id =
        testkit::tenders::published_case(store, &kek, terms(schedule(now, -H, H)), 1, now - 11 * H)
            .await;
    let (client, _) = bidder(&app, &[id], 1, now).await;
    let path = format!("/cases/{id}/decline");
    let (status, html) = get(&app, &client, &path).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["入札を辞退してよろしいですか"]);
    assert!(texts(&html, ".caution").join("").contains("取り消せません"));
    assert_eq!(
        attrs(&html, "main a", "href").last().map(String::as_str),
        Some(format!("/cases/{id}/bid").as_str())
    );
    // A POST without confirm=1 (an old form, a crafted request) only asks again.
    let (status, html) = html_of(
        app.submit(&client, &path, &path, &[("confirm", "on")])
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["入札を辞退してよろしいですか"]);
    assert!(store.sealed_bids(id).await.expect("bids").is_empty());
    let (status, html) =
        html_of(app.submit(&client, &path, &path, &[("confirm", "1")]).await).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["辞退を受け付けました"]);
    assert!(
        store.sealed_bids(id).await.expect("bids")[0]
            .receipt
            .declined
    );
    app.shutdown().await;
}

#[tokio::test]
async fn my_page_lists_the_companys_e_tenders_with_their_phase_and_next_date() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let staff = Actor::cli("test");
    let published = |s, n| {
        let kek = kek.clone();
        async move { testkit::tenders::published_case(store, &kek, terms(s), n, now - 11 * H).await }
    };
    // Applications open until an hour from now.
    let mut applying = schedule(now, 3 * H, 4 * H);
    applying.application_deadline = now + H;
    applying.qualification_notice_at = now + 2 * H;
    let applied = published(applying, 1).await;
    let nominated = published(schedule(now, -H, H), 2).await;
    let bid = published(schedule(now, -H, 2 * H), 3).await;
    let declined = published(schedule(now, -H, 3 * H), 4).await;
    let elsewhere = published(schedule(now, -H, H), 5).await;
    let (client, user) = bidder(&app, &[nominated, bid, declined], 1, now).await;
    let company = user.company_id.expect("company");
    store
        .set_participation(
            applied,
            company,
            store::Participation::Applied,
            None,
            &staff,
            now - H,
        )
        .await
        .expect("applied");
    let receipt = etender::submit(
        store,
        bid,
        company,
        Some(user.id),
        &etender::BidContent {
            amount: 700_000,
            kuji: "123".into(),
            breakdown: String::new(),
        },
        &staff,
        now - 1_000,
    )
    .await
    .expect("bid");
    let decline = store
        .submit_bid(declined, company, Some(user.id), None, &staff, now - 1_000)
        .await
        .expect("decline");

    let (status, html) = get(&app, &client, "/mypage").await;
    assert_eq!(status, 200);
    let rows: Vec<Vec<String>> = html
        .select(
            &testkit::Selector::parse("section[aria-labelledby=tenders-title] tbody tr")
                .expect("selector"),
        )
        .map(|tr| {
            tr.select(&testkit::Selector::parse("td").expect("selector"))
                .map(|td| td.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    let mut titled = std::collections::HashMap::new();
    for id in [applied, nominated, bid, declined, elsewhere] {
        titled.insert(id, futures_title(store, id).await);
    }
    let row = |id: i64| {
        rows.iter()
            .find(|r| r[0] == titled[&id])
            .cloned()
            .unwrap_or_else(|| panic!("no row for {}: {rows:?}", titled[&id]))
    };
    let when = |ms| domain::When::At(ms).label();
    let r = row(applied);
    assert_eq!(r[1], "審査待ち");
    assert_eq!(r[2], "参加申請受付中");
    assert_eq!(r[3], format!("参加申請締切：{}", when(now + H)));
    assert_eq!(r[4], "", "nothing to do but wait");
    let r = row(nominated);
    assert_eq!(r[1], "指名");
    assert_eq!(r[2], "入札書受付中");
    assert_eq!(r[3], format!("入札締切：{}", when(now + H)));
    assert_eq!(r[4], "入札する");
    let r = row(bid);
    assert_eq!(r[1], format!("入札済み（受付番号 {}）", receipt.receipt_no));
    assert_eq!(r[4], "");
    let r = row(declined);
    assert_eq!(r[1], format!("辞退（受付番号 {}）", decline.receipt_no));
    assert!(
        !rows.iter().any(|r| r[0] == titled[&elsewhere]),
        "not a tender it takes part in"
    );
    assert_eq!(
        attrs(
            &html,
            "section[aria-labelledby=tenders-title] a[href$='/bid']",
            "href"
        ),
        [format!("/cases/{nominated}/bid")]
    );
    assert_eq!(
        texts(&html, "#entries-title").len(),
        1,
        "entries beside the e-tenders"
    );
    app.shutdown().await;
}

async fn futures_title(store: &store::Store, id: i64) -> String {
    store
        .case(id)
        .await
        .expect("read")
        .expect("case")
        .fields
        .title
}
