//! The whole e-tender story through the JSON API, as the two sides' own
//! tools would run it with API tokens: notice with documents, applications,
//! review, a nomination, a question answered publicly, a 変更公告, bids, a
//! decline, the opening with a tie settled by 電子くじ, the award and the
//! published result — with the mails each side receives and the audit
//! chain intact. On SQLite and on PostgreSQL.

use base64::Engine;
use domain::Role;
use serde_json::{Value, json};
use testkit::people::{PASSWORD, person};
use testkit::{Backend, TestApp};

use crate::conformance::Conformance;

/// A user's email, and an API token made on the tokens page in their session.
async fn token_for(app: &TestApp, role: Role, n: u32) -> (String, String, i64) {
    let store = app.db.store();
    let id = person(store, role, n).await.expect("person");
    let user = store.user(id).await.expect("read").expect("user");
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, PASSWORD).await;
    let page = app
        .submit(
            &client,
            "/account/tokens",
            "/account/tokens",
            &[("name", "入札システム連携")],
        )
        .await
        .text()
        .await
        .expect("page");
    let token = page
        .split("value=\"cnv_")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|t| format!("cnv_{t}"))
        .expect("the new token is shown once");
    (user.email, token, user.company_id.unwrap_or_default())
}

struct Api<'a> {
    app: &'a TestApp,
    token: String,
    /// Every answer, to be checked against the OpenAPI document.
    seen: &'a Conformance,
}

impl Api<'_> {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = self.app.url(path);
        let client = TestApp::new_client();
        let mut r = match method {
            "GET" => client.get(url),
            _ => client.post(url),
        };
        if !self.token.is_empty() {
            r = r.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let response = r.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        self.seen.saw(method, path, status, &body);
        (status, body)
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(
            status == 200 || status == 201,
            "{method} {path}: {status} {v}"
        );
        v
    }

    /// A refusal: its status and Japanese message.
    async fn refused(&self, path: &str, body: Value, status: u16, says: &str) {
        let (s, v) = self.call("POST", path, Some(body)).await;
        assert_eq!(s, status, "{path}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(says),
            "{path}: {message:?} should say {says:?}"
        );
    }
}

fn at(ms: i64) -> String {
    domain::time::jst_rfc3339(ms)
}

