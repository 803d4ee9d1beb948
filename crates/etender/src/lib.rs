//! E-tenders end to end on top of the store: a bid is sealed to the
//! tender's key as it arrives, and the opening — at or after its time —
//! unwraps the tender's key with the server's KEK, opens every bid, checks
//! it against 予定価格 and 最低制限価格, decides the winner (電子くじ for a
//! tie) and records it all.

use domain::tender::{OpenedBid, open_bids};
use serde::{Deserialize, Serialize};
use store::{Actor, BidResult, NewMail, OpeningRecord, Receipt, Store, StoreError};

/// What a bidder submits, before it is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidContent {
    /// 入札金額 (yen, excluding tax as Japanese e-bidding writes it).
    pub amount: i64,
    /// The bidder's 3-digit くじ number, "000" to "999".
    pub kuji: String,
    /// 内訳 (free text).
    #[serde(default)]
    pub breakdown: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Seal(#[from] seal::SealError),
    #[error("{0}")]
    Refused(String),
}

/// The longest 内訳 a bid may carry, in characters. With every character
/// at its longest in JSON (a control character, `\u001f`: 6 bytes) and the
/// largest amount, a bid still fits the fixed size every bid is padded to
/// (`seal::CAPACITY`), so every sealed bid has the same length.
pub const BREAKDOWN_MAX_CHARS: usize = 2_000;

/// The longest plaintext of a bid: `{"amount":…,"kuji":"…","breakdown":"…"}`
/// with 19 digits, 3 digits and every character of the 内訳 escaped.
const LONGEST_BID: usize =
    r#"{"amount":,"kuji":"","breakdown":""}"#.len() + 19 + 3 + 6 * BREAKDOWN_MAX_CHARS;
const _: () = assert!(LONGEST_BID <= seal::CAPACITY, "a bid must fit its padding");

/// The 内訳 as it may be sealed, or why not.
pub fn check_breakdown(text: &str) -> Result<(), TenderError> {
    if text.chars().count() > BREAKDOWN_MAX_CHARS {
        return Err(TenderError::Refused(
            "内訳は2,000文字以内で入力してください。".into(),
        ));
    }
    Ok(())
}

/// The くじ number as a number, or why it is not one.
pub fn kuji_number(text: &str) -> Result<u16, TenderError> {
    let t = domain::text::normalize(text);
    let t = t.trim();
    if t.is_empty() {
        return Err(TenderError::Refused(
            "くじ入力番号を入力してください。".into(),
        ));
    }
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_digit()) {
        Ok(t.parse().unwrap_or(0))
    } else {
        Err(TenderError::Refused(
            "くじ番号は3桁の数字（000〜999）で入力してください。".into(),
        ))
    }
}

/// The largest 入札金額 read from a form: 1兆円 less one yen.
pub const AMOUNT_MAX_YEN: i64 = 999_999_999_999;

/// What the bid form says about a 入札金額 it cannot read.
pub const AMOUNT_RULE: &str =
    "入札金額は、1円以上の金額を半角または全角の数字で入力してください（例：800000、800,000）。";

/// The 入札金額 as typed — half- or full-width digits, with commas (「，」
/// too), spaces, a leading 「金」 or 「¥」 and a trailing 「円」 allowed — in
/// yen, or why it is not one: empty is 「入力してください」, ¥0 is no bid.
pub fn bid_amount(text: &str) -> Result<i64, TenderError> {
    let t = domain::text::normalize(text);
    let t: String = t.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
    if t.is_empty() {
        return Err(TenderError::Refused("入札金額を入力してください。".into()));
    }
    let t = t.strip_prefix('金').unwrap_or(&t);
    let t = t.strip_prefix('¥').unwrap_or(t);
    let t = t.strip_suffix('円').unwrap_or(t);
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(TenderError::Refused(AMOUNT_RULE.into()));
    }
    match t.parse::<i64>() {
        Ok(n) if (1..=AMOUNT_MAX_YEN).contains(&n) => Ok(n),
        Ok(0) => Err(TenderError::Refused(AMOUNT_RULE.into())),
        _ => Err(TenderError::Refused(
            "入札金額は1兆円未満で入力してください。".into(),
        )),
    }
}

