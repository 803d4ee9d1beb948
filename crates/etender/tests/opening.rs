//! An e-tender from bids to the opening, on both engines: the bids are
//! opened with the server's KEK only at the opening time, checked against
//! the ceiling and the minimum, and a tie is settled by the published くじ.

use domain::Role;
use domain::tender::{Action, Schedule, Validity};
use etender::{BidContent, open, submit};
use store::{Actor, Participation, Store};
use testkit::people::person;

const H: i64 = 3_600_000;
const T0: i64 = 1_800_000_000_000;

/// Bidding opens three hours after T0, closes at four, is opened at five.
fn schedule() -> Schedule {
    Schedule {
        published_at: T0,
        application_deadline: T0 + H,
        qualification_notice_at: T0 + 2 * H,
        bidding_opens_at: T0 + 3 * H,
        bid_deadline: T0 + 4 * H,
        opening_at: T0 + 5 * H,
    }
}

async fn opening_decides_by_price_and_kuji(store: &Store) {
    let kek = seal::Kek::generate().expect("opening step");
    let staff = Actor::cli("test");
    let terms = testkit::tenders::Terms {
        schedule: schedule(),
        ceiling_yen: 1_000_000,
        ceiling_public: false,
        minimum_yen: Some(800_000),
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, T0 - H).await;
    // Four bidders: over the ceiling, under the minimum, and two tied.
    let offers = [
        (1_100_000, "111"),
        (790_000, "222"),
        (900_000, "333"),
        (900_000, "444"),
    ];
    let mut bids = Vec::new();
    for (n, (amount, kuji)) in offers.iter().enumerate() {
        let user = person(store, Role::ReceivingCompany, n as u32)
            .await
            .expect("opening step");
        let company = store
            .user(user)
            .await
            .expect("opening step")
            .expect("opening step")
            .company_id
            .expect("opening step");
        store
            .set_participation(id, company, Participation::Nominated, None, &staff, T0)
            .await
            .expect("opening step");
        let bid = BidContent {
            amount: *amount,
            kuji: (*kuji).into(),
            breakdown: String::new(),
        };
        let receipt = submit(
            store,
            id,
            company,
            Some(user),
            &bid,
            &staff,
            T0 + 3 * H + 1_000 * n as i64 + 7 * n as i64,
        )
        .await
        .expect("opening step");
        bids.push(receipt);
    }
    // Not before its time: nothing is opened.
    assert!(open(store, &kek, id, &staff, T0 + 5 * H - 1).await.is_err());
    assert!(store.opening(id).await.expect("opening step").is_none());
    // At the opening time, with the server's KEK.
    let record = open(store, &kek, id, &staff, T0 + 5 * H)
        .await
        .expect("opening step");
    let validity: Vec<&str> = record.results.iter().map(|r| r.validity.as_str()).collect();
    assert_eq!(
        validity,
        ["over_ceiling", "under_minimum", "valid", "valid"]
    );
    // The tie: the two 900,000 bids, numbered 0 and 1 in receipt order;
    // (333 + 14 ms) + (444 + 21 ms) = 812; 812 mod 2 = 0: the first wins.
    assert_eq!(record.kuji_sum, Some(333 + 14 + 444 + 21));
    assert_eq!(record.kuji_drawn, Some(0));
    assert_eq!(record.winner_bid, Some(record.results[2].bid_id));
    let stored = store
        .opening(id)
        .await
        .expect("opening step")
        .expect("opening step");
    assert_eq!(stored, record);
    // Opened once only, and a second attempt is told so.
    let again = open(store, &kek, id, &staff, T0 + 6 * H).await;
    assert!(
        matches!(again, Err(etender::TenderError::Refused(ref m)) if m.contains("既に開札しています")),
        "{again:?}"
    );
    store
        .tender_action(id, Action::Award, &staff, T0 + 6 * H)
        .await
        .expect("opening step");
}

