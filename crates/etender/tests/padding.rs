//! A sealed bid's length tells nothing: every bid of a tender — 1 yen or
//! 999,999,999,999 yen, with or without 内訳 — is stored as the same number
//! of bytes, and opens to exactly what was sent. Bids sealed before padding
//! (plain JSON) still open. On both engines.

use domain::tender::{Schedule, Validity};
use etender::{BREAKDOWN_MAX_CHARS, BidContent, open, submit};
use store::{Actor, Store};

const H: i64 = 3_600_000;
const T0: i64 = 1_800_000_000_000;

fn terms() -> testkit::tenders::Terms {
    testkit::tenders::Terms {
        schedule: Schedule {
            published_at: T0,
            application_deadline: T0 + H,
            qualification_notice_at: T0 + 2 * H,
            bidding_opens_at: T0 + 3 * H,
            bid_deadline: T0 + 4 * H,
            opening_at: T0 + 5 * H,
        },
        ceiling_yen: 1_000_000_000_000,
        ceiling_public: true,
        minimum_yen: None,
    }
}

async fn every_bid_seals_to_the_same_length_and_opens_to_what_was_sent(store: &Store) {
    let kek = seal::Kek::generate().expect("kek");
    let staff = Actor::cli("test");
    let id = testkit::tenders::published_case(store, &kek, terms(), 1, T0 - H).await;
    let longest = "内訳".repeat(BREAKDOWN_MAX_CHARS / 2);
    let bids = [
        (1, ""),
        (999_999_999_999, ""),
        (1, "一式"),
        (
            999_999_999_999,
            "本体工事費 1,234,000円\n諸経費 \"一式\"\t\\",
        ),
        (500_000, longest.as_str()),
    ];
    for (n, (amount, breakdown)) in bids.iter().enumerate() {
        let (user, company) =
            testkit::tenders::nominated_bidder(store, id, 20 + n as u32, T0).await;
        let bid = BidContent {
            amount: *amount,
            kuji: format!("{n:03}"),
            breakdown: (*breakdown).to_owned(),
        };
        submit(
            store,
            id,
            company,
            Some(user),
            &bid,
            &staff,
            T0 + 3 * H + n as i64,
        )
        .await
        .expect("bid");
    }
    let stored = store.sealed_bids(id).await.expect("bids");
    let lengths: Vec<usize> = stored
        .iter()
        .map(|b| b.sealed.as_ref().expect("sealed").len())
        .collect();
    assert_eq!(
        lengths,
        vec![seal::PADDED_LEN + 48; bids.len()],
        "{lengths:?}"
    );
    // Opened, each is exactly what was sent.
    let keys = store.tender(id).await.expect("read").expect("tender");
    let keys = seal::TenderKeys {
        public: keys.public_key.try_into().expect("public key"),
        wrapped_secret: keys.wrapped_secret,
    };
    for (b, (amount, breakdown)) in stored.iter().zip(&bids) {
        let plain = seal::open(&kek, id, &keys, b.sealed.as_ref().expect("sealed")).expect("open");
        let content: BidContent = serde_json::from_slice(&plain).expect("json");
        assert_eq!(content.amount, *amount);
        assert_eq!(content.breakdown, *breakdown);
    }
    let record = open(store, &kek, id, &staff, T0 + 5 * H)
        .await
        .expect("open");
    let amounts: Vec<i64> = record.results.iter().map(|r| r.amount_yen).collect();
    assert_eq!(amounts, [1, 999_999_999_999, 1, 999_999_999_999, 500_000]);
    assert!(record.results.iter().all(|r| r.validity == Validity::Valid));
}

#[tokio::test]
async fn every_bid_seals_to_the_same_length_and_opens_to_what_was_sent_on_sqlite() {
    let db = testkit::TestDb::sqlite().await;
    every_bid_seals_to_the_same_length_and_opens_to_what_was_sent(db.store()).await;
}

#[tokio::test]
async fn every_bid_seals_to_the_same_length_and_opens_to_what_was_sent_on_postgres() {
    let db = testkit::TestDb::postgres().await;
    every_bid_seals_to_the_same_length_and_opens_to_what_was_sent(db.store()).await;
}

#[tokio::test]
async fn a_breakdown_too_long_to_fit_the_padding_is_refused_in_japanese() {
    let db = testkit::TestDb::sqlite().await;
    let store = db.store();
    let kek = seal::Kek::generate().expect("kek");
    let id = testkit::tenders::published_case(store, &kek, terms(), 1, T0 - H).await;
    let (user, company) = testkit::tenders::nominated_bidder(store, id, 1, T0).await;
    let bid = BidContent {
        amount: 1,
        kuji: "000".into(),
        breakdown: "あ".repeat(BREAKDOWN_MAX_CHARS + 1),
    };
    let refused = submit(
        store,
        id,
        company,
        Some(user),
        &bid,
        &Actor::cli("test"),
        T0 + 3 * H,
    )
    .await;
    assert!(
        matches!(refused, Err(etender::TenderError::Refused(ref m)) if m.contains("内訳は2,000文字以内")),
        "{refused:?}"
    );
    assert!(store.sealed_bids(id).await.expect("bids").is_empty());
}

/// A bid stored before padding: its JSON sealed as it was, くじ as typed.
async fn a_bid_sealed_before_padding_still_opens(store: &Store) {
    let kek = seal::Kek::generate().expect("kek");
    let staff = Actor::cli("test");
    let id = testkit::tenders::published_case(store, &kek, terms(), 1, T0 - H).await;
    let public: [u8; 32] = store
        .tender(id)
        .await
        .expect("read")
        .expect("tender")
        .public_key
        .try_into()
        .expect("public key");
    let (_, old) = testkit::tenders::nominated_bidder(store, id, 1, T0).await;
    let plain = br#"{"amount":750000,"kuji":"\uff10\uff14\uff12","breakdown":"\u4e00\u5f0f"}"#;
    let unpadded = crypto_box::PublicKey::from(public)
        .seal(&mut crypto_box::aead::OsRng, plain)
        .expect("seal");
    store
        .submit_bid(id, old, None, Some(&unpadded), &staff, T0 + 3 * H)
        .await
        .expect("old bid");
    let (user, new) = testkit::tenders::nominated_bidder(store, id, 2, T0).await;
    let bid = BidContent {
        amount: 800_000,
        kuji: "043".into(),
        breakdown: String::new(),
    };
    submit(store, id, new, Some(user), &bid, &staff, T0 + 3 * H + 1)
        .await
        .expect("new bid");
    let record = open(store, &kek, id, &staff, T0 + 5 * H)
        .await
        .expect("open");
    assert_eq!(record.results[0].amount_yen, 750_000);
    assert_eq!(record.results[0].kuji, 42);
    assert_eq!(record.results[0].validity, Validity::Valid);
    assert_eq!(record.results[1].amount_yen, 800_000);
    assert_eq!(record.winner_bid, Some(record.results[0].bid_id));
}

#[tokio::test]
async fn a_bid_sealed_before_padding_still_opens_on_sqlite() {
    let db = testkit::TestDb::sqlite().await;
    a_bid_sealed_before_padding_still_opens(db.store()).await;
}

#[tokio::test]
async fn a_bid_sealed_before_padding_still_opens_on_postgres() {
    let db = testkit::TestDb::postgres().await;
    a_bid_sealed_before_padding_still_opens(db.store()).await;
}
