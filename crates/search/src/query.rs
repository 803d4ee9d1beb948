//! The search box's language: words ANDed, "-word" excluded, "quoted phrases"
//! kept together. Anything else is taken literally; nothing in a query can
//! make it fail.

/// Longest query taken into account, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most words taken into account.
pub const MAX_WORDS: usize = 16;

/// A query split into what must match and what must not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub required: Vec<String>,
    pub excluded: Vec<String>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.excluded.is_empty()
    }
}

/// Splits `q` on whitespace (the ideographic space included), keeping quoted
/// phrases whole; an unbalanced quote runs to the end.
pub fn parse(q: &str) -> ParsedQuery {
    let q: String = q
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_QUERY_CHARS)
        .collect();
    let q = q.replace(['“', '”', '＂'], "\"").replace('－', "-");
    let mut parsed = ParsedQuery::default();
    let mut chars = q.chars().peekable();
    while parsed.required.len() + parsed.excluded.len() < MAX_WORDS {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let negative = first == '-';
        if negative {
            chars.next();
        }
        let word: String = if chars.peek() == Some(&'"') {
            chars.next();
            let mut w = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                w.push(c);
            }
            w
        } else {
            let mut w = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                w.push(c);
            }
            w
        };
        if crate::tokenizer::tokens(&word).is_empty() {
            continue;
        }
        if negative {
            parsed.excluded.push(word);
        } else {
            parsed.required.push(word);
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_exclusions_and_phrases() {
        let p = parse("清掃　警備 -駐車場 \"庁舎 管理\"");
        assert_eq!(p.required, ["清掃", "警備", "庁舎 管理"]);
        assert_eq!(p.excluded, ["駐車場"]);
    }

    #[test]
    fn symbols_alone_and_unbalanced_quotes_are_harmless() {
        assert!(parse("!!! ??? ---").is_empty());
        assert_eq!(parse("\"印刷 製本").required, ["印刷 製本"]);
        assert_eq!(parse("－印刷").excluded, ["印刷"]);
    }

    #[test]
    fn long_queries_are_cut() {
        let p = parse(&"清掃 ".repeat(10_000));
        assert_eq!(p.required.len(), MAX_WORDS);
    }

    proptest! {
        #[test]
        fn any_query_parses(s in "\\PC{0,300}|[\"\\- 　a-z清掃]{0,50}") {
            let p = parse(&s);
            prop_assert!(p.required.len() + p.excluded.len() <= MAX_WORDS);
        }
    }
}
