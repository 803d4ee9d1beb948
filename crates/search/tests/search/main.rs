//! The index as a visitor uses it: Japanese words, exclusions, phrases,
//! facets, open/closed, sorting and paging; and the index following the database.

mod follow;

use domain::{CaseKind, CaseStatus, Category, Procedure};
use proptest::prelude::*;
use search::{CaseQuery, OpenState, SearchIndex, Sort};
use store::Case;

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_800_000_000_000;

fn case(id: i64, title: &str, f: impl FnOnce(&mut store::NewCase)) -> Case {
    let mut fields = testkit::fixtures::case(id as u32);
    fields.title = title.to_owned();
    fields.description = String::new();
    fields.published_at = Some(NOW - id * DAY);
    fields.submission_deadline = Some(NOW + id * DAY);
    f(&mut fields);
    Case {
        id,
        fields,
        change_seq: 1,
        created_at: 0,
        updated_at: 0,
    }
}

fn corpus() -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    index
        .apply(&[
            case(1, "庁舎清掃業務委託", |_| {}),
            case(2, "広報誌の印刷物製作", |c| {
                c.category = Category::Goods;
                c.organization_name = "東京都生活文化局".into();
            }),
            case(3, "ＬＥＤ照明器具の購入", |c| {
                c.category = Category::Goods
            }),
            case(4, "駐車場清掃及び警備業務", |c| {
                c.prefecture_code = Some(14);
                c.organization_name = "横浜市".into();
            }),
            case(5, "試作部品の共同開発", |c| {
                c.kind = CaseKind::TechnicalNeed;
                c.procedure = Procedure::Other;
                c.category = Category::Other;
            }),
            case(6, "過去の清掃業務（締切済み）", |c| {
                c.submission_deadline = Some(NOW - DAY)
            }),
            case(7, "審査中の発注案件 清掃", |c| {
                c.status = CaseStatus::InReview
            }),
        ])
        .expect("index");
    index.commit(7).expect("index");
    index
}

fn find(index: &SearchIndex, text: &str) -> Vec<i64> {
    let mut ids = index
        .search(
            &CaseQuery {
                text: text.into(),
                per_page: 50,
                ..Default::default()
            },
            NOW,
        )
        .expect("index")
        .ids;
    ids.sort();
    ids
}

#[test]
fn the_generation_moves_on_only_when_searches_see_a_new_commit() {
    let index = corpus();
    let before = index.generation();
    index
        .apply(&[case(8, "新しい清掃業務", |_| {})])
        .expect("apply");
    assert_eq!(index.generation(), before, "applied, not yet committed");
    assert!(!find(&index, "新しい").contains(&8));
    index.commit(8).expect("commit");
    assert!(index.generation() > before);
    assert_eq!(find(&index, "新しい"), [8]);
}

#[test]
fn two_character_words_are_found_inside_longer_words() {
    let index = corpus();
    assert_eq!(find(&index, "清掃"), [1, 4, 6]);
    assert_eq!(find(&index, "印刷"), [2], "印刷物 contains 印刷");
    assert_eq!(find(&index, "委託"), [1]);
    assert_eq!(find(&index, "警備"), [4]);
}

#[test]
fn full_width_half_width_and_case_match_each_other() {
    let index = corpus();
    assert_eq!(find(&index, "led"), [3]);
    assert_eq!(find(&index, "ＬＥＤ照明"), [3]);
}

#[test]
fn words_are_anded_minus_excludes_and_quotes_keep_a_phrase() {
    let index = corpus();
    assert_eq!(find(&index, "清掃 業務"), [1, 4, 6]);
    assert_eq!(find(&index, "清掃 警備"), [4]);
    assert_eq!(find(&index, "清掃 -駐車場"), [1, 6]);
    assert_eq!(find(&index, "\"清掃業務\""), [1, 6]);
    assert_eq!(find(&index, "\"業務清掃\""), Vec::<i64>::new());
}

