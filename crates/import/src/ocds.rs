//! Open Contracting Data Standard 1.1 (and 1.0) packages: release packages
//! and record packages. The releases of one contracting process (`ocid`) are
//! merged in date order into one compiled release, as OCDS merging does;
//! its tender becomes a case keyed by the ocid, and its awards and bids (the
//! bids extension) the case's results.

use domain::{CaseDate, CaseKind, CaseStatus, Category, DayOnly, Procedure, When};
use serde_json::{Map, Value};
use store::NewCase;

use crate::dates::parse_iso;
use crate::{CaseResult, Parsed, Record};

pub const SOURCE: &str = "ocds";

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

/// Groups releases by ocid (in order of first appearance) and compiles each group.
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
            record(ocid, compile(&group), raw)
        })
        .collect()
}

fn from_record(r: &Value) -> Record {
    let raw = serde_json::to_string(r).unwrap_or_default();
    let Some(ocid) = r.get("ocid").and_then(Value::as_str).map(str::to_owned) else {
        return rejected(None, "ocid（契約プロセスの識別子）がありません。", raw);
    };
    if let Some(compiled) = r.get("compiledRelease").filter(|c| c.is_object()) {
        return record(ocid, compiled.clone(), raw);
    }
    // Linked releases are URLs only; embedded ones can be compiled here.
    let embedded: Vec<&Value> = r
        .get("releases")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|x| x.is_object()).collect())
        .unwrap_or_default();
    if embedded.is_empty() {
        return rejected(
            Some(ocid),
            "compiledRelease も埋め込みのリリースもありません（リンクだけのレコードは取り込めません）。",
            raw,
        );
    }
    record(ocid, compile(&embedded), raw)
}

fn rejected(key: Option<String>, reason: &str, raw: String) -> Record {
    Record {
        key,
        outcome: Err(reason.to_owned()),
        results: Vec::new(),
        raw,
    }
}

fn record(ocid: String, compiled: Value, raw: String) -> Record {
    Record {
        key: Some(ocid.clone()),
        outcome: case_of(&ocid, &compiled),
        results: results_of(&compiled),
        raw,
    }
}

/// Merges releases oldest first: objects field by field, arrays of objects
/// with ids by id, other values replaced (OCDS's merge rules, without the
/// versioned form).
pub fn compile(releases: &[&Value]) -> Value {
    let mut sorted: Vec<&Value> = releases.to_vec();
    sorted.sort_by_key(|r| r.get("date").and_then(Value::as_str).and_then(parse_iso));
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
    let awarded = c.get("awards").and_then(Value::as_array).is_some_and(|a| {
        a.iter()
            .any(|x| text(x, &["status"]).as_deref() == Some("active"))
    });
    let status = match text(tender, &["status"]).as_deref() {
        _ if awarded => CaseStatus::Awarded,
        Some("cancelled" | "withdrawn" | "unsuccessful") => CaseStatus::Cancelled,
        Some("complete") => CaseStatus::Closed,
        _ => CaseStatus::Open,
    };
    let documents: Vec<(String, String)> = tender
        .get("documents")
        .and_then(Value::as_array)
        .map(|docs| {
            docs.iter()
                .filter_map(|d| {
                    let url = text(d, &["url"])?;
                    Some((text(d, &["title"]).unwrap_or_else(|| url.clone()), url))
                })
                .collect()
        })
        .unwrap_or_default();
    let notice = tender
        .get("documents")
        .and_then(Value::as_array)
        .and_then(|docs| {
            docs.iter()
                .find(|d| text(d, &["documentType"]).as_deref() == Some("tenderNotice"))
                .and_then(|d| text(d, &["url"]))
        });
    let mut case = NewCase {
        kind: CaseKind::PublicTender,
        title: domain::text::tidy(&title),
        description: text(tender, &["description"]).unwrap_or_default(),
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
    case.set_when(
        CaseDate::PeriodEnd,
        date(tender, &["contractPeriod", "endDate"])?,
    );
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
