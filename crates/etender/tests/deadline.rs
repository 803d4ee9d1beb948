//! 1,000 bids in the last second before the deadline and more just after,
//! all at once: every one before is accepted, every one after refused with
//! a clear message, none twice — on both engines.

use std::sync::Arc;

use domain::tender::Schedule;
use etender::{BidContent, TenderError, submit};
use store::{Actor, Store, StoreError};

const H: i64 = 3_600_000;
const T0: i64 = 1_800_000_000_000;
const BEFORE: usize = 1_000;
const AFTER: usize = 100;

async fn the_deadline_holds_under_load(store: Store) {
    let kek = seal::Kek::generate().expect("kek");
    let _staff = Actor::cli("test");
    let schedule = Schedule {
        published_at: T0,
        application_deadline: T0 + H,
        qualification_notice_at: T0 + H,
        bidding_opens_at: T0 + 2 * H,
        bid_deadline: T0 + 3 * H,
        opening_at: T0 + 4 * H,
    };
    let terms = testkit::tenders::Terms {
        schedule,
        ceiling_yen: 10_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(&store, &kek, terms, 1, T0 - H).await;
    let mut companies = Vec::new();
    for n in 0..(BEFORE + AFTER) as u32 {
        let (_, company) = testkit::tenders::nominated_bidder(&store, id, n, T0).await;
        companies.push(company);
    }
    let store = Arc::new(store);
    let deadline = schedule.bid_deadline;
    let mut tasks = Vec::new();
    for (i, company) in companies.iter().copied().enumerate() {
        // The first 1,000 arrive in the last second; the rest at or just after the deadline.
        let at = if i < BEFORE {
            deadline - 1_000 + i as i64
        } else {
            deadline + (i - BEFORE) as i64
        };
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let bid = BidContent {
                amount: 1_000_000 + i as i64,
                kuji: format!("{:03}", i % 1000),
                breakdown: String::new(),
            };
            let first = submit(&store, id, company, None, &bid, &Actor::cli("test"), at).await;
            // The same bidder again at once: never twice.
            let again = submit(&store, id, company, None, &bid, &Actor::cli("test"), at).await;
            (at, first, again)
        }));
    }
    let (mut accepted, mut refused) = (0, 0);
    for t in tasks {
        let (at, first, again) = t.await.expect("task");
        if at < deadline {
            assert!(
                first.is_ok(),
                "a bid at {at} before the deadline was refused: {first:?}"
            );
            assert!(
                matches!(
                    again,
                    Err(TenderError::Store(StoreError::Conflict { field: "bid" }))
                ),
                "the same bid again at {at}: {again:?}"
            );
            accepted += 1;
        } else {
            match first {
                Err(TenderError::Store(StoreError::Invalid(m))) => {
                    assert!(m.contains("入札の締切（"), "{m}");
                }
                other => panic!("a bid at {at}, after the deadline, was not refused: {other:?}"),
            }
            refused += 1;
        }
    }
    assert_eq!((accepted, refused), (BEFORE, AFTER));
    assert_eq!(store.sealed_bids(id).await.expect("bids").len(), BEFORE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_bids_in_the_last_second_are_all_taken_and_none_after_on_sqlite() {
    let db = testkit::TestDb::sqlite().await;
    the_deadline_holds_under_load(db.store().clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_bids_in_the_last_second_are_all_taken_and_none_after_on_postgres() {
    let db = testkit::TestDb::postgres().await;
    the_deadline_holds_under_load(db.store().clone()).await;
}
