//! Help pages: how the portal decides what it decides, and the files it
//! takes (one page per CSV format, made from the parsers' own column lists).

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::WebError;
use crate::auth::{Guarded, PUBLIC, Viewer};
use crate::layout::Layout;
use crate::pages::render;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/help/kuji", PUBLIC, get(kuji))
        .get("/help/formats", PUBLIC, get(formats))
        .get("/help/formats/{slug}", PUBLIC, get(format))
}

#[derive(Template)]
#[template(path = "help_kuji.html")]
struct KujiPage {
    layout: Layout,
}

async fn kuji(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &KujiPage {
            layout: Layout::for_viewer("電子くじの決め方", &viewer),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "help_formats.html")]
struct FormatsPage {
    layout: Layout,
    formats: &'static [&'static import::formats::Format],
}

async fn formats(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &FormatsPage {
            layout: Layout::for_viewer("ファイルの形式", &viewer),
            formats: import::formats::ALL,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "help_format.html")]
struct FormatPage {
    layout: Layout,
    format: &'static import::formats::Format,
}

async fn format(viewer: Viewer, Path(slug): Path<String>) -> Result<Response, WebError> {
    let format = import::formats::by_slug(&slug).ok_or_else(WebError::not_found)?;
    render(
        &FormatPage {
            layout: Layout::for_viewer(format.title, &viewer),
            format,
        },
        StatusCode::OK,
    )
}