/// Seals `bid` to the tender's key and submits it.
pub async fn submit(
    store: &Store,
    case_id: i64,
    company_id: i64,
    user_id: Option<i64>,
    bid: &BidContent,
    actor: &Actor,
    now: i64,
) -> Result<Receipt, TenderError> {
    submit_mailing(
        store,
        case_id,
        company_id,
        user_id,
        bid,
        actor,
        |_| Vec::new(),
        now,
    )
    .await
}

/// [`submit`], with the receipt mails `receipt_mails` composes queued in
/// the bid's own transaction (see `Store::submit_bid_mailing`).
#[expect(
    clippy::too_many_arguments,
    reason = "the bid's facts, each its own value"
)]
pub async fn submit_mailing(
    store: &Store,
    case_id: i64,
    company_id: i64,
    user_id: Option<i64>,
    bid: &BidContent,
    actor: &Actor,
    receipt_mails: impl Fn(&Receipt) -> Vec<NewMail>,
    now: i64,
) -> Result<Receipt, TenderError> {
    if bid.amount <= 0 {
        return Err(TenderError::Refused(AMOUNT_RULE.into()));
    }
    let kuji = kuji_number(&bid.kuji)?;
    check_breakdown(&bid.breakdown)?;
    let tender = store
        .tender(case_id)
        .await?
        .ok_or_else(|| TenderError::Refused("入札案件が見つかりません。".into()))?;
    let public: [u8; 32] = tender
        .public_key
        .as_slice()
        .try_into()
        .map_err(|_| TenderError::Refused("入札案件の鍵が壊れています。".into()))?;
    // The くじ number as read ("０４２" → "042"): whatever was typed around
    // it, the sealed bid's size stays within its padding.
    let sealed_content = BidContent {
        kuji: format!("{kuji:03}"),
        ..bid.clone()
    };
    let plain =
        serde_json::to_vec(&sealed_content).map_err(|e| TenderError::Refused(e.to_string()))?;
    let sealed = seal::seal(&public, &plain)?;
    Ok(store
        .submit_bid_mailing(
            case_id,
            company_id,
            user_id,
            Some(&sealed),
            actor,
            receipt_mails,
            now,
        )
        .await?)
}

