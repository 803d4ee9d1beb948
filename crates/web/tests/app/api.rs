//! The JSON API answers what the page shows, and its OpenAPI document covers it.

use std::collections::BTreeSet;

use testkit::{TestApp, attrs};

async fn app_with_cases() -> TestApp {
    let app = TestApp::spawn().await;
    let mut cases: Vec<store::NewCase> = (1..=25).map(testkit::fixtures::case).collect();
    cases[3].title = "広報誌の印刷物製作".into();
    cases[3].description = "広報誌の印刷。".into();
    cases[4].status = domain::CaseStatus::Draft;
    app.db
        .store()
        .upsert_cases(&cases, 1_000)
        .await
        .expect("cases");
    app.indexed().await;
    app
}

#[tokio::test]
async fn the_api_answers_the_same_search_as_the_page() {
    let app = app_with_cases().await;
    let query = "q=%E6%B8%85%E6%8E%83&prefecture=13&sort=deadline";
    let body: serde_json::Value = app
        .get(&format!("/api/v1/cases?{query}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["total"], 23,
        "25 cases, one about printing, one a draft"
    );
    assert_eq!(body["page"], 1);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    let first = &items[0];
    assert_eq!(first["kind"], "public_tender");
    assert_eq!(first["category_label"], "役務");
    assert_eq!(first["prefecture"]["code"], "13");
    assert_eq!(first["prefecture"]["name"], "東京都");
    assert!(
        first["submission_deadline"]
            .as_str()
            .unwrap()
            .ends_with("+09:00")
    );
    assert_eq!(first["documents"][0]["title"], "入札説明書", "{first}");
    let facets = body["facets"].as_object().unwrap();
    for key in [
        "kind",
        "category",
        "procedure",
        "prefecture",
        "organization",
        "status",
    ] {
        assert!(facets.contains_key(key), "{key}");
    }
    assert_eq!(facets["kind"][0]["label"], "官公需・入札情報");
    // The page lists the same cases in the same order.
    let (_, page) = app.page(&format!("/cases?{query}")).await;
    let page_ids: Vec<String> = attrs(&page, ".result__title a", "href")
        .into_iter()
        .map(|h| h.trim_start_matches("/cases/").to_owned())
        .collect();
    let api_ids: Vec<String> = items.iter().map(|i| i["id"].to_string()).collect();
    assert_eq!(page_ids, api_ids);
}

#[tokio::test]
async fn one_case_by_id_and_a_json_404_for_the_rest() {
    let app = app_with_cases().await;
    let cases = app.db.store().cases_changed_since(0, 100).await.unwrap();
    let public = cases.iter().find(|c| c.fields.status.is_public()).unwrap();
    let draft = cases.iter().find(|c| !c.fields.status.is_public()).unwrap();
    let body: serde_json::Value = app
        .get(&format!("/api/v1/cases/{}", public.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["id"], public.id);
    assert_eq!(body["url"], app.url(&format!("/cases/{}", public.id)));
    for path in [
        format!("/api/v1/cases/{}", draft.id),
        "/api/v1/cases/nope".to_owned(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 404, "{path}");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "not_found");
        assert!(e["error"]["message"].as_str().unwrap().contains("案件"));
    }
}

#[tokio::test]
async fn a_bad_parameter_is_a_json_400_with_a_japanese_message() {
    let app = app_with_cases().await;
    let r = app.get("/api/v1/cases?per_page=5000").await;
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "bad_request");
    assert!(e["error"]["message"].as_str().unwrap().contains("表示件数"));
}

#[tokio::test]
async fn the_case_answers_are_what_the_document_says() {
    let app = app_with_cases().await;
    let seen = crate::conformance::Conformance::of(&app).await;
    let cases = app.db.store().cases_changed_since(0, 100).await.unwrap();
    let public = cases.iter().find(|c| c.fields.status.is_public()).unwrap();
    for path in [
        "/api/v1/cases".to_owned(),
        "/api/v1/cases?q=%E6%B8%85%E6%8E%83&prefecture=13&sort=deadline&per_page=5".to_owned(),
        "/api/v1/cases?per_page=5000".to_owned(),
        format!("/api/v1/cases/{}", public.id),
        "/api/v1/cases/nope".to_owned(),
        "/api/v1/ocds/releases?limit=2".to_owned(),
        "/api/v1/ocds/releases?limit=0".to_owned(),
        "/api/v1/ocds/releases/nope".to_owned(),
        "/api/v1/openapi.json".to_owned(),
    ] {
        let r = app.get(&path).await;
        let status = r.status().as_u16();
        seen.saw("GET", &path, status, &r.json().await.unwrap());
    }
    seen.check();
}

/// (method, path) of every operation the document describes.
fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            methods
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// (method, path) of every route under /api/v1, from the table the router
/// itself is built from.
fn routed() -> BTreeSet<(String, String)> {
    web::auth::route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
        .collect()
}

