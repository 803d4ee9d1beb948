//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`. Errors are `{"error": {"code": …, "message": …}}`
//! (the error-page middleware writes them for every path under `/api/`).

mod ocds;
mod openapi;
mod tenders;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::CaseDate;
use serde_json::{Value, json};
use store::Case;

use crate::actions::tenders::{BIDDERS, ORG_STAFF};
use crate::auth::{Guarded, PUBLIC};

use crate::{AppState, WebError};

pub fn routes(g: Guarded) -> Guarded {
    g.get("/api/v1/cases", PUBLIC, get(list))
        .get("/api/v1/cases/{id}", PUBLIC, get(one))
        .get("/api/v1/openapi.json", PUBLIC, get(openapi::document))
        .get("/api/v1/ocds/releases", PUBLIC, get(ocds::releases))
        .get("/api/v1/ocds/releases/{ocid}", PUBLIC, get(ocds::record))
        .post("/api/v1/tenders", ORG_STAFF, post(tenders::create))
        .get("/api/v1/tenders/{id}", PUBLIC, get(tenders::show))
        .post("/api/v1/tenders/{id}", ORG_STAFF, post(tenders::update))
        .post(
            "/api/v1/tenders/{id}/publish",
            ORG_STAFF,
            post(tenders::publish),
        )
        .post(
            "/api/v1/tenders/{id}/amend",
            ORG_STAFF,
            post(tenders::amend),
        )
        .post(
            "/api/v1/tenders/{id}/cancel",
            ORG_STAFF,
            post(tenders::cancel),
        )
        .get(
            "/api/v1/tenders/{id}/participants",
            ORG_STAFF,
            get(tenders::participants),
        )
        .post(
            "/api/v1/tenders/{id}/decisions",
            ORG_STAFF,
            post(tenders::decide),
        )
        .post(
            "/api/v1/tenders/{id}/nominations",
            ORG_STAFF,
            post(tenders::nominate),
        )
        .post(
            "/api/v1/tenders/{id}/scores",
            ORG_STAFF,
            post(tenders::score),
        )
        .post(
            "/api/v1/tenders/{id}/answers",
            ORG_STAFF,
            post(tenders::answer),
        )
        .post("/api/v1/tenders/{id}/open", ORG_STAFF, post(tenders::open))
        .post(
            "/api/v1/tenders/{id}/award",
            ORG_STAFF,
            post(tenders::award),
        )
        .post(
            "/api/v1/tenders/{id}/applications",
            BIDDERS,
            post(tenders::apply),
        )
        .post(
            "/api/v1/tenders/{id}/questions",
            BIDDERS,
            post(tenders::ask),
        )
        .post("/api/v1/tenders/{id}/bids", BIDDERS, post(tenders::bid))
        .post(
            "/api/v1/tenders/{id}/decline",
            BIDDERS,
            post(tenders::decline),
        )
}

/// A case's date: RFC 3339 in Japan time, or the full date alone when the
/// source gave no time.
fn date(f: &store::NewCase, d: CaseDate) -> Value {
    f.when(d)
        .map_or(Value::Null, |w| Value::String(w.rfc3339()))
}

fn case_json(state: &AppState, c: &Case, prefecture_name: Option<String>) -> Value {
    let f = &c.fields;
    json!({
        "id": c.id,
        "url": format!("{}/cases/{}", state.settings.public_url, c.id),
        "kind": f.kind.as_str(),
        "kind_label": f.kind.label(),
        "title": f.title,
        "description": f.description,
        "category": f.category.as_str(),
        "category_label": f.category.label(),
        "procedure": f.procedure.as_str(),
        "procedure_label": f.procedure.label(),
        "organization": f.organization_name,
        "prefecture": f.prefecture_code.map(|code| json!({"code": format!("{code:02}"), "name": prefecture_name})),
        "municipality": f.municipality_name,
        "qualification_grade": f.qualification_grade,
        "published_at": date(f, CaseDate::Published),
        "application_deadline": date(f, CaseDate::ApplicationDeadline),
        "submission_deadline": date(f, CaseDate::SubmissionDeadline),
        "opening_at": date(f, CaseDate::Opening),
        "period_end": date(f, CaseDate::PeriodEnd),
        "status": f.status.as_str(),
        "source": f.source,
        // Only http(s) links and this site's paths go out (checked at import
        // too); a document with any other link is listed without it.
        "source_url": f.source_url.as_deref().filter(|u| domain::link::http_url(u).is_ok()),
        // Uploaded documents are site paths; the API gives every link whole.
        "documents": f.documents.iter().map(|(title, url)| {
            let url = match url {
                u if u.starts_with('/') && domain::link::is_safe_href(u) => Some(format!("{}{u}", state.settings.public_url)),
                u if domain::link::http_url(u).is_ok() => Some(u.clone()),
                _ => None,
            };
            json!({"title": title, "url": url})
        }).collect::<Vec<_>>(),
    })
}

async fn list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = crate::cases::parse_params(&pairs)?;
    let result = state
        .search
        .search(&q, crate::auth::now_ms())
        .map_err(WebError::internal)?;
    let prefectures = state.store.prefectures().await?;
    let name = |code: i64| {
        prefectures
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| n.clone())
    };
    let items: Vec<Value> = state
        .store
        .cases_by_ids(&result.ids)
        .await?
        .iter()
        .map(|c| case_json(&state, c, c.fields.prefecture_code.and_then(name)))
        .collect();
    let label = |facet: &str, value: &str| -> String {
        match facet {
            "kind" => domain::CaseKind::parse(value)
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
            "category" => domain::Category::parse(value)
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
            "procedure" => domain::Procedure::parse(value)
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
            "prefecture" => value.parse().ok().and_then(name).unwrap_or_default(),
            "status" if value == "open" => "募集中".to_owned(),
            "status" => "締切・終了".to_owned(),
            _ => value.to_owned(),
        }
    };
    let facets: serde_json::Map<String, Value> = search::facet_map(&result.facets)
        .into_iter()
        .map(|(facet, values)| {
            let list: Vec<Value> = values
                .iter()
                .map(|(value, count)| json!({"value": value, "label": label(facet, value), "count": count}))
                .collect();
            (facet.to_owned(), Value::Array(list))
        })
        .collect();
    Ok(Json(json!({
        "total": result.total,
        "page": q.page + 1,
        "per_page": q.per_page,
        "items": items,
        "facets": facets,
    }))
    .into_response())
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let not_found = || {
        WebError::new(
            crate::ErrorKind::NotFound,
            "指定された案件は見つかりません。",
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let case = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.status.is_public())
        .ok_or_else(not_found)?;
    let name = match case.fields.prefecture_code {
        Some(code) => Some(state.store.prefecture_name(code).await?),
        None => None,
    };
    Ok(Json(case_json(&state, &case, name)).into_response())
}
