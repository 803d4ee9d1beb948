//! Help pages: how the portal decides what it decides.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::WebError;
use crate::auth::{Guarded, PUBLIC, Viewer};
use crate::layout::Layout;
use crate::pages::render;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/help/kuji", PUBLIC, get(kuji))
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
