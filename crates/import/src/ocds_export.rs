//! The portal's public cases as OCDS 1.1: one release per case in its
//! current state — the tender, its buyer, its documents, the awards and (the
//! bids extension, declared in every package) the bids published with it. A
//! case imported from an OCDS publisher keeps what that publisher said about
//! its parties (their identifiers), its awards (their status) and its
//! language, read from the releases kept for its process.

use domain::{CaseStatus, Category, Procedure};
use serde_json::{Map, Value, json};
use store::{Case, CaseResult, Store};

/// The bids extension the releases use (`bids.details`).
pub const BIDS_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

/// The package fields every package the portal publishes has: where it is
/// (`uri`), who publishes it, when, the version and the extensions it uses.
pub fn package_head(uri: &str, site: &str, now: i64) -> Map<String, Value> {
    let mut head = Map::new();
    head.insert("uri".into(), json!(uri));
    head.insert("version".into(), json!("1.1"));
    head.insert("publishedDate".into(), date(now));
    head.insert(
        "publisher".into(),
        json!({"name": "ビジネスチャンス・ナビ", "uri": format!("{site}/")}),
    );
    head.insert("extensions".into(), json!([BIDS_EXTENSION]));
    head
}

/// A case's release with everything it needs read from the store: its
/// results (and its own opening's), and for an imported OCDS process the
/// compiled release of everything its publisher said.
pub async fn case_release(store: &Store, c: &Case, site: &str) -> Result<Value, store::StoreError> {
    let mut results = store.case_results(c.id).await?;
    if let Some(opening) = store.opening(c.id).await? {
        results.extend(opening_results(&opening));
    }
    let source = if c.fields.source == crate::ocds::SOURCE {
        let kept: Vec<Value> = store
            .ocds_releases(&c.fields.source_key)
            .await?
            .iter()
            .filter_map(|(_, body)| serde_json::from_str(body).ok())
            .collect();
        (!kept.is_empty()).then(|| crate::ocds::compile(&kept.iter().collect::<Vec<_>>()))
    } else {
        None
    };
    Ok(release(c, &results, site, source.as_ref()))
}

/// A record package of one process: its release, and the release compiled
/// (one release is its own compiled state).
pub fn record_package(release: Value, uri: &str, site: &str, now: i64) -> Value {
    let mut compiled = release.clone();
    compiled["tag"] = json!(["compiled"]);
    compiled["id"] = json!(format!(
        "{}-compiled",
        release["id"].as_str().unwrap_or_default()
    ));
    let mut head = package_head(uri, site, now);
    head.insert(
        "records".into(),
        json!([{
            "ocid": release["ocid"],
            "releases": [release],
            "compiledRelease": compiled,
        }]),
    );
    Value::Object(head)
}

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

/// One case's release. `site` is the portal's address (no trailing slash);
/// `source`, for a case imported from an OCDS publisher, that publisher's
/// compiled release: its parties, awards and language are kept.
pub fn release(c: &Case, results: &[CaseResult], site: &str, source: Option<&Value>) -> Value {
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
            if let Some(hash) = &r.sealed_sha256 {
                bid["documents"] = json!([{
                    "id": "sealed-bid-sha256",
                    "title": "封印した入札のハッシュ（SHA-256）",
                    "description": hash,
                    "language": "ja",
                }]);
            }
            if let Some(amount) = r.amount.as_deref().and_then(|a| a.parse::<f64>().ok()).and_then(serde_json::Number::from_f64) {
                bid["value"] = json!({"amount": amount, "currency": r.currency.clone().unwrap_or_else(|| "JPY".into())});
            }
            bid
        })
        .collect();
    let mut buyer = json!({"id": buyer_id, "name": f.organization_name});
    let mut language = "ja".to_owned();
    if let Some(src) = source {
        let kept = source_parties(src);
        if !kept.is_empty() {
            // The tenderers of our bids stay as parties beside the publisher's.
            let tenderers: Vec<Value> = parties
                .into_iter()
                .filter(|p| p["roles"] == json!(["tenderer"]))
                .collect();
            parties = kept;
            parties.extend(tenderers);
        }
        if let Some(b) = parties.iter().find(|p| {
            p["roles"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == "buyer"))
        }) {
            buyer = json!({"id": b["id"], "name": b["name"]});
            tender["procuringEntity"] = buyer.clone();
        }
        let kept = source_awards(src);
        if !kept.is_empty() {
            awards = kept;
        }
        if let Some(l) = src.get("language").and_then(Value::as_str) {
            language = l.to_owned();
        }
    }
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{ocid}-{}", c.change_seq),
        "date": date(c.updated_at),
        "tag": if awards.is_empty() { vec!["tender"] } else { vec!["tender", "award"] },
        "initiationType": "tender",
        "language": language,
        "parties": parties,
        "buyer": buyer,
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
    // Where the package comes from: the portal (it is exported, not served).
    let mut head = package_head(&format!("{site}/"), site, now);
    head.insert(
        "releases".into(),
        cases
            .iter()
            .filter(|(c, _)| c.fields.status.is_public())
            .map(|(c, r)| release(c, r, site, None))
            .collect(),
    );
    Value::Object(head)
}

