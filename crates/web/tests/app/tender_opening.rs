//! The opening as the public and staff see it: after it, every opened bid's
//! receipt (受付番号 and the SHA-256 of the sealed bid) is published on the
//! case page and in the API, equal to the receipt its bidder got, and
//! nothing of it before; a second opening is told the tender is already
//! opened; once bidding has opened, a 変更公告 may extend the deadline but
//! not bring it forward — on the staff page and in the API alike.

use domain::Role;
use domain::tender::Schedule;
use etender::{BidContent, submit};
use serde_json::{Value, json};
use store::{Actor, Receipt};
use testkit::people::{PASSWORD, person};
use testkit::{TestApp, attrs, texts};

const H: i64 = 3_600_000;

/// A signed-in administrator (who manages every tender): (client, user id).
async fn admin(app: &TestApp) -> (reqwest::Client, i64) {
    let store = app.db.store();
    let id = person(store, Role::Admin, 0).await.expect("admin");
    let user = store.user(id).await.expect("read").expect("user");
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, PASSWORD).await;
    (client, id)
}

/// Calls the API as `user` (its session), with a JSON body for a POST.
async fn api(app: &TestApp, user: Option<i64>, path: &str, body: Option<Value>) -> (u16, Value) {
    let s = testkit::people::session(app.db.store(), user).await;
    let client = TestApp::new_client();
    let r = match body {
        Some(b) => client.post(app.url(path)).json(&b),
        None => client.get(app.url(path)),
    };
    let r = r.header("cookie", s.cookie).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A tender (under the server's KEK) whose bidding closed an hour ago and
/// whose opening time has come, with three bids and a decline received
/// while bidding was open: (tender id, the bids' receipts in order of receipt).
async fn closed_with_bids(app: &TestApp) -> (i64, Vec<Receipt>) {
    let store = app.db.store();
    let kek = app.state.kek.clone().expect("the server's KEK");
    let now = web::auth::now_ms();
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: now - 5 * H,
            application_deadline: now - 4 * H,
            qualification_notice_at: now - 4 * H,
            bidding_opens_at: now - 3 * H,
            bid_deadline: now - 2 * H,
            opening_at: now - H,
        },
        ceiling_yen: 1_000_000,
        ceiling_public: false,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 6 * H).await;
    let staff = Actor::cli("test");
    let mut receipts = Vec::new();
    for (n, amount) in [900_000, 1, 950_000].into_iter().enumerate() {
        let (user, company) =
            testkit::tenders::nominated_bidder(store, id, 30 + n as u32, now - 5 * H).await;
        let bid = BidContent {
            amount,
            kuji: format!("{n:03}"),
            breakdown: if n == 0 {
                "一式".into()
            } else {
                String::new()
            },
        };
        let at = now - 3 * H + 1_000 * n as i64;
        receipts.push(
            submit(store, id, company, Some(user), &bid, &staff, at)
                .await
                .expect("bid"),
        );
    }
    let (_, decliner) = testkit::tenders::nominated_bidder(store, id, 39, now - 5 * H).await;
    store
        .submit_bid(id, decliner, None, None, &staff, now - 3 * H + 10_000)
        .await
        .expect("decline");
    (id, receipts)
}

fn page_column(html: &testkit::Html, n: usize) -> Vec<String> {
    texts(
        html,
        &format!("table[aria-labelledby=bid-results-title] tbody td:nth-child({n})"),
    )
}

