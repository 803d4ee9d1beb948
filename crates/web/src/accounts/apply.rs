//! 利用申請: a company applies, confirms its address by a mailed link, and
//! goes to the operators' review queue.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::{CompanyStatus, EmailAddress, Password};
use store::{NewApplication, NewUser, StoreError};

use super::profile_form::{Choices, Mode, company_fields, parse_company};
use crate::auth::{self, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, required_text};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, WebError};

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 24;

fn user_fields(form: Option<&FormData>) -> FieldSet {
    let v = |name: &str| form.map_or_else(String::new, |f| f.get(name).to_owned());
    FieldSet::new(
        Some("ご担当者（最初の利用者）"),
        vec![
            Field::new("user_name", "氏名", Kind::Text)
                .required()
                .autocomplete("name")
                .value(v("user_name")),
            Field::new("email", "メールアドレス", Kind::Email)
                .required()
                .autocomplete("email")
                .hint("ログインに使います。確認のためのメールをお送りします。")
                .value(v("email")),
            Field::new("password", "パスワード", Kind::Password)
                .required()
                .autocomplete("new-password")
                .hint(
                    "10文字以上で、英小文字・英大文字・数字・記号のうち2種類以上を含めてください。",
                ),
            Field::new(
                "password_confirm",
                "パスワード（確認のためもう一度）",
                Kind::Password,
            )
            .required()
            .autocomplete("new-password"),
        ],
    )
}

/// The agreement to the terms in force, which the application records.
fn terms_field(form: Option<&FormData>) -> FieldSet {
    let agreed = form.is_some_and(|f| f.checked("agree_terms"));
    FieldSet::new(
        Some("利用規約"),
        vec![
            Field::new(
                "agree_terms",
                format!(
                    "利用規約（{}）とプライバシーポリシーに同意します",
                    crate::terms::TERMS_VERSION_LABEL
                ),
                Kind::Checkbox,
            )
            .required()
            .hint("このフォームの下と、各ページの下部のリンクからお読みいただけます。")
            .value(if agreed { "1" } else { "" }),
        ],
    )
}

fn page(viewer: &Viewer, choices: &Choices, form: Option<&FormData>) -> FormPage {
    let mut sets = company_fields(choices, form, None, Mode::Application);
    sets.push(user_fields(form));
    sets.push(terms_field(form));
    FormPage::new(Layout::for_viewer("利用申請", viewer).current(crate::layout::NavItem::Apply), "/apply", viewer.csrf_token(), sets, "申請する")
        .intro("ビジネスチャンス・ナビの会員機能（案件へのエントリー、電子入札への参加、おすすめ案件メール、発注案件の掲載）を使うには、利用申請が必要です。")
        .intro("申請のあと、確認メールのURLを開くと、運営事務局が申請内容を審査します。審査の結果はメールでお知らせします。")
        .link("/terms", "利用規約を読む")
        .link("/privacy", "プライバシーポリシーを読む")
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let choices = Choices::load(&state.store).await?;
    page(&viewer, &choices, None).respond()
}

/// Checks a new password and its confirmation; records errors under `field`.
pub fn new_password(
    errors: &mut Errors,
    form: &FormData,
    field: &'static str,
    confirm: &'static str,
) -> Option<Password> {
    let password = errors.take(field, Password::parse(form.get(field)));
    if password.is_some() && form.get(field) != form.get(confirm) {
        errors.add(confirm, "確認のためのパスワードが一致しません。");
        return None;
    }
    password
}

/// Hashes a new password, in turn with every other hash on this node.
pub async fn hash_password(state: &AppState, password: Password) -> Result<String, WebError> {
    state.hashing.ticket()?.hash(password).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let choices = Choices::load(&state.store).await?;
    let mut errors = Errors::default();
    let profile = parse_company(&form, &mut errors, Mode::Application, None, &choices);
    let user_name = required_text(&mut errors, &form, "user_name", "氏名", 50);
    let email = errors.take("email", EmailAddress::parse(form.get("email")));
    let password = new_password(&mut errors, &form, "password", "password_confirm");
    if !form.checked("agree_terms") {
        errors.add(
            "agree_terms",
            "申請するには、利用規約とプライバシーポリシーへの同意が必要です。",
        );
    }
    let (Some(profile), Some(email), Some(password), true) =
        (profile, email, password, form.checked("agree_terms"))
    else {
        return page(&viewer, &choices, Some(&form))
            .with_errors(&errors)
            .respond();
    };
    let user = NewUser {
        email: email.clone(),
        name: user_name.clone(),
        password_hash: hash_password(&state, password).await?,
    };
    let token = auth::random_token();
    let now = auth::now_ms();
    let mail = state
        .mail
        .confirm_email(email.as_str(), &user_name, &token, CONFIRM_HOURS);
    let created = state
        .store
        .create_application(
            &NewApplication {
                profile: &profile,
                user: &user,
                confirmation_token_hash: &domain::audit::token_hash(&token),
                token_expires_at: now + CONFIRM_HOURS * 3600 * 1000,
                mail: &mail,
                terms_version: crate::terms::TERMS_VERSION,
            },
            now,
        )
        .await;
    match created {
        Ok(_) => {}
        Err(StoreError::Conflict {
            field: "corporate_number",
        }) => {
            errors.add(
                "corporate_number",
                "この法人番号の企業は既に登録されています。同じ会社の方はログイン後に利用者を招待してもらうか、運営事務局にお問い合わせください。",
            );
            return page(&viewer, &choices, Some(&form))
                .with_errors(&errors)
                .respond();
        }
        Err(StoreError::Conflict { field: "email" }) => {
            // Say the same as for a new address, so that this form cannot be
            // used to learn who is registered; tell the owner of the address.
            let notice = state.mail.address_in_use(email.as_str());
            state.store.enqueue_mail(&notice, now).await?;
        }
        Err(e) => return Err(e.into()),
    }
    state.mail_queued();
    MessagePage::new(
        Layout::for_viewer("確認メールを送信しました", &viewer),
        &[
            &format!("{} 宛てに確認メールを送信しました。", email),
            &format!("メールに記載のURLを{CONFIRM_HOURS}時間以内に開いて、メールアドレスの確認を完了してください。確認が完了すると、運営事務局が申請内容の審査を始めます。"),
            "メールが届かない場合は、迷惑メールフォルダをご確認ください。",
        ],
    )
    .link("/", "トップページへ戻る")
    .respond(StatusCode::OK)
}

