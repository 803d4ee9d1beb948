//! One case model for every kind of opportunity (案件): its kind, category,
//! procedure and status, with their stored names and Japanese labels.

use crate::Invalid;
use crate::labelled_enum;
use crate::when::When;

labelled_enum!(
    /// Where a case comes from and what can be done with it.
    CaseKind, "案件の種類" {
        /// Public tenders imported from outside sources, shown with a link (掲載のみ).
        PublicTender = ("public_tender", "官公需・入札情報"),
        /// Tenders run here end to end (電子調達案件).
        ETender = ("e_tender", "電子調達案件"),
        /// Orders posted by ordering companies (民間発注案件).
        PrivateOrder = ("private_order", "民間発注案件"),
        /// Technical needs posted by ordering companies (技術ニーズ).
        TechnicalNeed = ("technical_need", "技術ニーズ"),
    }
);

labelled_enum!(
    /// 物品・役務・工事・その他.
    Category, "種別" {
        Goods = ("goods", "物品"),
        Services = ("services", "役務"),
        Construction = ("construction", "工事"),
        Other = ("other", "その他"),
    }
);

labelled_enum!(
    /// How the contract is awarded.
    Procedure, "入札・契約方式" {
        OpenCompetitive = ("open_competitive", "一般競争入札"),
        DesignatedCompetitive = ("designated_competitive", "指名競争入札"),
        QuotationComparison = ("quotation_comparison", "見積合わせ"),
        Proposal = ("proposal", "公募型プロポーザル"),
        NegotiatedContract = ("negotiated_contract", "随意契約"),
        Other = ("other", "その他"),
    }
);

labelled_enum!(
    /// Where a case stands.
    CaseStatus, "案件の状態" {
        /// Being written by its author; not public.
        Draft = ("draft", "下書き"),
        /// Submitted for the administrator's review; not public.
        InReview = ("in_review", "審査中"),
        /// Sent back by the reviewer with a comment; not public.
        Returned = ("returned", "差し戻し"),
        Open = ("open", "募集中"),
        Closed = ("closed", "締切"),
        Awarded = ("awarded", "決定済み"),
        /// Ended without a contract: no valid bid, or none could be accepted (不調).
        Unsuccessful = ("unsuccessful", "不調"),
        Cancelled = ("cancelled", "中止"),
    }
);

labelled_enum!(
    /// Where a receiving company's entry (受注エントリー) stands.
    EntryStatus, "エントリーの状態" {
        Submitted = ("submitted", "エントリー済み"),
        Chosen = ("chosen", "選定"),
        NotChosen = ("not_chosen", "見送り"),
    }
);

labelled_enum!(
    /// The dates a case carries.
    CaseDate, "日付" {
        Published = ("published", "公告日"),
        ApplicationDeadline = ("application_deadline", "参加申請の締切"),
        SubmissionDeadline = ("submission_deadline", "入札・提出の締切"),
        Opening = ("opening", "開札日時"),
        /// The end of the delivery or performance period (納入期限・履行期限).
        PeriodEnd = ("period_end", "納入・履行期限"),
    }
);

impl CaseDate {
    /// Whether a day given without a time stands for its end: a deadline
    /// given as a day runs to the day's end, other dates start with the day.
    pub fn day_means_its_end(self) -> bool {
        matches!(
            self,
            CaseDate::ApplicationDeadline | CaseDate::SubmissionDeadline | CaseDate::PeriodEnd
        )
    }

    /// The instant stored for `when`.
    pub fn stored_ms(self, when: When) -> i64 {
        if self.day_means_its_end() {
            when.end_ms()
        } else {
            when.start_ms()
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Which of a case's dates its source gave as a day only, without a time of
/// day: those are shown as a date, never with an invented time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DayOnly(u8);

impl DayOnly {
    pub fn contains(self, d: CaseDate) -> bool {
        self.0 & d.bit() != 0
    }

    pub fn set(&mut self, d: CaseDate, day_only: bool) {
        if day_only {
            self.0 |= d.bit();
        } else {
            self.0 &= !d.bit();
        }
    }

    /// The stored form.
    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// Reads the stored form; a bit no date has is an error, not ignored.
    pub fn from_bits(bits: i64) -> Result<DayOnly, Invalid> {
        let all: u8 = CaseDate::ALL.iter().fold(0, |a, d| a | d.bit());
        u8::try_from(bits)
            .ok()
            .filter(|b| b & !all == 0)
            .map(DayOnly)
            .ok_or_else(|| Invalid::new(format!("日付の精度「{bits}」は使えません。")))
    }

    /// Date `d` as its source gave it, from its stored instant.
    pub fn when(self, d: CaseDate, ms: i64) -> When {
        if self.contains(d) {
            When::At(ms).day()
        } else {
            When::At(ms)
        }
    }
}

impl CaseKind {
    /// Kinds that ordering companies post and receiving companies enter.
    pub fn takes_entries(self) -> bool {
        matches!(self, CaseKind::PrivateOrder | CaseKind::TechnicalNeed)
    }
}

impl CaseStatus {
    /// Whether its ordering company may still call it off (募集の中止):
    /// public and no partner chosen yet.
    pub fn may_call_off(self) -> bool {
        matches!(self, CaseStatus::Open | CaseStatus::Closed)
    }

    /// A result was reached or the case was called off: nothing ahead.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            CaseStatus::Awarded | CaseStatus::Unsuccessful | CaseStatus::Cancelled
        )
    }

    /// Whether its author may still edit it: before review or after it came back.
    pub fn is_editable(self) -> bool {
        matches!(self, CaseStatus::Draft | CaseStatus::Returned)
    }

    /// Whether visitors may see the case.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            CaseStatus::Open
                | CaseStatus::Closed
                | CaseStatus::Awarded
                | CaseStatus::Unsuccessful
                | CaseStatus::Cancelled
        )
    }
}

