//! 官公需情報ポータルサイト (中小企業庁, kkj.go.jp): the search API's XML.
//! `Results/SearchResults/SearchResult` elements become public tenders keyed
//! by `Key`; a `Results/Error` document is a failed request.

use domain::{CaseDate, CaseKind, CaseStatus, Category, DayOnly, Prefecture, Procedure, When};
use store::NewCase;

use crate::dates::deadline_in_text;
use crate::xml::{self, Element};
use crate::{Parsed, Record};

pub const SOURCE: &str = "kkj";

/// 入札方式 by what it means. The API's ProcedureType is a code — 1
/// 一般競争入札, 2 簡易公募型競争入札, 3 簡易公募型指名競争入札 — or, in
/// some answers and in other listings, the label itself; both map alike.
/// 簡易公募型競争入札 is a competitive tender open to all who answer the
/// notice (not a proposal); 簡易公募型指名競争入札 invites whom it names.
pub fn procedure_of(s: &str) -> Procedure {
    let s = domain::text::normalize(s);
    match s.as_str() {
        "1" | "2" => return Procedure::OpenCompetitive,
        "3" => return Procedure::DesignatedCompetitive,
        _ => {}
    }
    if s.contains("指名") {
        Procedure::DesignatedCompetitive
    } else if s.contains("プロポーザル") || s.contains("企画競争") || s.contains("企画提案")
    {
        Procedure::Proposal
    } else if s.contains("競争入札") || s.contains("一般競争") {
        Procedure::OpenCompetitive
    } else if s.contains("見積") || s.contains("オープンカウンター") {
        Procedure::QuotationComparison
    } else if s.contains("随意") || s.contains("随契") {
        Procedure::NegotiatedContract
    } else {
        Procedure::Other
    }
}

/// Reads a search response. A document that is not a response, or says
/// `<Error>`, fails as a whole; each bad record is set aside on its own.
pub fn parse(input: &[u8]) -> Result<Parsed, String> {
    let mut records = Vec::new();
    let hits = stream(input, &mut |r| records.push(r))?;
    Ok(Parsed { records, hits })
}

