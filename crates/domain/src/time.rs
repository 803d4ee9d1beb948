//! Times are stored as UTC milliseconds and shown in Japan Standard Time
//! (UTC+9, no daylight saving), so the conversion is arithmetic.

const JST_OFFSET_MS: i64 = 9 * 3600 * 1000;

/// (year, month, day, hour, minute, second) in JST.
pub fn jst_parts(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let local = ms + JST_OFFSET_MS;
    let days = local.div_euclid(86_400_000);
    let secs = local.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
    )
}

/// "2026年11月26日 14:05" (JST).
pub fn jst_datetime(ms: i64) -> String {
    let (y, mo, d, h, mi, _) = jst_parts(ms);
    format!("{y}年{mo}月{d}日 {h:02}:{mi:02}")
}

/// "2026年11月26日 14:05:09.123" (JST): a receipt's time, to the millisecond.
pub fn jst_datetime_ms(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = jst_parts(ms);
    format!(
        "{y}年{mo}月{d}日 {h:02}:{mi:02}:{s:02}.{:03}",
        ms.rem_euclid(1000)
    )
}

/// "2026年11月26日" (JST).
pub fn jst_date(ms: i64) -> String {
    let (y, mo, d, ..) = jst_parts(ms);
    format!("{y}年{mo}月{d}日")
}

/// "2026年1月15日（令和8年）" (JST), the form case pages use.
pub fn jst_date_with_era(ms: i64) -> String {
    let (y, mo, d, ..) = jst_parts(ms);
    match crate::wareki::year_label(y, mo, d) {
        Some(era) => format!("{y}年{mo}月{d}日（{era}）"),
        None => format!("{y}年{mo}月{d}日"),
    }
}

/// "2026-01-15T17:00:00+09:00": RFC 3339 in Japan time, for the API and feeds.
pub fn jst_rfc3339(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = jst_parts(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+09:00")
}

/// JST (year, month, day, hour, minute) → UTC milliseconds.
pub fn jst_to_ms(y: i64, m: u32, d: u32, hour: u32, minute: u32) -> i64 {
    let days = days_from_civil(y, m, d);
    days * 86_400_000 + i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000 - JST_OFFSET_MS
}

/// Reads a date and time in JST as people and browsers write it:
/// "2026-12-01T17:00" (what `<input type="datetime-local">` sends),
/// "2026/12/01 17:00", full-width digits, or a date alone (then `default_hour`:00);
/// seconds and the API's "+09:00" are read too.
pub fn parse_jst_datetime(input: &str, default_hour: u32) -> Option<i64> {
    let s = crate::text::normalize(input);
    // The API's own form, RFC 3339 in Japan time, reads back as it was written.
    let s = s.trim().trim_end_matches("+09:00");
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let mut parts = date.split(['-', '/']);
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1900..=2200).contains(&y) || !is_valid_date(y, m, d) {
        return None;
    }
    let (hour, minute, second) = match time {
        None => (default_hour, 0, 0),
        Some(t) => {
            let mut hms = t.split(':');
            let h: u32 = hms.next()?.parse().ok()?;
            let mi: u32 = hms.next()?.parse().ok()?;
            // Seconds, when given, count: a bid deadline is kept to the second.
            let sec: u32 = match hms.next() {
                None => 0,
                Some(sec) => sec.parse().ok()?,
            };
            if hms.next().is_some() || h > 23 || mi > 59 || sec > 59 {
                return None;
            }
            (h, mi, sec)
        }
    };
    Some(jst_to_ms(y, m, d, hour, minute) + i64::from(second) * 1000)
}

/// "2026-12-01T17:00" in JST — "2026-12-01T17:00:05" when it has seconds:
/// the value an `<input type="datetime-local" step="1">` shows, so that a
/// date kept to the second is sent back unchanged.
pub fn jst_input_value(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = jst_parts(ms);
    match s {
        0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}"),
        s => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
    }
}

/// Whether (y, m, d) is a day of the Gregorian calendar.
pub fn is_valid_date(y: i64, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the epoch as HTTP writes dates (IMF-fixdate, UTC):
/// `Thu, 03 Dec 2026 18:07:20 GMT`.
pub fn http_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    let s = secs % 86_400;
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Reads an IMF-fixdate (`If-Modified-Since`) into seconds since the epoch;
/// anything else — the two obsolete forms HTTP still allows included — is
/// `None`, and the caller answers in full.
pub fn parse_http_date(v: &str) -> Option<u64> {
    let mut w = v.split_whitespace();
    let _weekday = w.next()?;
    let d: u32 = w.next()?.parse().ok()?;
    let month = w.next()?;
    let m = MONTHS.iter().position(|&n| n == month)? as u32 + 1;
    let y: i64 = w.next()?.parse().ok()?;
    let mut hms = w.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, mi, s) = (hms.next()??, hms.next()??, hms.next()??);
    if w.next()? != "GMT"
        || w.next().is_some()
        || !is_valid_date(y, m, d)
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    let days = u64::try_from(days_from_civil(y, m, d)).ok()?;
    days.checked_mul(86_400)?
        .checked_add(h * 3600 + mi * 60 + s)
}

