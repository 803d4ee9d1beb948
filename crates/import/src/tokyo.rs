//! 東京都財務局 (東京都電子調達システム) and 東京電子自治体共同運営 (the Tokyo
//! municipalities' joint e-procurement service): CSV listings in the formats
//! described in `formats` (and the portal's help pages made from it).
//! Shift_JIS (CP932) or UTF-8, with or without a BOM; 契約部署コード is
//! mapped through the contract-department master.

use std::collections::HashMap;

use crate::{Outcome, Parsed, Record};
use domain::{CaseDate, CaseKind, CaseStatus, Category, DayOnly, Procedure};
use store::NewCase;

pub const SOURCE: &str = "tokyo";
pub const MUNICIPAL_SOURCE: &str = "tokyo_municipal";
/// The ordering organisation whose departments the 財務局 listing's codes name.
pub const TOKYO: &str = "東京都";

/// Department code → (department id, department name), of one organisation.
pub type Codes = HashMap<String, (i64, String)>;

/// One organisation's contract departments, as the listings name them.
#[derive(Debug, Clone, Default)]
pub struct OrganizationDepartments {
    pub id: i64,
    /// Departments in use today.
    pub active: Codes,
    /// Departments merged or abolished (an old listing may still name them).
    pub retired: Codes,
    /// Old code → the code that replaced it, from the yearly updates' history.
    pub successors: HashMap<String, String>,
}

impl OrganizationDepartments {
    /// Today's department for a code an old or new listing uses: the code
    /// itself when it is in use; else, through the yearly updates' history,
    /// the department that took its place (a recode, a merge, an abolition
    /// whose references moved); else a retired department of that code.
    pub fn resolve(&self, code: &str) -> Option<&(i64, String)> {
        let mut current = code;
        // A chain of updates, year after year; a cycle cannot loop for ever.
        for _ in 0..=self.successors.len() {
            if let Some(d) = self.active.get(current) {
                return Some(d);
            }
            match self.successors.get(current) {
                Some(next) => current = next,
                None => break,
            }
        }
        self.retired.get(code)
    }
}

/// The contract-department master, as the mapping needs it.
#[derive(Debug, Clone, Default)]
pub struct Departments {
    /// Organisation name → its departments.
    pub by_organization: HashMap<String, OrganizationDepartments>,
}

impl Departments {
    /// Loads every organisation's departments, retired ones too, and the
    /// history of codes the yearly updates replaced.
    pub async fn load(store: &store::Store) -> Result<Departments, store::StoreError> {
        let mut by_id: HashMap<i64, OrganizationDepartments> = HashMap::new();
        let mut names = Vec::new();
        for org in store.ordering_organizations().await? {
            let mut o = OrganizationDepartments {
                id: org.id,
                ..OrganizationDepartments::default()
            };
            for d in store.contract_departments(org.id).await? {
                let list = if d.active {
                    &mut o.active
                } else {
                    &mut o.retired
                };
                list.insert(d.code, (d.id, d.name));
            }
            names.push((org.name, org.id));
            by_id.insert(org.id, o);
        }
        for (org, old, new) in store.contract_department_successors().await? {
            if let Some(o) = by_id.get_mut(&org) {
                // A later update's word is the one that counts.
                o.successors.insert(old, new);
            }
        }
        let by_organization = names
            .into_iter()
            .filter_map(|(name, id)| by_id.remove(&id).map(|o| (name, o)))
            .collect();
        Ok(Departments { by_organization })
    }
}

/// The text of a CSV file: UTF-8 (a BOM is dropped) when it is valid UTF-8,
/// otherwise Shift_JIS as Windows writes it (CP932).
pub fn decode(input: &[u8]) -> String {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    match std::str::from_utf8(input) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(input).0.into_owned(),
    }
}

