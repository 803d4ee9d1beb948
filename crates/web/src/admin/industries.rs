//! Industries (日本標準産業分類): rename sections and divisions, or retire them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use store::IndustryEntry;

use crate::auth::actor;
use crate::auth::{self, ClientIp, Viewer};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::{Done, render};
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
    done: Option<&str>,
) -> Result<Response, WebError> {
    let status = crate::pages::status_for(error.is_some());
    render(
        &Page {
            layout: Layout::for_viewer("業種マスタ", viewer).notice(done),
            entries: state.store.industry_entries().await?,
            csrf: viewer.csrf_token().to_owned(),
            error,
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    page(&state, &viewer, None, q.done.as_deref()).await
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
    let name = domain::text::tidy(form.get("name"));
    if name.is_empty() || name.chars().count() > 100 {
        return page(
            &state,
            &viewer,
            Some(format!("{code} の名称を100文字以内で入力してください。")),
            None,
        )
        .await;
    }
    entry.name = name;
    entry.active = form.checked("active");
    state
        .store
        .update_industry(&entry, &actor(&viewer, &ip)?, auth::now_ms())
        .await?;
    Ok(Redirect::to("/admin/industries?done=saved").into_response())
}

#[derive(Template)]
#[template(path = "admin_prefectures.html")]
struct PrefecturesPage {
    layout: Layout,
    prefectures: Vec<(i64, String)>,
    csrf: String,
    error: Option<String>,
}

async fn prefectures_page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let status = crate::pages::status_for(error.is_some());
    render(
        &PrefecturesPage {
            layout: Layout::for_viewer("都道府県マスタ", viewer).notice(done),
            prefectures: state.store.prefectures().await?,
            csrf: viewer.csrf_token().to_owned(),
            error,
        },
        status,
    )
}

pub async fn prefectures(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    prefectures_page(&state, &viewer, None, q.done.as_deref()).await
}

pub async fn rename_prefecture(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(code): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let name = domain::text::tidy(form.get("name"));
    if name.is_empty() || name.chars().count() > 20 {
        return prefectures_page(
            &state,
            &viewer,
            Some("都道府県名を20文字以内で入力してください。".into()),
            None,
        )
        .await;
    }
    match state
        .store
        .rename_prefecture(code, &name, &actor(&viewer, &ip)?, auth::now_ms())
        .await
    {
        Ok(true) => Ok(Redirect::to("/admin/prefectures?done=saved").into_response()),
        Ok(false) => Err(WebError::not_found()),
        Err(store::StoreError::Conflict { .. }) => {
            prefectures_page(
                &state,
                &viewer,
                Some(format!("「{name}」は別の都道府県の名称です。")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
