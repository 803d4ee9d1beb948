//! Passwords: forgotten (a mailed, single-use, expiring link), changed while
//! signed in, and set by an invited colleague.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::EmailAddress;
use domain::throttle::Gate;
use store::{Passage, TokenPurpose};

use super::apply::{hash_password, invalid_link, new_password};
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, WebError};

pub const RESET_HOURS: i64 = 2;

fn new_password_fields() -> Vec<FieldSet> {
    vec![FieldSet::new(
        None,
        vec![
            Field::new("password", "新しいパスワード", Kind::Password)
                .required()
                .autocomplete("new-password")
                .hint(
                    "10文字以上で、英小文字・英大文字・数字・記号のうち2種類以上を含めてください。",
                ),
            Field::new(
                "password_confirm",
                "新しいパスワード（確認のためもう一度）",
                Kind::Password,
            )
            .required()
            .autocomplete("new-password"),
        ],
    )]
}

fn forgot_page(viewer: &Viewer, email: &str) -> FormPage {
    FormPage::new(
        Layout::for_viewer("パスワードの再設定", viewer),
        "/password/forgot",
        viewer.csrf_token(),
        vec![FieldSet::new(
            None,
            vec![
                Field::new("email", "登録しているメールアドレス", Kind::Email)
                    .required()
                    .autocomplete("email")
                    .value(email),
            ],
        )],
        "再設定のURLを送る",
    )
    .intro("登録しているメールアドレスに、パスワードを再設定するためのURLをお送りします。")
}

pub async fn forgot_form(viewer: Viewer) -> Result<Response, WebError> {
    forgot_page(&viewer, "").respond()
}

/// Asks for a reset link. The answer is the same, and comes as fast, whether
/// or not the address is registered and whether or not a link is sent: the
/// request passes the same two gates (per address, per client) either way,
/// and finding the user and queueing the mail happen after the answer.
pub async fn forgot(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let mut errors = Errors::default();
    let Some(email) = errors.take("email", EmailAddress::parse(form.get("email"))) else {
        return forgot_page(&viewer, form.get("email"))
            .with_errors(&errors)
            .respond();
    };
    let now = auth::now_ms();
    let gates = [Gate::reset_email(&email.key()), Gate::reset_client(&ip)];
    match state.store.pass_gates(&gates, now).await? {
        Passage::Admitted => {
            let state = state.clone();
            let email = email.clone();
            tokio::spawn(async move {
                if let Err(e) = send_reset_link(&state, &email, now).await {
                    tracing::error!(error = %e, "password reset link could not be issued");
                }
            });
        }
        Passage::Closed { wait_ms } => {
            tracing::warn!(wait_ms, "password reset request held at a gate");
        }
    }
    MessagePage::new(
        Layout::for_viewer("再設定のURLを送信しました", &viewer),
        &[
            &format!("{email} が登録されている場合は、パスワードを再設定するためのURLをお送りしました。"),
            &format!("URLの有効期限は{RESET_HOURS}時間です。メールが届かない場合は、入力したメールアドレスをご確認ください。"),
        ],
    )
    .link("/login", "ログイン画面へ")
    .respond(StatusCode::OK)
}

/// Issues a reset link to a registered user who may sign in; nothing otherwise.
async fn send_reset_link(state: &AppState, email: &EmailAddress, now: i64) -> Result<(), WebError> {
    let Some(user) = state.store.user_by_email(email).await? else {
        return Ok(());
    };
    if !(user.active && auth::may_hold_session(&user)) {
        return Ok(());
    }
    let token = auth::random_token();
    let mail = state
        .mail
        .password_reset(&user.email, &user.name, &token, RESET_HOURS);
    state
        .store
        .issue_token(
            user.id,
            TokenPurpose::ResetPassword,
            &domain::audit::token_hash(&token),
            now + RESET_HOURS * 3600 * 1000,
            &mail,
            now,
        )
        .await?;
    state.mail_queued();
    Ok(())
}