impl Category {
    /// 官公需情報ポータルサイト's Category code: 1 物品, 2 工事, 3 役務.
    pub fn from_kkj_code(code: &str) -> Option<Category> {
        match code.trim() {
            "1" => Some(Category::Goods),
            "2" => Some(Category::Construction),
            "3" => Some(Category::Services),
            other => Category::parse(other).ok(),
        }
    }
}

/// "あと3日", "あと5時間", "あと12分", or "締切済み", from now to a deadline (ms).
pub fn time_left(now_ms: i64, deadline_ms: i64) -> String {
    let left = deadline_ms - now_ms;
    if left <= 0 {
        return "締切済み".to_owned();
    }
    let minutes = left / 60_000;
    if minutes < 60 {
        format!("あと{}分", minutes.max(1))
    } else if minutes < 48 * 60 {
        format!("あと{}時間", minutes / 60)
    } else {
        format!("あと{}日", minutes / (24 * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_name_and_its_label() {
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::parse(k.as_str()).unwrap(), *k);
            assert_eq!(CaseKind::parse(k.label()).unwrap(), *k);
        }
        for p in Procedure::ALL {
            assert_eq!(Procedure::parse(p.label()).unwrap(), *p);
        }
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()).unwrap(), *s);
        }
        assert!(
            Category::parse("食品")
                .unwrap_err()
                .message()
                .contains("種別")
        );
    }

    #[test]
    fn kkj_category_codes_map_to_categories() {
        assert_eq!(Category::from_kkj_code("1"), Some(Category::Goods));
        assert_eq!(Category::from_kkj_code("2"), Some(Category::Construction));
        assert_eq!(Category::from_kkj_code("3"), Some(Category::Services));
        assert_eq!(Category::from_kkj_code("役務"), Some(Category::Services));
        assert_eq!(Category::from_kkj_code("9"), None);
    }

    #[test]
    fn day_only_dates_keep_their_day_and_unknown_bits_are_refused() {
        let mut d = DayOnly::default();
        d.set(CaseDate::SubmissionDeadline, true);
        d.set(CaseDate::PeriodEnd, true);
        d.set(CaseDate::PeriodEnd, false);
        assert!(d.contains(CaseDate::SubmissionDeadline));
        assert!(!d.contains(CaseDate::PeriodEnd));
        assert_eq!(DayOnly::from_bits(d.bits()).unwrap(), d);
        assert!(DayOnly::from_bits(1 << 7).is_err());
        assert!(DayOnly::from_bits(-1).is_err());
        let day = When::Day(2026, 5, 21);
        let stored = CaseDate::SubmissionDeadline.stored_ms(day);
        assert_eq!(stored, day.end_ms());
        assert_eq!(d.when(CaseDate::SubmissionDeadline, stored), day);
        assert_eq!(CaseDate::Published.stored_ms(day), day.start_ms());
        assert_eq!(
            d.when(CaseDate::Opening, stored),
            When::At(stored),
            "a date not marked keeps its time"
        );
    }

    #[test]
    fn only_reviewed_cases_are_public() {
        assert!(!CaseStatus::Draft.is_public());
        assert!(!CaseStatus::InReview.is_public());
        assert!(!CaseStatus::Returned.is_public());
        assert!(CaseStatus::Open.is_public());
    }

    #[test]
    fn time_left_is_said_in_the_largest_sensible_unit() {
        let h = 3_600_000;
        assert_eq!(time_left(0, 30 * 60_000), "あと30分");
        assert_eq!(time_left(0, 10_000), "あと1分");
        assert_eq!(time_left(0, 5 * h), "あと5時間");
        assert_eq!(time_left(0, 47 * h), "あと47時間");
        assert_eq!(time_left(0, 72 * h), "あと3日");
        assert_eq!(time_left(5, 5), "締切済み");
    }
}
