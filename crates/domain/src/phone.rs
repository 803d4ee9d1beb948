//! Japanese phone numbers written the way people write them: 03-1234-5678,
//! 090-1234-5678, 0120-123-456. Numbers are stored as digits; only display
//! adds hyphens.
//!
//! The grouping follows the MIC's numbering plan (電気通信番号計画). Mobile,
//! PHS, M2M and IP phones (020/060/070/080/090/050) are 3-4-4; free dial
//! 0120 is 4-3-3 and 0800 is 4-3-4; ナビダイヤル 0570, 0180 and 0990 are
//! 4-3-3. A fixed-line number has ten digits: the area code (市外局番, with
//! its 0: two to five digits), the local exchange (市内局番) filling the
//! rest, and a four-digit subscriber number. Where the area code is
//! not in the table below the number is read as having a four-digit area
//! code, the commonest length, which still reads as a phone number.

/// Special services: (prefix, total digits, group sizes).
const SERVICES: &[(&str, usize, [usize; 3])] = &[
    ("0120", 10, [4, 3, 3]),
    ("0800", 11, [4, 3, 4]),
    ("0570", 10, [4, 3, 3]),
    ("0180", 10, [4, 3, 3]),
    ("0990", 10, [4, 3, 3]),
    ("020", 11, [3, 4, 4]),
    ("050", 11, [3, 4, 4]),
    ("060", 11, [3, 4, 4]),
    ("070", 11, [3, 4, 4]),
    ("080", 11, [3, 4, 4]),
    ("090", 11, [3, 4, 4]),
];

/// Five-digit area codes (the smallest exchanges).
const FIVE: &[&str] = &[
    "01267", "01372", "01374", "01377", "01392", "01397", "01398", "01456", "01457", "01466",
    "01547", "01558", "01564", "01586", "01587", "01632", "01634", "01635", "01648", "01654",
    "01655", "01656", "01658", "04992", "04994", "04996", "04998", "05769", "05979", "07468",
    "08387", "08388", "08396", "08477", "08512", "08514", "09496", "09802", "09912", "09913",
    "09969",
];

/// Prefixes whose area code has two digits: 03 (Tokyo's 23 wards), 06
/// (Osaka), and the parts of 04 numbered 04-2xxx and 04-71xx (所沢, 柏…).
const TWO: &[&str] = &["03", "06", "0429", "0471"];

/// Three-digit area codes, each with the fourth digits after which the
/// number instead has a four-digit area code of its own (e.g. 042 but 0422).
const THREE: &[(&str, &str)] = &[
    ("011", ""),
    ("017", "2345689"),
    ("018", "234567"),
    ("019", "1234578"),
    ("022", "0345689"),
    ("023", "3578"),
    ("024", "0123678"),
    ("025", "0456789"),
    ("026", "013456789"),
    ("027", "046789"),
    ("028", "02345789"),
    ("029", "1345679"),
    ("042", "28"),
    ("043", "689"),
    ("044", ""),
    ("045", ""),
    ("046", "03567"),
    ("047", "0589"),
    ("048", "0"),
    ("049", "345"),
    ("052", ""),
    ("053", "1236789"),
    ("054", "4578"),
    ("055", "01345678"),
    ("058", "14567"),
    ("059", "456789"),
    ("072", "15"),
    ("073", "56789"),
    ("075", ""),
    ("076", "135678"),
    ("077", "01234689"),
    ("078", ""),
    ("079", "0145789"),
    ("082", "034679"),
    ("083", "345678"),
    ("084", "5678"),
    ("086", "356789"),
    ("087", "579"),
    ("088", "034579"),
    ("089", "2345678"),
    ("092", "0"),
    ("093", "0"),
    ("095", "05679"),
    ("096", "456789"),
    ("097", "234789"),
    ("098", "0234567"),
    ("099", "34567"),
];

