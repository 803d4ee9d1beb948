//! An event as an iCalendar file (RFC 5545) for a calendar application.

use std::fmt::Write;

/// What a calendar needs of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    /// Stable across downloads, so that a calendar updates the event.
    pub uid: &'a str,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: Option<&'a str>,
    pub url: Option<&'a str>,
    /// When the event's page was last changed.
    pub stamp: i64,
}

/// The event as a `text/calendar` body.
pub fn calendar(e: &Event<'_>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//chance-navi//content//JA".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.starts_at)),
    ];
    if let Some(end) = e.ends_at.filter(|end| *end > e.starts_at) {
        lines.push(format!("DTEND:{}", utc(end)));
    }
    lines.push(format!("SUMMARY:{}", text(e.summary)));
    if let Some(l) = e.location.filter(|l| !l.trim().is_empty()) {
        lines.push(format!("LOCATION:{}", text(l)));
    }
    if let Some(d) = e.description.filter(|d| !d.trim().is_empty()) {
        lines.push(format!("DESCRIPTION:{}", text(d)));
    }
    if let Some(u) = e.url {
        lines.push(format!("URL:{}", text(u)));
    }
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for l in &lines {
        fold(&mut out, l);
    }
    out
}

/// UTC date-time form, `20261203T050000Z`.
pub fn utc(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = domain::time::jst_parts(ms - 9 * 3600 * 1000);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped, control
/// characters dropped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let s = s.replace("\r\n", "\n");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes `line` folded at 75 octets without splitting a character, each
/// continuation starting with a space, lines ending in CRLF.
pub fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        let _ = out.write_char(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fair<'a>(summary: &'a str, location: &'a str) -> Event<'a> {
        Event {
            uid: "post-12@chance-navi",
            starts_at: 1_795_136_400_000, // 2026-11-20 10:00 JST
            ends_at: Some(1_795_262_400_000),
            summary,
            location: Some(location),
            description: Some("商談会を同時開催します。\n事前申込制です。"),
            url: Some("https://example.jp/news/12"),
            stamp: 1_795_000_000_000,
        }
    }

    #[test]
    fn an_event_is_a_calendar_in_utc_with_escaped_text() {
        let ics = calendar(&fair(
            "ビジネスフロンティア・フェア2026",
            "東京ビッグサイト 東1ホール, 2階",
        ))
        .replace("\r\n ", "");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20261120T010000Z\r\n"), "{ics}");
        assert!(ics.contains("東1ホール\\, 2階"));
        assert!(ics.contains("商談会を同時開催します。\\n事前申込制です。"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    proptest! {
        #[test]
        fn any_text_folds_into_lines_of_75_octets_that_unfold_to_it(s in "\\PC{0,300}", l in "\\PC{0,100}") {
            let ics = calendar(&fair(&s, &l));
            prop_assert!(ics.ends_with("\r\n"));
            for line in ics.split("\r\n") {
                prop_assert!(line.len() <= 75, "{} octets", line.len());
                prop_assert!(!line.contains('\n') && !line.contains('\r'));
            }
            let unfolded = ics.replace("\r\n ", "");
            let want = format!("SUMMARY:{}\r\n", text(&s));
            prop_assert!(unfolded.contains(&want));
        }
    }
}
