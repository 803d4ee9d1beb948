//! Before the opening, no bid amount is anywhere in the clear: not in the
//! database file (nor its write-ahead log), not in the audit log.

use domain::Role;
use domain::tender::Schedule;
use seal::{Kek, open, seal};
use store::{Actor, Participation, TenderRecord};
use testkit::people::person;

const H: i64 = 3_600_000;
const T0: i64 = 1_800_000_000_000;

/// Amounts no other data in the test database contains.
const AMOUNTS: [&str; 3] = ["987654321", "876543219", "765432198"];

fn contains(haystack: &[u8], needle: &str) -> bool {
    let ascii = needle.as_bytes();
    let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack.windows(ascii.len()).any(|w| w == ascii)
        || haystack.windows(utf16.len()).any(|w| w == utf16.as_slice())
}

#[tokio::test]
async fn no_bid_amount_is_stored_in_the_clear_before_the_opening() {
    let db = testkit::TestDb::sqlite().await;
    let store = db.store();
    let kek = Kek::generate().unwrap();
    let staff = Actor::cli("test");
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: T0,
            application_deadline: T0 + H,
            qualification_notice_at: T0 + 2 * H,
            bidding_opens_at: T0 + 3 * H,
            bid_deadline: T0 + 4 * H,
            opening_at: T0 + 5 * H,
        },
        ceiling_yen: 999_999_999,
        ceiling_public: false,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, T0 - H).await;
    let t: TenderRecord = store.tender(id).await.unwrap().unwrap();
    let public: [u8; 32] = t.public_key.clone().try_into().unwrap();
    for (n, amount) in AMOUNTS.iter().enumerate() {
        let user = person(store, Role::ReceivingCompany, n as u32)
            .await
            .unwrap();
        let company = store.user(user).await.unwrap().unwrap().company_id.unwrap();
        store
            .set_participation(
                id,
                company,
                Participation::Applied,
                None,
                &staff,
                T0 + H / 2,
            )
            .await
            .unwrap();
        store
            .set_participation(
                id,
                company,
                Participation::Approved,
                None,
                &staff,
                T0 + 2 * H,
            )
            .await
            .unwrap();
        let plain = format!("{{\"amount\":{amount},\"kuji\":\"{n:03}\"}}");
        let sealed = seal(&public, plain.as_bytes()).unwrap();
        store
            .submit_bid(
                id,
                company,
                Some(user),
                Some(&sealed),
                &staff,
                T0 + 3 * H + n as i64,
            )
            .await
            .unwrap();
    }
    // Every byte the database wrote so far: the file and its write-ahead log.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(db.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(bytes.len() > 10_000, "the database files were read");
    for amount in AMOUNTS {
        assert!(
            !contains(&bytes, amount),
            "{amount} is in the database in the clear"
        );
    }
    let audit = store
        .audit_entries(&store::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    for e in &audit {
        for amount in AMOUNTS {
            assert!(
                !e.detail.contains(amount),
                "{amount} in the audit log: {}",
                e.detail
            );
        }
    }
    // The scan finds an amount that is written in the clear.
    let mut visible = testkit::fixtures::case(99);
    visible.description = format!("予定価格 {} 円", AMOUNTS[0]);
    store.upsert_case(&visible, T0).await.unwrap();
    let mut after = Vec::new();
    for entry in std::fs::read_dir(db.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            after.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(contains(&after, AMOUNTS[0]), "the scan can see plain text");
    // The opening (with the KEK) reads them all.
    let keys = seal::TenderKeys {
        public,
        wrapped_secret: t.wrapped_secret,
    };
    let opened: Vec<String> = store
        .sealed_bids(id)
        .await
        .unwrap()
        .into_iter()
        .map(|b| String::from_utf8(open(&kek, id, &keys, &b.sealed.unwrap()).unwrap()).unwrap())
        .collect();
    for (amount, plain) in AMOUNTS.iter().zip(&opened) {
        assert!(plain.contains(amount), "{plain}");
    }
}
