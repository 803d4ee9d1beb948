//! Importers: each source is a parser from the bytes it publishes to case
//! records; `run` does the rest for all of them — an idempotent upsert by
//! (source, source key), amendments kept as history, bad records set aside
//! in the quarantine with their reason and raw text while the rest goes on,
//! and a run log with counts and duration.

mod dates;
pub mod kkj;
pub mod ocds;
mod run;
mod xml;

pub use dates::{deadline_in_text, parse_iso};
pub use run::{RunOutcome, run};
pub use store::CaseResult;

/// The sources the portal imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// 官公需情報ポータルサイト (XML).
    Kkj,
    /// OCDS 1.1 release or record packages (JSON).
    Ocds,
}

impl Source {
    pub const ALL: [Source; 2] = [Source::Kkj, Source::Ocds];

    /// The name used on the command line and stored with each case.
    pub fn name(self) -> &'static str {
        match self {
            Source::Kkj => kkj::SOURCE,
            Source::Ocds => ocds::SOURCE,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Kkj => "官公需情報ポータルサイト",
            Source::Ocds => "OCDS（オープン・コントラクティング）",
        }
    }

    pub fn parse_name(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Reads a whole document; `Err` when it cannot be read at all.
    pub fn parse(self, input: &[u8]) -> Result<Parsed, String> {
        match self {
            Source::Kkj => kkj::parse(input),
            Source::Ocds => ocds::parse(input),
        }
    }
}

/// One record of a document: its key if it has one, the case or the reason
/// it was set aside, the results published with it, and its raw text.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: Option<String>,
    pub outcome: Result<store::NewCase, String>,
    pub results: Vec<CaseResult>,
    pub raw: String,
}

/// What a document held.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    /// How many records the source says match (a search API's hit count).
    pub hits: Option<u64>,
}
