//! Text as Japanese users type it: full-width digits, several kinds of hyphen,
//! ideographic spaces. Everything that is compared or stored goes through here.

use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width ASCII to half-width, half-width katakana to full-width),
/// then trimmed, with runs of whitespace (including the ideographic space)
/// collapsed to one ASCII space.
pub fn normalize(input: &str) -> String {
    let nfkc: String = input.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Display text as typed, tidied: trimmed, with runs of whitespace (the
/// ideographic space included) collapsed to one space. Unlike `normalize` it
/// keeps full-width punctuation such as （）, which Japanese names use.
pub fn tidy(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
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
    fn full_width_forms_and_ideographic_spaces_are_normalised() {
        assert_eq!(
            normalize("　ＡＢＣ　１２３  株式会社　"),
            "ABC 123 株式会社"
        );
        assert_eq!(normalize("ｶﾌﾞｼｷｶﾞｲｼｬ"), "カブシキガイシャ");
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
