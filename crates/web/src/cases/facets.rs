//! The search page's filters: one group per facet with the count each value
//! has under the current search, and whatever the visitor chose kept in view
//! even when it matches nothing.

use domain::{CaseKind, Category, Procedure};
use search::{CaseQuery, Facets, OpenState};

/// One value of a filter, with its count under the current search.
pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: Option<u64>,
    pub checked: bool,
}

/// One filter: its legend, its parameter and whether it picks one or many.
pub struct FacetGroup {
    pub legend: &'static str,
    pub name: &'static str,
    pub input: &'static str,
    pub options: Vec<FacetOption>,
}

/// The filters for search `q` whose facet counts are `f`; `pref_name` names
/// a prefecture code.
pub fn groups(q: &CaseQuery, f: &Facets, pref_name: impl Fn(i64) -> String) -> Vec<FacetGroup> {
    let counted = |list: &[(String, u64)], value: &str| {
        list.iter().find(|(v, _)| v == value).map(|(_, n)| *n)
    };
    let mut groups = vec![
        FacetGroup {
            legend: "募集状況",
            name: "status",
            input: "radio",
            options: vec![
                FacetOption {
                    value: String::new(),
                    label: "すべて".into(),
                    count: Some(f.open + f.closed),
                    checked: q.state.is_none(),
                },
                FacetOption {
                    value: "open".into(),
                    label: "募集中".into(),
                    count: Some(f.open),
                    checked: q.state == Some(OpenState::Open),
                },
                FacetOption {
                    value: "closed".into(),
                    label: "締切・終了".into(),
                    count: Some(f.closed),
                    checked: q.state == Some(OpenState::Closed),
                },
            ],
        },
        FacetGroup {
            legend: "案件の種類",
            name: "kind",
            input: "checkbox",
            options: CaseKind::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.kind, k.as_str()).or(Some(0)),
                    checked: q.kinds.contains(k),
                })
                .collect(),
        },
        FacetGroup {
            legend: "種別",
            name: "category",
            input: "checkbox",
            options: Category::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.category, k.as_str()).or(Some(0)),
                    checked: q.categories.contains(k),
                })
                .collect(),
        },
        FacetGroup {
            legend: "入札・契約方式",
            name: "procedure",
            input: "checkbox",
            options: Procedure::ALL
                .iter()
                .map(|k| FacetOption {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count: counted(&f.procedure, k.as_str()).or(Some(0)),
                    checked: q.procedures.contains(k),
                })
                .collect(),
        },
    ];
    // Regions and organisations: those with hits, and whatever is selected.
    let mut regions: Vec<FacetOption> = f
        .prefecture
        .iter()
        .filter_map(|(code, n)| code.parse::<i64>().ok().map(|c| (c, *n)))
        .map(|(c, n)| FacetOption {
            value: c.to_string(),
            label: pref_name(c),
            count: Some(n),
            checked: q.prefectures.contains(&c),
        })
        .collect();
    for c in &q.prefectures {
        if !regions.iter().any(|o| o.value == c.to_string()) {
            regions.push(FacetOption {
                value: c.to_string(),
                label: pref_name(*c),
                count: Some(0),
                checked: true,
            });
        }
    }
    groups.push(FacetGroup {
        legend: "都道府県",
        name: "prefecture",
        input: "checkbox",
        options: regions,
    });
    let mut orgs: Vec<FacetOption> = f
        .organization
        .iter()
        .take(20)
        .map(|(o, n)| FacetOption {
            value: o.clone(),
            label: o.clone(),
            count: Some(*n),
            checked: q.organizations.contains(o),
        })
        .collect();
    for o in &q.organizations {
        if !orgs.iter().any(|x| &x.value == o) {
            orgs.push(FacetOption {
                value: o.clone(),
                label: o.clone(),
                count: Some(0),
                checked: true,
            });
        }
    }
    groups.push(FacetGroup {
        legend: "発注機関",
        name: "organization",
        input: "checkbox",
        options: orgs,
    });
    groups
}
