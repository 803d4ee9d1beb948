//! 入札: a nominated or qualified company's bid page for an e-tender — the
//! form only while a bid can be made now (otherwise why and when), a
//! confirmation step that repeats the amount before anything is sealed, and
//! the receipt (受付票) once it has bid.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use store::{Case, TenderRecord};

use crate::actions::tenders::{self as ops, id_of};
use crate::auth::Viewer;
use crate::confirm::{self, ConfirmPage};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, ErrorKind, WebError};

/// Every amount on a tender is written 税抜 (the tender form's 予定価格 too).
const TAX: &str = "税抜";

/// 受付票: the receipt of a bid or a 辞退.
pub(crate) fn receipt_page(
    viewer: &Viewer,
    case: &Case,
    r: &store::Receipt,
    fresh: bool,
) -> Result<Response, WebError> {
    let when = domain::time::jst_datetime_ms(r.received_at);
    let what = if r.declined { "辞退" } else { "入札" };
    let title = format!("{what}を受け付けました");
    let notice = if fresh {
        format!("{title}。受付票をメールでもお送りしました（入札金額は書いていません）。")
    } else {
        format!("この案件には既に{what}しています。{what}は一度だけです。")
    };
    let paragraphs = [
        &format!("案件名：{}", case.fields.title),
        &format!("受付番号：{}", r.receipt_no),
        &format!("受付時刻：{when}（日本時間、サーバーの時計）"),
        &format!("封印した入札のハッシュ（SHA-256）：{}", r.sealed_hash),
        "入札の内容は封印され、開札まで誰も読めません。この受付票を控えてください。",
    ];
    MessagePage::new(Layout::for_viewer(title, viewer), &paragraphs)
        .status(notice)
        .link(format!("/cases/{}", case.id), "案件のページに戻る")
        .link("/mypage", "マイページ")
        .respond(StatusCode::OK)
}

fn form(
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response, WebError> {
    let id = case.id;
    let sets = vec![FieldSet::new(
        None,
        vec![
            Field::new("amount", format!("入札金額（円、{TAX}）"), Kind::Number)
                .required()
                .hint("1円以上の金額を、半角または全角の数字で入力してください（例：800000、800,000）。")
                .value(typed.get("amount")),
            Field::new("kuji", "くじ入力番号", Kind::Text)
                .required()
                .hint("000〜999の3桁。同額の入札があったときの電子くじに使います。")
                .value(typed.get("kuji")),
            Field::new("breakdown", "内訳", Kind::TextArea)
                .hint("任意。2,000文字以内。金額とともに封印されます。")
                .value(typed.get("breakdown")),
        ],
    )];
    let mut page = FormPage::new(
        Layout::for_viewer(format!("入札：{}", case.fields.title), viewer),
        format!("/cases/{id}/bid"),
        viewer.csrf_token(),
        sets,
        "確認画面へ進む",
    )
    .intro(format!(
        "入札締切：{}。入札は一度だけです。次の画面で内容を確かめてから送信すると封印され、開札まで誰も（運営事務局も）読めません。",
        crate::present::when(t.tender.schedule.bid_deadline)
    ))
    .link(format!("/cases/{id}"), "案件のページに戻る")
    .link(format!("/cases/{id}/decline"), "入札を辞退する")
    .link("/help/kuji", "電子くじの決め方");
    if !errors.is_empty() {
        page = page.with_errors(errors);
    }
    page.respond()
}

/// The page instead of the form when a bid cannot be made now: why and when.
fn shut_page(
    viewer: &Viewer,
    case: &Case,
    shut: domain::tender::BidShut,
) -> Result<Response, WebError> {
    let mut page = MessagePage::new(
        Layout::for_viewer(format!("入札：{}", case.fields.title), viewer),
        &[&shut.message()],
    );
    if shut == domain::tender::BidShut::Opened {
        page = page.link(
            format!("/cases/{}#bid-results-title", case.id),
            "入札の結果を見る",
        );
    }
    page.link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::OK)
}

/// What the bid page shows before any form: the receipt if the company has
/// bid or declined, a refusal if it may not bid, why and when if a bid
/// cannot be made now (the rule the store applies on submit). `None`: the
/// form.
pub(super) async fn before_form(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    now: i64,
) -> Result<Option<Response>, WebError> {
    let (_, company_id, _) = ops::bidder(viewer)?;
    if let Some(b) = state
        .store
        .sealed_bids(case.id)
        .await?
        .into_iter()
        .find(|b| b.company_id == company_id)
    {
        return receipt_page(viewer, case, &b.receipt, false).map(Some);
    }
    if !state
        .store
        .participation(case.id, company_id)
        .await?
        .is_some_and(store::Participation::may_bid)
    {
        return MessagePage::new(
            Layout::for_viewer("この案件には入札できません", viewer),
            &["入札できるのは、参加資格を認められた企業（指名された企業）だけです。参加申請の状況は、案件のページで確認できます。"],
        )
        .link(format!("/cases/{}", case.id), "案件のページに戻る")
        .respond(StatusCode::FORBIDDEN)
        .map(Some);
    }
    if let Err(shut) = t.tender.bid_window(now) {
        return shut_page(viewer, case, shut).map(Some);
    }
    Ok(None)
}

