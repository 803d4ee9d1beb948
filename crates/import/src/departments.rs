//! The yearly update of the contract-department master (契約部署マスタ):
//! next year's master as a CSV (`formats::CONTRACT_DEPARTMENTS`),
//! compared with the current one into a plan — added, renamed, recoded,
//! merged, abolished — that the administrator reviews and applies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use store::{ContractDepartment, OrderingOrganization};

/// One row of next year's master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub organization: String,
    pub code: String,
    pub name: String,
    /// The codes this department replaces (renamed code, or merged ones).
    pub previous: Vec<String>,
}

/// What happens to one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        code: String,
        name: String,
    },
    Renamed {
        id: i64,
        code: String,
        old_name: String,
        name: String,
    },
    /// The department gets a new code (and maybe a new name); references follow.
    Recoded {
        id: i64,
        old_code: String,
        old_name: String,
        code: String,
        name: String,
    },
    /// Several departments become one; references move to it.
    Merged {
        /// The surviving department, when one of the merged keeps its code.
        survivor: Option<i64>,
        code: String,
        name: String,
        /// (id, code, name) of the departments merged into it.
        sources: Vec<(i64, String, String)>,
    },
    Abolished {
        id: i64,
        code: String,
        name: String,
    },
}

impl Change {
    pub fn label(&self) -> &'static str {
        match self {
            Change::Added { .. } => "新設",
            Change::Renamed { .. } => "名称変更",
            Change::Recoded { .. } => "コード変更",
            Change::Merged { .. } => "統合",
            Change::Abolished { .. } => "廃止",
        }
    }

    /// The ids of current departments whose references this change concerns.
    pub fn touches(&self) -> Vec<i64> {
        match self {
            Change::Added { .. } => Vec::new(),
            Change::Renamed { id, .. }
            | Change::Recoded { id, .. }
            | Change::Abolished { id, .. } => {
                vec![*id]
            }
            Change::Merged { sources, .. } => sources.iter().map(|(id, ..)| *id).collect(),
        }
    }
}

/// The plan for one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationPlan {
    pub organization_id: i64,
    pub organization: String,
    pub changes: Vec<Change>,
}

/// The whole plan, or the reasons it cannot be made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub organizations: Vec<OrganizationPlan>,
    /// Problems by CSV line (0 for the file as a whole); a plan with errors
    /// cannot be applied.
    pub errors: Vec<(usize, String)>,
}

impl Plan {
    pub fn count(&self, label: &str) -> usize {
        self.organizations
            .iter()
            .flat_map(|o| &o.changes)
            .filter(|c| c.label() == label)
            .count()
    }
}

