//! マイページ: a company user's home, the company's profile, colleagues, and
//! — for an application sent back — its correction.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Dealings;
use serde::Deserialize;
use store::{Company, StoreError};

use super::profile_form::{Choices, Mode, company_fields, parse_company};
use crate::auth::{self, Viewer};
use crate::forms::{Errors, Field, FormData, Kind, required_text};
use crate::layout::Layout;
use crate::pages::{FormPage, render};
use crate::{AppState, ErrorKind, WebError};

#[derive(Debug, Deserialize)]
pub struct Done {
    pub(super) done: Option<String>,
}

pub(super) fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "password" => Some("パスワードを変更しました。"),
        "company" => Some("会社情報を保存しました。"),
        "company_dealings" => Some(
            "会社情報を保存しました。ご利用の目的（受注・発注）の変更は、運営事務局の確認後に反映し、メールでお知らせします。",
        ),
        "legal" => Some(
            "会社名・法人番号の変更を申請しました。運営事務局の確認後、メールでお知らせします。",
        ),
        _ => None,
    }
}

pub(super) async fn own_company(state: &AppState, viewer: &Viewer) -> Result<Company, WebError> {
    let company_id = viewer.user()?.company_id.ok_or_else(|| {
        WebError::new(ErrorKind::Forbidden, "企業の利用者だけが使えるページです。")
    })?;
    state
        .store
        .company(company_id)
        .await?
        .ok_or_else(WebError::not_found)
}

#[derive(Template)]
#[template(path = "mypage.html")]
struct MyPage {
    layout: Layout,
    notice: Option<&'static str>,
    company: Company,
    dealings: &'static str,
    prefecture: String,
    postal: String,
    user_name: String,
    /// The user administers the company (edits its directory profile).
    company_admin: bool,
    /// The company's e-tenders (receiving companies).
    tenders: Vec<super::my_tenders::TenderRow>,
    /// Its private-order entries: (entry, last message) (receiving companies).
    entries: Vec<(store::Entry, String)>,
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let company = own_company(&state, &viewer).await?;
    let dealings = match (company.orders, company.receives) {
        (true, true) => "発注・受注",
        (true, false) => "発注",
        _ => "受注",
    };
    let prefecture = state.store.prefecture_name(company.prefecture_code).await?;
    let postal = domain::PostalCode::parse(&company.postal_code)
        .map_or_else(|_| company.postal_code.clone(), |p| p.to_string());
    let now = auth::now_ms();
    let (tenders, entries) = if company.receives {
        let tenders = state
            .store
            .company_tenders(company.id)
            .await?
            .iter()
            .map(|t| super::my_tenders::TenderRow::of(t, now))
            .collect();
        let entries = state
            .store
            .entries_of_company(company.id)
            .await?
            .into_iter()
            .map(|e| {
                let last = crate::present::when(e.last_message_at);
                (e, last)
            })
            .collect();
        (tenders, entries)
    } else {
        (Vec::new(), Vec::new())
    };
    render(
        &MyPage {
            layout: Layout::for_viewer("マイページ", &viewer),
            tenders,
            entries,
            notice: notice(q.done.as_deref()),
            dealings,
            prefecture,
            postal,
            user_name: viewer.user()?.name.clone(),
            company_admin: viewer.user()?.company_admin,
            company,
        },
        StatusCode::OK,
    )
}

fn company_page(
    viewer: &Viewer,
    choices: &Choices,
    form: Option<&FormData>,
    company: &Company,
    pending: Option<&store::DealingsChange>,
) -> FormPage {
    let page = FormPage::new(
        Layout::for_viewer("会社情報の変更", viewer),
        "/mypage/company",
        viewer.csrf_token(),
        company_fields(choices, form, Some(company), Mode::Profile),
        "保存する",
    )
    .intro(format!(
        "{}（法人番号 {}）",
        company.name,
        company.corporate_number.as_deref().unwrap_or("なし")
    ))
    .intro("ご利用の目的（受注・発注）の変更は、運営事務局が確認してから反映します。それまでは現在の目的のままご利用いただけます。")
    .link(
        "/mypage/company/legal",
        "会社名・法人番号の変更を申請する（運営事務局の確認が必要です）",
    );
    match pending {
        Some(p) => page.intro(format!(
            "確認待ちのご利用の目的の変更があります：{}（{}に申請）。",
            p.proposed.label(),
            domain::time::jst_datetime(p.requested_at)
        )),
        None => page,
    }
}

