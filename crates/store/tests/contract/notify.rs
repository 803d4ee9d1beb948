//! Notification settings stored: the per-user limit, matches recorded once
//! and mailed once, a bounce that pauses a user, and the statistics.

use domain::Role;
use domain::notify::{Criteria, Frequency};
use store::{NewMail, NewNotifySetting, Store, StoreError};
use testkit::fixtures::case;
use testkit::people::person;

async fn setting(store: &Store, user: i64, name: &str) -> Result<i64, StoreError> {
    store
        .save_notify_setting(
            None,
            &NewNotifySetting {
                user_id: user,
                name,
                criteria: &Criteria {
                    keywords: vec!["清掃".into()],
                    ..Criteria::default()
                },
                frequency: Frequency::Immediate,
            },
            2,
            1_000,
        )
        .await
}

on_both_engines!(
    matches_are_recorded_once_and_mailed_once_and_a_bounce_pauses_the_user,
    |store| {
        let user = person(&store, Role::ReceivingCompany, 1).await.unwrap();
        let other = person(&store, Role::ReceivingCompany, 2).await.unwrap();
        let a = setting(&store, user, "一つ目").await.unwrap();
        setting(&store, user, "二つ目").await.unwrap();
        assert!(matches!(
            setting(&store, user, "三つ目").await,
            Err(StoreError::Invalid(ref m)) if m.contains("2件まで")
        ));
        // Only its owner changes or deletes a setting.
        assert!(matches!(
            store.delete_notify_setting(other, a).await,
            Err(StoreError::Stale)
        ));
        let c = store.upsert_case(&case(1), 1_000).await.unwrap().id();
        assert_eq!(store.active_notify_settings().await.unwrap().len(), 2);
        assert_eq!(
            store
                .record_notify_matches(&[(a, c)], 5, 2_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .record_notify_matches(&[(a, c)], 5, 2_000)
                .await
                .unwrap(),
            0,
            "a match is recorded once"
        );
        assert_eq!(store.notify_cursor().await.unwrap(), 5);
        let email = store.user(user).await.unwrap().unwrap().email;
        let mail = NewMail {
            to: email.clone(),
            subject: "おすすめ".into(),
            body_text: "本文".into(),
            dedupe_key: Some(format!("notify:{user}:3000")),
            ..NewMail::default()
        };
        assert!(
            store
                .deliver_notifications(&[(a, c)], Some(&mail), 3_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .deliver_notifications(&[(a, c)], Some(&mail), 3_001)
                .await
                .unwrap(),
            "mailed once"
        );
        assert!(store.unmailed_notify_matches().await.unwrap().is_empty());
        // The mail bounces for good: the user's notifications pause.
        store.notify_token(user, "token-1").await.unwrap();
        assert_eq!(
            store.notify_token(user, "token-2").await.unwrap(),
            "token-1"
        );
        let queued = store.mail_to(&email).await.unwrap();
        let id = queued.iter().find(|m| m.subject == "おすすめ").unwrap().id;
        store
            .mark_mail_failed(id, "550 no such user")
            .await
            .unwrap();
        assert_eq!(
            store
                .pause_notifications_after_bounce(id, "550 no such user", 4_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store.notify_pause(user).await.unwrap(),
            Some((4_000, "550 no such user".into()))
        );
        assert!(store.active_notify_settings().await.unwrap().is_empty());
        store.resume_notifications(user).await.unwrap();
        assert_eq!(store.active_notify_settings().await.unwrap().len(), 2);
        assert_eq!(
            store
                .unsubscribe_notifications("token-1", 5_000)
                .await
                .unwrap(),
            Some(user)
        );
        assert_eq!(
            store
                .unsubscribe_notifications("nope", 5_000)
                .await
                .unwrap(),
            None
        );
        let stats = store.notify_stats().await.unwrap();
        assert_eq!((stats.settings, stats.users), (2, 1));
        assert!(stats.terms.contains(&("keyword".into(), "清掃".into(), 2)));
    }
);

on_both_engines!(
    settings_read_back_typed_and_a_damaged_one_is_an_error_or_set_aside,
    |db, store| {
        let user = person(&store, Role::ReceivingCompany, 1).await.unwrap();
        let a = setting(&store, user, "一つ目").await.unwrap();
        let b = setting(&store, user, "二つ目").await.unwrap();
        let read = store.notify_setting(a).await.unwrap().unwrap();
        assert_eq!(read.criteria.keywords, ["清掃"]);
        assert_eq!(read.frequency, Frequency::Immediate);
        // A facet value this version does not know: reading that setting is
        // an error (not a setting that silently matches more), and the pass
        // that mails everyone sets it aside and goes on with the others.
        db.execute_raw(&format!(
            r#"UPDATE notify_settings SET criteria = '{{"kinds":["auction"]}}' WHERE id = {a}"#
        ))
        .await;
        assert!(matches!(
            store.notify_setting(a).await,
            Err(StoreError::Invalid(ref m)) if m.contains("auction")
        ));
        let active: Vec<i64> = store
            .active_notify_settings()
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(active, [b]);
        db.execute_raw(&format!(
            "UPDATE notify_settings SET frequency = 'hourly' WHERE id = {b}"
        ))
        .await;
        assert!(store.notify_setting(b).await.is_err());
        assert!(store.active_notify_settings().await.unwrap().is_empty());
    }
);