fn token_page(viewer: &Viewer, title: &str, action: String, intro: &str) -> FormPage {
    FormPage::new(
        Layout::for_viewer(title, viewer),
        action,
        viewer.csrf_token(),
        new_password_fields(),
        "パスワードを設定する",
    )
    .intro(intro)
}

async fn token_form(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Response, WebError> {
    let valid = state
        .store
        .token_is_valid(&domain::audit::token_hash(token), purpose, auth::now_ms())
        .await?;
    if !valid {
        return invalid_link(viewer);
    }
    let (title, action, intro) = match purpose {
        TokenPurpose::Invitation => (
            "ご招待を受ける",
            format!("/invitation/{token}"),
            "パスワードを設定すると、ビジネスチャンス・ナビを使い始められます。",
        ),
        _ => (
            "新しいパスワードの設定",
            format!("/password/reset/{token}"),
            "新しいパスワードを入力してください。設定すると、ほかの端末のログインはすべて終了します。",
        ),
    };
    token_page(viewer, title, action, intro).respond()
}

async fn token_submit(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
    purpose: TokenPurpose,
    form: &FormData,
) -> Result<Response, WebError> {
    form.check_csrf(viewer)?;
    let mut errors = Errors::default();
    let Some(password) = new_password(&mut errors, form, "password", "password_confirm") else {
        let action = match purpose {
            TokenPurpose::Invitation => format!("/invitation/{token}"),
            _ => format!("/password/reset/{token}"),
        };
        return token_page(
            viewer,
            "新しいパスワードの設定",
            action,
            "新しいパスワードを入力してください。",
        )
        .with_errors(&errors)
        .respond();
    };
    let hash = hash_password(state, password).await?;
    let done = state
        .store
        .set_password_with_token(
            &domain::audit::token_hash(token),
            purpose,
            &hash,
            auth::now_ms(),
        )
        .await?;
    if done.is_none() {
        return invalid_link(viewer);
    }
    MessagePage::new(
        Layout::for_viewer("パスワードを設定しました", viewer),
        &["新しいパスワードでログインしてください。"],
    )
    .link("/login", "ログイン画面へ")
    .respond(StatusCode::OK)
}

pub async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    token_form(&state, &viewer, &token, TokenPurpose::ResetPassword).await
}

pub async fn reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    token_submit(&state, &viewer, &token, TokenPurpose::ResetPassword, &form).await
}

pub async fn invitation_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    token_form(&state, &viewer, &token, TokenPurpose::Invitation).await
}

pub async fn invitation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    token_submit(&state, &viewer, &token, TokenPurpose::Invitation, &form).await
}

fn change_page(viewer: &Viewer) -> FormPage {
    let mut sets = new_password_fields();
    sets[0].fields.insert(
        0,
        Field::new("current_password", "現在のパスワード", Kind::Password)
            .required()
            .autocomplete("current-password"),
    );
    FormPage::new(
        Layout::for_viewer("パスワードの変更", viewer),
        "/account/password",
        viewer.csrf_token(),
        sets,
        "変更する",
    )
    .intro("変更すると、この端末以外のログインはすべて終了します。")
}

pub async fn change_form(viewer: Viewer) -> Result<Response, WebError> {
    change_page(&viewer).respond()
}

pub async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let user = viewer.user()?.clone();
    let mut errors = Errors::default();
    let current_ok = state
        .hashing
        .ticket()?
        .verify(
            form.get("current_password").to_owned(),
            Some(user.password_hash.clone()),
        )
        .await?;
    if !current_ok {
        errors.add("current_password", "現在のパスワードが正しくありません。");
    }
    let password = new_password(&mut errors, &form, "password", "password_confirm");
    let (Some(password), true) = (password, current_ok) else {
        return change_page(&viewer).with_errors(&errors).respond();
    };
    let hash = hash_password(&state, password).await?;
    let keep = viewer.session_hash.clone().unwrap_or_default();
    state
        .store
        .change_password(user.id, &hash, &keep, auth::now_ms())
        .await?;
    let home = if user.staff_role.is_some() {
        "/admin"
    } else {
        "/mypage"
    };
    Ok(Redirect::to(&format!("{home}?done=password")).into_response())
}
