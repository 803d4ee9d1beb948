//! The matcher: which settings a case fits, without running every setting
//! against every case. Settings are indexed — the words of all settings in
//! one Aho–Corasick automaton, and each setting filed under one anchor: its
//! longest keyword, or (without keywords) the values of its most selective
//! facet. A case is read once; only the settings filed under the words it
//! contains and under its own facet values are checked, so the work grows
//! with the matches, not with users × cases.
//!
//! Text follows the search index's rules (`search::tokenizer::canonical`):
//! NFKC, lower case, runs of letters and digits; a word matches where the
//! index finds it as a phrase of bigrams. Exclusions are matched the same way.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use domain::{CaseKind, Category, Procedure};

use crate::setting::Criteria;

/// What the matcher reads of a case.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub id: i64,
    pub kind: CaseKind,
    pub category: Category,
    pub procedure: Procedure,
    pub prefecture: Option<i64>,
    pub organization: String,
    /// `canonical` title, description and organisation.
    pub text: String,
}

impl CaseFacts {
    #[expect(clippy::too_many_arguments, reason = "each is a fact of the case")]
    pub fn new(
        id: i64,
        kind: CaseKind,
        category: Category,
        procedure: Procedure,
        prefecture: Option<i64>,
        organization: &str,
        title: &str,
        description: &str,
    ) -> CaseFacts {
        let text = search::tokenizer::canonical(&format!("{title}\n{description}\n{organization}"));
        CaseFacts {
            id,
            kind,
            category,
            procedure,
            prefecture,
            organization: organization.to_owned(),
            text,
        }
    }
}

fn position<T: PartialEq>(all: &[T], v: &T) -> u32 {
    all.iter().position(|x| x == v).map_or(31, |p| p as u32)
}

/// A bit per value; 0 means any.
fn mask<T: PartialEq + Copy>(all: &[T], values: &[T]) -> u64 {
    values.iter().fold(0, |m, v| m | 1 << position(all, v))
}

const KIND: u8 = 0;
const CATEGORY: u8 = 1;
const PROCEDURE: u8 = 2;
const PREFECTURE: u8 = 3;
const ORGANIZATION: u8 = 4;

/// Every setting, compiled.
#[derive(Debug)]
pub struct Matcher {
    ids: Vec<i64>,
    /// Offsets into `required` and `excluded`, one more than there are settings.
    required_at: Vec<u32>,
    required: Vec<u32>,
    excluded_at: Vec<u32>,
    excluded: Vec<u32>,
    kinds: Vec<u64>,
    categories: Vec<u64>,
    procedures: Vec<u64>,
    prefectures: Vec<u64>,
    organizations_at: Vec<u32>,
    organizations: Vec<u32>,
    organization_ids: HashMap<String, u32>,
    /// Settings filed under each word.
    by_word: Vec<Vec<u32>>,
    /// Keyword-less settings filed under (facet, value).
    by_facet: HashMap<(u8, u32), Vec<u32>>,
    words: usize,
    automaton: Option<AhoCorasick>,
}

/// The settings that fit one case, found while reading it.
#[derive(Debug, Default)]
struct Scratch {
    seen: Vec<u64>,
    present: Vec<u32>,
}