#[tokio::test]
async fn after_the_opening_every_bids_receipt_number_and_hash_is_published_and_nothing_before() {
    let app = TestApp::spawn().await;
    let (id, receipts) = closed_with_bids(&app).await;
    let (_, staff) = admin(&app).await;
    app.indexed().await;

    // Before the opening: neither the page nor the API shows any receipt.
    let (status, before) = app.page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(texts(&before, "#bid-results-title").is_empty());
    let (status, public) = api(&app, None, &format!("/api/v1/tenders/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(public["results"], Value::Null);
    for r in &receipts {
        assert!(!before.html().contains(&r.sealed_hash));
        assert!(!public.to_string().contains(&r.sealed_hash));
    }

    let (status, opened) = api(
        &app,
        Some(staff),
        &format!("/api/v1/tenders/{id}/open"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    app.indexed().await;

    // The page: one row per opened bid (the decline is none), with the
    // receipt number and hash its bidder was given.
    let (_, after) = app.page(&format!("/cases/{id}")).await;
    let numbers: Vec<String> = receipts.iter().map(|r| r.receipt_no.clone()).collect();
    let hashes: Vec<String> = receipts.iter().map(|r| r.sealed_hash.clone()).collect();
    assert_eq!(page_column(&after, 6), numbers);
    assert_eq!(page_column(&after, 7), hashes);
    assert_eq!(
        texts(&after, "table[aria-labelledby=bid-results-title] thead th")[5..],
        ["受付番号", "封印した入札のハッシュ（SHA-256）"]
    );

    // The API: each bid's receipt in the shape the bidder's receipt has.
    let (_, public) = api(&app, None, &format!("/api/v1/tenders/{id}"), None).await;
    let bids = public["results"]["bids"].as_array().expect("bids");
    assert_eq!(bids.len(), receipts.len());
    for (b, r) in bids.iter().zip(&receipts) {
        assert_eq!(
            b["receipt"],
            json!({
                "receipt_no": r.receipt_no,
                "received_at": domain::time::jst_rfc3339(r.received_at),
                "received_at_ms": r.received_at,
                "sealed_sha256": r.sealed_hash,
                "declined": false,
            })
        );
    }
    // What the bidder was given is the hash of what is stored and was opened.
    let stored = app.db.store().sealed_bids(id).await.expect("bids");
    for r in &receipts {
        let bid = stored
            .iter()
            .find(|b| b.receipt.receipt_no == r.receipt_no)
            .expect("stored");
        let sealed = bid.sealed.as_deref().expect("sealed");
        assert_eq!(domain::audit::sha256_hex(sealed), r.sealed_hash);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_second_opening_is_told_the_tender_is_already_opened() {
    let app = TestApp::spawn().await;
    let (id, _) = closed_with_bids(&app).await;
    let (client, staff) = admin(&app).await;
    let open = format!("/api/v1/tenders/{id}/open");
    let (status, _) = api(&app, Some(staff), &open, Some(json!({}))).await;
    assert_eq!(status, 200);

    let (status, again) = api(&app, Some(staff), &open, Some(json!({}))).await;
    assert_eq!(status, 422, "{again}");
    let message = again["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("既に開札しています"), "{message}");
    assert!(!message.contains("開札日時の前"), "{message}");

    // The staff page (a second tab, a double click) says the same.
    let manage = format!("/org/tenders/{id}");
    let r = app
        .submit(&client, &manage, &format!("{manage}/open"), &[])
        .await;
    assert_eq!(r.status(), 422);
    let page = testkit::Html::parse_document(&r.text().await.expect("body"));
    let said = texts(&page, ".error-summary p").join("");
    assert!(said.contains("既に開札しています"), "{said}");

    // And after the award.
    let (status, _) = api(
        &app,
        Some(staff),
        &format!("/api/v1/tenders/{id}/award"),
        Some(json!({"decision": "award"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, again) = api(&app, Some(staff), &open, Some(json!({}))).await;
    assert_eq!(status, 422);
    let message = again["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("既に開札しています"), "{message}");
    assert_eq!(
        app.db
            .store()
            .opening(id)
            .await
            .expect("read")
            .expect("opened")
            .results
            .len(),
        3,
        "opened once"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn once_bidding_has_opened_a_change_notice_may_extend_the_deadline_but_not_bring_it_forward()
{
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = app.state.kek.clone().expect("the server's KEK");
    // Dates to the second, as the API may set them.
    let now = web::auth::now_ms() / 1000 * 1000;
    let schedule = Schedule {
        published_at: now - 4 * H + 7_000,
        application_deadline: now - 3 * H,
        qualification_notice_at: now - 3 * H,
        bidding_opens_at: now - 2 * H + 15_000,
        bid_deadline: now + H + 30_000,
        opening_at: now + 2 * H,
    };
    let terms = testkit::tenders::Terms {
        schedule,
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 5 * H).await;
    let (client, staff) = admin(&app).await;
    let at = domain::time::jst_rfc3339;
    let body = |deadline: i64, opening: i64| {
        json!({
            "published_at": at(schedule.published_at),
            "application_deadline": at(schedule.application_deadline),
            "qualification_notice_at": at(schedule.qualification_notice_at),
            "bidding_opens_at": at(schedule.bidding_opens_at),
            "bid_deadline": at(deadline),
            "opening_at": at(opening),
        })
    };
    let amend = format!("/api/v1/tenders/{id}/amend");

    // Five seconds from now: refused with the reason, nothing changed.
    let (status, e) = api(
        &app,
        Some(staff),
        &amend,
        Some(body(now + 5_000, now + 10_000)),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    let message = e["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("入札締切を早めることはできません"),
        "{message}"
    );
    let unchanged = store.tender(id).await.expect("read").expect("tender");
    assert_eq!(unchanged.tender.schedule, schedule);

    // The staff page: the 変更公告 form as it is shown, with only the
    // deadline and the opening changed.
    let manage = format!("/org/tenders/{id}");
    let shown = testkit::Html::parse_document(
        &client
            .get(app.url(&manage))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body"),
    );
    let amend_form = |deadline: i64, opening: i64| -> Vec<(String, String)> {
        [
            "published_at",
            "application_deadline",
            "qualification_notice_at",
            "bidding_opens_at",
        ]
        .iter()
        .map(|name| {
            let value = attrs(
                &shown,
                &format!("form[action$='/amend'] input[name={name}]"),
                "value",
            );
            (name.to_string(), value.concat())
        })
        .chain([
            ("bid_deadline".into(), domain::time::jst_rfc3339(deadline)),
            ("opening_at".into(), domain::time::jst_rfc3339(opening)),
        ])
        .collect()
    };
    let send = |fields: Vec<(String, String)>| {
        let client = client.clone();
        let (manage, app) = (manage.clone(), &app);
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.submit(&client, &manage, &format!("{manage}/amend"), &pairs)
                .await
        }
    };
    let r = send(amend_form(now + 60_000, now + 120_000)).await;
    assert_eq!(r.status(), 422);
    let page = testkit::Html::parse_document(&r.text().await.expect("body"));
    let said = texts(&page, ".error-summary p").join("");
    assert!(said.contains("入札締切を早めることはできません"), "{said}");
    let read = || async {
        store
            .tender(id)
            .await
            .expect("read")
            .expect("tender")
            .tender
            .schedule
    };
    assert_eq!(read().await, schedule);

    // Extending the deadline, and the opening with it, is accepted: on the
    // page (the dates already passed sent back as shown, to the second)…
    let r = send(amend_form(now + 2 * H, now + 3 * H)).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let extended = read().await;
    assert_eq!(extended.bid_deadline, now + 2 * H);
    assert_eq!(extended.opening_at, now + 3 * H);
    assert_eq!(extended.published_at, schedule.published_at);
    assert_eq!(extended.bidding_opens_at, schedule.bidding_opens_at);
    // …and in the API.
    let (status, ok) = api(
        &app,
        Some(staff),
        &amend,
        Some(body(now + 3 * H, now + 4 * H)),
    )
    .await;
    assert_eq!(status, 200, "{ok}");
    let extended = read().await;
    assert_eq!(extended.bid_deadline, now + 3 * H);
    assert_eq!(extended.opening_at, now + 4 * H);
    app.shutdown().await;
}
