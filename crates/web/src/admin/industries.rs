//! Industries (日本標準産業分類): rename sections and divisions, or retire them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::IndustryEntry;

use super::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "admin_industries.html")]
struct Page {
    layout: Layout,
    entries: Vec<IndustryEntry>,
    csrf: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
) -> Result<Response, WebError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &Page {
            layout: Layout::for_viewer("業種マスタ", viewer),
            entries: state.store.industry_entries().await?,
            csrf: viewer.csrf_token.clone(),
            error,
        },
        status,
    )
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    page(&state, &viewer, None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let Some(mut entry) = state
        .store
        .industry_entries()
        .await?
        .into_iter()
        .find(|e| e.code == code)
    else {
        return Err(WebError::not_found());
    };
    let name = domain::text::normalize(form.get("name"));
    if name.is_empty() || name.chars().count() > 100 {
        return page(
            &state,
            &viewer,
            Some(format!("{code} の名称を100文字以内で入力してください。")),
        )
        .await;
    }
    entry.name = name;
    entry.active = form.checked("active");
    state
        .store
        .update_industry(&entry, &actor(&viewer, &ip)?, auth::now_ms())
        .await?;
    Ok(Redirect::to("/admin/industries").into_response())
}
