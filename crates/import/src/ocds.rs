//! Open Contracting Data Standard 1.1 (and 1.0) packages: release packages
//! and record packages. Every release of a contracting process (`ocid`) is
//! kept (`store::Store::save_ocds_releases`) and the process is compiled from
//! all of them in release-date order, as OCDS compiles releases, whatever
//! order they arrived in: a tender release imported after the award does not
//! reopen the case, and contract and implementation releases enrich it. The
//! compiled tender becomes a case keyed by the ocid, its awards and bids (the
//! bids extension) the case's results. A process that is only planned is
//! skipped (not a tender), not set aside as an error.

use domain::{CaseDate, CaseKind, CaseStatus, Category, DayOnly, Procedure, When};
use serde_json::{Map, Value};
use store::NewCase;

use crate::dates::parse_iso;
use crate::{CaseResult, Outcome, Parsed, Record};

pub const SOURCE: &str = "ocds";

/// The id under which a record package's compiled release is kept.
const COMPILED: &str = "compiled";

/// A contracting process as one document gave it: its releases (or a
/// record's compiled release), to be compiled with those kept before.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    pub ocid: String,
    /// (id under which it is kept, release).
    pub releases: Vec<(String, Value)>,
}

impl Process {
    /// Each release to keep: (id, date, JSON).
    pub fn to_keep(&self) -> Vec<(String, Option<i64>, String)> {
        self.releases
            .iter()
            .map(|(id, r)| (id.clone(), release_date(r), r.to_string()))
            .collect()
    }
}

/// Reads a release package or a record package.
pub fn parse(input: &[u8]) -> Result<Parsed, String> {
    let doc: Value = serde_json::from_slice(input).map_err(|e| {
        format!(
            "JSONとして読めません（{}行{}列）：{e}",
            e.line(),
            e.column()
        )
    })?;
    let records = if let Some(releases) = doc.get("releases").and_then(Value::as_array) {
        from_releases(releases)
    } else if let Some(records) = doc.get("records").and_then(Value::as_array) {
        records.iter().map(from_record).collect()
    } else {
        return Err(
            "OCDSのリリースパッケージ（releases）でもレコードパッケージ（records）でもありません。"
                .into(),
        );
    };
    Ok(Parsed {
        records,
        hits: None,
    })
}

/// The id a release is kept under: its own, or (for a release without one)
/// a digest of its content, so the same release is kept once.
fn release_key(r: &Value) -> String {
    match r.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!(
            "sha256:{}",
            domain::audit::sha256_hex(r.to_string().as_bytes())
        ),
    }
}

fn release_date(r: &Value) -> Option<i64> {
    r.get("date").and_then(Value::as_str).and_then(parse_iso)
}

/// Groups releases by ocid (in order of first appearance).
fn from_releases(releases: &[Value]) -> Vec<Record> {
    let mut groups: Vec<(Option<String>, Vec<&Value>)> = Vec::new();
    for r in releases {
        let ocid = r.get("ocid").and_then(Value::as_str).map(str::to_owned);
        match groups.iter_mut().find(|(o, _)| o.is_some() && *o == ocid) {
            Some((_, g)) => g.push(r),
            None => groups.push((ocid, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(ocid, group)| {
            let raw = serde_json::to_string(&group).unwrap_or_default();
            let Some(ocid) = ocid else {
                return rejected(None, "ocid（契約プロセスの識別子）がありません。", raw);
            };
            let releases = group
                .into_iter()
                .filter(|r| r.is_object())
                .map(|r| (release_key(r), r.clone()))
                .collect();
            process_record(Process { ocid, releases }, raw)
        })
        .collect()
}

fn from_record(r: &Value) -> Record {
    let raw = serde_json::to_string(r).unwrap_or_default();
    let Some(ocid) = r.get("ocid").and_then(Value::as_str).map(str::to_owned) else {
        return rejected(None, "ocid（契約プロセスの識別子）がありません。", raw);
    };
    // Embedded releases are kept one by one; linked ones (URLs only) cannot
    // be, so the compiled release stands for them.
    let embedded: Vec<(String, Value)> = r
        .get("releases")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.get("ocid").is_some())
                .map(|x| (release_key(x), x.clone()))
                .collect()
        })
        .unwrap_or_default();
    let releases = match r.get("compiledRelease").filter(|c| c.is_object()) {
        Some(compiled) if embedded.is_empty() => vec![(COMPILED.to_owned(), compiled.clone())],
        _ => embedded,
    };
    if releases.is_empty() {
        return rejected(
            Some(ocid),
            "compiledRelease も埋め込みのリリースもありません（リンクだけのレコードは取り込めません）。",
            raw,
        );
    }
    process_record(Process { ocid, releases }, raw)
}

