//! Every parser against arbitrary and damaged input: an answer or a clear
//! reason, never a panic. These are the importers' fuzz targets (proptest,
//! run with the suite; raise PROPTEST_CASES to search longer).

use import::Source;
use import::tokyo::Departments;
use proptest::prelude::*;

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/samples/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

/// Every parser on `bytes`: each returns records or a reason.
fn parse_all(bytes: &[u8]) {
    let departments = Departments::default();
    for source in Source::ALL {
        match source.parse(bytes, &departments) {
            Ok(parsed) => {
                for r in parsed.records {
                    if let import::Outcome::Rejected(reason) | import::Outcome::Skipped(reason) =
                        r.outcome
                    {
                        assert!(!reason.is_empty());
                    }
                }
            }
            Err(reason) => assert!(!reason.is_empty(), "{source:?}"),
        }
    }
    let _ = import::departments::parse(bytes);
}

/// Cuts, flips and splices a real document.
fn damaged(doc: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = doc.len();
    (
        0..=len,
        0..=len,
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(move |(cut, at, byte, splice)| {
            let mut d = doc.clone();
            if at < d.len() {
                d[at] ^= byte;
            }
            let at = at.min(d.len());
            d.splice(at..at, splice);
            d.truncate(cut.max(1));
            d
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_all(&bytes);
    }

    #[test]
    fn damaged_kkj_documents_never_panic(bytes in damaged(sample("kkj/handwritten-examples/detail-pdf.xml"))) {
        parse_all(&bytes);
    }

    #[test]
    fn damaged_ocds_packages_never_panic(bytes in damaged(sample("ocds/fictional-example-1.1/ocds-213czf-000-00001.json"))) {
        parse_all(&bytes);
    }

    #[test]
    fn damaged_tokyo_listings_never_panic(bytes in damaged(
        std::fs::read(format!("{}/../../docs/formats/examples/tokyo.csv", env!("CARGO_MANIFEST_DIR"))).expect("example")
    )) {
        parse_all(&bytes);
    }
}

#[test]
fn a_truncated_document_fails_as_a_whole_with_a_reason() {
    let doc = sample("kkj/handwritten-examples/detail-pdf.xml");
    let reason = Source::Kkj
        .parse(&doc[..doc.len() / 2], &Departments::default())
        .unwrap_err();
    assert!(reason.contains("XML"), "{reason}");
    let doc = sample("ocds/fictional-example-1.1/ocds-213czf-000-00001.json");
    let reason = Source::Ocds
        .parse(&doc[..doc.len() / 2], &Departments::default())
        .unwrap_err();
    assert!(reason.contains("JSON"), "{reason}");
}

#[test]
fn a_date_that_does_not_exist_sets_the_record_aside_with_the_field_named() {
    let xml = "<Results><SearchResults><SearchResult><Key>K</Key><ProjectName>件名</ProjectName>\
               <OrganizationName>某市</OrganizationName><CftIssueDate>2026-02-30</CftIssueDate>\
               </SearchResult></SearchResults></Results>";
    let parsed = Source::Kkj
        .parse(xml.as_bytes(), &Departments::default())
        .unwrap();
    let reason = parsed.records[0].outcome.rejected().unwrap().to_owned();
    assert!(
        reason.contains("CftIssueDate") && reason.contains("2026-02-30"),
        "{reason}"
    );
}

#[test]
fn a_ten_megabyte_field_is_read_whole() {
    let long = "長".repeat(10 * 1024 * 1024 / 3);
    let xml = format!(
        "<Results><SearchResults><SearchResult><Key>K</Key><ProjectName>件名</ProjectName>\
         <OrganizationName>某市</OrganizationName><ProjectDescription>{long}</ProjectDescription>\
         </SearchResult></SearchResults></Results>"
    );
    let parsed = Source::Kkj
        .parse(xml.as_bytes(), &Departments::default())
        .unwrap();
    let case = parsed.records[0].outcome.case().cloned().unwrap();
    assert_eq!(case.description.chars().count(), long.chars().count());
}

#[test]
fn a_csv_in_an_unexpected_encoding_is_refused_for_its_missing_columns() {
    // UTF-16 is neither UTF-8 nor CP932: the headers cannot be found.
    let text = "案件番号,件名\n1,x\n";
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let reason = Source::Tokyo
        .parse(&utf16, &Departments::default())
        .unwrap_err();
    assert!(reason.contains("必要な列がありません"), "{reason}");
}