/// 種目 / 種別 → category.
fn category_of(s: &str) -> Category {
    let s = domain::text::normalize(s);
    if s.contains("工事") {
        Category::Construction
    } else if s.contains("物品") || s.contains("買入") || s.contains("購入") {
        Category::Goods
    } else if s.contains("委託") || s.contains("役務") || s.contains("業務") {
        Category::Services
    } else {
        Category::Other
    }
}

/// Columns whose values are keys or codes, read after NFKC normalisation.
const CODES: &[&str] = &["案件番号", "契約部署コード", "団体コード", "等級", "URL"];

/// Reads a 財務局 (`municipal` false) or 共同運営 (`municipal` true) listing.
pub fn parse(input: &[u8], municipal: bool, departments: &Departments) -> Result<Parsed, String> {
    let text = decode(input);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("CSVの見出し行を読めません：{e}"))?
        .iter()
        .map(|h| domain::text::normalize(h).trim().to_owned())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let kind_column = if municipal { "種別" } else { "種目" };
    // The help pages list the same columns (`formats`).
    let format = if municipal {
        &crate::formats::TOKYO_MUNICIPAL
    } else {
        &crate::formats::TOKYO
    };
    let missing: Vec<&str> = format
        .required_headers()
        .iter()
        .copied()
        .filter(|n| column(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "CSVの見出しに必要な列がありません：{}（形式はヘルプ「{}」{} をご覧ください）",
            missing.join("、"),
            format.title,
            format.help_path()
        ));
    }
    let mut records = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                records.push(Record {
                    key: None,
                    outcome: Outcome::Rejected(format!("{}行目を読めません：{e}", line + 2)),
                    results: Vec::new(),
                    raw: String::new(),
                    ocds: None,
                });
                continue;
            }
        };
        let get = |name: &str| -> String {
            let v = column(name).and_then(|i| row.get(i)).unwrap_or_default();
            // Keys, codes and grades are compared: full-width forms (Ａ１２３,
            // ０１０１) are the same value as the half-width ones (NFKC).
            if CODES.contains(&name) {
                domain::text::normalize(v)
            } else {
                v.trim().to_owned()
            }
        };
        let raw = row.iter().collect::<Vec<_>>().join(",");
        let number = get("案件番号");
        let key = if municipal {
            let code = get("団体コード");
            (!number.is_empty() && !code.is_empty()).then(|| format!("{code}-{number}"))
        } else {
            (!number.is_empty()).then(|| number.clone())
        };
        let outcome = case_of(&get, key.clone(), municipal, kind_column, departments).into();
        records.push(Record {
            key,
            outcome,
            results: Vec::new(),
            raw,
            ocds: None,
        });
    }
    Ok(Parsed {
        records,
        hits: None,
    })
}