pub async fn bid_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    if let Some(r) = before_form(&state, &viewer, &case, &t, crate::auth::now_ms()).await? {
        return Ok(r);
    }
    form(&viewer, &case, &t, &FormData::default(), &Errors::default())
}

/// The bid as typed, read: amount in yen, or the errors beside their fields.
fn read(typed: &FormData) -> Result<etender::BidContent, Errors> {
    let mut errors = Errors::default();
    let amount = etender::bid_amount(typed.get("amount"))
        .map_err(|e| errors.add("amount", e.to_string()))
        .ok();
    let kuji = etender::kuji_number(typed.get("kuji"))
        .map_err(|e| errors.add("kuji", e.to_string()))
        .ok();
    if let Err(e) = etender::check_breakdown(typed.get("breakdown").trim()) {
        errors.add("breakdown", e.to_string());
    }
    match (amount, kuji) {
        (Some(amount), Some(kuji)) if errors.is_empty() => Ok(etender::BidContent {
            amount,
            // As read (「０４２」 → 「042」), so the confirmation shows what is sealed.
            kuji: format!("{kuji:03}"),
            breakdown: typed.get("breakdown").trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// 「金800,000円」: the amount as a Japanese bid form writes it.
pub(crate) fn kin(amount: i64) -> String {
    format!("金{}", crate::present::yen(amount))
}

fn confirm_page(
    viewer: &Viewer,
    case: &Case,
    t: &TenderRecord,
    bid: &etender::BidContent,
) -> Result<Response, WebError> {
    let id = case.id;
    let breakdown = if bid.breakdown.is_empty() {
        "（なし）".to_owned()
    } else {
        bid.breakdown.clone()
    };
    ConfirmPage::new(
        Layout::for_viewer("入札内容の確認", viewer),
        format!("/cases/{id}/bid"),
        viewer.csrf_token(),
        "この内容で入札する",
    )
    .lead("次の内容で入札します。金額を確かめてください。まだ送信していません（封印もしていません）。")
    .fact("案件名", case.fields.title.clone())
    .fact(
        "入札金額",
        format!("{}（{TAX}）　{} 円", kin(bid.amount), bid.amount),
    )
    .fact("くじ入力番号", bid.kuji.clone())
    .fact("内訳", breakdown)
    .fact("入札締切", crate::present::when(t.tender.schedule.bid_deadline))
    .warning("「この内容で入札する」を押すと入札は封印され、取り消しも修正もできません。入札は一度だけです。")
    .hidden("amount", bid.amount.to_string())
    .hidden("kuji", bid.kuji.clone())
    .hidden("breakdown", bid.breakdown.clone())
    .edit("修正する")
    .cancel(format!("/cases/{id}"), "入札せずに案件のページに戻る")
    .respond()
}

/// The bid form's POST: the form again (errors, or 「修正する」), else the
/// confirmation page; only the confirmed POST seals and stores the bid.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    typed: FormData,
) -> Result<Response, WebError> {
    typed.check_csrf(&viewer)?;
    let (case, t) = ops::public_tender(&state, id_of(&id)?).await?;
    if let Some(r) = before_form(&state, &viewer, &case, &t, crate::auth::now_ms()).await? {
        return Ok(r);
    }
    if confirm::editing(&typed) {
        return form(&viewer, &case, &t, &typed, &Errors::default());
    }
    let bid = match read(&typed) {
        Ok(bid) => bid,
        Err(errors) => return form(&viewer, &case, &t, &typed, &errors),
    };
    if !confirm::confirmed(&typed) {
        return confirm_page(&viewer, &case, &t, &bid);
    }
    match ops::bid(&state, &viewer, &case, &bid).await {
        Ok(receipt) => receipt_page(&viewer, &case, &receipt, true),
        Err(e) if e.kind() == ErrorKind::Unprocessable => {
            let mut errors = Errors::default();
            errors.add("amount", e.message().to_owned());
            form(&viewer, &case, &t, &typed, &errors)
        }
        Err(e) => Err(e),
    }
}
