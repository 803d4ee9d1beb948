//! Every reader of typed or imported text against arbitrary Unicode (and
//! against text made of the pieces real values are made of): an answer or a
//! reason, never a panic; what is accepted reads back as itself.

use domain::{
    CaseKind, CaseStatus, Category, CorporateNumber, EmailAddress, PhoneNumber, PostalCode,
    Prefecture, Procedure,
};
use proptest::prelude::*;

/// Text mixing what values are made of with anything at all: digits in both
/// widths, hyphens of every kind, Japanese, spaces, controls and format
/// characters.
fn mixed() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9０-９]{1,13}",
        Just("-".to_owned()),
        Just("ー".to_owned()),
        Just("－".to_owned()),
        Just("+81".to_owned()),
        Just("@".to_owned()),
        Just("東京都".to_owned()),
        Just("株式会社".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("　".to_owned()),
        "\\PC{0,4}",
        ".{0,3}",
    ];
    prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn contact_details_and_numbers_answer_or_refuse(s in mixed()) {
        if let Ok(n) = CorporateNumber::parse(&s) {
            prop_assert_eq!(CorporateNumber::parse(&n.to_string()).ok(), Some(n));
        }
        if let Ok(p) = PhoneNumber::parse(&s) {
            prop_assert!(p.digits().chars().all(|c| c.is_ascii_digit()));
            prop_assert_eq!(PhoneNumber::parse(p.digits()).ok(), Some(p.clone()));
        }
        if let Ok(p) = PostalCode::parse(&s) {
            prop_assert_eq!(PostalCode::parse(p.digits()).ok(), Some(p.clone()));
        }
        if let Ok(e) = EmailAddress::parse(&s) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()).ok(), Some(e.clone()));
        }
        let _ = Prefecture::parse(&s);
        let _ = Prefecture::from_name(&s);
        let _ = domain::text::digits_only(&s);
        let _ = domain::time::parse_jst_datetime(&s, 17);
        let _ = domain::upload::clean_name(&s);
        let _ = domain::upload::check(&s, s.as_bytes());
    }

    #[test]
    fn coded_values_are_read_by_their_code_or_label_or_refused(s in "\\PC{0,30}") {
        let _ = (CaseKind::parse(&s), Category::parse(&s), Procedure::parse(&s), CaseStatus::parse(&s));
        let _ = Category::from_kkj_code(&s);
        let _ = (domain::company::CompanyStatus::parse(&s), domain::company::CompanyStatus::from_code(&s));
        let _ = domain::StaffRole::parse(&s);
    }

    #[test]
    fn normalised_and_tidied_text_is_stable_and_has_no_invisible_format_characters(s in mixed()) {
        let n = domain::text::normalize(&s);
        prop_assert_eq!(domain::text::normalize(&n), n.clone());
        prop_assert!(!n.chars().any(domain::text::is_invisible_format));
        let t = domain::text::tidy(&s);
        prop_assert_eq!(domain::text::tidy(&t), t.clone());
        prop_assert!(!t.chars().any(domain::text::is_invisible_format));
        let name = domain::upload::clean_name(&s);
        prop_assert!(!name.chars().any(|c| c.is_control() || domain::text::is_invisible_format(c)));
    }

    #[test]
    fn datetimes_typed_in_forms_read_back_from_their_own_form(ms in 0i64..4_102_444_800_000) {
        // To the second, as a schedule is kept.
        let ms = ms - ms % 1_000;
        let typed = domain::time::jst_input_value(ms);
        prop_assert_eq!(domain::time::parse_jst_datetime(&typed, 0), Some(ms));
    }
}

proptest! {
    /// A required value left blank — nothing, or only spaces of any width —
    /// is told to be entered, not that its format is wrong.
    #[test]
    fn a_blank_required_value_is_asked_for_not_called_malformed(
        blank in prop::collection::vec(prop_oneof![Just(' '), Just('　'), Just('\t'), Just('\n')], 0..6)
    ) {
        let blank: String = blank.into_iter().collect();
        let said = [
            EmailAddress::parse(&blank).unwrap_err().to_string(),
            PhoneNumber::parse(&blank).unwrap_err().to_string(),
            PostalCode::parse(&blank).unwrap_err().to_string(),
            CorporateNumber::parse(&blank).unwrap_err().to_string(),
        ];
        for message in said {
            prop_assert!(message.ends_with("を入力してください。"), "{blank:?}: {message}");
        }
        prop_assert_eq!(
            domain::Password::parse("").unwrap_err().to_string(),
            "パスワードを入力してください。"
        );
    }
}