#[tokio::test]
async fn the_opening_decides_by_price_and_kuji_on_sqlite() {
    let db = testkit::TestDb::sqlite().await;
    opening_decides_by_price_and_kuji(db.store()).await;
}

#[tokio::test]
async fn the_opening_decides_by_price_and_kuji_on_postgres() {
    let db = testkit::TestDb::postgres().await;
    opening_decides_by_price_and_kuji(db.store()).await;
}

#[tokio::test]
async fn bids_opened_with_another_kek_are_invalid_not_readable() {
    let db = testkit::TestDb::sqlite().await;
    let store = db.store();
    let kek = seal::Kek::generate().unwrap();
    let staff = Actor::cli("test");
    let terms = testkit::tenders::Terms {
        schedule: schedule(),
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, T0 - H).await;
    let user = person(store, Role::ReceivingCompany, 1).await.unwrap();
    let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
    store
        .set_participation(id, company, Participation::Nominated, None, &staff, T0)
        .await
        .unwrap();
    let bid = BidContent {
        amount: 500_000,
        kuji: "０４２".into(),
        breakdown: "一式".into(),
    };
    submit(store, id, company, None, &bid, &staff, T0 + 3 * H)
        .await
        .unwrap();
    let wrong = seal::Kek::generate().unwrap();
    let record = open(store, &wrong, id, &staff, T0 + 5 * H).await.unwrap();
    assert_eq!(record.results[0].validity, Validity::Malformed);
    assert_eq!(record.winner_bid, None);
}

/// 総合評価 (除算方式): the opening waits for every bidder's 技術点, then the
/// highest score ÷ price wins, not the lowest price.
async fn comprehensive_evaluation_uses_the_recorded_technical_scores(store: &Store) {
    let kek = seal::Kek::generate().expect("kek");
    let staff = Actor::cli("test");
    let terms = testkit::tenders::Terms {
        schedule: schedule(),
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_by(
        store,
        &kek,
        terms,
        domain::tender::AwardMethod::Comprehensive,
        2,
        T0 - H,
    )
    .await;
    // (amount, 技術点): 150 / 1,000,000 beats 100 / 700,000.
    let offers = [(700_000, 100), (1_000_000, 150)];
    let mut companies = Vec::new();
    for (n, (amount, _)) in offers.iter().enumerate() {
        let (user, company) =
            testkit::tenders::nominated_bidder(store, id, 10 + n as u32, T0).await;
        let bid = BidContent {
            amount: *amount,
            kuji: "000".into(),
            breakdown: String::new(),
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
        companies.push(company);
    }
    store
        .set_technical_score(id, companies[0], offers[0].1, &staff, T0 + 4 * H)
        .await
        .expect("score");
    let missing = open(store, &kek, id, &staff, T0 + 5 * H).await;
    assert!(
        matches!(missing, Err(etender::TenderError::Refused(ref m)) if m.contains("技術点が登録されていません")),
        "{missing:?}"
    );
    assert!(
        store.opening(id).await.expect("read").is_none(),
        "nothing opened"
    );
    store
        .set_technical_score(id, companies[1], offers[1].1, &staff, T0 + 4 * H)
        .await
        .expect("score");
    let record = open(store, &kek, id, &staff, T0 + 5 * H)
        .await
        .expect("open");
    assert_eq!(record.results[1].technical_score, 150);
    assert_eq!(record.winner_bid, Some(record.results[1].bid_id));
    assert_eq!(record.kuji_sum, None, "no tie");
}

#[tokio::test]
async fn comprehensive_evaluation_uses_the_recorded_technical_scores_on_sqlite() {
    let db = testkit::TestDb::sqlite().await;
    comprehensive_evaluation_uses_the_recorded_technical_scores(db.store()).await;
}

#[tokio::test]
async fn comprehensive_evaluation_uses_the_recorded_technical_scores_on_postgres() {
    let db = testkit::TestDb::postgres().await;
    comprehensive_evaluation_uses_the_recorded_technical_scores(db.store()).await;
}
