//! 利用者の管理: a company administrator invites, re-invites, resends and
//! withdraws invitations, removes a colleague after a confirmation step, and
//! an ordinary colleague only reads the list.

use std::time::Duration;

use domain::Role;
use testkit::people::session;
use testkit::{Html, TestApp, attrs, texts};

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Html) {
    let r = client.get(app.url(path)).send().await.expect("page");
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The invitation links mailed to `to`, oldest first, once there are `n`.
async fn invitation_links(app: &TestApp, to: &str, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let links: Vec<String> = app
            .smtp()
            .messages_to(to)
            .into_iter()
            .filter(|m| m.subject.contains("招待"))
            .filter_map(|m| m.link(&app.url("/")))
            .map(|l| l.trim_start_matches(&app.url("")).to_owned())
            .collect();
        if links.len() >= n {
            return links;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} invitations to {to}");
}

#[tokio::test]
async fn a_company_administrator_manages_colleagues_and_invitations() {
    let app = TestApp::spawn_with_mail(testkit::Backend::Sqlite).await;
    let store = app.db.store();
    let (admin, admin_id) = app.signed_in(Role::ReceivingCompany, 1).await;
    let jiro = "jiro@colleague.example.jp";
    let invite = |email: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            app.submit(
                admin,
                "/mypage/users",
                "/mypage/users",
                &[("name", "鈴木 次郎"), ("email", email)],
            )
            .await
        }
    };

    // Invited, then invited again while pending: a new link, the old one dead.
    let r = invite(jiro).await;
    assert_eq!(location(&r), "/mypage/users?done=invited");
    let r = invite(jiro).await;
    assert_eq!(location(&r), "/mypage/users?done=invited", "not refused");
    let links = invitation_links(&app, jiro, 2).await;
    assert_eq!(
        app.smtp().messages_to(jiro).len(),
        2,
        "two invitations, no 'already registered' mail"
    );
    assert_eq!(
        app.get(&links[0]).await.status(),
        410,
        "the first link died"
    );
    assert_eq!(app.get(&links[1]).await.status(), 200);

    let (_, list) = page(&admin, &app, "/mypage/users?done=invited").await;
    assert!(texts(&list, "[role=status]")[0].contains("招待メールを送信しました"));
    let states = texts(&list, ".member__state");
    assert!(states.iter().any(|s| s.contains("招待中")), "{states:?}");
    let jiro_id = store
        .user_by_email(&domain::EmailAddress::parse(jiro).expect("address"))
        .await
        .expect("read")
        .expect("jiro")
        .id;

    // Resent: a third link, the second dead.
    let r = app
        .submit(
            &admin,
            "/mypage/users",
            &format!("/mypage/users/{jiro_id}/resend"),
            &[],
        )
        .await;
    assert_eq!(location(&r), "/mypage/users?done=resent");
    let links = invitation_links(&app, jiro, 3).await;
    assert_eq!(app.get(&links[1]).await.status(), 410);
    // Withdrawn: off the list, every link dead.
    let r = app
        .submit(
            &admin,
            "/mypage/users",
            &format!("/mypage/users/{jiro_id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(location(&r), "/mypage/users?done=cancelled");
    assert_eq!(app.get(&links[2]).await.status(), 410);
    let (_, list) = page(&admin, &app, "/mypage/users?done=cancelled").await;
    assert_eq!(texts(&list, "[role=status]"), ["招待を取り消しました。"]);
    assert!(!texts(&list, ".member__mail").contains(&jiro.to_owned()));

    // Invited once more, jiro accepts and becomes a colleague.
    invite(jiro).await;
    let link = invitation_links(&app, jiro, 4).await.pop().expect("link");
    let colleague = TestApp::new_client();
    let r = app
        .submit(
            &colleague,
            &link,
            &link,
            &[
                ("password", "Jiro-2026-navi"),
                ("password_confirm", "Jiro-2026-navi"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    app.sign_in(&colleague, jiro, "Jiro-2026-navi").await;
    // A new colleague agrees to the terms first.
    let r = app
        .submit(
            &colleague,
            "/terms/agree",
            "/terms/agree",
            &[("agree", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);

    // An ordinary colleague reads the list but manages nothing.
    let (_, seen) = page(&colleague, &app, "/mypage/users").await;
    assert!(attrs(&seen, "form[action='/mypage/users']", "action").is_empty());
    assert!(texts(&seen, ".member__actions").is_empty());
    let r = app
        .submit(
            &colleague,
            "/mypage/users",
            &format!("/mypage/users/{admin_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 403);

    // The administrator removes jiro after a confirmation page.
    let (_, list) = page(&admin, &app, "/mypage/users").await;
    let href = format!("/mypage/users/{jiro_id}/remove");
    assert!(attrs(&list, ".member__actions a", "href").contains(&href));
    assert!(
        attrs(&list, ".member__actions a", "href")
            .iter()
            .all(|h| !h.contains(&format!("/{admin_id}/"))),
        "nobody is offered to remove themselves"
    );
    let (status, confirm) = page(&admin, &app, &href).await;
    assert_eq!(status, 200);
    assert!(texts(&confirm, "dl.facts dd").contains(&jiro.to_owned()));
    assert_eq!(attrs(&confirm, "main form", "action"), [href.as_str()]);
    assert_eq!(
        attrs(&confirm, "main form input[name=csrf_token]", "value").len(),
        1
    );
    // Without the form's token nothing happens.
    let forged = admin
        .post(app.url(&href))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .expect("post");
    assert!(forged.status().is_client_error());
    // A POST without the confirmation's confirm=1 shows the confirmation again.
    let r = app.submit(&admin, &href, &href, &[]).await;
    assert_eq!(r.status(), 200, "nothing removed before it is confirmed");
    let r = app.submit(&admin, &href, &href, &[("confirm", "1")]).await;
    assert_eq!(location(&r), "/mypage/users?done=removed");
    let (_, list) = page(&admin, &app, "/mypage/users?done=removed").await;
    assert!(texts(&list, "[role=status]")[0].contains("削除しました"));
    // jiro's session ended, and signing in says why.
    let (status, _) = page(&colleague, &app, "/mypage").await;
    assert_eq!(status, 303, "sent to sign in");
    let r = app
        .submit(
            &colleague,
            "/login",
            "/login",
            &[("email", jiro), ("password", "Jiro-2026-navi")],
        )
        .await;
    let body = r.text().await.expect("body");
    assert!(
        body.contains("会社の管理者によって利用者から削除されています"),
        "{body}"
    );

    // Never oneself.
    let own = format!("/mypage/users/{admin_id}/remove");
    let r = app.submit(&admin, "/mypage/users", &own, &[]).await;
    assert_eq!(r.status(), 400);
    // Audited under the administrator's name.
    let removed: Vec<_> = store
        .audit_entries(&store::AuditFilter {
            action: Some("colleague.removed".into()),
            ..store::AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].actor_id, Some(admin_id));
}

#[tokio::test]
async fn another_companys_colleague_cannot_be_touched() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (admin, _) = app.signed_in(Role::ReceivingCompany, 1).await;
    let other = testkit::people::person(store, Role::OrderingCompany, 2)
        .await
        .expect("other");
    let s = session(store, Some(other)).await;
    for action in ["remove", "resend", "cancel", "admin"] {
        let r = app
            .submit(
                &admin,
                "/mypage/users",
                &format!("/mypage/users/{other}/{action}"),
                &[],
            )
            .await;
        assert_eq!(r.status(), 404, "{action}");
    }
    let r = admin
        .get(app.url(&format!("/mypage/users/{other}/remove")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    assert!(
        store
            .session(
                &domain::audit::token_hash(s.cookie.trim_start_matches("cn_session=")),
                web::auth::now_ms()
            )
            .await
            .expect("read")
            .is_some()
    );
}
