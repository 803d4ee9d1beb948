//! The staff's e-tender pages and what they keep apart: an organisation's
//! staff see only their organisation's tenders and application documents,
//! a bad notice is answered beside its fields in Japanese, a revoked API
//! token opens nothing and is listed as revoked.

use domain::{Role, StaffRole};
use store::{Actor, NewUser};
use testkit::people::PASSWORD;
use testkit::{TestApp, texts};

/// A signed-in client for a new user holding `role` (person `n`).
async fn signed_in(app: &TestApp, role: Role, n: u32) -> (reqwest::Client, i64) {
    app.signed_in(role, n).await
}

/// Staff of the second ordering organisation.
async fn other_staff(app: &TestApp) -> reqwest::Client {
    let store = app.db.store();
    let org = store.ordering_organizations().await.expect("orgs")[1].id;
    let email = domain::EmailAddress::parse("other-org@example.jp").expect("email");
    store
        .create_staff(
            &NewUser {
                email,
                name: "他組織 職員".into(),
                password_hash: domain::password_hash::hash(
                    &domain::Password::parse(PASSWORD).expect("password"),
                )
                .expect("hash"),
            },
            StaffRole::OrgStaff,
            Some((org, None)),
            &Actor::cli("test"),
            1,
        )
        .await
        .expect("staff");
    let client = TestApp::new_client();
    app.sign_in(&client, "other-org@example.jp", PASSWORD).await;
    client
}

