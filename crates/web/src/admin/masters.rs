//! Simple masters (加盟団体, 登録のきっかけ): list, add, rename, reorder, retire.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use store::{MasterItem, SimpleMaster, StoreError};

use crate::auth::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::{Done, render};
use crate::{AppState, WebError};

fn master(name: &str) -> Result<(SimpleMaster, &'static str), WebError> {
    match name {
        "member_organizations" => Ok((SimpleMaster::MemberOrganizations, "加盟団体マスタ")),
        "registration_triggers" => Ok((SimpleMaster::RegistrationTriggers, "登録のきっかけマスタ")),
        _ => Err(WebError::not_found()),
    }
}

#[derive(Template)]
#[template(path = "admin_masters.html")]
struct MastersPage {
    layout: Layout,
    title: &'static str,
    master: String,
    items: Vec<MasterItem>,
    csrf: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let (m, title) = master(name)?;
    let status = crate::pages::status_for(error.is_some());
    render(
        &MastersPage {
            layout: Layout::for_viewer(title, viewer).notice(done),
            title,
            master: name.to_owned(),
            items: state.store.master_items(m, true).await?,
            csrf: viewer.csrf_token().to_owned(),
            error,
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    page(&state, &viewer, &name, None, q.done.as_deref()).await
}

fn valid_name(form: &FormData) -> Result<String, String> {
    let name = domain::text::tidy(form.get("name"));
    if name.is_empty() {
        return Err("名称を入力してください。".into());
    }
    if name.chars().count() > 100 {
        return Err("名称は100文字以内で入力してください。".into());
    }
    Ok(name)
}

pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (m, _) = master(&name)?;
    let item_name = match valid_name(&form) {
        Ok(n) => n,
        Err(e) => return page(&state, &viewer, &name, Some(e), None).await,
    };
    match state
        .store
        .add_master_item(m, &item_name, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/masters/{name}?done=added")).into_response()),
        Err(StoreError::Conflict { .. }) => {
            page(
                &state,
                &viewer,
                &name,
                Some(format!("「{item_name}」は既に登録されています。")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path((name, id)): Path<(String, i64)>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let (m, _) = master(&name)?;
    let item_name = match valid_name(&form) {
        Ok(n) => n,
        Err(e) => return page(&state, &viewer, &name, Some(e), None).await,
    };
    let Ok(sort_order) = domain::text::normalize(form.get("sort_order")).parse::<i64>() else {
        return page(
            &state,
            &viewer,
            &name,
            Some("表示順は整数で入力してください。".into()),
            None,
        )
        .await;
    };
    let item = MasterItem {
        id,
        name: item_name.clone(),
        sort_order,
        active: form.checked("active"),
    };
    match state
        .store
        .update_master_item(m, &item, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(true) => Ok(Redirect::to(&format!("/admin/masters/{name}?done=saved")).into_response()),
        Ok(false) => Err(WebError::not_found()),
        Err(StoreError::Conflict { .. }) => {
            page(
                &state,
                &viewer,
                &name,
                Some(format!("「{item_name}」は既に登録されています。")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
