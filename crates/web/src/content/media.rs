//! The media library in the administration area (upload with alternative
//! text, change it, delete what no page shows), the files served to
//! everyone under their hash, and the lookup that gives a page's images
//! their size and alternative text.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use store::{MediaInfo, NewMedia, StoreError};

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::{Done, render};
use crate::{AppState, WebError};

/// Longest alternative text.
const MAX_ALT: usize = 200;

/// The images a text shows, as the media library knows them.
#[derive(Debug, Default)]
pub struct Library(HashMap<String, content::ImageInfo>);

impl content::Media for Library {
    fn image(&self, src: &str) -> Option<content::ImageInfo> {
        self.0.get(src).cloned()
    }
}

/// The library's entries for every `/media/{sha256}` a text names.
pub async fn library(state: &AppState, text: &str) -> Result<Library, WebError> {
    let mut found = HashMap::new();
    for (at, _) in text.match_indices("/media/") {
        let rest = &text[at + "/media/".len()..];
        let sha: String = rest.chars().take(64).collect();
        if sha.len() != 64 || found.values().any(|m: &MediaInfo| m.sha256 == sha) {
            continue;
        }
        if let Some(m) = state.store.media_by_sha(&sha).await? {
            found.insert(m.url(), m);
        }
    }
    Ok(Library(
        found
            .into_iter()
            .filter_map(|(url, m)| {
                Some((
                    url,
                    content::ImageInfo {
                        width: u32::try_from(m.width?).ok()?,
                        height: u32::try_from(m.height?).ok()?,
                        alt: m.alt,
                    },
                ))
            })
            .collect(),
    ))
}

/// A file, to everyone, for ever under the same address.
pub async fn file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let Some((sha, _)) = file.split_once('.') else {
        return Err(WebError::not_found());
    };
    let Some((content_type, bytes)) = state.store.media_content(sha).await? else {
        return Err(WebError::not_found());
    };
    // One address per file: the extension must be its type's.
    if content::media::url_of(sha, &content_type) != format!("/media/{file}") {
        return Err(WebError::not_found());
    }
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type).map_err(WebError::internal)?,
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{sha}\"")).map_err(WebError::internal)?,
    );
    Ok(response)
}

struct Row {
    info: MediaInfo,
    used_by: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "admin_media.html")]
struct LibraryPage {
    layout: Layout,
    csrf: String,
    rows: Vec<Row>,
    error: Option<String>,
    accept: String,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let mut rows = Vec::new();
    for info in state.store.media_list().await? {
        let used_by = state.store.media_used_by(&info.sha256).await?;
        rows.push(Row { info, used_by });
    }
    let status = crate::pages::status_for(error.is_some());
    render(
        &LibraryPage {
            layout: Layout::for_viewer("メディアライブラリ", viewer).notice(done),
            csrf: viewer.csrf_token().to_owned(),
            rows,
            error,
            accept: content::media::MEDIA_EXTENSIONS
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(","),
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

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let files = form.files("file");
    let Some(upload) = files.first() else {
        return page(
            &state,
            &viewer,
            Some("登録するファイルを選んでください。".into()),
            None,
        )
        .await;
    };
    let checked = match content::media::check(&upload.file_name, &upload.bytes) {
        Ok(c) => c,
        Err(e) => return page(&state, &viewer, Some(e.message().to_owned()), None).await,
    };
    let alt = domain::text::tidy(form.get("alt"));
    if checked.is_image() && alt.is_empty() {
        return page(
            &state,
            &viewer,
            Some(
                "画像には代替テキスト（画像が見えない人に読み上げる説明）を入力してください。"
                    .into(),
            ),
            None,
        )
        .await;
    }
    if alt.chars().count() > MAX_ALT {
        return page(
            &state,
            &viewer,
            Some(format!(
                "代替テキストは{MAX_ALT}文字以内で入力してください。"
            )),
            None,
        )
        .await;
    }
    let sha: String = Sha256::digest(&upload.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    state
        .store
        .add_media(
            &NewMedia {
                sha256: &sha,
                name: &checked.name,
                content_type: checked.content_type,
                size: checked.size,
                alt: &alt,
                content: &upload.bytes,
            },
            &actor(&viewer, &ip)?,
            now_ms(),
        )
        .await?;
    Ok(Redirect::to("/admin/media?done=added").into_response())
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let Some(m) = state.store.media(id).await? else {
        return Err(WebError::not_found());
    };
    let alt = domain::text::tidy(form.get("alt"));
    if (m.content_type.starts_with("image/") && alt.is_empty()) || alt.chars().count() > MAX_ALT {
        return page(
            &state,
            &viewer,
            Some(format!("「{}」の代替テキストを{MAX_ALT}文字以内で入力してください（画像では空にできません）。", m.name)),
            None,
        )
        .await;
    }
    state
        .store
        .set_media_alt(id, &alt, &actor(&viewer, &ip)?, now_ms())
        .await?;
    Ok(Redirect::to("/admin/media?done=saved").into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    match state
        .store
        .delete_media(id, &actor(&viewer, &ip)?, now_ms())
        .await
    {
        Ok(true) => Ok(Redirect::to("/admin/media?done=discarded").into_response()),
        Ok(false) => Err(WebError::not_found()),
        Err(StoreError::Invalid(m)) => {
            page(
                &state,
                &viewer,
                Some(format!(
                    "削除できません: {m}。先にそのページや投稿から画像を外してください。"
                )),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

impl Row {
    fn size_label(&self) -> String {
        domain::upload::size_label(self.info.bytes)
    }
}
