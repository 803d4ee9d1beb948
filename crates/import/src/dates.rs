//! Dates as sources write them: ISO 8601 with or without a time and offset,
//! and — in the text of a notice — Japanese era dates.

use domain::time::{is_valid_date, jst_to_ms};

/// "2026-05-21T00:00:00+09:00", "2026-05-21T10:30:00Z", "2026-07-01" (JST
/// midnight), "2026/07/01" → UTC milliseconds.
pub fn parse_iso(input: &str) -> Option<i64> {
    let s = domain::text::normalize(input);
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let mut parts = date.split(['-', '/']);
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !is_valid_date(y, m, d) {
        return None;
    }
    let rest = rest.trim_start_matches(['T', ' ']);
    if rest.is_empty() {
        return Some(jst_to_ms(y, m, d, 0, 0));
    }
    // hh:mm[:ss[.fff]] then Z, ±hh:mm or nothing (JST).
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix('Z') {
        (c, Some(0))
    } else if let Some(i) = rest.rfind(['+', '-']).filter(|i| *i >= 5) {
        let (c, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let mut hm = off[1..].split(':');
        let oh: i64 = hm.next()?.parse().ok()?;
        let om: i64 = hm.next().unwrap_or("0").parse().ok()?;
        (c, Some(sign * (oh * 60 + om)))
    } else {
        (rest, None)
    };
    let mut hms = clock.split(':');
    let h: u32 = hms.next()?.parse().ok()?;
    let mi: u32 = hms.next()?.parse().ok()?;
    let sec: f64 = hms.next().unwrap_or("0").parse().ok()?;
    if h > 23 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    let jst = jst_to_ms(y, m, d, h, mi) + (sec * 1000.0) as i64;
    Some(match offset_min {
        // The time was written at `offset`; jst_to_ms assumed +09:00.
        Some(off) => jst + (9 * 60 - off) * 60_000,
        None => jst,
    })
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

/// The first date written after a deadline word in `text` (JST, end of that
/// day: 17:00 when no time is written, as notices mean office hours):
/// 令和7年5月21日, 令和元年…, full-width digits, or 2025年5月21日.
pub fn deadline_in_text(text: &str) -> Option<i64> {
    let t = domain::text::normalize(text);
    for word in DEADLINE_WORDS {
        let mut rest = t.as_str();
        while let Some(i) = rest.find(word) {
            let after = &rest[i + word.len()..];
            let window: String = after.chars().take(40).collect();
            if let Some(ms) = date_in(&window) {
                return Some(ms);
            }
            rest = after;
        }
    }
    None
}

fn date_in(window: &str) -> Option<i64> {
    let (y, m, d) = domain::wareki::parse_date(window).or_else(|| western_date(window))?;
    Some(jst_to_ms(y, m, d, 17, 0))
}

/// "2025年5月21日" anywhere in `s`.
fn western_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut rest = s;
    while let Some(i) = rest.find('年') {
        let head = &rest[..i];
        let digits: String = head
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = &rest[i + '年'.len_utf8()..];
        if digits.len() == 4
            && let Some((m, tail)) = after.split_once('月')
            && let Some((d, _)) = tail.split_once('日')
            && let (Ok(y), Ok(m), Ok(d)) = (digits.parse(), m.trim().parse(), d.trim().parse())
            && is_valid_date(y, m, d)
        {
            return Some((y, m, d));
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_with_and_without_time_and_offset() {
        let midnight = jst_to_ms(2026, 5, 21, 0, 0);
        assert_eq!(parse_iso("2026-05-21T00:00:00+09:00"), Some(midnight));
        assert_eq!(parse_iso("2026-05-21"), Some(midnight));
        assert_eq!(parse_iso("2026/05/21"), Some(midnight));
        assert_eq!(parse_iso("2026-05-20T15:00:00Z"), Some(midnight));
        assert_eq!(parse_iso("2026-05-20T15:00:00.000Z"), Some(midnight));
        assert_eq!(parse_iso("2026-05-20T10:00:00-05:00"), Some(midnight));
        assert_eq!(
            parse_iso("2026-05-21T10:30"),
            Some(jst_to_ms(2026, 5, 21, 10, 30))
        );
        for bad in [
            "",
            "2026-02-30",
            "令和8年",
            "2026-05-21T25:00:00",
            "tomorrow",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_are_found_in_notice_text_in_era_and_western_forms() {
        let five_pm = |y, m, d| Some(jst_to_ms(y, m, d, 17, 0));
        assert_eq!(
            deadline_in_text(
                "公告日 令和7年4月1日。入札書の提出期限は令和7年5月21日（水）正午まで。"
            ),
            five_pm(2025, 5, 21)
        );
        assert_eq!(
            deadline_in_text("提出期限：令和元年１２月２日"),
            five_pm(2019, 12, 2)
        );
        assert_eq!(deadline_in_text("締切 2026年1月15日"), five_pm(2026, 1, 15));
        assert_eq!(
            deadline_in_text("令和7年5月21日に公告します。"),
            None,
            "no deadline word"
        );
        assert_eq!(deadline_in_text(""), None);
    }
}
