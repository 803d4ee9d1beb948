//! One pass over the matches for everything a result page needs: the total,
//! the facet counts, the open/closed split, and the top of the list by a date.
//! It reads single-valued fast fields a block of documents at a time (one
//! bit-unpacking call per column per block, not one lookup per document),
//! which is what keeps a query that matches every case cheap.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::NO_DEADLINE;

/// Which date orders the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateOrder {
    /// Newest publication first.
    PublishedDesc,
    /// Nearest deadline first.
    DeadlineAsc,
}

/// Counts, and keeps the best `keep` matches by `order` (if any).
pub(crate) struct PageCollector {
    pub now: i64,
    pub order: Option<DateOrder>,
    /// Offset plus page size: how many of the best to keep.
    pub keep: usize,
}

/// The fast fields counted as facets, in this order in `PageFruit::facets`.
pub(crate) const FACET_FIELDS: [&str; 5] = [
    "f_kind",
    "f_category",
    "f_procedure",
    "f_prefecture",
    "f_org",
];

/// One facet's column in one segment and its counts by term ordinal.
struct FacetColumn {
    column: Option<StrColumn>,
    counts: Vec<u64>,
    ords: Vec<Option<u64>>,
}

/// What a search collected.
#[derive(Debug, Default)]
pub(crate) struct PageFruit {
    pub total: usize,
    /// Per facet field: value → matches (values with none left out; "" is "not given").
    pub facets: [HashMap<String, u64>; 5],
    pub open: u64,
    pub closed: u64,
    /// The best matches, best first: (rank, tie-break, document); higher is better.
    pub top: Vec<(Key, DocAddress)>,
}

pub(crate) struct PageSegment {
    segment: SegmentOrdinal,
    now: i64,
    order: Option<DateOrder>,
    keep: usize,
    published: Column<i64>,
    deadline: Column<i64>,
    open_flag: Column<u64>,
    total: usize,
    open: u64,
    closed: u64,
    /// Candidates (rank, doc); trimmed to `keep` whenever it reaches twice that.
    top: Vec<(Key, DocId)>,
    /// Keys at or below this cannot enter the top any more (once it is full).
    threshold: Key,
    /// Case ids, the tie-break between equal dates.
    id: Column<i64>,
    deadlines: Vec<Option<i64>>,
    flags: Vec<Option<u64>>,
    dates: Vec<Option<i64>>,
    facets: Vec<FacetColumn>,
}

/// Higher is better: the newest date, or the nearest deadline (reversed
/// without overflow by bitwise not). No date ranks last.
fn rank(order: DateOrder, value: Option<i64>) -> i64 {
    match (order, value) {
        (DateOrder::PublishedDesc, Some(v)) => v,
        (DateOrder::DeadlineAsc, Some(v)) => !v,
        (_, None) => i64::MIN,
    }
}

/// How a match ranks: its date's rank, then the tie-break by case id, so
/// that equal dates come in the same order on every page and every node,
/// whatever the index's segments. Higher is better.
pub(crate) type Key = (i64, i64);

/// Among equal dates: the higher case id first for newest, the lower for deadlines.
fn tie_break(order: DateOrder, id: i64) -> i64 {
    match order {
        DateOrder::PublishedDesc => id,
        DateOrder::DeadlineAsc => !id,
    }
}