#[tokio::test]
async fn every_api_route_is_documented_with_its_method_and_every_documented_operation_is_a_route() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let (routed, documented) = (routed(), documented(&doc));
    assert!(
        routed.contains(&("GET".to_owned(), "/api/v1/cases".to_owned())),
        "the route table has the API: {routed:?}"
    );
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented operations no route serves: {unrouted:?}"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_search_parameters_errors_and_stored_codes() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let params = doc["paths"]["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not documented"))
    };
    for name in [
        "q",
        "kind",
        "category",
        "procedure",
        "prefecture",
        "organization",
        "status",
        "deadline_from",
        "deadline_to",
        "sort",
        "page",
        "per_page",
    ] {
        assert_eq!(param(name)["in"], "query", "{name}");
    }
    // Enumerations are the domain's own lists.
    let kinds: Vec<&str> = domain::CaseKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        param("kind")["schema"]["items"]["enum"],
        serde_json::json!(kinds)
    );
    let schemas = &doc["components"]["schemas"];
    let procedures: Vec<&str> = domain::Procedure::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        schemas["Case"]["properties"]["procedure"]["enum"],
        serde_json::json!(procedures)
    );
    // Every error answer is the one error body.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    assert_eq!(
                        answer["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/Error",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert_eq!(
        schemas["Error"]["properties"]["error"]["required"],
        serde_json::json!(["code", "message"])
    );
    // Every $ref points at a schema that exists.
    let text = doc.to_string();
    for part in text.split("#/components/schemas/").skip(1) {
        let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(schemas.get(&name).is_some(), "missing schema {name}");
    }
}

#[tokio::test]
async fn a_cookie_write_to_the_api_needs_the_csrf_header_or_json_and_a_bearer_call_needs_neither() {
    use domain::tender::Schedule;
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let kek = seal::Kek::generate().expect("kek");
    let now = web::auth::now_ms();
    let h = 3_600_000;
    let terms = testkit::tenders::Terms {
        schedule: Schedule {
            published_at: now - 4 * h,
            application_deadline: now - 3 * h,
            qualification_notice_at: now - 3 * h,
            bidding_opens_at: now - 2 * h,
            bid_deadline: now + h,
            opening_at: now + 2 * h,
        },
        ceiling_yen: 1_000_000,
        ceiling_public: true,
        minimum_yen: None,
    };
    let id = testkit::tenders::published_case(store, &kek, terms, 1, now - 5 * h).await;
    let (a, _) = testkit::tenders::nominated_bidder(store, id, 1, now).await;
    let (b, _) = testkit::tenders::nominated_bidder(store, id, 2, now).await;
    let (c, _) = testkit::tenders::nominated_bidder(store, id, 3, now).await;
    let url = app.url(&format!("/api/v1/tenders/{id}/decline"));
    let declined = || async { store.sealed_bids(id).await.unwrap().len() };

    // What a form on another site can send: the cookie, a form body, no token.
    let s = testkit::people::session(store, Some(a)).await;
    for (name, bad) in [
        (
            "a form",
            TestApp::new_client().post(&url).form(&[("confirm", "1")]),
        ),
        (
            "plain text",
            TestApp::new_client()
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
        ),
        ("no body", TestApp::new_client().post(&url)),
        (
            "a wrong token",
            TestApp::new_client()
                .post(&url)
                .header("x-csrf-token", "forged")
                .form(&[("confirm", "1")]),
        ),
    ] {
        let r = bad.header("cookie", &s.cookie).send().await.unwrap();
        assert_eq!(r.status(), 403, "{name}");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "forbidden", "{name}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("X-CSRF-Token"),
            "{name}: {e}"
        );
        assert_eq!(declined().await, 0, "{name}: nothing changed");
    }
    // With the session's token in the header it goes through.
    let r = TestApp::new_client()
        .post(&url)
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .form(&[("confirm", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // JSON with the cookie works as before.
    let s = testkit::people::session(store, Some(b)).await;
    let r = TestApp::new_client()
        .post(&url)
        .header("cookie", &s.cookie)
        .header("content-type", "application/json; charset=utf-8")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // An API token needs neither.
    let token = "cnv_api-csrf-test-token";
    store
        .create_api_token(
            c,
            "連携",
            &domain::audit::token_hash(token),
            &store::Actor::cli("test"),
            now,
        )
        .await
        .unwrap();
    let r = TestApp::new_client()
        .post(&url)
        .bearer_auth(token)
        .form(&[("confirm", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(declined().await, 3);
    // The document says so.
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["csrf"]["name"],
        "X-CSRF-Token"
    );
    let decline = &doc["paths"]["/api/v1/tenders/{id}/decline"]["post"];
    assert!(
        decline["security"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.get("csrf").is_some())
    );
}