/// How many digits the area code of a ten-digit fixed-line number has.
fn area_code_len(digits: &str) -> usize {
    if FIVE.iter().any(|p| digits.starts_with(p)) {
        return 5;
    }
    if TWO.iter().any(|p| digits.starts_with(p)) {
        return 2;
    }
    for (prefix, four) in THREE {
        if let Some(rest) = digits.strip_prefix(prefix) {
            let next = rest.chars().next().unwrap_or('x');
            return if four.contains(next) { 4 } else { 3 };
        }
    }
    4
}

/// Splits `digits` into groups of these sizes, the last taking the rest.
fn groups(digits: &str, sizes: &[usize]) -> String {
    let mut out = String::with_capacity(digits.len() + sizes.len());
    let mut at = 0;
    for (i, size) in sizes.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        let end = if i + 1 == sizes.len() {
            digits.len()
        } else {
            (at + size).min(digits.len())
        };
        out.push_str(&digits[at..end]);
        at = end;
    }
    out
}

/// A phone number as Japanese numbers are written. `digits` is a stored
/// number (ASCII digits); anything else — too short, too long, not starting
/// with 0, not digits — is returned as it is, so nothing is ever lost.
pub fn hyphenate(digits: &str) -> String {
    let plain = digits.bytes().all(|b| b.is_ascii_digit()) && digits.starts_with('0');
    if !plain {
        return digits.to_owned();
    }
    for (prefix, len, sizes) in SERVICES {
        if digits.starts_with(prefix) && digits.len() == *len {
            return groups(digits, sizes);
        }
    }
    match digits.len() {
        10 => {
            let area = area_code_len(digits);
            groups(digits, &[area, 6 - area, 4])
        }
        11 => groups(digits, &[3, 4, 4]),
        _ => digits.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::hyphenate;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_grouped_as_they_are_written() {
        for (digits, written) in [
            ("0312345678", "03-1234-5678"),
            ("0612345678", "06-1234-5678"),
            ("09012345678", "090-1234-5678"),
            ("08012345678", "080-1234-5678"),
            ("07012345678", "070-1234-5678"),
            ("05012345678", "050-1234-5678"),
            ("0120123456", "0120-123-456"),
            ("08001234567", "0800-123-4567"),
            ("0570123456", "0570-123-456"),
            ("0451234567", "045-123-4567"),
            ("0521234567", "052-123-4567"),
            ("0112345678", "011-234-5678"),
            ("0921234567", "092-123-4567"),
            ("0422123456", "0422-12-3456"),
            ("0426123456", "042-612-3456"),
            ("0429221234", "04-2922-1234"),
            ("0471231234", "04-7123-1234"),
            ("0466123456", "0466-12-3456"),
            ("0463123456", "0463-12-3456"),
            ("0985123456", "0985-12-3456"),
            ("0988123456", "098-812-3456"),
            ("0154123456", "0154-12-3456"),
            ("0166123456", "0166-12-3456"),
            ("0499212345", "04992-1-2345"),
            ("0576912345", "05769-1-2345"),
        ] {
            assert_eq!(hyphenate(digits), written, "{digits}");
        }
    }

    #[test]
    fn what_is_not_a_stored_number_is_shown_as_it_is() {
        for s in [
            "",
            "0",
            "123",
            "03-1234-5678",
            "1234567890",
            "031234567890",
            "０３",
        ] {
            assert_eq!(hyphenate(s), s);
        }
    }

    proptest! {
        #[test]
        fn hyphenating_never_panics_and_keeps_every_character(s in "\\PC{0,16}") {
            let out = hyphenate(&s);
            prop_assert_eq!(out.replace('-', ""), s.replace('-', ""));
        }

        #[test]
        fn a_stored_number_keeps_its_digits_in_three_groups(s in "0[0-9]{9,10}") {
            let out = hyphenate(&s);
            prop_assert_eq!(out.replace('-', ""), s.clone());
            let parts: Vec<&str> = out.split('-').collect();
            prop_assert_eq!(parts.len(), 3);
            prop_assert!(parts.iter().all(|p| !p.is_empty()));
            prop_assert!((3..=4).contains(&parts[2].len()));
        }
    }
}