/// Best first.
fn better<D: Ord>(a: &(Key, D), b: &(Key, D)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

impl Collector for PageCollector {
    type Fruit = PageFruit;
    type Child = PageSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PageSegment> {
        let fast = reader.fast_fields();
        let mut facets = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            let column = fast.str(name)?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            facets.push(FacetColumn {
                column,
                counts: vec![0; terms],
                ords: Vec::new(),
            });
        }
        Ok(PageSegment {
            segment,
            now: self.now,
            order: self.order,
            keep: self.keep,
            published: fast.i64("published")?,
            deadline: fast.i64("deadline")?,
            open_flag: fast.u64("open")?,
            total: 0,
            open: 0,
            closed: 0,
            top: Vec::with_capacity(self.keep.saturating_mul(2).min(4096)),
            threshold: (i64::MIN, i64::MIN),
            id: fast.i64("id")?,
            deadlines: Vec::new(),
            flags: Vec::new(),
            dates: Vec::new(),
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<PageFruit>) -> tantivy::Result<PageFruit> {
        let mut out = PageFruit::default();
        for f in fruits {
            out.total += f.total;
            out.open += f.open;
            out.closed += f.closed;
            out.top.extend(f.top);
            for (all, segment) in out.facets.iter_mut().zip(f.facets) {
                for (value, n) in segment {
                    *all.entry(value).or_insert(0) += n;
                }
            }
        }
        out.top.sort_by(better);
        out.top.truncate(self.keep);
        Ok(out)
    }
}

impl PageSegment {
    fn trim(&mut self) {
        if self.top.len() > self.keep {
            self.top.select_nth_unstable_by(self.keep - 1, better);
            self.top.truncate(self.keep);
            self.threshold = self
                .top
                .iter()
                .map(|t| t.0)
                .min()
                .unwrap_or((i64::MIN, i64::MIN));
        }
    }

    fn offer(&mut self, order: DateOrder, rank: i64, doc: DocId) {
        let full = self.top.len() >= self.keep;
        // The case id is read only for a match that may enter.
        if full && rank < self.threshold.0 {
            return;
        }
        let key = (rank, tie_break(order, self.id.first(doc).unwrap_or(0)));
        if full && key <= self.threshold {
            return;
        }
        self.top.push((key, doc));
        if self.top.len() >= self.keep.saturating_mul(2).max(1) {
            self.trim();
        }
    }
}

impl SegmentCollector for PageSegment {
    type Fruit = PageFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let n = docs.len();
        self.total += n;
        self.deadlines.clear();
        self.deadlines.resize(n, None);
        self.flags.clear();
        self.flags.resize(n, None);
        self.deadline.first_vals(docs, &mut self.deadlines);
        self.open_flag.first_vals(docs, &mut self.flags);
        let now = self.now;
        let open = self
            .deadlines
            .iter()
            .zip(&self.flags)
            .filter(|(d, f)| **f == Some(1) && d.unwrap_or(NO_DEADLINE) > now)
            .count() as u64;
        self.open += open;
        self.closed += n as u64 - open;
        for f in &mut self.facets {
            let Some(column) = &f.column else { continue };
            f.ords.clear();
            f.ords.resize(n, None);
            column.ords().first_vals(docs, &mut f.ords);
            for ord in f.ords.iter().flatten() {
                if let Some(c) = f.counts.get_mut(*ord as usize) {
                    *c += 1;
                }
            }
        }
        let Some(order) = self.order else { return };
        if self.keep == 0 {
            return;
        }
        let mut dates = std::mem::take(&mut self.dates);
        match order {
            DateOrder::DeadlineAsc => {
                dates.clear();
                dates.extend_from_slice(&self.deadlines);
            }
            DateOrder::PublishedDesc => {
                dates.clear();
                dates.resize(n, None);
                self.published.first_vals(docs, &mut dates);
            }
        }
        for (doc, date) in docs.iter().zip(&dates) {
            self.offer(order, rank(order, *date), *doc);
        }
        self.dates = dates;
    }

    fn harvest(mut self) -> PageFruit {
        self.trim();
        let segment = self.segment;
        let mut facets: [HashMap<String, u64>; 5] = Default::default();
        for (out, f) in facets.iter_mut().zip(&self.facets) {
            let Some(column) = &f.column else { continue };
            for (ord, n) in f.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                let mut value = String::new();
                // An ordinal the dictionary does not have cannot come from
                // the column; if it did, the count is left out, not invented.
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    *out.entry(value).or_insert(0) += n;
                }
            }
        }
        PageFruit {
            total: self.total,
            facets,
            open: self.open,
            closed: self.closed,
            top: self
                .top
                .into_iter()
                .map(|(r, doc_id)| {
                    (
                        r,
                        DocAddress {
                            segment_ord: segment,
                            doc_id,
                        },
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_deadline_ranks_highest_and_no_date_ranks_last() {
        let d = DateOrder::DeadlineAsc;
        assert!(rank(d, Some(10)) > rank(d, Some(20)));
        assert!(rank(d, Some(NO_DEADLINE)) > rank(d, None));
        assert!(rank(d, Some(i64::MIN)) > rank(d, Some(0)));
        let p = DateOrder::PublishedDesc;
        assert!(rank(p, Some(20)) > rank(p, Some(10)));
        assert!(rank(p, Some(i64::MIN + 1)) > rank(p, None));
    }

    #[test]
    fn equal_dates_are_ordered_by_case_id() {
        let mut v = vec![((5, 0), 3u32), ((7, 0), 9), ((5, 0), 1), ((5, 2), 8)];
        v.sort_by(better);
        assert_eq!(v, [((7, 0), 9), ((5, 2), 8), ((5, 0), 1), ((5, 0), 3)]);
        let d = DateOrder::DeadlineAsc;
        assert!(tie_break(d, 1) > tie_break(d, 2));
        assert!(tie_break(DateOrder::PublishedDesc, 2) > tie_break(DateOrder::PublishedDesc, 1));
    }
}
