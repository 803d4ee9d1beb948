//! Ordering organisations (発注組織) and their contract departments (契約部署).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use store::{ContractDepartment, OrderingOrganization, StoreError};

use crate::auth::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::{Done, render};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "admin_organizations.html")]
struct ListPage {
    layout: Layout,
    orgs: Vec<(OrderingOrganization, usize)>,
    csrf: String,
    error: Option<String>,
    name: String,
    name_kana: String,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
    form: Option<&FormData>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let mut orgs = Vec::new();
    for org in state.store.ordering_organizations().await? {
        let n = state.store.contract_departments(org.id).await?.len();
        orgs.push((org, n));
    }
    let status = crate::pages::status_for(error.is_some());
    render(
        &ListPage {
            layout: Layout::for_viewer("発注組織・契約部署マスタ", viewer).notice(done),
            orgs,
            csrf: viewer.csrf_token().to_owned(),
            error,
            name: form.map_or_else(String::new, |f| f.get("name").to_owned()),
            name_kana: form.map_or_else(String::new, |f| f.get("name_kana").to_owned()),
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    list_page(&state, &viewer, None, None, q.done.as_deref()).await
}

/// Name and reading, checked; the message to show otherwise.
fn names(form: &FormData) -> Result<(String, String), String> {
    let name = domain::text::tidy(form.get("name"));
    let kana = domain::text::normalize(form.get("name_kana"));
    if name.is_empty() || name.chars().count() > 100 {
        return Err("名称を100文字以内で入力してください。".into());
    }
    if !domain::text::is_katakana_reading(&kana) {
        return Err("フリガナを全角カタカナで入力してください。".into());
    }
    Ok((name, kana))
}

pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (name, kana) = match names(&form) {
        Ok(n) => n,
        Err(e) => return list_page(&state, &viewer, Some(e), Some(&form), None).await,
    };
    match state
        .store
        .add_ordering_organization(&name, &kana, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(id) => {
            Ok(Redirect::to(&format!("/admin/organizations/{id}?done=added")).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            list_page(
                &state,
                &viewer,
                Some(format!("「{name}」は既に登録されています。")),
                Some(&form),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_organization.html")]
struct OrgPage {
    layout: Layout,
    org: OrderingOrganization,
    departments: Vec<ContractDepartment>,
    csrf: String,
    error: Option<String>,
}

async fn org_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let org = state
        .store
        .ordering_organization(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let status = crate::pages::status_for(error.is_some());
    render(
        &OrgPage {
            layout: Layout::for_viewer(org.name.clone(), viewer).notice(done),
            departments: state.store.contract_departments(id).await?,
            org,
            csrf: viewer.csrf_token().to_owned(),
            error,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    org_page(&state, &viewer, id, None, q.done.as_deref()).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (name, name_kana) = match names(&form) {
        Ok(n) => n,
        Err(e) => return org_page(&state, &viewer, id, Some(e), None).await,
    };
    let org = OrderingOrganization {
        id,
        name,
        name_kana,
        active: form.checked("active"),
    };
    match state
        .store
        .update_ordering_organization(&org, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(true) => {
            Ok(Redirect::to(&format!("/admin/organizations/{id}?done=saved")).into_response())
        }
        Ok(false) => Err(WebError::not_found()),
        Err(StoreError::Conflict { .. }) => {
            org_page(
                &state,
                &viewer,
                id,
                Some("その名称の発注組織は既に登録されています。".into()),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn department(form: &FormData) -> Result<(String, String), String> {
    let code = domain::text::normalize(form.get("code"));
    let name = domain::text::tidy(form.get("name"));
    if code.is_empty()
        || code.chars().count() > 20
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err("契約部署コードは20文字以内の英数字で入力してください。".into());
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err("契約部署の名称を100文字以内で入力してください。".into());
    }
    Ok((code, name))
}

pub async fn add_department(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    state
        .store
        .ordering_organization(id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let (code, name) = match department(&form) {
        Ok(d) => d,
        Err(e) => return org_page(&state, &viewer, id, Some(e), None).await,
    };
    match state
        .store
        .add_contract_department(id, &code, &name, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/organizations/{id}?done=added")).into_response()),
        Err(StoreError::Conflict { .. }) => {
            org_page(
                &state,
                &viewer,
                id,
                Some(format!("契約部署コード {code} は既に使われています。")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_department(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path((id, dept)): Path<(i64, i64)>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (code, name) = match department(&form) {
        Ok(d) => d,
        Err(e) => return org_page(&state, &viewer, id, Some(e), None).await,
    };
    let d = ContractDepartment {
        id: dept,
        organization_id: id,
        code: code.clone(),
        name,
        active: form.checked("active"),
    };
    match state
        .store
        .update_contract_department(&d, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(true) => {
            Ok(Redirect::to(&format!("/admin/organizations/{id}?done=saved")).into_response())
        }
        Ok(false) => Err(WebError::not_found()),
        Err(StoreError::Conflict { .. }) => {
            org_page(
                &state,
                &viewer,
                id,
                Some(format!("契約部署コード {code} は既に使われています。")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
