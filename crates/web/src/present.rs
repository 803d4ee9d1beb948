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

/// "1,234,567円".
pub fn yen(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}円", if n < 0 { "-" } else { "" })
}
