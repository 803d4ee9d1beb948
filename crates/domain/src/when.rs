//! Dates and times as notices and listings write them: ISO 8601 and
//! "2026/05/21 17:00", "2026年5月21日", era dates ("令和8年5月22日", "令和元年",
//! "平成31年4月30日"), a weekday in brackets ("（金）"), and a time of day in
//! any of the forms offices use ("10時30分", "10:30", "午前10時", "午後5時",
//! "正午", "午後五時三十分"). A time that is written is read, or the value is
//! refused with the reason; a date written without a time stays a day — no
//! time is ever invented.
//!
//! The reader walks the text with `strip_prefix` and `chars`, never with a
//! byte index, so no input can make it slice inside a character.

use crate::time::{is_valid_date, jst_parts, jst_to_ms};
use crate::wareki::ERAS;

/// A date a source wrote: a day (no time of day given), or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A day in Japan (year, month, day) without a time.
    Day(i64, u32, u32),
    /// A moment, UTC milliseconds.
    At(i64),
}

const DAY_MS: i64 = 86_400_000;

impl When {
    /// The first millisecond it stands for: the moment, or the day's JST midnight.
    pub fn start_ms(self) -> i64 {
        match self {
            When::Day(y, m, d) => jst_to_ms(y, m, d, 0, 0),
            When::At(ms) => ms,
        }
    }

    /// The last millisecond it stands for: the moment, or the day's last
    /// millisecond (a deadline given as a day runs to its end).
    pub fn end_ms(self) -> i64 {
        match self {
            When::Day(..) => self.start_ms() + DAY_MS - 1,
            When::At(ms) => ms,
        }
    }

    pub fn is_day_only(self) -> bool {
        matches!(self, When::Day(..))
    }

    /// "2026年1月15日（令和8年） 17:00", or without the time for a day.
    pub fn label(self) -> String {
        let date = crate::time::jst_date_with_era(self.start_ms());
        match self {
            When::Day(..) => date,
            When::At(ms) => {
                let (.., h, mi, _) = jst_parts(ms);
                format!("{date} {h:02}:{mi:02}")
            }
        }
    }

    /// "2026-01-15T17:00:00+09:00", or "2026-01-15" for a day: for the API
    /// and feeds (RFC 3339's full-date when no time was given).
    pub fn rfc3339(self) -> String {
        match self {
            When::Day(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            When::At(ms) => crate::time::jst_rfc3339(ms),
        }
    }

    /// The same date as a day, dropping its time.
    pub fn day(self) -> When {
        match self {
            When::Day(..) => self,
            When::At(ms) => {
                let (y, m, d, ..) = jst_parts(ms);
                When::Day(y, m, d)
            }
        }
    }
}

/// Why a value could not be read as a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhenError(pub String);

impl std::fmt::Display for WhenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Words that may follow a date in a field: "まで", "必着" and the like.
const TRAILING: &[&str] = &[
    "まで",
    "迄",
    "必着",
    "から",
    "より",
    "締切",
    "締め切り",
    "〆切",
    "頃",
    "ごろ",
];

/// Reads a whole field as one date, with its time when one is written.
/// `Ok(None)` for an empty field.
pub fn parse_field(input: &str) -> Result<Option<When>, WhenError> {
    let t = crate::text::normalize(input);
    if t.is_empty() {
        return Ok(None);
    }
    let unreadable = || WhenError(format!("日付「{}」を読めません。", clip(input)));
    let mut c = Cursor(&t);
    let when = match read_date_time(&mut c) {
        Some(Ok(w)) => w,
        Some(Err(e)) => return Err(e),
        None => return Err(unreadable()),
    };
    c.spaces();
    while TRAILING.iter().any(|w| c.eat(w)) {
        c.spaces();
    }
    if !c.0.is_empty() {
        return Err(WhenError(format!(
            "日付「{}」の「{}」を読めません。",
            clip(input),
            clip(c.0)
        )));
    }
    Ok(Some(when))
}

/// The first date written anywhere in `text`, with the time written right
/// after it if any; `Some(Err)` when a time follows that cannot be read.
pub fn find_in(text: &str) -> Option<Result<When, WhenError>> {
    let t = crate::text::normalize(text);
    let mut rest = t.as_str();
    let mut prev: Option<char> = None;
    while !rest.is_empty() {
        // A date starts at an era name or at a digit that is not inside a number.
        let starts = ERAS.iter().any(|e| rest.starts_with(e.name))
            || (rest.starts_with(|c: char| c.is_ascii_digit())
                && !prev.is_some_and(|p| p.is_ascii_digit()));
        if starts {
            let mut c = Cursor(rest);
            if let Some(found) = read_date_time(&mut c) {
                return Some(found);
            }
        }
        let mut chars = rest.chars();
        prev = chars.next();
        rest = chars.as_str();
    }
    None
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// A position in normalised text.
struct Cursor<'a>(&'a str);

impl<'a> Cursor<'a> {
    fn spaces(&mut self) {
        self.0 = self.0.trim_start();
    }