/// Reads next year's master. Encoding as the Tokyo listings (UTF-8 or CP932).
pub fn parse(input: &[u8]) -> Result<Vec<Row>, String> {
    let text = crate::tokyo::decode(input);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("CSVの見出し行を読めません：{e}"))?
        .iter()
        .map(|h| domain::text::normalize(h).trim().to_owned())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let (Some(org), Some(code), Some(name)) =
        (col("発注機関"), col("契約部署コード"), col("契約部署名"))
    else {
        let format = &crate::formats::CONTRACT_DEPARTMENTS;
        return Err(format!(
            "CSVの見出しに「{}」が必要です（形式はヘルプ「{}」{} をご覧ください）。",
            format.required_headers().join("」「"),
            format.title,
            format.help_path()
        ));
    };
    let previous = col("旧契約部署コード");
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}行目を読めません：{e}", i + 2))?;
        let get = |c: usize| domain::text::tidy(record.get(c).unwrap_or(""));
        rows.push(Row {
            line: i + 2,
            organization: get(org),
            code: get(code),
            name: get(name),
            previous: previous
                .map(|p| {
                    get(p)
                        .split([';', '；', '/', '、', ' '])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// Compares `rows` with the current master. Organisations the file does not
/// name are left as they are.
pub fn plan(
    rows: &[Row],
    organizations: &[OrderingOrganization],
    current: &HashMap<i64, Vec<ContractDepartment>>,
) -> Plan {
    let mut plan = Plan::default();
    let mut by_org: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        if r.organization.is_empty() || r.code.is_empty() || r.name.is_empty() {
            plan.errors.push((
                r.line,
                "発注機関・契約部署コード・契約部署名のいずれかが空です。".into(),
            ));
            continue;
        }
        by_org.entry(r.organization.clone()).or_default().push(r);
    }
    for (org_name, rows) in by_org {
        let Some(org) = organizations.iter().find(|o| o.name == org_name) else {
            for r in rows {
                plan.errors.push((
                    r.line,
                    format!("発注機関「{org_name}」が発注機関マスタにありません。先に発注機関を登録してください。"),
                ));
            }
            continue;
        };
        let old: HashMap<&str, &ContractDepartment> = current
            .get(&org.id)
            .map(|v| {
                v.iter()
                    .filter(|d| d.active)
                    .map(|d| (d.code.as_str(), d))
                    .collect()
            })
            .unwrap_or_default();
        let mut seen_codes = BTreeSet::new();
        let mut claimed: BTreeSet<String> = BTreeSet::new();
        let mut changes = Vec::new();
        for r in &rows {
            if !seen_codes.insert(r.code.clone()) {
                plan.errors.push((
                    r.line,
                    format!("契約部署コード「{}」が重複しています。", r.code),
                ));
                continue;
            }
            for p in &r.previous {
                if !old.contains_key(p.as_str()) {
                    plan.errors.push((
                        r.line,
                        format!("旧契約部署コード「{p}」は現在の「{org_name}」の契約部署マスタにありません。"),
                    ));
                } else if !claimed.insert(p.clone()) {
                    plan.errors.push((
                        r.line,
                        format!("旧契約部署コード「{p}」が複数の行に書かれています。"),
                    ));
                }
            }
            let olds: Vec<&str> = r
                .previous
                .iter()
                .map(String::as_str)
                .filter(|p| old.contains_key(p))
                .collect();
            let same = old.get(r.code.as_str()).copied();
            let change = match (olds.as_slice(), same) {
                ([], None) => Some(Change::Added {
                    code: r.code.clone(),
                    name: r.name.clone(),
                }),
                ([], Some(d)) | ([_], Some(d)) if olds.iter().all(|p| *p == r.code) => {
                    claimed.insert(r.code.clone());
                    (d.name != r.name).then(|| Change::Renamed {
                        id: d.id,
                        code: r.code.clone(),
                        old_name: d.name.clone(),
                        name: r.name.clone(),
                    })
                }
                ([p], None) => {
                    let d = old[p];
                    Some(Change::Recoded {
                        id: d.id,
                        old_code: d.code.clone(),
                        old_name: d.name.clone(),
                        code: r.code.clone(),
                        name: r.name.clone(),
                    })
                }
                (_, same) => {
                    if let Some(d) = same {
                        claimed.insert(d.code.clone());
                    }
                    Some(Change::Merged {
                        survivor: same.map(|d| d.id),
                        code: r.code.clone(),
                        name: r.name.clone(),
                        sources: olds
                            .iter()
                            .filter(|p| Some(**p) != same.map(|d| d.code.as_str()))
                            .map(|p| (old[p].id, old[p].code.clone(), old[p].name.clone()))
                            .collect(),
                    })
                }
            };
            changes.extend(change);
        }
        let mut abolished: Vec<&&ContractDepartment> = old
            .values()
            .filter(|d| !seen_codes.contains(&d.code) && !claimed.contains(&d.code))
            .collect();
        abolished.sort_by(|a, b| a.code.cmp(&b.code));
        changes.extend(abolished.into_iter().map(|d| Change::Abolished {
            id: d.id,
            code: d.code.clone(),
            name: d.name.clone(),
        }));
        plan.organizations.push(OrganizationPlan {
            organization_id: org.id,
            organization: org_name,
            changes,
        });
    }
    plan
}

/// The store's steps for `plan`, and the history rows they write.
/// `moves` says, for an abolished department (by id), the code in the same
/// organisation its cases and users move to; unnamed ones keep theirs.
pub fn operations(
    plan: &Plan,
    moves: &HashMap<i64, String>,
) -> (Vec<store::DepartmentOp>, Vec<store::DepartmentChange>) {
    use store::{DepartmentChange, DepartmentOp};
    let mut ops = Vec::new();
    let mut changes = Vec::new();
    for org in &plan.organizations {
        let org_id = org.organization_id;
        for c in &org.changes {
            let index = changes.len();
            let mut record = DepartmentChange {
                organization_id: org_id,
                kind: c.label().to_owned(),
                ..DepartmentChange::default()
            };
            match c {
                Change::Added { code, name } => {
                    ops.push(DepartmentOp::Insert {
                        organization_id: org_id,
                        code: code.clone(),
                        name: name.clone(),
                    });
                    record.new_code = Some(code.clone());
                    record.new_name = Some(name.clone());
                }
                Change::Renamed {
                    id,
                    code,
                    old_name,
                    name,
                } => {
                    ops.push(DepartmentOp::Update {
                        id: *id,
                        code: code.clone(),
                        name: name.clone(),
                    });
                    record.old_code = Some(code.clone());
                    record.old_name = Some(old_name.clone());
                    record.new_code = Some(code.clone());
                    record.new_name = Some(name.clone());
                }
                Change::Recoded {
                    id,
                    old_code,
                    old_name,
                    code,
                    name,
                } => {
                    ops.push(DepartmentOp::Update {
                        id: *id,
                        code: code.clone(),
                        name: name.clone(),
                    });
                    record.old_code = Some(old_code.clone());
                    record.old_name = Some(old_name.clone());
                    record.new_code = Some(code.clone());
                    record.new_name = Some(name.clone());
                }
                Change::Merged {
                    survivor,
                    code,
                    name,
                    sources,
                } => {
                    ops.push(match survivor {
                        Some(id) => DepartmentOp::Update {
                            id: *id,
                            code: code.clone(),
                            name: name.clone(),
                        },
                        None => DepartmentOp::Insert {
                            organization_id: org_id,
                            code: code.clone(),
                            name: name.clone(),
                        },
                    });
                    for (id, ..) in sources {
                        ops.push(DepartmentOp::MoveReferences {
                            from: *id,
                            organization_id: org_id,
                            code: code.clone(),
                            change: index,
                        });
                        ops.push(DepartmentOp::Deactivate { id: *id });
                    }
                    record.old_code = Some(
                        sources
                            .iter()
                            .map(|(_, c, _)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(";"),
                    );
                    record.old_name = Some(
                        sources
                            .iter()
                            .map(|(_, _, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                    );
                    record.new_code = Some(code.clone());
                    record.new_name = Some(name.clone());
                }
                Change::Abolished { id, code, name } => {
                    if let Some(to) = moves.get(id) {
                        ops.push(DepartmentOp::MoveReferences {
                            from: *id,
                            organization_id: org_id,
                            code: to.clone(),
                            change: index,
                        });
                        record.new_code = Some(to.clone());
                    }
                    ops.push(DepartmentOp::Deactivate { id: *id });
                    record.old_code = Some(code.clone());
                    record.old_name = Some(name.clone());
                }
            }
            changes.push(record);
        }
    }
    (ops, changes)
}

/// The codes each organisation will have after the plan (for choosing where
/// an abolished department's references go).
pub fn codes_after(plan: &Plan, rows: &[Row]) -> HashMap<i64, Vec<(String, String)>> {
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for org in &plan.organizations {
        let mut codes: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r.organization == org.organization)
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect();
        codes.sort();
        out.insert(org.organization_id, codes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(id: i64, code: &str, name: &str) -> ContractDepartment {
        ContractDepartment {
            id,
            organization_id: 1,
            code: code.into(),
            name: name.into(),
            active: true,
        }
    }

    #[test]
    fn every_kind_of_change_is_found() {
        let orgs = vec![OrderingOrganization {
            id: 1,
            name: "東京都".into(),
            name_kana: "トウキョウト".into(),
            active: true,
        }];
        let current = HashMap::from([(
            1,
            vec![
                dept(10, "0101", "契約第一課"),
                dept(11, "0102", "契約第二課"),
                dept(12, "0103", "契約第三課"),
                dept(13, "0200", "建設局契約課"),
                dept(14, "0300", "港湾局契約課"),
                dept(15, "0400", "水道局契約課"),
            ],
        )]);
        let csv = "発注機関,契約部署コード,契約部署名,旧契約部署コード\n\
                   東京都,0101,契約第一課,\n\
                   東京都,0110,契約課,0102;0103\n\
                   東京都,0201,建設局総務部契約課,0200\n\
                   東京都,0300,港湾局総務部契約課,\n\
                   東京都,0500,デジタル局契約課,\n";
        let rows = parse(csv.as_bytes()).unwrap();
        let p = plan(&rows, &orgs, &current);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let changes = &p.organizations[0].changes;
        assert_eq!(p.count("統合"), 1);
        assert!(changes.iter().any(|c| matches!(c, Change::Merged { survivor: None, code, sources, .. } if code == "0110" && sources.len() == 2)));
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Recoded { id: 13, code, .. } if code == "0201"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Renamed { id: 14, .. }))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Added { code, .. } if code == "0500"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Abolished { id: 15, .. }))
        );
        assert_eq!(changes.len(), 5, "0101 is unchanged: {changes:?}");
    }

    #[test]
    fn unknown_organisations_and_previous_codes_and_duplicates_are_errors() {
        let orgs = vec![OrderingOrganization {
            id: 1,
            name: "東京都".into(),
            name_kana: String::new(),
            active: true,
        }];
        let current = HashMap::from([(1, vec![dept(10, "0101", "契約第一課")])]);
        let csv = "発注機関,契約部署コード,契約部署名,旧契約部署コード\n\
                   大阪府,A1,契約課,\n\
                   東京都,0102,契約課,9999\n\
                   東京都,0102,重複,\n";
        let p = plan(&parse(csv.as_bytes()).unwrap(), &orgs, &current);
        let lines: Vec<usize> = p.errors.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4], "{:?}", p.errors);
        assert!(parse("a,b\n".as_bytes()).is_err());
    }
}