#[test]
fn a_single_character_finds_words_containing_it() {
    let index = corpus();
    assert_eq!(find(&index, "掃"), [1, 4, 6]);
}

#[test]
fn organisations_are_searched_as_text() {
    assert_eq!(find(&corpus(), "生活文化"), [2]);
}

#[test]
fn cases_not_yet_public_are_not_found() {
    let index = corpus();
    assert!(!find(&index, "審査中").contains(&7));
    assert_eq!(index.num_docs(), 6);
}

#[test]
fn facets_count_and_filter() {
    let index = corpus();
    let all = index
        .search(
            &CaseQuery {
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(all.total, 6);
    assert!(all.facets.kind.contains(&("public_tender".into(), 5)));
    assert!(all.facets.kind.contains(&("technical_need".into(), 1)));
    assert!(all.facets.prefecture.contains(&("14".into(), 1)));
    assert_eq!((all.facets.open, all.facets.closed), (5, 1));
    let goods = index
        .search(
            &CaseQuery {
                categories: vec![Category::Goods],
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let mut ids = goods.ids.clone();
    ids.sort();
    assert_eq!(ids, [2, 3]);
    let goods_or_other = index
        .search(
            &CaseQuery {
                categories: vec![Category::Goods, Category::Other],
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(goods_or_other.total, 3, "values within a facet are ORed");
    let kanagawa_cleaning = index
        .search(
            &CaseQuery {
                text: "清掃".into(),
                prefectures: vec![14],
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(kanagawa_cleaning.ids, [4]);
    let org = index
        .search(
            &CaseQuery {
                organizations: vec!["横浜市".into()],
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(org.ids, [4]);
}

#[test]
fn open_and_closed_follow_the_deadline() {
    let index = corpus();
    let q = |state| CaseQuery {
        text: "清掃".into(),
        state: Some(state),
        per_page: 10,
        ..Default::default()
    };
    let mut open = index.search(&q(OpenState::Open), NOW).unwrap().ids;
    open.sort();
    assert_eq!(open, [1, 4]);
    assert_eq!(index.search(&q(OpenState::Closed), NOW).unwrap().ids, [6]);
    // A day later case 1's deadline has passed too.
    assert_eq!(
        index
            .search(&q(OpenState::Open), NOW + DAY + 1)
            .unwrap()
            .ids,
        [4]
    );
}

#[test]
fn results_sort_by_newest_or_nearest_deadline_and_page() {
    let index = corpus();
    let q = |sort, page| CaseQuery {
        sort,
        page,
        per_page: 2,
        ..Default::default()
    };
    assert_eq!(index.search(&q(Sort::Newest, 0), NOW).unwrap().ids, [1, 2]);
    assert_eq!(index.search(&q(Sort::Newest, 1), NOW).unwrap().ids, [3, 4]);
    assert_eq!(
        index.search(&q(Sort::Deadline, 0), NOW).unwrap().ids,
        [6, 1]
    );
    let r = index.search(&q(Sort::Newest, 100), NOW).unwrap();
    assert!(r.ids.is_empty());
    assert_eq!(r.total, 6);
}

#[test]
fn deadline_ranges_filter() {
    let index = corpus();
    let r = index
        .search(
            &CaseQuery {
                deadline_from: Some(NOW + 2 * DAY),
                deadline_to: Some(NOW + 4 * DAY),
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let mut ids = r.ids;
    ids.sort();
    assert_eq!(ids, [2, 3]);
}

#[test]
fn applying_a_case_again_replaces_it_and_a_withdrawn_case_leaves() {
    let index = corpus();
    index.apply(&[case(1, "庁舎警備業務委託", |_| {})]).unwrap();
    index
        .apply(&[case(2, "広報誌の印刷物製作", |c| {
            c.status = CaseStatus::Draft
        })])
        .unwrap();
    index.commit(9).unwrap();
    assert_eq!(find(&index, "警備"), [1, 4]);
    assert!(find(&index, "印刷").is_empty());
    assert_eq!(index.indexed_seq(), 9);
}

#[test]
fn an_unusable_index_folder_is_started_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.indexed_seq(), 0);
    index.apply(&[case(1, "清掃", |_| {})]).unwrap();
    index.commit(3).unwrap();
    drop(index);
    let again = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(again.indexed_seq(), 3);
    assert_eq!(again.num_docs(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn no_query_string_makes_search_fail(text in "\\PC{0,200}|[\"\\-　 .*?(|)\\[\\]{}^$清掃業務駐車場都a-z]{0,40}|(-?\"?[清掃業務駐車場都ledＬ]{1,4}\"? ?){1,5}") {
        let index = corpus();
        let r = index.search(&CaseQuery { text, per_page: 10, ..Default::default() }, NOW);
        prop_assert!(r.is_ok(), "{r:?}");
    }
}

#[test]
fn open_and_closed_counts_hold_on_a_larger_index() {
    let index = SearchIndex::in_memory().expect("index");
    let cases: Vec<Case> = (1..=3000)
        .map(|i| {
            case(i, "庁舎清掃業務委託", |c| {
                c.submission_deadline = Some(NOW + (i % 7 - 3) * DAY)
            })
        })
        .collect();
    index.apply(&cases).expect("apply");
    index.commit(1).expect("commit");
    let r = index
        .search(
            &CaseQuery {
                text: "清掃".into(),
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .expect("search");
    assert_eq!(r.total, 3000);
    assert_eq!(r.facets.open + r.facets.closed, 3000);
    let closed = index
        .search(
            &CaseQuery {
                state: Some(OpenState::Closed),
                per_page: 10,
                ..Default::default()
            },
            NOW,
        )
        .expect("closed");
    assert_eq!(closed.total as u64, r.facets.closed);
}

/// One case of a random corpus: (kind, category, procedure, prefecture,
/// organisation, status, published day, deadline day).
type Spec = (
    usize,
    usize,
    usize,
    Option<i64>,
    usize,
    usize,
    i64,
    Option<i64>,
);

const ORGS: [&str; 4] = ["東京都総務局", "横浜市", "株式会社ベンチ発注", ""];
const STATUSES: [CaseStatus; 4] = [
    CaseStatus::Open,
    CaseStatus::Closed,
    CaseStatus::Awarded,
    CaseStatus::Draft,
];

fn spec_case(id: i64, s: &Spec) -> Case {
    case(id, "庁舎清掃業務委託", |c| {
        c.kind = CaseKind::ALL[s.0];
        c.category = Category::ALL[s.1];
        c.procedure = Procedure::ALL[s.2];
        c.prefecture_code = s.3;
        c.organization_name = ORGS[s.4].to_owned();
        c.status = STATUSES[s.5];
        c.published_at = Some(NOW + s.6 * DAY);
        c.submission_deadline = s.7.map(|d| NOW + d * DAY);
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..CaseKind::ALL.len(),
        0..Category::ALL.len(),
        0..Procedure::ALL.len(),
        prop::option::of(prop::sample::select(vec![13i64, 14, 27])),
        0..ORGS.len(),
        0..STATUSES.len(),
        -5i64..5,
        prop::option::of(-3i64..3),
    )
}

fn counted(cases: &[&Case], value: impl Fn(&Case) -> String) -> Vec<(String, u64)> {
    let mut m = std::collections::BTreeMap::new();
    for c in cases {
        let v = value(c);
        if !v.is_empty() {
            *m.entry(v).or_insert(0u64) += 1;
        }
    }
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The index's totals, facet counts, open/closed split and pages agree
    /// with counting the same cases by hand, over several segments.
    #[test]
    fn counts_and_pages_agree_with_counting_by_hand(
        specs in prop::collection::vec(spec(), 1..120),
        category in prop::option::of(0..Category::ALL.len()),
        by_deadline in any::<bool>(),
        page in 0usize..3,
    ) {
        let index = SearchIndex::in_memory().expect("index");
        let cases: Vec<Case> = specs.iter().enumerate().map(|(i, s)| spec_case(i as i64 + 1, s)).collect();
        // Three commits: three segments, searched in parallel.
        for (n, chunk) in cases.chunks(cases.len().div_ceil(3)).enumerate() {
            index.apply(chunk).expect("apply");
            index.commit(n as i64 + 1).expect("commit");
        }
        let q = CaseQuery {
            categories: category.map(|c| Category::ALL[c]).into_iter().collect(),
            sort: if by_deadline { Sort::Deadline } else { Sort::Newest },
            page,
            per_page: 7,
            ..CaseQuery::default()
        };
        let r = index.search(&q, NOW).expect("search");
        let mut hits: Vec<&Case> = cases
            .iter()
            .filter(|c| c.fields.status.is_public())
            .filter(|c| category.is_none_or(|k| c.fields.category == Category::ALL[k]))
            .collect();
        prop_assert_eq!(r.total, hits.len());
        prop_assert_eq!(r.facets.kind.clone(), counted(&hits, |c| c.fields.kind.as_str().to_owned()));
        prop_assert_eq!(r.facets.category.clone(), counted(&hits, |c| c.fields.category.as_str().to_owned()));
        prop_assert_eq!(r.facets.procedure.clone(), counted(&hits, |c| c.fields.procedure.as_str().to_owned()));
        prop_assert_eq!(
            r.facets.prefecture.clone(),
            counted(&hits, |c| c.fields.prefecture_code.map(|p| format!("{p:02}")).unwrap_or_default())
        );
        prop_assert_eq!(r.facets.organization.clone(), counted(&hits, |c| c.fields.organization_name.clone()));
        let open = hits
            .iter()
            .filter(|c| c.fields.status == CaseStatus::Open && c.fields.submission_deadline.is_none_or(|d| d > NOW))
            .count() as u64;
        prop_assert_eq!((r.facets.open, r.facets.closed), (open, hits.len() as u64 - open));
        // Newest first, or nearest deadline first with none last; equal
        // dates by case id (higher first for newest, lower for deadlines).
        if by_deadline {
            hits.sort_by_key(|c| (c.fields.submission_deadline.unwrap_or(i64::MAX), c.id));
        } else {
            hits.sort_by_key(|c| std::cmp::Reverse((c.fields.published_at, c.id)));
        }
        let expected: Vec<i64> = hits.iter().skip(page * 7).take(7).map(|c| c.id).collect();
        prop_assert_eq!(r.ids, expected);
    }
}

/// Paging stops at the index's depth (search::MAX_DEPTH): the last page
/// ends at the 10,000th result, and every page after it is empty — not a
/// copy of the page that holds the 10,001st result, as pages 101–500 at 100
/// per page used to be.
#[test]
fn paging_stops_at_the_depth_and_pages_past_it_are_empty() {
    let index = SearchIndex::in_memory().expect("index");
    let total = search::MAX_DEPTH + 50;
    let cases: Vec<Case> = (1..=total as i64)
        .map(|id| case(id, "清掃業務", |_| {}))
        .collect();
    index.apply(&cases).expect("apply");
    index.commit(1).expect("commit");
    let at = |page: usize, per_page: usize| {
        index
            .search(
                &CaseQuery {
                    per_page,
                    page,
                    ..CaseQuery::default()
                },
                NOW,
            )
            .expect("search")
    };
    assert_eq!(search::page_count(total, 100), 100);
    assert_eq!(search::page_count(total, 30), 334);
    let last = at(99, 100);
    assert_eq!((last.total, last.ids.len()), (total, 100));
    for past in [100, 101, 499, usize::MAX / 200] {
        let r = at(past, 100);
        assert!(
            r.ids.is_empty(),
            "page {} shows {} cases",
            past + 1,
            r.ids.len()
        );
        assert_eq!(r.total, total, "the total and facets stay");
    }
    // A page that straddles the depth stops at it: 9,990 + 10.
    assert_eq!(at(333, 30).ids.len(), 10);
    assert!(at(334, 30).ids.is_empty());
}