impl Matcher {
    /// Compiles `settings` (id, criteria). A setting that narrows nothing
    /// (see `Criteria::check`) is left out: it never matches.
    pub fn build<'a>(settings: impl IntoIterator<Item = (i64, &'a Criteria)>) -> Matcher {
        let mut word_ids: HashMap<String, u32> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut word_id = |w: &str| -> Option<u32> {
            let c = search::tokenizer::canonical(w);
            if c.is_empty() {
                return None;
            }
            let next = patterns.len() as u32;
            Some(*word_ids.entry(c.clone()).or_insert_with(|| {
                patterns.push(c);
                next
            }))
        };
        let mut m = Matcher {
            ids: Vec::new(),
            required_at: vec![0],
            required: Vec::new(),
            excluded_at: vec![0],
            excluded: Vec::new(),
            kinds: Vec::new(),
            categories: Vec::new(),
            procedures: Vec::new(),
            prefectures: Vec::new(),
            organizations_at: vec![0],
            organizations: Vec::new(),
            organization_ids: HashMap::new(),
            by_word: Vec::new(),
            by_facet: HashMap::new(),
            words: 0,
            automaton: None,
        };
        // (setting index, anchor word) until the automaton's size is known.
        let mut anchored: Vec<(u32, u32)> = Vec::new();
        for (id, c) in settings {
            let required: Vec<(u32, usize)> = c
                .keywords
                .iter()
                .filter_map(|w| word_id(w).map(|i| (i, search::tokenizer::canonical(w).chars().count())))
                .collect();
            let kinds: Vec<CaseKind> = c.kinds.iter().filter_map(|k| CaseKind::parse(k).ok()).collect();
            let categories: Vec<Category> =
                c.categories.iter().filter_map(|k| Category::parse(k).ok()).collect();
            let procedures: Vec<Procedure> =
                c.procedures.iter().filter_map(|k| Procedure::parse(k).ok()).collect();
            let prefectures: Vec<i64> = c.prefectures.iter().copied().filter(|p| (1..=63).contains(p)).collect();
            let narrows = !required.is_empty()
                || !kinds.is_empty()
                || !categories.is_empty()
                || !procedures.is_empty()
                || !prefectures.is_empty()
                || !c.organizations.is_empty();
            if !narrows {
                continue;
            }
            let index = m.ids.len() as u32;
            m.ids.push(id);
            m.required.extend(required.iter().map(|(w, _)| *w));
            m.required_at.push(m.required.len() as u32);
            m.excluded.extend(c.exclusions.iter().filter_map(|w| word_id(w)));
            m.excluded_at.push(m.excluded.len() as u32);
            m.kinds.push(mask(CaseKind::ALL, &kinds));
            m.categories.push(mask(Category::ALL, &categories));
            m.procedures.push(mask(Procedure::ALL, &procedures));
            m.prefectures.push(prefectures.iter().fold(0, |m, p| m | 1 << p));
            let orgs: Vec<u32> = c
                .organizations
                .iter()
                .map(|o| {
                    let next = m.organization_ids.len() as u32;
                    *m.organization_ids.entry(o.clone()).or_insert(next)
                })
                .collect();
            m.organizations.extend(&orgs);
            m.organizations_at.push(m.organizations.len() as u32);
            // The anchor: the longest keyword (long words are rare words) …
            if let Some((w, _)) = required.iter().max_by_key(|(_, len)| *len) {
                anchored.push((index, *w));
                continue;
            }
            // … or every value of the most selective facet.
            let facet: Vec<(u8, u32)> = if !orgs.is_empty() {
                orgs.iter().map(|o| (ORGANIZATION, *o)).collect()
            } else if !prefectures.is_empty() {
                prefectures.iter().map(|p| (PREFECTURE, *p as u32)).collect()
            } else if !procedures.is_empty() {
                procedures.iter().map(|p| (PROCEDURE, position(Procedure::ALL, p))).collect()
            } else if !categories.is_empty() {
                categories.iter().map(|p| (CATEGORY, position(Category::ALL, p))).collect()
            } else {
                kinds.iter().map(|p| (KIND, position(CaseKind::ALL, p))).collect()
            };
            for key in facet {
                m.by_facet.entry(key).or_default().push(index);
            }
        }
        m.words = patterns.len();
        m.by_word = vec![Vec::new(); m.words];
        for (index, w) in anchored {
            m.by_word[w as usize].push(index);
        }
        if !patterns.is_empty() {
            m.automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .ok();
        }
        m
    }

    /// How many settings are compiled.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn fits(&self, s: usize, case: &CaseFacts, org: Option<u32>, seen: &[u64]) -> bool {
        let has = |w: &u32| seen[*w as usize / 64] >> (w % 64) & 1 == 1;
        let within = |mask: u64, bit: u32| mask == 0 || mask >> bit & 1 == 1;
        within(self.kinds[s], position(CaseKind::ALL, &case.kind))
            && within(self.categories[s], position(Category::ALL, &case.category))
            && within(self.procedures[s], position(Procedure::ALL, &case.procedure))
            && (self.prefectures[s] == 0
                || case
                    .prefecture
                    .is_some_and(|p| (1..=63).contains(&p) && self.prefectures[s] >> p & 1 == 1))
            && {
                let orgs = &self.organizations
                    [self.organizations_at[s] as usize..self.organizations_at[s + 1] as usize];
                orgs.is_empty() || org.is_some_and(|o| orgs.contains(&o))
            }
            && self.required[self.required_at[s] as usize..self.required_at[s + 1] as usize]
                .iter()
                .all(has)
            && !self.excluded[self.excluded_at[s] as usize..self.excluded_at[s + 1] as usize]
                .iter()
                .any(has)
    }

    fn match_with(&self, case: &CaseFacts, scratch: &mut Scratch, out: &mut Vec<i64>) {
        scratch.seen.clear();
        scratch.seen.resize(self.words / 64 + 1, 0);
        scratch.present.clear();
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(&case.text) {
                let w = m.pattern().as_u32();
                let (slot, bit) = (w as usize / 64, w % 64);
                if scratch.seen[slot] >> bit & 1 == 0 {
                    scratch.seen[slot] |= 1 << bit;
                    scratch.present.push(w);
                }
            }
        }
        let org = self.organization_ids.get(&case.organization).copied();
        let start = out.len();
        for w in &scratch.present {
            for s in &self.by_word[*w as usize] {
                if self.fits(*s as usize, case, org, &scratch.seen) {
                    out.push(self.ids[*s as usize]);
                }
            }
        }
        let keys = [
            Some((KIND, position(CaseKind::ALL, &case.kind))),
            Some((CATEGORY, position(Category::ALL, &case.category))),
            Some((PROCEDURE, position(Procedure::ALL, &case.procedure))),
            case.prefecture.map(|p| (PREFECTURE, p as u32)),
            org.map(|o| (ORGANIZATION, o)),
        ];
        for key in keys.into_iter().flatten() {
            for s in self.by_facet.get(&key).into_iter().flatten() {
                if self.fits(*s as usize, case, org, &scratch.seen) {
                    out.push(self.ids[*s as usize]);
                }
            }
        }
        // A setting filed under several values of one facet is met once per case.
        out[start..].sort_unstable();
        let mut kept = start;
        for i in start..out.len() {
            if i == start || out[i] != out[kept - 1] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    /// The ids of the settings `case` fits, ascending.
    pub fn matches(&self, case: &CaseFacts) -> Vec<i64> {
        let mut out = Vec::new();
        self.match_with(case, &mut Scratch::default(), &mut out);
        out
    }

    /// (case id, setting id) for every fit, using every core.
    pub fn match_all(&self, cases: &[CaseFacts]) -> Vec<(i64, i64)> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = cases.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = cases
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut scratch = Scratch::default();
                        let mut found = Vec::new();
                        let mut out = Vec::new();
                        for case in part {
                            found.clear();
                            self.match_with(case, &mut scratch, &mut found);
                            out.extend(found.iter().map(|s| (case.id, *s)));
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }
}

