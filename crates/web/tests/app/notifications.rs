//! おすすめ案件通知 end to end with a real SMTP server: a company user saves
//! a search, a matching case is imported, exactly one mail arrives with the
//! case in it; the SMTP server goes down, more cases arrive, it comes back,
//! and every mail arrives once; the mail's one-click unsubscribe works
//! without signing in. On SQLite and PostgreSQL.

use std::time::Duration;

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::smtp::SmtpSink;
use testkit::{Backend, TestApp};

const FROM: &str = "ビジネスチャンス・ナビ <no-reply@navi.example.jp>";

fn kkj(titles: &[&str]) -> Vec<u8> {
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<SearchResult><ResultId>{i}</ResultId><Key>notify-{t}</Key><ProjectName>{t}</ProjectName>\
                 <OrganizationName>東京都</OrganizationName><PrefectureName>東京都</PrefectureName>\
                 <CftIssueDate>2026-11-20T00:00:00+09:00</CftIssueDate>\
                 <TenderSubmissionDeadline>2099-12-03T16:50:00+09:00</TenderSubmissionDeadline></SearchResult>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Results><SearchResults>{items}</SearchResults></Results>")
        .into_bytes()
}

async fn import(app: &TestApp, titles: &[&str]) {
    let outcome = import::run(
        app.db.store(),
        import::Source::Kkj,
        "test",
        &kkj(titles),
        web::auth::now_ms,
        &mut |_| {},
    )
    .await
    .expect("import");
    assert_eq!(outcome.error, None);
}