fn case_of(
    get: &dyn Fn(&str) -> String,
    key: Option<String>,
    municipal: bool,
    kind_column: &str,
    departments: &Departments,
) -> Result<NewCase, String> {
    let key = key.ok_or(if municipal {
        "団体コードと案件番号がそろっていません。"
    } else {
        "案件番号がありません。"
    })?;
    let title = get("件名");
    if title.is_empty() {
        return Err("件名がありません。".into());
    }
    let organization = if municipal {
        get("団体名")
    } else {
        TOKYO.to_owned()
    };
    if organization.is_empty() {
        return Err("団体名がありません。".into());
    }
    let code = get("契約部署コード");
    let (org_id, department) = match departments.by_organization.get(&organization) {
        None if code.is_empty() => (None, None),
        None => {
            return Err(format!(
                "発注機関「{organization}」が発注機関マスタにありません（契約部署コード {code}）。"
            ));
        }
        Some(o) if code.is_empty() => (Some(o.id), None),
        Some(o) => match o.resolve(&code) {
            Some(d) => (Some(o.id), Some(d.clone())),
            None => {
                return Err(format!(
                    "契約部署コード「{code}」が「{organization}」の契約部署マスタにありません。"
                ));
            }
        },
    };
    let description = [
        ("業種", get("業種")),
        ("履行場所", get("履行場所")),
        (
            "契約部署",
            department
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| get("契約部署名")),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}：{v}"))
    .collect::<Vec<_>>()
    .join("\n");
    let url = get("URL");
    let mut case = NewCase {
        kind: CaseKind::PublicTender,
        title: domain::text::tidy(&title),
        description: domain::text::visible(&description),
        category: category_of(&get(kind_column)),
        procedure: match get("入札方式") {
            p if p.is_empty() => Procedure::Other,
            p => crate::kkj::procedure_of(&p),
        },
        organization_name: organization,
        organization_id: org_id,
        company_id: None,
        contract_department_id: department.map(|(id, _)| id),
        prefecture_code: Some(13),
        municipality_code: municipal.then(|| get("団体コード")),
        municipality_name: if municipal {
            Some(get("団体名"))
        } else {
            Some(get("履行場所")).filter(|p| !p.is_empty())
        },
        qualification_grade: Some(get("等級")).filter(|g| !g.is_empty()),
        published_at: None,
        application_deadline: None,
        submission_deadline: None,
        opening_at: None,
        period_end: None,
        day_only: DayOnly::default(),
        status: CaseStatus::Open,
        source: if municipal { MUNICIPAL_SOURCE } else { SOURCE }.to_owned(),
        source_key: key,
        source_url: (!url.is_empty())
            .then(|| crate::link("URL", &url))
            .transpose()?,
        documents: Vec::new(),
        created_by: None,
    };
    for (column, date) in [
        ("公告日", CaseDate::Published),
        ("参加申請締切", CaseDate::ApplicationDeadline),
        ("入札締切", CaseDate::SubmissionDeadline),
        ("開札日時", CaseDate::Opening),
    ] {
        case.set_when(date, crate::dates::field(column, &get(column))?);
    }
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn departments() -> Departments {
        let mut by_organization = HashMap::new();
        by_organization.insert(
            TOKYO.to_owned(),
            OrganizationDepartments {
                id: 1,
                active: HashMap::from([
                    ("0101".to_owned(), (10, "財務局経理部契約第一課".to_owned())),
                    ("0300".to_owned(), (30, "財務局契約課".to_owned())),
                ]),
                retired: HashMap::from([
                    ("0201".to_owned(), (21, "旧第一課".to_owned())),
                    ("0202".to_owned(), (22, "旧第二課".to_owned())),
                    ("0900".to_owned(), (90, "廃止課".to_owned())),
                ]),
                successors: HashMap::from([
                    // 0201 and 0202 merged into 0250, later recoded 0300.
                    ("0201".to_owned(), "0250".to_owned()),
                    ("0202".to_owned(), "0250".to_owned()),
                    ("0250".to_owned(), "0300".to_owned()),
                    // A cycle in bad history must not hang the import.
                    ("0701".to_owned(), "0702".to_owned()),
                    ("0702".to_owned(), "0701".to_owned()),
                ]),
            },
        );
        Departments { by_organization }
    }

    #[test]
    fn old_codes_resolve_through_the_history_to_todays_department() {
        let d = departments();
        let tokyo = &d.by_organization[TOKYO];
        assert_eq!(tokyo.resolve("0101").map(|d| d.0), Some(10));
        assert_eq!(
            tokyo.resolve("0201").map(|d| d.0),
            Some(30),
            "merged, then recoded"
        );
        assert_eq!(tokyo.resolve("0250").map(|d| d.0), Some(30), "recoded");
        assert_eq!(
            tokyo.resolve("0900").map(|d| d.0),
            Some(90),
            "abolished without a successor"
        );
        assert_eq!(tokyo.resolve("0701"), None);
        assert_eq!(tokyo.resolve("9999"), None);
    }

    const HEADER: &str = "案件番号,件名,種目,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL";

    #[test]
    fn shift_jis_and_utf8_with_a_bom_read_alike() {
        let text = format!(
            "{HEADER}\n0001,髙島屋前歩道①の清掃～委託,委託,清掃,一般競争入札,0101,,2026/05/01,2026/05/15,2026/05/21 17:00,令和8年5月22日 10時30分,千代田区,B,https://www.e-procurement.metro.tokyo.lg.jp/a/0001\n"
        );
        let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
        assert!(!unmappable);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let a = parse(&sjis, false, &departments()).unwrap();
        let b = parse(&bom, false, &departments()).unwrap();
        let (a, b) = (
            a.records[0].outcome.case().cloned().unwrap(),
            b.records[0].outcome.case().cloned().unwrap(),
        );
        assert_eq!(a, b);
        assert_eq!(a.title, "髙島屋前歩道①の清掃～委託");
        assert_eq!(a.contract_department_id, Some(10));
        assert_eq!(a.organization_id, Some(1));
        assert_eq!(a.category, Category::Services);
        assert_eq!(
            a.submission_deadline,
            Some(domain::time::jst_to_ms(2026, 5, 21, 17, 0))
        );
        assert_eq!(
            a.opening_at,
            Some(domain::time::jst_to_ms(2026, 5, 22, 10, 30))
        );
        assert_eq!(a.qualification_grade.as_deref(), Some("B"));
    }

    #[test]
    fn full_width_keys_and_codes_are_the_same_values_as_half_width_ones() {
        let text = format!(
            "{HEADER}\n０００１,清掃委託,委託,清掃,一般競争入札,０１０１,,令和8年5月1日,,令和8年5月21日（木） 午後5時,,,Ｂ,\n"
        );
        let parsed = parse(text.as_bytes(), false, &departments()).unwrap();
        let r = &parsed.records[0];
        assert_eq!(r.key.as_deref(), Some("0001"));
        let c = r.outcome.case().cloned().unwrap();
        assert_eq!(c.source_key, "0001");
        assert_eq!(c.contract_department_id, Some(10));
        assert_eq!(c.qualification_grade.as_deref(), Some("B"));
        assert_eq!(
            c.when(CaseDate::Published),
            Some(domain::When::Day(2026, 5, 1))
        );
        assert_eq!(
            c.submission_deadline,
            Some(domain::time::jst_to_ms(2026, 5, 21, 17, 0))
        );
        let municipal = "案件番号,件名,種別,入札方式,契約部署コード,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL,団体コード,団体名\n１２,購入,物品,見積合わせ,,2026/05/01,,,,,,,１３１０１,千代田区\n";
        let parsed = parse(municipal.as_bytes(), true, &Departments::default()).unwrap();
        let c = parsed.records[0].outcome.case().cloned().unwrap();
        assert_eq!(c.source_key, "13101-12");
        assert_eq!(c.municipality_code.as_deref(), Some("13101"));
    }

    #[test]
    fn an_unreadable_time_sets_the_row_aside_with_its_column() {
        let text = format!(
            "{HEADER}\n0003,清掃,委託,清掃,一般競争入札,0101,,2026/05/01,,令和8年5月21日 午後,,,,\n"
        );
        let parsed = parse(text.as_bytes(), false, &departments()).unwrap();
        let reason = parsed.records[0].outcome.rejected().unwrap().to_owned();
        assert!(reason.starts_with("入札締切の日付"), "{reason}");
    }

    #[test]
    fn an_unknown_department_code_is_set_aside_and_a_missing_column_fails_the_file() {
        let text =
            format!("{HEADER}\n0002,物品の購入,物品,文具,見積合わせ,9999,,2026/05/01,,,,,,\n");
        let parsed = parse(text.as_bytes(), false, &departments()).unwrap();
        let reason = parsed.records[0].outcome.rejected().unwrap().to_owned();
        assert!(reason.contains("9999"), "{reason}");
        assert_eq!(parsed.records[0].key.as_deref(), Some("0002"));
        let e = parse("案件番号,件名\n1,x\n".as_bytes(), false, &departments()).unwrap_err();
        assert!(e.contains("入札方式"), "{e}");
    }
}
