//! The OpenAPI 3.1 document of the JSON API, generated from the handlers'
//! `#[utoipa::path]` attributes and the types they read and answer, so the
//! document cannot drift from the code. What no type says is added here:
//! the query parameters the lenient readers take, the enumerations of stored
//! codes, and the security of writes.

use std::collections::BTreeMap;

use axum::Json;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, Ref, RefOr, Required, Response, ResponseBuilder, Schema, Type};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi};

use super::{bundle, cases, ocds, tenders};
use crate::errors::ErrorBody;
use search::{DEFAULT_PER_PAGE, MAX_DEPTH, MAX_PER_PAGE};

const DESCRIPTION: &str = "公開されている案件の検索と取得（検索条件は /cases ページと同じ）、電子入札の公告から落札決定まで（発注機関の職員と受注企業の双方）。認証はブラウザのセッションか、利用者が作成するAPIトークン（Authorization: Bearer …）。セッション（Cookie）で認証した書き込み（POST）は、X-CSRF-Token ヘッダーにセッションのCSRFトークン（ページのフォームの csrf_token と同じ値）を付けるか、本文をJSON（Content-Type: application/json）で送ってください。どちらもない書き込みは、ほかのサイトから送られた可能性があるため 403 で断ります（何も変わりません）。APIトークンでの呼び出しには不要です。";

/// The document: every route under `/api/v1` (a test checks that the
/// router and this list agree).
#[derive(OpenApi)]
#[openapi(
    info(title = "ビジネスチャンス・ナビ API", version = "1", description = DESCRIPTION),
    paths(
        cases::search,
        cases::one,
        document,
        ocds::releases,
        ocds::record,
        tenders::create,
        tenders::show,
        tenders::update,
        tenders::publish,
        tenders::amend,
        tenders::cancel,
        tenders::participants,
        tenders::decide,
        tenders::nominate,
        tenders::score,
        tenders::answer,
        tenders::open,
        tenders::award,
        tenders::apply,
        tenders::ask,
        tenders::bid,
        tenders::decline,
        bundle::push,
    ),
    components(schemas(ErrorBody)),
    modifiers(&WriteSecurity),
    tags(
        (name = "案件", description = "公開されている案件の検索と取得"),
        (name = "API", description = "このAPIの説明（OpenAPI 3.1）"),
        (name = "電子入札", description = "電子入札の公告から落札決定まで"),
        (name = "サイトコンテンツ", description = "ステージングから本番へのコンテンツの反映（運用・保守者のトークン）"),
        (name = "OCDS", description = "公開案件のオープンデータ（Open Contracting Data Standard 1.1）"),
    )
)]
struct ApiDoc;

/// The document itself.
pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// この文書（OpenAPI 3.1）を取得する
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "getOpenApi",
    tag = "API",
    responses((status = 200, description = "OpenAPI 3.1 の文書", body = Object))
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}

/// Writes by the session need the CSRF header unless their body is JSON
/// (the middleware's rule for every POST under `/api/`): every POST says so.
struct WriteSecurity;

const REFUSED: &str =
    "認証されていない、権限がない、またはセッションでの書き込みにCSRFトークンもJSONの本文もない";

impl Modify for WriteSecurity {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("利用者が /account/tokens で作成したAPIトークン"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "ブラウザでログインしたセッション。書き込み（POST）は、本文をJSON（Content-Type: application/json）で送るか、X-CSRF-Token ヘッダー（csrf）を付けたときだけ受け付けます。",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "セッションのCSRFトークン。セッションで認証した書き込みを、JSON以外（本文なしを含む）で送るときに必要です。",
            ))),
        );
        for item in doc.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut() {
                // An API token, or the session with the CSRF header, or the
                // session alone when the body is JSON (which no other
                // site's form can send).
                post.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("session", Vec::<String>::new())
                        .add("csrf", Vec::<String>::new()),
                    SecurityRequirement::new("session", Vec::<String>::new()),
                ]);
                post.responses
                    .responses
                    .insert("403".to_owned(), error_response(REFUSED));
            }
        }
    }
}

/// A response with the error body.
fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Error"))),
        )
        .build()
        .into()
}

/// What every e-tender operation may refuse with.
pub struct TenderErrors;

impl IntoResponses for TenderErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            ("400", "本文を読み取れない（JSONでない）"),
            ("403", "認証されていない、または権限がない"),
            ("404", "案件が見つからない（管理する権限のない案件を含む）"),
            (
                "409",
                "一度だけの操作を繰り返した（参加申請・入札・辞退の二度目）",
            ),
            ("422", "規則により受け付けられない（理由を日本語で返す）"),
        ]
        .into_iter()
        .map(|(status, description)| (status.to_owned(), error_response(description)))
        .collect()
    }
}

/// A string that is one of `codes`.
fn codes(codes: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
}

