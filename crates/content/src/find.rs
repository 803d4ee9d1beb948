//! Finding pages and posts by words, by the rules case search uses
//! (`domain::words`): NFKC, lower case, and runs of letters and digits, so
//! that 清掃 is found in 庁舎清掃業務 and ＦＡＩＲ in "fair". Every word of
//! the query must be found; a title that has them ranks first.

/// A query made ready: each word's runs of letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    words: Vec<Vec<String>>,
}

/// How well a text answers a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Every word is in the title.
    Title,
    /// Every word is somewhere in the text.
    Text,
}

impl Query {
    /// `None` for a query without a letter or digit.
    pub fn parse(q: &str) -> Option<Query> {
        let words: Vec<Vec<String>> = q
            .split_whitespace()
            .map(|w| {
                domain::words::runs(&domain::words::normalize(w))
                    .into_iter()
                    .map(|r| r.into_iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .filter(|runs| !runs.is_empty())
            .take(10)
            .collect();
        (!words.is_empty()).then_some(Query { words })
    }

    fn found_in(&self, canonical: &str) -> bool {
        self.words
            .iter()
            .all(|runs| runs.iter().all(|r| canonical.contains(r.as_str())))
    }

    /// Whether `title` or `text` has every word, and which.
    pub fn rank(&self, title: &str, text: &str) -> Option<Rank> {
        let title = domain::words::canonical(title);
        if self.found_in(&title) {
            return Some(Rank::Title);
        }
        let all = format!(
            "{title}{}{}",
            domain::words::SEPARATOR,
            domain::words::canonical(text)
        );
        self.found_in(&all).then_some(Rank::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_are_found_across_widths_and_cases_inside_longer_words() {
        let q = Query::parse("清掃　ＦＡＩＲ").expect("words");
        assert_eq!(q.rank("庁舎清掃業務 Fair 2027", ""), Some(Rank::Title));
        assert_eq!(
            q.rank("お知らせ", "本庁舎の清掃とfairの案内"),
            Some(Rank::Text)
        );
        assert_eq!(q.rank("お知らせ", "清掃だけ"), None);
    }

    #[test]
    fn a_word_does_not_match_across_punctuation() {
        let q = Query::parse("東京都").expect("word");
        assert_eq!(q.rank("東京・都内", ""), None);
        assert!(Query::parse("・、！ ").is_none());
    }

    proptest! {
        /// Any text is found by any of its own words, and nothing panics.
        #[test]
        fn a_text_is_found_by_its_own_words(text in "\\PC{0,80}", q in "\\PC{0,20}") {
            let _ = Query::parse(&q).map(|q| q.rank(&text, &text));
            for word in text.split_whitespace() {
                if let Some(query) = Query::parse(word) {
                    prop_assert_eq!(query.rank(&text, ""), Some(Rank::Title), "{}", word);
                }
            }
        }
    }
}