pub async fn confirm_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let valid = state
        .store
        .token_is_valid(
            &domain::audit::token_hash(&token),
            store::TokenPurpose::ConfirmEmail,
            auth::now_ms(),
        )
        .await?;
    if !valid {
        return confirmation_link_used(&state, &viewer, &token).await;
    }
    FormPage::new(
        Layout::for_viewer("メールアドレスの確認", &viewer),
        format!("/apply/confirm/{token}"),
        viewer.csrf_token(),
        Vec::new(),
        "メールアドレスを確認して申請を完了する",
    )
    .intro(
        "次のボタンを押すと、メールアドレスの確認が完了し、利用申請が運営事務局の審査に回ります。",
    )
    .respond()
}

pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let now = auth::now_ms();
    let hash = domain::audit::token_hash(&token);
    let Some(user_id) = state.store.confirm_email(&hash, None, now).await? else {
        return invalid_link(&viewer);
    };
    if let Some(user) = state.store.user(user_id).await?
        && let Some(company_id) = user.company_id
        && let Some(company) = state.store.company(company_id).await?
    {
        let mail = state
            .mail
            .application_received(&user.email, &user.name, &company.name);
        state.store.enqueue_mail(&mail, now).await?;
        state.mail_queued();
    }
    MessagePage::new(
        Layout::for_viewer("利用申請を受け付けました", &viewer),
        &[
            "メールアドレスの確認が完了しました。",
            "運営事務局で申請内容を審査します。審査の結果はメールでお知らせします。",
        ],
    )
    .link("/", "トップページへ戻る")
    .respond(StatusCode::OK)
}

/// A confirmation link that cannot be used: said as it is — already
/// confirmed (and what happens next), expired, or never ours.
async fn confirmation_link_used(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
) -> Result<Response, WebError> {
    let link = state
        .store
        .token_state(
            &domain::audit::token_hash(token),
            store::TokenPurpose::ConfirmEmail,
            auth::now_ms(),
        )
        .await?;
    let Some(link) = link.filter(|l| l.used) else {
        let expired = link.is_some_and(|l| l.expired);
        return MessagePage::new(
            Layout::for_viewer("このURLは使えません", viewer),
            &[if expired {
                "この確認用のURLは有効期限（24時間）が切れています。お手数ですが、利用申請をもう一度行ってください。"
            } else {
                "このURLは正しくありません。メールに記載されたURLを、途中で切れていないか確かめて、もう一度開いてください。"
            }],
        )
        .link("/apply", "利用申請のページへ")
        .respond(StatusCode::GONE);
    };
    let status = match state.store.user(link.user_id).await? {
        Some(user) => user.company_status,
        None => None,
    };
    let next = match status {
        Some(CompanyStatus::InReview) => {
            "利用申請は運営事務局が審査しています。審査の結果はメールでお知らせしますので、お待ちください。"
        }
        Some(CompanyStatus::Approved) => "利用申請は承認されています。ログインしてご利用ください。",
        Some(CompanyStatus::Returned) => {
            "運営事務局から申請内容の修正をお願いしています。ログインして、申請内容を修正してください。"
        }
        _ => "ご不明な点は、運営事務局にお問い合わせください。",
    };
    MessagePage::new(
        Layout::for_viewer("メールアドレスは確認済みです", viewer),
        &[
            "このメールアドレスは、既に確認が済んでいます。もう一度確認する必要はありません。",
            next,
        ],
    )
    .link("/login", "ログイン")
    .link("/contact", "お問い合わせ")
    .respond(StatusCode::OK)
}

pub fn invalid_link(viewer: &Viewer) -> Result<Response, WebError> {
    MessagePage::new(
        Layout::for_viewer("このURLは使えません", viewer),
        &["URLの有効期限が切れているか、既に使われています。お手数ですが、最初からやり直してください。"],
    )
    .link("/", "トップページへ戻る")
    .respond(StatusCode::GONE)
}
