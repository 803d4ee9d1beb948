//! A notification setting (通知設定): what a user wants to hear about and
//! how often. Words in one setting are ANDed; a user keeps several settings
//! for OR. A setting must narrow something — an empty one, or one made only
//! of exclusions, would mail every case to its user — and its words are
//! bounded, so that no input makes the matcher or a mail unreasonable.

use domain::{CaseKind, Category, Invalid, Procedure};
use serde::{Deserialize, Serialize};

/// Most words (keywords and exclusions together) in one setting.
pub const MAX_WORDS: usize = 20;
/// Longest word, in characters after normalisation.
pub const MAX_WORD_CHARS: usize = 50;
/// Most values in one facet (organisations, prefectures…).
pub const MAX_VALUES: usize = 50;
/// Longest setting name.
pub const MAX_NAME_CHARS: usize = 60;
/// Most settings one user keeps.
pub const MAX_SETTINGS_PER_USER: usize = 20;

/// What a setting matches. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    #[serde(default)]
    pub kinds: Vec<String>,
    /// All must appear (in the title, description or organisation).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// None may appear.
    #[serde(default)]
    pub exclusions: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub procedures: Vec<String>,
    /// JIS X 0401 codes.
    #[serde(default)]
    pub prefectures: Vec<i64>,
    /// 発注機関名, exactly as the case gives it.
    #[serde(default)]
    pub organizations: Vec<String>,
}

/// How often the user is mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// As soon as a matching case is published or amended.
    Immediate,
    /// One mail a day at this hour (JST, 0–23).
    Daily(u8),
    Paused,
}

impl Frequency {
    pub fn as_str(self) -> String {
        match self {
            Frequency::Immediate => "immediate".into(),
            Frequency::Daily(h) => format!("daily:{h}"),
            Frequency::Paused => "paused".into(),
        }
    }

    pub fn parse(s: &str) -> Result<Frequency, Invalid> {
        match s {
            "immediate" => Ok(Frequency::Immediate),
            "paused" => Ok(Frequency::Paused),
            _ => s
                .strip_prefix("daily:")
                .and_then(|h| h.parse::<u8>().ok())
                .filter(|h| *h < 24)
                .map(Frequency::Daily)
                .ok_or_else(|| Invalid::new("通知の頻度を選んでください。")),
        }
    }

    pub fn label(self) -> String {
        match self {
            Frequency::Immediate => "公開されたらすぐ".into(),
            Frequency::Daily(h) => format!("毎日{h}時にまとめて"),
            Frequency::Paused => "停止中".into(),
        }
    }
}

/// Splits typed words on whitespace (the ideographic space included).
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn check_words(words: &[String], what: &str) -> Result<(), Invalid> {
    for w in words {
        if w.chars().count() > MAX_WORD_CHARS * 4
            || search::tokenizer::canonical(w).chars().count() > MAX_WORD_CHARS
        {
            return Err(Invalid::new(format!(
                "{what}は1語{MAX_WORD_CHARS}文字以内で入力してください。"
            )));
        }
        if search::tokenizer::canonical(w).is_empty() {
            return Err(Invalid::new(format!(
                "{what}「{}」は記号だけのため使えません。文字か数字を含めてください。",
                w.chars().take(20).collect::<String>()
            )));
        }
    }
    Ok(())
}

