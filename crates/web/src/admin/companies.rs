//! 利用企業の審査: the queue, one application, and the decision.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CompanyAction, CompanyStatus};
use mail::Outcome;
use serde::Deserialize;
use store::{Company, Review, StoreError};

use crate::auth::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, ErrorKind, WebError};

/// The queue of approved companies' requested changes that need review: of
/// legal name or 法人番号, or of what they do here (受注・発注).
const LEGAL_TAB: &str = "legal_change";
const LEGAL_TAB_LABEL: &str = "登録内容の変更申請";

const TABS: [CompanyStatus; 6] = [
    CompanyStatus::InReview,
    CompanyStatus::Returned,
    CompanyStatus::EmailUnconfirmed,
    CompanyStatus::Approved,
    CompanyStatus::Suspended,
    CompanyStatus::Rejected,
];

/// Every status at once (for a search).
const ALL_TAB: &str = "all";

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
}

/// A tab: the status it shows, its label, how many, whether it is open.
struct Tab {
    value: &'static str,
    label: &'static str,
    count: usize,
    current: bool,
}

#[derive(Template)]
#[template(path = "admin_companies.html")]
struct ListPage {
    layout: Layout,
    q: String,
    /// `q` for links, percent-encoded.
    q_param: String,
    tabs: Vec<Tab>,
    status_label: &'static str,
    companies: Vec<CompanyRow>,
}

/// One company in the review list.
struct CompanyRow {
    id: i64,
    name: String,
    /// 法人番号, or 「（個人事業主）」.
    corporate_number: String,
    /// Prefecture and address, as one line.
    address: String,
    /// 申請日.
    applied: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let text = q.q.unwrap_or_default().trim().to_owned();
    let search = store::CompanySearch { text: text.clone() };
    let legal_tab = q.status.as_deref() == Some(LEGAL_TAB);
    let all_tab = q.status.as_deref() == Some(ALL_TAB) || (q.status.is_none() && !text.is_empty());
    let status = q
        .status
        .as_deref()
        .and_then(|s| CompanyStatus::from_code(s).ok())
        .unwrap_or(CompanyStatus::InReview);
    let mut legal_ids: Vec<i64> = state
        .store
        .pending_legal_changes()
        .await?
        .iter()
        .map(|c| c.company_id)
        .collect();
    for change in state.store.pending_dealings_changes().await? {
        if !legal_ids.contains(&change.company_id) {
            legal_ids.push(change.company_id);
        }
    }
    let rows = if legal_tab {
        let mut rows = Vec::new();
        for id in &legal_ids {
            if let Some(c) = state.store.company(*id).await? {
                rows.push(c);
            }
        }
        rows
    } else {
        let only = (!all_tab).then_some(status);
        state.store.search_companies(only, &search, 200, 0).await?
    };
    let counts = state.store.company_status_counts(&search).await?;
    let count_of = |s: CompanyStatus| {
        counts
            .iter()
            .find(|(c, _)| *c == s)
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0))
    };
    let mut tabs: Vec<Tab> = TABS
        .iter()
        .map(|t| Tab {
            value: t.as_str(),
            label: t.label(),
            count: count_of(*t),
            current: !legal_tab && !all_tab && *t == status,
        })
        .collect();
    tabs.insert(
        1,
        Tab {
            value: LEGAL_TAB,
            label: LEGAL_TAB_LABEL,
            count: legal_ids.len(),
            current: legal_tab,
        },
    );
    tabs.push(Tab {
        value: ALL_TAB,
        label: "すべて",
        count: counts
            .iter()
            .map(|(_, n)| usize::try_from(*n).unwrap_or(0))
            .sum(),
        current: all_tab && !legal_tab,
    });
    let prefectures: std::collections::HashMap<i64, String> =
        state.store.prefectures().await?.into_iter().collect();
    let prefecture_name = |code: i64| prefectures.get(&code).map_or("", String::as_str);
    let companies = rows
        .into_iter()
        .map(|c| CompanyRow {
            id: c.id,
            name: c.name.clone(),
            corporate_number: c
                .corporate_number
                .clone()
                .unwrap_or_else(|| "（個人事業主）".into()),
            address: format!("{}{}", prefecture_name(c.prefecture_code), c.address),
            applied: domain::time::jst_date(c.created_at),
        })
        .collect();
    render(
        &ListPage {
            layout: Layout::for_viewer("利用企業の審査", &viewer),
            q_param: auth::encode_query(&text),
            q: text,
            tabs,
            status_label: if legal_tab {
                LEGAL_TAB_LABEL
            } else if all_tab {
                "すべての状態"
            } else {
                status.label()
            },
            companies,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "admin_company.html")]