/// A string or number field as text.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An organisation reference as the publisher wrote it, made valid for 1.1:
/// its id (or one made from its identifier), name and identifier.
fn organisation(v: &Value) -> Option<Value> {
    let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
    let identifier = v.get("identifier").filter(|i| i.is_object()).map(|i| {
        let mut out = Map::new();
        for k in ["scheme", "id", "legalName", "uri"] {
            if let Some(t) = id_text(i.get(k)) {
                out.insert(k.into(), json!(t));
            }
        }
        Value::Object(out)
    });
    let id = id_text(v.get("id")).or_else(|| {
        let i = identifier.as_ref()?;
        Some(format!(
            "{}-{}",
            i.get("scheme").and_then(Value::as_str).unwrap_or("ID"),
            i.get("id").and_then(Value::as_str)?
        ))
    })?;
    let mut out = json!({"id": id, "name": name});
    if let Some(i) = identifier.filter(|i| i.as_object().is_some_and(|o| !o.is_empty())) {
        out["identifier"] = i;
    }
    Some(out)
}

/// The publisher's parties with their identifiers: its `parties` (1.1), or
/// the buyer, procuring entity and suppliers it named inline (1.0).
fn source_parties(src: &Value) -> Vec<Value> {
    let mut parties: Vec<Value> = Vec::new();
    let mut add = |org: Option<Value>, role: &str| {
        let Some(mut org) = org else { return };
        match parties.iter_mut().find(|p| p["id"] == org["id"]) {
            Some(p) => {
                if let Some(roles) = p["roles"].as_array_mut()
                    && !roles.iter().any(|r| r == role)
                {
                    roles.push(json!(role));
                }
            }
            None => {
                org["roles"] = json!([role]);
                parties.push(org);
            }
        }
    };
    if let Some(list) = src.get("parties").and_then(Value::as_array) {
        for p in list {
            let roles: Vec<String> = p
                .get("roles")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            for role in roles {
                add(organisation(p), &role);
            }
        }
        return parties;
    }
    add(src.get("buyer").and_then(organisation), "buyer");
    add(
        src.get("tender")
            .and_then(|t| t.get("procuringEntity"))
            .and_then(organisation),
        "procuringEntity",
    );
    for a in src
        .get("awards")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for s in a
            .get("suppliers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(organisation(s), "supplier");
        }
    }
    parties
}

/// The publisher's awards, each with its own status and its suppliers' ids.
fn source_awards(src: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for a in src
        .get("awards")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = id_text(a.get("id")) else {
            continue;
        };
        let mut award = json!({"id": id});
        for k in ["title", "description"] {
            if let Some(t) = a.get(k).and_then(Value::as_str) {
                award[k] = json!(t);
            }
        }
        if let Some(s) = a
            .get("status")
            .and_then(Value::as_str)
            .filter(|s| ["pending", "active", "cancelled", "unsuccessful"].contains(s))
        {
            award["status"] = json!(s);
        }
        if let Some(d) = a
            .get("date")
            .and_then(Value::as_str)
            .and_then(crate::dates::parse_iso)
        {
            award["date"] = date(d);
        }
        if let Some(v) = a.get("value")
            && let (Some(amount), Some(currency)) = (
                v.get("amount").filter(|x| x.is_number()),
                v.get("currency").and_then(Value::as_str),
            )
        {
            award["value"] = json!({"amount": amount, "currency": currency});
        }
        award["suppliers"] = a
            .get("suppliers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(organisation)
            .map(|o| json!({"id": o["id"], "name": o["name"]}))
            .collect();
        out.push(award);
    }
    out
}

/// An e-tender's opening as OCDS results: every bid (the bids extension)
/// and the award to the winner.
pub fn opening_results(o: &store::OpeningRecord) -> Vec<CaseResult> {
    let mut out: Vec<CaseResult> = o
        .results
        .iter()
        .map(|r| CaseResult {
            kind: "bid",
            // The 受付番号 each bidder holds, with its sealed bid's SHA-256:
            // what was opened can be checked against what was sent.
            external_id: r.receipt.receipt_no.clone(),
            sealed_sha256: Some(r.receipt.sealed_hash.clone()),
            party: r.company_name.clone(),
            amount: Some(r.amount_yen.to_string()),
            currency: Some("JPY".into()),
            status: Some(
                if r.validity == domain::tender::Validity::Valid {
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
            sealed_sha256: None,
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
