//! The search index of cases: tantivy, derived from the database and
//! rebuildable at any time. Text fields use the Japanese bigram tokenizer
//! (`tokenizer`); facets count kinds, categories, procedures, prefectures,
//! organisations and open/closed; results sort by newest, nearest deadline or
//! relevance.

pub mod follow;
mod page;
pub mod query;
pub mod tokenizer;

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use domain::{CaseKind, CaseStatus, Category, Procedure};
use store::Case;
use tantivy::collector::{MultiCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use query::{ParsedQuery, parse};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder {0}: {1}")]
    Folder(String, std::io::Error),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// Bytes the writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// A case without a deadline sorts after every case with one.
/// (Year 9999: far from i64::MAX, whose neighbourhood overflows tantivy 0.27's
/// fast-field range arithmetic.)
const NO_DEADLINE: i64 = 253_402_300_800_000;

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    description: Field,
    organization: Field,
    facets: Field,
    published: Field,
    deadline: Field,
    /// 1 when the status is 募集中; with the deadline it decides open/closed.
    open: Field,
    /// The facet values again as single-valued fast fields (`page::FACET_FIELDS`),
    /// counted a block at a time; "" where a case has none.
    facet_values: [Field; 5],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(indexing);
        if stored { o.set_stored() } else { o }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(false)),
        description: b.add_text_field("description", text(false)),
        organization: b.add_text_field("organization", text(false)),
        facets: b.add_facet_field("facets", tantivy::schema::FacetOptions::default()),
        published: b.add_i64_field("published", FAST),
        deadline: b.add_i64_field("deadline", INDEXED | FAST),
        open: b.add_u64_field("open", FAST),
        facet_values: page::FACET_FIELDS.map(|name| b.add_text_field(name, FAST)),
    };
    (b.build(), fields)
}

/// The facet roots, and how each value is written in a facet path.
pub mod facet {
    pub const KIND: &str = "/kind";
    pub const CATEGORY: &str = "/category";
    pub const PROCEDURE: &str = "/procedure";
    pub const PREFECTURE: &str = "/prefecture";
    pub const ORGANIZATION: &str = "/organization";
    pub const STATUS: &str = "/status";
}

/// Sort orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest publication first.
    #[default]
    Newest,
    /// Nearest submission deadline first (cases without one last).
    Deadline,
    /// Best match first (only meaningful with words).
    Relevance,
}

/// Open (募集中 and before its deadline) or closed (everything else public).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    Open,
    Closed,
}

/// The deepest result a search pages to. A page that starts past it is
/// empty, as a page past the last result is: beyond it, the filters narrow
/// the search, not paging.
pub const MAX_DEPTH: usize = 10_000;
/// Results per page unless asked otherwise.
pub const DEFAULT_PER_PAGE: usize = 20;
/// Most results on one page.
pub const MAX_PER_PAGE: usize = 100;

/// How many pages of `per_page` results a search with `total` results has
/// (at most `MAX_DEPTH` results in all).
pub fn page_count(total: usize, per_page: usize) -> usize {
    total
        .min(MAX_DEPTH)
        .div_ceil(per_page.clamp(1, MAX_PER_PAGE))
}

/// What to look for. Values within one facet are ORed; facets are ANDed.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub text: String,
    pub kinds: Vec<CaseKind>,
    pub categories: Vec<Category>,
    pub procedures: Vec<Procedure>,
    pub prefectures: Vec<i64>,
    pub organizations: Vec<String>,
    pub state: Option<OpenState>,
    /// Submission deadline on or after this instant (ms).
    pub deadline_from: Option<i64>,
    /// Submission deadline before this instant (ms).
    pub deadline_to: Option<i64>,
    pub sort: Sort,
    /// Zero-based page.
    pub page: usize,
    pub per_page: usize,
}