fn notice_fields(org: i64, deadline: &str, opening: &str, minimum: &str) -> Vec<(String, String)> {
    let now = web::auth::now_ms();
    let at = |h: i64| domain::time::jst_input_value(now + h * 3_600_000);
    [
        ("department", format!("{org}:")),
        ("title", "公園樹木剪定業務委託".to_owned()),
        ("description", "市内公園の高木剪定".to_owned()),
        ("category", "services".to_owned()),
        ("procedure", "designated_competitive".to_owned()),
        ("published_at", at(1)),
        ("application_deadline", at(2)),
        ("qualification_notice_at", at(3)),
        ("bidding_opens_at", at(4)),
        ("bid_deadline", deadline.to_owned()),
        ("opening_at", opening.to_owned()),
        ("ceiling_yen", "500000".to_owned()),
        ("minimum_yen", minimum.to_owned()),
        ("award_method", "lowest_price".to_owned()),
        ("grades", "A".to_owned()),
        ("regions", "13".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.submit(client, "/org/tenders/new", "/org/tenders", &pairs)
        .await
}

#[tokio::test]
async fn a_notice_with_dates_out_of_order_or_a_minimum_over_the_ceiling_is_answered_beside_its_fields()
 {
    let app = TestApp::spawn().await;
    let (staff, _) = signed_in(&app, Role::OrgStaff, 0).await;
    let org = app.db.store().ordering_organizations().await.expect("orgs")[0].id;
    let now = web::auth::now_ms();
    let at = |h: i64| domain::time::jst_input_value(now + h * 3_600_000);
    let r = post_form(&app, &staff, &notice_fields(org, &at(6), &at(5), "900000")).await;
    assert_eq!(r.status(), 422);
    let page = testkit::Html::parse_document(&r.text().await.expect("body"));
    let summary = texts(&page, ".error-summary li");
    assert!(
        summary
            .iter()
            .any(|s| s.contains("開札日時は入札締切より後")),
        "{summary:?}"
    );
    assert!(
        summary
            .iter()
            .any(|s| s.contains("最低制限価格は予定価格以下")),
        "{summary:?}"
    );
    assert_eq!(
        app.db
            .store()
            .staff_tenders(None)
            .await
            .expect("list")
            .len(),
        0,
        "nothing half-written"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn staff_see_only_their_organisations_tenders_and_application_documents() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (staff, _) = signed_in(&app, Role::OrgStaff, 0).await;
    let org = store.ordering_organizations().await.expect("orgs")[0].id;
    let now = web::auth::now_ms();
    let at = |h: i64| domain::time::jst_input_value(now + h * 3_600_000);
    let r = post_form(&app, &staff, &notice_fields(org, &at(5), &at(6), "")).await;
    assert_eq!(r.status(), 303, "saved as a draft");
    let manage = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let id: i64 = manage.rsplit('/').next().expect("id").parse().expect("id");
    let page = staff
        .get(app.url(&manage))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("公園樹木剪定業務委託") && page.contains("公告する"));

    // Another organisation's staff: not in their list, and not there at all.
    let other = other_staff(&app).await;
    let list = other
        .get(app.url("/org/tenders"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(!list.contains("公園樹木剪定業務委託"));
    let r = other.get(app.url(&manage)).send().await.expect("get");
    assert_eq!(r.status(), 404);
    let r = app
        .submit(&other, "/org/tenders", &format!("{manage}/publish"), &[])
        .await;
    assert_eq!(r.status(), 404, "nor can they publish it");

    // An application's document: for the applicant and the organisation only.
    store
        .tender_action(
            id,
            domain::tender::Action::Amend(domain::tender::Schedule {
                published_at: now - 3_600_000,
                ..store
                    .tender(id)
                    .await
                    .expect("read")
                    .expect("tender")
                    .tender
                    .schedule
            }),
            &Actor::cli("test"),
            now,
        )
        .await
        .expect("amend the draft");
    let r = app
        .submit(&staff, &manage, &format!("{manage}/publish"), &[])
        .await;
    assert_eq!(r.status(), 200, "公告 first asks");
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("公告してよろしいですか")
    );
    let r = app
        .submit(
            &staff,
            &manage,
            &format!("{manage}/publish"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (applicant, user) = signed_in(&app, Role::ReceivingCompany, 1).await;
    let company = store
        .user(user)
        .await
        .expect("read")
        .expect("user")
        .company_id
        .expect("company");
    let form = reqwest::multipart::Form::new()
        .text(
            "csrf_token",
            app.csrf(&applicant, &format!("/cases/{id}/participate"))
                .await,
        )
        .text("grade", "A")
        .text("message", "よろしくお願いします。")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"%PDF-1.7\n".to_vec()).file_name("申請書.pdf"),
        );
    let r = applicant
        .post(app.url(&format!("/cases/{id}/participate")))
        .multipart(form)
        .send()
        .await
        .expect("apply");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let file = store
        .participant(id, company)
        .await
        .expect("read")
        .expect("applied")
        .files[0]
        .href();
    let r = applicant
        .get(app.url(&format!("/cases/{id}/bid")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403, "not admitted yet: no bid form");
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("参加資格を認められた企業")
    );
    let (stranger, _) = signed_in(&app, Role::ReceivingCompany, 2).await;
    let (operator, _) = signed_in(&app, Role::Operator, 3).await;
    let (administrator, _) = signed_in(&app, Role::Admin, 4).await;
    for (who, client, status) in [
        ("the applicant", &applicant, 200),
        ("the organisation", &staff, 200),
        // An administrator acts for any organisation (its tenders' pages too).
        ("an administrator", &administrator, 200),
        // Operators review companies, not e-tender applications.
        ("an operator", &operator, 404),
        ("another company", &stranger, 404),
        ("another organisation", &other, 404),
        ("a visitor", &app.client, 404),
    ] {
        let r = client.get(app.url(&file)).send().await.expect("get");
        assert_eq!(r.status(), status, "{who}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_revoked_api_token_opens_nothing() {
    let app = TestApp::spawn().await;
    let (client, _) = signed_in(&app, Role::ReceivingCompany, 1).await;
    let page = app
        .submit(
            &client,
            "/account/tokens",
            "/account/tokens",
            &[("name", "連携")],
        )
        .await
        .text()
        .await
        .expect("page");
    let token = format!(
        "cnv_{}",
        page.split("value=\"cnv_")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("token shown once")
    );
    let api = |token: String| {
        let app = &app;
        async move {
            TestApp::new_client()
                .post(app.url("/api/v1/tenders/999/questions"))
                .bearer_auth(token)
                .json(&serde_json::json!({"question": "?"}))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        }
    };
    assert_eq!(api(token.clone()).await, 404, "the token signs in");
    let list = client
        .get(app.url("/account/tokens"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(!list.contains(&token), "a token is shown only once");
    let id = app
        .db
        .store()
        .api_tokens(
            app.db
                .store()
                .user_by_api_token(&domain::audit::token_hash(&token), 0)
                .await
                .expect("read")
                .expect("user")
                .id,
        )
        .await
        .expect("tokens")[0]
        .id;
    let r = app
        .submit(
            &client,
            "/account/tokens",
            &format!("/account/tokens/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(api(token).await, 403, "revoked");
    assert_eq!(api("cnv_forged".into()).await, 403);
    app.shutdown().await;
}

#[tokio::test]
async fn the_token_list_shows_each_tokens_own_name_times_and_revocation() {
    let app = TestApp::spawn().await;
    let (client, user) = signed_in(&app, Role::ReceivingCompany, 1).await;
    for name in ["連携", "予備"] {
        let r = app
            .submit(
                &client,
                "/account/tokens",
                "/account/tokens",
                &[("name", name)],
            )
            .await;
        assert_eq!(r.status(), 200, "{name} created");
    }
    let store = app.db.store();
    let id_of = |tokens: &[store::ApiToken], name: &str| {
        tokens.iter().find(|t| t.name == name).expect("token").id
    };
    let revoked = id_of(&store.api_tokens(user).await.expect("tokens"), "連携");
    let r = app
        .submit(
            &client,
            "/account/tokens",
            &format!("/account/tokens/{revoked}/revoke"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let tokens = store.api_tokens(user).await.expect("tokens");
    let kept = id_of(&tokens, "予備");
    let html = testkit::Html::parse_document(
        &client
            .get(app.url("/account/tokens"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body"),
    );
    let mut rows = Vec::new();
    for t in &tokens {
        let state = match t.revoked_at {
            Some(at) => format!("無効（{}に無効化）", domain::time::jst_datetime(at)),
            None => "無効にする".to_owned(),
        };
        rows.extend([
            t.name.clone(),
            domain::time::jst_datetime(t.created_at),
            "未使用".to_owned(),
            state,
        ]);
    }
    assert_eq!(
        texts(&html, "table[aria-labelledby=list-title] tbody td"),
        rows,
        "name, created, last used and state, in the store's order"
    );
    assert_eq!(
        testkit::attrs(&html, "table[aria-labelledby=list-title] form", "action"),
        [format!("/account/tokens/{kept}/revoke")],
        "only the live token can be revoked"
    );
    assert_eq!(
        testkit::attrs(
            &html,
            "table[aria-labelledby=list-title] button",
            "aria-label"
        ),
        ["予備を無効にする"]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_schedule_saved_to_the_second_round_trips_unchanged_through_the_edit_form() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (staff, _) = signed_in(&app, Role::OrgStaff, 0).await;
    let org = store.ordering_organizations().await.expect("orgs")[0].id;
    // On a whole minute, so that every date below ends in :07.
    let now = web::auth::now_ms() / 60_000 * 60_000;
    let at = |h: i64| domain::time::jst_input_value(now + h * 3_600_000 + 7_000);
    let deadline = at(5);
    assert!(deadline.ends_with(":07"), "{deadline}");
    let r = post_form(&app, &staff, &notice_fields(org, &deadline, &at(6), "")).await;
    assert_eq!(r.status(), 303, "saved as a draft");
    let id = store.staff_tenders(None).await.expect("list")[0].0.id;
    let saved = store
        .tender(id)
        .await
        .expect("read")
        .expect("tender")
        .tender
        .schedule;
    assert_eq!(
        saved.bid_deadline,
        now + 5 * 3_600_000 + 7_000,
        "seconds read"
    );

    // The edit form shows the seconds in inputs that take them …
    let edit = format!("/org/tenders/{id}/edit");
    let html = testkit::Html::parse_document(
        &staff
            .get(app.url(&edit))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body"),
    );
    assert_eq!(
        testkit::attrs(&html, "input[name=bid_deadline]", "value"),
        [deadline]
    );
    assert_eq!(
        testkit::attrs(&html, "input[name=bid_deadline]", "step"),
        ["1"]
    );
    // … and sending it back as it is changes nothing.
    let fields: Vec<(String, String)> = html
        .select(
            &testkit::Selector::parse("main form input, main form select, main form textarea")
                .expect("selector"),
        )
        .filter_map(|e| {
            let name = e.value().attr("name")?.to_owned();
            if name == "csrf_token" || e.value().attr("type") == Some("file") {
                return None;
            }
            match e.value().name() {
                "textarea" => Some((name, e.text().collect())),
                "select" => e
                    .select(&testkit::Selector::parse("option[selected]").expect("selector"))
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .map(|v| (name, v.to_owned())),
                _ if matches!(e.value().attr("type"), Some("checkbox" | "radio")) => e
                    .value()
                    .attr("checked")
                    .map(|_| (name, e.value().attr("value").unwrap_or("1").to_owned())),
                _ => Some((name, e.value().attr("value").unwrap_or_default().to_owned())),
            }
        })
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app
        .submit(&staff, &edit, &format!("/org/tenders/{id}"), &pairs)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let again = store
        .tender(id)
        .await
        .expect("read")
        .expect("tender")
        .tender
        .schedule;
    assert_eq!(again, saved, "the schedule round-trips to the second");
    app.shutdown().await;
}
