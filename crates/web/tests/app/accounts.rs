//! A company's way in: apply, confirm, review, sign in, invite, edit — and
//! what happens to bad input on the way. Mail goes to a real SMTP server.

use std::time::Duration;

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Backend, Html, TestApp, attrs, texts};

const WAIT: Duration = Duration::from_secs(10);

/// A complete, valid application form.
fn application<'a>(email: &'a str, corporate_number: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("corporate_number", corporate_number),
        ("name", "株式会社チャンス精機"),
        ("name_kana", "チャンスセイキ"),
        ("representative", "佐藤 一郎"),
        ("postal_code", "１３０－００１２"),
        ("prefecture", "13"),
        ("address", "墨田区太平4-1-3"),
        ("phone", "０３－５６７８－１２３４"),
        ("website", "https://chance-seiki.example.jp/"),
        ("industry", "26"),
        ("capital", "３０,０００,０００"),
        ("employees", "42"),
        ("founded", "1972"),
        (
            "description",
            "半導体製造装置向けの精密部品を製造しています。",
        ),
        ("keywords", "精密加工　治具　試作"),
        ("dealings", "receives"),
        ("dealings", "orders"),
        ("member_organizations", "1"),
        ("trigger", "2"),
        ("mail_magazine", "1"),
        ("user_name", "佐藤 花子"),
        ("email", email),
        ("password", "Sumida2026!"),
        ("password_confirm", "Sumida2026!"),
        ("agree_terms", "1"),
    ]
}

async fn html(r: reqwest::Response) -> (u16, Html) {
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

/// The path of the first link to this site in the newest mail to `to` whose subject contains `subject`.
async fn link_in_mail(app: &TestApp, to: &str, subject: &str, n: usize) -> String {
    let mails = app.smtp().wait_for(n, WAIT).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject))
        .unwrap_or_else(|| panic!("no mail {subject:?} to {to}: {mails:#?}"));
    let link = mail
        .link(&app.url("/"))
        .unwrap_or_else(|| panic!("no link in {mail:#?}"));
    link.trim_start_matches(&app.url("")).to_owned()
}