fn rejected(key: Option<String>, reason: &str, raw: String) -> Record {
    Record {
        key,
        outcome: Outcome::Rejected(reason.to_owned()),
        results: Vec::new(),
        raw,
        ocds: None,
    }
}

/// A record of one document's releases of a process: compiled from them
/// alone (the run compiles again with the releases kept from before).
fn process_record(p: Process, raw: String) -> Record {
    let (outcome, results) = resolve(&p.ocid, p.releases.iter().map(|(_, r)| r));
    Record {
        key: Some(p.ocid.clone()),
        outcome,
        results,
        raw,
        ocds: Some(p),
    }
}

/// Compiles a process from all its releases and reads what it is: a case
/// with its results, a process that is not (yet) a tender, or an error.
pub fn resolve<'a>(
    ocid: &str,
    releases: impl IntoIterator<Item = &'a Value>,
) -> (Outcome, Vec<CaseResult>) {
    let releases: Vec<&Value> = releases.into_iter().collect();
    let compiled = compile(&releases);
    let tender_status = text(&compiled, &["tender", "status"]);
    let has_tender = compiled.get("tender").is_some_and(Value::is_object);
    let later = ["awards", "contracts"].iter().any(|k| {
        compiled
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    });
    if !has_tender && later {
        return (
            Outcome::Skipped(
                "契約・実施の情報だけで、この契約プロセスの入札（tender）のリリースがまだありません（届いたときに合わせて取り込みます）。"
                    .into(),
            ),
            Vec::new(),
        );
    }
    if !has_tender || matches!(tender_status.as_deref(), Some("planning" | "planned")) && !later {
        return (
            Outcome::Skipped(
                "計画段階（planning）の契約プロセスで、入札の公告ではありません。".into(),
            ),
            Vec::new(),
        );
    }
    (case_of(ocid, &compiled).into(), results_of(&compiled))
}

/// Merges releases oldest first (by release date, then id, so the order they
/// arrived in does not matter): objects field by field, arrays of objects
/// with ids by id, other values replaced (OCDS's merge rules, without the
/// versioned form).
pub fn compile(releases: &[&Value]) -> Value {
    let mut sorted: Vec<&Value> = releases.to_vec();
    sorted.sort_by_key(|r| (release_date(r), release_key(r)));
    let mut out = Value::Object(Map::new());
    for r in sorted {
        merge(&mut out, r);
    }
    out
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                    continue;
                }
                match a.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b))
            if b.iter().all(|x| x.get("id").is_some())
                && a.iter().all(|x| x.get("id").is_some()) =>
        {
            for item in b {
                match a.iter_mut().find(|x| x.get("id") == item.get("id")) {
                    Some(existing) => merge(existing, item),
                    None => a.push(item.clone()),
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn date(v: &Value, path: &[&str]) -> Result<Option<When>, String> {
    match text(v, path) {
        None => Ok(None),
        Some(s) => crate::dates::field(&path.join("."), &s),
    }
}

fn case_of(ocid: &str, c: &Value) -> Result<NewCase, String> {
    let tender = c
        .get("tender")
        .ok_or("tender（入札の情報）がありません。")?;
    let title = text(tender, &["title"]).ok_or("tender.title（件名）がありません。")?;
    let organization = text(c, &["buyer", "name"])
        .or_else(|| text(tender, &["procuringEntity", "name"]))
        .ok_or("buyer.name（発注機関名）がありません。")?;
    let category = match text(tender, &["mainProcurementCategory"]).as_deref() {
        Some("goods") => Category::Goods,
        Some("works") => Category::Construction,
        Some("services") => Category::Services,
        _ => Category::Other,
    };
    let procedure = match text(tender, &["procurementMethod"]).as_deref() {
        Some("open") => Procedure::OpenCompetitive,
        Some("selective") => Procedure::DesignatedCompetitive,
        Some("limited" | "direct") => Procedure::NegotiatedContract,
        _ => Procedure::Other,
    };
    let active = |key: &str| {
        c.get(key).and_then(Value::as_array).is_some_and(|a| {
            a.iter()
                .any(|x| text(x, &["status"]).as_deref() == Some("active"))
        })
    };
    let status = match text(tender, &["status"]).as_deref() {
        _ if active("awards") || active("contracts") => CaseStatus::Awarded,
        Some("unsuccessful") => CaseStatus::Unsuccessful,
        Some("cancelled" | "withdrawn") => CaseStatus::Cancelled,
        Some("complete") => CaseStatus::Closed,
        _ => CaseStatus::Open,
    };
    let mut documents: Vec<(String, String)> = Vec::new();
    let mut notice = None;
    for d in tender
        .get("documents")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(url) = text(d, &["url"]) else {
            continue;
        };
        let url = crate::link("tender.documents.url", &url)?;
        if notice.is_none() && text(d, &["documentType"]).as_deref() == Some("tenderNotice") {
            notice = Some(url.clone());
        }
        documents.push((text(d, &["title"]).unwrap_or_else(|| url.clone()), url));
    }
    let mut case = NewCase {
        kind: CaseKind::PublicTender,
        title: domain::text::tidy(&title),
        description: domain::text::visible(&text(tender, &["description"]).unwrap_or_default()),
        category,
        procedure,
        organization_name: domain::text::tidy(&organization),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: None,
        municipality_code: None,
        municipality_name: None,
        qualification_grade: None,
        published_at: None,
        application_deadline: None,
        submission_deadline: None,
        opening_at: None,
        period_end: None,
        day_only: DayOnly::default(),
        status,
        source: SOURCE.to_owned(),
        source_key: ocid.to_owned(),
        source_url: notice.or_else(|| documents.first().map(|(_, u)| u.clone())),
        documents,
        created_by: None,
    };
    let published = match date(tender, &["datePublished"])? {
        Some(d) => Some(d),
        None => match date(tender, &["tenderPeriod", "startDate"])? {
            Some(d) => Some(d),
            None => date(c, &["date"])?,
        },
    };
    case.set_when(CaseDate::Published, published);
    case.set_when(
        CaseDate::ApplicationDeadline,
        date(tender, &["enquiryPeriod", "endDate"])?,
    );
    case.set_when(
        CaseDate::SubmissionDeadline,
        date(tender, &["tenderPeriod", "endDate"])?,
    );
    case.set_when(
        CaseDate::Opening,
        date(tender, &["awardPeriod", "startDate"])?,
    );
    // The period of the contract: the signed contract's when there is one.
    let contract_end = match c
        .get("contracts")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(|k| text(k, &["period", "endDate"])))
    {
        Some(end) => crate::dates::field("contracts.period.endDate", &end)?,
        None => date(tender, &["contractPeriod", "endDate"])?,
    };
    case.set_when(CaseDate::PeriodEnd, contract_end);
    Ok(case)
}

fn amount(v: &Value) -> (Option<String>, Option<String>) {
    let value = v.get("value");
    (
        value.and_then(|x| x.get("amount")).and_then(|a| match a {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }),
        value.and_then(|x| text(x, &["currency"])),
    )
}

fn names(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| text(p, &["name"]))
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default()
}

