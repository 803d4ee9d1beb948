//! The case search as JSON: the same search as the `/cases` page (its
//! parameters read by `case_query::parse`), and one public case by id.

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::CaseDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::openapi::{self, SearchParams};
use crate::errors::ErrorBody;
use crate::{AppState, WebError};

/// 案件
#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    id: i64,
    /// 案件のページ
    #[schema(format = "uri")]
    url: String,
    /// 案件の種類
    #[schema(schema_with = openapi::case_kind)]
    kind: &'static str,
    kind_label: &'static str,
    title: String,
    description: String,
    /// 種別
    #[schema(schema_with = openapi::category)]
    category: &'static str,
    category_label: &'static str,
    /// 入札・契約方式
    #[schema(schema_with = openapi::procedure)]
    procedure: &'static str,
    procedure_label: &'static str,
    /// 発注機関
    organization: String,
    prefecture: Option<CasePrefecture>,
    municipality: Option<String>,
    /// 参加資格等級
    qualification_grade: Option<String>,
    #[schema(schema_with = openapi::published_at)]
    published_at: Option<String>,
    #[schema(schema_with = openapi::application_deadline)]
    application_deadline: Option<String>,
    #[schema(schema_with = openapi::submission_deadline)]
    submission_deadline: Option<String>,
    #[schema(schema_with = openapi::opening_at)]
    opening_at: Option<String>,
    #[schema(schema_with = openapi::period_end)]
    period_end: Option<String>,
    /// 案件の状態
    status: &'static str,
    /// 掲載元
    source: String,
    /// 掲載元のページ（http・https のURLだけ）
    #[schema(format = "uri")]
    source_url: Option<String>,
    /// 入札説明書などの資料
    documents: Vec<CaseDocument>,
}

/// 都道府県
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePrefecture {
    /// 都道府県コード（JIS X 0401、2桁）
    #[schema(examples("13"))]
    code: String,
    name: Option<String>,
}

/// 資料
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDocument {
    title: String,
    /// http・https のURLだけ（それ以外のリンクの資料は null）
    #[schema(format = "uri")]
    url: Option<String>,
}

/// 検索結果
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// 条件に合う案件の数
    total: usize,
    /// ページ（1から）
    page: usize,
    per_page: usize,
    items: Vec<Case>,
    facets: Facets,
}

/// 絞り込みの候補と件数
#[derive(Debug, Serialize, ToSchema)]
pub struct Facets {
    kind: Vec<FacetValue>,
    category: Vec<FacetValue>,
    procedure: Vec<FacetValue>,
    prefecture: Vec<FacetValue>,
    organization: Vec<FacetValue>,
    status: Vec<FacetValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    /// 検索条件に使う値
    value: String,
    label: String,
    count: u64,
}

/// A case's date: RFC 3339 in Japan time, or the full date alone when the
/// source gave no time.
fn date(f: &store::NewCase, d: CaseDate) -> Option<String> {
    f.when(d).map(|w| w.rfc3339())
}

fn case(state: &AppState, c: &store::Case, prefecture_name: Option<String>) -> Case {
    let f = &c.fields;
    let site = &state.settings.public_url;
    Case {
        id: c.id,
        url: format!("{site}/cases/{}", c.id),
        kind: f.kind.as_str(),
        kind_label: f.kind.label(),
        title: f.title.clone(),
        description: f.description.clone(),
        category: f.category.as_str(),
        category_label: f.category.label(),
        procedure: f.procedure.as_str(),
        procedure_label: f.procedure.label(),
        organization: f.organization_name.clone(),
        prefecture: f.prefecture_code.map(|code| CasePrefecture {
            code: format!("{code:02}"),
            name: prefecture_name,
        }),
        municipality: f.municipality_name.clone(),
        qualification_grade: f.qualification_grade.clone(),
        published_at: date(f, CaseDate::Published),
        application_deadline: date(f, CaseDate::ApplicationDeadline),
        submission_deadline: date(f, CaseDate::SubmissionDeadline),
        opening_at: date(f, CaseDate::Opening),
        period_end: date(f, CaseDate::PeriodEnd),
        status: f.status.as_str(),
        source: f.source.clone(),
        // Only http(s) links and this site's paths go out (checked at import
        // too); a document with any other link is listed without it.
        source_url: f
            .source_url
            .clone()
            .filter(|u| domain::link::http_url(u).is_ok()),
        // Uploaded documents are site paths; the API gives every link whole.
        documents: f
            .documents
            .iter()
            .map(|(title, url)| CaseDocument {
                title: title.clone(),
                url: match url {
                    u if u.starts_with('/') && domain::link::is_safe_href(u) => {
                        Some(format!("{site}{u}"))
                    }
                    u if domain::link::http_url(u).is_ok() => Some(u.clone()),
                    _ => None,
                },
            })
            .collect(),
    }
}

/// 案件を検索する
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    operation_id = "searchCases",
    tag = "案件",
    params(SearchParams),
    responses(
        (status = 200, description = "検索結果", body = SearchResult),
        (status = 400, description = "検索条件が正しくない", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<SearchResult>, WebError> {
    let q = crate::case_query::parse(&pairs)?;
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
    let items = state
        .store
        .cases_by_ids(&result.ids)
        .await?
        .iter()
        .map(|c| case(&state, c, c.fields.prefecture_code.and_then(name)))
        .collect();
    let values = |list: &[(String, u64)], label: &dyn Fn(&str) -> String| -> Vec<FacetValue> {
        list.iter()
            .map(|(value, count)| FacetValue {
                value: value.clone(),
                label: label(value),
                count: *count,
            })
            .collect()
    };
    let f = &result.facets;
    let facets = Facets {
        kind: values(&f.kind, &|v| {
            domain::CaseKind::parse(v)
                .map(|k| k.label().to_owned())
                .unwrap_or_default()
        }),
        category: values(&f.category, &|v| {
            domain::Category::parse(v)
                .map(|k| k.label().to_owned())
                .unwrap_or_default()
        }),
        procedure: values(&f.procedure, &|v| {
            domain::Procedure::parse(v)
                .map(|k| k.label().to_owned())
                .unwrap_or_default()
        }),
        prefecture: values(&f.prefecture, &|v| {
            v.parse().ok().and_then(name).unwrap_or_default()
        }),
        organization: values(&f.organization, &|v| v.to_owned()),
        status: values(
            &[("open".to_owned(), f.open), ("closed".to_owned(), f.closed)],
            &|v| {
                if v == "open" {
                    "募集中"
                } else {
                    "締切・終了"
                }
                .to_owned()
            },
        ),
    };
    Ok(Json(SearchResult {
        total: result.total,
        page: q.page + 1,
        per_page: q.per_page,
        items,
        facets,
    }))
}

/// 案件を1件取得する
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    operation_id = "getCase",
    tag = "案件",
    params(("id" = i64, Path, description = "案件のID")),
    responses(
        (status = 200, description = "案件", body = Case),
        (status = 404, description = "案件が見つからない（非公開を含む）", body = ErrorBody),
    )
)]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Case>, WebError> {
    let not_found = || {
        WebError::new(
            crate::ErrorKind::NotFound,
            "指定された案件は見つかりません。",
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let found = state
        .store
        .case(id)
        .await?
        .filter(|c| c.fields.status.is_public())
        .ok_or_else(not_found)?;
    let name = match found.fields.prefecture_code {
        Some(code) => Some(state.store.prefecture_name(code).await?),
        None => None,
    };
    Ok(Json(case(&state, &found, name)))
}
