//! The e-tender's whole lifecycle as JSON, for both sides: staff create,
//! publish, amend, cancel, review applications, nominate, score, answer,
//! open and award; bidders read, apply, ask, bid and decline. Authenticated
//! by the session or by a per-user API token (`Authorization: Bearer …`).
//! Every write takes a JSON body (`{}` when there is nothing to say), which
//! a cross-site form cannot send; the rules and the mails are the pages'
//! own (`crate::actions::tenders`). Each handler's `#[utoipa::path]` is its
//! entry in the OpenAPI document.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use store::{Case, Participation, TenderRecord};

use super::openapi::TenderErrors;
use super::tender_requests::{
    AnswerRequest, ApplicationRequest, AwardRequest, BidRequest, DecisionRequest, Empty,
    NominationRequest, QuestionRequest, ScoreRequest, TenderDraft, TenderNotice, body, files_of,
    notice,
};
use super::tender_types::{
    self as answers, Action, Applied, Asked, Done, Participants, Receipt, Tender,
};
use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::errors::ErrorBody;
use crate::{AppState, ErrorKind, WebError};

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

/// The tender again, as the staff who manage it see it.
async fn managed_tender(state: &AppState, viewer: &Viewer, id: i64) -> Result<Tender, WebError> {
    let (case, t) = ops::managed(state, viewer, id).await?;
    answers::tender(state, &case, &t, viewer, true).await
}

/// 電子入札案件の状況を取得する
///
/// 公告後は誰でも取得できます。受注企業の利用者には自社の参加状況と受付票（me）、管理する職員にはすべてを返します。
#[utoipa::path(
    get,
    path = "/api/v1/tenders/{id}",
    operation_id = "getTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    security((), ("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "成功", body = Tender),
        (status = 404, description = "案件が見つからない（公告前の案件を含む）", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Tender>, WebError> {
    let (case, t, staff) = visible(&state, &viewer, id_of(&id)?).await?;
    Ok(Json(
        answers::tender(&state, &case, &t, &viewer, staff).await?,
    ))
}

/// 電子入札案件を作成する（発注機関の職員）
///
/// 下書きとして作成します。公告は publish で行います。
#[utoipa::path(
    post,
    path = "/api/v1/tenders",
    operation_id = "createTender",
    tag = "電子入札",
    request_body = TenderNotice,
    responses((status = 201, description = "成功", body = Tender), TenderErrors)
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    b: Result<Json<TenderNotice>, JsonRejection>,
) -> Result<(StatusCode, Json<Tender>), WebError> {
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
    Ok((
        StatusCode::CREATED,
        Json(managed_tender(&state, &viewer, id).await?),
    ))
}

/// 下書きの電子入札案件を書き直す
///
/// 作成と同じ内容をすべて送ります。新しい資料は加わり、remove_documents の資料は削除されます。公告の後は amend（変更公告）だけができます。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}",
    operation_id = "updateTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = TenderDraft,
    responses((status = 200, description = "成功", body = Tender), TenderErrors)
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<TenderDraft>, JsonRejection>,
) -> Result<Json<Tender>, WebError> {
    let req = body(b, "電子入札案件の内容")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let tender = notice(&state, &viewer, &req.notice).await?;
    state
        .store
        .update_tender_draft(
            case.id,
            &tender,
            &req.remove_documents(),
            &ops::staff_actor(&viewer)?,
            crate::auth::now_ms(),
        )
        .await
        .map_err(ops::refused)?;
    state.cases_written();
    Ok(Json(managed_tender(&state, &viewer, case.id).await?))
}

/// 公告する
///
/// 下書きを公告します。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/publish",
    operation_id = "publishTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = Empty,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::publish(&state, &viewer, &case).await?;
    Ok(Json(Done::new(Action::Published)))
}

/// 変更公告する（日程の変更）
///
/// 入札締切の前に限ります。参加申請した企業にメールで知らせます。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/amend",
    operation_id = "amendTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = super::tender_requests::Amendment,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn amend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<super::tender_requests::Amendment>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    let form = body(b, "変更後の日程")?.form()?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let schedule = crate::actions::tender_terms::schedule_of(&form)?;
    ops::amend(&state, &viewer, &case, &t, schedule, form.get("note")).await?;
    Ok(Json(Done::new(Action::Amended)))
}

/// 中止する
///
/// 参加申請した企業にメールで知らせます。入札書は開封されません。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/cancel",
    operation_id = "cancelTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = Empty,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::cancel(&state, &viewer, &case).await?;
    Ok(Json(Done::new(Action::Cancelled)))
}

/// 参加申請と受け付けた入札書（受付票）の一覧
///
/// 要件との照合（unmet_requirements）と申請書類を含みます。入札の内容は開札まで含みません。
#[utoipa::path(
    get,
    path = "/api/v1/tenders/{id}/participants",
    operation_id = "listParticipants",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "成功", body = Participants),
        (status = 403, description = "認証されていない、または権限がない", body = ErrorBody),
        (status = 404, description = "案件が見つからない（管理する権限のない案件を含む）", body = ErrorBody),
    )
)]
pub async fn participants(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Participants>, WebError> {
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    Ok(Json(answers::participants(&state, &case, &t).await?))
}

/// 資格審査の結果を登録する
///
/// 認めないときは理由が必須です。企業にメールで知らせます。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/decisions",
    operation_id = "decideParticipation",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = DecisionRequest,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<DecisionRequest>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    let req = body(b, "資格審査の結果（company_id, decision, reason）")?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    let status = ops::decision(&req.decision)?;
    let reason = (status == Participation::Rejected).then_some(req.reason.as_str());
    ops::decide(&state, &viewer, &case, &t, req.company_id, status, reason).await?;
    Ok(Json(Done::new(Action::Decided)))
}