struct CompanyPage {
    layout: Layout,
    legal_requested: String,
    legal: Option<store::LegalChange>,
    legal_error: Option<String>,
    dealings_requested: String,
    dealings: Option<(store::DealingsChange, &'static str)>,
    dealings_error: Option<String>,
    notice: Option<&'static str>,
    company: Company,
    facts: Vec<(&'static str, String)>,
    users: Vec<(String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    csrf: String,
    reason: String,
    error: Option<String>,
}

/// Whom the company's mail about a review goes to: an administrator of the
/// company still on its list, else any colleague still there, else (an
/// application, before anyone else joined) its applicant.
fn contact(users: &[store::User]) -> Option<&store::User> {
    let current = |u: &&store::User| u.active && u.email_confirmed;
    users
        .iter()
        .filter(current)
        .find(|u| u.company_admin)
        .or_else(|| users.iter().find(current))
        .or_else(|| users.first())
}

/// The decisions open in each status.
fn actions_for(status: CompanyStatus) -> Vec<(&'static str, &'static str)> {
    match status {
        CompanyStatus::InReview => vec![
            ("approve", "承認する"),
            ("return", "差し戻す"),
            ("reject", "否認する"),
        ],
        CompanyStatus::Approved => vec![("suspend", "利用を停止する")],
        CompanyStatus::Suspended => vec![("reinstate", "利用を再開する")],
        _ => Vec::new(),
    }
}

fn parse_action(s: &str) -> Option<CompanyAction> {
    Some(match s {
        "approve" => CompanyAction::Approve,
        "return" => CompanyAction::Return,
        "reject" => CompanyAction::Reject,
        "suspend" => CompanyAction::Suspend,
        "reinstate" => CompanyAction::Reinstate,
        _ => return None,
    })
}

async fn company_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reason: &str,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    company_page_with(state, viewer, id, reason, error, Aside::None, notice).await
}

/// Which change-review form an error belongs to.
enum Aside {
    None,
    Legal(String),
    Dealings(String),
}

/// The company, its users, a pending change of legal identity, and the review forms.
async fn company_page_with(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reason: &str,
    error: Option<String>,
    aside: Aside,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let (legal_error, dealings_error) = match aside {
        Aside::None => (None, None),
        Aside::Legal(e) => (Some(e), None),
        Aside::Dealings(e) => (None, Some(e)),
    };
    let company = state
        .store
        .company(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let legal = state.store.pending_legal_change(id).await?;
    let dealings = state.store.pending_dealings_change(id).await?;
    let prefecture = state.store.prefecture_name(company.prefecture_code).await?;
    let users = state
        .store
        .company_users(id)
        .await?
        .into_iter()
        .map(|u| {
            let name = match (u.active, u.email_confirmed) {
                (false, _) => format!("{}（削除済み）", u.name),
                (true, false) => format!("{}（招待中）", u.name),
                (true, true) => u.name,
            };
            (name, u.email)
        })
        .collect();
    let yen = |n: Option<i64>| n.map_or_else(|| "—".to_owned(), crate::present::yen);
    let industry = state
        .store
        .industry_divisions()
        .await?
        .into_iter()
        .find(|d| d.code == company.industry_division)
        .map_or_else(
            || company.industry_division.clone(),
            |d| format!("{} {}（{}）", d.code, d.name, d.section_name),
        );
    let postal = domain::PostalCode::parse(&company.postal_code)
        .map_or_else(|_| company.postal_code.clone(), |p| p.to_string());
    let facts = vec![
        ("状態", company.status.label().to_owned()),
        (
            "差し戻し・否認・停止の理由",
            company.status_reason.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            "法人番号",
            company
                .corporate_number
                .clone()
                .unwrap_or_else(|| "（個人事業主）".into()),
        ),
        ("フリガナ", company.name_kana.clone()),
        ("代表者", company.representative.clone()),
        (
            "所在地",
            format!("〒{postal} {}{}", prefecture, company.address),
        ),
        ("電話番号", domain::phone::hyphenate(&company.phone)),
        (
            "ウェブサイト",
            company.website.clone().unwrap_or_else(|| "—".into()),
        ),
        ("業種", industry),
        ("資本金", yen(company.capital_yen)),
        (
            "従業員数",
            company
                .employees
                .map_or_else(|| "—".into(), |n| format!("{n}人")),
        ),
        (
            "設立年",
            company
                .founded_year
                .map_or_else(|| "—".into(), |n| format!("{n}年")),
        ),
        (
            "ご利用の目的",
            match (company.orders, company.receives) {
                (true, true) => "発注・受注".into(),
                (true, false) => "発注".into(),
                _ => "受注".into(),
            },
        ),
        ("事業内容", company.description.clone()),
        ("キーワード", company.keywords.clone()),
        ("申請日時", domain::time::jst_datetime(company.created_at)),
    ];
    let status = crate::pages::status_for(
        error.is_some() || legal_error.is_some() || dealings_error.is_some(),
    );
    render(
        &CompanyPage {
            layout: Layout::for_viewer(company.name.clone(), viewer),
            legal_requested: legal
                .as_ref()
                .map(|l| domain::time::jst_datetime(l.requested_at))
                .unwrap_or_default(),
            legal,
            legal_error,
            dealings_requested: dealings
                .as_ref()
                .map(|d| domain::time::jst_datetime(d.requested_at))
                .unwrap_or_default(),
            dealings: dealings.map(|d| {
                let label = d.proposed.label();
                (d, label)
            }),
            dealings_error,
            notice,
            actions: actions_for(company.status),
            facts,
            users,
            csrf: viewer.csrf_token().to_owned(),
            reason: reason.to_owned(),
            error,
            company,
        },
        status,
    )
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let notice = q
        .done
        .is_some()
        .then_some("審査の結果を保存し、申請者にメールでお知らせしました。");
    company_page(&state, &viewer, id, "", None, notice).await
}

pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let action = parse_action(form.get("action"))
        .ok_or_else(|| WebError::new(ErrorKind::BadRequest, "審査の操作を選んでください。"))?;
    let seen = CompanyStatus::from_code(form.get("seen")).map_err(|_| {
        WebError::new(
            ErrorKind::BadRequest,
            "画面を開き直してから、もう一度操作してください。",
        )
    })?;
    let reason = domain::text::tidy(form.get("reason"));
    let needs_reason = matches!(
        action,
        CompanyAction::Reject | CompanyAction::Return | CompanyAction::Suspend
    );
    if needs_reason && reason.is_empty() {
        return company_page(
            &state,
            &viewer,
            id,
            &reason,
            Some("否認・差し戻し・利用停止には理由を入力してください。".into()),
            None,
        )
        .await;
    }
    if reason.chars().count() > 1000 {
        return company_page(
            &state,
            &viewer,
            id,
            &reason,
            Some("理由は1,000文字以内で入力してください。".into()),
            None,
        )
        .await;
    }
    let company = state
        .store
        .company(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let users = state.store.company_users(id).await?;
    let first = contact(&users).ok_or_else(WebError::not_found)?;
    let outcome = match action {
        CompanyAction::Approve => Outcome::Approved,
        CompanyAction::Reject => Outcome::Rejected,
        CompanyAction::Return => Outcome::Returned,
        CompanyAction::Suspend => Outcome::Suspended,
        CompanyAction::Reinstate => Outcome::Reinstated,
        // Not a review: the applicant's own steps, never sent from this form.
        CompanyAction::ConfirmEmail | CompanyAction::Resubmit => {
            return Err(WebError::new(
                ErrorKind::BadRequest,
                "審査の操作を選んでください。",
            ));
        }
    };
    let reason_opt = (!reason.is_empty()).then_some(reason.as_str());
    let mail = state.mail.review_result(
        &first.email,
        &first.name,
        &company.name,
        outcome,
        reason_opt,
    );
    let result = state
        .store
        .review_company(
            &Review {
                company_id: id,
                seen,
                action,
                reason: reason_opt,
                mail: Some(&mail),
            },
            &actor(&viewer, &ip)?,
            auth::now_ms(),
        )
        .await;
    match result {
        Ok(_) => {
            state.mail_queued();
            Ok(Redirect::to(&format!("/admin/companies/{id}?done=1")).into_response())
        }
        Err(StoreError::Stale | StoreError::Invalid(_)) => {
            company_page(&state, &viewer, id, &reason, Some("この申請は、ほかの職員が先に審査したか、状態が変わっています。内容を確認してください。".into()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A reviewer's decision on a requested change: reflect it (`true`) or not.
fn review_decision(form: &FormData) -> Result<bool, WebError> {
    match form.get("action") {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(WebError::new(
            ErrorKind::BadRequest,
            "審査の操作を選んでください。",
        )),
    }
}

/// Applies or refuses a requested change of legal name or 法人番号.
pub async fn review_legal(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let approve = review_decision(&form)?;
    let reason = domain::text::tidy(form.get("legal_reason"));
    let fail = |message: &str| {
        let message = message.to_owned();
        let state = state.clone();
        let viewer = viewer.clone();
        async move {
            company_page_with(&state, &viewer, id, "", None, Aside::Legal(message), None).await
        }
    };
    if !approve && reason.is_empty() {
        return fail("反映を見送る理由を入力してください。").await;
    }
    let Some(change) = state.store.pending_legal_change(id).await? else {
        return fail("確認待ちの変更申請はありません。").await;
    };
    let users = state.store.company_users(id).await?;
    let first = contact(&users).ok_or_else(WebError::not_found)?;
    let reason_opt = (!reason.is_empty()).then_some(reason.as_str());
    let mail = state.mail.legal_change_result(
        &first.email,
        &first.name,
        &change.proposed_name,
        approve,
        reason_opt,
    );
    match state
        .store
        .review_legal_change(
            change.id,
            approve,
            reason_opt,
            Some(&mail),
            &actor(&viewer, &ip)?,
            auth::now_ms(),
        )
        .await
    {
        Ok(()) => {
            state.mail_queued();
            Ok(Redirect::to(&format!("/admin/companies/{id}?done=1")).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            fail("新しい法人番号は、ほかの企業が既に登録しています。反映できません。").await
        }
        Err(StoreError::Stale) => {
            fail("この変更申請は、既に審査されたか取り下げられています。").await
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies or refuses a requested change of what the company does here.
pub async fn review_dealings(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let approve = review_decision(&form)?;
    let reason = domain::text::tidy(form.get("dealings_reason"));
    let fail = |message: &str| {
        let message = message.to_owned();
        let state = state.clone();
        let viewer = viewer.clone();
        async move {
            company_page_with(
                &state,
                &viewer,
                id,
                "",
                None,
                Aside::Dealings(message),
                None,
            )
            .await
        }
    };
    if !approve && reason.is_empty() {
        return fail("反映を見送る理由を入力してください。").await;
    }
    if reason.chars().count() > 1000 {
        return fail("理由は1,000文字以内で入力してください。").await;
    }
    let Some(change) = state.store.pending_dealings_change(id).await? else {
        return fail("確認待ちの変更申請はありません。").await;
    };
    // The company may have replaced its request while the page was open.
    if form.get("change") != change.id.to_string() {
        return fail(
            "変更申請の内容が新しくなっています。内容を確認してから、もう一度操作してください。",
        )
        .await;
    }
    let users = state.store.company_users(id).await?;
    let first = contact(&users).ok_or_else(WebError::not_found)?;
    let reason_opt = (!reason.is_empty()).then_some(reason.as_str());
    let mail = state.mail.dealings_change_result(
        &first.email,
        &first.name,
        change.proposed.label(),
        approve,
        reason_opt,
    );
    match state
        .store
        .review_dealings_change(
            change.id,
            approve,
            reason_opt,
            Some(&mail),
            &actor(&viewer, &ip)?,
            auth::now_ms(),
        )
        .await
    {
        Ok(()) => {
            state.mail_queued();
            Ok(Redirect::to(&format!("/admin/companies/{id}?done=1")).into_response())
        }
        Err(StoreError::Stale) => {
            fail("この変更申請は、既に審査されたか取り下げられています。").await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod contact_tests {
    use super::contact;

    fn user(id: i64, active: bool, confirmed: bool, admin: bool) -> store::User {
        store::User {
            id,
            email: format!("u{id}@example.jp"),
            name: format!("利用者{id}"),
            password_hash: String::new(),
            company_id: Some(1),
            staff_role: None,
            organization_id: None,
            contract_department_id: None,
            email_confirmed: confirmed,
            active,
            company_admin: admin,
            last_sign_in_at: None,
            company_status: None,
            company_orders: false,
            company_receives: true,
            terms_version: None,
        }
    }

    #[test]
    fn review_mail_goes_to_a_current_administrator_never_a_removed_applicant() {
        let removed_applicant = user(1, false, true, false);
        let pending = user(2, true, false, false);
        let colleague = user(3, true, true, false);
        let admin = user(4, true, true, true);
        let all = [
            removed_applicant.clone(),
            pending.clone(),
            colleague.clone(),
            admin,
        ];
        assert_eq!(contact(&all).map(|u| u.id), Some(4));
        let no_admin = [removed_applicant.clone(), pending, colleague];
        assert_eq!(contact(&no_admin).map(|u| u.id), Some(3));
        assert_eq!(contact(&[removed_applicant]).map(|u| u.id), Some(1));
        assert_eq!(contact(&[]).map(|u| u.id), None);
    }
}
