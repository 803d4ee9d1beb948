//! Password reset: limited per address and per client, with the same
//! answer — as fast — whether or not the address is registered.

use std::time::Duration;

use domain::Role;
use testkit::people::person;
use testkit::{Backend, Html, TestApp, texts};

async fn email_of(app: &TestApp, n: u32) -> String {
    let store = app.db.store();
    let id = person(store, Role::ReceivingCompany, n)
        .await
        .expect("test step");
    store
        .user(id)
        .await
        .expect("test step")
        .expect("test step")
        .email
}

async fn ask(app: &TestApp, client: &reqwest::Client, email: &str) -> (u16, String) {
    let r = app
        .submit(
            client,
            "/password/forgot",
            "/password/forgot",
            &[("email", email)],
        )
        .await;
    let status = r.status().as_u16();
    let page = Html::parse_document(&r.text().await.expect("test step"));
    (
        status,
        texts(&page, "main")
            .join(" ")
            .replace(email, "（アドレス）"),
    )
}

/// Reset mails queued to `email`, once the count has settled (they are
/// queued after the answer).
async fn reset_mails(app: &TestApp, email: &str, at_least: usize) -> usize {
    let count = || async {
        app.db
            .store()
            .mail_to(email)
            .await
            .expect("test step")
            .iter()
            .filter(|m| m.subject.contains("パスワードの再設定"))
            .count()
    };
    for _ in 0..200 {
        if count().await >= at_least {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    count().await
}

#[tokio::test]
async fn fifteen_requests_for_one_address_send_three_mails_and_always_the_same_answer() {
    let app = TestApp::spawn().await;
    let email = email_of(&app, 1).await;
    let mut pages = Vec::new();
    for _ in 0..15 {
        // From different browsers, as a script would.
        let client = TestApp::new_client();
        pages.push(ask(&app, &client, &email).await);
    }
    assert!(pages.iter().all(|p| p.0 == 200));
    assert!(pages.iter().all(|p| *p == pages[0]), "one answer for all");
    assert_eq!(reset_mails(&app, &email, 3).await, 3);
}

#[tokio::test]
async fn requests_from_one_client_for_many_addresses_send_at_most_ten_mails() {
    let app = TestApp::spawn().await;
    let mut emails = Vec::new();
    for n in 1..=12 {
        emails.push(email_of(&app, n).await);
    }
    let client = TestApp::new_client();
    for email in &emails {
        let (status, _) = ask(&app, &client, email).await;
        assert_eq!(status, 200);
    }
    let mut sent = 0;
    for email in &emails {
        sent += reset_mails(&app, email, 0).await;
    }
    assert_eq!(sent, 10);
}

#[tokio::test]
async fn a_registered_and_an_unknown_address_get_the_same_page() {
    let app = TestApp::spawn().await;
    let email = email_of(&app, 1).await;
    let client = TestApp::new_client();
    let known = ask(&app, &client, &email).await;
    let unknown = ask(&app, &client, "nobody@example.jp").await;
    assert_eq!(known, unknown);
    assert_eq!(reset_mails(&app, &email, 1).await, 1);
    assert_eq!(reset_mails(&app, "nobody@example.jp", 0).await, 0);
}

#[tokio::test]
async fn the_answer_does_not_wait_for_the_work_that_depends_on_the_address() {
    // Issuing a link writes user_tokens, and only for a registered address.
    // With that table locked, the answer must still come at once; the link
    // follows when the lock goes.
    let app = TestApp::spawn_on(Backend::Postgres).await;
    let email = email_of(&app, 1).await;
    let client = TestApp::new_client();
    let lock = app.db.lock_table("user_tokens").await;
    let answer = tokio::time::timeout(Duration::from_secs(5), ask(&app, &client, &email)).await;
    let unknown = tokio::time::timeout(
        Duration::from_secs(5),
        ask(&app, &client, "nobody@example.jp"),
    )
    .await;
    lock.release().await;
    let (answer, unknown) = (
        answer.expect("answered while the table was locked"),
        unknown.expect("answered"),
    );
    assert_eq!(answer.0, 200);
    assert_eq!(answer, unknown);
    assert_eq!(reset_mails(&app, &email, 1).await, 1);
}