impl CaseQuery {
    /// What a notification setting's criteria ask of the index (the setting
    /// page's preview): every keyword as a phrase, every exclusion negated,
    /// the facets as they are. The one conversion from criteria to a query.
    pub fn for_criteria(c: &domain::notify::Criteria) -> CaseQuery {
        let quoted = |w: &String| format!("\"{}\"", w.replace('"', ""));
        let mut text: Vec<String> = c.keywords.iter().map(quoted).collect();
        text.extend(c.exclusions.iter().map(|w| format!("-{}", quoted(w))));
        CaseQuery {
            text: text.join(" "),
            kinds: c.kinds.clone(),
            categories: c.categories.clone(),
            procedures: c.procedures.clone(),
            prefectures: c.prefectures.clone(),
            organizations: c.organizations.clone(),
            ..CaseQuery::default()
        }
    }
}

/// Counts per facet value under the current query, largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
    pub procedure: Vec<(String, u64)>,
    pub prefecture: Vec<(String, u64)>,
    pub organization: Vec<(String, u64)>,
    pub open: u64,
    pub closed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    pub total: usize,
    /// Case ids of the requested page, in order.
    pub ids: Vec<i64>,
    pub facets: Facets,
}

/// The index: one writer, any number of readers.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` after a failure, until the next write opens a new one.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// Moves on each time searches start seeing a new commit.
    generation: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndex")
    }
}