/// Reads a search response from `input` record by record, handing each to
/// `each` as soon as it is read, so that a document of any size is read
/// holding one record at a time; answers the hit count the API reported.
/// A record that became a case is handed over without its raw text (only a
/// record set aside keeps it).
pub fn stream(
    input: impl std::io::BufRead,
    each: &mut dyn FnMut(Record),
) -> Result<Option<u64>, String> {
    let outside = xml::records(
        input,
        "SearchResult",
        &["Error", "SearchHits"],
        &mut |r, raw| {
            let outcome: crate::Outcome = case_of(&r).into();
            let raw = if outcome.case().is_some() {
                String::new()
            } else {
                raw
            };
            each(Record {
                key: r.field("Key"),
                outcome,
                results: Vec::new(),
                raw,
                ocds: None,
            });
        },
    )?;
    if outside.root != "Results" {
        return Err(format!(
            "官公需情報ポータルサイトの検索結果ではありません（最上位の要素が「{}」です）。",
            outside.root
        ));
    }
    let field = |name: &str| {
        outside
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(error) = field("Error") {
        return Err(format!(
            "官公需情報ポータルサイトがエラーを返しました：{error}"
        ));
    }
    Ok(field("SearchHits").and_then(|h| h.parse::<u64>().ok()))
}

/// A date field. The API writes every date as a midnight
/// ("2025-12-24T00:00:00+09:00") when it has no time for it, so a midnight
/// is read as the day alone.
fn date_field(r: &Element, name: &str) -> Result<Option<When>, String> {
    let Some(v) = r.field(name) else {
        return Ok(None);
    };
    Ok(crate::dates::field(name, &v)?.map(|w| match w {
        When::At(ms) if w.day().start_ms() == ms => w.day(),
        other => other,
    }))
}

fn case_of(r: &Element) -> Result<NewCase, String> {
    let key = r.field("Key").ok_or("Key（案件の識別子）がありません。")?;
    let title = r
        .field("ProjectName")
        .ok_or("ProjectName（件名）がありません。")?;
    let organization = r
        .field("OrganizationName")
        .ok_or("OrganizationName（発注機関名）がありません。")?;
    // 履行場所 is not a field of the case: it leads the description.
    let description = match (r.field("Location"), r.field("ProjectDescription")) {
        (Some(l), Some(d)) => format!("履行場所：{l}\n{d}"),
        (Some(l), None) => format!("履行場所：{l}"),
        (None, d) => d.unwrap_or_default(),
    };
    let prefecture = r
        .field("LgCode")
        .and_then(|c| c.parse::<u8>().ok())
        .and_then(Prefecture::from_code)
        .or_else(|| {
            r.field("PrefectureName")
                .and_then(|n| Prefecture::from_name(&n))
        });
    let submission = match date_field(r, "TenderSubmissionDeadline")? {
        Some(d) => Some(d),
        None => deadline_in_text(&description)
            .or_else(|| deadline_in_text(&title))
            .transpose()?,
    };
    let documents = {
        let mut found = Vec::new();
        r.all("Attachment", &mut found);
        found
            .into_iter()
            .filter_map(|a| {
                let uri = a.field("Uri")?;
                Some(
                    crate::link("Attachment/Uri", &uri)
                        .map(|uri| (a.field("Name").unwrap_or_else(|| uri.clone()), uri)),
                )
            })
            .collect::<Result<Vec<_>, String>>()?
    };
    let source_url = r
        .field("ExternalDocumentURI")
        .map(|u| crate::link("ExternalDocumentURI", &u))
        .transpose()?;
    let mut case = NewCase {
        kind: CaseKind::PublicTender,
        title: domain::text::tidy(&title),
        description: domain::text::visible(&description),
        category: r
            .field("Category")
            .and_then(|c| Category::from_kkj_code(&c))
            .unwrap_or(Category::Other),
        procedure: r
            .field("ProcedureType")
            .map_or(Procedure::Other, |p| procedure_of(&p)),
        organization_name: domain::text::tidy(&organization),
        organization_id: None,
        company_id: None,
        contract_department_id: None,
        prefecture_code: prefecture.map(|p| i64::from(p.code())),
        municipality_code: r.field("CityCode"),
        municipality_name: r.field("CityName"),
        qualification_grade: r.field("Certification"),
        published_at: None,
        application_deadline: None,
        submission_deadline: None,
        opening_at: None,
        period_end: None,
        day_only: DayOnly::default(),
        status: CaseStatus::Open,
        source: SOURCE.to_owned(),
        source_key: key,
        source_url,
        documents,
        created_by: None,
    };
    let published = match date_field(r, "CftIssueDate")? {
        Some(d) => Some(d),
        None => date_field(r, "Date")?,
    };
    case.set_when(CaseDate::Published, published);
    case.set_when(CaseDate::SubmissionDeadline, submission);
    case.set_when(CaseDate::Opening, date_field(r, "OpeningTendersEvent")?);
    // PeriodEndTime is the end of the delivery or performance period
    // (納入期限), not a deadline for taking part.
    case.set_when(CaseDate::PeriodEnd, date_field(r, "PeriodEndTime")?);
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_labels_and_codes_map_to_procedures() {
        assert_eq!(procedure_of("一般競争入札"), Procedure::OpenCompetitive);
        assert_eq!(
            procedure_of("指名競争入札"),
            Procedure::DesignatedCompetitive
        );
        assert_eq!(procedure_of("公募型プロポーザル"), Procedure::Proposal);
        assert_eq!(
            procedure_of("随意契約（少額）"),
            Procedure::NegotiatedContract
        );
        assert_eq!(
            procedure_of("オープンカウンター方式"),
            Procedure::QuotationComparison
        );
        assert_eq!(procedure_of("その他"), Procedure::Other);
    }

    #[test]
    fn direction_overrides_and_zero_width_characters_do_not_reach_the_case() {
        let xml = "<Results><SearchResults><SearchResult><Key>K4</Key>\
<ProjectName>見積\u{202E}fdp.exe\u{202C}書</ProjectName><OrganizationName>テスト\u{200B}市</OrganizationName>\
<ProjectDescription>仕様\u{2066}書\u{2069}のとおり</ProjectDescription>\
</SearchResult></SearchResults></Results>";
        let c = parse(xml.as_bytes()).unwrap().records[0]
            .outcome
            .case()
            .cloned()
            .unwrap();
        assert_eq!(c.title, "見積fdp.exe書");
        assert_eq!(c.organization_name, "テスト市");
        assert_eq!(c.description, "仕様書のとおり");
    }

    proptest::proptest! {
        #[test]
        fn no_text_makes_the_procedure_or_category_readers_panic(s in "\\PC{0,30}") {
            let _ = procedure_of(&s);
            let _ = Category::from_kkj_code(&s);
        }
    }

    #[test]
    fn the_api_procedure_codes_and_their_labels_mean_the_same() {
        for (code, label) in [
            ("1", "一般競争入札"),
            ("2", "簡易公募型競争入札"),
            ("3", "簡易公募型指名競争入札"),
        ] {
            assert_eq!(procedure_of(code), procedure_of(label), "{code} {label}");
        }
        assert_eq!(procedure_of("2"), Procedure::OpenCompetitive);
        assert_eq!(procedure_of("３"), Procedure::DesignatedCompetitive);
        assert_ne!(
            procedure_of("簡易公募型競争入札"),
            Procedure::Proposal,
            "a competitive tender, not a proposal"
        );
        assert_eq!(procedure_of("企画競争"), Procedure::Proposal);
    }

    #[test]
    fn the_period_end_is_the_delivery_period_and_midnights_are_days() {
        let xml = r#"<Results><SearchResults><SearchResult><Key>K2</Key>
<ProjectName>消耗品の購入</ProjectName><OrganizationName>テスト市</OrganizationName>
<CftIssueDate>2026-05-01T00:00:00+09:00</CftIssueDate>
<TenderSubmissionDeadline>2026-05-21T10:30:00+09:00</TenderSubmissionDeadline>
<PeriodEndTime>2026-09-30T00:00:00+09:00</PeriodEndTime>
</SearchResult></SearchResults></Results>"#;
        let c = parse(xml.as_bytes()).unwrap().records[0]
            .outcome
            .case()
            .cloned()
            .unwrap();
        assert_eq!(c.application_deadline, None, "not an application deadline");
        assert_eq!(c.when(CaseDate::PeriodEnd), Some(When::Day(2026, 9, 30)));
        assert_eq!(c.when(CaseDate::Published), Some(When::Day(2026, 5, 1)));
        assert_eq!(
            c.when(CaseDate::SubmissionDeadline),
            Some(When::At(domain::time::jst_to_ms(2026, 5, 21, 10, 30)))
        );
    }

    #[test]
    fn a_deadline_time_the_text_states_unreadably_sets_the_record_aside() {
        let xml = r#"<Results><SearchResults><SearchResult><Key>K3</Key>
<ProjectName>清掃</ProjectName><OrganizationName>テスト市</OrganizationName>
<ProjectDescription>入札締切 令和8年5月22日 午後</ProjectDescription>
</SearchResult></SearchResults></Results>"#;
        let r = &parse(xml.as_bytes()).unwrap().records[0];
        assert!(r.outcome.rejected().unwrap().to_owned().contains("時刻"));
        assert!(r.raw.starts_with("<SearchResult>"), "{}", r.raw);
        assert!(r.raw.ends_with("</SearchResult>"));
    }

    #[test]
    fn a_full_record_maps_every_field_and_finds_its_deadline_in_the_text() {
        let xml = r#"<Results><Version>1.0</Version><SearchResults><SearchHits>1</SearchHits>
<SearchResult><ResultId>1</ResultId><Key>K1</Key>
<ExternalDocumentURI>https://www.city.example.jp/n/1.pdf</ExternalDocumentURI>
<ProjectName>庁舎清掃業務委託</ProjectName><Date>2026-05-01T10:00:00+09:00</Date>
<LgCode>13</LgCode><PrefectureName>東京都</PrefectureName><CityCode>131016</CityCode><CityName>千代田区</CityName>
<OrganizationName>千代田区</OrganizationName><Certification>B</Certification>
<CftIssueDate>2026-05-01</CftIssueDate><Category>3</Category><ProcedureType>一般競争入札</ProcedureType>
<Location>千代田区九段南1-2-1</Location><ProjectDescription>入札書の提出期限　令和８年５月２１日（木）正午</ProjectDescription>
<Attachments><Attachment><Name>仕様書</Name><Uri>https://www.city.example.jp/n/1-spec.pdf</Uri></Attachment></Attachments>
</SearchResult></SearchResults></Results>"#;
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.hits, Some(1));
        let c = parsed.records[0].outcome.case().cloned().unwrap();
        assert_eq!(c.source_key, "K1");
        assert_eq!(c.category, Category::Services);
        assert_eq!(c.prefecture_code, Some(13));
        assert_eq!(c.municipality_name.as_deref(), Some("千代田区"));
        assert_eq!(c.qualification_grade.as_deref(), Some("B"));
        assert_eq!(c.when(CaseDate::Published), Some(When::Day(2026, 5, 1)));
        assert_eq!(
            c.when(CaseDate::SubmissionDeadline),
            Some(When::At(domain::time::jst_to_ms(2026, 5, 21, 12, 0))),
            "正午 is noon"
        );
        assert_eq!(c.documents[0].0, "仕様書");
        assert!(
            c.description
                .starts_with("履行場所：千代田区九段南1-2-1\n入札書")
        );
        assert!(
            parsed.records[0].raw.is_empty(),
            "a record that became a case keeps no raw copy"
        );
    }

    #[test]
    fn an_error_document_fails_the_whole_request() {
        let e =
            parse("<Results><Error>Count is too large</Error></Results>".as_bytes()).unwrap_err();
        assert!(e.contains("Count is too large"));
        assert!(
            parse(b"<html><body>502</body></html>")
                .unwrap_err()
                .contains("検索結果ではありません")
        );
    }
}