async fn the_whole_tender_story_runs_through_the_api(backend: Backend) {
    let app = TestApp::spawn_with_mail(backend).await;
    let store = app.db.store();
    let (_, staff_token, _) = token_for(&app, Role::OrgStaff, 0).await;
    let org = store.ordering_organizations().await.expect("orgs")[0].id;
    let seen = Conformance::of(&app).await;
    let staff = Api {
        app: &app,
        token: staff_token.clone(),
        seen: &seen,
    };
    let visitor = Api {
        app: &app,
        token: String::new(),
        seen: &seen,
    };
    let now = web::auth::now_ms();
    let (m, h) = (60_000, 3_600_000);
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let pdf64 = base64::engine::general_purpose::STANDARD.encode(pdf);

    // 公告: a draft with its 入札説明書, corrected, then published.
    let notice = |title: &str| {
        json!({
                "department": format!("{org}:"),
                "title": title,
                "description": "本庁舎の日常清掃（令和9年度）",
                "category": "services",
                "procedure": "open_competitive",
                "prefecture": 13,
                "published_at": at(now - 10 * m),
                "application_deadline": at(now + h),
                "qualification_notice_at": at(now + h),
                "bidding_opens_at": at(now + h),
                "bid_deadline": at(now + 2 * h),
                "opening_at": at(now + 2 * h),
                "ceiling_yen": 1_000_000,
                "minimum_yen": 800_000,
                "award_method": "lowest_price",
                "grades": ["A", "B"],
                "requested_documents": "競争参加資格確認申請書",
                "documents": [{"name": "入札説明書.pdf", "content_base64": pdf64}],
        })
    };
    let created = staff
        .ok("POST", "/api/v1/tenders", Some(notice("庁舎清掃業務")))
        .await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["phase"], "draft");
    assert_eq!(created["documents"].as_array().map(Vec::len), Some(1));
    let path = |p: &str| format!("/api/v1/tenders/{id}{p}");
    // The draft again, its first document replaced by a second one.
    let first_doc: i64 = created["documents"][0]["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|n| n.parse().ok())
        .expect("document id");
    let mut corrected = notice("庁舎清掃業務委託");
    corrected["remove_documents"] = json!([first_doc]);
    let updated = staff.ok("POST", &path(""), Some(corrected)).await;
    assert_eq!(updated["title"], "庁舎清掃業務委託");
    assert_eq!(updated["documents"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.db.store().case_files(id).await.expect("files").len(),
        1,
        "the first document removed, the second added"
    );
    let (status, _) = visitor.call("GET", &path(""), None).await;
    assert_eq!(status, 404, "a draft is not public");
    staff.ok("POST", &path("/publish"), Some(json!({}))).await;
    staff
        .refused(&path(""), notice("公告後の書き換え"), 422, "変更公告")
        .await;
    let public = visitor.ok("GET", &path(""), None).await;
    assert_eq!(public["phase"], "applications");
    assert_eq!(public["ceiling_yen"], Value::Null, "予定価格 kept secret");
    assert_eq!(public["minimum_yen"], Value::Null);

    // 参加希望申請: two qualify, one declares a grade the notice does not admit.
    let mut bidders = Vec::new();
    for n in 1..=3 {
        let (email, token, company) = token_for(&app, Role::ReceivingCompany, n).await;
        bidders.push((
            email,
            Api {
                app: &app,
                token,
                seen: &seen,
            },
            company,
        ));
    }
    for (i, (_, api, _)) in bidders.iter().enumerate() {
        api.ok(
            "POST",
            &path("/applications"),
            Some(json!({
                "grade": if i < 2 { "A" } else { "C" },
                "message": "よろしくお願いします。",
                "documents": [{"name": "申請書.pdf", "content_base64": pdf64}],
            })),
        )
        .await;
    }
    bidders[0]
        .1
        .refused(
            &path("/applications"),
            json!({"grade": "A"}),
            409,
            "既に参加申請",
        )
        .await;
    app.mail(&bidders[0].0, "参加申請を受け付けました").await;

    // 質問 and its public 回答, without the asker's name.
    let q = bidders[0]
        .1
        .ok(
            "POST",
            &path("/questions"),
            Some(json!({"question": "清掃の対象に地下駐車場は含まれますか。"})),
        )
        .await;
    let managed = staff.ok("GET", &path(""), None).await;
    assert_eq!(
        managed["questions"][0]["company_id"], bidders[0].2,
        "staff see who asked"
    );
    staff
        .ok(
            "POST",
            &path("/answers"),
            Some(json!({"question_id": q["question_id"], "answer": "含みません。"})),
        )
        .await;
    let public = visitor.ok("GET", &path(""), None).await;
    assert_eq!(public["questions"][0]["answer"], "含みません。");
    assert!(public["questions"][0].get("company_id").is_none());
    app.mail(&bidders[1].0, "質問への回答").await;

    // 資格審査: two admitted; one refused with its reason, which is required.
    let participants = staff.ok("GET", &path("/participants"), None).await;
    let list = participants["participants"].as_array().expect("list");
    assert_eq!(list.len(), 3);
    assert!(
        list[2]["unmet_requirements"][0]
            .as_str()
            .is_some_and(|u| u.contains("A・B")),
        "{list:?}"
    );
    assert_eq!(list[0]["documents"].as_array().map(Vec::len), Some(1));
    for (_, _, company) in &bidders[..2] {
        staff
            .ok(
                "POST",
                &path("/decisions"),
                Some(json!({"company_id": company, "decision": "approve"})),
            )
            .await;
    }
    staff
        .refused(
            &path("/decisions"),
            json!({"company_id": bidders[2].2, "decision": "reject"}),
            422,
            "理由",
        )
        .await;
    staff
        .ok(
            "POST",
            &path("/decisions"),
            Some(json!({"company_id": bidders[2].2, "decision": "reject", "reason": "C等級は参加資格がありません。"})),
        )
        .await;
    let rejected = app
        .mail(&bidders[2].0, "資格審査の結果（参加資格なし）")
        .await;
    assert!(rejected.contains("C等級は参加資格がありません。"));
    app.mail(&bidders[0].0, "資格審査の結果（参加資格あり）")
        .await;

    // 指名 of a fourth company by its 法人番号.
    let (email4, token4, _) = token_for(&app, Role::ReceivingCompany, 4).await;
    let fourth = Api {
        app: &app,
        token: token4,
        seen: &seen,
    };
    staff
        .ok(
            "POST",
            &path("/nominations"),
            Some(
                json!({"corporate_number": testkit::fixtures::corporate_number(1004).as_string()}),
            ),
        )
        .await;
    app.mail(&email4, "指名通知").await;

    // 変更公告: bidding opens now and closes in a few seconds.
    let start = web::auth::now_ms();
    let deadline = (start / 1000 + 4) * 1000;
    let new_schedule = json!({
        "published_at": at(now - 10 * m),
        "application_deadline": at(start - 2 * m),
        "qualification_notice_at": at(start - 2 * m),
        "bidding_opens_at": at(start - m),
        "bid_deadline": at(deadline),
        "opening_at": at(deadline),
        "note": "履行開始日の変更に伴い、日程を早めます。",
    });
    staff.ok("POST", &path("/amend"), Some(new_schedule)).await;
    let amended = app.mail(&bidders[0].0, "変更公告のお知らせ").await;
    assert!(amended.contains("入札締切"), "{amended}");

    // Bids: a tie between the two admitted companies; the nominee declines;
    // the refused company and a second bid are turned away.
    for (i, kuji) in ["123", "456"].iter().enumerate() {
        let r = bidders[i]
            .1
            .ok(
                "POST",
                &path("/bids"),
                Some(json!({"amount": 900_000, "kuji": kuji})),
            )
            .await;
        assert_eq!(r["sealed_sha256"].as_str().map(str::len), Some(64));
    }
    let declined = fourth.ok("POST", &path("/decline"), None).await;
    assert_eq!(declined["declined"], true);
    bidders[2]
        .1
        .refused(
            &path("/bids"),
            json!({"amount": 1, "kuji": "000"}),
            422,
            "参加資格",
        )
        .await;
    bidders[0]
        .1
        .refused(
            &path("/bids"),
            json!({"amount": 1, "kuji": "000"}),
            409,
            "一度だけ",
        )
        .await;
    let me = bidders[0].1.ok("GET", &path(""), None).await;
    assert_eq!(me["me"]["participation"], "approved");
    assert!(me["me"]["receipt"]["receipt_no"].is_string());
    staff
        .refused(&path("/open"), json!({}), 422, "開札日時の前")
        .await;

    // 開札 after the deadline: the tie is drawn by the published rule.
    let wait = deadline - web::auth::now_ms() + 200;
    tokio::time::sleep(std::time::Duration::from_millis(wait.max(0) as u64)).await;
    bidders[2]
        .1
        .refused(&path("/bids"), json!({"amount": 1, "kuji": "000"}), 422, "")
        .await;
    let opened = staff.ok("POST", &path("/open"), Some(json!({}))).await;
    assert_eq!(opened["phase"], "opened");
    let results = &opened["results"];
    let bids = results["bids"].as_array().expect("bids");
    assert_eq!(bids.len(), 2, "the decline is no bid");
    let receipts = staff.ok("GET", &path("/participants"), None).await;
    let received: Vec<i64> = receipts["bids"]
        .as_array()
        .expect("receipts")
        .iter()
        .filter(|b| b["declined"] == false)
        .map(|b| b["received_at_ms"].as_i64().expect("ms"))
        .collect();
    let parts: Vec<i64> = [123, 456]
        .iter()
        .zip(&received)
        .map(|(k, ms)| k + ms % 1000)
        .collect();
    let sum: i64 = parts.iter().sum();
    assert_eq!(results["kuji"]["sum"], sum);
    assert_eq!(results["kuji"]["drawn"], sum % 2);
    let winner = (sum % 2) as usize;
    assert_eq!(bids[winner]["winner"], true);
    assert_eq!(bids[1 - winner]["winner"], false);

    // 落札決定, the published result, and the mails.
    staff
        .ok("POST", &path("/award"), Some(json!({"decision": "award"})))
        .await;
    let public = visitor.ok("GET", &path(""), None).await;
    assert_eq!(public["phase"], "awarded");
    assert_eq!(public["ceiling_yen"], 1_000_000, "予定価格 published");
    assert_eq!(public["minimum_yen"], 800_000);
    assert_eq!(public["results"]["bids"][winner]["winner"], true);
    app.mail(&bidders[winner].0, "落札者決定のお知らせ").await;
    app.mail(&bidders[1 - winner].0, "入札結果のお知らせ").await;

    // Every event is in the audit chain, and the chain is whole.
    let entries = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("tender.".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "tender.publish",
        "tender.participation.applied",
        "tender.question",
        "tender.answer",
        "tender.participation.approved",
        "tender.participation.rejected",
        "tender.participation.nominated",
        "tender.amend",
        "tender.bid_received",
        "tender.bid_declined",
        "tender.open",
        "tender.award",
    ] {
        assert!(
            actions.contains(&wanted),
            "{wanted} missing from {actions:?}"
        );
    }
    let chain = store.verify_audit_chain().await.expect("verify");
    assert_eq!(chain.first_broken, None);

    // A token that is not one opens nothing.
    let (status, _) = Api {
        app: &app,
        token: "cnv_not-a-token".into(),
        seen: &seen,
    }
    .call("GET", &path("/participants"), None)
    .await;
    assert_eq!(status, 403);
    // Every answer above, success or refusal, is what the document says.
    seen.check();
    app.shutdown().await;
}

#[tokio::test]
async fn the_whole_tender_story_runs_through_the_api_on_sqlite() {
    the_whole_tender_story_runs_through_the_api(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_whole_tender_story_runs_through_the_api_on_postgres() {
    the_whole_tender_story_runs_through_the_api(Backend::Postgres).await;
}
