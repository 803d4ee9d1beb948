//! What visitors see of an e-tender: its terms before the opening (予定価格
//! only when published beforehand), and after it the 入札結果 with the
//! 電子くじ's figures, reproducible from the page.

use domain::Role;
use domain::tender::{Action, Schedule};
use etender::{BidContent, open, submit};
use store::{Actor, Participation};
use testkit::people::person;
use testkit::{TestApp, texts};

#[tokio::test]
async fn the_case_page_publishes_the_results_and_the_kuji_after_the_opening() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let staff = Actor::cli("test");
    // A whole second, so that the receipts' milliseconds are the test's own.
    let now = web::auth::now_ms() / 1000 * 1000;
    let h = 3_600_000;
    let schedule = Schedule {
        published_at: now - 5 * h,
        application_deadline: now - 4 * h,
        qualification_notice_at: now - 4 * h,
        bidding_opens_at: now - 3 * h,
        bid_deadline: now - 2 * h,
        opening_at: now - h,
    };
    let terms = testkit::tenders::Terms {
        schedule,
        ceiling_yen: 1_000_000,
        ceiling_public: false,
        minimum_yen: Some(800_000),
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 6 * h).await;
    let mut retitled = store.case(id).await.expect("read").expect("case").fields;
    retitled.title = "庁舎清掃業務委託（電子入札）".into();
    store
        .upsert_case(&retitled, now - 6 * h)
        .await
        .expect("title");
    for (n, (amount, kuji)) in [(900_000, "333"), (900_000, "444"), (950_000, "555")]
        .iter()
        .enumerate()
    {
        let user = person(store, Role::ReceivingCompany, n as u32)
            .await
            .expect("bidder");
        let company = store
            .user(user)
            .await
            .expect("read")
            .expect("user")
            .company_id
            .expect("company");
        store
            .set_participation(
                id,
                company,
                Participation::Nominated,
                None,
                &staff,
                now - 5 * h,
            )
            .await
            .expect("nominate");
        let bid = BidContent {
            amount: *amount,
            kuji: (*kuji).into(),
            breakdown: String::new(),
        };
        submit(
            store,
            id,
            company,
            Some(user),
            &bid,
            &staff,
            now - 3 * h + 1_000 * n as i64 + 14,
        )
        .await
        .expect("bid");
    }
    app.indexed().await;
    let (_, before) = app.page(&format!("/cases/{id}")).await;
    assert!(
        before.html().contains("開札後に公表します"),
        "the ceiling stays secret"
    );
    assert!(!before.html().contains("900,000円"));

    open(store, &kek, id, &staff, now).await.expect("open");
    store
        .tender_action(id, Action::Award, &staff, now)
        .await
        .expect("award");
    app.indexed().await;
    let (status, after) = app.page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    let cells = texts(&after, "td");
    assert!(cells.contains(&"900,000円".to_owned()), "{cells:?}");
    assert!(cells.contains(&"落札".to_owned()), "{cells:?}");
    assert!(
        after.html().contains("1,000,000円"),
        "the ceiling is published at the opening"
    );
    // (333 + 014) + (444 + 014) = 805; 805 mod 2 = 1: the second received wins.
    assert!(
        after.html().contains("合計 805 ÷ 2人 の余り ＝ 1"),
        "{}",
        after.html()
    );
    assert!(
        cells.contains(&"くじ番号0：333＋014＝347".to_owned()),
        "{cells:?}"
    );
    let (status, help) = app.page("/help/kuji").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&help, "h1"), ["電子くじの決め方"]);
    app.shutdown().await;
}

#[tokio::test]
async fn the_bid_api_answers_every_refusal_as_a_json_error_in_japanese() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let _staff = Actor::cli("test");
    let now = web::auth::now_ms();
    let h = 3_600_000;
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: now - 4 * h,
            application_deadline: now - 3 * h,
            qualification_notice_at: now - 3 * h,
            bidding_opens_at: now - 2 * h,
            bid_deadline: now + h,
            opening_at: now + 2 * h,
        },
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 5 * h).await;
    let (nominated, _) = testkit::tenders::nominated_bidder(store, id, 1, now).await;
    let outsider = person(store, Role::ReceivingCompany, 2)
        .await
        .expect("outsider");
    let url = app.url(&format!("/api/v1/tenders/{id}/bids"));
    let (status, e) = post(&app, &url, nominated, "{\"amount\": ").await;
    assert_eq!(status, 400);
    assert!(e["error"]["message"].as_str().unwrap().contains("JSON"));
    let (status, e) = post(
        &app,
        &url,
        nominated,
        "{\"amount\": 500000, \"kuji\": \"12\"}",
    )
    .await;
    assert_eq!(status, 422);
    assert!(e["error"]["message"].as_str().unwrap().contains("3桁"));
    let (status, e) = post(
        &app,
        &url,
        outsider,
        "{\"amount\": 500000, \"kuji\": \"123\"}",
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("参加資格"),
        "{e}"
    );
    let (status, r) = post(
        &app,
        &url,
        nominated,
        "{\"amount\": 500000, \"kuji\": \"123\"}",
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert!(
        r["receipt_no"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{id}-"))
    );
    assert_eq!(r["sealed_sha256"].as_str().unwrap().len(), 64);
    let (status, e) = post(
        &app,
        &url,
        nominated,
        "{\"amount\": 400000, \"kuji\": \"123\"}",
    )
    .await;
    // A second bid collides with the first: 409, code "conflict".
    assert_eq!(status, 409);
    assert_eq!(e["error"]["code"], "conflict");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("一度だけ"),
        "{e}"
    );
    app.shutdown().await;
}

