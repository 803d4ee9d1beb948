//! 和暦 (Japanese era dates): shown beside Gregorian dates, and read from the
//! text of notices ("令和7年5月21日", full-width digits, "元年").

use unicode_normalization::UnicodeNormalization;

/// An era and the first day of its first year.
struct Era {
    name: &'static str,
    start: (i64, u32, u32),
}

/// Newest first, as dates are looked up from the newest era down.
const ERAS: [Era; 5] = [
    Era {
        name: "令和",
        start: (2019, 5, 1),
    },
    Era {
        name: "平成",
        start: (1989, 1, 8),
    },
    Era {
        name: "昭和",
        start: (1926, 12, 25),
    },
    Era {
        name: "大正",
        start: (1912, 7, 30),
    },
    Era {
        name: "明治",
        start: (1868, 1, 25),
    },
];

/// The era and year of a Gregorian date, e.g. (2026, 1, 15) → ("令和", 8).
pub fn era_of(y: i64, m: u32, d: u32) -> Option<(&'static str, i64)> {
    ERAS.iter()
        .find(|e| (y, m, d) >= e.start)
        .map(|e| (e.name, y - e.start.0 + 1))
}

/// "令和8年" (with "元年" for the first year).
pub fn year_label(y: i64, m: u32, d: u32) -> Option<String> {
    era_of(y, m, d).map(|(era, n)| {
        if n == 1 {
            format!("{era}元年")
        } else {
            format!("{era}{n}年")
        }
    })
}

/// "令和8年1月15日".
pub fn date_label(y: i64, m: u32, d: u32) -> Option<String> {
    year_label(y, m, d).map(|year| format!("{year}{m}月{d}日"))
}

/// Reads the first era date in `text` ("令和7年5月21日", "令和元年１２月１日",
/// "R7.5.21" is not accepted) and returns the Gregorian (year, month, day).
pub fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let t: String = text.nfkc().collect();
    for era in &ERAS {
        let mut rest = t.as_str();
        while let Some(i) = rest.find(era.name) {
            let after = &rest[i + era.name.len()..];
            if let Some(date) = parse_after_era(after, era) {
                return Some(date);
            }
            rest = after;
        }
    }
    None
}

fn parse_after_era(s: &str, era: &Era) -> Option<(i64, u32, u32)> {
    let s = s.trim_start();
    let (year, s) = if let Some(rest) = s.strip_prefix("元") {
        (1, rest)
    } else {
        take_number(s)?
    };
    let s = s.trim_start().strip_prefix('年')?;
    let (month, s) = take_number(s.trim_start())?;
    let s = s.trim_start().strip_prefix('月')?;
    let (day, s) = take_number(s.trim_start())?;
    s.trim_start().strip_prefix('日')?;
    let y = era.start.0 + year - 1;
    let (m, d) = (u32::try_from(month).ok()?, u32::try_from(day).ok()?);
    (crate::time::is_valid_date(y, m, d) && (y, m, d) >= era.start).then_some((y, m, d))
}

fn take_number(s: &str) -> Option<(i64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 4 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_get_their_era() {
        assert_eq!(date_label(2026, 1, 15).as_deref(), Some("令和8年1月15日"));
        assert_eq!(date_label(2019, 5, 1).as_deref(), Some("令和元年5月1日"));
        assert_eq!(date_label(2019, 4, 30).as_deref(), Some("平成31年4月30日"));
        assert_eq!(date_label(1989, 1, 7).as_deref(), Some("昭和64年1月7日"));
        assert_eq!(date_label(1989, 1, 8).as_deref(), Some("平成元年1月8日"));
    }

    #[test]
    fn era_dates_are_read_from_notice_text() {
        assert_eq!(
            parse_date("入札書の提出期限は令和7年5月21日（水）午後5時まで"),
            Some((2025, 5, 21))
        );
        assert_eq!(parse_date("令和７年１２月１日"), Some((2025, 12, 1)));
        assert_eq!(parse_date("令和元年10月1日から"), Some((2019, 10, 1)));
        assert_eq!(parse_date("平成 30 年 3 月 31 日"), Some((2018, 3, 31)));
        assert_eq!(parse_date("令和7年2月30日"), None, "no such day");
        assert_eq!(
            parse_date("平成31年5月1日"),
            Some((2019, 5, 1)),
            "平成31年 past its end is still read as the same day"
        );
        assert_eq!(parse_date("令和年5月1日"), None);
        assert_eq!(parse_date("期限なし"), None);
    }

    proptest! {
        #[test]
        fn labels_read_back_as_the_same_date(y in 1990i64..2100, m in 1u32..=12, d in 1u32..=28) {
            let label = date_label(y, m, d).unwrap();
            prop_assert_eq!(parse_date(&label), Some((y, m, d)));
        }

        #[test]
        fn no_text_makes_the_reader_panic(s in "\\PC{0,60}") {
            let _ = parse_date(&s);
        }
    }
}
