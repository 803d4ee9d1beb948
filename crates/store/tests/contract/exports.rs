//! Exports of personal data: each destination's starting point, and the
//! values an export could not hold, kept with it.

use store::{Actor, EXPORT_COMPANIES, ExportProblem, NewExport};

fn export<'a>(
    destination: Option<&'a str>,
    watermark: i64,
    problems: &'a [ExportProblem],
) -> NewExport<'a> {
    NewExport {
        kind: EXPORT_COMPANIES,
        format: "csv-cp932",
        destination,
        since: None,
        watermark,
        rows: 1,
        problems,
    }
}

on_both_engines!(
    each_destination_has_its_own_starting_point_and_problems_stay_with_their_export,
    |store| {
        let actor = Actor::cli("test");
        let problem = ExportProblem {
            company_id: 7,
            company: "𠮷田製作所".into(),
            field: "会社名".into(),
            characters: "𠮷".into(),
        };
        let crm = store
            .record_export(
                &export(Some("crm"), 100, std::slice::from_ref(&problem)),
                &actor,
                100,
            )
            .await
            .unwrap();
        store
            .record_export(&export(Some("mail"), 200, &[]), &actor, 200)
            .await
            .unwrap();
        store
            .record_export(&export(None, 300, &[]), &actor, 300)
            .await
            .unwrap();
        let last = |to: &'static str| {
            let store = store.clone();
            async move {
                store
                    .last_export_to(EXPORT_COMPANIES, to)
                    .await
                    .unwrap()
                    .map(|e| e.watermark)
            }
        };
        assert_eq!(
            last("crm").await,
            Some(100),
            "the ad-hoc export moved nothing"
        );
        assert_eq!(last("mail").await, Some(200));
        assert_eq!(last("nowhere").await, None);
        let destinations: Vec<Option<String>> = store
            .export_destinations(EXPORT_COMPANIES)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.destination)
            .collect();
        assert_eq!(destinations, [Some("crm".into()), Some("mail".into())]);
        assert_eq!(store.export_problems(crm).await.unwrap(), [problem]);
        assert_eq!(store.exports(EXPORT_COMPANIES, 10).await.unwrap().len(), 3);
        assert_eq!(store.verify_audit_chain().await.unwrap().first_broken, None);
    }
);
