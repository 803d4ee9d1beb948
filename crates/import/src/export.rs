//! The company export for the support center's CRM (顧客管理システム):
//! CSV (UTF-8 with BOM, or CP932 for Excel) or JSON Lines, one company per
//! row, the same fields in the same order in every format.

use std::borrow::Cow;

use serde_json::{Map, Value};
use store::{CompanyRecord, ExportProblem};

/// The character written in CP932 for one it cannot hold (〓, ゲタ).
const GETA: char = '〓';

/// How the CSV is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a BOM (Excel then reads it as UTF-8).
    Utf8,
    /// Shift_JIS as Windows writes it.
    Cp932,
}

/// The export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(Encoding),
    JsonLines,
}

impl Format {
    /// "csv-utf8", "csv-cp932", "jsonl": the name in the export log.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv(Encoding::Utf8) => "csv-utf8",
            Format::Csv(Encoding::Cp932) => "csv-cp932",
            Format::JsonLines => "jsonl",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "csv-utf8" | "csv" => Format::Csv(Encoding::Utf8),
            "csv-cp932" => Format::Csv(Encoding::Cp932),
            "jsonl" => Format::JsonLines,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv(_) => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv(Encoding::Utf8) => "text/csv; charset=utf-8",
            Format::Csv(Encoding::Cp932) => "text/csv; charset=Shift_JIS",
            Format::JsonLines => "application/jsonl; charset=utf-8",
        }
    }
}

type Getter = fn(&CompanyRecord) -> String;

fn yes(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn date(ms: i64) -> String {
    domain::time::jst_rfc3339(ms)
}

/// (CSV header, JSON key, value) for every field, in order.
const FIELDS: &[(&str, &str, Getter)] = &[
    ("企業ID", "id", |r| r.company.id.to_string()),
    ("法人番号", "corporate_number", |r| {
        opt(r.company.corporate_number.clone())
    }),
    ("個人事業主", "sole_proprietor", |r| {
        yes(r.company.sole_proprietor)
    }),
    ("会社名", "name", |r| r.company.name.clone()),
    ("フリガナ", "name_kana", |r| r.company.name_kana.clone()),
    ("代表者", "representative", |r| {
        r.company.representative.clone()
    }),
    ("郵便番号", "postal_code", |r| {
        r.company.postal_code.clone()
    }),
    ("都道府県", "prefecture", |r| r.prefecture.clone()),
    ("住所", "address", |r| r.company.address.clone()),
    ("電話番号", "phone", |r| r.company.phone.clone()),
    ("ウェブサイト", "website", |r| {
        opt(r.company.website.clone())
    }),
    ("業種コード", "industry_code", |r| {
        r.company.industry_division.clone()
    }),
    ("業種", "industry", |r| r.industry.clone()),
    ("資本金", "capital_yen", |r| opt(r.company.capital_yen)),
    ("従業員数", "employees", |r| opt(r.company.employees)),
    ("設立年", "founded_year", |r| opt(r.company.founded_year)),
    ("事業内容", "description", |r| {
        r.company.description.clone()
    }),
    ("キーワード", "keywords", |r| {
        r.company.keywords.clone()
    }),
    ("加盟団体", "member_organizations", |r| {
        r.member_organizations.join("、")
    }),
    ("登録のきっかけ", "registration_trigger", |r| {
        opt(r.registration_trigger.clone())
    }),
    ("メールマガジン", "mail_magazine", |r| {
        yes(r.company.mail_magazine)
    }),
    ("発注", "orders", |r| yes(r.company.orders)),
    ("受注", "receives", |r| yes(r.company.receives)),
    ("状態", "status", |r| r.company.status.label().to_owned()),
    ("担当者名", "contact_name", |r| {
        opt(r.contact_name.clone())
    }),
    ("担当者メール", "contact_email", |r| {
        opt(r.contact_email.clone())
    }),
    ("登録日時", "created_at", |r| date(r.company.created_at)),
    ("更新日時", "updated_at", |r| date(r.company.updated_at)),
];

/// The CSV headers (and JSON keys) of the company export, in order: what
/// the help page (`formats::COMPANIES_EXPORT`) is held to.
pub fn fields() -> Vec<(&'static str, &'static str)> {
    FIELDS.iter().map(|(h, k, _)| (*h, *k)).collect()
}

/// A cell as a spreadsheet will not run it: text that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to Excel and its peers
/// (OWASP, "CSV Injection"), so it gets a leading `'` — a company's own
/// profile text must never run in the operator's spreadsheet. Every CSV the
/// portal writes goes through here.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Writes rows as CSV (CRLF, every cell through `csv_cell`) in `encoding`:
/// UTF-8 with a BOM, or CP932 with each character it cannot hold as 〓.
pub fn write_csv<'a>(
    header: impl IntoIterator<Item = &'a str>,
    rows: impl IntoIterator<Item = Vec<String>>,
    encoding: Encoding,
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header.into_iter().map(|h| csv_cell(h).into_owned()));
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| csv_cell(c).into_owned()));
    }
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    match encoding {
        Encoding::Utf8 => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            out.extend_from_slice(text.as_bytes());
            out
        }
        Encoding::Cp932 => cp932(&text).0,
    }
}

