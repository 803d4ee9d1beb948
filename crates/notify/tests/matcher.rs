//! The indexed matcher finds exactly what checking every setting against
//! every case finds, for any settings and cases; and a word matches where
//! the search index would find it.

use domain::{CaseKind, Category, Procedure};
use notify::{CaseFacts, Criteria, Matcher, plain_match};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "清掃",
    "清掃業務",
    "庁舎",
    "警備",
    "ＬＥＤ",
    "照明",
    "LED照明",
    "設計",
    "委託",
    "保守",
    "点検",
    "印刷",
    "都",
    "システム",
    "改修工事",
];
const ORGS: &[&str] = &["東京都", "八王子市", "横浜市"];

fn case() -> impl Strategy<Value = (Vec<usize>, usize, usize, usize, Option<i64>, usize)> {
    (
        prop::collection::vec(0..WORDS.len(), 0..6),
        0..CaseKind::ALL.len(),
        0..Category::ALL.len(),
        0..Procedure::ALL.len(),
        prop::option::of(1i64..5),
        0..ORGS.len(),
    )
}

fn setting() -> impl Strategy<Value = Criteria> {
    (
        prop::collection::vec(0..WORDS.len(), 0..3),
        prop::collection::vec(0..WORDS.len(), 0..2),
        prop::collection::vec(0..CaseKind::ALL.len(), 0..2),
        prop::collection::vec(0..Category::ALL.len(), 0..2),
        prop::collection::vec(1i64..5, 0..2),
        prop::collection::vec(0..ORGS.len(), 0..2),
    )
        .prop_map(|(k, e, kinds, cats, prefs, orgs)| Criteria {
            keywords: k.iter().map(|i| WORDS[*i].to_owned()).collect(),
            exclusions: e.iter().map(|i| WORDS[*i].to_owned()).collect(),
            kinds: kinds.iter().map(|i| CaseKind::ALL[*i]).collect(),
            categories: cats.iter().map(|i| Category::ALL[*i]).collect(),
            procedures: Vec::new(),
            prefectures: prefs,
            organizations: orgs.iter().map(|i| ORGS[*i].to_owned()).collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_index_finds_what_checking_everything_finds(
        settings in prop::collection::vec(setting(), 0..40),
        cases in prop::collection::vec(case(), 0..20),
    ) {
        let settings: Vec<(i64, Criteria)> = settings.into_iter().enumerate().map(|(i, c)| (i as i64 + 1, c)).collect();
        let cases: Vec<CaseFacts> = cases
            .into_iter()
            .enumerate()
            .map(|(i, (words, k, c, p, pref, o))| {
                let title: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
                CaseFacts::new(
                    i as i64 + 1,
                    CaseKind::ALL[k],
                    Category::ALL[c],
                    Procedure::ALL[p],
                    pref,
                    ORGS[o],
                    &title.join(if i % 2 == 0 { "" } else { "、" }),
                    "仕様書のとおり",
                )
            })
            .collect();
        let matcher = Matcher::build(settings.iter().map(|(id, c)| (*id, c)));
        let mut indexed = matcher.match_all(&cases);
        let mut plain = plain_match(&settings, &cases);
        indexed.sort_unstable();
        plain.sort_unstable();
        prop_assert_eq!(indexed, plain);
    }
}

fn one(words: &[&str]) -> Criteria {
    Criteria {
        keywords: words.iter().map(|w| (*w).to_owned()).collect(),
        ..Criteria::default()
    }
}

fn case_titled(title: &str) -> CaseFacts {
    CaseFacts::new(
        1,
        CaseKind::PublicTender,
        Category::Services,
        Procedure::OpenCompetitive,
        Some(13),
        "東京都",
        title,
        "",
    )
}

#[test]
fn words_match_as_search_finds_them() {
    let settings = [
        (1, one(&["清掃"])),
        (2, one(&["ｌｅｄ照明"])),
        (3, one(&["清掃", "警備"])),
        (4, one(&["掃警"])),
        (5, one(&["都"])),
    ];
    let m = Matcher::build(settings.iter().map(|(id, c)| (*id, c)));
    // Inside a longer word, across full- and half-width forms and case.
    assert_eq!(
        m.matches(&case_titled("庁舎清掃業務・LED照明交換")),
        [1, 2, 5]
    );
    // Both words, anywhere; but never across a punctuation mark.
    assert_eq!(m.matches(&case_titled("清掃、警備")), [1, 3, 5]);
}

#[test]
fn exclusions_and_facets_narrow_and_a_setting_that_narrows_nothing_never_matches() {
    let settings = [
        (
            1,
            Criteria {
                keywords: vec!["清掃".into()],
                exclusions: vec!["警備".into()],
                ..Criteria::default()
            },
        ),
        (
            2,
            Criteria {
                prefectures: vec![13, 14],
                categories: vec![Category::Services],
                ..Criteria::default()
            },
        ),
        (
            3,
            Criteria {
                exclusions: vec!["工事".into()],
                ..Criteria::default()
            },
        ),
        (4, Criteria::default()),
    ];
    let m = Matcher::build(settings.iter().map(|(id, c)| (*id, c)));
    assert_eq!(m.len(), 2, "settings that narrow nothing are left out");
    assert_eq!(m.matches(&case_titled("庁舎清掃")), [1, 2]);
    assert_eq!(m.matches(&case_titled("庁舎清掃・警備")), [2]);
}
