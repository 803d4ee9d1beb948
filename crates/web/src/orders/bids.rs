//! 入札: a nominated or qualified company's bid page for an e-tender — the
//! form while bids are accepted, its own receipt once it has bid, and 辞退.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use store::StoreError;

use super::{id_of, own_company};
use crate::auth::Viewer;
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, WebError};

pub(crate) fn receipt_page(
    viewer: &Viewer,
    id: i64,
    r: &store::Receipt,
) -> Result<Response, WebError> {
    let when = domain::time::jst_datetime_ms(r.received_at);
    let what = if r.declined { "辞退" } else { "入札" };
    MessagePage::new(
        Layout::for_viewer(format!("{what}を受け付けました"), viewer),
        &[
            &format!("受付番号：{}", r.receipt_no),
            &format!("受付時刻：{when}（日本時間、サーバーの時計）"),
            &format!("封印した入札のハッシュ（SHA-256）：{}", r.sealed_hash),
            "入札の内容は封印され、開札まで誰も読めません。この受付票を控えてください。",
        ],
    )
    .link(format!("/cases/{id}"), "案件のページに戻る")
    .respond(StatusCode::OK)
}

fn form(
    viewer: &Viewer,
    id: i64,
    title: &str,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response, WebError> {
    let sets = vec![FieldSet::new(
        None,
        vec![
            Field::new("amount", "入札金額（円、税抜）", Kind::Number)
                .required()
                .hint("数字で入力してください（例：1234000）。")
                .value(typed.get("amount")),
            Field::new("kuji", "くじ入力番号", Kind::Text)
                .required()
                .hint("000〜999の3桁。同額の入札があったときの電子くじに使います。")
                .value(typed.get("kuji")),
            Field::new("breakdown", "内訳", Kind::TextArea)
                .hint("2,000文字以内。金額とともに封印されます。")
                .value(typed.get("breakdown")),
        ],
    )];
    let mut page = FormPage::new(
        Layout::for_viewer(format!("入札：{title}"), viewer),
        format!("/cases/{id}/bid"),
        &viewer.csrf_token,
        sets,
        "入札する",
    )
    .intro("入札は一度だけです。送信すると封印され、開札まで誰も（運営事務局も）読めません。")
    .link(format!("/cases/{id}"), "案件のページに戻る")
    .link(format!("/cases/{id}/decline"), "入札を辞退する")
    .link("/help/kuji", "電子くじの決め方");
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

pub async fn bid_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let (_, company) = own_company(&state, &viewer).await?;
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if state.store.tender(id).await?.is_none() {
        return Err(WebError::not_found());
    }
    if let Some(b) = state
        .store
        .sealed_bids(id)
        .await?
        .into_iter()
        .find(|b| b.company_id == company.id)
    {
        return receipt_page(&viewer, id, &b.receipt);
    }
    if !state
        .store
        .participation(id, company.id)
        .await?
        .is_some_and(store::Participation::may_bid)
    {
        return MessagePage::new(
            Layout::for_viewer("この案件には入札できません", &viewer),
            &["入札できるのは、参加資格を認められた企業（指名された企業）だけです。参加申請の状況は、案件のページで確認できます。"],
        )
        .link(format!("/cases/{id}"), "案件のページに戻る")
        .respond(StatusCode::FORBIDDEN);
    }
    form(
        &viewer,
        id,
        &case.fields.title,
        &FormData::default(),
        &Errors::default(),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    typed: FormData,
) -> Result<Response, WebError> {
    let now = crate::auth::now_ms();
    typed.check_csrf(&viewer)?;
    let id = id_of(&id)?;
    let (user, company) = own_company(&state, &viewer).await?;
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let mut errors = Errors::default();
    let amount =
        crate::forms::optional_number(&mut errors, &typed, "amount", "入札金額", 1_000_000_000_000);
    if amount.is_none() && errors.is_empty() {
        errors.add("amount", "入札金額を入力してください。");
    }
    if let Err(e) = etender::kuji_number(typed.get("kuji")) {
        errors.add("kuji", e.to_string());
    }
    if let Err(e) = etender::check_breakdown(typed.get("breakdown").trim()) {
        errors.add("breakdown", e.to_string());
    }
    if !errors.is_empty() {
        return form(&viewer, id, &case.fields.title, &typed, &errors);
    }
    let content = etender::BidContent {
        amount: amount.unwrap_or(0),
        kuji: typed.get("kuji").to_owned(),
        breakdown: typed.get("breakdown").trim().to_owned(),
    };
    let actor = store::Actor {
        user_id: Some(user.id),
        label: format!("入札者 {}", user.name),
        ip: None,
    };
    match etender::submit(
        &state.store,
        id,
        company.id,
        Some(user.id),
        &content,
        &actor,
        now,
    )
    .await
    {
        Ok(receipt) => receipt_page(&viewer, id, &receipt),
        Err(etender::TenderError::Refused(m))
        | Err(etender::TenderError::Store(StoreError::Invalid(m))) => {
            errors.add("amount", m);
            form(&viewer, id, &case.fields.title, &typed, &errors)
        }
        Err(etender::TenderError::Store(StoreError::Conflict { .. })) => {
            errors.add(
                "amount",
                "この案件には既に入札（または辞退）しています。入札は一度だけです。",
            );
            form(&viewer, id, &case.fields.title, &typed, &errors)
        }
        Err(e) => Err(WebError::internal(e)),
    }
}
