//! 職員の管理 (/admin/staff): every staff member with their role, state and
//! last sign-in; an administrator suspends or reinstates one, or gives a
//! portal staff member another role (never themselves, never leaving no
//! active administrator), and registers organisation staff (発注組織の職員),
//! who set a password through a mailed invitation link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::role::Refusal;
use domain::{EmailAddress, StaffRole};
use serde::Deserialize;
use store::{MemberChange, NewUser, StoreError, TokenPurpose};

use crate::auth::INVITATION_HOURS;
use crate::auth::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, required_text};
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, ErrorKind, WebError};

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The message an action lands on (`?done=`).
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "職員を登録し、招待メールを送信しました。",
        "suspended" => "利用を停止しました。この職員のログイン中の画面は使えなくなりました。",
        "reinstated" => "利用を再開しました。",
        "role" => "役割を変更しました。",
        _ => return None,
    })
}

/// The portal roles an administrator may give.
const PORTAL_ROLES: [StaffRole; 3] = [StaffRole::Admin, StaffRole::Operator, StaffRole::Ops];

/// One staff member on the list.
struct Row {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    /// The role's code when it may be changed here (portal staff).
    portal_role: Option<&'static str>,
    active: bool,
    last_sign_in: String,
    me: bool,
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    layout: Layout,
    notice: Option<&'static str>,
    staff: Vec<Row>,
    roles: Vec<(&'static str, &'static str)>,
    summary: Vec<(String, String)>,
    csrf: String,
    fields: Vec<Field>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<&FormData>,
    errors: &Errors,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let me = viewer.user()?.id;
    let staff = state
        .store
        .staff_members()
        .await?
        .into_iter()
        .map(|u| Row {
            id: u.id,
            role: u.staff_role.map_or("", StaffRole::label),
            portal_role: u
                .staff_role
                .filter(|r| PORTAL_ROLES.contains(r))
                .map(StaffRole::as_str),
            active: u.active,
            last_sign_in: u
                .last_sign_in_at
                .map_or_else(|| "なし".to_owned(), domain::time::jst_datetime),
            me: u.id == me,
            name: u.name,
            email: u.email,
        })
        .collect();
    let mut sets = fields(state, form).await?;
    let summary = errors.apply(&mut sets);
    let status = if summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &StaffPage {
            layout: Layout::for_viewer("職員の管理", viewer),
            notice: notice(done),
            staff,
            roles: PORTAL_ROLES
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            summary,
            csrf: viewer.csrf_token().to_owned(),
            fields: sets.remove(0).fields,
        },
        status,
    )
}

async fn fields(state: &AppState, form: Option<&FormData>) -> Result<Vec<FieldSet>, WebError> {
    let mut departments = Vec::new();
    for org in state
        .store
        .ordering_organizations()
        .await?
        .into_iter()
        .filter(|o| o.active)
    {
        for d in state
            .store
            .contract_departments(org.id)
            .await?
            .into_iter()
            .filter(|d| d.active)
        {
            departments.push((
                d.id.to_string(),
                format!("{} {}（{}）", org.name, d.name, d.code),
            ));
        }
    }
    let v = |n: &str| form.map_or_else(String::new, |f| f.get(n).to_owned());
    Ok(vec![FieldSet::new(
        None,
        vec![
            Field::new("name", "氏名", Kind::Text)
                .required()
                .value(v("name")),
            Field::new("email", "メールアドレス", Kind::Email)
                .required()
                .value(v("email")),
            Field::new(
                "department",
                "所属（発注組織・契約部署）",
                Kind::Select(departments),
            )
            .required()
            .value(v("department")),
        ],
    )])
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    page(&state, &viewer, None, &Errors::default(), q.done.as_deref()).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let mut errors = Errors::default();
    let name = required_text(&mut errors, &form, "name", "氏名", 50);
    let email = errors.take("email", EmailAddress::parse(form.get("email")));
    let department: Option<i64> = form.get("department").parse().ok();
    let mut found = None;
    if let Some(dept) = department {
        for org in state.store.ordering_organizations().await? {
            if state
                .store
                .contract_departments(org.id)
                .await?
                .iter()
                .any(|d| d.id == dept && d.active)
            {
                found = Some((org.id, Some(dept), org.name.clone()));
            }
        }
    }
    if found.is_none() {
        errors.add("department", "所属を選択してください。");
    }
    let (Some(email), Some((org_id, dept, org_name)), true) = (email, found, errors.is_empty())
    else {
        return page(&state, &viewer, Some(&form), &errors, None).await;
    };
    let now = auth::now_ms();
    let user = NewUser {
        email: email.clone(),
        name: name.clone(),
        password_hash: "!invited".to_owned(),
    };
    let id = match state
        .store
        .create_staff(
            &user,
            StaffRole::OrgStaff,
            Some((org_id, dept)),
            &actor(&viewer, &ip)?,
            now,
        )
        .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict { .. }) => {
            errors.add("email", "このメールアドレスは既に登録されています。");
            return page(&state, &viewer, Some(&form), &errors, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    let token = auth::random_token();
    let inviter = viewer.user()?.name.clone();
    let mail = state.mail.invitation(
        email.as_str(),
        &name,
        &inviter,
        &org_name,
        &token,
        INVITATION_HOURS,
    );
    state
        .store
        .issue_token(
            id,
            TokenPurpose::Invitation,
            &domain::audit::token_hash(&token),
            now + INVITATION_HOURS * 3600 * 1000,
            &mail,
            now,
        )
        .await?;
    state.mail_queued();
    Ok(Redirect::to("/admin/staff?done=created").into_response())
}

fn refused(refusal: Refusal) -> WebError {
    WebError::new(
        ErrorKind::BadRequest,
        match refusal {
            Refusal::Oneself => {
                "ご自身の利用停止や役割の変更はできません。ほかの管理者に依頼してください。"
            }
            Refusal::LastAdministrator => {
                "利用できる管理者がいなくなるため、この操作はできません。先にほかの職員を管理者にしてください。"
            }
        },
    )
}

fn outcome(change: MemberChange, done: &str) -> Result<Response, WebError> {
    match change {
        MemberChange::Done => {
            Ok(Redirect::to(&format!("/admin/staff?done={done}")).into_response())
        }
        MemberChange::Missing => Err(WebError::not_found()),
        MemberChange::Refused(r) => Err(refused(r)),
    }
}

/// Suspends (`active=0`) or reinstates (`active=1`) a staff member.
pub async fn set_active(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let active = form.get("active") == "1";
    let change = state
        .store
        .set_staff_active(
            id,
            active,
            viewer.user()?.id,
            &actor(&viewer, &ip)?,
            auth::now_ms(),
        )
        .await?;
    outcome(change, if active { "reinstated" } else { "suspended" })
}

/// Gives a portal staff member another portal role.
pub async fn set_role(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let role = StaffRole::parse(form.get("role"))
        .filter(|r| PORTAL_ROLES.contains(r))
        .ok_or_else(|| WebError::new(ErrorKind::BadRequest, "役割を選んでください。"))?;
    let change = state
        .store
        .set_staff_role(
            id,
            role,
            viewer.user()?.id,
            &actor(&viewer, &ip)?,
            auth::now_ms(),
        )
        .await?;
    outcome(change, "role")
}
