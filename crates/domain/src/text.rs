//! Text as Japanese users type it: full-width digits, several kinds of hyphen,
//! ideographic spaces. Everything that is compared or stored goes through here.

use unicode_normalization::UnicodeNormalization;

/// Characters that change how text around them is shown without being
/// seen: bidirectional embeddings, overrides, isolates and marks, and
/// zero-width characters. "estimate\u{202E}gnp.pdf" shows as
/// "estimatefdp.png"; a zero-width space makes two equal-looking names differ.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `input` without the characters `is_invisible_format` names.
pub fn visible(input: &str) -> String {
    input.chars().filter(|c| !is_invisible_format(*c)).collect()
}

/// NFKC (full-width ASCII to half-width, half-width katakana to full-width),
/// without invisible format characters, then trimmed, with runs of whitespace
/// (including the ideographic space) collapsed to one ASCII space.
pub fn normalize(input: &str) -> String {
    let nfkc: String = input.nfkc().filter(|c| !is_invisible_format(*c)).collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Display text as typed, tidied: without invisible format characters,
/// trimmed, with runs of whitespace (the ideographic space included)
/// collapsed to one space. Unlike `normalize` it keeps full-width
/// punctuation such as （）, which Japanese names use.
pub fn tidy(input: &str) -> String {
    visible(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text of several lines as typed (a description, a message), tidied but
/// with its lines kept: without invisible format characters or controls
/// other than the line break and the tab, with every line break written
/// `\n`, trailing spaces of each line removed (its leading ones, a 字下げ,
/// kept), at most one empty line in a row, and none at either end.
pub fn tidy_lines(input: &str) -> String {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let clean: String = unified
        .chars()
        .filter(|c| !is_invisible_format(*c) && (!c.is_control() || matches!(c, '\n' | '\t')))
        .collect();
    let mut out: Vec<&str> = Vec::new();
    for line in clean.split('\n') {
        let line = line.trim_end();
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(if blank { "" } else { line });
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// The characters people type for a hyphen in numbers: ASCII, full-width,
/// Unicode dashes, the minus sign and the katakana prolonged sound mark.
pub fn is_hyphen_like(c: char) -> bool {
    matches!(
        c,
        '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '﹣'
    )
}

/// Keeps the digits of a number typed with full-width digits, hyphens or
/// spaces; `None` when anything else is in it.
pub fn digits_only(input: &str) -> Option<String> {
    let mut out = String::with_capacity(input.len());
    for c in input.nfkc() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !(is_hyphen_like(c) || c.is_whitespace()) {
            return None;
        }
    }
    Some(out)
}

/// True when the text is a katakana reading: full-width katakana, the
/// prolonged sound mark, the middle dot and spaces (after `normalize`).
pub fn is_katakana_reading(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| matches!(c, '\u{30A1}'..='\u{30F6}' | 'ー' | '・' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_zero_width_characters_are_removed() {
        assert_eq!(tidy("estimate\u{202E}gnp.pdf"), "estimategnp.pdf");
        assert_eq!(
            normalize("見積\u{200B}書\u{2066}.pdf\u{2069}"),
            "見積書.pdf"
        );
        assert_eq!(tidy("\u{FEFF}清掃\u{200D}業務\u{200F}"), "清掃業務");
        assert_eq!(visible("a\u{061C}b\u{180E}c\u{2060}d"), "abcd");
        assert_eq!(
            tidy("庁舎 清掃（その1）"),
            "庁舎 清掃（その1）",
            "visible text stays"
        );
    }

    #[test]
    fn full_width_forms_and_ideographic_spaces_are_normalised() {
        assert_eq!(
            normalize("　ＡＢＣ　１２３  株式会社　"),
            "ABC 123 株式会社"
        );
        assert_eq!(normalize("ｶﾌﾞｼｷｶﾞｲｼｬ"), "カブシキガイシャ");
    }

    #[test]
    fn tidy_lines_keeps_paragraphs_and_line_breaks_and_drops_what_cannot_be_seen() {
        assert_eq!(
            tidy_lines("\r\n　概要\u{200B}です。  \r\n二行目\r\n\r\n\r\n\n段落２\x07\n\n"),
            "　概要です。\n二行目\n\n段落２"
        );
        assert_eq!(tidy_lines("  \n \n"), "");
    }

    proptest::proptest! {
        #[test]
        fn tidy_lines_is_stable_and_keeps_every_visible_character(input in "\\PC*|[ \n\r\t　あ-ん]{0,40}") {
            let once = tidy_lines(&input);
            proptest::prop_assert_eq!(tidy_lines(&once), once.clone());
            proptest::prop_assert!(!once.contains("\n\n\n"));
            proptest::prop_assert!(!once.chars().any(|c| c == '\r' || is_invisible_format(c)));
            let seen = |t: &str| t.chars().filter(|c| !c.is_whitespace() && !c.is_control() && !is_invisible_format(*c)).collect::<String>();
            proptest::prop_assert_eq!(seen(&once), seen(&input));
        }
    }

    #[test]
    fn tidy_keeps_full_width_punctuation() {
        assert_eq!(
            tidy("　株式会社テスト（東京）　 本社 "),
            "株式会社テスト（東京） 本社"
        );
    }

    #[test]
    fn digits_are_kept_and_hyphens_of_every_kind_dropped() {
        assert_eq!(
            digits_only("０３－１２３４－５６７８").as_deref(),
            Some("0312345678")
        );
        assert_eq!(digits_only("03ー1234ー5678").as_deref(), Some("0312345678"));
        assert_eq!(digits_only("03 1234 5678").as_deref(), Some("0312345678"));
        assert_eq!(digits_only("03-1234-567a"), None);
    }

    #[test]
    fn katakana_readings_are_recognised() {
        assert!(is_katakana_reading("チャンスナビ カブシキガイシャ"));
        assert!(is_katakana_reading("ヴィーナス・データ"));
        assert!(!is_katakana_reading("ちゃんす"));
        assert!(!is_katakana_reading("ABC"));
        assert!(!is_katakana_reading(""));
    }
}