/// The plain way, for comparison and for tests: every setting's criteria
/// checked against every case.
pub fn plain_match(settings: &[(i64, Criteria)], cases: &[CaseFacts]) -> Vec<(i64, i64)> {
    let compiled: Vec<(i64, &Criteria, Vec<String>, Vec<String>)> = settings
        .iter()
        .filter(|(_, c)| c.check().is_ok())
        .map(|(id, c)| {
            let canon = |ws: &[String]| -> Vec<String> {
                ws.iter()
                    .map(|w| search::tokenizer::canonical(w))
                    .filter(|w| !w.is_empty())
                    .collect()
            };
            (*id, c, canon(&c.keywords), canon(&c.exclusions))
        })
        .collect();
    let mut out = Vec::new();
    for case in cases {
        for (id, c, required, excluded) in &compiled {
            let any_or = |values: &[String], v: &str| values.is_empty() || values.iter().any(|x| x == v);
            if any_or(&c.kinds, case.kind.as_str())
                && any_or(&c.categories, case.category.as_str())
                && any_or(&c.procedures, case.procedure.as_str())
                && (c.prefectures.is_empty()
                    || case.prefecture.is_some_and(|p| c.prefectures.contains(&p)))
                && any_or(&c.organizations, &case.organization)
                && required.iter().all(|w| case.text.contains(w.as_str()))
                && !excluded.iter().any(|w| case.text.contains(w.as_str()))
            {
                out.push((case.id, *id));
            }
        }
    }
    out
}
