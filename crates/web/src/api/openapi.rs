//! The OpenAPI 3.1 document of the JSON API, written out by hand: it is
//! small, and a generator would cost more to build than the document to write.

use axum::Json;
use serde_json::{Value, json};

fn param(name: &str, description: &str, schema: Value, multi: bool) -> Value {
    let schema = if multi {
        json!({"type": "array", "items": schema})
    } else {
        schema
    };
    json!({
        "name": name, "in": "query", "required": false, "description": description,
        "schema": schema, "style": "form", "explode": true
    })
}

fn enumeration(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

/// The document itself (also used by the tests).
pub fn spec() -> Value {
    let kinds: Vec<&str> = domain::CaseKind::ALL.iter().map(|k| k.as_str()).collect();
    let categories: Vec<&str> = domain::Category::ALL.iter().map(|k| k.as_str()).collect();
    let procedures: Vec<&str> = domain::Procedure::ALL.iter().map(|k| k.as_str()).collect();
    let error = json!({"$ref": "#/components/schemas/Error"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ビジネスチャンス・ナビ API",
            "version": "1",
            "description": "公開されている案件の検索と取得。検索条件は /cases ページと同じです。"
        },
        "paths": {
            "/api/v1/cases": {
                "get": {
                    "operationId": "searchCases",
                    "summary": "案件を検索する",
                    "parameters": [
                        param("q", "キーワード。スペース区切りはAND、-語で除外、\"…\" で語順どおり", json!({"type": "string", "maxLength": 256}), false),
                        param("kind", "案件の種類", enumeration(&kinds), true),
                        param("category", "種別", enumeration(&categories), true),
                        param("procedure", "入札・契約方式", enumeration(&procedures), true),
                        param("prefecture", "都道府県コード（JIS X 0401、1〜47）", json!({"type": "integer", "minimum": 1, "maximum": 47}), true),
                        param("organization", "発注機関名", json!({"type": "string"}), true),
                        param("status", "募集状況", enumeration(&["open", "closed"]), false),
                        param("deadline_from", "入札・提出の締切日がこの日以降（日本時間）", json!({"type": "string", "format": "date"}), false),
                        param("deadline_to", "入札・提出の締切日がこの日以前（日本時間）", json!({"type": "string", "format": "date"}), false),
                        param("sort", "並び順", enumeration(&["newest", "deadline", "relevance"]), false),
                        param("page", "ページ（1から）", json!({"type": "integer", "minimum": 1, "maximum": 500}), false),
                        param("per_page", "1ページの件数", json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}), false),
                    ],
                    "responses": {
                        "200": {"description": "検索結果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}},
                        "400": {"description": "検索条件が正しくない", "content": {"application/json": {"schema": error.clone()}}}
                    }
                }
            },
            "/api/v1/cases/{id}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "案件を1件取得する",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "案件", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}},
                        "404": {"description": "案件が見つからない（非公開を含む）", "content": {"application/json": {"schema": error}}}
                    }
                }
            },
            "/api/v1/tenders/{id}/bids": {
                "post": {
                    "operationId": "submitBid",
                    "summary": "電子入札案件に入札する（受注企業の利用者のセッションで）",
                    "description": "入札書受付期間内に、参加資格を認められた（指名された）企業が一度だけ入札できます。入札は受け付けた時点で案件の公開鍵で封印され、開札まで誰も読めません。受付時刻はサーバーの時計で決まります。",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["amount", "kuji"],
                        "properties": {
                            "amount": {"type": "integer", "minimum": 1, "description": "入札金額（円）"},
                            "kuji": {"type": "string", "pattern": "^[0-9]{3}$", "description": "くじ入力番号"},
                            "breakdown": {"type": "string", "description": "内訳"}
                        }
                    }}}},
                    "responses": {
                        "201": {"description": "受付票", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}}},
                        "400": {"description": "本文を読み取れない", "content": {"application/json": {"schema": error}}},
                        "422": {"description": "受付期間外、参加資格なし、入札済み、金額やくじ番号が不正", "content": {"application/json": {"schema": error}}}
                    }
                }
            },
            "/api/v1/tenders/{id}/decline": {
                "post": {
                    "operationId": "declineTender",
                    "summary": "電子入札案件の入札を辞退する",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {
                        "201": {"description": "受付票", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}}},
                        "422": {"description": "受付期間外、参加資格なし、入札済み", "content": {"application/json": {"schema": error}}}
                    }
                }
            }
        },
        "components": {"schemas": schemas(&kinds, &categories, &procedures)}
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn schemas(kinds: &[&str], categories: &[&str], procedures: &[&str]) -> Value {
    let mut all = serde_json::Map::new();
    all.insert("Error".into(), json!({
                    "type": "object", "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "examples": ["bad_request", "not_found"]},
                        "message": {"type": "string", "description": "利用者向けの日本語のメッセージ"}
                    }}}
                }));
    all.insert("Receipt".into(), json!({
                    "type": "object", "required": ["receipt_no", "received_at", "received_at_ms", "sealed_sha256", "declined"],
                    "properties": {
                        "receipt_no": {"type": "string", "description": "受付番号"},
                        "received_at": {"type": "string", "format": "date-time", "description": "サーバーの受付時刻（日本時間）"},
                        "received_at_ms": {"type": "integer", "description": "受付時刻（UNIX時刻のミリ秒。電子くじに使う）"},
                        "sealed_sha256": {"type": "string", "description": "封印した入札のSHA-256"},
                        "declined": {"type": "boolean"}
                    }
                }));
    all.insert("FacetValue".into(), json!({
                    "type": "object", "required": ["value", "label", "count"],
                    "properties": {"value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}
                }));
    all.insert("SearchResult".into(), json!({
                    "type": "object", "required": ["total", "page", "per_page", "items", "facets"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
                                   "description": "kind, category, procedure, prefecture, organization, status"}
                    }
                }));
    all.insert("Case".into(), json!({
                    "type": "object",
                    "required": ["id", "url", "kind", "title", "category", "procedure", "organization", "status", "source"],
                    "properties": {
                        "id": {"type": "integer"},
                        "url": {"type": "string", "format": "uri"},
                        "kind": enumeration(kinds), "kind_label": {"type": "string"},
                        "title": {"type": "string"}, "description": {"type": "string"},
                        "category": enumeration(categories), "category_label": {"type": "string"},
                        "procedure": enumeration(procedures), "procedure_label": {"type": "string"},
                        "organization": {"type": "string"},
                        "prefecture": {"type": ["object", "null"], "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
                        "municipality": {"type": ["string", "null"]},
                        "qualification_grade": {"type": ["string", "null"]},
                        "published_at": {"type": ["string", "null"], "format": "date-time"},
                        "application_deadline": {"type": ["string", "null"], "format": "date-time"},
                        "submission_deadline": {"type": ["string", "null"], "format": "date-time"},
                        "opening_at": {"type": ["string", "null"], "format": "date-time"},
                        "status": {"type": "string"},
                        "source": {"type": "string"},
                        "source_url": {"type": ["string", "null"], "format": "uri"},
                        "documents": {"type": "array", "items": {"type": "object", "properties": {"title": {"type": "string"}, "url": {"type": "string"}}}}
                    }
                }));
    Value::Object(all)
}
