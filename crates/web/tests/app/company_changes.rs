//! What one company may learn or change about accounts: an invitation never
//! tells whether an address is registered elsewhere, and a change of what the
//! company does here (受注・発注, its roles) waits for the operators' review.

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Backend, Html, TestApp, attrs, texts};

async fn html(r: reqwest::Response) -> (u16, Html) {
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

async fn invite(app: &TestApp, client: &reqwest::Client, email: &str) -> (u16, String, String) {
    let r = app
        .submit(
            client,
            "/mypage/users",
            "/mypage/users",
            &[("name", "鈴木 次郎"), ("email", email)],
        )
        .await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("test step").to_owned())
        .unwrap_or_default();
    let (_, page) = html(
        client
            .get(app.url(&location))
            .send()
            .await
            .expect("test step"),
    )
    .await;
    (status, location, texts(&page, ".notice").join(""))
}

#[tokio::test]
async fn inviting_an_address_registered_elsewhere_looks_like_any_invitation_and_mails_its_owner() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let store = app.db.store();
    let ours = store
        .user(
            person(store, Role::ReceivingCompany, 1)
                .await
                .expect("test step"),
        )
        .await
        .expect("test step")
        .expect("test step");
    let theirs = store
        .user(
            person(store, Role::ReceivingCompany, 2)
                .await
                .expect("test step"),
        )
        .await
        .expect("test step")
        .expect("test step");
    let client = TestApp::new_client();
    app.sign_in(&client, &ours.email, PASSWORD).await;

    let fresh = invite(&app, &client, "new-colleague@example.jp").await;
    let taken = invite(&app, &client, &theirs.email.to_uppercase()).await;
    assert_eq!(fresh.0, 303);
    assert_eq!(fresh, taken, "the same answer either way");

    // The owner of the registered address hears of it; nothing was created.
    let mail = app
        .mail(&theirs.email.to_uppercase(), "ご招待について")
        .await;
    assert!(mail.contains("既に登録されている"), "{mail}");
    assert!(!mail.contains("/invitation/"));
    app.mail("new-colleague@example.jp", "アカウントへのご招待")
        .await;
    let users = store
        .company_users(ours.company_id.expect("test step"))
        .await
        .expect("test step");
    let emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, [ours.email.as_str(), "new-colleague@example.jp"]);
    let theirs_now = store
        .user(theirs.id)
        .await
        .expect("test step")
        .expect("test step");
    assert_eq!(theirs_now.company_id, theirs.company_id, "still theirs");
    // A colleague's own address gets the same answer too.
    let again = invite(&app, &client, &ours.email).await;
    assert_eq!(again, fresh);
}

#[tokio::test]
async fn a_change_of_dealings_goes_back_to_review_and_is_applied_when_approved() {
    let app = TestApp::spawn_with_mail(Backend::Sqlite).await;
    let store = app.db.store();
    let user = store
        .user(
            person(store, Role::ReceivingCompany, 1)
                .await
                .expect("test step"),
        )
        .await
        .expect("test step")
        .expect("test step");
    let company_id = user.company_id.expect("test step");
    let client = TestApp::new_client();
    app.sign_in(&client, &user.email, PASSWORD).await;

    // The profile form as it is, with 発注 added and a new description.
    let (_, form) = html(
        client
            .get(app.url("/mypage/company"))
            .send()
            .await
            .expect("test step"),
    )
    .await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in [
        "representative",
        "postal_code",
        "address",
        "phone",
        "website",
        "capital",
        "employees",
        "founded",
        "keywords",
    ] {
        let v = attrs(&form, &format!("input[name={name}]"), "value");
        fields.push((name.into(), v.first().cloned().unwrap_or_default()));
    }
    for name in ["prefecture", "industry"] {
        let v = attrs(
            &form,
            &format!("select[name={name}] option[selected]"),
            "value",
        );
        fields.push((name.into(), v.first().cloned().unwrap_or_default()));
    }
    fields.push(("description".into(), "発注も始めます。".into()));
    fields.push(("dealings".into(), "receives".into()));
    fields.push(("dealings".into(), "orders".into()));
    let body: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app
        .submit(&client, "/mypage/company", "/mypage/company", &body)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(r.headers()["location"], "/mypage?done=company_dealings");

    // The rest is saved; the roles are not, and ordering stays closed.
    let company = store
        .company(company_id)
        .await
        .expect("test step")
        .expect("test step");
    assert_eq!(company.description, "発注も始めます。");
    assert!(company.receives && !company.orders);
    assert_eq!(
        client
            .get(app.url("/mypage/orders"))
            .send()
            .await
            .expect("test step")
            .status(),
        403
    );
    let (_, form) = html(
        client
            .get(app.url("/mypage/company"))
            .send()
            .await
            .expect("test step"),
    )
    .await;
    assert!(
        texts(&form, "main p")
            .iter()
            .any(|p| p.contains("確認待ちのご利用の目的の変更があります：発注・受注"))
    );

    // An operator finds it in the queue and approves it.
    let operator = store
        .user(person(store, Role::Operator, 2).await.expect("test step"))
        .await
        .expect("test step")
        .expect("test step");
    let staff = TestApp::new_client();
    app.sign_in(&staff, &operator.email, PASSWORD).await;
    let (_, queue) = html(
        staff
            .get(app.url("/admin/companies?status=legal_change"))
            .send()
            .await
            .expect("test step"),
    )
    .await;
    assert_eq!(
        texts(&queue, "table a"),
        std::slice::from_ref(&company.name)
    );
    assert!(texts(&queue, "nav a[aria-current=page]")[0].contains("変更申請"));
    let detail = format!("/admin/companies/{company_id}");
    let (_, page) = html(staff.get(app.url(&detail)).send().await.expect("test step")).await;
    assert!(
        texts(&page, ".facts dd")
            .iter()
            .any(|f| f == "受注企業 → 発注・受注")
    );
    let change = attrs(
        &page,
        "form[action$='/dealings'] input[name=change]",
        "value",
    );
    assert_eq!(change.len(), 1);
    let action = format!("{detail}/dealings");
    let r = app
        .submit(
            &staff,
            &detail,
            &action,
            &[
                ("action", "reject"),
                ("dealings_reason", ""),
                ("change", &change[0]),
            ],
        )
        .await;
    assert_eq!(r.status(), 422, "refusing needs a reason");
    let r = app
        .submit(
            &staff,
            &detail,
            &action,
            &[
                ("action", "approve"),
                ("dealings_reason", ""),
                ("change", &change[0]),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    let company = store
        .company(company_id)
        .await
        .expect("test step")
        .expect("test step");
    assert!(company.receives && company.orders);
    assert_eq!(
        client
            .get(app.url("/mypage/orders"))
            .send()
            .await
            .expect("test step")
            .status(),
        200
    );
    app.mail(&user.email, "ご利用の目的の変更を反映しました")
        .await;
    let log = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("company.dealings_change".into()),
            ..Default::default()
        })
        .await
        .expect("test step");
    assert_eq!(log.len(), 1);
}
