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

/// One setting, compiled into one cache line: what a candidate is checked
/// against is read in one place.
#[derive(Debug, Clone, Copy)]
struct Compiled {
    id: i64,
    /// A bit per prefecture code; 0 means any.
    prefectures: u64,
    /// `words[words_at..]`: the required words other than the anchor, then
    /// the excluded ones.
    words_at: u32,
    required: u16,
    excluded: u16,
    /// `organizations[organizations_at..][..organizations]`; none means any.
    organizations_at: u32,
    organizations: u16,
    kinds: u8,
    categories: u8,
    procedures: u8,
}

/// Every setting, compiled.
#[derive(Debug)]
pub struct Matcher {
    settings: Vec<Compiled>,
    words: Vec<u32>,
    organizations: Vec<u32>,
    organization_ids: HashMap<String, u32>,
    /// Settings filed under each word.
    by_word: Vec<Vec<u32>>,
    /// Keyword-less settings filed under (facet, value).
    by_facet: HashMap<(u8, u32), Vec<u32>>,
    patterns: usize,
    automaton: Option<AhoCorasick>,
}

/// A case's facet values as the settings' masks test them.
#[derive(Debug)]
struct Bits {
    kind: u8,
    category: u8,
    procedure: u8,
    prefecture: u64,
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
        let mut word_id = |w: &str| -> Option<(u32, usize)> {
            let c = search::tokenizer::canonical(w);
            if c.is_empty() {
                return None;
            }
            let len = c.chars().count();
            let next = patterns.len() as u32;
            let id = *word_ids.entry(c.clone()).or_insert_with(|| {
                patterns.push(c);
                next
            });
            Some((id, len))
        };
        let mut m = Matcher {
            settings: Vec::new(),
            words: Vec::new(),
            organizations: Vec::new(),
            organization_ids: HashMap::new(),
            by_word: Vec::new(),
            by_facet: HashMap::new(),
            patterns: 0,
            automaton: None,
        };
        // (setting index, anchor word) until the automaton's size is known.
        let mut anchored: Vec<(u32, u32)> = Vec::new();
        for (id, c) in settings {
            let mut required: Vec<(u32, usize)> =
                c.keywords.iter().filter_map(|w| word_id(w)).collect();
            required.sort_unstable();
            required.dedup();
            let mut excluded: Vec<u32> = c
                .exclusions
                .iter()
                .filter_map(|w| word_id(w).map(|(w, _)| w))
                .collect();
            excluded.sort_unstable();
            excluded.dedup();
            let kinds: &[CaseKind] = &c.kinds;
            let categories: &[Category] = &c.categories;
            let procedures: &[Procedure] = &c.procedures;
            let mut prefectures: Vec<i64> = c
                .prefectures
                .iter()
                .copied()
                .filter(|p| (1..=63).contains(p))
                .collect();
            prefectures.sort_unstable();
            prefectures.dedup();
            let mut orgs: Vec<u32> = c
                .organizations
                .iter()
                .map(|o| {
                    let next = m.organization_ids.len() as u32;
                    *m.organization_ids.entry(o.clone()).or_insert(next)
                })
                .collect();
            orgs.sort_unstable();
            orgs.dedup();
            let narrows = !required.is_empty()
                || !kinds.is_empty()
                || !categories.is_empty()
                || !procedures.is_empty()
                || !prefectures.is_empty()
                || !orgs.is_empty();
            if !narrows {
                continue;
            }
            let index = m.settings.len() as u32;
            // The anchor: the longest keyword (long words are rare words).
            let anchor = required.iter().max_by_key(|(_, len)| *len).map(|(w, _)| *w);
            let words_at = m.words.len() as u32;
            m.words.extend(
                required
                    .iter()
                    .map(|(w, _)| *w)
                    .filter(|w| Some(*w) != anchor),
            );
            let required_len = m.words.len() as u32 - words_at;
            m.words.extend(&excluded);
            let organizations_at = m.organizations.len() as u32;
            m.organizations.extend(&orgs);
            m.settings.push(Compiled {
                id,
                prefectures: prefectures.iter().fold(0, |m, p| m | 1 << p),
                words_at,
                required: required_len as u16,
                excluded: excluded.len() as u16,
                organizations_at,
                organizations: orgs.len() as u16,
                kinds: mask(CaseKind::ALL, kinds) as u8,
                categories: mask(Category::ALL, categories) as u8,
                procedures: mask(Procedure::ALL, procedures) as u8,
            });
            if let Some(w) = anchor {
                anchored.push((index, w));
                continue;
            }
            // Without keywords: every value of the most selective facet.
            let facet: Vec<(u8, u32)> = if !orgs.is_empty() {
                orgs.iter().map(|o| (ORGANIZATION, *o)).collect()
            } else if !prefectures.is_empty() {
                prefectures
                    .iter()
                    .map(|p| (PREFECTURE, *p as u32))
                    .collect()
            } else if !procedures.is_empty() {
                procedures
                    .iter()
                    .map(|p| (PROCEDURE, position(Procedure::ALL, p)))
                    .collect()
            } else if !categories.is_empty() {
                categories
                    .iter()
                    .map(|p| (CATEGORY, position(Category::ALL, p)))
                    .collect()
            } else {
                kinds
                    .iter()
                    .map(|p| (KIND, position(CaseKind::ALL, p)))
                    .collect()
            };
            for key in facet {
                let list = m.by_facet.entry(key).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        m.patterns = patterns.len();
        m.by_word = vec![Vec::new(); m.patterns];
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
        self.settings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    fn fits(&self, s: &Compiled, case: &Bits, org: Option<u32>, seen: &[u64]) -> bool {
        let has = |w: &u32| seen[*w as usize / 64] >> (w % 64) & 1 == 1;
        (s.kinds == 0 || s.kinds & case.kind != 0)
            && (s.categories == 0 || s.categories & case.category != 0)
            && (s.procedures == 0 || s.procedures & case.procedure != 0)
            && (s.prefectures == 0 || s.prefectures & case.prefecture != 0)
            && (s.organizations == 0
                || org.is_some_and(|o| {
                    let at = s.organizations_at as usize;
                    self.organizations[at..at + s.organizations as usize].contains(&o)
                }))
            && {
                let at = s.words_at as usize;
                let (required, excluded) = self.words
                    [at..at + s.required as usize + s.excluded as usize]
                    .split_at(s.required as usize);
                required.iter().all(has) && !excluded.iter().any(has)
            }
    }

    fn match_with(&self, case: &CaseFacts, scratch: &mut Scratch, out: &mut Vec<i64>) {
        scratch.seen.clear();
        scratch.seen.resize(self.patterns / 64 + 1, 0);
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
        let bits = Bits {
            kind: 1 << position(CaseKind::ALL, &case.kind),
            category: 1 << position(Category::ALL, &case.category),
            procedure: 1 << position(Procedure::ALL, &case.procedure),
            // No prefecture: only settings that ask for none.
            prefecture: case
                .prefecture
                .filter(|p| (1..=63).contains(p))
                .map_or(0, |p| 1 << p),
        };
        let facets = [
            Some((KIND, position(CaseKind::ALL, &case.kind))),
            Some((CATEGORY, position(Category::ALL, &case.category))),
            Some((PROCEDURE, position(Procedure::ALL, &case.procedure))),
            case.prefecture.map(|p| (PREFECTURE, p as u32)),
            org.map(|o| (ORGANIZATION, o)),
        ];
        let by_word = scratch.present.iter().map(|w| &self.by_word[*w as usize]);
        let by_facet = facets
            .into_iter()
            .flatten()
            .filter_map(|key| self.by_facet.get(&key));
        // Each setting is filed under one word, or under values of one facet
        // of which a case has one: it is met once per case at most.
        for list in by_word.chain(by_facet) {
            for s in list {
                let s = &self.settings[*s as usize];
                if self.fits(s, &bits, org, &scratch.seen) {
                    out.push(s.id);
                }
            }
        }
    }

    /// The ids of the settings `case` fits, ascending.
    pub fn matches(&self, case: &CaseFacts) -> Vec<i64> {
        let mut out = Vec::new();
        self.match_with(case, &mut Scratch::default(), &mut out);
        out.sort_unstable();
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
            fn any_or<T: PartialEq>(values: &[T], v: &T) -> bool {
                values.is_empty() || values.contains(v)
            }
            if any_or(&c.kinds, &case.kind)
                && any_or(&c.categories, &case.category)
                && any_or(&c.procedures, &case.procedure)
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
