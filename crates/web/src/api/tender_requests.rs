//! What the e-tender API reads, as types whose schemas the OpenAPI document
//! is generated from. A notice and an amendment are read by the page form's
//! own rules (`crate::actions::tender_terms`), so their fields take any JSON value a
//! form field could hold and a wrong one is a 422 naming the field, as on
//! the page; their schemas say what the form expects.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::openapi;
use crate::auth::Viewer;
use crate::forms::{Errors, FormData};
use crate::{AppState, ErrorKind, WebError};

/// The body, or a 400 saying what could not be read.
pub fn body<T>(b: Result<Json<T>, JsonRejection>, what: &str) -> Result<T, WebError> {
    b.map(|Json(v)| v).map_err(|_| {
        WebError::new(
            ErrorKind::BadRequest,
            format!(
                "{what}を読み取れません。JSON（Content-Type: application/json）で送ってください。"
            ),
        )
    })
}

/// 添付ファイル（形式は拡張子と内容で確かめます）
#[derive(Debug, Deserialize, ToSchema)]
pub struct JsonFile {
    /// ファイル名（拡張子で形式を判定）
    name: String,
    #[schema(content_encoding = "base64")]
    content_base64: String,
}

/// Files sent as `[{"name": …, "content_base64": …}]`, each checked like an upload.
pub fn files_of(files: &[JsonFile]) -> Result<Vec<store::NewFile>, WebError> {
    if files.len() > domain::upload::MAX_FILES {
        return Err(WebError::new(
            ErrorKind::Unprocessable,
            format!(
                "添付できるファイルは{}個までです。",
                domain::upload::MAX_FILES
            ),
        ));
    }
    files
        .iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|_| {
                    WebError::new(
                        ErrorKind::Unprocessable,
                        format!(
                            "{} の内容（content_base64）をBase64として読めません。",
                            f.name
                        ),
                    )
                })?;
            let checked = domain::upload::check(&f.name, &bytes)
                .map_err(|e| WebError::new(ErrorKind::Unprocessable, e.message()))?;
            Ok(store::NewFile {
                name: checked.name,
                content_type: checked.content_type.to_owned(),
                bytes,
            })
        })
        .collect()
}

