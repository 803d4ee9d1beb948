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
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ビジネスチャンス・ナビ API",
            "version": "1",
            "description": "公開されている案件の検索と取得（検索条件は /cases ページと同じ）、電子入札の公告から落札決定まで（発注機関の職員と受注企業の双方）。認証はブラウザのセッションか、利用者が作成するAPIトークン（Authorization: Bearer …）。セッション（Cookie）で認証した書き込み（POST）は、X-CSRF-Token ヘッダーにセッションのCSRFトークン（ページのフォームの csrf_token と同じ値）を付けるか、本文をJSON（Content-Type: application/json）で送ってください。どちらもない書き込みは、ほかのサイトから送られた可能性があるため 403 で断ります（何も変わりません）。APIトークンでの呼び出しには不要です。"
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
            "/api/v1/ocds/releases": {
                "get": {
                    "operationId": "ocdsReleases",
                    "summary": "公開案件をOCDS 1.1のリリースパッケージとして取得する",
                    "description": "公開されている案件を、最後に変わった順に1件1リリースで返します。続きがあるときは links.next（cursor 付きのURL）をたどってください。最後に受け取った links.next を取っておけば、次はそれ以降に変わった案件だけを受け取れます。入札の拡張（bids）を使います（extensions に記載）。",
                    "tags": ["OCDS"],
                    "parameters": [
                        param("cursor", "前のページの links.next に含まれる位置（そのまま使う）", json!({"type": "string"}), false),
                        param("since", "この日時以降に変わった案件だけ（日付 2026-05-01 または RFC 3339 の日時）", json!({"type": "string"}), false),
                        param("limit", "1ページのリリース数", json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 100}), false),
                    ],
                    "responses": {
                        "200": {"description": "OCDS 1.1 リリースパッケージ（release-package-schema.json）。続きがあれば links.next", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OcdsPackage"}}}},
                        "400": {"description": "cursor・since・limit が正しくない", "content": {"application/json": {"schema": error.clone()}}}
                    }
                }
            },
            "/api/v1/ocds/releases/{ocid}": {
                "get": {
                    "operationId": "ocdsRecord",
                    "summary": "1つの契約プロセスをOCDS 1.1のレコードパッケージとして取得する",
                    "tags": ["OCDS"],
                    "parameters": [{"name": "ocid", "in": "path", "required": true, "schema": {"type": "string"}, "description": "リリースの ocid"}],
                    "responses": {
                        "200": {"description": "OCDS 1.1 レコードパッケージ（record-package-schema.json）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OcdsPackage"}}}},
                        "404": {"description": "その ocid の公開案件がない", "content": {"application/json": {"schema": error.clone()}}}
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
        "components": {
            "schemas": schemas(&kinds, &categories, &procedures),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "利用者が /account/tokens で作成したAPIトークン"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cn_session", "description": "ブラウザでログインしたセッション。書き込み（POST）は、本文をJSON（Content-Type: application/json）で送るか、X-CSRF-Token ヘッダー（csrf）を付けたときだけ受け付けます。"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "セッションのCSRFトークン。セッションで認証した書き込みを、JSON以外（本文なしを含む）で送るときに必要です。"}
            }
        }
    });
    for (path, method, operation) in tender_paths() {
        doc["paths"][path][method] = operation;
    }
    // Writes by the session need the CSRF header unless their body is JSON.
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            if let Some(post) = item.get_mut("post") {
                post["security"] = write_security();
                if let Some(refused) = post["responses"].get_mut("403") {
                    refused["description"] = json!(
                        "認証されていない、権限がない、またはセッションでの書き込みにCSRFトークンもJSONの本文もない"
                    );
                } else {
                    post["responses"]["403"] = json!({
                        "description": "認証されていない、権限がない、またはセッションでの書き込みにCSRFトークンもJSONの本文もない",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                    });
                }
            }
        }
    }
    doc
}

