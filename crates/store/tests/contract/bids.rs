//! What the store publishes of bids with the result: each opened bid's
//! receipt, read back from the bid itself, and nothing before the opening.

use domain::tender::Action;
use store::{Actor, BidResult, OpeningRecord, Participation, Receipt};

use crate::tenders::{H, T0, company, tender};

on_both_engines!(
    the_opening_returns_each_opened_bids_receipt_as_its_bidder_got_it,
    |store| {
        let staff = Actor::cli("test");
        let id = tender(&store).await;
        store
            .tender_action(id, Action::Publish, &staff, T0)
            .await
            .unwrap();
        let mut receipts = Vec::new();
        for (n, sealed) in [
            (1, Some(&b"sealed-1"[..])),
            (2, Some(b"sealed-2")),
            (3, None),
        ] {
            let c = company(&store, n).await;
            store
                .set_participation(id, c, Participation::Nominated, None, &staff, T0)
                .await
                .unwrap();
            receipts.push(
                store
                    .submit_bid(id, c, None, sealed, &staff, T0 + 20 * H + i64::from(n))
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(store.opening(id).await.unwrap(), None, "nothing before");
        let bids = store.sealed_bids(id).await.unwrap();
        // The receipt given when recording is ignored: it is the bid's own.
        let blank = Receipt {
            receipt_no: String::new(),
            received_at: 0,
            sealed_hash: String::new(),
            declined: true,
        };
        let record = OpeningRecord {
            opened_at: T0 + 31 * H,
            opened_by: "test".into(),
            winner_bid: Some(bids[0].id),
            kuji_sum: None,
            kuji_drawn: None,
            results: bids
                .iter()
                .filter(|b| !b.receipt.declined)
                .map(|b| BidResult {
                    bid_id: b.id,
                    company_name: String::new(),
                    receipt: blank.clone(),
                    amount_yen: 900_000,
                    technical_score: 0,
                    kuji: 0,
                    validity: domain::tender::Validity::Valid,
                    kuji_position: None,
                    kuji_part: None,
                })
                .collect(),
        };
        store
            .record_opening(id, &record, &staff, T0 + 31 * H)
            .await
            .unwrap();
        let opened = store.opening(id).await.unwrap().expect("opened");
        let published: Vec<&Receipt> = opened.results.iter().map(|r| &r.receipt).collect();
        assert_eq!(
            published,
            [&receipts[0], &receipts[1]],
            "the decline is no bid"
        );
        assert_eq!(
            published[0].sealed_hash,
            domain::audit::sha256_hex(b"sealed-1")
        );
    }
);

on_both_engines!(a_bid_is_committed_with_full_durability, |store| {
    // Inside the bid's own transaction: SQLite syncs its log at the commit
    // (not only at checkpoints); PostgreSQL waits for the WAL flush, even
    // where the server's default is off (as on the test cluster).
    let level = store.bid_commit_durability().await.unwrap();
    let wanted = match store.engine() {
        store::Engine::Sqlite => "full",
        store::Engine::Postgres => "on",
    };
    assert_eq!(level, wanted);
});
