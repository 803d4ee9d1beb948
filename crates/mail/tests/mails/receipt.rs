//! 受付票: the receipt of a sealed bid, or of a 辞退, to the user who sent it.

use mail::BidReceipt;

use super::{TO, composer, shown};

fn receipt(declined: bool) -> String {
    shown(&composer().bid_receipt(
        TO,
        "山田 太郎",
        &BidReceipt {
            case_id: 42,
            case_title: "市庁舎清掃業務委託（令和9年度）",
            receipt_no: "42-0000007",
            received_at: "2027年1月15日 10:00:01.234",
            sealed_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            declined,
        },
    ))
}

#[test]
fn a_bid_receipt_gives_number_time_and_hash_and_no_amount() {
    let mail = receipt(false);
    insta::assert_snapshot!(mail);
}

#[test]
fn a_declining_receipt_says_it_cannot_be_withdrawn() {
    let mail = receipt(true);
    insta::assert_snapshot!(mail);
}
