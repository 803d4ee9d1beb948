//! The bidders' pages around the bid: 参加希望申請 with documents, where the
//! application stands, 質問, and 辞退.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::tender::{GRADES, Phase};
use store::{Case, TenderRecord};

use super::bid;
use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::confirm::{self, ConfirmPage};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, checked_files};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, ErrorKind, WebError};

/// What the company's profile does not meet, in words.
async fn unmet(
    state: &AppState,
    t: &TenderRecord,
    company_id: i64,
    grade: Option<&str>,
) -> Result<Vec<String>, WebError> {
    let company = state
        .store
        .company(company_id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let section = state
        .store
        .industry_divisions()
        .await?
        .into_iter()
        .find(|d| d.code == company.industry_division)
        .map(|d| d.section_code)
        .unwrap_or_default();
    let mut r = t.requirements.clone();
    if grade.is_none() {
        r.grades.clear();
    }
    Ok(r.unmet(grade, company.prefecture_code, &section))
}

async fn form(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response, WebError> {
    let (_, company_id, _) = ops::bidder(viewer)?;
    let mut fields = vec![
        Field::new(
            "grade",
            "参加資格等級",
            Kind::Select(
                GRADES
                    .iter()
                    .map(|g| ((*g).to_owned(), format!("{g}等級")))
                    .collect(),
            ),
        )
        .hint("発注機関の競争入札参加資格の等級を選んでください。")
        .value(typed.get("grade")),
        Field::new("message", "連絡事項", Kind::TextArea)
            .hint("任意。4,000文字以内")
            .value(typed.get("message")),
    ];
    fields.extend(crate::forms::document_fields(
        &[],
        Vec::new(),
        "申請書類",
        &if t.requirements.documents.is_empty() {
            String::new()
        } else {
            format!("求められている書類：{}。", t.requirements.documents)
        },
        state.settings.max_body_bytes,
    ));
    if !t.requirements.grades.is_empty() {
        fields[0] = fields[0].clone().required();
    }
    let mut page = FormPage::new(
        Layout::for_viewer(format!("参加申請：{}", case.fields.title), viewer),
        format!("/cases/{}/participate", case.id),
        viewer.csrf_token(),
        vec![FieldSet::new(None, fields)],
        "参加を申請する",
    )
    .intro(format!(
        "参加申請の締切は {} です。発注機関が資格審査を行い、結果をメールでお知らせします。参加資格を認められた企業だけが入札できます。",
        crate::present::when(t.tender.schedule.application_deadline)
    ))
    .link(format!("/cases/{}", case.id), "案件のページに戻る");
    let warnings = unmet(state, t, company_id, None).await?;
    if !warnings.is_empty() {
        page = page.intro(format!(
            "ご登録の企業情報では、次の参加資格を満たしていない可能性があります：{}。",
            warnings.join("、")
        ));
    }
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

/// Where the company's application stands.
fn status_page(
    viewer: &Viewer,
    case: &Case,
    p: &store::Participant,
    phase: Phase,
) -> Result<Response, WebError> {
    let mut lines = vec![format!("参加の状況：{}", p.status.label())];
    if let Some(r) = &p.reason {
        lines.push(format!("理由：{r}"));
    }
    if p.status.may_bid() {
        lines.push(if phase == Phase::Bidding {
            "入札書を受け付けています。".to_owned()
        } else {
            "入札書受付開始の日時から入札できます。".to_owned()
        });
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut page = MessagePage::new(
        Layout::for_viewer(format!("参加申請：{}", case.fields.title), viewer),
        &refs,
    );
    if p.status.may_bid() {
        page = page.link(format!("/cases/{}/bid", case.id), "入札のページへ");
    }
    page.link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::OK)
}

pub async fn participate_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    let (_, company_id, _) = ops::bidder(&viewer)?;
    let phase = t.tender.phase(crate::auth::now_ms());
    if let Some(p) = state.store.participant(case.id, company_id).await? {
        return status_page(&viewer, &case, &p, phase);
    }
    if phase != Phase::Applications {
        return MessagePage::new(
            Layout::for_viewer("参加申請の受付期間ではありません", &viewer),
            &[&format!(
                "この案件の参加申請は {} から {} までです。",
                crate::present::when(t.tender.schedule.published_at),
                crate::present::when(t.tender.schedule.application_deadline)
            )],
        )
        .link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::CONFLICT);
    }
    form(
        &state,
        &viewer,
        &case,
        &t,
        &FormData::default(),
        &Errors::default(),
    )
    .await
}

pub async fn participate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    typed: FormData,
) -> Result<Response, WebError> {
    typed.check_csrf(&viewer)?;
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    let mut errors = Errors::default();
    let files = checked_files(&mut errors, &typed, "files");
    let grade = Some(typed.get("grade")).filter(|g| !g.is_empty());
    if grade.is_some_and(|g| !GRADES.contains(&g)) {
        errors.add("grade", "参加資格等級を選んでください。");
    }
    if !errors.is_empty() {
        return form(&state, &viewer, &case, &t, &typed, &errors).await;
    }
    match ops::apply(
        &state,
        &viewer,
        &case,
        &t,
        grade,
        typed.get("message"),
        &files,
    )
    .await
    {
        Ok(()) => MessagePage::new(
            Layout::for_viewer("参加申請を受け付けました", &viewer),
            &[
                "発注機関が資格審査を行い、結果をメールでお知らせします。",
                "申請の状況は、このページのリンクからいつでも確認できます。",
            ],
        )
        .link(
            format!("/cases/{}/participate", case.id),
            "申請の状況を見る",
        )
        .link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::OK),
        Err(e) if e.kind() == ErrorKind::Unprocessable => {
            errors.add("grade", e.message().to_owned());
            form(&state, &viewer, &case, &t, &typed, &errors).await
        }
        Err(e) => Err(e),
    }
}

