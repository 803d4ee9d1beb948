//! The e-tender's whole lifecycle as JSON, for both sides: staff create,
//! publish, amend, cancel, review applications, nominate, score, answer,
//! open and award; bidders read, apply, ask, bid and decline. Authenticated
//! by the session or by a per-user API token (`Authorization: Bearer …`).
//! Every write takes a JSON body (`{}` when there is nothing to say), which
//! a cross-site form cannot send; the rules and the mails are the pages'
//! own (`crate::actions::tenders`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Case, Participation, Receipt, TenderRecord};

use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::forms::{Errors, FormData};
use crate::{AppState, ErrorKind, WebError};

fn body<T>(b: Result<Json<T>, JsonRejection>, what: &str) -> Result<T, WebError> {
    b.map(|Json(v)| v).map_err(|_| {
        WebError::new(
            ErrorKind::BadRequest,
            format!(
                "{what}を読み取れません。JSON（Content-Type: application/json）で送ってください。"
            ),
        )
    })
}

fn time(ms: i64) -> Value {
    Value::String(domain::time::jst_rfc3339(ms))
}

/// A receipt as the API gives it.
fn receipt_value(r: &Receipt) -> Value {
    json!({
        "receipt_no": r.receipt_no,
        "received_at": time(r.received_at),
        "received_at_ms": r.received_at,
        "sealed_sha256": r.sealed_hash,
        "declined": r.declined,
    })
}

fn receipt_json(r: &Receipt) -> Response {
    (StatusCode::CREATED, Json(receipt_value(r))).into_response()
}

fn done(what: &str) -> Response {
    (StatusCode::OK, Json(json!({ "ok": true, "done": what }))).into_response()
}

/// Files sent as `[{"name": …, "content_base64": …}]`, each checked like an upload.
#[derive(Debug, Deserialize)]
pub struct JsonFile {
    name: String,
    content_base64: String,
}

