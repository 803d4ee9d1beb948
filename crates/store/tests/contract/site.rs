//! The site's change sequence, which the render cache keys pages by.

/// Tables no public page reads: their writes (sign-ins, sessions, mail, the
/// audit log, bids before opening…) must not empty the render cache. A bid's
/// receipt number and hash appear on the case page only through its
/// opening, whose results (`bid_results`, watched) are written when it is
/// opened; a sealed bid is never changed after it was received.
const PRIVATE: &[&str] = &[
    "api_tokens",
    "audit_checkpoints",
    "audit_head",
    "audit_log",
    "bids",
    "case_change_head",
    "case_entries",
    "company_dealings_changes",
    "company_legal_changes",
    "company_member_organizations",
    "content_revisions",
    "entry_messages",
    "export_problems",
    "exports",
    "files",
    "import_quarantine",
    "import_runs",
    "leases",
    "mail_outbox",
    "master_update_changes",
    "master_updates",
    "notify_cursor",
    "notify_matches",
    "notify_setting_terms",
    "notify_settings",
    "notify_users",
    "ocds_releases",
    "registration_triggers",
    "sessions",
    "sign_in_attempts",
    "sign_in_devices",
    "sign_in_gates",
    "site_changes",
    "tender_participants",
    "user_tokens",
    "users",
];

on_both_engines!(
    every_table_is_watched_by_the_site_sequence_or_named_private,
    |store| {
        let tables: Vec<String> = store.describe_schema().await.unwrap().into_keys().collect();
        let watched = store.site_watched_tables().await.unwrap();
        for t in &tables {
            let private = PRIVATE.contains(&t.as_str());
            let is_watched = watched.contains(t);
            assert!(
                private != is_watched,
                "{t}: a new table must either move the site's change sequence \
             (migration triggers) or be named private here (watched: {is_watched})"
            );
        }
        assert!(watched.contains(&"cases".to_owned()), "{watched:?}");
    }
);

on_both_engines!(
    the_site_version_moves_with_each_committed_public_change_and_only_then,
    |store| {
        let v0 = store.site_version().await.unwrap();
        let written = store
            .upsert_cases(&[testkit::fixtures::case(1)], 1_000)
            .await
            .unwrap();
        let v1 = store.site_version().await.unwrap();
        assert!(v1 > v0, "a new case: {v0} → {v1}");
        // The same case again changes nothing and moves nothing.
        store
            .upsert_cases(&[testkit::fixtures::case(1)], 2_000)
            .await
            .unwrap();
        assert_eq!(store.site_version().await.unwrap(), v1);
        // A member of staff, a sign-in and a mail are no public page's business.
        let staff = testkit::people::person(&store, domain::Role::Operator, 1).await;
        testkit::people::session(&store, staff).await;
        store
            .enqueue_mail(
                &testkit::fixtures::mail_to(&testkit::fixtures::email("site"), "件名"),
                1_000,
            )
            .await
            .unwrap();
        assert_eq!(store.site_version().await.unwrap(), v1);
        // A change to the case moves it again.
        let mut changed = testkit::fixtures::case(1);
        changed.title = "庁舎清掃業務委託（変更後）".into();
        store.upsert_cases(&[changed], 3_000).await.unwrap();
        let v2 = store.site_version().await.unwrap();
        assert!(v2 > v1, "{v1} → {v2}");
        assert!(written[0].id() > 0);
    }
);

on_both_engines!(
    any_unicode_text_reads_back_the_same_through_the_page_read_path,
    |store| {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let text = "\\PC{1,120}";
        let mut draw = || text.new_tree(&mut runner).expect("text").current();
        let mut ids = Vec::new();
        let mut written = Vec::new();
        for n in 1..=40u32 {
            let mut c = testkit::fixtures::case(n);
            c.title = draw();
            c.description = draw();
            c.organization_name = draw();
            c.municipality_name = Some(draw());
            c.documents = vec![(draw(), format!("https://example.jp/{}", draw()))];
            let id = store.upsert_cases(&[c.clone()], 1_000).await.unwrap()[0].id();
            ids.push(id);
            written.push(c);
        }
        let one_by_one = read_one_by_one(&store, &ids).await;
        let together = store.cases_by_ids(&ids).await.unwrap();
        assert_eq!(together.len(), written.len());
        for ((c, read), alone) in written.iter().zip(&together).zip(&one_by_one) {
            assert_eq!(&read.fields, c);
            assert_eq!(&alone.fields, c);
        }
    }
);

async fn read_one_by_one(store: &store::Store, ids: &[i64]) -> Vec<store::Case> {
    let mut out = Vec::new();
    for id in ids {
        out.push(store.case(*id).await.expect("read").expect("written"));
    }
    out
}

on_both_engines!(
    every_commit_of_another_connection_is_seen_by_the_next_read,
    |db, store| {
        // Another node, or on SQLite another process: its own connections.
        let other = testkit::connect(db.target()).await;
        let mut last = store.site_version().await.unwrap();
        for n in 1..=60u32 {
            // A private write between two reads leaves the sequence where it
            // was (on SQLite the file changed: the sequence is read again).
            if n % 3 == 0 {
                let staff = testkit::people::person(&other, domain::Role::Operator, n).await;
                testkit::people::session(&other, staff).await;
                assert_eq!(store.site_version().await.unwrap(), last, "write {n}");
            }
            let mut c = testkit::fixtures::case(n % 4 + 1);
            c.title = format!("庁舎清掃業務委託 第{n}回");
            other
                .upsert_cases(&[c], i64::from(n) * 1_000)
                .await
                .unwrap();
            let now = store.site_version().await.unwrap();
            assert!(
                now > last,
                "commit {n} by the other connection: {last} → {now}"
            );
            // Read twice with nothing committed between: the same.
            assert_eq!(store.site_version().await.unwrap(), now, "read again {n}");
            last = now;
        }
        other.close().await;
    }
);
