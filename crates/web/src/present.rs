//! How values read on pages and in mails: dates, money and day inputs.
//! Features use these; none reaches into another feature for them.

/// A day as a date input's value ("2026-01-15"), or empty.
pub fn day_input(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let (y, m, d, ..) = domain::time::jst_parts(ms);
        format!("{y:04}-{m:02}-{d:02}")
    })
    .unwrap_or_default()
}

/// "2026年1月15日（令和8年） 17:00".
pub fn when(ms: i64) -> String {
    domain::When::At(ms).label()
}

/// "10,000": a count with thousands separators.
pub fn count(n: usize) -> String {
    grouped(&n.to_string())
}

/// Digits with a comma every three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1,234,567円".
pub fn yen(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}円", grouped(&n.unsigned_abs().to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_and_counts_are_grouped_by_thousands() {
        assert_eq!(super::yen(0), "0円");
        assert_eq!(super::yen(1_234_567), "1,234,567円");
        assert_eq!(super::yen(-1000), "-1,000円");
        assert_eq!(super::yen(i64::MIN), "-9,223,372,036,854,775,808円");
        assert_eq!(super::count(10_000), "10,000");
        assert_eq!(super::count(999), "999");
        // The company page's capital and sales (they had a copy of this).
        assert_eq!(super::yen(999), "999円");
        assert_eq!(super::yen(50_000_000), "50,000,000円");
        assert_eq!(super::yen(-1234), "-1,234円");
    }
}