/// A JSON object read as a form: strings and numbers as they are, `true`
/// as a ticked box, arrays as repeated fields.
fn form_of(v: &serde_json::Map<String, Value>) -> FormData {
    let mut pairs = Vec::new();
    for (k, v) in v {
        let mut push = |x: &Value| match x {
            Value::String(s) => pairs.push((k.clone(), s.clone())),
            Value::Number(n) => pairs.push((k.clone(), n.to_string())),
            Value::Bool(true) => pairs.push((k.clone(), "1".to_owned())),
            _ => {}
        };
        match v {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
    }
    FormData::from_pairs(pairs)
}

/// A request's form fields (those it serializes) read as a form.
fn form<T: Serialize>(fields: &T) -> Result<FormData, WebError> {
    match serde_json::to_value(fields).map_err(WebError::internal)? {
        Value::Object(map) => Ok(form_of(&map)),
        _ => Ok(FormData::from_pairs(Vec::new())),
    }
}

/// 日程（日本時間。例：2026-12-01 17:00、または RFC 3339 の日時）
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ScheduleInput {
    /// 公告日
    #[schema(value_type = String, required = true)]
    published_at: Option<Value>,
    /// 参加申請締切
    #[schema(value_type = String, required = true)]
    application_deadline: Option<Value>,
    /// 資格審査結果通知日
    #[schema(value_type = String, required = true)]
    qualification_notice_at: Option<Value>,
    /// 入札書受付開始
    #[schema(value_type = String, required = true)]
    bidding_opens_at: Option<Value>,
    /// 入札締切
    #[schema(value_type = String, required = true)]
    bid_deadline: Option<Value>,
    /// 開札日時
    #[schema(value_type = String, required = true)]
    opening_at: Option<Value>,
}

/// 電子入札案件の公告の内容。画面のフォームと同じ規則で読み、誤りは項目ごとの日本語のメッセージで返します（422）。
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TenderNotice {
    /// 発注機関と契約部署「組織ID:部署ID」（部署を指定しないときは「組織ID:」）
    #[schema(value_type = String, required = true)]
    department: Option<Value>,
    /// 件名
    #[schema(value_type = String, required = true, max_length = 200)]
    title: Option<Value>,
    /// 内容
    #[schema(value_type = String, required = true)]
    description: Option<Value>,
    /// 種別
    #[schema(schema_with = openapi::category, required = true)]
    category: Option<Value>,
    /// 入札・契約方式
    #[schema(schema_with = openapi::tender_procedure, required = true)]
    procedure: Option<Value>,
    /// 履行場所の都道府県コード
    #[schema(value_type = i64, minimum = 1, maximum = 47, required = false)]
    prefecture: Option<Value>,
    /// 市区町村
    #[schema(value_type = String, required = false)]
    municipality: Option<Value>,
    #[serde(flatten)]
    schedule: ScheduleInput,
    /// 予定価格（円）
    #[schema(value_type = i64, required = true)]
    ceiling_yen: Option<Value>,
    /// 予定価格を事前に公表する
    #[schema(value_type = bool, required = false)]
    ceiling_public: Option<Value>,
    /// 最低制限価格（円、任意）
    #[schema(value_type = i64, required = false)]
    minimum_yen: Option<Value>,
    /// 落札方式
    #[schema(schema_with = openapi::award_method, required = true)]
    award_method: Option<Value>,
    /// 参加資格等級
    #[schema(schema_with = openapi::grades)]
    grades: Option<Value>,
    /// 本店所在地の都道府県コード
    #[schema(value_type = Vec<i64>, required = false)]
    regions: Option<Value>,
    /// 日本標準産業分類の大分類コード
    #[schema(value_type = Vec<String>, required = false)]
    industries: Option<Value>,
    /// 参加申請に添付する書類
    #[schema(value_type = String, required = false)]
    requested_documents: Option<Value>,
    /// 入札説明書などの資料
    #[serde(default, skip_serializing)]
    documents: Vec<JsonFile>,
}

/// 下書きの書き直し：公告の内容すべてと、削除する資料
#[derive(Debug, Deserialize, ToSchema)]
pub struct TenderDraft {
    #[serde(flatten)]
    pub notice: TenderNotice,
    /// 削除する添付資料のID
    #[schema(value_type = Vec<i64>, required = false)]
    remove_documents: Option<Value>,
}

impl TenderDraft {
    /// The file ids to remove (anything else in the list is not an id).
    pub fn remove_documents(&self) -> Vec<i64> {
        self.remove_documents
            .as_ref()
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default()
    }
}

/// The notice read as the form reads it, with its documents.
pub async fn notice(
    state: &AppState,
    viewer: &Viewer,
    req: &TenderNotice,
) -> Result<store::NewTender, WebError> {
    let mut errors = Errors::default();
    let form = form(req)?;
    let parsed = crate::actions::tender_terms::parse(state, viewer, &form, &mut errors).await?;
    let Some(mut tender) = parsed.filter(|_| errors.is_empty()) else {
        return Err(WebError::new(ErrorKind::Unprocessable, errors.joined()));
    };
    tender.documents = files_of(&req.documents)?;
    Ok(tender)
}

/// 変更公告：変更後の日程
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Amendment {
    #[serde(flatten)]
    schedule: ScheduleInput,
    /// 変更の理由など
    #[schema(value_type = String, required = false)]
    note: Option<Value>,
}

impl Amendment {
    pub fn form(&self) -> Result<FormData, WebError> {
        form(self)
    }
}

/// 空のオブジェクト {}
#[derive(Debug, Deserialize, ToSchema)]
pub struct Empty {}

/// 資格審査の結果
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub company_id: i64,
    /// 認める（approve）か、認めない（reject）か
    #[schema(schema_with = openapi::decision)]
    pub decision: String,
    /// 認めない理由（認めないときは必須）
    #[serde(default)]
    pub reason: String,
}

