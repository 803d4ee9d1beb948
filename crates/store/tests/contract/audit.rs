//! The hash-chained audit log.

use store::{Actor, AuditFilter, NewAuditEntry, Store};

async fn append(store: &Store, n: i64) {
    let actor = Actor {
        user_id: Some(n),
        label: format!("管理者 {n}"),
        ip: Some("192.0.2.1".into()),
    };
    store
        .append_audit(&NewAuditEntry {
            at: 1_000 + n,
            actor: &actor,
            action: if n % 2 == 0 {
                "master.update"
            } else {
                "company.approve"
            },
            target_type: "company",
            target_id: &n.to_string(),
            detail: "status=approved",
        })
        .await
        .expect("append");
}

on_both_engines!(an_untouched_chain_verifies, |store| {
    for n in 1..=5 {
        append(&store, n).await;
    }
    let v = store.verify_audit_chain().await.unwrap();
    assert_eq!(v.entries, 5);
    assert_eq!(v.first_broken, None);
    let entries = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [5, 4, 3, 2, 1]
    );
    assert_eq!(entries[1].prev_hash, entries[2].hash);
});

on_both_engines!(an_empty_chain_verifies, |store| {
    assert_eq!(store.verify_audit_chain().await.unwrap().first_broken, None);
});

on_both_engines!(an_edited_entry_is_named, |db, store| {
    for n in 1..=5 {
        append(&store, n).await;
    }
    db.execute_raw("UPDATE audit_log SET detail = 'status=rejected' WHERE seq = 3")
        .await;
    let v = store.verify_audit_chain().await.unwrap();
    let (seq, why) = v.first_broken.expect("broken");
    assert_eq!(seq, 3);
    assert!(why.contains("changed"), "{why}");
});

on_both_engines!(a_deleted_entry_is_named, |db, store| {
    for n in 1..=5 {
        append(&store, n).await;
    }
    db.execute_raw("DELETE FROM audit_log WHERE seq = 2").await;
    let (seq, why) = store
        .verify_audit_chain()
        .await
        .unwrap()
        .first_broken
        .expect("broken");
    assert_eq!(seq, 2);
    assert!(why.contains("missing"), "{why}");
});

on_both_engines!(deleting_the_newest_entries_is_detected, |db, store| {
    for n in 1..=5 {
        append(&store, n).await;
    }
    db.execute_raw("DELETE FROM audit_log WHERE seq >= 4").await;
    let (seq, why) = store
        .verify_audit_chain()
        .await
        .unwrap()
        .first_broken
        .expect("broken");
    assert_eq!(seq, 4);
    assert!(why.contains("deleted"), "{why}");
});

on_both_engines!(
    a_recomputed_forgery_of_one_entry_breaks_the_next,
    |db, store| {
        for n in 1..=3 {
            append(&store, n).await;
        }
        // Rewriting entry 2 with a hash of its own making still breaks entry 3's link.
        db.execute_raw("UPDATE audit_log SET hash = 'f00d' WHERE seq = 2")
            .await;
        let (seq, _) = store
            .verify_audit_chain()
            .await
            .unwrap()
            .first_broken
            .expect("broken");
        assert_eq!(seq, 2);
    }
);

on_both_engines!(concurrent_appends_keep_one_unbroken_chain, |store| {
    let mut tasks = Vec::new();
    for n in 1..=20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { append(&store, n).await }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let v = store.verify_audit_chain().await.unwrap();
    assert_eq!((v.entries, v.first_broken), (20, None));
});

on_both_engines!(entries_are_filtered_by_action_actor_and_time, |store| {
    for n in 1..=6 {
        append(&store, n).await;
    }
    let f = |action: Option<&str>, actor: Option<i64>, from: Option<i64>| AuditFilter {
        action_prefix: action.map(str::to_owned),
        actor_id: actor,
        from,
        ..AuditFilter::default()
    };
    assert_eq!(
        store
            .audit_entries(&f(Some("master."), None, None))
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store
            .audit_entries(&f(None, Some(4), None))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .audit_entries(&f(None, None, Some(1_005)))
            .await
            .unwrap()
            .len(),
        2
    );
    // LIKE wildcards in the prefix are taken literally.
    assert_eq!(
        store
            .audit_entries(&f(Some("%"), None, None))
            .await
            .unwrap()
            .len(),
        0
    );
});
