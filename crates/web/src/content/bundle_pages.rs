//! The promotion of content from staging to production in the
//! administration area, and the API a staging server pushes bundles to.
//!
//! On staging, operators and administrators download the bundle; on
//! production, the operations role (and administrators) upload it, see the
//! field-level plan, apply it, and can roll the last import back. An upload
//! is written to the data directory as it arrives (a bundle can be hundreds
//! of megabytes) and kept there between the plan and its application.

use askama::Template;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::io::AsyncWriteExt;

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::bundles::{APPLIERS, Bundles, PlanView, configured, file_stream};
use crate::errors::ErrorKind;
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

/// Who opens the page: the writers (who download) and the appliers.
pub const BUNDLE_PAGE: &[domain::Role] = &[
    domain::Role::Operator,
    domain::Role::Admin,
    domain::Role::Ops,
];

#[derive(Template)]
#[template(path = "admin_content_bundle.html")]
struct BundlePage {
    layout: Layout,
    csrf: String,
    configured: bool,
    key_id: String,
    may_download: bool,
    may_apply: bool,
    rollback_at: Option<String>,
    error: Option<String>,
    /// An upload's plan and the name it is kept under.
    plan: Option<(PlanView, String)>,
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
    plan: Option<(PlanView, String)>,
    status: StatusCode,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let bundles = state.settings.bundles.as_ref();
    render(
        &BundlePage {
            layout: Layout::for_viewer("ステージングから本番へ", viewer).notice(done),
            csrf: viewer.csrf_token().to_owned(),
            configured: bundles.is_some(),
            key_id: bundles.map(|b| b.key().id().to_owned()).unwrap_or_default(),
            may_download: viewer.has(domain::Role::Operator) || viewer.has(domain::Role::Admin),
            may_apply: APPLIERS.iter().any(|r| viewer.has(*r)),
            rollback_at: bundles
                .and_then(Bundles::rollback_made_at)
                .map(domain::time::jst_datetime),
            error,
            plan,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    page(
        &state,
        &viewer,
        None,
        None,
        StatusCode::OK,
        q.done.as_deref(),
    )
}

/// The whole content as a bundle file, streamed from a file written first.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let bundles = configured(&state)?;
    let now = now_ms();
    let path = bundles.scratch("export").map_err(WebError::internal)?;
    let exported = bundles
        .export(&state.store, &path, &state.settings.public_url, now)
        .await;
    if let Err(e) = exported {
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(WebError::internal)?;
    // The name stays reachable through the open file; the folder keeps no copy.
    let _ = std::fs::remove_file(&path);
    let (y, m, d, hh, mm, _) = domain::time::jst_parts(now);
    let name = format!("content-{y:04}{m:02}{d:02}-{hh:02}{mm:02}.cnb");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(file_stream(file)),
    )
        .into_response())
}

/// An uploaded bundle: written to the data directory as it arrives, then
/// planned. The CSRF token must come before the file (as the form sends it).
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let bundles = configured(&state)?;
    let unreadable = || {
        WebError::new(
            ErrorKind::BadRequest,
            "送信された内容を読み取れませんでした。ページを開き直してから、もう一度送信してください。",
        )
    };
    let mut csrf_checked = false;
    let mut kept = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("csrf_token") => {
                let token = field.text().await.map_err(|_| unreadable())?;
                viewer.check_csrf(&token)?;
                csrf_checked = true;
            }
            Some("bundle") if csrf_checked => {
                let path = bundles.scratch("pending").map_err(WebError::internal)?;
                let mut file = tokio::fs::File::create(&path)
                    .await
                    .map_err(WebError::internal)?;
                let mut size = 0u64;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            size += chunk.len() as u64;
                            file.write_all(&chunk).await.map_err(WebError::internal)?;
                        }
                        Ok(None) => break,
                        Err(_) => {
                            let _ = tokio::fs::remove_file(&path).await;
                            return Err(unreadable());
                        }
                    }
                }
                file.flush().await.map_err(WebError::internal)?;
                kept = Some((path, size));
            }
            _ => {}
        }
    }
    if !csrf_checked {
        return Err(WebError::new(
            ErrorKind::Forbidden,
            "フォームの有効期限が切れました。ページを開き直してから、もう一度送信してください。",
        ));
    }
    let (path, size) = match kept {
        Some((path, size)) if size > 0 => (path, size),
        other => {
            if let Some((path, _)) = other {
                let _ = tokio::fs::remove_file(path).await;
            }
            return page(
                &state,
                &viewer,
                Some("取り込むバンドルのファイルを選んでください。".into()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            );
        }
    };
    tracing::info!(bytes = size, "content bundle uploaded");
    match bundles.plan(&state.store, &path).await {
        Ok(plan) => {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.strip_prefix("pending-"))
                .unwrap_or_default()
                .to_owned();
            page(
                &state,
                &viewer,
                None,
                Some((PlanView::of(&plan), name)),
                StatusCode::OK,
                None,
            )
        }
        Err(store::StoreError::Bundle(e)) => {
            let _ = tokio::fs::remove_file(&path).await;
            page(
                &state,
                &viewer,
                Some(e.to_string()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e.into())
        }
    }
}

/// Applies an upload whose plan was shown.
pub async fn apply(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let bundles = configured(&state)?;
    let Some(path) = bundles.pending(form.get("pending").trim()) else {
        return page(
            &state,
            &viewer,
            Some("取り込むバンドルが見つかりません。もう一度アップロードしてください。".into()),
            None,
            StatusCode::CONFLICT,
            None,
        );
    };
    let result = bundles
        .import(
            &state.store,
            &path,
            &state.settings.public_url,
            &actor(&viewer, &ip)?,
            now_ms(),
        )
        .await;
    let _ = tokio::fs::remove_file(&path).await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/content/bundle?done=bundle_applied").into_response()),
        Err(store::StoreError::Bundle(e)) => page(
            &state,
            &viewer,
            Some(e.to_string()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Returns the content to what it was before the last import.
pub async fn rollback(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let bundles = configured(&state)?;
    match bundles
        .rollback(&state.store, &actor(&viewer, &ip)?, now_ms())
        .await?
    {
        Some(_) => {
            Ok(Redirect::to("/admin/content/bundle?done=bundle_rolled_back").into_response())
        }
        None => page(
            &state,
            &viewer,
            Some("戻せる取り込みがありません（この環境ではまだ取り込んでいません）。".into()),
            None,
            StatusCode::CONFLICT,
            None,
        ),
    }
}
