//! Organisation staff (発注組織の職員), created by an administrator. The new
//! user sets a password through a mailed invitation link.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::{EmailAddress, StaffRole};
use store::{NewUser, StoreError, TokenPurpose};

use super::actor;
use crate::accounts::INVITATION_HOURS;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind, required_text};
use crate::layout::Layout;
use crate::pages::{FormPage, MessagePage};
use crate::{AppState, WebError};

async fn page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<&FormData>,
) -> Result<FormPage, WebError> {
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
    let sets = vec![FieldSet::new(
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
    )];
    Ok(FormPage::new(
        Layout::for_viewer("発注組織の職員の登録", viewer),
        "/admin/staff",
        &viewer.csrf_token,
        sets,
        "登録して招待メールを送る",
    )
    .intro("登録した職員には、パスワードを設定するためのURLをメールでお送りします。"))
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    page(&state, &viewer, None).await?.respond()
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
                found = Some((org.id, Some(dept)));
            }
        }
    }
    if found.is_none() {
        errors.add("department", "所属を選択してください。");
    }
    let (Some(email), Some(organization), true) = (email, found, errors.is_empty()) else {
        return page(&state, &viewer, Some(&form))
            .await?
            .with_errors(&errors)
            .respond();
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
            Some(organization),
            &actor(&viewer, &ip)?,
            now,
        )
        .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict { .. }) => {
            errors.add("email", "このメールアドレスは既に登録されています。");
            return page(&state, &viewer, Some(&form))
                .await?
                .with_errors(&errors)
                .respond();
        }
        Err(e) => return Err(e.into()),
    };
    let token = auth::random_token();
    let inviter = viewer.user()?.name.clone();
    let mail = state.mail.invitation(
        email.as_str(),
        &name,
        &inviter,
        "発注組織",
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
    MessagePage::new(
        Layout::for_viewer("職員を登録しました", &viewer),
        &[&format!(
            "{name} さん（{email}）を登録し、招待メールを送信しました。"
        )],
    )
    .link("/admin/staff", "続けて登録する")
    .link("/admin", "管理画面へ戻る")
    .respond(StatusCode::OK)
}
