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

on_both_engines!(
    rewriting_an_entry_and_every_later_hash_is_named,
    |db, store| {
        for n in 1..=5 {
            append(&store, n).await;
        }
        db.rewrite_audit_entry(3, "status=rejected").await;
        let v = store.verify_audit_chain().await.unwrap();
        let (seq, why) = v.first_broken.expect("broken");
        assert_eq!(seq, 3);
        assert!(why.contains("changed"), "{why}");
        assert_eq!(v.entries, 2);
    }
);

on_both_engines!(
    deleting_the_newest_entries_and_moving_the_head_back_is_found_by_a_checkpoint,
    |db, store| {
        for n in 1..=5 {
            append(&store, n).await;
        }
        let kept = store.make_audit_checkpoint(10_000).await.unwrap();
        assert_eq!(kept.seq, 5);
        db.truncate_audit(3).await;
        // The stored checkpoint finds it…
        let (seq, why) = store
            .verify_audit_chain()
            .await
            .unwrap()
            .first_broken
            .expect("broken");
        assert_eq!(seq, 4);
        assert!(why.contains("deleted"), "{why}");
        // …and so does a copy kept outside once the stored ones are gone too.
        db.execute_raw("DELETE FROM audit_checkpoints").await;
        assert!(store.verify_audit_chain().await.unwrap().is_intact());
        let v = store
            .verify_audit_chain_with(&[(kept, "kept.json #1".to_owned())])
            .await
            .unwrap();
        let (seq, why) = v.first_broken.expect("broken");
        assert_eq!(seq, 4);
        assert!(why.contains("entries 4 to 5 were deleted"), "{why}");
        assert!(why.contains("kept.json #1"), "{why}");
    }
);

on_both_engines!(an_intact_chain_passes_with_its_checkpoints, |store| {
    for n in 1..=3 {
        append(&store, n).await;
    }
    let first = store.make_audit_checkpoint(10_000).await.unwrap();
    for n in 4..=6 {
        append(&store, n).await;
    }
    let second = store.make_audit_checkpoint(20_000).await.unwrap();
    assert_eq!((first.seq, second.seq), (3, 6));
    assert_eq!(
        store.audit_checkpoints(10).await.unwrap(),
        vec![second.clone(), first.clone()],
        "newest first"
    );
    let public = store.audit_public_key().unwrap();
    assert!(public.verifies(&first) && public.verifies(&second));
    let v = store
        .verify_audit_chain_with(&[(first, "kept".into())])
        .await
        .unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!((v.entries, v.checkpoints, v.keyed_from), (6, 3, 1));
});

on_both_engines!(a_forged_checkpoint_is_refused, |db, store| {
    for n in 1..=3 {
        append(&store, n).await;
    }
    let genuine = store.make_audit_checkpoint(10_000).await.unwrap();
    let other = domain::audit::AuditKeys::derive(&domain::audit::AuditSecret::from_bytes([9; 32]));
    let forged = other.checkpoint(genuine.seq, &genuine.head_hash, 20_000, 1);
    let v = store
        .verify_audit_chain_with(&[(forged.clone(), "kept.json #1".into())])
        .await
        .unwrap();
    assert!(!v.is_intact());
    assert_eq!(v.first_broken, None);
    assert_eq!(v.refused.len(), 1);
    assert!(v.refused[0].contains("kept.json #1"), "{:?}", v.refused);
    // One slipped into the database is refused too, and no checkpoint is
    // signed over it.
    db.execute_raw(&format!(
        "INSERT INTO audit_checkpoints (seq, head_hash, at, keyed_from, signature)
         VALUES ({}, '{}', {}, 1, '{}')",
        forged.seq, forged.head_hash, forged.at, forged.signature
    ))
    .await;
    assert_eq!(store.verify_audit_chain().await.unwrap().refused.len(), 1);
    assert!(matches!(
        store.make_audit_checkpoint(30_000).await,
        Err(store::StoreError::AuditBroken { .. })
    ));
});

on_both_engines!(no_checkpoint_is_signed_over_a_broken_chain, |db, store| {
    for n in 1..=4 {
        append(&store, n).await;
    }
    store.make_audit_checkpoint(10_000).await.unwrap();
    append(&store, 5).await;
    db.execute_raw("UPDATE audit_log SET detail = 'x' WHERE seq = 5")
        .await;
    match store.make_audit_checkpoint(20_000).await {
        Err(store::StoreError::AuditBroken { seq, .. }) => assert_eq!(seq, 5),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.audit_checkpoints(0).await.unwrap().len(), 1);
});