/// 指名する（指名通知）
///
/// 法人番号で受注企業を指名します。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/nominations",
    operation_id = "nominateCompany",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = NominationRequest,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn nominate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<NominationRequest>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    let req = body(b, "指名する企業（corporate_number）")?;
    let (case, t) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::nominate(&state, &viewer, &case, &t, &req.corporate_number).await?;
    Ok(Json(Done::new(Action::Nominated)))
}

/// 技術点を登録する（総合評価）
///
/// 開札の前に、参加資格のある企業の技術点を登録します。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/scores",
    operation_id = "scoreCompany",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = ScoreRequest,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn score(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<ScoreRequest>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    let req = body(b, "技術点（company_id, score）")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::score(&state, &viewer, &case, req.company_id, req.score).await?;
    Ok(Json(Done::new(Action::Scored)))
}

/// 質問に回答する
///
/// 回答は質問とともに公表され、質問した企業の名前は公表されません。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/answers",
    operation_id = "answerQuestion",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = AnswerRequest,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
    let req = body(b, "回答（question_id, answer）")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::answer(&state, &viewer, &case, req.question_id, &req.answer).await?;
    Ok(Json(Done::new(Action::Answered)))
}

/// 開札する
///
/// 開札日時の後に限ります。入札を復号して判定し、同額は電子くじで決めます。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/open",
    operation_id = "openTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = Empty,
    responses((status = 200, description = "成功", body = Tender), TenderErrors)
)]
pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<Empty>, JsonRejection>,
) -> Result<Json<Tender>, WebError> {
    body(b, "リクエスト")?;
    let (case, _) = ops::managed(&state, &viewer, id_of(&id)?).await?;
    ops::open(&state, &viewer, &case).await?;
    Ok(Json(managed_tender(&state, &viewer, case.id).await?))
}

/// 落札者を決定する、または不調とする
///
/// 入札者にメールで知らせます。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/award",
    operation_id = "awardTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = AwardRequest,
    responses((status = 200, description = "成功", body = Done), TenderErrors)
)]
pub async fn award(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<AwardRequest>, JsonRejection>,
) -> Result<Json<Done>, WebError> {
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
    Ok(Json(Done::new(if award {
        Action::Awarded
    } else {
        Action::Unsuccessful
    })))
}

/// 参加を申請する（受注企業）
///
/// 参加申請の受付期間に限ります。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/applications",
    operation_id = "applyToTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = ApplicationRequest,
    responses((status = 201, description = "成功", body = Applied), TenderErrors)
)]
pub async fn apply(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<ApplicationRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Applied>), WebError> {
    let req = body(b, "参加申請（grade, message, documents）")?;
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    let files = files_of(&req.documents)?;
    let grade = req.grade.as_deref().filter(|g| !g.is_empty());
    ops::apply(&state, &viewer, &case, &t, grade, &req.message, &files).await?;
    Ok((StatusCode::CREATED, Json(Applied::new())))
}

/// 質問する（受注企業）
///
/// 公告日から入札書受付開始まで。回答は公表され、質問者の名前は公表されません。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/questions",
    operation_id = "askQuestion",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = QuestionRequest,
    responses((status = 201, description = "成功", body = Asked), TenderErrors)
)]
pub async fn ask(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<QuestionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Asked>), WebError> {
    let req = body(b, "質問（question）")?;
    let (case, _) = ops::public_tender(&state, id_of(&id)?).await?;
    let qid = ops::ask(&state, &viewer, &case, &req.question).await?;
    Ok((StatusCode::CREATED, Json(Asked::new(qid))))
}

/// 電子入札案件に入札する（受注企業）
///
/// 入札書受付期間内に、参加資格を認められた（指名された）企業が一度だけ入札できます。入札は受け付けた時点で案件の公開鍵で封印され、開札まで誰も読めません。受付時刻はサーバーの時計で決まります。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/bids",
    operation_id = "submitBid",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    request_body = BidRequest,
    responses(
        (status = 201, description = "受付票", body = Receipt),
        (status = 400, description = "本文を読み取れない", body = ErrorBody),
        (status = 404, description = "案件が見つからない（公告前の案件を含む）", body = ErrorBody),
        (status = 409, description = "入札（または辞退）済み：入札は一度だけ", body = ErrorBody),
        (status = 422, description = "受付期間外、参加資格なし、金額やくじ番号が不正", body = ErrorBody),
    )
)]
pub async fn bid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    b: Result<Json<BidRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Receipt>), WebError> {
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
    Ok((StatusCode::CREATED, Json((&receipt).into())))
}

/// 電子入札案件の入札を辞退する
///
/// 本文は要りません（セッションで送るときは X-CSRF-Token ヘッダーか、JSON の本文 {} を付けてください）。
#[utoipa::path(
    post,
    path = "/api/v1/tenders/{id}/decline",
    operation_id = "declineTender",
    tag = "電子入札",
    params(("id" = i64, Path, description = "案件のID")),
    responses(
        (status = 201, description = "受付票", body = Receipt),
        (status = 404, description = "案件が見つからない（公告前の案件を含む）", body = ErrorBody),
        (status = 409, description = "入札（または辞退）済み", body = ErrorBody),
        (status = 422, description = "受付期間外、参加資格なし", body = ErrorBody),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Receipt>), WebError> {
    let (case, _) = ops::public_tender(&state, id_of(&id)?).await?;
    let receipt = ops::decline(&state, &viewer, &case).await?;
    Ok((StatusCode::CREATED, Json((&receipt).into())))
}
