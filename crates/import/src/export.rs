//! The company export for the support center's CRM (顧客管理システム):
//! CSV (UTF-8 with BOM, or CP932 for Excel) or JSON Lines, one company per
//! row, the same fields in the same order in every format.

use serde_json::{Map, Value};
use store::CompanyRecord;

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

/// The file, and how many characters CP932 could not hold (written as 〓).
pub fn companies(records: &[CompanyRecord], format: Format) -> (Vec<u8>, usize) {
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
            (out, 0)
        }
        Format::Csv(encoding) => {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            // Writing to memory cannot fail.
            let _ = w.write_record(FIELDS.iter().map(|(h, ..)| *h));
            for r in records {
                let _ = w.write_record(FIELDS.iter().map(|(_, _, get)| get(r)));
            }
            let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
            match encoding {
                Encoding::Utf8 => {
                    let mut out = b"\xEF\xBB\xBF".to_vec();
                    out.extend_from_slice(text.as_bytes());
                    (out, 0)
                }
                Encoding::Cp932 => cp932(&text),
            }
        }
    }
}

/// CP932, with each character it cannot hold written as 〓.
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
    /// Characters CP932 could not hold (written as 〓).
    pub unmappable: usize,
    /// Changes after this instant were exported (None: everything).
    pub since: Option<i64>,
    pub export_id: i64,
}

/// Exports the companies (everything, or what changed since the previous
/// export's watermark) and records the export in the log and the audit log.
pub async fn export_companies(
    store: &store::Store,
    format: Format,
    changed_only: bool,
    actor: &store::Actor,
    now: i64,
) -> Result<Exported, store::StoreError> {
    let since = if changed_only {
        store
            .last_export(store::EXPORT_COMPANIES)
            .await?
            .map(|e| e.watermark)
    } else {
        None
    };
    let records = store.companies_for_export(since).await?;
    let (bytes, unmappable) = companies(&records, format);
    let export_id = store
        .record_export(
            store::EXPORT_COMPANIES,
            format.name(),
            since,
            now,
            records.len() as i64,
            actor,
            now,
        )
        .await?;
    Ok(Exported {
        bytes,
        rows: records.len(),
        unmappable,
        since,
        export_id,
    })
}
