//! The portal's public cases as an OCDS 1.1 release package: one release
//! per case in its current state — the tender, its buyer, its documents,
//! and the awards published with it.

use domain::{CaseStatus, Category, Procedure};
use serde_json::{Value, json};
use store::{Case, CaseResult};

/// The ocid prefix of the portal's own contracting processes.
pub const OCID_PREFIX: &str = "ocds-chancenavi-";

/// The case's ocid: the source's own for imported OCDS processes.
pub fn ocid(c: &Case) -> String {
    if c.fields.source == crate::ocds::SOURCE {
        c.fields.source_key.clone()
    } else {
        format!("{OCID_PREFIX}{}", c.id)
    }
}

fn tender_status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "active",
        CaseStatus::Closed | CaseStatus::Awarded => "complete",
        CaseStatus::Unsuccessful => "unsuccessful",
        CaseStatus::Cancelled => "cancelled",
        CaseStatus::Draft | CaseStatus::InReview | CaseStatus::Returned => "planning",
    }
}

fn method(p: Procedure) -> Option<&'static str> {
    match p {
        Procedure::OpenCompetitive | Procedure::Proposal => Some("open"),
        Procedure::DesignatedCompetitive => Some("selective"),
        Procedure::QuotationComparison | Procedure::NegotiatedContract => Some("limited"),
        Procedure::Other => None,
    }
}

fn category(c: Category) -> Option<&'static str> {
    match c {
        Category::Goods => Some("goods"),
        Category::Construction => Some("works"),
        Category::Services => Some("services"),
        Category::Other => None,
    }
}

fn date(ms: i64) -> Value {
    Value::String(domain::time::jst_rfc3339(ms))
}

/// One case's release. `site` is the portal's address (no trailing slash).
pub fn release(c: &Case, results: &[CaseResult], site: &str) -> Value {
    let f = &c.fields;
    let ocid = ocid(c);
    let buyer_id = format!("buyer-{}", f.organization_name);
    let mut parties = vec![json!({
        "id": buyer_id,
        "name": f.organization_name,
        "roles": ["buyer", "procuringEntity"],
    })];
    let mut tender = json!({
        "id": format!("{ocid}-tender"),
        "title": f.title,
        "status": tender_status(f.status),
        "procurementMethodDetails": f.procedure.label(),
        "procuringEntity": {"id": buyer_id, "name": f.organization_name},
    });
    if !f.description.is_empty() {
        tender["description"] = json!(f.description);
    }
    if let Some(m) = method(f.procedure) {
        tender["procurementMethod"] = json!(m);
    }
    if let Some(c) = category(f.category) {
        tender["mainProcurementCategory"] = json!(c);
    }
    let mut period = serde_json::Map::new();
    if let Some(p) = f.published_at {
        period.insert("startDate".into(), date(p));
    }
    if let Some(d) = f.submission_deadline {
        period.insert("endDate".into(), date(d));
    }
    if !period.is_empty() {
        tender["tenderPeriod"] = Value::Object(period);
    }
    if let Some(d) = f.application_deadline {
        tender["enquiryPeriod"] = json!({"endDate": date(d)});
    }
    if let Some(o) = f.opening_at {
        tender["awardPeriod"] = json!({"startDate": date(o)});
    }
    // Only http(s) links and this site's paths go out (checked at import too).
    let mut documents: Vec<Value> = f
        .documents
        .iter()
        .enumerate()
        .filter_map(|(i, (title, url))| {
            let url = if url.starts_with('/') && domain::link::is_safe_href(url) {
                format!("{site}{url}")
            } else {
                domain::link::http_url(url).ok()?
            };
            Some(json!({"id": format!("doc-{}", i + 1), "title": title, "url": url, "language": "ja"}))
        })
        .collect();
    documents.push(json!({
        "id": "notice",
        "documentType": "tenderNotice",
        "title": "案件のページ",
        "url": format!("{site}/cases/{}", c.id),
        "language": "ja",
    }));
    tender["documents"] = Value::Array(documents);
    let mut awards = Vec::new();
    for (i, r) in results.iter().filter(|r| r.kind == "award").enumerate() {
        let suppliers: Vec<Value> = r
            .party
            .split('、')
            .filter(|n| !n.is_empty())
            .map(|n| {
                let id = format!("supplier-{n}");
                if !parties.iter().any(|p| p["id"] == id) {
                    parties.push(json!({"id": id, "name": n, "roles": ["supplier"]}));
                }
                json!({"id": id, "name": n})
            })
            .collect();
        let mut award = json!({
            "id": if r.external_id.is_empty() { format!("award-{}", i + 1) } else { r.external_id.clone() },
            "suppliers": suppliers,
        });
        if let Some(s) = r
            .status
            .as_deref()
            .filter(|s| ["pending", "active", "cancelled", "unsuccessful"].contains(s))
        {
            award["status"] = json!(s);
        }
        if let Some(d) = r.date {
            award["date"] = date(d);
        }
        if let Some(amount) = r
            .amount
            .as_deref()
            .and_then(|a| a.parse::<f64>().ok())
            .and_then(serde_json::Number::from_f64)
        {
            award["value"] = json!({"amount": amount, "currency": r.currency.clone().unwrap_or_else(|| "JPY".into())});
        }
        awards.push(award);
    }
    // The bids extension: every bid as published (imported, or from our opening).
    let details: Vec<Value> = results
        .iter()
        .filter(|r| r.kind == "bid")
        .enumerate()
        .map(|(i, r)| {
            let mut bid = json!({
                "id": if r.external_id.is_empty() { format!("bid-{}", i + 1) } else { r.external_id.clone() },
                "tenderers": r.party.split('、').filter(|n| !n.is_empty()).map(|n| {
                    let id = format!("tenderer-{n}");
                    if !parties.iter().any(|p| p["id"] == id) {
                        parties.push(json!({"id": id, "name": n, "roles": ["tenderer"]}));
                    }
                    json!({"id": id, "name": n})
                }).collect::<Vec<_>>(),
            });
            if let Some(s) = r.status.as_deref().filter(|s| ["invited", "pending", "valid", "disqualified", "withdrawn"].contains(s)) {
                bid["status"] = json!(s);
            }
            if let Some(d) = r.date {
                bid["date"] = date(d);
            }
            if let Some(amount) = r.amount.as_deref().and_then(|a| a.parse::<f64>().ok()).and_then(serde_json::Number::from_f64) {
                bid["value"] = json!({"amount": amount, "currency": r.currency.clone().unwrap_or_else(|| "JPY".into())});
            }
            bid
        })
        .collect();
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{ocid}-{}", c.change_seq),
        "date": date(c.updated_at),
        "tag": if awards.is_empty() { vec!["tender"] } else { vec!["tender", "award"] },
        "initiationType": "tender",
        "language": "ja",
        "parties": parties,
        "buyer": {"id": buyer_id, "name": f.organization_name},
        "tender": tender,
    });
    if !awards.is_empty() {
        release["awards"] = Value::Array(awards);
    }
    if !details.is_empty() {
        release["bids"] = json!({"details": details});
    }
    release
}

