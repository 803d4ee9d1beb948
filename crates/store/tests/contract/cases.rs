//! Cases: written once per source key, unchanged records left alone, changes
//! numbered in commit order for the search index to follow.

use store::Upserted;
use testkit::fixtures::case;

on_both_engines!(a_new_case_is_inserted_and_read_back_whole, |store| {
    let c = case(1);
    let r = store.upsert_case(&c, 1_000).await.unwrap();
    assert!(matches!(r, Upserted::Inserted(_)));
    let stored = store.case(r.id()).await.unwrap().expect("stored");
    assert_eq!(stored.fields, c);
    assert_eq!(stored.change_seq, 1);
    assert_eq!((stored.created_at, stored.updated_at), (1_000, 1_000));
});

on_both_engines!(reimporting_an_unchanged_record_changes_nothing, |store| {
    let id = store.upsert_case(&case(1), 1_000).await.unwrap().id();
    assert_eq!(
        store.upsert_case(&case(1), 2_000).await.unwrap(),
        Upserted::Unchanged(id)
    );
    assert_eq!(
        store.latest_case_seq().await.unwrap(),
        1,
        "no sequence number spent"
    );
    assert_eq!(store.case(id).await.unwrap().unwrap().updated_at, 1_000);
});

on_both_engines!(
    an_amended_record_is_updated_in_place_with_a_new_sequence_number,
    |store| {
        let id = store.upsert_case(&case(1), 1_000).await.unwrap().id();
        let mut amended = case(1);
        amended.title = "庁舎清掃業務委託（その1）【訂正】".into();
        amended.documents.push((
            "仕様書".into(),
            "https://www.kkj.go.jp/doc/1-spec.pdf".into(),
        ));
        assert_eq!(
            store.upsert_case(&amended, 2_000).await.unwrap(),
            Upserted::Updated(id)
        );
        let stored = store.case(id).await.unwrap().unwrap();
        assert_eq!(stored.fields.title, "庁舎清掃業務委託（その1）【訂正】");
        assert_eq!(stored.fields.documents.len(), 2);
        assert_eq!(
            (stored.change_seq, stored.created_at, stored.updated_at),
            (2, 1_000, 2_000)
        );
        assert_eq!(store.count_cases().await.unwrap(), 1);
    }
);

on_both_engines!(the_same_key_from_two_sources_is_two_cases, |store| {
    let mut other = case(1);
    other.source = "tokyo".into();
    let a = store.upsert_case(&case(1), 1_000).await.unwrap().id();
    let b = store.upsert_case(&other, 1_000).await.unwrap().id();
    assert_ne!(a, b);
});

on_both_engines!(
    a_batch_shares_one_sequence_number_and_followers_see_every_change_in_order,
    |store| {
        let batch: Vec<_> = (1..=5).map(case).collect();
        let results = store.upsert_cases(&batch, 1_000).await.unwrap();
        assert!(results.iter().all(|r| matches!(r, Upserted::Inserted(_))));
        let mut changed = case(3);
        changed.status = domain::CaseStatus::Closed;
        store.upsert_case(&changed, 2_000).await.unwrap();
        let all = store.cases_changed_since(0, 100).await.unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(all.last().unwrap().fields.source_key, "kkj-3");
        assert_eq!(all.last().unwrap().change_seq, 2);
        let after_first = store.cases_changed_since(1, 100).await.unwrap();
        assert_eq!(
            after_first
                .iter()
                .map(|c| c.fields.source_key.as_str())
                .collect::<Vec<_>>(),
            ["kkj-3"]
        );
        assert_eq!(
            store.cases_changed_since(0, 2).await.unwrap().len(),
            2,
            "paged"
        );
    }
);

on_both_engines!(concurrent_writers_get_distinct_sequence_numbers, |store| {
    let mut tasks = Vec::new();
    for n in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.upsert_case(&case(100 + n), 1_000).await.unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut seqs: Vec<i64> = store
        .cases_changed_since(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.change_seq)
        .collect();
    assert_eq!(seqs.len(), 8);
    seqs.dedup();
    assert_eq!(seqs.len(), 8, "one number per transaction");
    assert_eq!(store.latest_case_seq().await.unwrap(), 8);
});

on_both_engines!(cases_are_read_by_ids_in_the_order_asked, |store| {
    let batch: Vec<_> = (1..=3).map(case).collect();
    let ids: Vec<i64> = store
        .upsert_cases(&batch, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id())
        .collect();
    let got = store.cases_by_ids(&[ids[2], 999, ids[0]]).await.unwrap();
    assert_eq!(
        got.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[2], ids[0]]
    );
    assert!(store.cases_by_ids(&[]).await.unwrap().is_empty());
    let many: Vec<_> = (10..=40).map(case).collect();
    let many_ids: Vec<i64> = store
        .upsert_cases(&many, 2_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id())
        .collect();
    let one = store.case(many_ids[5]).await.unwrap().unwrap();
    assert_eq!(
        one.fields.documents.len(),
        1,
        "stored: {:?}",
        one.fields.documents
    );
    let got = store.cases_by_ids(&many_ids[5..25]).await.unwrap();
    assert_eq!(got.len(), 20);
    let counts: Vec<usize> = got.iter().map(|c| c.fields.documents.len()).collect();
    assert!(
        counts.iter().all(|n| *n == 1),
        "every case has its document: {counts:?}"
    );
});
