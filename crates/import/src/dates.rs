//! Dates as sources write them. The reading itself is `domain::when`'s
//! (ISO 8601, 年月日, era dates, weekdays and every written time of day);
//! here are what the importers add: a field's name in the reason, and the
//! deadline a notice's text states after its deadline word.

use domain::When;

/// A field's value as a date: `Ok(None)` when empty, the reason (with the
/// field's name) when it cannot be read.
pub fn field(name: &str, value: &str) -> Result<Option<When>, String> {
    domain::when::parse_field(value).map_err(|e| format!("{name}の{e}"))
}

/// A moment written the ISO way ("2026-05-21T10:30:00Z"; a date alone is its
/// JST midnight), as UTC milliseconds: for release and result dates, which
/// only order things.
pub fn parse_iso(input: &str) -> Option<i64> {
    domain::when::parse_field(input)
        .ok()
        .flatten()
        .map(When::start_ms)
}

/// Words that introduce a deadline in a notice's text, most specific first.
const DEADLINE_WORDS: &[&str] = &[
    "入札書の提出期限",
    "入札書提出期限",
    "入札締切",
    "提出期限",
    "提出期間",
    "受付期限",
    "締切日",
    "締切",
    "期限",
];

/// The first date written after a deadline word in `text`, with its time
/// when the text states one ("令和7年5月21日（水）午後5時", "正午"), or the
/// day alone — never an invented hour. `Some(Err)` when a time is written
/// after the date but cannot be read.
pub fn deadline_in_text(text: &str) -> Option<Result<When, String>> {
    let t = domain::text::normalize(text);
    for word in DEADLINE_WORDS {
        let mut rest = t.as_str();
        while let Some(i) = rest.find(word) {
            let after = &rest[i + word.len()..];
            let window: String = after.chars().take(40).collect();
            if let Some(found) = domain::when::find_in(&window) {
                return Some(found.map_err(|e| format!("締切の{e}")));
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::time::jst_to_ms;
    use proptest::prelude::*;

    #[test]
    fn deadlines_are_found_in_notice_text_with_the_time_it_states() {
        let at = |y, m, d, h, mi| Some(Ok(When::At(jst_to_ms(y, m, d, h, mi))));
        assert_eq!(
            deadline_in_text(
                "公告日 令和7年4月1日。入札書の提出期限は令和7年5月21日（水）正午まで。"
            ),
            at(2025, 5, 21, 12, 0)
        );
        assert_eq!(
            deadline_in_text("入札締切：令和８年５月２２日（金）　午後５時"),
            at(2026, 5, 22, 17, 0)
        );
        assert_eq!(
            deadline_in_text("提出期限：令和元年１２月２日"),
            Some(Ok(When::Day(2019, 12, 2))),
            "no time stated: the day, not 17:00"
        );
        assert_eq!(
            deadline_in_text("締切 2026年1月15日"),
            Some(Ok(When::Day(2026, 1, 15)))
        );
        assert!(matches!(
            deadline_in_text("締切 令和8年1月15日 午後三時ごろ"),
            Some(Ok(When::At(_)))
        ));
        assert!(matches!(
            deadline_in_text("締切 令和8年1月15日 午後"),
            Some(Err(reason)) if reason.contains("時刻")
        ));
        assert_eq!(
            deadline_in_text("令和7年5月21日に公告します。"),
            None,
            "no deadline word"
        );
        assert_eq!(deadline_in_text(""), None);
    }

    #[test]
    fn a_field_error_names_the_field() {
        assert_eq!(
            field("入札締切", "令和8年5月22日 10時30分"),
            Ok(Some(When::At(jst_to_ms(2026, 5, 22, 10, 30))))
        );
        let e = field("入札締切", "令和8年5月22日 午後").unwrap_err();
        assert!(e.starts_with("入札締切の日付"), "{e}");
    }

    proptest! {
        #[test]
        fn no_notice_text_makes_the_deadline_reader_panic(s in "\\PC{0,120}") {
            let _ = deadline_in_text(&s);
            let _ = parse_iso(&s);
        }
    }
}
