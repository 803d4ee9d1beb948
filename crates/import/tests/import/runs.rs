//! A run ends as failed with its reason whatever happens inside it — a panic
//! included — and a run that stops showing progress is found abandoned; the
//! date forms real notices use go through whole.

use super::*;
use domain::{CaseDate, When};

on_both_engines!(
    a_panic_inside_a_run_marks_it_failed_and_the_next_run_goes_on,
    |store| {
        let out = import::run_documents_with(
            &store,
            Source::Kkj,
            "test:panic",
            &[b"<Results/>".to_vec()],
            &|_, _| panic!("byte index 10 is not a char boundary"),
            || NOW,
            &mut |_| {},
        )
        .await
        .expect("the run returns instead of unwinding");
        let reason = out.error.expect("failed");
        assert!(reason.contains("内部エラー"), "{reason}");
        assert!(reason.contains("char boundary"), "{reason}");
        let run = store.import_run(out.run_id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Failed, "not left as 実行中");
        assert_eq!(run.finished_at, Some(NOW));
        let health = store.import_health().await.unwrap();
        assert!(health[0].is_failing(NOW));
        // The source's next run is not held back by the failed one.
        let next = import(
            &store,
            Source::Kkj,
            "kkj/handwritten-examples/detail-pdf.xml",
        )
        .await;
        assert_eq!(next.error, None);
        let health = store.import_health().await.unwrap();
        assert!(!health[0].is_failing(NOW));
        assert_eq!(health[0].last_success, Some(NOW));
    }
);

on_both_engines!(
    a_run_that_shows_no_progress_for_an_hour_is_marked_failed,
    |store| {
        let hour = store::SILENT_RUN_MS;
        let silent = store
            .start_import_run("tokyo", "test", NOW - 2 * hour)
            .await
            .unwrap();
        let alive = store
            .start_import_run("kkj", "test", NOW - 2 * hour)
            .await
            .unwrap();
        store
            .record_import_progress(alive, &store::RunCounts::default(), NOW - 60_000)
            .await
            .unwrap();
        let health = store.import_health().await.unwrap();
        let of = |s: &str| {
            health
                .iter()
                .find(|h| h.newest.source == s)
                .unwrap()
                .clone()
        };
        assert!(of("tokyo").is_failing(NOW), "silent for two hours");
        assert!(!of("kkj").is_failing(NOW), "showed progress a minute ago");
        assert_eq!(
            store
                .abandon_silent_import_runs(NOW - hour, NOW)
                .await
                .unwrap(),
            1
        );
        let run = store.import_run(silent).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Failed);
        assert!(run.error.unwrap().contains("応答がなくなりました"));
        let run = store.import_run(alive).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Running);
    }
);

on_both_engines!(
    listings_with_the_date_forms_of_real_notices_import_whole,
    |store| {
        tokyo_master(&store).await;
        // Each of these made the importer panic (a byte index inside 年).
        let csv = "案件番号,件名,種目,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL
R1,令和元年の案件,委託,清掃,一般競争入札,0101,,令和元年5月7日,,,,新宿区,B,
R10,令和10年の案件,委託,清掃,一般競争入札,0101,,令和8年4月1日,,令和10年1月31日,,新宿区,B,
H31,平成31年の案件,委託,清掃,一般競争入札,0101,,平成31年4月30日,,,,新宿区,B,
W1,西暦の案件,委託,清掃,一般競争入札,0101,,2026年5月1日,,\"令和8年5月22日（金） 10時30分\",令和8年5月25日 午後2時,新宿区,B,
BAD,読めない時刻,委託,清掃,一般競争入札,0101,,2026年5月1日,,令和8年5月22日 午後,,新宿区,B,
";
        let out = import_bytes(&store, Source::Tokyo, "dates.csv", csv.as_bytes()).await;
        assert_eq!(out.error, None);
        assert_eq!((out.counts.inserted, out.counts.rejected), (4, 1));
        let quarantined = store.quarantined(out.run_id).await.unwrap();
        assert_eq!(quarantined[0].source_key.as_deref(), Some("BAD"));
        assert!(
            quarantined[0].reason.contains("入札締切"),
            "{}",
            quarantined[0].reason
        );
        let mut cases = store.cases_with_seq(1).await.unwrap();
        cases.sort_by(|a, b| a.fields.source_key.cmp(&b.fields.source_key));
        let by = |k: &str| {
            cases
                .iter()
                .find(|c| c.fields.source_key == k)
                .unwrap()
                .fields
                .clone()
        };
        assert_eq!(
            by("R1").when(CaseDate::Published),
            Some(When::Day(2019, 5, 7))
        );
        assert_eq!(
            by("R10").when(CaseDate::SubmissionDeadline),
            Some(When::Day(2028, 1, 31)),
            "a day, with no time invented"
        );
        assert_eq!(
            by("R10").submission_deadline,
            Some(When::Day(2028, 1, 31).end_ms()),
            "open until the day's end"
        );
        assert_eq!(
            by("H31").when(CaseDate::Published),
            Some(When::Day(2019, 4, 30))
        );
        let w1 = by("W1");
        assert_eq!(w1.when(CaseDate::Published), Some(When::Day(2026, 5, 1)));
        assert_eq!(
            w1.when(CaseDate::SubmissionDeadline),
            Some(When::At(domain::time::jst_to_ms(2026, 5, 22, 10, 30)))
        );
        assert_eq!(
            w1.when(CaseDate::Opening),
            Some(When::At(domain::time::jst_to_ms(2026, 5, 25, 14, 0)))
        );
    }
);

