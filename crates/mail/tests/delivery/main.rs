//! Delivering the outbox to a real SMTP server (aiosmtpd) and to .eml files.

use std::time::Duration;

use mail::Mailer;
use store::NewMail;
use testkit::{Backend, SmtpSink, TestDb};

const FROM: &str = "ビジネスチャンス・ナビ <no-reply@navi.example.jp>";

fn notice(to: &str) -> NewMail {
    NewMail {
        to: to.into(),
        subject: "【ビジネスチャンス・ナビ】新着案件のお知らせ".into(),
        body_text: "清掃業務委託の案件があります。\n".into(),
        body_html: Some("<p>清掃業務委託の案件があります。</p>".into()),
        headers: vec![
            (
                "List-Unsubscribe".into(),
                "<https://navi.example.jp/u/abc>".into(),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
        dedupe_key: None,
    }
}

async fn delivers_over_smtp(backend: Backend) {
    let db = TestDb::new(backend).await;
    let sink = SmtpSink::start();
    let mailer =
        Mailer::new(Some(&sink.url()), FROM, &db.data_dir().join("outbox")).expect("delivery step");
    db.store()
        .enqueue_mail(&notice("taro@example.co.jp"), 1_000)
        .await
        .expect("delivery step");
    let report = mailer
        .deliver_due(db.store(), 2_000)
        .await
        .expect("delivery step");
    assert_eq!(report.sent, 1);
    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.to, ["taro@example.co.jp"]);
    assert_eq!(m.from, "no-reply@navi.example.jp");
    assert_eq!(m.subject, "【ビジネスチャンス・ナビ】新着案件のお知らせ");
    assert_eq!(
        m.text.as_deref().map(str::trim_end),
        Some("清掃業務委託の案件があります。")
    );
    assert!(
        m.html
            .as_deref()
            .expect("delivery step")
            .contains("<p>清掃業務委託の案件があります。</p>")
    );
    assert_eq!(
        m.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // Sent mail is not sent again.
    assert_eq!(
        mailer
            .deliver_due(db.store(), 3_000)
            .await
            .expect("delivery step")
            .sent,
        0
    );
}

#[tokio::test]
async fn queued_mail_reaches_a_real_smtp_server_decoded_intact_on_sqlite() {
    delivers_over_smtp(Backend::Sqlite).await;
}

#[tokio::test]
async fn queued_mail_reaches_a_real_smtp_server_decoded_intact_on_postgres() {
    delivers_over_smtp(Backend::Postgres).await;
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down_and_arrives_once_when_it_is_back() {
    let db = TestDb::sqlite().await;
    let mut sink = SmtpSink::start();
    let mailer = Mailer::new(Some(&sink.url()), FROM, &db.data_dir().join("outbox")).unwrap();
    sink.stop();
    for i in 0..3 {
        db.store()
            .enqueue_mail(&notice(&format!("u{i}@example.co.jp")), 1_000)
            .await
            .unwrap();
    }
    let down = mailer.deliver_due(db.store(), 2_000).await.unwrap();
    assert_eq!((down.sent, down.retried, down.failed), (0, 3, 0));
    // Not yet due again: nothing is attempted.
    sink.resume();
    assert_eq!(
        mailer
            .deliver_due(db.store(), 2_000 + 29_000)
            .await
            .unwrap()
            .sent,
        0
    );
    let up = mailer
        .deliver_due(db.store(), 2_000 + 30_000)
        .await
        .unwrap();
    assert_eq!(up.sent, 3);
    let got = sink.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 3);
    assert_eq!(
        mailer
            .deliver_due(db.store(), 10_000_000)
            .await
            .unwrap()
            .sent,
        0
    );
    assert_eq!(sink.messages().len(), 3, "each message arrives once");
}

#[tokio::test]
async fn a_permanent_refusal_is_given_up_and_kept_with_its_reason() {
    let db = TestDb::sqlite().await;
    let sink = SmtpSink::start();
    let mailer = Mailer::new(Some(&sink.url()), FROM, &db.data_dir().join("outbox")).unwrap();
    db.store()
        .enqueue_mail(&notice("bounce@example.co.jp"), 1_000)
        .await
        .unwrap();
    let r = mailer.deliver_due(db.store(), 2_000).await.unwrap();
    assert_eq!(r.failed, 1);
    let stored = db.store().mail_to("bounce@example.co.jp").await.unwrap();
    assert_eq!(stored[0].status, "failed");
    assert!(stored[0].last_error.as_deref().unwrap().contains("550"));
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files_in_the_outbox_folder() {
    let db = TestDb::sqlite().await;
    let outbox = db.data_dir().join("outbox");
    let mailer = Mailer::new(None, FROM, &outbox).unwrap();
    let id = db
        .store()
        .enqueue_mail(&notice("taro@example.co.jp"), 1_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mailer.deliver_due(db.store(), 2_000).await.unwrap().sent, 1);
    let eml = std::fs::read_to_string(outbox.join(format!("{id:08}.eml"))).unwrap();
    assert!(eml.contains("To: taro@example.co.jp"));
    assert!(eml.contains("List-Unsubscribe: <https://navi.example.jp/u/abc>"));
    assert!(
        eml.contains("Subject: =?utf-8?"),
        "the Japanese subject is RFC 2047-encoded"
    );
    // Mail may hold reset and invitation links: for the portal's user only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&outbox.join(format!("{id:08}.eml"))), 0o600);
        assert_eq!(mode(&outbox), 0o700);
    }
}

#[test]
fn a_bad_sender_or_smtp_url_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let err = Mailer::new(None, "no address", dir.path()).unwrap_err();
    assert!(err.to_string().contains("invalid sender address"));
    let err = Mailer::new(Some("ftp://x"), FROM, dir.path()).unwrap_err();
    assert!(err.to_string().contains("invalid SMTP URL"));
}