pub async fn company_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let company = own_company(&state, &viewer).await?;
    let choices = Choices::load(&state.store).await?;
    let pending = state.store.pending_dealings_change(company.id).await?;
    company_page(&viewer, &choices, None, &company, pending.as_ref()).respond()
}

pub async fn company_save(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = own_company(&state, &viewer).await?;
    let choices = Choices::load(&state.store).await?;
    let mut errors = Errors::default();
    let Some(profile) = parse_company(&form, &mut errors, Mode::Profile, Some(&company), &choices)
    else {
        let pending = state.store.pending_dealings_change(company.id).await?;
        return company_page(&viewer, &choices, Some(&form), &company, pending.as_ref())
            .with_errors(&errors)
            .respond();
    };
    let now = auth::now_ms();
    state
        .store
        .update_company_profile(company.id, &profile, now)
        .await?;
    // What the company does here decides its roles: a change goes to review,
    // as a change of its legal name does, and the rest is saved meanwhile.
    let current = Dealings {
        orders: company.orders,
        receives: company.receives,
    };
    let pending = state.store.pending_dealings_change(company.id).await?;
    let requested = profile.dealings;
    if requested == current {
        if pending.is_some() {
            state
                .store
                .request_dealings_change(company.id, None, viewer.user()?.id, now)
                .await?;
        }
        return Ok(Redirect::to("/mypage?done=company").into_response());
    }
    if pending.as_ref().is_none_or(|p| p.proposed != requested) {
        state
            .store
            .request_dealings_change(company.id, Some(requested), viewer.user()?.id, now)
            .await?;
    }
    Ok(Redirect::to("/mypage?done=company_dealings").into_response())
}

fn correction_page(
    viewer: &Viewer,
    choices: &Choices,
    form: Option<&FormData>,
    company: &Company,
) -> FormPage {
    let mut page = FormPage::new(
        Layout::for_viewer("利用申請の修正", viewer),
        "/mypage/application",
        viewer.csrf_token(),
        company_fields(choices, form, Some(company), Mode::Application),
        "修正して再申請する",
    )
    .intro(
        "運営事務局から、申請内容の修正をお願いしています。内容を修正して、再申請してください。",
    );
    if let Some(reason) = &company.status_reason {
        page = page.intro(format!("修正をお願いする点：{reason}"));
    }
    page
}

pub async fn correction_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let company = own_company(&state, &viewer).await?;
    let choices = Choices::load(&state.store).await?;
    correction_page(&viewer, &choices, None, &company).respond()
}

