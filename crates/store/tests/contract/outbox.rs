//! The mail outbox: queued once, claimed by one worker, retried, never lost.

use store::NewMail;

fn mail(to: &str, key: Option<&str>) -> NewMail {
    NewMail {
        to: to.into(),
        subject: "新着案件のお知らせ".into(),
        body_text: "本文".into(),
        body_html: Some("<p>本文</p>".into()),
        headers: vec![("List-Unsubscribe".into(), "<https://example.jp/u/1>".into())],
        dedupe_key: key.map(str::to_owned),
    }
}

on_both_engines!(a_dedupe_key_queues_a_message_once, |store| {
    assert!(
        store
            .enqueue_mail(&mail("a@example.jp", Some("k1")), 1_000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .enqueue_mail(&mail("a@example.jp", Some("k1")), 2_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .enqueue_mail(&mail("a@example.jp", None), 2_000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .enqueue_mail(&mail("a@example.jp", None), 2_000)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.mail_to("a@example.jp").await.unwrap().len(), 3);
});

on_both_engines!(
    a_claimed_message_is_not_claimed_again_until_its_lease_ends,
    |store| {
        store
            .enqueue_mail(&mail("a@example.jp", None), 1_000)
            .await
            .unwrap();
        store
            .enqueue_mail(&mail("b@example.jp", None), 1_000)
            .await
            .unwrap();
        let first = store.claim_due_mail(2_000, 10, 60_000).await.unwrap();
        assert_eq!(first.len(), 2);
        assert_eq!(
            first[0].headers,
            vec![(
                "List-Unsubscribe".to_owned(),
                "<https://example.jp/u/1>".to_owned()
            )]
        );
        assert_eq!(first[0].attempts, 1);
        assert!(
            store
                .claim_due_mail(3_000, 10, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        // The worker died: after the lease, another claims them.
        let again = store.claim_due_mail(62_000, 10, 60_000).await.unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].attempts, 2);
    }
);

on_both_engines!(
    sent_retried_and_failed_messages_leave_the_queue_as_told,
    |store| {
        let a = store
            .enqueue_mail(&mail("a@example.jp", None), 1_000)
            .await
            .unwrap()
            .unwrap();
        let b = store
            .enqueue_mail(&mail("b@example.jp", None), 1_000)
            .await
            .unwrap()
            .unwrap();
        let c = store
            .enqueue_mail(&mail("c@example.jp", None), 1_000)
            .await
            .unwrap()
            .unwrap();
        store.claim_due_mail(2_000, 10, 60_000).await.unwrap();
        store.mark_mail_sent(a, 2_100).await.unwrap();
        store
            .mark_mail_retry(b, "421 try later", 10_000)
            .await
            .unwrap();
        store.mark_mail_failed(c, "550 no such user").await.unwrap();
        assert!(
            store
                .claim_due_mail(9_999, 10, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        let due = store.claim_due_mail(10_000, 10, 60_000).await.unwrap();
        assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), [b]);
        assert_eq!(due[0].last_error.as_deref(), Some("421 try later"));
        let counts = store.mail_counts().await.unwrap();
        assert_eq!(
            counts,
            [
                ("failed".to_owned(), 1),
                ("pending".to_owned(), 1),
                ("sent".to_owned(), 1)
            ]
        );
    }
);

on_both_engines!(workers_racing_claim_each_message_once, |store| {
    for i in 0..30 {
        store
            .enqueue_mail(&mail(&format!("u{i}@example.jp"), None), 1_000)
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.claim_due_mail(2_000, 10, 60_000).await.unwrap()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await.unwrap().into_iter().map(|m| m.id));
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "no message claimed twice");
    assert_eq!(n, 30);
});