pub async fn ask(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    typed: FormData,
) -> Result<Response, WebError> {
    typed.check_csrf(&viewer)?;
    let (case, _) = ops::public_tender(&state, id_of(&id)?).await?;
    match ops::ask(&state, &viewer, &case, typed.get("question")).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?asked=1#questions", case.id)).into_response()),
        Err(e) if e.kind() == ErrorKind::Unprocessable => MessagePage::new(
            Layout::for_viewer("質問を受け付けられませんでした", &viewer),
            &[e.message()],
        )
        .link(
            format!("/cases/{}#questions", case.id),
            "案件のページに戻る",
        )
        .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e),
    }
}

/// 辞退's confirmation: what it means and that it cannot be undone.
fn decline_page(viewer: &Viewer, case: &Case, t: &TenderRecord) -> Result<Response, WebError> {
    ConfirmPage::new(
        Layout::for_viewer("入札を辞退してよろしいですか", viewer),
        format!("/cases/{}/decline", case.id),
        viewer.csrf_token(),
        "辞退する",
    )
    .lead("この案件の入札を辞退します。辞退は入札書と同じく受付番号つきで受け付け、受付票をメールでお送りします。")
    .fact("案件名", case.fields.title.clone())
    .fact("入札締切", crate::present::when(t.tender.schedule.bid_deadline))
    .warning("辞退は取り消せません。辞退すると、この案件には入札できません。")
    .cancel(format!("/cases/{}/bid", case.id), "辞退せずに入札のページに戻る")
    .respond()
}

pub async fn decline_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    if let Some(r) = bid::before_form(&state, &viewer, &case, &t, crate::auth::now_ms()).await? {
        return Ok(r);
    }
    decline_page(&viewer, &case, &t)
}

/// Without `confirm=1` the confirmation page; confirmed, 辞退 and its receipt.
pub async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    typed: FormData,
) -> Result<Response, WebError> {
    typed.check_csrf(&viewer)?;
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    if let Some(r) = bid::before_form(&state, &viewer, &case, &t, crate::auth::now_ms()).await? {
        return Ok(r);
    }
    if !confirm::confirmed(&typed) {
        return decline_page(&viewer, &case, &t);
    }
    match ops::decline(&state, &viewer, &case).await {
        Ok(receipt) => bid::receipt_page(&viewer, &case, &receipt, true),
        Err(e) if e.kind() == ErrorKind::Unprocessable => MessagePage::new(
            Layout::for_viewer("辞退を受け付けられませんでした", &viewer),
            &[e.message()],
        )
        .link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e),
    }
}