pub async fn resubmit(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = own_company(&state, &viewer).await?;
    let choices = Choices::load(&state.store).await?;
    let mut errors = Errors::default();
    let Some(profile) = parse_company(&form, &mut errors, Mode::Application, None, &choices) else {
        return correction_page(&viewer, &choices, Some(&form), &company)
            .with_errors(&errors)
            .respond();
    };
    match state
        .store
        .resubmit_application(company.id, &profile, auth::now_ms())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => {
            errors.add(
                "corporate_number",
                "この法人番号の企業は既に登録されています。",
            );
            return correction_page(&viewer, &choices, Some(&form), &company)
                .with_errors(&errors)
                .respond();
        }
        Err(StoreError::Stale) => {
            return Err(WebError::new(
                ErrorKind::BadRequest,
                "この申請は修正待ちではありません。",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    crate::pages::MessagePage::new(
        Layout::for_viewer("再申請を受け付けました", &viewer),
        &["修正した内容で再申請しました。審査の結果はメールでお知らせします。"],
    )
    .link("/", "トップページへ戻る")
    .respond(StatusCode::OK)
}

fn legal_page(
    viewer: &Viewer,
    form: Option<&FormData>,
    company: &Company,
    pending: Option<&store::LegalChange>,
) -> FormPage {
    let v = |name: &str, stored: String| form.map_or(stored, |f| f.get(name).to_owned());
    let sole = form.map_or(company.sole_proprietor, |f| f.checked("sole_proprietor"));
    let sets = vec![crate::forms::FieldSet::new(
        None,
        vec![
            Field::new("corporate_number", "法人番号", Kind::Text)
                .hint("13桁の数字です。個人事業主の方は空欄のまま「個人事業主です」を選んでください。")
                .value(v("corporate_number", company.corporate_number.clone().unwrap_or_default())),
            Field::new("sole_proprietor", "個人事業主です（法人番号がありません）", Kind::Checkbox)
                .value(if sole { "1" } else { "" }),
            Field::new("name", "会社名（屋号）", Kind::Text).required().value(v("name", company.name.clone())),
            Field::new("name_kana", "会社名のフリガナ", Kind::Text)
                .required()
                .hint("全角カタカナで入力してください。")
                .value(v("name_kana", company.name_kana.clone())),
        ],
    )];
    let mut page = FormPage::new(
        Layout::for_viewer("会社名・法人番号の変更", viewer),
        "/mypage/company/legal",
        viewer.csrf_token(),
        sets,
        "変更を申請する",
    )
    .intro("会社名・フリガナ・法人番号の変更は、運営事務局が確認してから反映します。確認の結果はメールでお知らせします。それまでは現在の登録内容のままご利用いただけます。");
    if let Some(p) = pending {
        page = page.intro(format!(
            "確認待ちの申請があります：{}（{}）、法人番号 {}。新しく申請すると、この申請は取り下げられます。",
            p.proposed_name,
            p.proposed_name_kana,
            p.proposed_corporate_number.as_deref().unwrap_or("なし")
        ));
    }
    page.link("/mypage", "マイページへ戻る")
}

pub async fn legal_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let company = own_company(&state, &viewer).await?;
    let pending = state.store.pending_legal_change(company.id).await?;
    legal_page(&viewer, None, &company, pending.as_ref()).respond()
}

pub async fn legal_request(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = own_company(&state, &viewer).await?;
    let mut errors = Errors::default();
    let sole = form.checked("sole_proprietor");
    let raw = form.get("corporate_number").trim();
    let number = if raw.is_empty() {
        if !sole {
            errors.add(
                "corporate_number",
                "法人番号を入力してください。個人事業主の方は「個人事業主です」を選んでください。",
            );
        }
        None
    } else {
        errors.take("corporate_number", domain::CorporateNumber::parse(raw))
    };
    let name = required_text(&mut errors, &form, "name", "会社名", 100);
    let kana = domain::text::normalize(form.get("name_kana"));
    if kana.is_empty() {
        errors.add("name_kana", "会社名のフリガナを入力してください。");
    } else if !domain::text::is_katakana_reading(&kana) {
        errors.add("name_kana", "フリガナは全角カタカナで入力してください。");
    }
    let unchanged = name == company.name
        && kana == company.name_kana
        && number.map(|n| n.to_string()) == company.corporate_number;
    if errors.is_empty() && unchanged {
        errors.add("name", "現在の登録内容から変わっていません。");
    }
    if !errors.is_empty() {
        let pending = state.store.pending_legal_change(company.id).await?;
        return legal_page(&viewer, Some(&form), &company, pending.as_ref())
            .with_errors(&errors)
            .respond();
    }
    let user_id = viewer.user()?.id;
    state
        .store
        .request_legal_change(company.id, &name, &kana, number, user_id, auth::now_ms())
        .await?;
    Ok(Redirect::to("/mypage?done=legal").into_response())
}