fn facet_value(s: &str) -> String {
    // '/' separates facet levels; organisation names may contain it.
    s.replace('/', "／")
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates an empty one there. A folder whose
    /// index cannot be opened (deleted, damaged, older schema) is emptied and
    /// started again: the index is derived data, rebuilt from the database.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
        let (schema, fields) = schema();
        let opened = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Index(e.into()))
            .and_then(|d| Ok(Index::open_or_create(d, schema.clone())?));
        let index = match opened {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, "search index unusable; starting it again");
                std::fs::remove_dir_all(dir)
                    .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::with_index(index, fields)
    }

    /// An index in memory (tests and benchmarks).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(mut index: Index, fields: Fields) -> Result<SearchIndex> {
        // Segments are searched in parallel, one thread per core (at most 4):
        // a query over a million hits uses the machine, not one core of it.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        index.tokenizers().register(
            tokenizer::NAME,
            TextAnalyzer::from(tokenizer::BigramTokenizer),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_MEMORY)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            generation: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Runs `f` with the writer, opening one if there is none. A failure
    /// drops the writer: one whose worker thread died (the process ran out
    /// of file descriptors, the disk filled) answers every later call with an
    /// error, so the next call opens a new one on the last commit — and the
    /// follower applies again everything after that commit.
    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = match guard.take() {
            Some(w) => guard.insert(w),
            None => guard.insert(self.index.writer(WRITER_MEMORY)?),
        };
        let result = f(writer);
        if let Err(e) = &result {
            tracing::warn!(error = %e, "search index writer failed; the next write opens a new one");
            // Dropping it releases the index's writer lock.
            drop(guard.take());
        }
        result
    }

    /// The change sequence number the last commit covered (0 for a new index).
    pub fn indexed_seq(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Puts each case in the index (replacing what was there); cases that are
    /// not public are taken out. Seen by searches after `commit`.
    pub fn apply(&self, cases: &[Case]) -> Result<()> {
        self.with_writer(|writer| {
            for c in cases {
                writer.delete_term(Term::from_field_i64(self.fields.id, c.id));
                if c.fields.status.is_public() {
                    writer.add_document(self.document(c))?;
                }
            }
            Ok(())
        })
    }

    fn document(&self, c: &Case) -> TantivyDocument {
        let f = &self.fields;
        let x = &c.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, c.id);
        doc.add_text(f.title, &x.title);
        doc.add_text(f.description, &x.description);
        doc.add_text(f.organization, &x.organization_name);
        doc.add_facet(
            f.facets,
            Facet::from(&format!("{}/{}", facet::KIND, x.kind.as_str())),
        );
        doc.add_facet(
            f.facets,
            Facet::from(&format!("{}/{}", facet::CATEGORY, x.category.as_str())),
        );
        doc.add_facet(
            f.facets,
            Facet::from(&format!("{}/{}", facet::PROCEDURE, x.procedure.as_str())),
        );
        doc.add_facet(
            f.facets,
            Facet::from(&format!("{}/{}", facet::STATUS, x.status.as_str())),
        );
        if let Some(p) = x.prefecture_code {
            doc.add_facet(
                f.facets,
                Facet::from(&format!("{}/{p:02}", facet::PREFECTURE)),
            );
        }
        if !x.organization_name.is_empty() {
            doc.add_facet(
                f.facets,
                Facet::from(&format!(
                    "{}/{}",
                    facet::ORGANIZATION,
                    facet_value(&x.organization_name)
                )),
            );
        }
        doc.add_i64(f.published, x.published_at.unwrap_or(c.created_at));
        doc.add_i64(f.deadline, x.submission_deadline.unwrap_or(NO_DEADLINE));
        doc.add_u64(f.open, u64::from(x.status == CaseStatus::Open));
        let prefecture = x
            .prefecture_code
            .map(|p| format!("{p:02}"))
            .unwrap_or_default();
        for (field, value) in f.facet_values.iter().zip([
            x.kind.as_str(),
            x.category.as_str(),
            x.procedure.as_str(),
            prefecture.as_str(),
            x.organization_name.as_str(),
        ]) {
            doc.add_text(*field, value);
        }
        doc
    }

    /// Makes what was applied visible, and records `seq` as covered.
    pub fn commit(&self, seq: i64) -> Result<()> {
        self.with_writer(|writer| {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&seq.to_string());
            prepared.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        // After the reload: whoever reads the new number searches the commit.
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// A number that moves on whenever searches begin to see a new commit
    /// (read from memory, unlike [`SearchIndex::indexed_seq`]): what the
    /// render cache keys search pages by.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Empties the index (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.with_writer(|writer| Ok(writer.delete_all_documents()?))?;
        self.commit(0)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// A text word as a query over title, description and organisation.
    /// An excluded word is matched by all its bigrams rather than as a phrase:
    /// tantivy 0.27's phrase scorer cannot sit under an exclusion (it trips an
    /// assertion in `seek_danger`), and the difference is only bigram order.
    fn word_query(&self, word: &str, excluded: bool) -> Option<Box<dyn Query>> {
        let tokens = tokenizer::tokens(word);
        let per_field = |field: Field| -> Option<Box<dyn Query>> {
            match tokens.as_slice() {
                [] => None,
                [(_, t)] if t.chars().count() == 1 => {
                    // One character: any bigram that starts or ends with it, or the character alone.
                    let c = regex_escape(t);
                    RegexQuery::from_pattern(&format!("{c}.?|.{c}"), field)
                        .ok()
                        .map(|q| Box::new(q) as Box<dyn Query>)
                }
                [(_, t)] => Some(Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ))),
                many if excluded => Some(Box::new(BooleanQuery::new(
                    many.iter()
                        .map(|(_, t)| {
                            let q: Box<dyn Query> = Box::new(TermQuery::new(
                                Term::from_field_text(field, t),
                                IndexRecordOption::Basic,
                            ));
                            (Occur::Must, q)
                        })
                        .collect(),
                ))),
                many => Some(Box::new(PhraseQuery::new_with_offset(
                    many.iter()
                        .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                        .collect(),
                ))),
            }
        };
        let f = self.fields;
        let should: Vec<(Occur, Box<dyn Query>)> = [f.title, f.description, f.organization]
            .into_iter()
            .filter_map(per_field)
            .map(|q| (Occur::Should, q))
            .collect();
        (!should.is_empty()).then(|| Box::new(BooleanQuery::new(should)) as Box<dyn Query>)
    }

    fn facet_any(
        &self,
        root: &str,
        values: impl Iterator<Item = String>,
    ) -> Option<Box<dyn Query>> {
        let should: Vec<(Occur, Box<dyn Query>)> = values
            .map(|v| {
                let term =
                    Term::from_facet(self.fields.facets, &Facet::from(&format!("{root}/{v}")));
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        (!should.is_empty()).then(|| Box::new(BooleanQuery::new(should)) as Box<dyn Query>)
    }

    fn deadline_range(&self, from: Bound<i64>, to: Bound<i64>) -> Box<dyn Query> {
        let term = |v: i64| Term::from_field_i64(self.fields.deadline, v);
        Box::new(RangeQuery::new(from.map(term), to.map(term)))
    }

    /// Everything but the open/closed filter, which facet counts split on.
    fn base_query(&self, q: &CaseQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let parsed = query::parse(&q.text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &parsed.required {
            if let Some(wq) = self.word_query(w, false) {
                clauses.push((Occur::Must, wq));
            }
        }
        for w in &parsed.excluded {
            if let Some(wq) = self.word_query(w, true) {
                clauses.push((Occur::MustNot, wq));
            }
        }
        let facet_filters = [
            self.facet_any(facet::KIND, q.kinds.iter().map(|k| k.as_str().to_owned())),
            self.facet_any(
                facet::CATEGORY,
                q.categories.iter().map(|k| k.as_str().to_owned()),
            ),
            self.facet_any(
                facet::PROCEDURE,
                q.procedures.iter().map(|k| k.as_str().to_owned()),
            ),
            self.facet_any(
                facet::PREFECTURE,
                q.prefectures.iter().map(|p| format!("{p:02}")),
            ),
            self.facet_any(
                facet::ORGANIZATION,
                q.organizations.iter().map(|o| facet_value(o)),
            ),
        ];
        clauses.extend(
            facet_filters
                .into_iter()
                .flatten()
                .map(|f| (Occur::Must, f)),
        );
        if q.deadline_from.is_some() || q.deadline_to.is_some() {
            let from = q.deadline_from.map_or(Bound::Unbounded, Bound::Included);
            let to = q
                .deadline_to
                .map_or(Bound::Excluded(NO_DEADLINE), Bound::Excluded);
            clauses.push((Occur::Must, self.deadline_range(from, to)));
        }
        clauses
    }

    fn open_query(&self, now: i64) -> Box<dyn Query> {
        let open_status = self
            .facet_any(
                facet::STATUS,
                std::iter::once(CaseStatus::Open.as_str().to_owned()),
            )
            .unwrap_or_else(|| Box::new(AllQuery));
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, open_status),
            (
                Occur::Must,
                self.deadline_range(Bound::Excluded(now), Bound::Unbounded),
            ),
        ]))
    }

    /// Closed, said positively: not 募集中, or past the deadline. (A range
    /// query under an exclusion is seeked backwards, which tantivy 0.27's
    /// fast-field range set does not allow.)
    fn closed_query(&self, now: i64) -> Box<dyn Query> {
        let not_open: Vec<String> = CaseStatus::ALL
            .iter()
            .filter(|s| s.is_public() && **s != CaseStatus::Open)
            .map(|s| s.as_str().to_owned())
            .collect();
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            self.deadline_range(Bound::Unbounded, Bound::Included(now)),
        )];
        if let Some(q) = self.facet_any(facet::STATUS, not_open.into_iter()) {
            should.push((Occur::Should, q));
        }
        Box::new(BooleanQuery::new(should))
    }

    fn combine(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
        if !clauses
            .iter()
            .any(|(o, _)| *o == Occur::Must || *o == Occur::Should)
        {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Runs `q` as of `now` (ms, for open/closed).
    pub fn search(&self, q: &CaseQuery, now: i64) -> Result<SearchResult> {
        let searcher = self.reader.searcher();
        let base = self.base_query(q);
        let with_state = |state: Option<OpenState>| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                base.iter().map(|(o, c)| (*o, c.box_clone())).collect();
            match state {
                Some(OpenState::Open) => clauses.push((Occur::Must, self.open_query(now))),
                Some(OpenState::Closed) => clauses.push((Occur::Must, self.closed_query(now))),
                None => {}
            }
            Self::combine(clauses)
        };
        let query = with_state(q.state);
        let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
        // A page past MAX_DEPTH is empty (with the total and the facets); the
        // last page stops at MAX_DEPTH.
        let offset = q.page.saturating_mul(per_page).min(MAX_DEPTH);
        let take = per_page.min(MAX_DEPTH - offset);
        let top = TopDocs::with_limit(per_page).and_offset(offset);

        let relevance = q.sort == Sort::Relevance && !query::parse(&q.text).required.is_empty();
        let order = match q.sort {
            _ if relevance => None,
            Sort::Deadline => Some(page::DateOrder::DeadlineAsc),
            _ => Some(page::DateOrder::PublishedDesc),
        };
        let mut multi = MultiCollector::new();
        let page_handle = multi.add_collector(page::PageCollector {
            now,
            order,
            keep: offset + take,
        });
        let score_handle = relevance.then(|| multi.add_collector(top.order_by_score()));
        let mut fruits = searcher.search(query.as_ref(), &multi)?;
        let page = page_handle.extract(&mut fruits);
        let docs: Vec<DocAddress> = match score_handle {
            Some(handle) => handle
                .extract(&mut fruits)
                .into_iter()
                .take(take)
                .map(|(_, d)| d)
                .collect(),
            None => page
                .top
                .iter()
                .skip(offset)
                .take(take)
                .map(|(_, d)| *d)
                .collect(),
        };
        self.finish(page, docs)
    }

    /// Reads the page's ids, the total and the facet counts out of a search.
    fn finish(&self, page: page::PageFruit, docs: Vec<DocAddress>) -> Result<SearchResult> {
        let searcher = self.reader.searcher();
        let (total, open, closed) = (page.total, page.open, page.closed);
        let [kind, category, procedure, prefecture, organization] = page.facets.map(|counts| {
            let mut v: Vec<(String, u64)> = counts
                .into_iter()
                .filter(|(value, _)| !value.is_empty())
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        });
        let mut ids = Vec::with_capacity(docs.len());
        for d in docs {
            let doc: TantivyDocument = searcher.doc(d)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_i64()) {
                ids.push(id);
            }
        }
        let facets = Facets {
            kind,
            category,
            procedure,
            prefecture,
            organization: organization.into_iter().take(50).collect(),
            open,
            closed,
        };
        Ok(SearchResult { total, ids, facets })
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Every facet value counted, for the API's `facets` object.
pub fn facet_map(f: &Facets) -> BTreeMap<&'static str, Vec<(String, u64)>> {
    BTreeMap::from([
        ("kind", f.kind.clone()),
        ("category", f.category.clone()),
        ("procedure", f.procedure.clone()),
        ("prefecture", f.prefecture.clone()),
        ("organization", f.organization.clone()),
        (
            "status",
            vec![("open".to_owned(), f.open), ("closed".to_owned(), f.closed)],
        ),
    ])
}

#[cfg(test)]
mod writer_tests {
    use super::*;

    #[test]
    fn a_failed_writer_is_replaced_and_the_next_writes_go_through() {
        let dir = tempfile::tempdir().expect("dir");
        let index = SearchIndex::open_or_create(dir.path()).expect("index");
        // A write fails as a dead writer's would.
        let failed: Result<()> = index.with_writer(|_| {
            Err(SearchError::Index(tantivy::TantivyError::ErrorInThread(
                "index writer killed (too many open files)".into(),
            )))
        });
        assert!(failed.is_err());
        assert!(
            index.writer.lock().expect("lock").is_none(),
            "the failed writer is dropped, releasing the index's lock"
        );
        // The next write opens a new writer on the same folder (the lock is free).
        let case = store::Case {
            id: 1,
            fields: testkit::fixtures::case(1),
            change_seq: 1,
            created_at: 0,
            updated_at: 0,
        };
        index.apply(&[case]).expect("apply");
        index.commit(1).expect("commit");
        assert_eq!(index.num_docs(), 1);
        assert_eq!(index.indexed_seq(), 1);
    }
}