/// 指名する企業
#[derive(Debug, Deserialize, ToSchema)]
pub struct NominationRequest {
    /// 法人番号（13桁）
    #[schema(pattern = "^[0-9]{13}$")]
    pub corporate_number: String,
}

/// 技術点
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreRequest {
    pub company_id: i64,
    #[schema(minimum = 0)]
    pub score: i64,
}

/// 質問への回答
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub question_id: i64,
    pub answer: String,
}

/// 落札の決定
#[derive(Debug, Deserialize, ToSchema)]
pub struct AwardRequest {
    /// 落札者を決定する（award）か、不調とする（unsuccessful）か
    #[schema(schema_with = openapi::award_decision)]
    pub decision: String,
}

/// 参加申請
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationRequest {
    /// 申告する参加資格等級
    #[serde(default)]
    #[schema(schema_with = openapi::grade)]
    pub grade: Option<String>,
    /// 発注機関へのメッセージ
    #[serde(default)]
    pub message: String,
    /// 申請書類
    #[serde(default)]
    pub documents: Vec<JsonFile>,
}

/// 質問
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionRequest {
    pub question: String,
}

/// 入札
#[derive(Debug, Deserialize, ToSchema)]
pub struct BidRequest {
    /// 入札金額（円）
    #[schema(minimum = 1)]
    pub amount: i64,
    /// くじ入力番号
    #[schema(pattern = "^[0-9]{3}$")]
    pub kuji: String,
    /// 内訳
    #[serde(default)]
    pub breakdown: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_object_reads_as_a_form_with_repeated_fields_for_arrays() {
        let v: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"title": "件名", "ceiling_yen": 1000, "ceiling_public": true, "grades": ["A", "B"], "x": null}"#,
        )
        .expect("json");
        let f = form_of(&v);
        assert_eq!(f.get("title"), "件名");
        assert_eq!(f.get("ceiling_yen"), "1000");
        assert!(f.checked("ceiling_public"));
        assert_eq!(f.all("grades"), ["A", "B"]);
        assert_eq!(f.get("x"), "");
    }

    #[test]
    fn a_notice_reads_as_the_form_the_page_sends_whatever_json_holds_each_field() {
        let notice: TenderNotice = serde_json::from_str(
            r#"{"title": "庁舎清掃", "ceiling_yen": "1,000,000", "minimum_yen": 800000,
                "ceiling_public": true, "grades": ["A", "B"], "regions": [13, "14"],
                "opening_at": "2026-12-01 17:00", "municipality": {"not": "a field"},
                "unknown": "ignored", "documents": [{"name": "a.pdf", "content_base64": ""}]}"#,
        )
        .expect("a notice");
        let f = form(&notice).expect("form");
        assert_eq!(f.get("title"), "庁舎清掃");
        assert_eq!(
            f.get("ceiling_yen"),
            "1,000,000",
            "the form's rules judge it"
        );
        assert_eq!(f.get("minimum_yen"), "800000");
        assert!(f.checked("ceiling_public"));
        assert_eq!(f.all("grades"), ["A", "B"]);
        assert_eq!(f.all("regions"), ["13", "14"]);
        assert_eq!(f.get("opening_at"), "2026-12-01 17:00");
        assert_eq!(f.get("municipality"), "");
        assert_eq!(f.get("unknown"), "");
        assert_eq!(f.get("documents"), "", "files are not form fields");
        assert_eq!(notice.documents.len(), 1);
    }

    #[test]
    fn a_draft_lists_only_the_ids_it_can_read() {
        let draft: TenderDraft =
            serde_json::from_str(r#"{"title": "件名", "remove_documents": [3, "x", 5]}"#)
                .expect("a draft");
        assert_eq!(draft.remove_documents(), [3, 5]);
        let draft: TenderDraft =
            serde_json::from_str(r#"{"remove_documents": "3"}"#).expect("a draft");
        assert!(draft.remove_documents().is_empty());
    }
}