on_both_engines!(
    records_with_links_other_than_http_and_https_are_set_aside_with_the_reason,
    |store| {
        let kkj = r#"<Results><SearchResults>
<SearchResult><Key>GOOD</Key><ProjectName>清掃</ProjectName><OrganizationName>テスト市</OrganizationName>
<ExternalDocumentURI>https://www.city.example.jp/n/1.pdf</ExternalDocumentURI></SearchResult>
<SearchResult><Key>JS</Key><ProjectName>清掃</ProjectName><OrganizationName>テスト市</OrganizationName>
<ExternalDocumentURI>javascript:alert(1)</ExternalDocumentURI></SearchResult>
<SearchResult><Key>DATA</Key><ProjectName>清掃</ProjectName><OrganizationName>テスト市</OrganizationName>
<Attachments><Attachment><Name>仕様書</Name><Uri>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</Uri></Attachment></Attachments></SearchResult>
</SearchResults></Results>"#;
        let out = import_bytes(&store, Source::Kkj, "links.xml", kkj.as_bytes()).await;
        assert_eq!((out.counts.inserted, out.counts.rejected), (1, 2));
        let set_aside = store.quarantined(out.run_id).await.unwrap();
        assert!(
            set_aside
                .iter()
                .all(|q| q.reason.contains("http または https")),
            "{set_aside:?}"
        );

        let ocds = serde_json::json!({"releases": [{
            "ocid": "ocds-test-1", "id": "1", "date": "2026-05-01T00:00:00Z", "tag": ["tender"],
            "buyer": {"name": "テスト市"},
            "tender": {"title": "清掃", "documents": [{"id": "d", "url": "vbscript:msgbox(1)"}]}
        }]});
        let out = import_bytes(
            &store,
            Source::Ocds,
            "links.json",
            ocds.to_string().as_bytes(),
        )
        .await;
        assert_eq!((out.counts.inserted, out.counts.rejected), (0, 1));

        tokyo_master(&store).await;
        let csv = "案件番号,件名,種目,業種,入札方式,契約部署コード,契約部署名,公告日,参加申請締切,入札締切,開札日時,履行場所,等級,URL
T1,清掃,委託,清掃,一般競争入札,0101,,2026/05/01,,,,新宿区,B,javascript:alert(1)
";
        let out = import_bytes(&store, Source::Tokyo, "links.csv", csv.as_bytes()).await;
        assert_eq!((out.counts.inserted, out.counts.rejected), (0, 1));
    }
);