/// A write: an API token, or the session with the CSRF header — or the
/// session alone when the body is JSON (which no other site's form can send).
fn write_security() -> Value {
    json!([{"bearer": []}, {"session": [], "csrf": []}, {"session": []}])
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

/// One operation on an e-tender: `body` is the request's JSON schema.
fn op(id: &str, summary: &str, description: &str, body: Option<Value>, ok: (&str, Value)) -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let mut o = json!({
        "operationId": id,
        "summary": summary,
        "description": description,
        "tags": ["電子入札"],
        "security": [{"bearer": []}, {"session": []}],
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {
            ok.0: {"description": "成功", "content": {"application/json": {"schema": ok.1}}},
            "400": {"description": "本文を読み取れない（JSONでない）", "content": {"application/json": {"schema": error.clone()}}},
            "403": {"description": "認証されていない、または権限がない", "content": {"application/json": {"schema": error.clone()}}},
            "404": {"description": "案件が見つからない（管理する権限のない案件を含む）", "content": {"application/json": {"schema": error.clone()}}},
            "422": {"description": "規則により受け付けられない（理由を日本語で返す）", "content": {"application/json": {"schema": error}}}
        }
    });
    if let Some(body) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": body}}});
    }
    o
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

/// A case's date: a moment, or a day when its source gave no time.
fn case_date(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "description": format!("{description}：日時（RFC 3339、日本時間。例：2026-05-21T17:00:00+09:00）、または掲載元が時刻を示していないときは日付だけ（例：2026-05-21）"),
        "anyOf": [{"format": "date-time"}, {"format": "date"}]
    })
}

fn datetime(description: &str) -> Value {
    json!({"type": "string", "description": format!("{description}（日本時間。例：2026-12-01 17:00）")})
}