    fn eat(&mut self, prefix: &str) -> bool {
        match self.0.strip_prefix(prefix) {
            Some(rest) => {
                self.0 = rest;
                true
            }
            None => false,
        }
    }

    fn eat_any(&mut self, chars: &[char]) -> Option<char> {
        let c = self.0.chars().next().filter(|c| chars.contains(c))?;
        self.0 = &self.0[c.len_utf8()..];
        Some(c)
    }

    /// 1 to `max` ASCII digits.
    fn number(&mut self, max: usize) -> Option<u32> {
        let digits: String = self
            .0
            .chars()
            .take_while(char::is_ascii_digit)
            .take(max + 1)
            .collect();
        if digits.is_empty() || digits.len() > max {
            return None;
        }
        self.0 = &self.0[digits.len()..];
        digits.parse().ok()
    }

    /// A number in digits or in kanji numerals up to 99 ("五", "十二", "三十").
    fn number_or_kanji(&mut self, max_digits: usize) -> Option<u32> {
        if let Some(n) = self.number(max_digits) {
            return Some(n);
        }
        let mut value: Option<u32> = None;
        let mut tens: Option<u32> = None;
        let mut rest = self.0;
        while let Some(c) = rest.chars().next() {
            let digit = "〇一二三四五六七八九".chars().position(|k| k == c);
            match (c, digit) {
                ('十', _) if tens.is_none() => {
                    tens = Some(value.take().unwrap_or(1));
                }
                (_, Some(d)) if value.is_none() => value = Some(d as u32),
                _ => break,
            }
            rest = &rest[c.len_utf8()..];
        }
        let n = tens.map_or(0, |t| t * 10) + value.unwrap_or(0);
        if tens.is_none() && value.is_none() {
            return None;
        }
        self.0 = rest;
        Some(n)
    }
}

/// A date at the cursor, then a weekday and a time if written. `None` when no
/// date starts here; `Some(Err)` when a date does but its time is unreadable.
fn read_date_time(c: &mut Cursor) -> Option<Result<When, WhenError>> {
    let start = c.0;
    let (y, m, d, iso) = read_date(c)?;
    if iso {
        // ISO 8601: a time with 'T' or a space, then Z or an offset.
        let save = c.0;
        if (c.eat("T") || c.eat(" "))
            && let Some(at) = read_iso_time(c, y, m, d)
        {
            return Some(Ok(at));
        }
        c.0 = save;
    }
    c.spaces();
    if c.eat("(") {
        // A weekday in brackets: (金), (金曜日), (金・祝).
        let closed = c.0.find(')').filter(|i| *i <= 12);
        match closed {
            Some(i) => c.0 = &c.0[i + 1..],
            None => {
                return Some(Err(WhenError(format!(
                    "日付「{}」の曜日の括弧が閉じていません。",
                    clip(start)
                ))));
            }
        }
        c.spaces();
    }
    match read_clock(c) {
        None => Some(Ok(When::Day(y, m, d))),
        Some(Ok((h, mi, s))) => Some(Ok(When::At(
            jst_to_ms(y, m, d, h, mi) + i64::from(s) * 1000,
        ))),
        Some(Err(())) => Some(Err(WhenError(format!(
            "日付「{}」の時刻を読めません。",
            clip(start)
        )))),
    }
}

/// (year, month, day, whether it was written the ISO way).
fn read_date(c: &mut Cursor) -> Option<(i64, u32, u32, bool)> {
    let save = c.0;
    for era in &ERAS {
        if !c.eat(era.name) {
            continue;
        }
        c.spaces();
        let year = if c.eat("元") {
            1
        } else {
            c.number(2).filter(|n| *n >= 1)?
        };
        let (m, d) = month_day_kanji(c)?;
        let y = era.start.0 + i64::from(year) - 1;
        // An era's year past its end (平成31年5月1日) still names the same day.
        return (is_valid_date(y, m, d) && (y, m, d) >= era.start).then_some((y, m, d, false));
    }
    let y = i64::from(c.number(4).filter(|y| *y >= 1000)?);
    if let Some(sep) = c.eat_any(&['-', '/', '.']) {
        let m = c.number(2)?;
        c.eat_any(&[sep])?;
        let d = c.number(2)?;
        // "2026-05-210" is not a date.
        if c.0.starts_with(|ch: char| ch.is_ascii_digit()) {
            c.0 = save;
            return None;
        }
        return is_valid_date(y, m, d).then_some((y, m, d, true));
    }
    let (m, d) = month_day_kanji(c)?;
    is_valid_date(y, m, d).then_some((y, m, d, false))
}

/// " 年 5 月 21 日" after a year.
fn month_day_kanji(c: &mut Cursor) -> Option<(u32, u32)> {
    c.spaces();
    c.eat("年").then_some(())?;
    c.spaces();
    let m = c.number(2)?;
    c.spaces();
    c.eat("月").then_some(())?;
    c.spaces();
    let d = c.number(2)?;
    c.spaces();
    c.eat("日").then_some((m, d))
}

/// "10:30:00", "10:30:00.123", then "Z", "+09:00", "-0500" or nothing (JST).
fn read_iso_time(c: &mut Cursor, y: i64, m: u32, d: u32) -> Option<When> {
    let h = c.number(2)?;
    c.eat(":").then_some(())?;
    let mi = c.number(2)?;
    let mut ms = 0i64;
    if c.eat(":") {
        ms = i64::from(c.number(2)?) * 1000;
        if c.eat(".") || c.eat(",") {
            let frac: String = c.0.chars().take_while(char::is_ascii_digit).collect();
            if frac.is_empty() || frac.len() > 9 {
                return None;
            }
            c.0 = &c.0[frac.len()..];
            let padded = format!("{frac:0<3}");
            ms += padded.get(..3)?.parse::<i64>().ok()?;
        }
    }
    if h > 23 || mi > 59 || ms >= 60_000 {
        return None;
    }
    let offset_min: i64 = if c.eat("Z") || c.eat("z") {
        0
    } else if let Some(sign) = c.eat_any(&['+', '-']) {
        let oh = i64::from(c.number(2)?);
        c.eat(":");
        let om = i64::from(c.number(2).unwrap_or(0));
        if oh > 14 || om > 59 {
            return None;
        }
        if sign == '-' {
            -(oh * 60 + om)
        } else {
            oh * 60 + om
        }
    } else {
        9 * 60
    };
    let jst = jst_to_ms(y, m, d, h, mi) + ms;
    Some(When::At(jst + (9 * 60 - offset_min) * 60_000))
}

/// A time of day at the cursor. `None` when none is written there;
/// `Some(Err)` when one is begun ("午後", "10時") but cannot be read.
fn read_clock(c: &mut Cursor) -> Option<Result<(u32, u32, u32), ()>> {
    if c.eat("正午") {
        return Some(Ok((12, 0, 0)));
    }
    let half = if c.eat("午前") || c.eat("AM") || c.eat("am") {
        Some(false)
    } else if c.eat("午後") || c.eat("PM") || c.eat("pm") {
        Some(true)
    } else {
        None
    };
    if half.is_some() {
        c.spaces();
    }
    let save = c.0;
    let Some(h) = c.number_or_kanji(2) else {
        return half.map(|_| Err(()));
    };
    c.spaces();
    let (mi, s) = if c.eat("時") {
        c.spaces();
        if c.eat("半") {
            (30, 0)
        } else {
            let save_min = c.0;
            match c.number_or_kanji(2) {
                Some(mi) => {
                    c.spaces();
                    if !c.eat("分") {
                        return Some(Err(()));
                    }
                    c.spaces();
                    let save_sec = c.0;
                    let s = match c.number_or_kanji(2) {
                        Some(s) => {
                            c.spaces();
                            if c.eat("秒") {
                                s
                            } else {
                                c.0 = save_sec;
                                0
                            }
                        }
                        None => 0,
                    };
                    (mi, s)
                }
                None => {
                    c.0 = save_min;
                    (0, 0)
                }
            }
        }
    } else if c.eat(":") {
        let Some(mi) = c.number(2) else {
            return Some(Err(()));
        };
        let s = if c.eat(":") {
            match c.number(2) {
                Some(s) => s,
                None => return Some(Err(())),
            }
        } else {
            0
        };
        (mi, s)
    } else if half.is_some() {
        return Some(Err(()));
    } else {
        // A number that is not a time ("10件"): not ours to read.
        c.0 = save;
        return None;
    };
    let h = match half {
        None if h <= 23 => h,
        // 午前0時–午前11時, 午後0時–午後11時; "午後12時" is ambiguous.
        Some(false) if h <= 11 => h,
        Some(true) if h <= 11 => h + 12,
        _ => return Some(Err(())),
    };
    if mi > 59 || s > 59 {
        return Some(Err(()));
    }
    Some(Ok((h, mi, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i64, m: u32, d: u32, h: u32, mi: u32) -> Option<When> {
        Some(When::At(jst_to_ms(y, m, d, h, mi)))
    }

    fn field(s: &str) -> Option<When> {
        parse_field(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_date_forms_real_notices_use_are_read() {
        assert_eq!(field("令和元年5月7日"), Some(When::Day(2019, 5, 7)));
        assert_eq!(field("令和10年4月1日"), Some(When::Day(2028, 4, 1)));
        assert_eq!(field("令和12年12月31日"), Some(When::Day(2030, 12, 31)));
        assert_eq!(field("平成31年4月30日"), Some(When::Day(2019, 4, 30)));
        assert_eq!(field("2026年5月1日"), Some(When::Day(2026, 5, 1)));
        assert_eq!(field("２０２６年５月１日"), Some(When::Day(2026, 5, 1)));
        assert_eq!(field("令和８年５月２２日"), Some(When::Day(2026, 5, 22)));
        assert_eq!(field("2026/05/01"), Some(When::Day(2026, 5, 1)));
        assert_eq!(field("2026-05-01"), Some(When::Day(2026, 5, 1)));
        assert_eq!(field(""), None);
        assert_eq!(field("  "), None);
    }

    #[test]
    fn a_written_time_is_read_in_every_form() {
        assert_eq!(
            field("令和8年5月22日（金） 10時30分"),
            at(2026, 5, 22, 10, 30)
        );
        assert_eq!(field("令和8年5月22日(金)10:30"), at(2026, 5, 22, 10, 30));
        assert_eq!(field("令和8年5月22日 午前10時"), at(2026, 5, 22, 10, 0));
        assert_eq!(field("令和8年5月22日 午後5時"), at(2026, 5, 22, 17, 0));
        assert_eq!(
            field("令和8年5月22日（金曜日）午後5時まで"),
            at(2026, 5, 22, 17, 0)
        );
        assert_eq!(field("令和8年5月22日 正午"), at(2026, 5, 22, 12, 0));
        assert_eq!(field("令和8年5月22日 午前0時"), at(2026, 5, 22, 0, 0));
        assert_eq!(field("令和8年5月22日 午後0時30分"), at(2026, 5, 22, 12, 30));
        assert_eq!(
            field("令和8年5月22日 午後五時三十分"),
            at(2026, 5, 22, 17, 30)
        );
        assert_eq!(field("令和8年5月22日 十時半"), at(2026, 5, 22, 10, 30));
        assert_eq!(field("2026年5月22日 17時00分必着"), at(2026, 5, 22, 17, 0));
        assert_eq!(field("2026/05/21 17:00"), at(2026, 5, 21, 17, 0));
        assert_eq!(
            field("2026/05/21 9:05:30").map(When::start_ms),
            at(2026, 5, 21, 9, 5).map(|w| w.start_ms() + 30_000)
        );
        assert_eq!(field("2026-05-21T00:00:00+09:00"), at(2026, 5, 21, 0, 0));
        assert_eq!(field("2026-05-20T15:00:00Z"), at(2026, 5, 21, 0, 0));
        assert_eq!(field("2026-05-20T15:00:00.000Z"), at(2026, 5, 21, 0, 0));
        assert_eq!(field("2026-05-20T10:00:00-05:00"), at(2026, 5, 21, 0, 0));
        assert_eq!(field("2026-05-21T10:30"), at(2026, 5, 21, 10, 30));
    }

    #[test]
    fn an_unreadable_time_is_refused_not_dropped() {
        for bad in [
            "令和8年5月22日 午後",
            "令和8年5月22日 午後13時",
            "令和8年5月22日 午後12時",
            "令和8年5月22日 25時",
            "令和8年5月22日 10時75分",
            "令和8年5月22日 10時30",
            "令和8年5月22日 10:",
            "令和8年5月22日（金",
            "令和8年5月22日 夕方",
            "2026-05-21T25:00:00",
        ] {
            let e = parse_field(bad).expect_err(bad);
            assert!(
                e.0.contains("読めません") || e.0.contains("括弧"),
                "{bad}: {e}"
            );
        }
        for bad in [
            "2026-02-30",
            "令和8年",
            "令和年5月1日",
            "tomorrow",
            "令和0年1月1日",
            "令和100年1月1日",
        ] {
            assert!(parse_field(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_run_to_their_end_and_moments_are_themselves() {
        let day = When::Day(2026, 5, 21);
        assert_eq!(day.start_ms(), jst_to_ms(2026, 5, 21, 0, 0));
        assert_eq!(day.end_ms(), jst_to_ms(2026, 5, 22, 0, 0) - 1);
        let moment = When::At(jst_to_ms(2026, 5, 21, 10, 0));
        assert_eq!(moment.end_ms(), moment.start_ms());
        assert_eq!(moment.day(), day);
        assert_eq!(day.label(), "2026年5月21日（令和8年）");
        assert_eq!(moment.label(), "2026年5月21日（令和8年） 10:00");
        assert_eq!(day.rfc3339(), "2026-05-21");
        assert_eq!(moment.rfc3339(), "2026-05-21T10:00:00+09:00");
    }

    #[test]
    fn the_first_date_in_a_text_is_found_with_its_time() {
        assert_eq!(
            find_in("入札書の提出期限は令和7年5月21日（水）午後5時まで").map(Result::unwrap),
            at(2025, 5, 21, 17, 0)
        );
        assert_eq!(
            find_in("期限：令和７年１２月１日").map(Result::unwrap),
            Some(When::Day(2025, 12, 1))
        );
        assert_eq!(
            find_in("第12号 2026年1月15日（木）正午").map(Result::unwrap),
            at(2026, 1, 15, 12, 0)
        );
        assert_eq!(
            find_in("平成 30 年 3 月 31 日").map(Result::unwrap),
            Some(When::Day(2018, 3, 31))
        );
        assert!(find_in("令和7年2月30日").is_none(), "no such day");
        assert_eq!(
            find_in("平成31年5月1日").map(Result::unwrap),
            Some(When::Day(2019, 5, 1)),
            "平成31年 past its end is still read as the same day"
        );
        assert_eq!(find_in("令和年5月1日"), None);
        assert_eq!(find_in("期限なし"), None);
        assert!(find_in("令和7年5月21日 午後ごろ").is_some_and(|r| r.is_err()));
    }

    /// Pieces real dates are made of, so that random text reaches deep into the reader.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("令和".to_owned()),
            Just("平成".to_owned()),
            Just("元".to_owned()),
            Just("年".to_owned()),
            Just("月".to_owned()),
            Just("日".to_owned()),
            Just("時".to_owned()),
            Just("分".to_owned()),
            Just("午前".to_owned()),
            Just("午後".to_owned()),
            Just("正午".to_owned()),
            Just("（金）".to_owned()),
            Just("(".to_owned()),
            Just(":".to_owned()),
            Just("T".to_owned()),
            Just("+09:00".to_owned()),
            Just("-".to_owned()),
            Just("/".to_owned()),
            Just("十".to_owned()),
            "[0-9０-９]{1,5}",
            "\\PC{0,3}",
        ]
    }

    proptest! {
        #[test]
        fn no_text_makes_the_reader_panic(s in "\\PC{0,80}") {
            let _ = parse_field(&s);
            let _ = find_in(&s);
        }

        #[test]
        fn no_arrangement_of_date_pieces_makes_it_panic(parts in prop::collection::vec(fragment(), 0..16)) {
            let s = parts.concat();
            let _ = parse_field(&s);
            let _ = find_in(&s);
        }

        #[test]
        fn every_written_form_reads_back(
            y in 2019i64..2100, m in 1u32..=12, d in 1u32..=28, h in 0u32..=23, mi in 0u32..=59,
            form in 0usize..6,
        ) {
            let era = crate::wareki::date_label(y, m, d).unwrap_or_default();
            let (half, h12) = if h < 12 { ("午前", h) } else { ("午後", h - 12) };
            let text = match form {
                0 => format!("{era} {h}時{mi}分"),
                1 => format!("{era}（月） {h}:{mi:02}"),
                2 => format!("{era} {half}{h12}時{mi}分まで"),
                3 => format!("{y}年{m}月{d}日 {h:02}時{mi:02}分"),
                4 => format!("{y}/{m:02}/{d:02} {h:02}:{mi:02}"),
                _ => format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}:00+09:00"),
            };
            prop_assert_eq!(parse_field(&text), Ok(at(y, m, d, h, mi)), "{}", text);
            let wide: String = text.chars().map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
                other => other,
            }).collect();
            prop_assert_eq!(parse_field(&wide), Ok(at(y, m, d, h, mi)), "{}", wide);
        }
    }
}
