//! Contact details as people type them, normalised for storage.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::Invalid;
use crate::text::digits_only;

/// A mail address: one `@`, a local part and a domain with a dot, no spaces,
/// at most 254 characters. The domain is lower-cased; the local part is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input.trim().nfkc().collect();
        let bad =
            || Invalid::new("メールアドレスの形式が正しくありません（例：taro@example.co.jp）。");
        if s.is_empty() {
            return Err(Invalid::new("メールアドレスを入力してください。"));
        }
        if s.len() > 254 {
            return Err(Invalid::new("メールアドレスが長すぎます（254文字以内）。"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let ok_domain = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !(ok_local && ok_domain) {
            return Err(bad());
        }
        Ok(EmailAddress(format!(
            "{local}@{}",
            domain.to_ascii_lowercase()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address for looking up accounts: wholly lower-cased, since
    /// providers treat local parts case-insensitively in practice.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Japanese phone number: 10 or 11 digits starting with 0, or +81 followed
/// by the number without its leading 0. Stored as digits with hyphens as typed
/// removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input.trim().nfkc().collect();
        if s.trim().is_empty() {
            return Err(Invalid::new("電話番号を入力してください。"));
        }
        let (international, rest) = match s.strip_prefix("+81") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, s.clone()),
        };
        let rest = rest.replace(['(', ')'], "");
        let digits = digits_only(&rest).ok_or_else(|| {
            Invalid::new("電話番号は数字とハイフンで入力してください（例：03-1234-5678）。")
        })?;
        let digits = if international {
            format!("0{}", digits.trim_start_matches('0'))
        } else {
            digits
        };
        if !(digits.starts_with('0') && (10..=11).contains(&digits.len())) {
            return Err(Invalid::new(
                "電話番号は0から始まる10桁または11桁で入力してください（例：03-1234-5678）。",
            ));
        }
        Ok(PhoneNumber(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// As Japanese numbers are written: 03-1234-5678, 090-1234-5678.
    pub fn hyphenated(&self) -> String {
        crate::phone::hyphenate(&self.0)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 郵便番号: seven digits, shown as 123-4567.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input.trim().trim_start_matches('〒').to_owned();
        if s.trim().is_empty() {
            return Err(Invalid::new("郵便番号を入力してください。"));
        }
        let digits = digits_only(&s).filter(|d| d.len() == 7).ok_or_else(|| {
            Invalid::new("郵便番号は7桁の数字で入力してください（例：100-0005）。")
        })?;
        Ok(PostalCode(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..3], &self.0[3..])
    }
}

/// A new password: 10 to 128 characters, not only one kind of character.
/// Stored only as an argon2id hash; `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let n = input.chars().count();
        if input.is_empty() {
            return Err(Invalid::new("パスワードを入力してください。"));
        }
        if n < Self::MIN_CHARS {
            return Err(Invalid::new(format!(
                "パスワードは{}文字以上にしてください。",
                Self::MIN_CHARS
            )));
        }
        if n > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "パスワードは{}文字以内にしてください。",
                Self::MAX_CHARS
            )));
        }
        let mut first = input.chars();
        let c0 = first.next();
        if first.all(|c| Some(c) == c0) {
            return Err(Invalid::new("同じ文字だけのパスワードは使えません。"));
        }
        let kinds = [
            input.chars().any(|c| c.is_ascii_lowercase()),
            input.chars().any(|c| c.is_ascii_uppercase()),
            input.chars().any(|c| c.is_ascii_digit()),
            input.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if kinds.iter().filter(|k| **k).count() < 2 {
            return Err(Invalid::new(
                "パスワードには、英小文字・英大文字・数字・記号のうち2種類以上を含めてください。",
            ));
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked_and_their_domain_lower_cased() {
        assert_eq!(
            EmailAddress::parse(" Taro@Example.CO.JP ")
                .unwrap()
                .as_str(),
            "Taro@example.co.jp"
        );
        assert_eq!(
            EmailAddress::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
                .unwrap()
                .as_str(),
            "taro@example.jp"
        );
        for bad in [
            "",
            "taro",
            "taro@",
            "@example.jp",
            "taro@example",
            "ta ro@example.jp",
            "taro..x@example.jp",
            "太郎@example.jp",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@example.jp", "a".repeat(65))).is_err());
    }

    #[test]
    fn phone_numbers_accept_full_width_digits_and_hyphens() {
        assert_eq!(
            PhoneNumber::parse("０３－１２３４－５６７８")
                .unwrap()
                .digits(),
            "0312345678"
        );
        assert_eq!(
            PhoneNumber::parse("090-1234-5678").unwrap().digits(),
            "09012345678"
        );
        assert_eq!(
            PhoneNumber::parse("+81 3 1234 5678").unwrap().digits(),
            "0312345678"
        );
        assert_eq!(
            PhoneNumber::parse("(03)1234-5678").unwrap().digits(),
            "0312345678"
        );
        assert!(
            PhoneNumber::parse("1234")
                .unwrap_err()
                .message()
                .contains("10桁")
        );
        assert!(PhoneNumber::parse("03-1234-abcd").is_err());
    }

    #[test]
    fn postal_codes_are_seven_digits() {
        assert_eq!(
            PostalCode::parse("〒１００－０００５").unwrap().to_string(),
            "100-0005"
        );
        assert_eq!(PostalCode::parse("1000005").unwrap().digits(), "1000005");
        assert!(PostalCode::parse("100-005").is_err());
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert!(
            Password::parse("short1")
                .unwrap_err()
                .message()
                .contains("10文字以上")
        );
        assert!(Password::parse("aaaaaaaaaaaa").is_err());
        assert!(
            Password::parse("abcdefghijkl")
                .unwrap_err()
                .message()
                .contains("2種類")
        );
        assert!(Password::parse("correct horse battery").is_ok());
        assert!(Password::parse("Tokyo2026navi").is_ok());
        assert!(
            Password::parse(&"aB3".repeat(50))
                .unwrap_err()
                .message()
                .contains("128")
        );
        assert_eq!(
            format!("{:?}", Password::parse("Tokyo2026navi").unwrap()),
            "Password(***)"
        );
    }
}
