//! A notification setting (通知設定): what a user wants to hear about and
//! how often. Words in one setting are ANDed; a user keeps several settings
//! for OR. A setting must narrow something — an empty one, or one made only
//! of exclusions, would mail every case to its user — and its words are
//! bounded, so that no input makes the matcher or a mail unreasonable.
//!
//! The criteria are typed: facet values are the case model's own enums,
//! stored (as JSON) under their codes, so an unknown stored value is an
//! error when the setting is read, never a silently wider setting.

use serde::{Deserialize, Serialize};

use crate::{CaseKind, Category, Invalid, Prefecture, Procedure, labelled_enum, words};

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
/// Longest 発注機関 name.
pub const MAX_ORGANIZATION_CHARS: usize = 200;

/// What a setting matches. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    #[serde(default)]
    pub kinds: Vec<CaseKind>,
    /// All must appear (in the title, description or organisation).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// None may appear.
    #[serde(default)]
    pub exclusions: Vec<String>,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub procedures: Vec<Procedure>,
    /// JIS X 0401 codes.
    #[serde(default)]
    pub prefectures: Vec<i64>,
    /// 発注機関名, exactly as the case gives it.
    #[serde(default)]
    pub organizations: Vec<String>,
}

labelled_enum!(
    /// The parts of a setting's criteria; the code is the criterion's name,
    /// which forms use for their fields too.
    Criterion, "通知の条件" {
        Keywords = ("keywords", "キーワード"),
        Exclusions = ("exclusions", "除外するキーワード"),
        Kinds = ("kinds", "案件の種類"),
        Categories = ("categories", "種別"),
        Procedures = ("procedures", "入札・契約方式"),
        Prefectures = ("prefectures", "都道府県"),
        Organizations = ("organizations", "発注機関"),
    }
);

/// Why criteria were refused, and which criterion to show the message beside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{invalid}")]
pub struct CriteriaError {
    pub criterion: Criterion,
    pub invalid: Invalid,
}

impl CriteriaError {
    fn new(criterion: Criterion, message: impl Into<String>) -> Self {
        CriteriaError {
            criterion,
            invalid: Invalid::new(message),
        }
    }

    pub fn message(&self) -> &str {
        self.invalid.message()
    }
}

