//! Words as the search index and the notification matcher see them: NFKC
//! (full- and half-width forms match), lower case, and runs of letters and
//! digits. The index (search::tokenizer) makes bigrams of these runs; a
//! notification setting's words are checked against the same rules, so a
//! word that the index could never find is refused where it is typed.

use unicode_normalization::UnicodeNormalization;

/// NFKC, then lower case.
pub fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// Splits normalised text into runs of letters and digits.
pub fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == 'ー' || c == '々' || c == 'ヶ' {
            run.push(c);
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Normalised text as runs of letters and digits joined by a separator
/// (U+0001): a word given the same treatment is found in it as a substring
/// exactly where the index finds it as a phrase of bigrams — within runs, and
/// never across a space or a punctuation mark except as one.
pub fn canonical(text: &str) -> String {
    let mut out = String::new();
    for (i, run) in runs(&normalize(text)).into_iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.extend(run);
    }
    out
}

/// What stands between runs in `canonical` text.
pub const SEPARATOR: char = '\u{1}';
