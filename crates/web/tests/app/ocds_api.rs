//! GET /api/v1/ocds/releases and /api/v1/ocds/releases/{ocid}: OCDS 1.1.5
//! packages of every public case, paged with a cursor, each case once.

use std::collections::BTreeMap;

use serde_json::Value;
use testkit::ocds::{Package, validate};
use testkit::{Backend, TestApp};

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../import/tests/samples/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app.get(path).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn every_case_once_through_the_cursor(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    for (source, path) in [
        (
            import::Source::Ocds,
            "ocds/fictional-example-1.1/ocds-213czf-000-00001.json",
        ),
        (
            import::Source::Ocds,
            "ocds/real-world/paraguay/record-package-274231.json",
        ),
        (
            import::Source::Ocds,
            "ocds/real-world/australia-nsw/release-package-0.json",
        ),
        (
            import::Source::Kkj,
            "kkj/handwritten-examples/search-multiple.xml",
        ),
    ] {
        let out = import::run(store, source, path, &sample(path), || 1_000, &mut |_| {})
            .await
            .expect("import");
        assert_eq!(out.error, None, "{path}");
    }
    let mut cases: Vec<store::NewCase> = (1..=23).map(testkit::fixtures::case).collect();
    cases[4].status = domain::CaseStatus::Draft;
    store.upsert_cases(&cases, 2_000).await.expect("cases");
    let public = store
        .public_case_ids_after(0, 10_000)
        .await
        .expect("ids")
        .len();

    // Page by page, seven at a time, following links.next.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut path = "/api/v1/ocds/releases?limit=7".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = json(&app, &path).await;
        assert_eq!(status, 200, "{page}");
        if let Err(e) = validate(&page, Package::Release) {
            panic!("{path}: {e}");
        }
        assert_eq!(page["extensions"][0], import::ocds_export::BIDS_EXTENSION);
        for r in page["releases"].as_array().expect("releases") {
            *seen
                .entry(r["ocid"].as_str().expect("ocid").to_owned())
                .or_default() += 1;
        }
        pages += 1;
        match page["links"]["next"].as_str() {
            Some(next) => {
                let at = next.find("/api/").expect("a link to this API");
                path = next[at..].to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), public, "every public case");
    assert!(
        seen.values().all(|n| *n == 1),
        "each exactly once: {seen:?}"
    );
    assert_eq!(pages, public.div_ceil(7));

    // An imported process keeps its publisher's identifiers, awards and language.
    let (_, all) = json(&app, "/api/v1/ocds/releases?limit=500").await;
    let paraguay = all["releases"]
        .as_array()
        .expect("present")
        .iter()
        .find(|r| r["ocid"].as_str().is_some_and(|o| o.contains("274231")))
        .expect("the Paraguayan process");
    assert_eq!(paraguay["language"], "es");
    let supplier = paraguay["parties"]
        .as_array()
        .expect("present")
        .iter()
        .find(|p| {
            p["roles"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == "supplier"))
        })
        .expect("a supplier");
    assert_eq!(supplier["identifier"]["id"], "80002612-8");
    assert_eq!(paraguay["awards"][0]["suppliers"][0]["id"], supplier["id"]);

    // `since` narrows to what changed at or after it.
    let (_, later) = json(&app, "/api/v1/ocds/releases?since=2100-01-01").await;
    assert_eq!(later["releases"].as_array().expect("present").len(), 0);

    // One process as a record package.
    let ocid = seen.keys().next().expect("present").clone();
    let (status, record) = json(&app, &format!("/api/v1/ocds/releases/{ocid}")).await;
    assert_eq!(status, 200);
    if let Err(e) = validate(&record, Package::Record) {
        panic!("{e}");
    }
    assert_eq!(record["records"][0]["ocid"], ocid.as_str());
    let (status, body) = json(&app, "/api/v1/ocds/releases/ocds-nope-1").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    // A draft is not published under its would-be ocid.
    let draft = cases[4].clone();
    let id = store
        .case_by_source_key(&draft.source, &draft.source_key)
        .await
        .expect("present")
        .expect("present")
        .id;
    let (status, _) = json(&app, &format!("/api/v1/ocds/releases/ocds-chancenavi-{id}")).await;
    assert_eq!(status, 404);

    // Bad paging is answered in Japanese, as JSON.
    for bad in ["cursor=zzz", "limit=0", "limit=100000", "since=yesterday"] {
        let (status, body) = json(&app, &format!("/api/v1/ocds/releases?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "bad_request", "{bad}");
    }
    // The check can fail: a release without its ocid does not pass.
    let mut broken = all.clone();
    broken["releases"][0]
        .as_object_mut()
        .expect("present")
        .remove("ocid");
    assert!(validate(&broken, Package::Release).is_err());
    app.shutdown().await;
}

#[tokio::test]
async fn paging_the_ocds_releases_returns_every_public_case_once_valid_on_sqlite() {
    every_case_once_through_the_cursor(Backend::Sqlite).await;
}

#[tokio::test]
async fn paging_the_ocds_releases_returns_every_public_case_once_valid_on_postgres() {
    every_case_once_through_the_cursor(Backend::Postgres).await;
}
