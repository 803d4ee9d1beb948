//! The business-partner directory's rules (issue 16): who may see each
//! field of a company's profile, capital and employees shown as bands, the
//! certifications a profile may name, and when a profile is old.
//!
//! Every field a company may show or hide is a [`ProfileField`]; whether a
//! reader sees it is decided in one place ([`Visibility::shown_to`]), so
//! that the pages, the API and the search's facets cannot disagree. Contact
//! details are not profile fields: they are never public.

use crate::labelled_enum;

labelled_enum!(
    /// Who may see a field of a profile.
    Visibility, "公開範囲" {
        Public = ("public", "一般公開"),
        /// Signed-in approved companies and the portal's staff.
        Members = ("members", "会員のみ"),
        Hidden = ("hidden", "非公開"),
    }
);

labelled_enum!(
    /// Who is reading a profile.
    Audience, "閲覧者" {
        /// Anyone, signed in or not, and the public API.
        Visitor = ("visitor", "一般の閲覧者"),
        /// A signed-in user of an approved company, or staff.
        Member = ("member", "会員"),
    }
);

impl Visibility {
    /// Whether `audience` sees a field set to this level.
    pub fn shown_to(self, audience: Audience) -> bool {
        match self {
            Visibility::Public => true,
            Visibility::Members => audience == Audience::Member,
            Visibility::Hidden => false,
        }
    }
}

labelled_enum!(
    /// The fields of a profile a company chooses a [`Visibility`] for. The
    /// company's name, prefecture and industries are what the directory is
    /// made of and are always shown while the company is listed.
    ProfileField, "項目" {
        NameKana = ("name_kana", "会社名のふりがな"),
        Municipality = ("municipality", "市区町村"),
        Description = ("description", "会社の紹介"),
        Products = ("products", "製品・サービス"),
        Keywords = ("keywords", "得意分野のキーワード"),
        Certifications = ("certifications", "認証・資格"),
        MemberOrganizations = ("member_organizations", "加盟団体"),
        Capital = ("capital", "資本金"),
        Employees = ("employees", "従業員数"),
        Founded = ("founded", "創業年"),
        Website = ("website", "ウェブサイト"),
        Programmes = ("programmes", "参加した事業"),
    }
);

/// 資本金の区分 (yen): the lower bound of each band and its label. The
/// bands follow the lines the 中小企業基本法 draws (1,000万, 3,000万,
/// 5,000万, 1億, 3億).
pub const CAPITAL_BANDS: &[(i64, &str, &str)] = &[
    (0, "capital-0", "1,000万円未満"),
    (10_000_000, "capital-10m", "1,000万円以上3,000万円未満"),
    (30_000_000, "capital-30m", "3,000万円以上5,000万円未満"),
    (50_000_000, "capital-50m", "5,000万円以上1億円未満"),
    (100_000_000, "capital-100m", "1億円以上3億円未満"),
    (300_000_000, "capital-300m", "3億円以上"),
];

/// 従業員数の区分: the lower bound of each band, its code and label (the
/// 中小企業基本法's lines 5, 20, 50, 100, 300).
pub const EMPLOYEE_BANDS: &[(i64, &str, &str)] = &[
    (0, "employees-0", "5人未満"),
    (5, "employees-5", "5〜19人"),
    (20, "employees-20", "20〜49人"),
    (50, "employees-50", "50〜99人"),
    (100, "employees-100", "100〜299人"),
    (300, "employees-300", "300人以上"),
];

/// The band `value` falls in, as (code, label); none for a negative value.
pub fn band(
    bands: &'static [(i64, &'static str, &'static str)],
    value: i64,
) -> Option<(&'static str, &'static str)> {
    bands
        .iter()
        .rev()
        .find(|(from, _, _)| value >= *from)
        .filter(|_| value >= 0)
        .map(|(_, code, label)| (*code, *label))
}

/// The certifications a profile may name (a master; codes are stable).
pub const CERTIFICATIONS: &[(&str, &str)] = &[
    ("iso9001", "ISO 9001（品質）"),
    ("iso14001", "ISO 14001（環境）"),
    ("iso27001", "ISO/IEC 27001（情報セキュリティ）"),
    ("iso45001", "ISO 45001（労働安全衛生）"),
    ("privacy-mark", "プライバシーマーク"),
    ("eco-action21", "エコアクション21"),
    ("health-management", "健康経営優良法人"),
    ("kurumin", "くるみん"),
];

/// A certification's label by its code.
pub fn certification(code: &str) -> Option<&'static str> {
    CERTIFICATIONS.iter().find(|c| c.0 == code).map(|c| c.1)
}

/// The programmes an operator records a company's part in, by the code's
/// stem; the code ends in the year (`fair-exhibitor-2026`).
pub const PROGRAMMES: &[(&str, &str)] = &[
    ("fair-exhibitor", "ビジネスフロンティア・フェア 出展"),
    ("competition-entrant", "世界発信コンペティション 応募"),
    ("competition-winner", "世界発信コンペティション 受賞"),
    ("market-support", "マーケットサポート 利用"),
];

