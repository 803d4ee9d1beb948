//! Japanese-aware text for the index and for queries alike: NFKC (full- and
//! half-width forms match), lower case, then character bigrams within runs of
//! letters and digits, as Groonga's TokenBigram does, so that two-character
//! words such as 清掃, 警備, 印刷 are found inside longer words. A run of one
//! character is kept as it is.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under.
pub const NAME: &str = "ja_bigram";

use domain::words::runs;
pub use domain::words::{SEPARATOR, canonical, normalize};

/// The tokens of `text` with their positions. Runs are one position apart,
/// so that a phrase never matches across a space or a punctuation mark.
pub fn tokens(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut position = 0;
    for run in runs(&normalize(text)) {
        if run.len() == 1 {
            out.push((position, run[0].to_string()));
            position += 1;
        } else {
            for pair in run.windows(2) {
                out.push((position, pair.iter().collect()));
                position += 1;
            }
        }
        position += 1;
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct BigramTokenizer;

#[derive(Debug)]
pub struct BigramStream {
    tokens: std::vec::IntoIter<(usize, String)>,
    token: Token,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        BigramStream {
            tokens: tokens(text).into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some((position, text)) => {
                self.token.position = position;
                self.token.text = text;
                self.token.position_length = 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn words_become_bigrams_within_runs() {
        assert_eq!(texts("庁舎清掃"), ["庁舎", "舎清", "清掃"]);
        assert_eq!(texts("清掃 業務"), ["清掃", "業務"]);
        assert_eq!(texts("都"), ["都"]);
    }

    #[test]
    fn full_width_half_width_and_case_are_folded() {
        assert_eq!(texts("ＬＥＤ照明"), texts("led照明"));
        assert_eq!(texts("ｶﾞｽ"), texts("ガス"));
        assert_eq!(texts("２０２６年"), texts("2026年"));
    }

    #[test]
    fn punctuation_separates_runs_by_one_position() {
        assert_eq!(
            tokens("清掃、警備"),
            vec![(0, "清掃".to_owned()), (2, "警備".to_owned())]
        );
        assert!(tokens("（）・！？").is_empty());
    }
}
