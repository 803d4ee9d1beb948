//! 利用者の管理 (/mypage/users): a company's colleagues and its pending
//! invitations. Every colleague sees the list; the company's administrators
//! invite, resend or withdraw invitations, remove colleagues (after a
//! confirmation page) and make or unmake administrators. Whether an address
//! is registered elsewhere is never told (issue 11): inviting it answers the
//! same as any invitation, and its owner is mailed instead.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::EmailAddress;
use domain::role::Refusal;
use store::{Company, MemberChange, NewInvitation, NewUser, Reinvitation, User};

use super::mypage::{Done, own_company};
use crate::auth::INVITATION_HOURS;
use crate::auth::{self, ClientIp, Viewer};
use crate::confirm::ConfirmPage;
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, required_text};
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, ErrorKind, WebError};

/// The message an action lands on (`?done=`).
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "invited" => {
            "招待メールを送信しました。メールが届かない場合は、アドレスに誤りがないかご確認ください。"
        }
        "resent" => "招待メールを再送しました。以前のメールのURLは使えなくなりました。",
        "cancelled" => "招待を取り消しました。",
        "removed" => "利用者を削除しました。この方はログインできなくなりました。",
        "admin_granted" => "会社の管理者にしました。",
        "admin_revoked" => "会社の管理者から外しました。",
        _ => return None,
    })
}

/// One row of the list.
struct Row {
    id: i64,
    name: String,
    email: String,
    pending: bool,
    admin: bool,
    me: bool,
}

#[derive(Template)]
#[template(path = "mypage_users.html")]
struct UsersPage {
    layout: Layout,
    notice: Option<&'static str>,
    company_name: String,
    users: Vec<Row>,
    /// The viewer is one of the company's administrators.
    manage: bool,
    hours: i64,
    summary: Vec<(String, String)>,
    csrf: String,
    fields: Vec<Field>,
}

fn rows(users: Vec<User>, me: i64) -> Vec<Row> {
    users
        .into_iter()
        .filter(|u| u.active)
        .map(|u| Row {
            id: u.id,
            pending: !u.email_confirmed,
            admin: u.company_admin && u.email_confirmed,
            me: u.id == me,
            name: u.name,
            email: u.email,
        })
        .collect()
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<&FormData>,
    errors: &Errors,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let company = own_company(state, viewer).await?;
    let me = viewer.user()?;
    let users = rows(state.store.company_users(company.id).await?, me.id);
    let v = |n: &str| form.map_or_else(String::new, |f| f.get(n).to_owned());
    let mut sets = vec![FieldSet::new(
        None,
        vec![
            Field::new("name", "氏名", Kind::Text)
                .required()
                .value(v("name")),
            Field::new("email", "メールアドレス", Kind::Email)
                .required()
                .value(v("email")),
        ],
    )];
    let summary = errors.apply(&mut sets);
    let status = if summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &UsersPage {
            layout: Layout::for_viewer("利用者の管理", viewer),
            notice: notice(done),
            company_name: company.name,
            users,
            manage: me.company_admin,
            hours: INVITATION_HOURS,
            summary,
            csrf: viewer.csrf_token().to_owned(),
            fields: sets.remove(0).fields,
        },
        status,
    )
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    users_page(&state, &viewer, None, &Errors::default(), q.done.as_deref()).await
}

/// The company of a company administrator, for the actions only they take.
async fn managed_company(state: &AppState, viewer: &Viewer) -> Result<Company, WebError> {
    if !viewer.user()?.company_admin {
        return Err(WebError::new(
            ErrorKind::Forbidden,
            "利用者の招待・削除は、会社の管理者だけが行えます。",
        ));
    }
    own_company(state, viewer).await
}

/// The acting colleague, for the audit log.
fn actor(viewer: &Viewer, company: &Company, ip: &str) -> Result<store::Actor, WebError> {
    let user = viewer.user()?;
    Ok(store::Actor {
        user_id: Some(user.id),
        label: format!("{} {}", company.name, user.name),
        ip: Some(ip.to_owned()),
    })
}

fn landed(done: &str) -> Response {
    Redirect::to(&format!("/mypage/users?done={done}")).into_response()
}

fn refused(refusal: Refusal) -> WebError {
    WebError::new(
        ErrorKind::BadRequest,
        match refusal {
            Refusal::Oneself => {
                "ご自身を削除したり、ご自身を会社の管理者から外したりすることはできません。"
            }
            Refusal::LastAdministrator => {
                "会社の管理者がいなくなるため、この操作はできません。先にほかの方を会社の管理者にしてください。"
            }
        },
    )
}

fn gone() -> WebError {
    WebError::new(
        ErrorKind::NotFound,
        "この利用者（または招待）は見つかりません。既に削除されたか、招待が受け付けられた可能性があります。",
    )
}

pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = managed_company(&state, &viewer).await?;
    let inviter = viewer.user()?.name.clone();
    let mut errors = Errors::default();
    let name = required_text(&mut errors, &form, "name", "氏名", 50);
    let email = errors.take("email", EmailAddress::parse(form.get("email")));
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return users_page(&state, &viewer, Some(&form), &errors, None).await;
    };
    let token = auth::random_token();
    let now = auth::now_ms();
    let mail = state.mail.invitation(
        email.as_str(),
        &name,
        &inviter,
        &company.name,
        &token,
        INVITATION_HOURS,
    );
    let owner_mail = state
        .mail
        .invitation_to_registered(email.as_str(), &inviter, &company.name);
    let user = NewUser {
        email,
        name,
        // Nothing verifies against this until the invitation sets a password.
        password_hash: "!invited".to_owned(),
    };
    // Whether the address is registered (here or at another company) is not
    // told: its owner is mailed instead, and the inviter sees the same page.
    // A colleague of this company still invited gets a new link.
    state
        .store
        .invite_user(
            &NewInvitation {
                company_id: company.id,
                user: &user,
                token_hash: &domain::audit::token_hash(&token),
                expires_at: now + INVITATION_HOURS * 3600 * 1000,
                mail: &mail,
                owner_mail: &owner_mail,
            },
            now,
        )
        .await?;
    state.mail_queued();
    Ok(landed("invited"))
}

/// A colleague of the viewer's company, by id, still on the list.
async fn colleague(state: &AppState, company: &Company, id: i64) -> Result<User, WebError> {
    state
        .store
        .company_users(company.id)
        .await?
        .into_iter()
        .find(|u| u.id == id && u.active)
        .ok_or_else(gone)
}

pub async fn resend(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = managed_company(&state, &viewer).await?;
    let invitee = colleague(&state, &company, id).await?;
    let token = auth::random_token();
    let now = auth::now_ms();
    let mail = state.mail.invitation(
        &invitee.email,
        &invitee.name,
        &viewer.user()?.name,
        &company.name,
        &token,
        INVITATION_HOURS,
    );
    let sent = state
        .store
        .resend_invitation(
            &Reinvitation {
                company_id: company.id,
                user_id: id,
                token_hash: &domain::audit::token_hash(&token),
                expires_at: now + INVITATION_HOURS * 3600 * 1000,
                mail: &mail,
            },
            &actor(&viewer, &company, &ip)?,
            now,
        )
        .await?;
    if !sent {
        return Err(gone());
    }
    state.mail_queued();
    Ok(landed("resent"))
}

pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = managed_company(&state, &viewer).await?;
    let actor = actor(&viewer, &company, &ip)?;
    if !state
        .store
        .cancel_invitation(company.id, id, &actor, auth::now_ms())
        .await?
    {
        return Err(gone());
    }
    Ok(landed("cancelled"))
}

/// The confirmation step before a colleague is removed (no JavaScript needed).
pub async fn remove_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let company = managed_company(&state, &viewer).await?;
    let target = colleague(&state, &company, id).await?;
    if target.id == viewer.user()?.id {
        return Err(refused(Refusal::Oneself));
    }
    ConfirmPage::new(
        Layout::for_viewer("利用者の削除", &viewer),
        format!("/mypage/users/{id}/remove"),
        viewer.csrf_token(),
        "削除する",
    )
    .lead("次の利用者を削除します。")
    .fact("氏名", target.name)
    .fact("メールアドレス", target.email)
    .warning("削除した方はログインできなくなり、ログイン中の画面も使えなくなります。")
    .cancel("/mypage/users", "削除せずに戻る")
    .respond()
}

pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    if !crate::confirm::confirmed(&form) {
        return remove_form(State(state), viewer, Path(id)).await;
    }
    let company = managed_company(&state, &viewer).await?;
    let actor = actor(&viewer, &company, &ip)?;
    let by = viewer.user()?.id;
    match state
        .store
        .remove_colleague(company.id, id, by, &actor, auth::now_ms())
        .await?
    {
        MemberChange::Done => Ok(landed("removed")),
        MemberChange::Missing => Err(gone()),
        MemberChange::Refused(r) => Err(refused(r)),
    }
}

pub async fn set_admin(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = managed_company(&state, &viewer).await?;
    let actor = actor(&viewer, &company, &ip)?;
    let admin = form.get("admin") == "1";
    let by = viewer.user()?.id;
    match state
        .store
        .set_company_admin(company.id, id, admin, by, &actor, auth::now_ms())
        .await?
    {
        MemberChange::Done if admin => Ok(landed("admin_granted")),
        MemberChange::Done => Ok(landed("admin_revoked")),
        MemberChange::Missing => Err(gone()),
        MemberChange::Refused(r) => Err(refused(r)),
    }
}