/// "ビジネスフロンティア・フェア 出展（2026年）" for `fair-exhibitor-2026`;
/// none for a code of no known programme.
pub fn programme_label(code: &str) -> Option<String> {
    let (stem, year) = code.rsplit_once('-')?;
    let year: u16 = year.parse().ok().filter(|y| (2000..=2200).contains(y))?;
    let label = PROGRAMMES.iter().find(|p| p.0 == stem)?.1;
    Some(format!("{label}（{year}年）"))
}

/// A profile not updated for this long is old: marked so, and ranked lower.
pub const STALE_AFTER_MS: i64 = 365 * 24 * 3600 * 1000;

/// Whether a profile last updated at `updated_at` is old at `now`.
pub fn is_stale(updated_at: i64, now: i64) -> bool {
    now.saturating_sub(updated_at) >= STALE_AFTER_MS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_level_is_shown_to_exactly_whom_it_names() {
        let seen = |v: Visibility| {
            Audience::ALL
                .iter()
                .filter(|a| v.shown_to(**a))
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            seen(Visibility::Public),
            [Audience::Visitor, Audience::Member]
        );
        assert_eq!(seen(Visibility::Members), [Audience::Member]);
        assert!(seen(Visibility::Hidden).is_empty());
    }

    #[test]
    fn bands_fall_at_the_lines_the_law_draws() {
        assert_eq!(
            band(CAPITAL_BANDS, 9_999_999).map(|b| b.0),
            Some("capital-0")
        );
        assert_eq!(
            band(CAPITAL_BANDS, 10_000_000).map(|b| b.0),
            Some("capital-10m")
        );
        assert_eq!(
            band(CAPITAL_BANDS, 300_000_000).map(|b| b.1),
            Some("3億円以上")
        );
        assert_eq!(band(EMPLOYEE_BANDS, 19).map(|b| b.1), Some("5〜19人"));
        assert_eq!(band(EMPLOYEE_BANDS, 20).map(|b| b.1), Some("20〜49人"));
        assert_eq!(band(EMPLOYEE_BANDS, -1), None);
    }

    #[test]
    fn a_profile_is_old_after_twelve_months() {
        let now = 1_800_000_000_000;
        assert!(!is_stale(now - STALE_AFTER_MS + 1, now));
        assert!(is_stale(now - STALE_AFTER_MS, now));
        assert!(!is_stale(now + 1_000, now), "a clock ahead is not old");
    }

    #[test]
    fn codes_are_unique_and_labelled() {
        for list in [CAPITAL_BANDS, EMPLOYEE_BANDS] {
            let mut codes: Vec<&str> = list.iter().map(|b| b.1).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "bands ascend");
        }
        let mut codes: Vec<&str> = CERTIFICATIONS.iter().map(|c| c.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CERTIFICATIONS.len());
        assert_eq!(certification("privacy-mark"), Some("プライバシーマーク"));
        assert_eq!(certification("none"), None);
    }

    #[test]
    fn programme_codes_name_their_programme_and_year() {
        assert_eq!(
            programme_label("competition-winner-2026").as_deref(),
            Some("世界発信コンペティション 受賞（2026年）")
        );
        assert_eq!(programme_label("fair-exhibitor"), None);
        assert_eq!(programme_label("unknown-2026"), None);
        assert_eq!(programme_label("fair-exhibitor-99999"), None);
    }

    proptest! {
        /// Any text is read or refused as a programme code without panicking.
        #[test]
        fn any_programme_code_is_read_or_refused(s in "\\PC{0,30}") {
            let _ = programme_label(&s);
        }

        /// Every non-negative amount falls in exactly one band: the last
        /// whose lower bound it reaches.
        #[test]
        fn every_amount_falls_in_one_band(v in 0i64..i64::MAX) {
            for bands in [CAPITAL_BANDS, EMPLOYEE_BANDS] {
                let (code, _) = band(bands, v).expect("a band");
                let within: Vec<_> = bands
                    .iter()
                    .enumerate()
                    .filter(|(i, (from, _, _))| {
                        v >= *from && bands.get(i + 1).is_none_or(|next| v < next.0)
                    })
                    .collect();
                prop_assert_eq!(within.len(), 1);
                prop_assert_eq!(within[0].1.1, code);
            }
        }

        /// Stored codes read back; anything else is refused, never a default.
        #[test]
        fn visibility_codes_round_trip_and_others_are_refused(s in "\\PC{0,12}") {
            for v in Visibility::ALL {
                prop_assert_eq!(Visibility::from_code(v.as_str()).ok(), Some(*v));
            }
            let known = Visibility::ALL.iter().any(|v| v.as_str() == s);
            prop_assert_eq!(Visibility::from_code(&s).is_ok(), known);
        }
    }
}