/// A release package of `cases` (public ones only), published at `now`.
pub fn package(cases: &[(Case, Vec<CaseResult>)], site: &str, now: i64) -> Value {
    json!({
        // Where the package comes from: the portal (it is exported, not served).
        "uri": format!("{site}/"),
        "version": "1.1",
        "publishedDate": date(now),
        "publisher": {"name": "ビジネスチャンス・ナビ"},
        "releases": cases
            .iter()
            .filter(|(c, _)| c.fields.status.is_public())
            .map(|(c, r)| release(c, r, site))
            .collect::<Vec<_>>(),
    })
}

/// An e-tender's opening as OCDS results: every bid (the bids extension)
/// and the award to the winner.
pub fn opening_results(o: &store::OpeningRecord) -> Vec<CaseResult> {
    let mut out: Vec<CaseResult> = o
        .results
        .iter()
        .map(|r| CaseResult {
            kind: "bid",
            external_id: format!("bid-{}", r.bid_id),
            party: r.company_name.clone(),
            amount: Some(r.amount_yen.to_string()),
            currency: Some("JPY".into()),
            status: Some(
                if r.validity == "valid" {
                    "valid"
                } else {
                    "disqualified"
                }
                .into(),
            ),
            date: Some(o.opened_at),
        })
        .collect();
    if let Some(winner) = o.results.iter().find(|r| Some(r.bid_id) == o.winner_bid) {
        out.push(CaseResult {
            kind: "award",
            external_id: format!("award-{}", winner.bid_id),
            party: winner.company_name.clone(),
            amount: Some(winner.amount_yen.to_string()),
            currency: Some("JPY".into()),
            status: Some("active".into()),
            date: Some(o.opened_at),
        });
    }
    out
}