impl Criteria {
    /// Checks the setting: something to narrow by, words within bounds, and
    /// every facet value one the portal knows.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.keywords.len() + self.exclusions.len() > MAX_WORDS {
            return Err(Invalid::new(format!(
                "キーワードと除外するキーワードは、合わせて{MAX_WORDS}語までです。"
            )));
        }
        check_words(&self.keywords, "キーワード")?;
        check_words(&self.exclusions, "除外するキーワード")?;
        for (values, what) in [
            (self.kinds.len(), "案件の種類"),
            (self.categories.len(), "種別"),
            (self.procedures.len(), "入札・契約方式"),
            (self.prefectures.len(), "都道府県"),
            (self.organizations.len(), "発注機関"),
        ] {
            if values > MAX_VALUES {
                return Err(Invalid::new(format!("{what}は{MAX_VALUES}件までです。")));
            }
        }
        for k in &self.kinds {
            CaseKind::parse(k)?;
        }
        for c in &self.categories {
            Category::parse(c)?;
        }
        for p in &self.procedures {
            Procedure::parse(p)?;
        }
        if self.prefectures.iter().any(|p| !(1..=47).contains(p)) {
            return Err(Invalid::new("都道府県を選び直してください。"));
        }
        if self.organizations.iter().any(|o| o.chars().count() > 200) {
            return Err(Invalid::new("発注機関名は200文字以内です。"));
        }
        let narrows = !self.keywords.is_empty()
            || !self.kinds.is_empty()
            || !self.categories.is_empty()
            || !self.procedures.is_empty()
            || !self.prefectures.is_empty()
            || !self.organizations.is_empty();
        if !narrows {
            return Err(Invalid::new(
                "キーワード、種類、地域などの条件を1つ以上指定してください（条件がないと、すべての案件が届いてしまいます）。",
            ));
        }
        Ok(())
    }

    /// A short description of the criteria, for lists and mails.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.keywords.is_empty() {
            parts.push(format!("キーワード：{}", self.keywords.join(" ")));
        }
        if !self.exclusions.is_empty() {
            parts.push(format!("除外：{}", self.exclusions.join(" ")));
        }
        let labels = |values: &[String], label: fn(&str) -> Option<&'static str>| {
            values
                .iter()
                .filter_map(|v| label(v))
                .collect::<Vec<_>>()
                .join("・")
        };
        if !self.kinds.is_empty() {
            parts.push(format!(
                "種類：{}",
                labels(&self.kinds, |v| CaseKind::parse(v).ok().map(|k| k.label()))
            ));
        }
        if !self.categories.is_empty() {
            parts.push(format!(
                "種別：{}",
                labels(&self.categories, |v| Category::parse(v)
                    .ok()
                    .map(|k| k.label()))
            ));
        }
        if !self.procedures.is_empty() {
            parts.push(format!(
                "方式：{}",
                labels(&self.procedures, |v| Procedure::parse(v)
                    .ok()
                    .map(|k| k.label()))
            ));
        }
        if !self.prefectures.is_empty() {
            parts.push(format!(
                "都道府県：{}",
                self.prefectures
                    .iter()
                    .filter_map(|p| u8::try_from(*p).ok())
                    .filter_map(domain::Prefecture::from_code)
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join("・")
            ));
        }
        if !self.organizations.is_empty() {
            parts.push(format!("発注機関：{}", self.organizations.join("・")));
        }
        parts.join("／")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_keywords(k: &[&str]) -> Criteria {
        Criteria {
            keywords: k.iter().map(|s| (*s).to_owned()).collect(),
            ..Criteria::default()
        }
    }

    #[test]
    fn a_setting_must_narrow_something() {
        let empty = Criteria::default().check().unwrap_err();
        assert!(empty.message().contains("条件を1つ以上"), "{empty}");
        let only_exclusions = Criteria {
            exclusions: vec!["清掃".into()],
            ..Criteria::default()
        };
        assert!(
            only_exclusions.check().is_err(),
            "exclusions alone match everything"
        );
        assert!(with_keywords(&["清掃"]).check().is_ok());
        let facet_only = Criteria {
            prefectures: vec![13],
            ..Criteria::default()
        };
        assert!(facet_only.check().is_ok());
    }

    #[test]
    fn words_are_bounded_and_must_hold_a_letter_or_digit() {
        let many: Vec<String> = (0..1000).map(|i| format!("語{i}")).collect();
        let c = Criteria {
            keywords: many,
            ..Criteria::default()
        };
        assert!(c.check().unwrap_err().message().contains("20語まで"));
        let long = "清".repeat(10_000);
        assert!(
            with_keywords(&[&long])
                .check()
                .unwrap_err()
                .message()
                .contains("50文字以内")
        );
        let symbols = with_keywords(&["★☆！？"]).check().unwrap_err();
        assert!(symbols.message().contains("記号だけ"), "{symbols}");
        assert!(with_keywords(&["ＬＥＤ照明"]).check().is_ok());
    }

    #[test]
    fn unknown_facet_values_are_refused() {
        let c = Criteria {
            kinds: vec!["nonsense".into()],
            keywords: vec!["清掃".into()],
            ..Criteria::default()
        };
        assert!(c.check().is_err());
        let c = Criteria {
            prefectures: vec![48],
            ..Criteria::default()
        };
        assert!(c.check().is_err());
    }

    #[test]
    fn frequencies_read_back_as_written() {
        for f in [Frequency::Immediate, Frequency::Daily(7), Frequency::Paused] {
            assert_eq!(Frequency::parse(&f.as_str()).unwrap(), f);
        }
        assert!(Frequency::parse("daily:24").is_err());
        assert!(Frequency::parse("hourly").is_err());
    }
}