labelled_enum!(
    /// How a setting mails, without the hour of a daily mail: what the form
    /// offers and the statistics count.
    Cadence, "通知の頻度" {
        Immediate = ("immediate", "公開されたらすぐ"),
        Daily = ("daily", "1日1回まとめて"),
        Paused = ("paused", "停止"),
    }
);

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
    /// The stored form: `immediate`, `daily:8`, `paused`.
    pub fn as_str(self) -> String {
        match self {
            Frequency::Immediate => "immediate".into(),
            Frequency::Daily(h) => format!("daily:{h}"),
            Frequency::Paused => "paused".into(),
        }
    }

    /// Reads the stored form; anything else is an error.
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

    /// How it mails, without the hour.
    pub fn cadence(self) -> Cadence {
        match self {
            Frequency::Immediate => Cadence::Immediate,
            Frequency::Daily(_) => Cadence::Daily,
            Frequency::Paused => Cadence::Paused,
        }
    }

    /// A frequency from its cadence and, for a daily mail, the hour (0–23).
    pub fn of(cadence: Cadence, hour: Option<u8>) -> Result<Frequency, Invalid> {
        match cadence {
            Cadence::Immediate => Ok(Frequency::Immediate),
            Cadence::Paused => Ok(Frequency::Paused),
            Cadence::Daily => hour
                .filter(|h| *h < 24)
                .map(Frequency::Daily)
                .ok_or_else(|| Invalid::new("まとめて届ける時刻を選んでください。")),
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
pub fn split_words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn check_words(list: &[String], criterion: Criterion) -> Result<(), CriteriaError> {
    let what = criterion.label();
    for w in list {
        if w.chars().count() > MAX_WORD_CHARS * 4
            || words::canonical(w).chars().count() > MAX_WORD_CHARS
        {
            return Err(CriteriaError::new(
                criterion,
                format!("{what}は1語{MAX_WORD_CHARS}文字以内で入力してください。"),
            ));
        }
        if words::canonical(w).is_empty() {
            return Err(CriteriaError::new(
                criterion,
                format!(
                    "{what}「{}」は記号だけのため使えません。文字か数字を含めてください。",
                    w.chars().take(20).collect::<String>()
                ),
            ));
        }
    }
    Ok(())
}

impl Criteria {
    /// Checks the setting: something to narrow by, words and values within
    /// bounds, and every prefecture one that exists. The error names the
    /// criterion it is about.
    pub fn check(&self) -> Result<(), CriteriaError> {
        if self.keywords.len() + self.exclusions.len() > MAX_WORDS {
            return Err(CriteriaError::new(
                Criterion::Keywords,
                format!("キーワードと除外するキーワードは、合わせて{MAX_WORDS}語までです。"),
            ));
        }
        check_words(&self.keywords, Criterion::Keywords)?;
        check_words(&self.exclusions, Criterion::Exclusions)?;
        for (values, criterion) in [
            (self.kinds.len(), Criterion::Kinds),
            (self.categories.len(), Criterion::Categories),
            (self.procedures.len(), Criterion::Procedures),
            (self.prefectures.len(), Criterion::Prefectures),
            (self.organizations.len(), Criterion::Organizations),
        ] {
            if values > MAX_VALUES {
                return Err(CriteriaError::new(
                    criterion,
                    format!("{}は{MAX_VALUES}件までです。", criterion.label()),
                ));
            }
        }
        if self.prefectures.iter().any(|p| !(1..=47).contains(p)) {
            return Err(CriteriaError::new(
                Criterion::Prefectures,
                "都道府県を選び直してください。",
            ));
        }
        if self
            .organizations
            .iter()
            .any(|o| o.chars().count() > MAX_ORGANIZATION_CHARS)
        {
            return Err(CriteriaError::new(
                Criterion::Organizations,
                format!("発注機関名は{MAX_ORGANIZATION_CHARS}文字以内です。"),
            ));
        }
        let narrows = !self.keywords.is_empty()
            || !self.kinds.is_empty()
            || !self.categories.is_empty()
            || !self.procedures.is_empty()
            || !self.prefectures.is_empty()
            || !self.organizations.is_empty();
        if !narrows {
            return Err(CriteriaError::new(
                Criterion::Keywords,
                "キーワード、種類、地域などの条件を1つ以上指定してください（条件がないと、すべての案件が届いてしまいます）。",
            ));
        }
        Ok(())
    }

    /// The criteria as (facet, value) rows, kept beside the setting for the
    /// administrators' statistics; words are normalised as the index reads
    /// them, and the frequency is counted without its hour.
    pub fn terms(&self, frequency: Frequency) -> Vec<(&'static str, String)> {
        let mut t: Vec<(&'static str, String)> = Vec::new();
        t.extend(
            self.keywords
                .iter()
                .map(|w| ("keyword", words::normalize(w))),
        );
        t.extend(
            self.exclusions
                .iter()
                .map(|w| ("exclusion", words::normalize(w))),
        );
        t.extend(self.kinds.iter().map(|v| ("kind", v.as_str().to_owned())));
        t.extend(
            self.categories
                .iter()
                .map(|v| ("category", v.as_str().to_owned())),
        );
        t.extend(
            self.procedures
                .iter()
                .map(|v| ("procedure", v.as_str().to_owned())),
        );
        t.extend(
            self.prefectures
                .iter()
                .map(|v| ("prefecture", v.to_string())),
        );
        t.extend(
            self.organizations
                .iter()
                .map(|v| ("organization", v.clone())),
        );
        t.push(("frequency", frequency.cadence().as_str().into()));
        t
    }

    /// A short description of the criteria, for lists and mails.
    pub fn summary(&self) -> String {
        fn labels<T: Copy>(values: &[T], label: fn(T) -> &'static str) -> String {
            values
                .iter()
                .map(|v| label(*v))
                .collect::<Vec<_>>()
                .join("・")
        }
        let mut parts = Vec::new();
        if !self.keywords.is_empty() {
            parts.push(format!("キーワード：{}", self.keywords.join(" ")));
        }
        if !self.exclusions.is_empty() {
            parts.push(format!("除外：{}", self.exclusions.join(" ")));
        }
        if !self.kinds.is_empty() {
            parts.push(format!("種類：{}", labels(&self.kinds, CaseKind::label)));
        }
        if !self.categories.is_empty() {
            parts.push(format!(
                "種別：{}",
                labels(&self.categories, Category::label)
            ));
        }
        if !self.procedures.is_empty() {
            parts.push(format!(
                "方式：{}",
                labels(&self.procedures, Procedure::label)
            ));
        }
        if !self.prefectures.is_empty() {
            parts.push(format!(
                "都道府県：{}",
                self.prefectures
                    .iter()
                    .filter_map(|p| u8::try_from(*p).ok())
                    .filter_map(Prefecture::from_code)
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
    fn each_refusal_names_its_criterion_whatever_its_words() {
        let exclusion = Criteria {
            keywords: vec!["清掃".into()],
            exclusions: vec!["★".into()],
            ..Criteria::default()
        };
        assert_eq!(
            exclusion.check().unwrap_err().criterion,
            Criterion::Exclusions
        );
        let keyword = with_keywords(&["★"]);
        assert_eq!(keyword.check().unwrap_err().criterion, Criterion::Keywords);
        let prefecture = Criteria {
            prefectures: vec![48],
            ..Criteria::default()
        };
        assert_eq!(
            prefecture.check().unwrap_err().criterion,
            Criterion::Prefectures
        );
        let organization = Criteria {
            organizations: vec!["省".repeat(201)],
            ..Criteria::default()
        };
        assert_eq!(
            organization.check().unwrap_err().criterion,
            Criterion::Organizations
        );
    }

    #[test]
    fn facet_values_are_stored_under_their_codes_and_unknown_ones_refused() {
        let c = Criteria {
            kinds: vec![CaseKind::ETender],
            categories: vec![Category::Services],
            procedures: vec![Procedure::OpenCompetitive],
            ..with_keywords(&["清掃"])
        };
        let json = serde_json::to_string(&c).expect("json");
        assert!(
            json.contains(r#""kinds":["e_tender"]"#)
                && json.contains(r#""categories":["services"]"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Criteria>(&json).expect("back"), c);
        let unknown = json.replace("e_tender", "nonsense");
        assert!(serde_json::from_str::<Criteria>(&unknown).is_err());
        // A label is not a stored code.
        let label = json.replace("e_tender", "電子調達案件");
        assert!(serde_json::from_str::<Criteria>(&label).is_err());
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
