//! Importers: each source is a parser from the bytes it publishes to case
//! records; `run` does the rest for all of them — an idempotent upsert by
//! (source, source key), amendments kept as history, bad records set aside
//! in the quarantine with their reason and raw text while the rest goes on,
//! and a run log with counts and duration.

mod dates;
pub mod departments;
pub mod export;
pub mod formats;
pub mod kkj;
pub mod kkj_fetch;
pub mod ocds;
pub mod ocds_export;
mod run;
pub mod tokyo;
mod xml;

pub use dates::{deadline_in_text, parse_iso};
pub use run::{
    Parser, RunOutcome, run, run_documents, run_documents_with, run_file, run_files,
    run_files_started,
};
pub use store::CaseResult;

/// A link a source gives (`field` names it in the reason): only http and
/// https are accepted; anything else sets the record aside.
pub(crate) fn link(field: &str, url: &str) -> Result<String, String> {
    domain::link::http_url(url).map_err(|e| format!("{field}の{e}"))
}

/// The sources the portal imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// 官公需情報ポータルサイト (XML).
    Kkj,
    /// OCDS 1.1 release or record packages (JSON).
    Ocds,
    /// 東京都財務局's listing (CSV, docs/formats/tokyo.md).
    Tokyo,
    /// 東京電子自治体共同運営's listing (CSV, docs/formats/tokyo-municipal.md).
    TokyoMunicipal,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Kkj,
        Source::Tokyo,
        Source::TokyoMunicipal,
        Source::Ocds,
    ];

    /// The name used on the command line and stored with each case.
    pub fn name(self) -> &'static str {
        match self {
            Source::Kkj => kkj::SOURCE,
            Source::Ocds => ocds::SOURCE,
            Source::Tokyo => tokyo::SOURCE,
            Source::TokyoMunicipal => tokyo::MUNICIPAL_SOURCE,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Kkj => "官公需情報ポータルサイト",
            Source::Ocds => "OCDS（オープン・コントラクティング）",
            Source::Tokyo => "東京都電子調達システム（財務局）",
            Source::TokyoMunicipal => "東京電子自治体共同運営",
        }
    }

    /// Reads the command line's name; "tokyo-municipal" and "tokyo_municipal" alike.
    pub fn parse_name(s: &str) -> Option<Source> {
        let s = s.replace('-', "_");
        Source::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Reads a whole document; `Err` when it cannot be read at all.
    /// `departments` maps contract-department codes (the Tokyo listings).
    pub fn parse(self, input: &[u8], departments: &tokyo::Departments) -> Result<Parsed, String> {
        match self {
            Source::Kkj => kkj::parse(input),
            Source::Ocds => ocds::parse(input),
            Source::Tokyo => tokyo::parse(input, false, departments),
            Source::TokyoMunicipal => tokyo::parse(input, true, departments),
        }
    }
}

/// What a record is: a case, something the source publishes that is not a
/// case by design (counted as skipped), or a faulty record (set aside in the
/// quarantine with the reason).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Case(Box<store::NewCase>),
    Skipped(String),
    Rejected(String),
}

impl Outcome {
    pub fn case(&self) -> Option<&store::NewCase> {
        match self {
            Outcome::Case(c) => Some(c),
            _ => None,
        }
    }

    /// Why the record was set aside, if it was.
    pub fn rejected(&self) -> Option<&str> {
        match self {
            Outcome::Rejected(r) => Some(r),
            _ => None,
        }
    }
}

impl From<Result<store::NewCase, String>> for Outcome {
    fn from(r: Result<store::NewCase, String>) -> Outcome {
        match r {
            Ok(c) => Outcome::Case(Box::new(c)),
            Err(reason) => Outcome::Rejected(reason),
        }
    }
}

/// One record of a document: its key if it has one, what it is, the results
/// published with it, and its raw text.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: Option<String>,
    pub outcome: Outcome,
    pub results: Vec<CaseResult>,
    pub raw: String,
    /// An OCDS contracting process's releases, compiled by the run with the
    /// releases kept from earlier imports.
    pub ocds: Option<ocds::Process>,
}

/// What a document held.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    /// How many records the source says match (a search API's hit count).
    pub hits: Option<u64>,
}