fn files_of(files: &[JsonFile]) -> Result<Vec<store::NewFile>, WebError> {
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

fn invalid(errors: &Errors) -> WebError {
    WebError::new(ErrorKind::Unprocessable, errors.joined())
}

/// The tender as anyone may see it once published; with `me` for the
/// signed-in company, and everything for the staff who manage it.
async fn tender_json(
    state: &AppState,
    case: &Case,
    t: &TenderRecord,
    viewer: &Viewer,
    staff: bool,
) -> Result<Value, WebError> {
    let now = crate::auth::now_ms();
    let phase = t.tender.phase(now);
    let s = t.tender.schedule;
    let opening = state.store.opening(case.id).await?;
    let opened = opening.is_some();
    let questions: Vec<Value> = state
        .store
        .questions(case.id)
        .await?
        .iter()
        .filter(|q| staff || q.answer.is_some())
        .map(|q| {
            let mut v = json!({
                "id": q.id,
                "question": q.question,
                "asked_at": time(q.asked_at),
                "answer": q.answer,
                "answered_at": q.answered_at.map(time),
            });
            if staff {
                v["company_id"] = json!(q.company_id);
            }
            v
        })
        .collect();
    let results = opening.as_ref().map(|o| {
        json!({
            "opened_at": time(o.opened_at),
            "winner_bid": o.winner_bid,
            "kuji": o.kuji_sum.zip(o.kuji_drawn).map(|(sum, drawn)| json!({"sum": sum, "drawn": drawn})),
            "bids": o.results.iter().map(|r| json!({
                "bid_id": r.bid_id,
                "bidder": r.company_name,
                "amount_yen": r.amount_yen,
                "technical_score": r.technical_score,
                "validity": r.validity.as_str(),
                "validity_label": r.validity.label(),
                "winner": o.winner_bid == Some(r.bid_id),
                "kuji_number": format!("{:03}", r.kuji),
                "kuji_position": r.kuji_position,
                "kuji_part": r.kuji_part,
                // The bidder's receipt, for it to check against its own copy.
                "receipt": receipt_value(&r.receipt),
            })).collect::<Vec<_>>(),
        })
    });
    let mut v = json!({
        "id": case.id,
        "url": format!("{}/cases/{}", state.settings.public_url, case.id),
        "title": case.fields.title,
        "description": case.fields.description,
        "organization": case.fields.organization_name,
        "procedure": case.fields.procedure.as_str(),
        "procedure_label": case.fields.procedure.label(),
        "award_method": t.award_method.as_str(),
        "phase": phase.as_str(),
        "phase_label": phase.label(),
        "schedule": {
            "published_at": time(s.published_at),
            "application_deadline": time(s.application_deadline),
            "qualification_notice_at": time(s.qualification_notice_at),
            "bidding_opens_at": time(s.bidding_opens_at),
            "bid_deadline": time(s.bid_deadline),
            "opening_at": time(s.opening_at),
        },
        "ceiling_yen": (t.ceiling_public || opened || staff).then_some(t.ceiling_yen),
        "minimum_yen": if opened || staff { t.minimum_yen } else { None },
        "requirements": {
            "grades": t.requirements.grades,
            "prefectures": t.requirements.prefectures,
            "industries": t.requirements.industries,
            "documents": t.requirements.documents,
        },
        "documents": case.fields.documents.iter().map(|(title, url)| json!({
            "title": title,
            "url": format!("{}{url}", state.settings.public_url),
        })).collect::<Vec<_>>(),
        "questions": questions,
        "results": results,
    });
    if let Some(company) = viewer.user.as_ref().and_then(|u| u.company_id) {
        let me = state.store.participant(case.id, company).await?;
        let receipt = state
            .store
            .sealed_bids(case.id)
            .await?
            .into_iter()
            .find(|b| b.company_id == company)
            .map(|b| b.receipt);
        v["me"] = json!({
            "participation": me.as_ref().map(|p| p.status.as_str()),
            "participation_label": me.as_ref().map(|p| p.status.label()),
            "reason": me.as_ref().and_then(|p| p.reason.clone()),
            "receipt": receipt.as_ref().map(receipt_value),
        });
    }
    Ok(v)
}

/// Staff manage it, or anyone reads it once public.
async fn visible(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Case, TenderRecord, bool), WebError> {
    if let Ok((case, t)) = ops::managed(state, viewer, id).await {
        return Ok((case, t, true));
    }
    let (case, t) = ops::public_tender(state, id).await?;
    Ok((case, t, false))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, t, staff) = visible(&state, &viewer, id_of(&id)?).await?;
    Ok(Json(tender_json(&state, &case, &t, &viewer, staff).await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CreateRequest {
    #[serde(flatten)]
    fields: serde_json::Map<String, Value>,
    #[serde(default)]
    documents: Vec<JsonFile>,
}

/// The request read as a notice (the form's rules), with its documents.
async fn notice(
    state: &AppState,
    viewer: &Viewer,
    req: &CreateRequest,
) -> Result<store::NewTender, WebError> {
    let mut errors = Errors::default();
    let form = form_of(&req.fields);
    let parsed = crate::actions::tender_terms::parse(state, viewer, &form, &mut errors).await?;
    let Some(mut tender) = parsed.filter(|_| errors.is_empty()) else {
        return Err(invalid(&errors));
    };
    tender.documents = files_of(&req.documents)?;
    Ok(tender)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    b: Result<Json<CreateRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "電子入札案件の内容")?;
    let tender = notice(&state, &viewer, &req).await?;
    let id = state
        .store
        .create_tender(
            &tender,
            crate::actions::tender_terms::keys_for(&state)?,
            crate::auth::now_ms(),
        )
        .await
        .map_err(ops::refused)?;
    state.cases_written();
    let (case, t) = ops::managed(&state, &viewer, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(tender_json(&state, &case, &t, &viewer, true).await?),
    )
        .into_response())
}

/// Rewrites a draft: the whole notice again (as for `create`), new
/// documents added, and `remove_documents` (file ids) removed. A published
/// tender changes only by `amend`.
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<CreateRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "電子入札案件の内容")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let tender = notice(&state, &viewer, &req).await?;
    let remove: Vec<i64> = req
        .fields
        .get("remove_documents")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    state
        .store
        .update_tender_draft(
            case.id,
            &tender,
            &remove,
            &ops::staff_actor(&viewer)?,
            crate::auth::now_ms(),
        )
        .await
        .map_err(ops::refused)?;
    state.cases_written();
    let (case, t) = ops::managed(&state, &viewer, case.id).await?;
    Ok(Json(tender_json(&state, &case, &t, &viewer, true).await?).into_response())
}

/// `{}`: an action with nothing more to say.
#[derive(Debug, Deserialize)]
pub struct Empty {}

pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Response, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::publish(&state, &viewer, &case).await?;
    Ok(done("published"))
}

pub async fn amend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<serde_json::Map<String, Value>>, JsonRejection>,
) -> Result<Response, WebError> {
    let form = form_of(&body(b, "変更後の日程")?);
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let schedule = crate::actions::tender_terms::schedule_of(&form)?;
    ops::amend(&state, &viewer, &case, &t, schedule, form.get("note")).await?;
    Ok(done("amended"))
}

pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Response, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::cancel(&state, &viewer, &case).await?;
    Ok(done("cancelled"))
}