on_both_engines!(
    entries_from_before_the_upgrade_keep_their_unkeyed_hashes_and_verify,
    |db, store| {
        // A database as version 1 left it: migration 18 undone, three
        // entries hashed without a key.
        db.execute_raw(
            "DROP TABLE audit_checkpoints;
             ALTER TABLE audit_head DROP COLUMN keyed_from;
             DELETE FROM _sqlx_migrations WHERE version = 18;",
        )
        .await;
        let mut prev = String::new();
        let mut sql = String::new();
        for seq in 1..=3 {
            let f = domain::audit::AuditFields {
                seq,
                at: 1_000 + seq,
                actor_id: None,
                actor_label: "コマンド user create",
                action: "user.create",
                target_type: "user",
                target_id: "1",
                detail: "role=admin",
                ip: None,
            };
            let hash = domain::audit::unkeyed_entry_hash(&prev, &f);
            sql.push_str(&format!(
                "INSERT INTO audit_log (seq, at, actor_id, actor_label, action, target_type,
                                        target_id, detail, ip, prev_hash, hash)
                 VALUES ({seq}, {}, NULL, '{}', '{}', '{}', '{}', '{}', NULL, '{prev}', '{hash}');\n",
                f.at, f.actor_label, f.action, f.target_type, f.target_id, f.detail
            ));
            prev = hash;
        }
        sql.push_str(&format!(
            "UPDATE audit_head SET seq = 3, hash = '{prev}' WHERE id = 1;"
        ));
        db.execute_raw(&sql).await;
        let report = store.migrate().await.unwrap();
        assert_eq!(report.applied, vec![18]);
        assert_eq!(store.audit_head().await.unwrap().keyed_from, 4);
        for n in 4..=5 {
            append(&store, n).await;
        }
        let cp = store.make_audit_checkpoint(10_000).await.unwrap();
        assert_eq!((cp.seq, cp.keyed_from), (5, 4));
        let v = store.verify_audit_chain().await.unwrap();
        assert!(v.is_intact(), "{v:?}");
        assert_eq!((v.entries, v.keyed_from), (5, 4));
        // Passing the keyed entries off as unkeyed by moving the boundary is
        // found through the checkpoint that states it.
        db.execute_raw("UPDATE audit_head SET keyed_from = 6 WHERE id = 1")
            .await;
        let (seq, why) = store
            .verify_audit_chain()
            .await
            .unwrap()
            .first_broken
            .expect("broken");
        assert_eq!(seq, 4);
        assert!(why.contains("boundary"), "{why}");
    }
);

on_both_engines!(
    a_store_without_the_audit_key_writes_no_audited_action,
    |db, _store| {
        let bare = Store::connect(db.target(), &store::PoolSettings::default())
            .await
            .unwrap();
        let actor = Actor::cli("test");
        let err = bare
            .append_audit(&NewAuditEntry {
                at: 1,
                actor: &actor,
                action: "test",
                target_type: "t",
                target_id: "1",
                detail: "",
            })
            .await
            .unwrap_err();
        assert!(matches!(err, store::StoreError::NoAuditKey), "{err}");
        assert!(bare.audit_public_key().is_none());
        assert_eq!(bare.audit_head().await.unwrap().seq, 0);
    }
);

on_both_engines!(a_read_only_store_reads_and_cannot_write, |db, _store| {
    let ro = Store::connect_read_only(db.target(), &store::PoolSettings::default())
        .await
        .unwrap()
        .with_audit_keys(testkit::audit_keys());
    assert!(ro.verify_audit_chain().await.unwrap().is_intact());
    assert!(ro.make_audit_checkpoint(1).await.is_err(), "no write");
    // A schema that is behind stays behind.
    db.execute_raw(
        "DROP TABLE audit_checkpoints;
         ALTER TABLE audit_head DROP COLUMN keyed_from;
         DELETE FROM _sqlx_migrations WHERE version = 18;",
    )
    .await;
    assert!(ro.migrate().await.is_err(), "no migration");
    assert!(!ro.applied_versions().await.unwrap().contains(&18));
});

#[tokio::test]
async fn a_read_only_store_does_not_create_a_missing_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let target = store::DatabaseTarget::sqlite(&path).unwrap();
    assert!(
        Store::connect_read_only(&target, &store::PoolSettings::default())
            .await
            .is_err()
    );
    assert!(!path.exists());
}

on_both_engines!(
    moving_the_head_back_over_entries_left_in_place_is_named,
    |db, store| {
        for n in 1..=5 {
            append(&store, n).await;
        }
        let third = store
            .audit_entries(&AuditFilter::default())
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.seq == 3)
            .unwrap();
        db.execute_raw(&format!(
            "UPDATE audit_head SET seq = 3, hash = '{}' WHERE id = 1",
            third.hash
        ))
        .await;
        let v = store.verify_audit_chain().await.unwrap();
        let (seq, why) = v.first_broken.expect("broken");
        assert_eq!(seq, 4);
        assert!(why.contains("moved back"), "{why}");
        assert_eq!(v.entries, 3);
    }
);