/// The notification mails received, once `n` have arrived (or after ten seconds).
async fn notices(sink: &SmtpSink, n: usize) -> Vec<testkit::ReceivedMail> {
    for _ in 0..100 {
        let got: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.subject.contains("おすすめ案件"))
            .collect();
        if got.len() >= n {
            tokio::time::sleep(Duration::from_millis(200)).await;
            return sink
                .messages()
                .into_iter()
                .filter(|m| m.subject.contains("おすすめ案件"))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Vec::new()
}

fn token() -> String {
    web::auth::random_token()
}

async fn a_saved_search_mails_each_matching_case_once_through_an_smtp_outage(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    let mut sink = SmtpSink::start();
    let mailer = mail::Mailer::new(Some(&sink.url()), FROM, &app.db.data_dir().join("outbox"))
        .expect("mailer");
    let composer = mail::Composer::new(&app.state.settings.public_url);
    let user = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("user");
    let email = store.user(user).await.expect("read").expect("user").email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;

    // The search page offers its query as a setting; the form comes filled.
    let search = client
        .get(app.url("/cases?q=%E6%B8%85%E6%8E%83"))
        .send()
        .await
        .expect("search")
        .text()
        .await
        .expect("page");
    assert!(
        search.contains("/mypage/notifications/new?q=%E6%B8%85%E6%8E%83"),
        "save this search"
    );
    let form = client
        .get(app.url("/mypage/notifications/new?q=%E6%B8%85%E6%8E%83"))
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("page");
    assert!(form.contains("value=\"清掃\""), "the keyword is filled in");
    let r = app
        .submit(
            &client,
            "/mypage/notifications/new",
            "/mypage/notifications",
            &[
                ("name", "清掃の案件"),
                ("keywords", "清掃"),
                ("exclusions", "警備"),
                ("frequency", "immediate"),
                ("hour", "8"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // One matching case (and two that do not) → exactly one mail with it.
    import(
        &app,
        &["本庁舎清掃業務委託", "道路舗装工事", "庁舎清掃及び警備業務"],
    )
    .await;
    let now = web::auth::now_ms();
    let pass = notify::pass::run(store, &composer, token, now)
        .await
        .expect("pass");
    assert_eq!((pass.new_matches, pass.mails), (1, 1));
    // (The outbox also holds the user's sign-up mail.)
    mailer.deliver_due(store, now).await.expect("deliver");
    let got = notices(&sink, 1).await;
    assert_eq!(got.len(), 1);
    let first = &got[0];
    assert!(first.to.iter().any(|t| t == &email));
    assert!(
        first.subject.contains("おすすめ案件のお知らせ（1件）"),
        "{}",
        first.subject
    );
    let text = first.text.clone().unwrap_or_default();
    assert!(
        text.contains("本庁舎清掃業務委託") && text.contains("清掃の案件"),
        "{text}"
    );
    assert!(
        !text.contains("道路舗装工事") && !text.contains("警備業務"),
        "{text}"
    );
    // The deadline once, with its era and time — not the date twice.
    assert!(
        text.contains("／締切 2099年12月3日（令和81年） 16:50"),
        "{text}"
    );
    assert_eq!(text.matches("2099年12月3日").count(), 1, "{text}");
    assert!(
        first
            .html
            .as_deref()
            .is_some_and(|h| h.contains("本庁舎清掃業務委託"))
    );
    let unsubscribe = first
        .link("/notifications/unsubscribe/")
        .expect("unsubscribe link");
    assert_eq!(
        first.header("List-Unsubscribe"),
        Some(format!("<{unsubscribe}>").as_str())
    );
    assert_eq!(
        first.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // Nothing new: nothing mailed again.
    let again = notify::pass::run(store, &composer, token, now + 1)
        .await
        .expect("pass");
    assert_eq!((again.new_matches, again.mails), (0, 0));

    // The SMTP server goes down; two more cases arrive; it comes back.
    sink.stop();
    import(&app, &["区民会館清掃業務", "学校清掃委託"]).await;
    let later = now + 60_000;
    let pass = notify::pass::run(store, &composer, token, later)
        .await
        .expect("pass");
    assert_eq!((pass.new_matches, pass.mails), (2, 1));
    let down = mailer.deliver_due(store, later).await.expect("deliver");
    assert_eq!((down.sent, down.retried), (0, 1));
    sink.resume();
    let up = mailer
        .deliver_due(store, later + mail::backoff(1).as_millis() as i64)
        .await
        .expect("deliver");
    assert_eq!(up.sent, 1);
    let got = notices(&sink, 2).await;
    assert_eq!(got.len(), 2, "every mail arrives once");
    let second = got[1].text.clone().unwrap_or_default();
    assert!(
        second.contains("区民会館清掃業務") && second.contains("学校清掃委託"),
        "{second}"
    );
    assert_eq!(
        mailer
            .deliver_due(store, later + 10_000_000)
            .await
            .expect("deliver")
            .sent,
        0
    );

    // One-click unsubscribe (RFC 8058), without a session.
    let r = TestApp::new_client()
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert_eq!(r.status(), 200);
    // The link opened again says the mail is stopped already; a made-up
    // link says it is not valid — neither offers the button.
    let visitor = TestApp::new_client();
    let again = visitor.get(&unsubscribe).send().await.expect("page");
    assert_eq!(again.status(), 200);
    let again = again.text().await.expect("page");
    assert!(again.contains("既に停止しています"), "{again}");
    assert!(!again.contains("配信を停止する"));
    let made_up = visitor
        .get(app.url("/notifications/unsubscribe/made-up-token"))
        .send()
        .await
        .expect("page");
    assert_eq!(made_up.status(), 404);
    let made_up = made_up.text().await.expect("page");
    assert!(made_up.contains("正しくありません") && !made_up.contains("配信を停止する"));
    import(&app, &["市役所清掃業務"]).await;
    let paused = notify::pass::run(store, &composer, token, later + 120_000)
        .await
        .expect("pass");
    assert_eq!((paused.settings, paused.mails), (0, 0), "paused: no mail");
    let page = client
        .get(app.url("/mypage/notifications"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("page");
    assert!(page.contains("通知を停止しています") && page.contains("通知を再開する"));
    let r = app
        .submit(
            &client,
            "/mypage/notifications",
            "/mypage/notifications/resume",
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        store.notify_pause(user).await.expect("read"),
        None,
        "resumed"
    );

    // The administrator's statistics count the setting's words and options.
    let admin = person(store, Role::Admin, 9).await.expect("admin");
    let admin_email = store.user(admin).await.expect("read").expect("user").email;
    let staff = TestApp::new_client();
    app.sign_in(&staff, &admin_email, PASSWORD).await;
    let stats = staff
        .get(app.url("/admin/notifications"))
        .send()
        .await
        .expect("stats")
        .text()
        .await
        .expect("page");
    assert!(stats.contains("通知設定 1件（利用者 1人）"), "{stats}");
    assert!(stats.contains("<td>清掃</td><td>1</td>") && stats.contains("<td>警備</td><td>1</td>"));
    assert!(stats.contains("公開されたらすぐ"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_saved_search_mails_each_matching_case_once_through_an_smtp_outage_on_sqlite() {
    a_saved_search_mails_each_matching_case_once_through_an_smtp_outage(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_saved_search_mails_each_matching_case_once_through_an_smtp_outage_on_postgres() {
    a_saved_search_mails_each_matching_case_once_through_an_smtp_outage(Backend::Postgres).await;
}

#[tokio::test]
async fn bad_settings_are_refused_in_japanese_and_never_match_everything() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let user = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("user");
    let email = store.user(user).await.expect("read").expect("user").email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;
    let long = "清".repeat(10_000);
    let many: String = (0..1000).map(|i| format!("語{i} ")).collect();
    for (keywords, says) in [
        ("", "条件を1つ以上"),
        ("★☆！？", "記号だけ"),
        (long.as_str(), "50文字以内"),
        (many.as_str(), "20語まで"),
    ] {
        let r = app
            .submit(
                &client,
                "/mypage/notifications/new",
                "/mypage/notifications",
                &[
                    ("name", "テスト"),
                    ("keywords", keywords),
                    ("frequency", "immediate"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "{says}");
        let body = r.text().await.expect("body");
        assert!(body.contains(says), "{says}");
    }
    assert!(
        store
            .notify_settings_of(user)
            .await
            .expect("read")
            .is_empty(),
        "nothing saved"
    );
    app.shutdown().await;
}
