//! APIトークン: a user makes named tokens for their own tools, sees when
//! each was last used, and revokes them. A token is shown once; only its
//! hash is kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::token_hash;

use crate::auth::{Viewer, random_token};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// The prefix of every token, so that a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "cnv_";

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    csrf: String,
    new_token: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    tokens: Vec<TokenRow>,
}

/// One of the user's API tokens; never its secret, which is shown once.
struct TokenRow {
    id: i64,
    name: String,
    created: String,
    /// When it was last used, or 「未使用」.
    last_used: String,
    /// When it was revoked, if it was.
    revoked: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let tokens = state
        .store
        .api_tokens(user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: domain::time::jst_datetime(t.created_at),
            last_used: t
                .last_used_at
                .map_or_else(|| "未使用".to_owned(), domain::time::jst_datetime),
            revoked: t.revoked_at.map(domain::time::jst_datetime),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &TokensPage {
            layout: Layout::for_viewer("APIトークン", viewer),
            csrf: viewer.csrf_token().to_owned(),
            new_token,
            notice,
            error,
            tokens,
        },
        status,
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = (q.get("done").map(String::as_str) == Some("revoked")).then_some(
        "トークンを無効にしました。このトークンを使ったリクエストは、これから受け付けません。",
    );
    page(&state, &viewer, None, notice, None).await
}

fn actor(viewer: &Viewer) -> Result<store::Actor, WebError> {
    let user = viewer.user()?;
    Ok(store::Actor {
        user_id: Some(user.id),
        label: format!("利用者 {}", user.name),
        ip: None,
    })
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let name = domain::text::tidy(form.get("name"));
    if name.is_empty() || name.chars().count() > 60 {
        return page(
            &state,
            &viewer,
            None,
            None,
            Some("トークンの名前を60文字以内で入力してください。".to_owned()),
        )
        .await;
    }
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let user = viewer.user()?;
    state
        .store
        .create_api_token(
            user.id,
            &name,
            &token_hash(&token),
            &actor(&viewer)?,
            crate::auth::now_ms(),
        )
        .await?;
    page(&state, &viewer, Some(token), None, None).await
}

pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let user = viewer.user()?;
    match state
        .store
        .revoke_api_token(user.id, id, &actor(&viewer)?, crate::auth::now_ms())
        .await
    {
        Ok(()) | Err(store::StoreError::Stale) => {
            Ok(Redirect::to("/account/tokens?done=revoked").into_response())
        }
        Err(e) => Err(e.into()),
    }
}
