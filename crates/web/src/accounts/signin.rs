//! Signing in and out. Every attempt passes the sign-in gates before its
//! password is checked (docs/decisions/0005-sign-in-throttling.md), hashes run
//! a bounded number at a time, an unknown address and a wrong password get the
//! same answer in the same time, and the session id is new at every sign-in.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::throttle::{self, Gate, Settle};
use domain::{CompanyStatus, EmailAddress, LocalPath};
use serde::Deserialize;
use store::Passage;

use crate::auth::{self, ClientIp, SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::{Layout, NavItem};
use crate::pages::FormPage;
use crate::{AppState, WebError};

const WRONG: &str = "メールアドレスまたはパスワードが正しくありません。";

/// A browser that has signed in to an account before carries this cookie
/// (a random token; the database keeps its hash) and passes its own gate.
pub const DEVICE_COOKIE: &str = "cn_device";

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after signing in, when it is a path on this site.
fn local_next(next: &str) -> Option<LocalPath> {
    LocalPath::parse(next).ok()
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
    FormPage::new(layout, "/login", viewer.csrf_token(), sets, "ログイン")
        .hidden("next", next)
        .link("/password/forgot", "パスワードをお忘れの方")
        .link("/apply", "はじめての方（利用申請）")
}

pub async fn form(viewer: Viewer, Query(q): Query<Next>) -> Result<Response, WebError> {
    if viewer.is_signed_in() {
        return Ok(Redirect::to(home_of(&viewer)).into_response());
    }
    let next = q.next.as_deref().and_then(local_next);
    page(&viewer, "", next.as_ref().map_or("", LocalPath::as_str)).respond()
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

/// What a held attempt is told: how long to wait, in seconds.
pub fn held_message(wait_ms: i64) -> String {
    format!(
        "ログインの試行が続いたため、一時的にログインを制限しています。{}秒ほど待ってから、もう一度お試しください。",
        throttle::wait_seconds(wait_ms)
    )
}

/// The gates an attempt passes: a known browser's own, or the account's and
/// the client address's; and what a right password then does to them.
fn gates_for(device: Option<&str>, email_key: &str, ip: &str) -> (Vec<Gate>, Settle) {
    match device {
        Some(d) => {
            let gate = Gate::device(d);
            let settle = Settle {
                reset: vec![gate.key.clone()],
                refund: Vec::new(),
            };
            (vec![gate], settle)
        }
        None => {
            let (account, address) = (Gate::account(email_key), Gate::address(ip));
            let settle = Settle {
                reset: vec![account.key.clone()],
                refund: vec![address.key.clone()],
            };
            (vec![account, address], settle)
        }
    }
}

/// The device cookie: only ever sent back to the sign-in form.
fn device_cookie(token: &str, secure: bool) -> HeaderValue {
    let mut c = format!(
        "{DEVICE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Lax; Max-Age={}",
        throttle::DEVICE_LIFETIME_MS / 1000
    );
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    // Where to go afterwards is settled before anything is written: anything
    // but a path on this site is dropped.
    let next = local_next(form.get("next"));
    let next_field = next.as_ref().map_or("", LocalPath::as_str).to_owned();
    let typed = form.get("email").trim().to_owned();
    let fail = |message: &str| {
        let mut e = Errors::default();
        e.add("email", message);
        page(&viewer, &typed, &next_field).with_errors(&e).respond()
    };
    if typed.is_empty() || form.get("password").is_empty() {
        let mut e = Errors::default();
        if typed.is_empty() {
            e.add("email", "メールアドレスを入力してください。");
        }
        if form.get("password").is_empty() {
            e.add("password", "パスワードを入力してください。");
        }
        return page(&viewer, &typed, &next_field).with_errors(&e).respond();
    }
    let email = EmailAddress::parse(&typed).ok();
    // What is not an address (and cannot sign in) still counts, under at
    // most an address's length, so that no attempt writes a huge key.
    let key = email.as_ref().map_or_else(
        || typed.to_lowercase().chars().take(254).collect(),
        EmailAddress::key,
    );
    let now = auth::now_ms();
    // A place at the hashing queue first: turned away for load, the attempt
    // is not counted against anyone.
    let ticket = state.hashing.ticket()?;
    let device = match auth::cookie(&headers, DEVICE_COOKIE) {
        Some(token) => {
            let hash = domain::audit::token_hash(token);
            state
                .store
                .is_known_device(&hash, &key, now)
                .await?
                .then_some(hash)
        }
        None => None,
    };
    let (gates, settle) = gates_for(device.as_deref(), &key, &ip);
    if let Passage::Closed { wait_ms } = state.store.pass_gates(&gates, now).await? {
        tracing::warn!(
            wait_ms,
            known_device = device.is_some(),
            "sign-in held at a gate"
        );
        let mut response = fail(&held_message(wait_ms))?;
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(throttle::wait_seconds(wait_ms)),
        );
        return Ok(response);
    }
    let user = match &email {
        Some(e) => state.store.user_by_email(e).await?,
        None => None,
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = ticket
        .verify(form.get("password").to_owned(), stored)
        .await?;
    let user = match user {
        // An inactive account is told why below, once its password is proven.
        Some(u) if matches => u,
        other => {
            state
                .store
                .record_sign_in(&key, &ip, other.map(|u| u.id), false, now)
                .await?;
            return fail(WRONG);
        }
    };
    // The password is proven: the gates forget this attempt.
    state.store.settle_gates(&settle).await?;
    if !auth::may_hold_session(&user) {
        state
            .store
            .record_sign_in(&key, &ip, Some(user.id), false, now)
            .await?;
        let why = match user.company_status {
            _ if !user.active && user.staff_role.is_some() => {
                "このアカウントは利用を停止されています。再開が必要な場合は、管理者にお問い合わせください。"
            }
            _ if !user.active => {
                "このアカウントは、会社の管理者によって利用者から削除されています。必要な場合は、会社の管理者にお問い合わせください。"
            }
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
            now + SESSION_ABSOLUTE_MS,
        )
        .await?;
    state
        .store
        .record_sign_in(&key, &ip, Some(user.id), true, now)
        .await?;
    // This browser is known to the account from now on (or again).
    let (device_hash, device_token) = match device {
        Some(hash) => (hash, None),
        None => {
            let token = auth::random_token();
            (domain::audit::token_hash(&token), Some(token))
        }
    };
    state.store.remember_device(&device_hash, &key, now).await?;
    let mut target = next.map_or_else(|| home_of_user(&user).to_owned(), |p| p.as_str().to_owned());
    if crate::terms::must_agree(&user) {
        target = crate::terms::agreement_first(&target);
    }
    let mut response = Redirect::to(&target).into_response();
    let secure = state.settings.secure_cookies;
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(SESSION_COOKIE, &session_id, None, secure),
    );
    if let Some(token) = device_token {
        response
            .headers_mut()
            .append(header::SET_COOKIE, device_cookie(&token, secure));
    }
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
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        let next = |s: &str| local_next(s).map(|p| p.as_str().to_owned());
        assert_eq!(next("/mypage").as_deref(), Some("/mypage"));
        assert_eq!(next("//evil.example/"), None);
        assert_eq!(next("https://evil.example/"), None);
        assert_eq!(next("/\\evil.example"), None);
        assert_eq!(next("/\t/evil.example"), None);
        assert_eq!(next("/\n"), None);
    }

    #[test]
    fn a_known_browser_passes_its_own_gate_and_others_the_account_and_address() {
        let (gates, settle) = gates_for(None, "taro@example.jp", "192.0.2.1");
        assert_eq!(gates.len(), 2);
        assert_eq!(settle.reset, [gates[0].key.clone()]);
        assert_eq!(settle.refund, [gates[1].key.clone()]);
        let (gates, settle) = gates_for(Some("hash"), "taro@example.jp", "192.0.2.1");
        assert_eq!(gates, [Gate::device("hash")]);
        assert_eq!(settle.reset, [gates[0].key.clone()]);
        assert!(settle.refund.is_empty());
        assert!(held_message(4_001).contains("5秒"));
    }
}