/// The e-tender operations, for both sides.
fn tender_paths() -> Vec<(&'static str, &'static str, Value)> {
    let ok = json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "done": {"type": "string"}}});
    let tender = json!({"$ref": "#/components/schemas/Tender"});
    let empty = Some(json!({"type": "object", "description": "空のオブジェクト {}"}));
    let file = json!({"type": "object", "required": ["name", "content_base64"], "properties": {
        "name": {"type": "string", "description": "ファイル名（拡張子で形式を判定）"},
        "content_base64": {"type": "string", "contentEncoding": "base64"}
    }});
    let schedule = json!({
        "published_at": datetime("公告日"),
        "application_deadline": datetime("参加申請締切"),
        "qualification_notice_at": datetime("資格審査結果通知日"),
        "bidding_opens_at": datetime("入札書受付開始"),
        "bid_deadline": datetime("入札締切"),
        "opening_at": datetime("開札日時"),
    });
    let mut create_props = schedule.clone();
    for (k, v) in [
        (
            "department",
            json!({"type": "string", "description": "発注機関と契約部署「組織ID:部署ID」（部署を指定しないときは「組織ID:」）"}),
        ),
        ("title", json!({"type": "string", "maxLength": 200})),
        ("description", json!({"type": "string"})),
        (
            "category",
            json!({"type": "string", "enum": ["goods", "services", "construction", "other"]}),
        ),
        (
            "procedure",
            json!({"type": "string", "enum": ["open_competitive", "designated_competitive", "quotation_comparison", "proposal"]}),
        ),
        (
            "prefecture",
            json!({"type": "integer", "minimum": 1, "maximum": 47}),
        ),
        ("municipality", json!({"type": "string"})),
        (
            "ceiling_yen",
            json!({"type": "integer", "description": "予定価格（円）"}),
        ),
        (
            "ceiling_public",
            json!({"type": "boolean", "description": "予定価格を事前に公表する"}),
        ),
        (
            "minimum_yen",
            json!({"type": "integer", "description": "最低制限価格（円、任意）"}),
        ),
        (
            "award_method",
            json!({"type": "string", "enum": ["lowest_price", "comprehensive"]}),
        ),
        (
            "grades",
            json!({"type": "array", "items": {"type": "string", "enum": ["A", "B", "C", "D"]}}),
        ),
        (
            "regions",
            json!({"type": "array", "items": {"type": "integer"}, "description": "本店所在地の都道府県コード"}),
        ),
        (
            "industries",
            json!({"type": "array", "items": {"type": "string"}, "description": "日本標準産業分類の大分類コード"}),
        ),
        ("requested_documents", json!({"type": "string"})),
        ("documents", json!({"type": "array", "items": file.clone()})),
    ] {
        create_props[k] = v;
    }
    let mut create = op(
        "createTender",
        "電子入札案件を作成する（発注機関の職員）",
        "下書きとして作成します。公告は publish で行います。",
        Some(object(
            &[
                "department",
                "title",
                "description",
                "category",
                "procedure",
                "ceiling_yen",
                "award_method",
                "published_at",
                "application_deadline",
                "qualification_notice_at",
                "bidding_opens_at",
                "bid_deadline",
                "opening_at",
            ],
            create_props.clone(),
        )),
        ("201", tender.clone()),
    );
    create["parameters"] = json!([]);
    let mut amend_props = schedule;
    amend_props["note"] = json!({"type": "string", "description": "変更の理由など"});
    let mut show = op(
        "getTender",
        "電子入札案件の状況を取得する",
        "公告後は誰でも取得できます。受注企業の利用者には自社の参加状況と受付票（me）、管理する職員にはすべてを返します。",
        None,
        ("200", tender.clone()),
    );
    show["security"] = json!([{}, {"bearer": []}, {"session": []}]);
    let mut update_props = create_props.clone();
    update_props["remove_documents"] = json!({"type": "array", "items": {"type": "integer"}, "description": "削除する添付資料のID"});
    let update = op(
        "updateTender",
        "下書きの電子入札案件を書き直す",
        "作成と同じ内容をすべて送ります。公告の後は amend（変更公告）だけができます。",
        Some(object(
            &[
                "department",
                "title",
                "description",
                "category",
                "procedure",
                "ceiling_yen",
                "award_method",
                "published_at",
                "application_deadline",
                "qualification_notice_at",
                "bidding_opens_at",
                "bid_deadline",
                "opening_at",
            ],
            update_props,
        )),
        ("200", tender.clone()),
    );
    vec![
        ("/api/v1/tenders", "post", create),
        ("/api/v1/tenders/{id}", "get", show),
        ("/api/v1/tenders/{id}", "post", update),
        (
            "/api/v1/tenders/{id}/publish",
            "post",
            op(
                "publishTender",
                "公告する",
                "下書きを公告します。",
                empty.clone(),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/amend",
            "post",
            op(
                "amendTender",
                "変更公告する（日程の変更）",
                "入札締切の前に限ります。参加申請した企業にメールで知らせます。",
                Some(object(
                    &[
                        "published_at",
                        "application_deadline",
                        "qualification_notice_at",
                        "bidding_opens_at",
                        "bid_deadline",
                        "opening_at",
                    ],
                    amend_props,
                )),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/cancel",
            "post",
            op(
                "cancelTender",
                "中止する",
                "参加申請した企業にメールで知らせます。入札書は開封されません。",
                empty.clone(),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/participants",
            "get",
            op(
                "listParticipants",
                "参加申請と受け付けた入札書（受付票）の一覧",
                "要件との照合（unmet_requirements）と申請書類を含みます。入札の内容は開札まで含みません。",
                None,
                ("200", json!({"type": "object"})),
            ),
        ),
        (
            "/api/v1/tenders/{id}/decisions",
            "post",
            op(
                "decideParticipation",
                "資格審査の結果を登録する",
                "認めないときは理由が必須です。企業にメールで知らせます。",
                Some(object(
                    &["company_id", "decision"],
                    json!({
                        "company_id": {"type": "integer"}, "decision": {"type": "string", "enum": ["approve", "reject"]}, "reason": {"type": "string"}
                    }),
                )),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/nominations",
            "post",
            op(
                "nominateCompany",
                "指名する（指名通知）",
                "法人番号で受注企業を指名します。",
                Some(object(
                    &["corporate_number"],
                    json!({"corporate_number": {"type": "string", "pattern": "^[0-9]{13}$"}}),
                )),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/scores",
            "post",
            op(
                "scoreCompany",
                "技術点を登録する（総合評価）",
                "開札の前に、参加資格のある企業の技術点を登録します。",
                Some(object(
                    &["company_id", "score"],
                    json!({"company_id": {"type": "integer"}, "score": {"type": "integer", "minimum": 0}}),
                )),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/answers",
            "post",
            op(
                "answerQuestion",
                "質問に回答する",
                "回答は質問とともに公表され、質問した企業の名前は公表されません。",
                Some(object(
                    &["question_id", "answer"],
                    json!({"question_id": {"type": "integer"}, "answer": {"type": "string"}}),
                )),
                ("200", ok.clone()),
            ),
        ),
        (
            "/api/v1/tenders/{id}/open",
            "post",
            op(
                "openTender",
                "開札する",
                "開札日時の後に限ります。入札を復号して判定し、同額は電子くじで決めます。",
                empty.clone(),
                ("200", tender),
            ),
        ),
        (
            "/api/v1/tenders/{id}/award",
            "post",
            op(
                "awardTender",
                "落札者を決定する、または不調とする",
                "入札者にメールで知らせます。",
                Some(object(
                    &["decision"],
                    json!({"decision": {"type": "string", "enum": ["award", "unsuccessful"]}}),
                )),
                ("200", ok),
            ),
        ),
        (
            "/api/v1/tenders/{id}/applications",
            "post",
            op(
                "applyToTender",
                "参加を申請する（受注企業）",
                "参加申請の受付期間に限ります。",
                Some(object(
                    &[],
                    json!({
                        "grade": {"type": "string", "enum": ["A", "B", "C", "D"]}, "message": {"type": "string"}, "documents": {"type": "array", "items": file}
                    }),
                )),
                ("201", json!({"type": "object"})),
            ),
        ),
        (
            "/api/v1/tenders/{id}/questions",
            "post",
            op(
                "askQuestion",
                "質問する（受注企業）",
                "公告日から入札書受付開始まで。回答は公表され、質問者の名前は公表されません。",
                Some(object(
                    &["question"],
                    json!({"question": {"type": "string"}}),
                )),
                (
                    "201",
                    json!({"type": "object", "properties": {"question_id": {"type": "integer"}}}),
                ),
            ),
        ),
    ]
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
    all.insert("OcdsPackage".into(), json!({
                    "type": "object",
                    "description": "OCDS 1.1.5 のパッケージ。スキーマは https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json （レコードは record-package-schema.json）。ページ送りは links.next。",
                    "required": ["uri", "version", "publishedDate", "publisher"],
                    "properties": {
                        "uri": {"type": "string", "format": "uri"},
                        "version": {"type": "string", "const": "1.1"},
                        "publishedDate": {"type": "string", "format": "date-time"},
                        "publisher": {"type": "object"},
                        "extensions": {"type": "array", "items": {"type": "string", "format": "uri"}},
                        "releases": {"type": "array", "items": {"type": "object"}},
                        "records": {"type": "array", "items": {"type": "object"}},
                        "links": {"type": "object", "properties": {"next": {"type": "string", "format": "uri"}}}
                    }
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
    all.insert("Tender".into(), json!({
                    "type": "object",
                    "required": ["id", "title", "phase", "phase_label", "schedule", "award_method"],
                    "properties": {
                        "id": {"type": "integer"}, "url": {"type": "string", "format": "uri"},
                        "title": {"type": "string"}, "description": {"type": "string"}, "organization": {"type": "string"},
                        "procedure": {"type": "string"}, "award_method": {"type": "string", "enum": ["lowest_price", "comprehensive"]},
                        "phase": {"type": "string", "enum": ["draft", "announced", "applications", "qualification", "bidding", "closed", "opened", "awarded", "unsuccessful", "cancelled"]},
                        "phase_label": {"type": "string"},
                        "schedule": {"type": "object"},
                        "ceiling_yen": {"type": ["integer", "null"], "description": "予定価格（事前公表または開札後）"},
                        "minimum_yen": {"type": ["integer", "null"], "description": "最低制限価格（開札後）"},
                        "requirements": {"type": "object"},
                        "documents": {"type": "array"},
                        "questions": {"type": "array", "description": "回答を公表した質問（質問者は含まない）"},
                        "results": {"type": ["object", "null"], "description": "開札の結果：入札者、金額、判定、落札者、電子くじの数値、各入札の受付票（bids[].receipt：受付番号と封印した入札のSHA-256。入札者が自社の受付票と照合できる）。開札の前は null"},
                        "me": {"type": "object", "description": "受注企業の利用者のとき：自社の参加状況と受付票"}
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
                        "published_at": case_date("公告日"),
                        "application_deadline": case_date("参加申請の締切"),
                        "submission_deadline": case_date("入札・提出の締切"),
                        "opening_at": case_date("開札日時"),
                        "period_end": case_date("納入・履行期限"),
                        "status": {"type": "string"},
                        "source": {"type": "string"},
                        "source_url": {"type": ["string", "null"], "format": "uri"},
                        "documents": {"type": "array", "items": {"type": "object", "properties": {"title": {"type": "string"}, "url": {"type": ["string", "null"], "format": "uri", "description": "http・https のURLだけ（それ以外のリンクの資料は null）"}}}}
                    }
                }));
    Value::Object(all)
}