/// A kkj answer of `n` records, written to a file.
fn kkj_file(dir: &std::path::Path, n: usize, cut_at: Option<usize>) -> std::path::PathBuf {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Results><SearchResults><SearchHits>",
    );
    doc.push_str(&n.to_string());
    doc.push_str("</SearchHits>");
    for i in 0..n {
        doc.push_str(&format!(
            "<SearchResult><Key>K{i}</Key><ProjectName>庁舎清掃業務委託 第{i}号</ProjectName>\
             <OrganizationName>テスト市</OrganizationName><ProjectDescription>{}</ProjectDescription></SearchResult>",
            "仕様は別紙のとおり。".repeat(i % 7 + 1)
        ));
    }
    doc.push_str("</SearchResults></Results>");
    let bytes = match cut_at {
        Some(at) => &doc.as_bytes()[..at],
        None => doc.as_bytes(),
    };
    let path = dir.join(format!("kkj-{n}-{}.xml", cut_at.unwrap_or(0)));
    std::fs::write(&path, bytes).expect("write the answer");
    path
}

on_both_engines!(
    a_kkj_file_is_read_record_by_record_and_stored_batch_by_batch,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let path = kkj_file(dir.path(), 1_234, None);
        let out = import::run_file(&store, Source::Kkj, "big.xml", &path, || NOW, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(out.error, None);
        assert_eq!(
            (out.counts.seen, out.counts.inserted, out.counts.expected),
            (1_234, 1_234, Some(1_234))
        );
        assert_eq!(store.count_cases().await.unwrap(), 1_234);
        // The same file again changes nothing.
        let again = import::run_file(&store, Source::Kkj, "big.xml", &path, || NOW, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(again.counts.unchanged, 1_234);

        // A file that breaks off: what was read before is stored, the run
        // failed with the reason and how far it got.
        let whole = std::fs::read(kkj_file(dir.path(), 1_200, None)).unwrap();
        let cut = kkj_file(dir.path(), 1_200, Some(whole.len() * 3 / 4));
        let broken = import::run_file(&store, Source::Kkj, "cut.xml", &cut, || NOW, &mut |_| {})
            .await
            .unwrap();
        let reason = broken.error.expect("failed");
        assert!(reason.contains("XML"), "{reason}");
        assert!(broken.counts.seen > 500, "{:?}", broken.counts);
        assert!(
            reason.contains(&format!("それまでの{}件", broken.counts.seen)),
            "{reason}"
        );
        let run = store.import_run(broken.run_id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Failed);

        // A file that is not there: a failed run that says so.
        let missing = import::run_file(
            &store,
            Source::Kkj,
            "missing.xml",
            &dir.path().join("missing.xml"),
            || NOW,
            &mut |_| {},
        )
        .await
        .unwrap();
        assert!(missing.error.unwrap().contains("ファイルを読めません"));
    }
);

on_both_engines!(
    the_answers_of_a_split_search_are_read_one_file_after_another_in_one_run,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let first = kkj_file(dir.path(), 300, None);
        // A second answer with other keys.
        let second = dir.path().join("second.xml");
        let text = std::fs::read_to_string(kkj_file(dir.path(), 200, None)).unwrap();
        std::fs::write(&second, text.replace("<Key>K", "<Key>L")).unwrap();
        let out = import::run_files(
            &store,
            Source::Kkj,
            "split",
            &[first.as_path(), second.as_path()],
            || NOW,
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(out.error, None);
        assert_eq!(
            (out.counts.seen, out.counts.inserted, out.counts.expected),
            (500, 500, Some(500))
        );
        assert_eq!(store.count_cases().await.unwrap(), 500);

        // An answer that breaks off: the run fails naming which answer.
        let whole = std::fs::read(kkj_file(dir.path(), 100, None)).unwrap();
        let cut = kkj_file(dir.path(), 100, Some(whole.len() / 2));
        let broken = import::run_files(
            &store,
            Source::Kkj,
            "split",
            &[first.as_path(), cut.as_path(), second.as_path()],
            || NOW,
            &mut |_| {},
        )
        .await
        .unwrap();
        let reason = broken.error.expect("failed");
        assert!(reason.starts_with("2件目の応答："), "{reason}");

        // A missing answer fails the run before anything is stored.
        let missing = import::run_files(
            &store,
            Source::Kkj,
            "split",
            &[first.as_path(), &dir.path().join("gone.xml")],
            || NOW,
            &mut |_| {},
        )
        .await
        .unwrap();
        assert!(missing.error.unwrap().contains("ファイルを読めません"));
        assert_eq!(missing.counts.seen, 0);
    }
);
