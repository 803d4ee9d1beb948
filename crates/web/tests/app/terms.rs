//! The terms of use: agreed to when applying, and again — before anything
//! for members — when a new version is in force.

use testkit::{Backend, Html, TestApp, attrs, texts};

async fn terms_of(app: &TestApp, user: i64) -> Option<String> {
    app.db
        .store()
        .user(user)
        .await
        .expect("test step")
        .expect("test step")
        .terms_version
}

async fn terms_are_agreed_again_after_a_new_version(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    let (company, user) = app.signed_in(domain::Role::ReceivingCompany, 1).await;
    assert_eq!(
        terms_of(&app, user).await.as_deref(),
        Some(web::site::TERMS_VERSION)
    );
    // The person agreed to an older version; a new one is now in force.
    let actor = store::Actor::cli("test");
    store
        .agree_terms(user, "2025-04-01", &actor, 1)
        .await
        .expect("test step");
    let email = store
        .user(user)
        .await
        .expect("test step")
        .expect("test step")
        .email;

    // Signing in leads to the agreement first, then to where they were going.
    let browser = TestApp::new_client();
    let r = app
        .submit(
            &browser,
            "/login?next=/mypage/notifications",
            "/login",
            &[
                ("email", email.as_str()),
                ("password", testkit::people::PASSWORD),
                ("next", "/mypage/notifications"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/terms/agree?next=/mypage/notifications"
    );
    // A session already open is held back the same way: pages for members
    // lead to the agreement, actions are refused, public pages stay open.
    for path in ["/mypage", "/mypage/notifications"] {
        let r = company.get(app.url(path)).send().await.expect("test step");
        assert_eq!(r.status(), 303, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .expect("test step")
                .starts_with("/terms/agree?next="),
            "{path}"
        );
    }
    let csrf = app.csrf(&company, "/terms/agree").await;
    let r = company
        .post(app.url("/mypage/notifications"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "x")])
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("test step").contains("利用規約"));
    for path in ["/", "/cases", "/terms"] {
        let r = company.get(app.url(path)).send().await.expect("test step");
        assert_eq!(r.status(), 200, "{path}");
    }

    // The agreement page says the terms changed; not ticking the box is
    // answered beside it.
    let r = browser
        .get(app.url("/terms/agree?next=/mypage/notifications"))
        .send()
        .await
        .expect("test step");
    let page = Html::parse_document(&r.text().await.expect("test step"));
    assert!(texts(&page, "main p")[0].contains("改定"));
    assert_eq!(
        attrs(&page, "main a", "href"),
        ["/terms", "/privacy"],
        "{page:?}"
    );
    let r = app
        .submit(
            &browser,
            "/terms/agree",
            "/terms/agree",
            &[("next", "/mypage/notifications")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(terms_of(&app, user).await.as_deref(), Some("2025-04-01"));
    // Agreeing records the version (audited) and goes on to the page asked for.
    let r = app
        .submit(
            &browser,
            "/terms/agree",
            "/terms/agree",
            &[("next", "/mypage/notifications"), ("agree", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/mypage/notifications");
    assert_eq!(
        terms_of(&app, user).await.as_deref(),
        Some(web::site::TERMS_VERSION)
    );
    let entries = store
        .audit_entries(&store::AuditFilter {
            action_prefix: Some("terms.".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("test step");
    assert_eq!(entries.len(), 2, "the test's and the person's");
    assert!(entries[0].detail.contains(web::site::TERMS_VERSION));
    let r = company
        .get(app.url("/mypage"))
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 200);
    // A link elsewhere is never followed from the agreement.
    let csrf = app.csrf(&company, "/mypage").await;
    let r = company
        .post(app.url("/terms/agree"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("next", "//evil.example/"),
            ("agree", "1"),
        ])
        .send()
        .await
        .expect("test step");
    assert_eq!(r.headers()["location"], "/mypage");
}

#[tokio::test]
async fn terms_are_agreed_again_after_a_new_version_on_sqlite() {
    terms_are_agreed_again_after_a_new_version(Backend::Sqlite).await;
}

#[tokio::test]
async fn terms_are_agreed_again_after_a_new_version_on_postgres() {
    terms_are_agreed_again_after_a_new_version(Backend::Postgres).await;
}

#[tokio::test]
async fn staff_are_never_asked_to_agree_to_the_terms() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(domain::Role::Admin, 1).await;
    let r = admin
        .get(app.url("/admin"))
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 200);
}
