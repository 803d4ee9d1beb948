//! Signing in and out. Sign-in is throttled per account and per address, an
//! unknown address and a wrong password get the same answer in the same time,
//! and the session id is new at every sign-in.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CompanyStatus, EmailAddress};
use serde::Deserialize;

use crate::auth::{self, ClientIp, SESSION_COOKIE, SESSION_IDLE_MS, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::{Layout, NavItem};
use crate::pages::FormPage;
use crate::{AppState, WebError};

/// Failed attempts counted over this window.
const WINDOW_MS: i64 = 15 * 60 * 1000;
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_IP: i64 = 20;

const WRONG: &str = "メールアドレスまたはパスワードが正しくありません。";

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only paths on this site, so that the link cannot send anyone elsewhere.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

fn page(viewer: &Viewer, email: &str, next: &str) -> FormPage {
    let sets = vec![FieldSet::new(
        None,
        vec![
            Field::new("email", "メールアドレス", Kind::Email)
                .required()
                .autocomplete("username")
                .value(email),
            Field::new("password", "パスワード", Kind::Password)
                .required()
                .autocomplete("current-password"),
        ],
    )];
    let mut layout = Layout::for_viewer("ログイン", viewer);
    layout.current = Some(NavItem::Login);
    FormPage::new(layout, "/login", &viewer.csrf_token, sets, "ログイン")
        .hidden("next", next)
        .link("/password/forgot", "パスワードをお忘れの方")
        .link("/apply", "はじめての方（利用申請）")
}

pub async fn form(viewer: Viewer, Query(q): Query<Next>) -> Result<Response, WebError> {
    if viewer.is_signed_in() {
        return Ok(Redirect::to(home_of(&viewer)).into_response());
    }
    let next = q.next.as_deref().and_then(safe_next).unwrap_or("");
    page(&viewer, "", next).respond()
}

fn home_of(viewer: &Viewer) -> &'static str {
    viewer.user.as_ref().map_or("/", home_of_user)
}

/// Where a user lands after signing in.
fn home_of_user(u: &store::User) -> &'static str {
    if u.staff_role == Some(domain::StaffRole::OrgStaff) {
        "/org/tenders"
    } else if u.staff_role.is_some() {
        "/admin"
    } else if u.company_status == Some(CompanyStatus::Returned) {
        "/mypage/application"
    } else {
        "/mypage"
    }
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let typed = form.get("email").trim().to_owned();
    let next = safe_next(form.get("next")).unwrap_or("").to_owned();
    let fail = |message: &str| {
        let mut e = Errors::default();
        e.add("email", message);
        page(&viewer, &typed, &next).with_errors(&e).respond()
    };
    if typed.is_empty() || form.get("password").is_empty() {
        let mut e = Errors::default();
        if typed.is_empty() {
            e.add("email", "メールアドレスを入力してください。");
        }
        if form.get("password").is_empty() {
            e.add("password", "パスワードを入力してください。");
        }
        return page(&viewer, &typed, &next).with_errors(&e).respond();
    }
    let email = EmailAddress::parse(&typed).ok();
    let key = email
        .as_ref()
        .map_or_else(|| typed.to_lowercase(), EmailAddress::key);
    let now = auth::now_ms();
    let (by_account, by_ip) = state
        .store
        .failed_sign_ins_since(&key, &ip, now - WINDOW_MS)
        .await?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_IP {
        tracing::warn!(by_account, by_ip, "sign-in throttled");
        return fail(
            "ログインの失敗が続いたため、一時的にログインを制限しています。15分ほど待ってから、もう一度お試しください。",
        );
    }
    let user = match &email {
        Some(e) => state.store.user_by_email(e).await?,
        None => None,
    };
    let stored = user.as_ref().map_or_else(
        || domain::password_hash::decoy().to_owned(),
        |u| u.password_hash.clone(),
    );
    let attempt = form.get("password").to_owned();
    let matches =
        tokio::task::spawn_blocking(move || domain::password_hash::verify(&attempt, &stored))
            .await
            .map_err(WebError::internal)?;
    let user = match user {
        Some(u) if matches && u.active => u,
        other => {
            state
                .store
                .record_sign_in(&key, &ip, other.map(|u| u.id), false, now)
                .await?;
            return fail(WRONG);
        }
    };
    if !auth::may_hold_session(&user) {
        state
            .store
            .record_sign_in(&key, &ip, Some(user.id), false, now)
            .await?;
        let why = match user.company_status {
            Some(CompanyStatus::EmailUnconfirmed) => {
                "メールアドレスの確認が済んでいません。お送りした確認メールのURLを開いてください。"
            }
            Some(CompanyStatus::InReview) => {
                "利用申請は審査中です。審査の結果はメールでお知らせします。"
            }
            Some(CompanyStatus::Rejected) => {
                "この利用申請は承認されませんでした。ご不明な点は運営事務局にお問い合わせください。"
            }
            Some(CompanyStatus::Suspended) => {
                "このアカウントは利用停止中です。運営事務局にお問い合わせください。"
            }
            _ => WRONG,
        };
        return fail(why);
    }
    let session_id = auth::random_token();
    let csrf = auth::random_token();
    state
        .store
        .create_session(
            &domain::audit::token_hash(&session_id),
            user.id,
            &csrf,
            now,
            now + SESSION_IDLE_MS,
        )
        .await?;
    state
        .store
        .record_sign_in(&key, &ip, Some(user.id), true, now)
        .await?;
    let target = if next.is_empty() {
        home_of_user(&user).to_owned()
    } else {
        next
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            SESSION_COOKIE,
            &session_id,
            None,
            state.settings.secure_cookies,
        ),
    );
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    if let Some(hash) = &viewer.session_hash {
        state.store.delete_session(hash).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(SESSION_COOKIE, "", Some(0), state.settings.secure_cookies),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/mypage"), Some("/mypage"));
        assert_eq!(safe_next("//evil.example/"), None);
        assert_eq!(safe_next("https://evil.example/"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
    }
}