async fn a_company_applies_is_approved_signs_in_invites_and_edits(backend: Backend) {
    let app = TestApp::spawn_with_mail(backend).await;
    let applicant = TestApp::new_client();
    let email = "hanako@chance-seiki.example.jp";

    // Apply.
    let r = app
        .submit(
            &applicant,
            "/apply",
            "/apply",
            &application(email, "7000012050002"),
        )
        .await;
    let (status, page) = html(r).await;
    assert_eq!(status, 200, "{}", page.html());
    assert_eq!(texts(&page, "h1"), ["確認メールを送信しました"]);

    // Confirm the address from the mail.
    let confirm = link_in_mail(&app, email, "メールアドレスの確認", 1).await;
    assert!(confirm.starts_with("/apply/confirm/"), "{confirm}");
    let r = app.submit(&applicant, &confirm, &confirm, &[]).await;
    let (status, page) = html(r).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&page, "h1"), ["利用申請を受け付けました"]);
    link_in_mail_subject(&app, email, "利用申請を受け付けました", 2).await;
    // The link opened again says the address is confirmed and what comes
    // next — not to start over; a made-up link says it is not valid.
    let (status, again) = html(
        applicant
            .get(app.url(&confirm))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(texts(&again, "h1"), ["メールアドレスは確認済みです"]);
    assert!(texts(&again, "main p")[1].contains("審査しています"));
    let (status, made_up) = html(
        applicant
            .get(app.url("/apply/confirm/made-up"))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    assert_eq!(status, 410);
    assert!(texts(&made_up, "main p")[0].contains("正しくありません"));

    // Before approval, sign-in says the application is in review.
    let r = app
        .submit(
            &applicant,
            "/login",
            "/login",
            &[("email", email), ("password", "Sumida2026!")],
        )
        .await;
    let (status, page) = html(r).await;
    assert_eq!(status, 422);
    assert!(texts(&page, ".field__error")[0].contains("審査中"));

    // An operator approves it.
    let operator_id = person(app.db.store(), Role::Operator, 1)
        .await
        .expect("operator");
    let operator_email = app
        .db
        .store()
        .user(operator_id)
        .await
        .expect("journey step")
        .expect("journey step")
        .email;
    let operator = TestApp::new_client();
    app.sign_in(&operator, &operator_email, PASSWORD).await;
    let (_, queue) = html(
        operator
            .get(app.url("/admin/companies?status=in_review"))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    let href = attrs(&queue, "table a", "href");
    assert_eq!(texts(&queue, "table a"), ["株式会社チャンス精機"]);
    let detail = href[0].clone();
    let (_, company_page) = html(
        operator
            .get(app.url(&detail))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    let facts = texts(&company_page, ".facts dd");
    assert!(facts.contains(&"7000012050002".to_owned()), "{facts:?}");
    assert!(
        facts.iter().any(|f| f.contains("〒130-0012")),
        "postal code normalised: {facts:?}"
    );
    assert!(
        facts.contains(&"03-5678-1234".to_owned()),
        "phone stored as digits, shown as written: {facts:?}"
    );
    let r = app
        .submit(
            &operator,
            &detail,
            &format!("{detail}/review"),
            &[("seen", "in_review"), ("action", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let login = link_in_mail(&app, email, "承認しました", 3).await;
    assert_eq!(login, "/login");

    // The applicant signs in and sees the company.
    app.sign_in(&applicant, email, "Sumida2026!").await;
    let (status, mypage) = html(
        applicant
            .get(app.url("/mypage"))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(texts(&mypage, "main h2")[0], "株式会社チャンス精機");
    assert!(texts(&mypage, ".facts dd").contains(&"発注・受注".to_owned()));

    // Invites a colleague, who sets a password and signs in.
    let r = app
        .submit(
            &applicant,
            "/mypage/users",
            "/mypage/users",
            &[
                ("name", "鈴木 次郎"),
                ("email", "jiro@chance-seiki.example.jp"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let invitation = link_in_mail(&app, "jiro@chance-seiki.example.jp", "招待", 4).await;
    let colleague = TestApp::new_client();
    let r = app
        .submit(
            &colleague,
            &invitation,
            &invitation,
            &[
                ("password", "Jiro-2026-navi"),
                ("password_confirm", "Jiro-2026-navi"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    app.sign_in(&colleague, "jiro@chance-seiki.example.jp", "Jiro-2026-navi")
        .await;
    // The colleague has not agreed to the terms yet (the applicant did when
    // applying): every page for members asks for the agreement first.
    let r = colleague
        .get(app.url("/mypage"))
        .send()
        .await
        .expect("journey step");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/terms/agree?next=/mypage");
    let r = app
        .submit(
            &colleague,
            "/terms/agree?next=/mypage",
            "/terms/agree",
            &[("next", "/mypage"), ("agree", "1")],
        )
        .await;
    assert_eq!(r.headers()["location"], "/mypage");
    // The invitation link works once.
    let (status, _) = html(
        colleague
            .get(app.url(&invitation))
            .send()
            .await
            .expect("journey step"),
    )
    .await;
    assert_eq!(status, 410);

    // Edits the profile; the legal name stays.
    let mut edit: Vec<(&str, &str)> = application(email, "7000012050002")
        .into_iter()
        .filter(|(k, _)| {
            ![
                "corporate_number",
                "name",
                "name_kana",
                "user_name",
                "email",
                "password",
                "password_confirm",
            ]
            .contains(k)
        })
        .collect();
    for field in edit.iter_mut() {
        if field.0 == "description" {
            field.1 = "精密部品に加えて、検査治具の設計も始めました。";
        }
    }
    edit.push(("name", "別の名前"));
    let r = app
        .submit(&colleague, "/mypage/company", "/mypage/company", &edit)
        .await;
    assert_eq!(r.status(), 303);
    let company = app
        .db
        .store()
        .companies_with_status(domain::CompanyStatus::Approved, 10, 0)
        .await
        .expect("journey step");
    assert_eq!(
        company[0].description,
        "精密部品に加えて、検査治具の設計も始めました。"
    );
    assert_eq!(company[0].name, "株式会社チャンス精機");

    // Every staff step is in the audit log, and the chain holds.
    let v = app
        .db
        .store()
        .verify_audit_chain()
        .await
        .expect("journey step");
    assert_eq!(v.first_broken, None);
}

async fn link_in_mail_subject(app: &TestApp, to: &str, subject: &str, n: usize) {
    let mails = app.smtp().wait_for(n, WAIT).await;
    assert!(
        mails
            .iter()
            .any(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject)),
        "{mails:#?}"
    );
}

#[tokio::test]
async fn a_company_applies_is_approved_signs_in_invites_and_edits_on_sqlite() {
    a_company_applies_is_approved_signs_in_invites_and_edits(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_company_applies_is_approved_signs_in_invites_and_edits_on_postgres() {
    a_company_applies_is_approved_signs_in_invites_and_edits(Backend::Postgres).await;
}

#[tokio::test]
async fn an_application_needs_the_terms_agreed_and_records_their_version() {
    let app = TestApp::spawn().await;
    let client = TestApp::new_client();
    let email = "terms@chance-seiki.example.jp";
    let address = domain::EmailAddress::parse(email).expect("address");
    let mut form = application(email, "7000012050002");
    form.retain(|(k, _)| *k != "agree_terms");
    let (status, page) = html(app.submit(&client, "/apply", "/apply", &form).await).await;
    assert_eq!(status, 422);
    assert!(texts(&page, "#f-agree_terms-error")[0].contains("同意が必要です"));
    assert!(
        app.db
            .store()
            .user_by_email(&address)
            .await
            .unwrap()
            .is_none(),
        "nothing saved"
    );
    let (status, page) = html(
        app.submit(
            &client,
            "/apply",
            "/apply",
            &application(email, "7000012050002"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(texts(&page, "h1"), ["確認メールを送信しました"]);
    let user = app
        .db
        .store()
        .user_by_email(&address)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        user.terms_version.as_deref(),
        Some(web::site::TERMS_VERSION)
    );
}

#[tokio::test]
async fn a_wrong_check_digit_is_shown_beside_its_field_with_everything_typed_kept() {
    let app = TestApp::spawn().await;
    let client = TestApp::new_client();
    let mut form = application("x@example.jp", "8000012050002");
    form.retain(|(k, _)| *k != "representative");
    let r = app.submit(&client, "/apply", "/apply", &form).await;
    let (status, page) = html(r).await;
    assert_eq!(status, 422);
    let error = texts(&page, "#f-corporate_number-error");
    assert_eq!(error.len(), 1);
    assert!(error[0].contains("チェックデジット"), "{error:?}");
    assert_eq!(
        attrs(&page, "#f-corporate_number", "aria-describedby"),
        ["f-corporate_number-hint f-corporate_number-error"]
    );
    assert_eq!(
        attrs(&page, "#f-corporate_number", "aria-invalid"),
        ["true"]
    );
    assert!(texts(&page, "#f-representative-error")[0].contains("代表者名を入力してください"));
    // What was typed is still there (passwords excepted), and the summary links to each field.
    assert_eq!(
        attrs(&page, "#f-corporate_number", "value"),
        ["8000012050002"]
    );
    assert_eq!(attrs(&page, "#f-name", "value"), ["株式会社チャンス精機"]);
    assert_eq!(
        texts(&page, "#f-description"),
        ["半導体製造装置向けの精密部品を製造しています。"]
    );
    assert_eq!(
        attrs(&page, "input[name=dealings][checked]", "value"),
        ["receives", "orders"]
    );
    assert_eq!(attrs(&page, "#f-password", "value"), Vec::<String>::new());
    // The summary links to each field, says the password must be typed
    // again, and takes the focus when the page opens.
    assert_eq!(
        attrs(&page, ".error-summary a", "href"),
        ["#f-corporate_number", "#f-representative", "#f-password"]
    );
    assert!(texts(&page, ".error-summary a")[2].contains("パスワードをもう一度入力してください"));
    assert_eq!(attrs(&page, ".error-summary", "autofocus"), [""]);
    assert_eq!(
        attrs(&page, "#f-agree_terms", "checked"),
        [""],
        "the agreement is kept"
    );
    // Nothing was saved.
    assert!(
        app.db
            .store()
            .user_by_email(&domain::EmailAddress::parse("x@example.jp").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn applying_with_a_registered_address_looks_the_same_and_tells_its_owner() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let client = TestApp::new_client();
    let first = app
        .submit(
            &client,
            "/apply",
            "/apply",
            &application("dup@example.jp", "7000012050002"),
        )
        .await;
    assert_eq!(first.status(), 200);
    let second = app
        .submit(
            &client,
            "/apply",
            "/apply",
            &application("DUP@example.jp", "1180301018771"),
        )
        .await;
    let (status, page) = html(second).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&page, "h1"), ["確認メールを送信しました"]);
    let mails = app.smtp().wait_for(2, WAIT).await;
    assert!(
        mails.iter().any(|m| m.subject.contains("登録済み")),
        "{mails:#?}"
    );
    assert_eq!(
        app.db
            .store()
            .companies_with_status(domain::CompanyStatus::EmailUnconfirmed, 10, 0)
            .await
            .unwrap()
            .len(),
        1
    );
    // A second company with the same 法人番号 is refused beside the field.
    let third = app
        .submit(
            &client,
            "/apply",
            "/apply",
            &application("other@example.jp", "7000012050002"),
        )
        .await;
    let (status, page) = html(third).await;
    assert_eq!(status, 422);
    assert!(texts(&page, "#f-corporate_number-error")[0].contains("既に登録"));
}

#[tokio::test]
async fn an_unknown_address_and_a_wrong_password_get_the_same_answer_and_failures_are_throttled() {
    let app = TestApp::spawn().await;
    let id = person(app.db.store(), Role::ReceivingCompany, 1)
        .await
        .unwrap();
    let email = app.db.store().user(id).await.unwrap().unwrap().email;
    let client = TestApp::new_client();
    let try_sign_in = |email: String, password: &'static str| {
        let app = &app;
        let client = &client;
        async move {
            let r = app
                .submit(
                    client,
                    "/login",
                    "/login",
                    &[("email", email.as_str()), ("password", password)],
                )
                .await;
            let (status, page) = html(r).await;
            (status, texts(&page, ".field__error").join(""))
        }
    };
    let unknown = try_sign_in("nobody@example.jp".into(), "Whatever-2026").await;
    let wrong = try_sign_in(email.clone(), "Wrong-password-1").await;
    assert_eq!(unknown, wrong);
    assert_eq!(wrong.0, 422);
    for _ in 0..4 {
        try_sign_in(email.clone(), "Wrong-password-1").await;
    }
    // Five failures: even the right password is refused for a while.
    let (status, message) = try_sign_in(email.clone(), PASSWORD).await;
    assert_eq!(status, 429);
    assert!(message.contains("一時的にログインを制限"), "{message}");
    assert!(message.contains("5秒ほど待ってから"), "{message}");
    let failed = app
        .db
        .store()
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("sign_in.failed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 6);
}

#[tokio::test]
async fn a_suspended_company_is_signed_out_at_once() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let id = person(store, Role::ReceivingCompany, 1).await.unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, PASSWORD).await;
    assert_eq!(
        client
            .get(app.url("/mypage"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    store
        .review_company(
            &store::Review {
                company_id: user.company_id.unwrap(),
                seen: domain::CompanyStatus::Approved,
                action: domain::CompanyAction::Suspend,
                reason: Some("規約違反"),
                mail: None,
            },
            &store::Actor::cli("test"),
            web::auth::now_ms(),
        )
        .await
        .unwrap();
    let r = client.get(app.url("/mypage")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let client = TestApp::new_client();
    client.get(app.url("/login")).send().await.unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("email", "a@example.jp"),
            ("password", "x"),
            ("csrf_token", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_password_reset_link_is_mailed_works_once_and_signs_out_elsewhere() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let store = app.db.store();
    let id = person(store, Role::ReceivingCompany, 1).await.unwrap();
    let email = store.user(id).await.unwrap().unwrap().email;
    let other_device = TestApp::new_client();
    app.sign_in(&other_device, &email, PASSWORD).await;
    let client = TestApp::new_client();
    let r = app
        .submit(
            &client,
            "/password/forgot",
            "/password/forgot",
            &[("email", email.as_str())],
        )
        .await;
    assert_eq!(r.status(), 200);
    // An unknown address gets the same page and no mail.
    let r = app
        .submit(
            &client,
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.jp")],
        )
        .await;
    assert_eq!(r.status(), 200);
    // The person's own application mail came first.
    let link = link_in_mail(&app, &email, "パスワードの再設定", 2).await;
    let r = app
        .submit(
            &client,
            &link,
            &link,
            &[
                ("password", "New-Tokyo-2027"),
                ("password_confirm", "New-Tokyo-2027"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    app.sign_in(&client, &email, "New-Tokyo-2027").await;
    assert_eq!(
        other_device
            .get(app.url("/mypage"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "other sessions ended"
    );
    let again = app
        .submit(
            &client,
            &link,
            &link,
            &[
                ("password", "Another-2027x"),
                ("password_confirm", "Another-2027x"),
            ],
        )
        .await;
    assert_eq!(again.status(), 410);
    assert_eq!(
        app.smtp().messages().len(),
        2,
        "no mail for the unknown address"
    );
}

#[tokio::test]
async fn a_change_of_legal_name_goes_back_to_review_and_is_applied_when_approved() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let store = app.db.store();
    let id = person(store, Role::ReceivingCompany, 1).await.unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    let company_id = user.company_id.unwrap();
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, PASSWORD).await;
    let number = testkit::fixtures::corporate_number(4242).to_string();
    // A wrong check digit is refused beside the field.
    let bad = app
        .submit(
            &client,
            "/mypage/company/legal",
            "/mypage/company/legal",
            &[
                ("corporate_number", "1234567890123"),
                ("name", "株式会社新名称"),
                ("name_kana", "シンメイショウ"),
            ],
        )
        .await;
    let (status, page) = html(bad).await;
    assert_eq!(status, 422);
    assert!(texts(&page, "#f-corporate_number-error")[0].contains("チェックデジット"));
    let r = app
        .submit(
            &client,
            "/mypage/company/legal",
            "/mypage/company/legal",
            &[
                ("corporate_number", number.as_str()),
                ("name", "株式会社新名称"),
                ("name_kana", "シンメイショウ"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        store.company(company_id).await.unwrap().unwrap().name,
        "株式会社テスト精工1001",
        "unchanged until reviewed"
    );

    let operator_id = person(store, Role::Operator, 2).await.unwrap();
    let operator_email = store.user(operator_id).await.unwrap().unwrap().email;
    let operator = TestApp::new_client();
    app.sign_in(&operator, &operator_email, PASSWORD).await;
    let (_, queue) = html(
        operator
            .get(app.url("/admin/companies?status=legal_change"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(texts(&queue, "table a"), ["株式会社テスト精工1001"]);
    let detail = format!("/admin/companies/{company_id}");
    let (_, page) = html(operator.get(app.url(&detail)).send().await.unwrap()).await;
    assert!(
        texts(&page, ".facts dd")
            .iter()
            .any(|f| f.contains("→ 株式会社新名称"))
    );
    // Refusing needs a reason.
    let r = app
        .submit(
            &operator,
            &detail,
            &format!("{detail}/legal"),
            &[("action", "reject"), ("legal_reason", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .submit(
            &operator,
            &detail,
            &format!("{detail}/legal"),
            &[("action", "approve"), ("legal_reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let company = store.company(company_id).await.unwrap().unwrap();
    assert_eq!(company.name, "株式会社新名称");
    assert_eq!(company.corporate_number.as_deref(), Some(number.as_str()));
    link_in_mail_subject(&app, &user.email, "変更を反映しました", 2).await;
    let log = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("company.legal_change".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
}
