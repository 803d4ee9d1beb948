//! The index following the database's change sequence.

use search::{CaseQuery, SearchIndex, follow};
use testkit::{Backend, TestDb};

async fn follows_inserts_amendments_and_withdrawals(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store();
    let index = SearchIndex::open_or_create(&db.data_dir().join("index")).expect("index");
    let batch: Vec<_> = (1..=3).map(testkit::fixtures::case).collect();
    store.upsert_cases(&batch, 1_000).await.expect("insert");
    assert_eq!(follow::catch_up(store, &index).await.expect("catch up"), 3);
    assert_eq!(index.num_docs(), 3);
    assert_eq!(
        follow::catch_up(store, &index).await.expect("again"),
        0,
        "nothing new"
    );

    let mut withdrawn = testkit::fixtures::case(2);
    withdrawn.status = domain::CaseStatus::Draft;
    let mut amended = testkit::fixtures::case(3);
    amended.title = "庁舎警備業務委託".into();
    store
        .upsert_cases(&[withdrawn, amended], 2_000)
        .await
        .expect("update");
    follow::catch_up(store, &index).await.expect("catch up");
    assert_eq!(index.num_docs(), 2);
    let hits = index
        .search(
            &CaseQuery {
                text: "警備".into(),
                per_page: 10,
                ..Default::default()
            },
            0,
        )
        .expect("search");
    assert_eq!(hits.total, 1);
    assert_eq!(
        index.indexed_seq(),
        store.latest_case_seq().await.expect("seq")
    );

    // A deleted index folder loses nothing: a new one catches up from zero.
    drop(index);
    std::fs::remove_dir_all(db.data_dir().join("index")).expect("delete");
    let fresh = SearchIndex::open_or_create(&db.data_dir().join("index")).expect("index");
    follow::catch_up(store, &fresh).await.expect("rebuild");
    assert_eq!(fresh.num_docs(), 2);
    assert_eq!(follow::rebuild(store, &fresh).await.expect("rebuild"), 3);
    assert_eq!(fresh.num_docs(), 2);
}

#[tokio::test]
async fn the_index_follows_the_database_on_sqlite() {
    follows_inserts_amendments_and_withdrawals(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_index_follows_the_database_on_postgres() {
    follows_inserts_amendments_and_withdrawals(Backend::Postgres).await;
}

#[tokio::test]
async fn an_index_ahead_of_the_database_is_rebuilt() {
    let db = TestDb::sqlite().await;
    let index = SearchIndex::in_memory().expect("index");
    index.commit(99).expect("commit");
    db.store()
        .upsert_case(&testkit::fixtures::case(1), 1_000)
        .await
        .expect("insert");
    follow::catch_up(db.store(), &index)
        .await
        .expect("catch up");
    assert_eq!(index.indexed_seq(), 1);
    assert_eq!(index.num_docs(), 1);
}
