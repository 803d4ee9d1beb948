//! 受付票: the receipt of a sealed bid or of a 辞退.

use askama::Template;
use store::NewMail;

use super::{Composer, text};

/// The facts of an e-tender receipt (受付票) a bidder is mailed: never the
/// amount, which stays sealed until the opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidReceipt<'a> {
    pub case_id: i64,
    pub case_title: &'a str,
    pub receipt_no: &'a str,
    /// "2026年11月26日 14:05:09.123" (JST, to the millisecond).
    pub received_at: &'a str,
    pub sealed_hash: &'a str,
    /// 辞退 rather than a bid.
    pub declined: bool,
}

#[derive(Template)]
#[template(path = "bid_receipt.txt", escape = "none")]
struct BidReceiptText<'a> {
    site_url: &'a str,
    name: &'a str,
    what: &'a str,
    case_title: &'a str,
    receipt_no: &'a str,
    received_at: &'a str,
    sealed_hash: &'a str,
    declined: bool,
    link: &'a str,
}

impl Composer {
    /// 受付票: to the user who bid (or declined), in the same transaction
    /// that stores the sealed bid: its receipt number, time and hash.
    pub fn bid_receipt(&self, to: &str, name: &str, r: &BidReceipt<'_>) -> NewMail {
        let what = if r.declined { "辞退" } else { "入札" };
        let link = format!("{}/cases/{}", self.site_url, r.case_id);
        Self::mail(
            to,
            &format!("{what}を受け付けました（受付番号 {}）", r.receipt_no),
            text(&BidReceiptText {
                site_url: &self.site_url,
                name,
                what,
                case_title: r.case_title,
                receipt_no: r.receipt_no,
                received_at: r.received_at,
                sealed_hash: r.sealed_hash,
                declined: r.declined,
                link: &link,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bid_receipt_carries_the_receipt_number_time_and_hash() {
        let c = Composer::new("https://navi.example.jp");
        let m = c.bid_receipt(
            "a@example.jp",
            "山田 太郎",
            &BidReceipt {
                case_id: 42,
                case_title: "庁舎清掃業務委託",
                receipt_no: "42-0000007",
                received_at: "2026年12月10日 10:00:01.234",
                sealed_hash: "ab12",
                declined: false,
            },
        );
        assert_eq!(
            m.subject,
            "【ビジネスチャンス・ナビ】入札を受け付けました（受付番号 42-0000007）"
        );
        for fact in [
            "山田 太郎 様",
            "案件名：庁舎清掃業務委託",
            "受付番号：42-0000007",
            "受付時刻：2026年12月10日 10:00:01.234（日本時間",
            "（SHA-256）：ab12",
            "https://navi.example.jp/cases/42\n",
        ] {
            assert!(m.body_text.contains(fact), "{fact} in {}", m.body_text);
        }
    }
}
