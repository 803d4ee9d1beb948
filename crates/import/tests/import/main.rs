//! The importers on the samples as they are (crates/import/tests/samples,
//! provenance in PROVENANCE.md), against SQLite and PostgreSQL alike.

use import::{RunOutcome, Source};
use store::{RunStatus, Store};

macro_rules! on_both_engines {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let db = testkit::TestDb::sqlite().await;
                let $store = db.store().clone();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let db = testkit::TestDb::postgres().await;
                let $store = db.store().clone();
                $body
            }
        }
    };
}

fn sample(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/samples/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

const NOW: i64 = 1_800_000_000_000;

async fn import(store: &Store, source: Source, path: &str) -> RunOutcome {
    import_bytes(store, source, path, &sample(path)).await
}

async fn import_bytes(store: &Store, source: Source, origin: &str, bytes: &[u8]) -> RunOutcome {
    import::run(store, source, origin, bytes, || NOW, &mut |_| {})
        .await
        .expect("import")
}

on_both_engines!(
    kkj_records_are_imported_once_and_unchanged_ones_left_alone,
    |store| {
        let first = import(
            &store,
            Source::Kkj,
            "kkj/handwritten-examples/detail-pdf.xml",
        )
        .await;
        assert_eq!(first.error, None);
        assert_eq!((first.counts.inserted, first.counts.rejected), (1, 0));
        let again = import(
            &store,
            Source::Kkj,
            "kkj/handwritten-examples/detail-pdf.xml",
        )
        .await;
        assert_eq!((again.counts.inserted, again.counts.unchanged), (0, 1));
        assert_eq!(store.count_cases().await.unwrap(), 1);
        let run = store.import_run(first.run_id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Succeeded);
        assert_eq!(run.source, "kkj");
        assert_eq!(run.percent(), Some(100));
        let case = store.cases_with_seq(1).await.unwrap().remove(0);
        assert_eq!(case.fields.title, "テスト第一学校校舎改修工事");
        assert_eq!(
            case.fields.source_key,
            "dGVzdF9rZXlfZm9yX21vY2tfZGF0YV8wMDE="
        );
        assert_eq!(case.fields.category, domain::Category::Construction);
        assert_eq!(
            case.fields.prefecture_code, None,
            "LgCode 99 is no prefecture"
        );
        assert_eq!(case.fields.municipality_name.as_deref(), Some("テスト市"));
        assert!(case.fields.description.contains("耐震化対策"));
    }
);

on_both_engines!(
    kkj_records_without_a_key_are_set_aside_with_the_reason_and_raw_text,
    |store| {
        let out = import(
            &store,
            Source::Kkj,
            "kkj/handwritten-examples/search-multiple.xml",
        )
        .await;
        assert_eq!(out.error, None, "a bad record does not fail the run");
        assert_eq!((out.counts.inserted, out.counts.rejected), (0, 3));
        let set_aside = store.quarantined(out.run_id).await.unwrap();
        assert_eq!(set_aside.len(), 3);
        assert!(
            set_aside[0].reason.contains("Key"),
            "{}",
            set_aside[0].reason
        );
        assert!(set_aside[0].raw.contains("テスト第一学校校舎改修工事"));
        assert!(set_aside[0].raw.starts_with("<SearchResult>"));
        // Mixed documents: the good record goes in, the bad one aside.
        let mut mixed =
            String::from_utf8(sample("kkj/handwritten-examples/detail-html.xml")).unwrap();
        let bad = "<SearchResult><Key>K-bad</Key><ProjectName>日付の壊れた案件</ProjectName><OrganizationName>某市</OrganizationName><CftIssueDate>2025-13-45</CftIssueDate></SearchResult>";
        mixed = mixed.replace("</SearchResults>", &format!("{bad}</SearchResults>"));
        let out = import_bytes(&store, Source::Kkj, "mixed.xml", mixed.as_bytes()).await;
        assert_eq!((out.counts.inserted, out.counts.rejected), (1, 1));
        let set_aside = store.quarantined(out.run_id).await.unwrap();
        assert_eq!(set_aside[0].source_key.as_deref(), Some("K-bad"));
        assert!(set_aside[0].reason.contains("2025-13-45"));
    }
);

on_both_engines!(an_empty_result_and_an_unreadable_document, |store| {
    let empty = import(
        &store,
        Source::Kkj,
        "kkj/handwritten-examples/search-empty.xml",
    )
    .await;
    assert_eq!((empty.error, empty.counts.seen), (None, 0));
    let broken = import_bytes(
        &store,
        Source::Kkj,
        "broken.xml",
        b"<Results><SearchResults>",
    )
    .await;
    let reason = broken.error.expect("failed");
    assert!(reason.contains("XML"), "{reason}");
    let run = store.import_run(broken.run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(
        store.quarantined(broken.run_id).await.unwrap()[0].raw,
        "<Results><SearchResults>"
    );
    assert_eq!(store.count_cases().await.unwrap(), 0);
});

on_both_engines!(
    an_amended_kkj_record_is_updated_and_its_change_kept,
    |store| {
        import(
            &store,
            Source::Kkj,
            "kkj/handwritten-examples/detail-pdf.xml",
        )
        .await;
        let amended = String::from_utf8(sample("kkj/handwritten-examples/detail-pdf.xml"))
            .unwrap()
            .replace(
                "テスト第一学校校舎改修工事",
                "テスト第一学校校舎改修工事（訂正）",
            );
        let out = import_bytes(&store, Source::Kkj, "amended.xml", amended.as_bytes()).await;
        assert_eq!(out.counts.updated, 1);
        let case = store.cases_with_seq(2).await.unwrap().remove(0);
        let history = store.case_history(case.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].1, Some(out.run_id));
        assert_eq!(history[0].2[0]["field"], "件名");
        assert_eq!(history[0].2[0]["before"], "テスト第一学校校舎改修工事");
        assert_eq!(
            history[0].2[0]["after"],
            "テスト第一学校校舎改修工事（訂正）"
        );
    }
);

on_both_engines!(
    an_ocds_release_package_becomes_one_case_with_its_award,
    |store| {
        let out = import(
            &store,
            Source::Ocds,
            "ocds/fictional-example-1.1/ocds-213czf-000-00001.json",
        )
        .await;
        assert_eq!(out.error, None);
        assert_eq!((out.counts.inserted, out.counts.rejected), (1, 0));
        let case = store.cases_with_seq(1).await.unwrap().remove(0);
        assert_eq!(case.fields.source_key, "ocds-213czf-000-00001");
        assert_eq!(case.fields.category, domain::Category::Construction);
        assert_eq!(case.fields.procedure, domain::Procedure::OpenCompetitive);
        assert_eq!(case.fields.organization_name, "London Borough of Barnet");
        assert_eq!(case.fields.status, domain::CaseStatus::Awarded);
        assert!(case.fields.submission_deadline.is_some());
        let results = store.case_results(case.id).await.unwrap();
        assert!(
            results
                .iter()
                .any(|r| r.kind == "award" && r.amount.is_some()),
            "{results:?}"
        );
    }
);

on_both_engines!(
    ocds_releases_one_at_a_time_amend_the_case_step_by_step,
    |store| {
        let mut counts = Vec::new();
        for name in [
            "01-planning",
            "02-tender",
            "03-tenderAmendment",
            "04-award",
            "05-contract",
            "06-implementation",
        ] {
            let out = import(
                &store,
                Source::Ocds,
                &format!("ocds/fictional-example-1.1/ocds-213czf-000-00001-{name}.json"),
            )
            .await;
            assert_eq!(out.counts.rejected, 0, "{name}: nothing set aside");
            counts.push((out.counts.inserted, out.counts.updated, out.counts.skipped));
        }
        // A planning release is not a tender: skipped, not an error. The
        // tender creates the case; the amendment and the award amend it; the
        // contract enriches it (its period, the contract signed); the
        // implementation changes nothing the case shows.
        assert_eq!(
            counts,
            [
                (0, 0, 1),
                (1, 0, 0),
                (0, 1, 0),
                (0, 1, 0),
                (0, 1, 0),
                (0, 0, 0)
            ]
        );
        let case = store
            .cases_with_seq(store.latest_case_seq().await.unwrap())
            .await
            .unwrap()
            .remove(0);
        assert_eq!(
            case.fields.status,
            domain::CaseStatus::Awarded,
            "the contract is active"
        );
        assert!(case.fields.period_end.is_some(), "the contract's period");
        assert_eq!(store.case_results(case.id).await.unwrap()[0].kind, "award");
        let history = store.case_history(case.id).await.unwrap();
        assert_eq!(history.len(), 3);
        // The amendment moved the deadline.
        let amendment = &history[2].2;
        assert!(
            amendment.iter().any(|c| c["field"] == "入札・提出の締切"),
            "{amendment:?}"
        );
        // The tender again, late: nothing reopens, nothing changes.
        let again = import(
            &store,
            Source::Ocds,
            "ocds/fictional-example-1.1/ocds-213czf-000-00001-02-tender.json",
        )
        .await;
        assert_eq!(
            (again.counts.updated, again.counts.unchanged),
            (0, 1),
            "a re-import that changes nothing is unchanged"
        );
        let same = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(same.fields.status, domain::CaseStatus::Awarded);
    }
);

on_both_engines!(
    ocds_releases_arriving_out_of_order_compile_as_in_date_order,
    |store| {
        // The award first, then the tender and its amendment: the case ends as
        // if they had come in date order, its award kept.
        let order = ["04-award", "02-tender", "03-tenderAmendment"];
        for name in order {
            import(
                &store,
                Source::Ocds,
                &format!("ocds/fictional-example-1.1/ocds-213czf-000-00001-{name}.json"),
            )
            .await;
        }
        let id = store.public_case_ids_after(0, 10).await.unwrap()[0];
        let shuffled = store.case(id).await.unwrap().unwrap();
        assert_eq!(store.case_results(id).await.unwrap()[0].kind, "award");

        let other = testkit::TestDb::sqlite().await;
        for name in ["02-tender", "03-tenderAmendment", "04-award"] {
            import(
                other.store(),
                Source::Ocds,
                &format!("ocds/fictional-example-1.1/ocds-213czf-000-00001-{name}.json"),
            )
            .await;
        }
        let id = other.store().public_case_ids_after(0, 10).await.unwrap()[0];
        let in_order = other.store().case(id).await.unwrap().unwrap();
        assert_eq!(shuffled.fields, in_order.fields);
    }
);

on_both_engines!(real_publishers_packages_are_imported, |store| {
    for path in [
        "ocds/real-world/australia-nsw/release-package-0.json",
        "ocds/real-world/australia-nsw/release-package-1.json",
        "ocds/real-world/paraguay/record-package-274231.json",
        "ocds/real-world/paraguay/record-package-280555.json",
        "ocds/fictional-example-1.1/record/ocds-213czf-000-00001.json",
    ] {
        let out = import(&store, Source::Ocds, path).await;
        assert_eq!(out.error, None, "{path}");
        assert!(
            out.counts.inserted + out.counts.updated + out.counts.unchanged >= 1,
            "{path}: {:?}",
            out.counts
        );
        let set_aside: Vec<String> = store
            .quarantined(out.run_id)
            .await
            .unwrap()
            .into_iter()
            .map(|q| q.reason)
            .collect();
        assert!(set_aside.is_empty(), "{path}: set aside: {set_aside:?}");
    }
    let paraguay = store.cases_with_seq(3).await.unwrap().remove(0);
    assert!(
        paraguay.fields.title.contains("ADQUISICIÓN"),
        "{}",
        paraguay.fields.title
    );
    let results = store.case_results(paraguay.id).await.unwrap();
    assert!(
        results
            .iter()
            .any(|r| r.kind == "award" && r.currency.as_deref() == Some("PYG")),
        "{results:?}"
    );
});

async fn tokyo_master(store: &Store) {
    let actor = store::Actor::cli("test");
    let tokyo = store
        .add_ordering_organization("東京都", "トウキョウト", &actor, NOW)
        .await
        .expect("master");
    for (code, name) in [
        ("0101", "財務局経理部契約第一課"),
        ("0102", "財務局経理部契約第二課"),
    ] {
        store
            .add_contract_department(tokyo, code, name, &actor, NOW)
            .await
            .expect("master");
    }
    let hachioji = store
        .add_ordering_organization("八王子市", "ハチオウジシ", &actor, NOW)
        .await
        .expect("master");
    store
        .add_contract_department(hachioji, "K01", "総務部契約課", &actor, NOW)
        .await
        .expect("master");
}

fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../docs/formats/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

on_both_engines!(
    the_tokyo_listing_in_shift_jis_maps_departments_and_sets_unknown_codes_aside,
    |store| {
        tokyo_master(&store).await;
        let utf8 = String::from_utf8(example("tokyo.csv")).unwrap();
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&utf8);
        let out = import_bytes(&store, Source::Tokyo, "tokyo.csv", &sjis).await;
        assert_eq!(out.error, None);
        // 0201 (建設局) is not in this master: that row waits in the quarantine.
        assert_eq!((out.counts.inserted, out.counts.rejected), (2, 1));
        let set_aside = store.quarantined(out.run_id).await.unwrap();
        assert_eq!(set_aside[0].source_key.as_deref(), Some("2026-0003"));
        assert!(set_aside[0].reason.contains("0201"));
        assert!(set_aside[0].raw.contains("都道補修工事"));
        let case = store.cases_with_seq(1).await.unwrap().remove(0);
        assert_eq!(case.fields.source, "tokyo");
        assert_eq!(case.fields.organization_name, "東京都");
        assert!(case.fields.contract_department_id.is_some());
        // The same file in UTF-8 with a BOM changes nothing.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(utf8.as_bytes());
        let again = import_bytes(&store, Source::Tokyo, "tokyo-utf8.csv", &bom).await;
        assert_eq!((again.counts.unchanged, again.counts.inserted), (2, 0));
    }
);