/// CP932, with each character it cannot hold written as 〓; and how many.
fn cp932(text: &str) -> (Vec<u8>, usize) {
    let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(text);
    if !lossy {
        return (bytes.into_owned(), 0);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut missing = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (b, _, lossy) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        if lossy {
            missing += 1;
            out.extend_from_slice(&encoding_rs::SHIFT_JIS.encode(GETA.encode_utf8(&mut buf)).0);
        } else {
            out.extend_from_slice(&b);
        }
    }
    (out, missing)
}

/// The characters of `value` CP932 cannot hold, in order, each once.
fn not_in_cp932(value: &str) -> String {
    let mut out = String::new();
    let mut buf = [0u8; 4];
    for c in value.chars() {
        if encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2 && !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// The file, and each value CP932 could not hold (written as 〓), by company
/// and field.
pub fn companies(records: &[CompanyRecord], format: Format) -> (Vec<u8>, Vec<ExportProblem>) {
    match format {
        Format::JsonLines => {
            let mut out = Vec::new();
            for r in records {
                let mut obj = Map::new();
                for (_, key, get) in FIELDS {
                    obj.insert((*key).to_owned(), Value::String(get(r)));
                }
                out.extend_from_slice(Value::Object(obj).to_string().as_bytes());
                out.push(b'\n');
            }
            (out, Vec::new())
        }
        Format::Csv(encoding) => {
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| FIELDS.iter().map(|(_, _, get)| get(r)).collect())
                .collect();
            let mut problems = Vec::new();
            if encoding == Encoding::Cp932 {
                for (r, row) in records.iter().zip(&rows) {
                    for ((field, ..), value) in FIELDS.iter().zip(row) {
                        let missing = not_in_cp932(value);
                        if !missing.is_empty() {
                            problems.push(ExportProblem {
                                company_id: r.company.id,
                                company: r.company.name.clone(),
                                field: (*field).to_owned(),
                                characters: missing,
                            });
                        }
                    }
                }
            }
            let bytes = write_csv(FIELDS.iter().map(|(h, ..)| *h), rows, encoding);
            (bytes, problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_keeps_what_it_can_and_marks_the_rest() {
        assert_eq!(cp932("髙①～").1, 0);
        let (bytes, missing) = cp932("𠮷野家");
        assert_eq!(missing, 1);
        let back = encoding_rs::SHIFT_JIS.decode(&bytes).0;
        assert_eq!(back, "〓野家");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for formula in [
            "=HYPERLINK(\"https://evil.example\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(csv_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["株式会社テスト", "03-1234-5678", "", "a=b", " =1"] {
            assert_eq!(csv_cell(plain), plain);
        }
        let bytes = write_csv(["名前"], [vec!["=1+1".to_owned()]], Encoding::Utf8);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with("名前\r\n'=1+1\r\n"), "{text:?}");
    }

    #[test]
    fn destination_names_are_short_plain_words() {
        assert_eq!(destination_name(" ｃｒｍ "), Some("crm".to_owned()));
        assert_eq!(
            destination_name("支援センター"),
            Some("支援センター".to_owned())
        );
        assert_eq!(destination_name(""), None);
        assert_eq!(destination_name("a b"), None);
        assert_eq!(destination_name(&"x".repeat(41)), None);
    }

    #[test]
    fn format_names_round_trip() {
        for f in [
            Format::Csv(Encoding::Utf8),
            Format::Csv(Encoding::Cp932),
            Format::JsonLines,
        ] {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        assert_eq!(Format::parse("xlsx"), None);
    }
}

/// One export, done and recorded.
#[derive(Debug, Clone)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub rows: usize,
    /// Values CP932 could not hold (written as 〓), by company and field.
    pub problems: Vec<ExportProblem>,
    /// Changes after this instant were exported (None: everything).
    pub since: Option<i64>,
    pub export_id: i64,
}

/// Where the CRM export goes unless told otherwise.
pub const DEFAULT_DESTINATION: &str = "crm";

/// A destination's name as typed: NFKC, 1 to 40 letters, digits, `-`, `_`
/// or `.`; `None` when it is not one.
pub fn destination_name(input: &str) -> Option<String> {
    let s = domain::text::normalize(input);
    let ok = !s.is_empty()
        && s.chars().count() <= 40
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(s)
}

/// Exports the companies — everything, or with `changed_only` what changed
/// since the previous export to the same `destination` — and records it in
/// the export log and the audit log. An export without a destination is
/// ad hoc: it starts from nowhere and moves no destination's starting point.
pub async fn export_companies(
    store: &store::Store,
    format: Format,
    changed_only: bool,
    destination: Option<&str>,
    actor: &store::Actor,
    now: i64,
) -> Result<Exported, store::StoreError> {
    let since = match destination {
        Some(to) if changed_only => store
            .last_export_to(store::EXPORT_COMPANIES, to)
            .await?
            .map(|e| e.watermark),
        _ => None,
    };
    let records = store.companies_for_export(since).await?;
    let (bytes, problems) = companies(&records, format);
    let export_id = store
        .record_export(
            &store::NewExport {
                kind: store::EXPORT_COMPANIES,
                format: format.name(),
                destination,
                since,
                watermark: now,
                rows: records.len() as i64,
                problems: &problems,
            },
            actor,
            now,
        )
        .await?;
    Ok(Exported {
        bytes,
        rows: records.len(),
        problems,
        since,
        export_id,
    })
}