/// The same, or null.
fn nullable_codes(list: &[&'static str]) -> ObjectBuilder {
    let values = list
        .iter()
        .map(|c| serde_json::Value::from(*c))
        .chain([serde_json::Value::Null]);
    ObjectBuilder::new()
        .schema_type(
            [Type::String, Type::Null]
                .into_iter()
                .collect::<utoipa::openapi::schema::SchemaType>(),
        )
        .enum_values(Some(values))
}

pub fn case_kind() -> ObjectBuilder {
    codes(domain::CaseKind::ALL.iter().map(|k| k.as_str()))
}

pub fn category() -> ObjectBuilder {
    codes(domain::Category::ALL.iter().map(|k| k.as_str()))
}

pub fn procedure() -> ObjectBuilder {
    codes(domain::Procedure::ALL.iter().map(|k| k.as_str()))
}

/// The procedures an e-tender may use.
pub fn tender_procedure() -> ObjectBuilder {
    codes(
        crate::actions::tender_terms::PROCEDURES
            .iter()
            .map(|k| k.as_str()),
    )
}

pub fn phase() -> ObjectBuilder {
    codes(domain::tender::Phase::ALL.iter().map(|v| v.as_str()))
}

pub fn award_method() -> ObjectBuilder {
    codes(domain::tender::AwardMethod::ALL.iter().map(|v| v.as_str()))
}

pub fn validity() -> ObjectBuilder {
    codes(domain::tender::Validity::ALL.iter().map(|v| v.as_str()))
}

pub fn participation() -> ObjectBuilder {
    codes(
        domain::tender::Participation::ALL
            .iter()
            .map(|v| v.as_str()),
    )
}

pub fn participation_or_none() -> ObjectBuilder {
    let all: Vec<&'static str> = domain::tender::Participation::ALL
        .iter()
        .map(|v| v.as_str())
        .collect();
    nullable_codes(&all)
}

pub fn grades() -> ArrayBuilder {
    ArrayBuilder::new().items(codes(domain::tender::GRADES.iter().copied()))
}

pub fn grade() -> ObjectBuilder {
    codes(domain::tender::GRADES.iter().copied())
}

pub fn decision() -> ObjectBuilder {
    codes(["approve", "reject"])
}

pub fn award_decision() -> ObjectBuilder {
    codes(["award", "unsuccessful"])
}

/// A case's date: a moment, or a day when its source gave no time.
fn case_date(description: &str) -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(format!(
            "{description}：日時（RFC 3339、日本時間。例：2026-05-21T17:00:00+09:00）、または掲載元が時刻を示していないときは日付だけ（例：2026-05-21）"
        )))
        .into()
}

pub fn published_at() -> RefOr<Schema> {
    case_date("公告日")
}

pub fn application_deadline() -> RefOr<Schema> {
    case_date("参加申請の締切")
}

pub fn submission_deadline() -> RefOr<Schema> {
    case_date("入札・提出の締切")
}

pub fn opening_at() -> RefOr<Schema> {
    case_date("開札日時")
}

pub fn period_end() -> RefOr<Schema> {
    case_date("納入・履行期限")
}

/// A query parameter, repeated (`kind=a&kind=b`) when `multi`.
fn query(name: &str, description: &str, schema: ObjectBuilder, multi: bool) -> Parameter {
    let schema: RefOr<Schema> = if multi {
        ArrayBuilder::new().items(schema).into()
    } else {
        schema.into()
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .build()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn integer(minimum: usize, maximum: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(minimum))
        .maximum(Some(maximum))
}

fn date() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
}

/// What the search reads (`case_query::parse`, shared with the page).
pub struct SearchParams;

impl IntoParams for SearchParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query(
                "q",
                "キーワード。スペース区切りはAND、-語で除外、\"…\" で語順どおり",
                string().max_length(Some(256)),
                false,
            ),
            query("kind", "案件の種類", case_kind(), true),
            query("category", "種別", category(), true),
            query("procedure", "入札・契約方式", procedure(), true),
            query(
                "prefecture",
                "都道府県コード（JIS X 0401、1〜47）",
                integer(1, 47),
                true,
            ),
            query("organization", "発注機関名", string(), true),
            query("status", "募集状況", codes(["open", "closed"]), false),
            query(
                "deadline_from",
                "入札・提出の締切日がこの日以降（日本時間）",
                date(),
                false,
            ),
            query(
                "deadline_to",
                "入札・提出の締切日がこの日以前（日本時間）",
                date(),
                false,
            ),
            query(
                "sort",
                "並び順",
                codes(["newest", "deadline", "relevance"]),
                false,
            ),
            query("page", "ページ（1から）", integer(1, MAX_DEPTH), false),
            query(
                "per_page",
                "1ページの件数",
                integer(1, MAX_PER_PAGE).default(Some(DEFAULT_PER_PAGE.into())),
                false,
            ),
        ]
    }
}

/// What the OCDS release feed reads.
pub struct OcdsParams;

impl IntoParams for OcdsParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query(
                "cursor",
                "前のページの links.next に含まれる位置（そのまま使う）",
                string(),
                false,
            ),
            query(
                "since",
                "この日時以降に変わった案件だけ（日付 2026-05-01 または RFC 3339 の日時）",
                string(),
                false,
            ),
            query(
                "limit",
                "1ページのリリース数",
                integer(1, ocds::MAX_LIMIT as usize).default(Some(ocds::DEFAULT_LIMIT.into())),
                false,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_every_reference_resolves() {
        let doc = serde_json::to_value(spec()).expect("json");
        assert_eq!(doc["openapi"], "3.1.0");
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "missing schema {name}"
            );
        }
    }
}