on_both_engines!(
    the_municipal_listing_keys_cases_by_body_and_number,
    |store| {
        tokyo_master(&store).await;
        let out = import_bytes(
            &store,
            Source::TokyoMunicipal,
            "m.csv",
            &example("tokyo-municipal.csv"),
        )
        .await;
        assert_eq!(out.error, None);
        // 千代田区 is not in this master, but its row names no department code:
        // it comes in without an organisation link rather than waiting.
        assert_eq!((out.counts.inserted, out.counts.rejected), (2, 0));
        let cases = store.cases_with_seq(1).await.unwrap();
        assert_eq!(cases[0].fields.source_key, "132012-R8-101");
        assert_eq!(cases[0].fields.source, "tokyo_municipal");
        assert_eq!(
            cases[0].fields.municipality_name.as_deref(),
            Some("八王子市")
        );
        assert!(cases[0].fields.contract_department_id.is_some());
        assert_eq!(cases[1].fields.source_key, "131016-2026-55");
        assert_eq!(cases[1].fields.organization_id, None);
    }
);

on_both_engines!(
    a_yearly_master_update_recodes_merges_and_abolishes_and_moves_what_refers_to_them,
    |store| {
        let actor = store::Actor::cli("test");
        let org = store
            .add_ordering_organization("東京都", "トウキョウト", &actor, NOW)
            .await
            .unwrap();
        let mut ids = std::collections::HashMap::new();
        for (code, name) in [
            ("0101", "契約第一課"),
            ("0102", "契約第二課"),
            ("0103", "契約第三課"),
            ("0200", "建設局契約課"),
            ("0400", "水道局契約課"),
        ] {
            ids.insert(
                code,
                store
                    .add_contract_department(org, code, name, &actor, NOW)
                    .await
                    .unwrap(),
            );
        }
        // Cases that refer to departments about to change.
        for (n, code) in [(1, "0102"), (2, "0103"), (3, "0200"), (4, "0400")] {
            let mut c = testkit::fixtures::case(n);
            c.contract_department_id = Some(ids[code]);
            store.upsert_case(&c, NOW).await.unwrap();
        }
        let csv = "発注機関,契約部署コード,契約部署名,旧契約部署コード\n\
               東京都,0101,契約第一課,\n\
               東京都,0110,契約課,0102;0103\n\
               東京都,0201,建設局総務部契約課,0200\n\
               東京都,0500,デジタル局契約課,\n";
        let update = store
            .create_master_update(2027, csv, None, NOW)
            .await
            .unwrap();
        let rows = import::departments::parse(csv.as_bytes()).unwrap();
        let mut current = std::collections::HashMap::new();
        current.insert(org, store.contract_departments(org).await.unwrap());
        let plan = import::departments::plan(
            &rows,
            &store.ordering_organizations().await.unwrap(),
            &current,
        );
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        // 0400 is abolished; its case moves to 0500.
        let moves = std::collections::HashMap::from([(ids["0400"], "0500".to_owned())]);
        let (ops, changes) = import::departments::operations(&plan, &moves);
        store
            .apply_master_update(update, &ops, &changes, &actor, NOW + 1)
            .await
            .unwrap();

        let after = store.contract_departments(org).await.unwrap();
        let active: Vec<&str> = after
            .iter()
            .filter(|d| d.active)
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            active
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            ["0101", "0110", "0201", "0500"].into_iter().collect()
        );
        let id_of = |code: &str| after.iter().find(|d| d.code == code).unwrap().id;
        assert_eq!(
            id_of("0201"),
            ids["0200"],
            "a recoded department keeps its row"
        );
        let mut case_dept = std::collections::HashMap::new();
        for n in 1..=4 {
            case_dept.insert(
                n,
                store
                    .case(n)
                    .await
                    .unwrap()
                    .unwrap()
                    .fields
                    .contract_department_id,
            );
        }
        assert_eq!(case_dept[&1], Some(id_of("0110")));
        assert_eq!(case_dept[&2], Some(id_of("0110")));
        assert_eq!(case_dept[&3], Some(ids["0200"]));
        assert_eq!(case_dept[&4], Some(id_of("0500")));
        // The history of the year, with what moved.
        let history = store.master_update_changes(update).await.unwrap();
        let merge = history.iter().find(|c| c.kind == "統合").unwrap();
        assert_eq!(
            (merge.old_code.as_deref(), merge.moved_cases),
            (Some("0102;0103"), 2)
        );
        let abolished = history.iter().find(|c| c.kind == "廃止").unwrap();
        assert_eq!(abolished.new_code.as_deref(), Some("0500"));
        assert_eq!(
            store.master_update(update).await.unwrap().unwrap().status,
            "applied"
        );
        // Applying twice is refused.
        assert!(matches!(
            store
                .apply_master_update(update, &ops, &changes, &actor, NOW + 2)
                .await,
            Err(store::StoreError::Stale)
        ));

        // A listing published before the update still carries the old codes:
        // each resolves through the history to today's department — the
        // merged one (not the retired 0102), the recoded one (not set aside),
        // the abolished one's successor.
        let listing = "案件番号,件名,種目,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL
OLD-1,統合前の課の案件,委託,清掃,一般競争入札,0102,,2026/05/01,,,,新宿区,B,
OLD-2,コード変更前の案件,委託,清掃,一般競争入札,0200,,2026/05/01,,,,新宿区,B,
OLD-3,廃止された課の案件,委託,清掃,一般競争入札,0400,,2026/05/01,,,,新宿区,B,
";
        let out = import_bytes(&store, Source::Tokyo, "old.csv", listing.as_bytes()).await;
        assert_eq!((out.counts.inserted, out.counts.rejected), (3, 0));
        let seq = store.latest_case_seq().await.unwrap();
        let imported = store.cases_with_seq(seq).await.unwrap();
        let dept = |key: &str| {
            imported
                .iter()
                .find(|c| c.fields.source_key == key)
                .and_then(|c| c.fields.contract_department_id)
        };
        assert_eq!(dept("OLD-1"), Some(id_of("0110")));
        assert_eq!(dept("OLD-2"), Some(ids["0200"]));
        assert_eq!(dept("OLD-3"), Some(id_of("0500")));
    }
);

mod runs;
