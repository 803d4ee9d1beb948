//! 都道府県, by their JIS X 0401 codes (01 北海道 … 47 沖縄県).

use std::fmt;

use crate::Invalid;

pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// A prefecture; its code is 1–47.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefecture(u8);

impl Prefecture {
    pub const TOKYO: Prefecture = Prefecture(13);

    pub fn from_code(code: u8) -> Option<Prefecture> {
        (1..=47).contains(&code).then_some(Prefecture(code))
    }

    /// Accepts "13" or "1" style codes, as forms and CSV files send them.
    pub fn parse(input: &str) -> Result<Prefecture, Invalid> {
        input
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(Prefecture::from_code)
            .or_else(|| Prefecture::from_name(input.trim()))
            .ok_or_else(|| Invalid::new("都道府県を選択してください。"))
    }

    /// The full name ("東京都"); names without 都府県 ("東京") are accepted too.
    pub fn from_name(name: &str) -> Option<Prefecture> {
        PREFECTURES
            .iter()
            .position(|p| {
                *p == name
                    || (name != "北海"
                        && p.strip_suffix(['都', '府', '県'])
                            .is_some_and(|s| s == name))
            })
            .and_then(|i| Prefecture::from_code(i as u8 + 1))
    }

    pub fn code(self) -> u8 {
        self.0
    }

    /// Two digits, as JIS X 0401 writes it.
    pub fn code_str(self) -> String {
        format!("{:02}", self.0)
    }

    pub fn name(self) -> &'static str {
        PREFECTURES[usize::from(self.0) - 1]
    }

    pub fn all() -> impl Iterator<Item = Prefecture> {
        (1..=47).map(Prefecture)
    }
}

impl fmt::Display for Prefecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_jis_x_0401() {
        assert_eq!(Prefecture::from_code(1).unwrap().name(), "北海道");
        assert_eq!(Prefecture::from_code(13).unwrap().name(), "東京都");
        assert_eq!(Prefecture::from_code(47).unwrap().name(), "沖縄県");
        assert_eq!(Prefecture::from_code(0), None);
        assert_eq!(Prefecture::from_code(48), None);
        assert_eq!(Prefecture::all().count(), 47);
    }

    #[test]
    fn codes_and_names_parse() {
        assert_eq!(Prefecture::parse("13").unwrap(), Prefecture::TOKYO);
        assert_eq!(Prefecture::parse("01").unwrap().code_str(), "01");
        assert_eq!(Prefecture::parse("東京都").unwrap(), Prefecture::TOKYO);
        assert_eq!(Prefecture::parse("大阪").unwrap().code(), 27);
        assert!(Prefecture::parse("99").is_err());
        assert!(
            Prefecture::parse("")
                .unwrap_err()
                .message()
                .contains("都道府県")
        );
    }
}