/// POSTs `body` as JSON to `url` as `user`; the status and the JSON answer.
async fn post(app: &TestApp, url: &str, user: i64, body: &str) -> (u16, serde_json::Value) {
    let s = testkit::people::session(app.db.store(), Some(user)).await;
    let r = TestApp::new_client()
        .post(url)
        .header("cookie", s.cookie)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    (status, r.json::<serde_json::Value>().await.expect("json"))
}

#[tokio::test]
async fn a_nominated_company_bids_from_the_page_and_keeps_its_receipt() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let staff = Actor::cli("test");
    let now = web::auth::now_ms();
    let h = 3_600_000;
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: now - 4 * h,
            application_deadline: now - 3 * h,
            qualification_notice_at: now - 3 * h,
            bidding_opens_at: now - 2 * h,
            bid_deadline: now + h,
            opening_at: now + 2 * h,
        },
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 5 * h).await;
    let bidder = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("bidder");
    let b = store.user(bidder).await.expect("read").expect("user");
    store
        .set_participation(
            id,
            b.company_id.expect("company"),
            Participation::Nominated,
            None,
            &staff,
            now,
        )
        .await
        .expect("nominate");
    let client = TestApp::new_client();
    app.sign_in(&client, &b.email, testkit::people::PASSWORD)
        .await;
    app.indexed().await;
    let page = client
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains(&format!("/cases/{id}/bid"))
            && page.contains(&format!("/cases/{id}/decline")),
        "the case page offers a nominated company bidding and declining"
    );
    let (_, anonymous) = app.page(&format!("/cases/{id}")).await;
    assert!(
        !anonymous.html().contains(&format!("/cases/{id}/bid")),
        "no bid button for a visitor"
    );

    let bid_page = format!("/cases/{id}/bid");
    let r = app
        .submit(
            &client,
            &bid_page,
            &bid_page,
            &[("amount", "５００，０００"), ("kuji", "12")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = testkit::Html::parse_document(&r.text().await.expect("body"));
    assert!(texts(&html, ".field__error")[0].contains("3桁"));
    // A 内訳 longer than a sealed bid holds is told beside its field.
    let long = "内".repeat(etender::BREAKDOWN_MAX_CHARS + 1);
    let r = app
        .submit(
            &client,
            &bid_page,
            &bid_page,
            &[("amount", "500000"), ("kuji", "042"), ("breakdown", &long)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = testkit::Html::parse_document(&r.text().await.expect("body"));
    let errors = texts(&html, ".field__error[id$=breakdown-error]");
    assert_eq!(texts(&html, ".field__error"), errors, "only the 内訳");
    assert!(errors[0].contains("内訳は2,000文字以内"), "{errors:?}");

    let r = app
        .submit(
            &client,
            &bid_page,
            &bid_page,
            &[
                ("amount", "５００,０００"),
                ("kuji", "０４２"),
                ("breakdown", "一式"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = testkit::Html::parse_document(&r.text().await.expect("body"));
    assert_eq!(texts(&html, "h1"), ["入札内容の確認"]);
    assert!(store.sealed_bids(id).await.expect("bids").is_empty());
    let r = app
        .submit(
            &client,
            &bid_page,
            &bid_page,
            &[
                ("amount", "500000"),
                ("kuji", "042"),
                ("breakdown", "一式"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = testkit::Html::parse_document(&r.text().await.expect("body"));
    assert_eq!(texts(&html, "h1"), ["入札を受け付けました"]);
    assert!(html.html().contains(&format!("受付番号：{id}-")));
    // Coming back shows the receipt, not the form.
    let again = testkit::Html::parse_document(
        &client
            .get(app.url(&bid_page))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body"),
    );
    assert_eq!(texts(&again, "h1"), ["入札を受け付けました"]);
    let bids = store.sealed_bids(id).await.expect("bids");
    assert_eq!(bids.len(), 1);
    assert!(
        !bids[0]
            .sealed
            .as_ref()
            .expect("sealed")
            .windows(6)
            .any(|w| w == b"500000")
    );
    app.shutdown().await;
}
