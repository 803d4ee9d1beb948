//! The API a staging server pushes content bundles to (decision 0009):
//! the bundle as the request body, planned or applied by a token of the
//! operations role.

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::bundles::{PlanView, configured};
use crate::errors::ErrorKind;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PushQuery {
    /// true なら適用せず、変更の一覧だけを返す
    #[serde(default)]
    dry_run: bool,
}

/// The answer to a push.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PushResult {
    /// 適用したか（dry_run のとき、変更がないときは false）
    applied: bool,
    /// 種類ごとの件数の要約
    summary: String,
    /// 種類ごとの追加・変更・削除
    #[schema(value_type = Object)]
    plan: serde_json::Value,
}

/// A staging server's push: the bundle as the request body, planned or
/// applied (with a rollback bundle kept first), by a token of the
/// operations role.
#[utoipa::path(
    post,
    path = "/api/v1/content/bundle",
    operation_id = "pushContentBundle",
    tag = "サイトコンテンツ",
    params(PushQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "chance-navi content export で作ったバンドル"),
    responses(
        (status = 200, description = "変更の一覧（適用したときは適用した内容）", body = PushResult),
        (status = 403, description = "運用・保守者（または管理者）のトークンではない", body = crate::errors::ErrorBody),
        (status = 422, description = "改ざん・途中切れ・別の鍵・新しい形式のバンドル", body = crate::errors::ErrorBody),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Query(q): Query<PushQuery>,
    body: Body,
) -> Result<Json<PushResult>, WebError> {
    use futures_util::StreamExt;
    let bundles = configured(&state)?;
    let path = bundles.scratch("pending").map_err(WebError::internal)?;
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(WebError::internal)?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => file.write_all(&bytes).await.map_err(WebError::internal)?,
            Err(_) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(WebError::new(
                    ErrorKind::PayloadTooLarge,
                    "バンドルを受け取れませんでした（大きすぎるか、転送が途中で切れました）。",
                ));
            }
        }
    }
    file.flush().await.map_err(WebError::internal)?;
    drop(file);
    let result = if q.dry_run {
        bundles.plan(&state.store, &path).await
    } else {
        bundles
            .import(
                &state.store,
                &path,
                &state.settings.public_url,
                &actor(&viewer, &ip)?,
                now_ms(),
            )
            .await
    };
    let _ = tokio::fs::remove_file(&path).await;
    let plan = result?;
    let view = PlanView::of(&plan);
    Ok(Json(PushResult {
        applied: !q.dry_run && !plan.is_empty(),
        summary: view.summary.clone(),
        plan: serde_json::to_value(&view).map_err(WebError::internal)?,
    }))
}
