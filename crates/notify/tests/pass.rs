//! The notification pass over the database: a daily digest waits for its
//! hour and brings every due setting's cases in one mail, grouped by
//! setting, once; an address that bounces for good pauses its user.

use domain::Role;
use notify::pass::run;
use store::{NewNotifySetting, Store};
use testkit::fixtures::case;
use testkit::people::person;
use testkit::{SmtpSink, TestDb};

/// 2026-12-01 at `h`:`m` JST.
fn at(h: u32, m: u32) -> i64 {
    domain::time::jst_to_ms(2026, 12, 1, h, m)
}

fn token() -> String {
    format!(
        "t{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )
}

async fn save(store: &Store, user: i64, name: &str, keyword: &str, frequency: &str) -> i64 {
    let criteria = notify::Criteria {
        keywords: vec![keyword.to_owned()],
        ..notify::Criteria::default()
    };
    store
        .save_notify_setting(
            None,
            &NewNotifySetting {
                user_id: user,
                name,
                criteria: &criteria,
                frequency: notify::Frequency::parse(frequency).expect("frequency"),
            },
            20,
            at(0, 0),
        )
        .await
        .expect("setting")
}

async fn open_case(store: &Store, n: u32, title: &str) {
    let mut c = case(n);
    c.title = title.into();
    c.description = "仕様書のとおり。".into();
    c.organization_name = "テスト市".into();
    c.status = domain::CaseStatus::Open;
    store.upsert_case(&c, at(0, 0)).await.expect("case");
}

fn notices(mails: &[store::OutboxMail]) -> Vec<&store::OutboxMail> {
    mails
        .iter()
        .filter(|m| m.subject.contains("おすすめ案件"))
        .collect()
}

#[tokio::test]
async fn a_daily_digest_waits_for_its_hour_and_groups_every_due_setting_in_one_mail() {
    let db = TestDb::sqlite().await;
    let store = db.store();
    let composer = mail::Composer::new("https://navi.example.jp");
    let user = person(store, Role::ReceivingCompany, 1)
        .await
        .expect("user");
    let email = store.user(user).await.expect("read").expect("user").email;
    save(store, user, "清掃", "清掃", "daily:8").await;
    save(store, user, "警備", "警備", "daily:8").await;
    open_case(store, 1, "庁舎清掃業務委託").await;
    open_case(store, 2, "庁舎警備業務委託").await;
    open_case(store, 3, "道路舗装工事").await;

    let early = run(store, &composer, token, at(6, 0)).await.expect("pass");
    assert_eq!(
        (early.new_matches, early.mails),
        (2, 0),
        "matched, not yet due"
    );
    let due = run(store, &composer, token, at(8, 0)).await.expect("pass");
    assert_eq!((due.new_matches, due.mails), (0, 1));
    let mails = store.mail_to(&email).await.expect("outbox");
    let digest = notices(&mails);
    assert_eq!(digest.len(), 1, "one mail for both settings");
    let text = &digest[0].body_text;
    assert!(
        text.contains("━━ 清掃（1件）") && text.contains("━━ 警備（1件）"),
        "{text}"
    );
    assert!(text.contains("庁舎清掃業務委託") && !text.contains("道路舗装工事"));
    // Sent today: a case that comes later waits for tomorrow's digest.
    open_case(store, 4, "学校清掃委託").await;
    let later = run(store, &composer, token, at(9, 0)).await.expect("pass");
    assert_eq!((later.new_matches, later.mails), (1, 0));
    let tomorrow = run(store, &composer, token, at(8, 0) + 86_400_000)
        .await
        .expect("pass");
    assert_eq!(tomorrow.mails, 1);
    assert_eq!(
        notices(&store.mail_to(&email).await.expect("outbox")).len(),
        2
    );
    let quiet = run(store, &composer, token, at(8, 30) + 86_400_000)
        .await
        .expect("pass");
    assert_eq!(quiet.mails, 0, "nothing twice");
}

#[tokio::test]
async fn an_address_that_bounces_for_good_pauses_its_users_notifications() {
    let db = TestDb::sqlite().await;
    let store = db.store();
    let sink = SmtpSink::start();
    let mailer = mail::Mailer::new(
        Some(&sink.url()),
        "ビジネスチャンス・ナビ <no-reply@navi.example.jp>",
        &db.data_dir().join("outbox"),
    )
    .expect("mailer");
    let composer = mail::Composer::new("https://navi.example.jp");
    // The test SMTP server refuses addresses that start with "bounce" (550).
    let user = store
        .create_staff(
            &store::NewUser {
                email: domain::EmailAddress::parse("bounce@example.co.jp").expect("email"),
                name: "届かない 太郎".into(),
                password_hash: "x".into(),
            },
            domain::StaffRole::Operator,
            None,
            &store::Actor::cli("test"),
            1,
        )
        .await
        .expect("user");
    save(store, user, "清掃", "清掃", "immediate").await;
    open_case(store, 1, "庁舎清掃業務委託").await;
    let pass = run(store, &composer, token, at(8, 0)).await.expect("pass");
    assert_eq!(pass.mails, 1);
    let delivery = mailer.deliver_due(store, at(8, 0)).await.expect("deliver");
    assert_eq!(delivery.failed, 1);
    let (since, why) = store
        .notify_pause(user)
        .await
        .expect("read")
        .expect("paused");
    assert_eq!(since, at(8, 0));
    assert!(why.contains("550"), "{why}");
    open_case(store, 2, "学校清掃委託").await;
    let paused = run(store, &composer, token, at(9, 0)).await.expect("pass");
    assert_eq!((paused.settings, paused.mails), (0, 0));
}
