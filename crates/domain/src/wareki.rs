//! 和暦 (Japanese era dates), shown beside Gregorian dates. Reading them
//! from text is `when`'s work.

/// An era and the first day of its first year.
pub(crate) struct Era {
    pub name: &'static str,
    pub start: (i64, u32, u32),
}

/// Newest first, as dates are looked up from the newest era down.
pub(crate) const ERAS: [Era; 5] = [
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

    proptest! {
        #[test]
        fn labels_read_back_as_the_same_date(y in 1990i64..2100, m in 1u32..=12, d in 1u32..=28) {
            let label = date_label(y, m, d).unwrap();
            prop_assert_eq!(
                crate::when::parse_field(&label),
                Ok(Some(crate::when::When::Day(y, m, d)))
            );
        }
    }
}