/// A proleptic Gregorian date to days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn http_dates_are_written_and_read_back() {
        assert_eq!(http_date(1_796_321_240), "Thu, 03 Dec 2026 18:07:20 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            parse_http_date("Sun, 29 Feb 2032 23:59:59 GMT"),
            Some(1_961_711_999)
        );
        for bad in [
            "",
            "yesterday",
            "Thu, 03 Dec 2026 18:07:20",
            "Thu, 32 Dec 2026 00:00:00 GMT",
            "Thu, 29 Feb 2027 00:00:00 GMT",
            "Thu, 03 Dec 2026 18:07:20 GMT trailing",
            "Thu, 03 Dec 1969 00:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_read_as_a_date_or_refused_without_panicking(v in "\\PC{0,40}") {
            if let Some(secs) = parse_http_date(&v) {
                prop_assert_eq!(parse_http_date(&http_date(secs)), Some(secs));
            }
        }

        #[test]
        fn every_second_round_trips(secs in 0u64..32_503_680_000) {
            prop_assert_eq!(parse_http_date(&http_date(secs)), Some(secs));
        }
    }

    #[test]
    fn utc_instants_are_shown_in_japan_time() {
        assert_eq!(jst_datetime(0), "1970年1月1日 09:00");
        // 2026-11-26T04:26:59Z is 13:26 in Tokyo.
        assert_eq!(jst_datetime(1_795_667_219_000), "2026年11月26日 13:26");
        // 2024-02-29T15:00:00Z is already 1 March in Tokyo.
        assert_eq!(jst_date(1_709_218_800_000), "2024年3月1日");
        assert_eq!(jst_parts(1_709_218_799_000).2, 29);
    }

    #[test]
    fn case_dates_show_the_era_beside_them() {
        assert_eq!(
            jst_date_with_era(jst_to_ms(2026, 1, 15, 17, 0)),
            "2026年1月15日（令和8年）"
        );
        assert_eq!(
            jst_date_with_era(jst_to_ms(2019, 5, 1, 0, 0)),
            "2019年5月1日（令和元年）"
        );
    }

    #[test]
    fn api_times_are_rfc3339_in_japan_time() {
        assert_eq!(
            jst_rfc3339(jst_to_ms(2026, 1, 15, 17, 0)),
            "2026-01-15T17:00:00+09:00"
        );
    }

    #[test]
    fn jst_times_convert_to_utc_and_back() {
        assert_eq!(jst_to_ms(1970, 1, 1, 9, 0), 0);
        for (y, m, d, h, mi) in [
            (2026, 11, 26, 13, 26),
            (2024, 2, 29, 23, 59),
            (2000, 3, 1, 0, 0),
        ] {
            let (y2, m2, d2, h2, mi2, _) = jst_parts(jst_to_ms(y, m, d, h, mi));
            assert_eq!((y2, m2, d2, h2, mi2), (y, m, d, h, mi));
        }
    }

    #[test]
    fn datetimes_are_read_in_japan_time_in_the_forms_people_type() {
        let five_pm = jst_to_ms(2026, 12, 1, 17, 0);
        assert_eq!(parse_jst_datetime("2026-12-01T17:00", 0), Some(five_pm));
        assert_eq!(
            parse_jst_datetime("２０２６/１２/０１ １７:００", 0),
            Some(five_pm)
        );
        assert_eq!(parse_jst_datetime("2026-12-01T17:00:00", 0), Some(five_pm));
        assert_eq!(
            parse_jst_datetime("2026-12-01T17:00:30+09:00", 0),
            Some(five_pm + 30_000),
            "the API's RFC 3339 reads back to the second"
        );
        assert_eq!(parse_jst_datetime("2026-12-01T17:00:60", 0), None);
        assert_eq!(
            jst_datetime_ms(five_pm + 9_123),
            "2026年12月1日 17:00:09.123"
        );
        assert_eq!(parse_jst_datetime("2026-12-01", 17), Some(five_pm));
        assert_eq!(jst_input_value(five_pm), "2026-12-01T17:00");
        for bad in [
            "",
            "2026-02-30",
            "2026-12-01T24:00",
            "明日",
            "2026-12-01T17",
            "1-1-1",
        ] {
            assert_eq!(parse_jst_datetime(bad, 0), None, "{bad}");
        }
    }
}
