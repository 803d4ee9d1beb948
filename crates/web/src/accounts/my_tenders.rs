//! マイページの電子入札: the e-tenders the company applied to, was
//! nominated for, bid on or declined, each with its phase, the next date
//! that matters and what the company can do now.

use domain::tender::Phase;
use store::CompanyTender;

/// One e-tender as the company's my page lists it.
#[derive(Debug, Clone)]
pub struct TenderRow {
    pub id: i64,
    pub title: String,
    /// 参加申請中 / 指名 / 入札済み（受付番号 …） / 辞退（受付番号 …）.
    pub part: String,
    pub phase: &'static str,
    /// 「入札締切：2026年12月10日（令和8年） 17:00」, or empty.
    pub next: String,
    /// (href, label) of what the company can do now.
    pub action: Option<(String, &'static str)>,
}

impl TenderRow {
    pub fn of(t: &CompanyTender, now: i64) -> TenderRow {
        let id = t.case.id;
        let phase = t.tender.tender.phase(now);
        let part = match &t.receipt {
            Some(r) if r.declined => format!("辞退（受付番号 {}）", r.receipt_no),
            Some(r) => format!("入札済み（受付番号 {}）", r.receipt_no),
            None => t.participation.label().to_owned(),
        };
        let next = t
            .tender
            .tender
            .next_date(now)
            .map(|(name, at)| format!("{name}：{}", crate::present::when(at)))
            .unwrap_or_default();
        let action = if t.receipt.is_none()
            && t.participation.may_bid()
            && t.tender.tender.bid_window(now).is_ok()
        {
            Some((format!("/cases/{id}/bid"), "入札する"))
        } else if t.receipt.as_ref().is_some_and(|r| !r.declined)
            && matches!(phase, Phase::Opened | Phase::Awarded | Phase::Unsuccessful)
        {
            Some((format!("/cases/{id}#bid-results-title"), "入札結果を見る"))
        } else {
            None
        };
        TenderRow {
            id,
            title: t.case.fields.title.clone(),
            part,
            phase: phase.label(),
            next,
            action,
        }
    }
}