/// Awards and bids (the bids extension's `bids.details`).
fn results_of(c: &Value) -> Vec<CaseResult> {
    let mut out = Vec::new();
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    for a in list(c.get("awards")) {
        let (amount, currency) = amount(&a);
        out.push(CaseResult {
            sealed_sha256: None,
            kind: "award",
            external_id: text(&a, &["id"]).unwrap_or_default(),
            party: names(&a, "suppliers"),
            amount,
            currency,
            status: text(&a, &["status"]),
            date: text(&a, &["date"]).and_then(|d| parse_iso(&d)),
        });
    }
    for b in list(c.get("bids").and_then(|b| b.get("details"))) {
        let (amount, currency) = amount(&b);
        out.push(CaseResult {
            sealed_sha256: None,
            kind: "bid",
            external_id: text(&b, &["id"]).unwrap_or_default(),
            party: names(&b, "tenderers"),
            amount,
            currency,
            status: text(&b, &["status"]),
            date: text(&b, &["date"]).and_then(|d| parse_iso(&d)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn releases_merge_in_date_order_objects_by_field_and_arrays_by_id() {
        let a = json!({"date": "2020-01-02T00:00:00Z", "tender": {"title": "新", "items": [{"id": "1", "q": 2}]}});
        let b = json!({"date": "2020-01-01T00:00:00Z", "tender": {"title": "旧", "description": "説明", "items": [{"id": "1", "q": 1, "u": "個"}, {"id": "2"}]}});
        let c = compile(&[&a, &b]);
        assert_eq!(c["tender"]["title"], "新");
        assert_eq!(c["tender"]["description"], "説明");
        assert_eq!(
            c["tender"]["items"][0],
            json!({"id": "1", "q": 2, "u": "個"})
        );
        assert_eq!(c["tender"]["items"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn not_a_package_is_refused_with_a_reason() {
        assert!(parse(b"{\"foo\": 1}").unwrap_err().contains("パッケージ"));
        assert!(parse(b"{").unwrap_err().contains("JSON"));
    }
}