/// Opens the tender: unwraps its key with `kek`, opens every bid (a bid
/// that cannot be opened or read counts as 無効), decides, and records.
pub async fn open(
    store: &Store,
    kek: &seal::Kek,
    case_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<OpeningRecord, TenderError> {
    let tender = store
        .tender(case_id)
        .await?
        .ok_or_else(|| TenderError::Refused("入札案件が見つかりません。".into()))?;
    // The clock first: nothing is decrypted before the opening time.
    let mut check = tender.tender;
    check
        .apply(domain::tender::Action::Open, now)
        .map_err(|e| TenderError::Refused(e.message().to_owned()))?;
    let keys = seal::TenderKeys {
        public: tender
            .public_key
            .as_slice()
            .try_into()
            .map_err(|_| TenderError::Refused("入札案件の鍵が壊れています。".into()))?,
        wrapped_secret: tender.wrapped_secret.clone(),
    };
    let sealed = store.sealed_bids(case_id).await?;
    let names = store.bid_company_names(case_id).await?;
    // 総合評価: every bidder's 技術点 is recorded before any bid is opened.
    let scores: std::collections::HashMap<i64, i64> = store
        .participants(case_id)
        .await?
        .into_iter()
        .filter_map(|p| p.technical_score.map(|s| (p.company_id, s)))
        .collect();
    if tender.award_method == domain::tender::AwardMethod::Comprehensive
        && let Some(missing) = sealed
            .iter()
            .find(|b| !b.receipt.declined && !scores.contains_key(&b.company_id))
    {
        return Err(TenderError::Refused(format!(
            "{} の技術点が登録されていません。総合評価では、開札の前にすべての入札者の技術点を登録してください。",
            names.get(&missing.id).cloned().unwrap_or_default()
        )));
    }
    let mut names_in_order: Vec<String> = Vec::new();
    let mut receipts = Vec::new();
    let mut ids = Vec::new();
    let mut opened = Vec::new();
    for b in sealed.iter().filter(|b| !b.receipt.declined) {
        let content = b
            .sealed
            .as_deref()
            .and_then(|s| seal::open(kek, case_id, &keys, s).ok())
            .and_then(|plain| serde_json::from_slice::<BidContent>(&plain).ok());
        let (amount, kuji) = match &content {
            Some(c) => (c.amount, kuji_number(&c.kuji).unwrap_or(0)),
            None => (0, 0),
        };
        ids.push(b.id);
        receipts.push(b.receipt.clone());
        names_in_order.push(names.get(&b.id).cloned().unwrap_or_default());
        opened.push(OpenedBid {
            amount,
            kuji,
            received_at: b.receipt.received_at,
            technical_score: scores.get(&b.company_id).copied().unwrap_or(0),
        });
    }
    let outcome = open_bids(
        &opened,
        tender.ceiling_yen,
        tender.minimum_yen,
        tender.award_method,
    );
    let position = |i: usize| {
        outcome.tie.as_ref().and_then(|k| {
            k.order
                .iter()
                .position(|x| *x == i)
                .map(|p| (p, k.parts[p]))
        })
    };
    let record = OpeningRecord {
        opened_at: now,
        opened_by: actor.label.clone(),
        winner_bid: outcome.winner.map(|w| ids[w]),
        kuji_sum: outcome.tie.as_ref().map(|k| k.sum as i64),
        kuji_drawn: outcome.tie.as_ref().map(|k| k.drawn as i64),
        results: opened
            .iter()
            .enumerate()
            .map(|(i, b)| BidResult {
                bid_id: ids[i],
                company_name: names_in_order[i].clone(),
                receipt: receipts[i].clone(),
                amount_yen: b.amount,
                technical_score: b.technical_score,
                kuji: i64::from(b.kuji),
                validity: outcome.validity[i],
                kuji_position: position(i).map(|(p, _)| p as i64),
                kuji_part: position(i).map(|(_, part)| part as i64),
            })
            .collect(),
    };
    store.record_opening(case_id, &record, actor, now).await?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_typed_amount_is_a_positive_yen_figure_or_a_reason(s in "[金¥￥]?[0-9０-９,，  ]{0,16}円?|\\PC{0,24}") {
            match bid_amount(&s) {
                Ok(n) => {
                    prop_assert!((1..=AMOUNT_MAX_YEN).contains(&n));
                    // Read back from its own figures, the amount is itself.
                    prop_assert_eq!(bid_amount(&n.to_string()).ok(), Some(n));
                }
                Err(TenderError::Refused(m)) => prop_assert!(m.starts_with("入札金額")),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }

    #[test]
    fn an_amount_reads_in_half_or_full_width_with_commas_and_yen_and_zero_is_no_bid() {
        for typed in [
            "800000",
            "800,000",
            "８００，０００",
            "金800,000円",
            "¥800000",
            " 800 000 ",
        ] {
            assert_eq!(bid_amount(typed).ok(), Some(800_000), "{typed}");
        }
        let msg = |t: &str| match bid_amount(t) {
            Err(TenderError::Refused(m)) => m,
            other => panic!("{t}: {other:?}"),
        };
        assert_eq!(msg(""), "入札金額を入力してください。");
        assert_eq!(msg("  "), "入札金額を入力してください。");
        for bad in ["0", "０", "-5", "1.5", "八十万", "金円"] {
            assert_eq!(msg(bad), AMOUNT_RULE, "{bad}");
        }
        assert!(!AMOUNT_RULE.contains("0以上"));
        assert!(msg("1000000000000").contains("1兆円未満"));
        assert_eq!(
            kuji_number("").err().map(|e| e.to_string()),
            Some("くじ入力番号を入力してください。".to_owned())
        );
    }

    #[test]
    fn the_longest_bid_fits_the_padding_every_bid_is_sealed_in() {
        let longest = BidContent {
            amount: i64::MAX,
            kuji: "999".into(),
            // A control character is the longest a character gets in JSON.
            breakdown: "\u{1f}".repeat(BREAKDOWN_MAX_CHARS),
        };
        let plain = serde_json::to_vec(&longest).expect("json");
        assert_eq!(plain.len(), LONGEST_BID);
        assert!(plain.len() <= seal::CAPACITY);
        assert!(check_breakdown(&longest.breakdown).is_ok());
        let over = "内".repeat(BREAKDOWN_MAX_CHARS + 1);
        assert!(
            matches!(check_breakdown(&over), Err(TenderError::Refused(m)) if m.contains("2,000文字以内"))
        );
    }
}