pub async fn participants(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let divisions = state.store.industry_divisions().await?;
    let list: Vec<Value> = state
        .store
        .participants(case.id)
        .await?
        .iter()
        .map(|p| {
            let section = divisions
                .iter()
                .find(|d| d.code == p.industry_division)
                .map(|d| d.section_code.clone())
                .unwrap_or_default();
            json!({
                "company_id": p.company_id,
                "company": p.company_name,
                "status": p.status.as_str(),
                "status_label": p.status.label(),
                "reason": p.reason,
                "declared_grade": p.declared_grade,
                "message": p.message,
                "technical_score": p.technical_score,
                "applied_at": p.applied_at.map(time),
                "decided_at": p.decided_at.map(time),
                "unmet_requirements": t.requirements.unmet(p.declared_grade.as_deref(), p.prefecture_code, &section),
                "documents": p.files.iter().map(|f| json!({
                    "name": f.name,
                    "url": format!("{}{}", state.settings.public_url, f.href()),
                    "sha256": f.sha256,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let bids: Vec<Value> = state
        .store
        .sealed_bids(case.id)
        .await?
        .iter()
        .map(|b| {
            let mut v = receipt_value(&b.receipt);
            v["company_id"] = json!(b.company_id);
            v
        })
        .collect();
    Ok(Json(json!({ "participants": list, "bids": bids })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionRequest {
    company_id: i64,
    /// "approve" or "reject".
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<DecisionRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "資格審査の結果（company_id, decision, reason）")?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let status = match req.decision.as_str() {
        "approve" => Participation::Approved,
        "reject" => Participation::Rejected,
        _ => {
            return Err(WebError::new(
                ErrorKind::Unprocessable,
                "decision には approve か reject を指定してください。",
            ));
        }
    };
    let reason = (status == Participation::Rejected).then_some(req.reason.as_str());
    ops::decide(&state, &viewer, &case, &t, req.company_id, status, reason).await?;
    Ok(done("decided"))
}

#[derive(Debug, Deserialize)]
pub struct NominationRequest {
    corporate_number: String,
}

pub async fn nominate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<NominationRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "指名する企業（corporate_number）")?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::nominate(&state, &viewer, &case, &t, &req.corporate_number).await?;
    Ok(done("nominated"))
}

#[derive(Debug, Deserialize)]
pub struct ScoreRequest {
    company_id: i64,
    score: i64,
}

pub async fn score(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<ScoreRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "技術点（company_id, score）")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::score(&state, &viewer, &case, req.company_id, req.score).await?;
    Ok(done("scored"))
}

#[derive(Debug, Deserialize)]
pub struct AnswerRequest {
    question_id: i64,
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "回答（question_id, answer）")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::answer(&state, &viewer, &case, req.question_id, &req.answer).await?;
    Ok(done("answered"))
}

pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Response, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::open(&state, &viewer, &case).await?;
    let (case, t) = ops::managed(&state, &viewer, case.id).await?;
    Ok(Json(tender_json(&state, &case, &t, &viewer, true).await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AwardRequest {
    /// "award" or "unsuccessful".
    decision: String,
}

pub async fn award(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<AwardRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "落札の決定（decision）")?;
    let award = match req.decision.as_str() {
        "award" => true,
        "unsuccessful" => false,
        _ => {
            return Err(WebError::new(
                ErrorKind::Unprocessable,
                "decision には award か unsuccessful を指定してください。",
            ));
        }
    };
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::award(&state, &viewer, &case, award).await?;
    Ok(done(if award { "awarded" } else { "unsuccessful" }))
}

#[derive(Debug, Deserialize)]
pub struct ApplicationRequest {
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    documents: Vec<JsonFile>,
}

pub async fn apply(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<ApplicationRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "参加申請（grade, message, documents）")?;
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    let files = files_of(&req.documents)?;
    let grade = req.grade.as_deref().filter(|g| !g.is_empty());
    ops::apply(&state, &viewer, &case, &t, grade, &req.message, &files).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "ok": true, "participation": "applied" })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct QuestionRequest {
    question: String,
}

pub async fn ask(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<QuestionRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let req = body(b, "質問（question）")?;
    let (case, _) = ops::public_tender(&state, id_of(&id)?).await?;
    let qid = ops::ask(&state, &viewer, &case, &req.question).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "ok": true, "question_id": qid })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct BidRequest {
    /// 入札金額 (yen).
    amount: i64,
    /// くじ入力番号, "000"–"999".
    kuji: String,
    #[serde(default)]
    breakdown: String,
}

pub async fn bid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<BidRequest>, JsonRejection>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let req = body(b, "入札の内容（amount, kuji, breakdown）")?;
    let (case, _) = ops::public_tender(&state, id).await?;
    let content = etender::BidContent {
        amount: req.amount,
        kuji: req.kuji,
        breakdown: req.breakdown,
    };
    // The server's clock at arrival decides whether the bid is in time.
    let receipt = ops::bid(&state, &viewer, &case, &content).await?;
    Ok(receipt_json(&receipt))
}

pub async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, _) = ops::public_tender(&state, id_of(&id)?).await?;
    let receipt = ops::decline(&state, &viewer, &case).await?;
    Ok(receipt_json(&receipt))
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
}
