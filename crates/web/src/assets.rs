//! The stylesheet, built into the binary and served under a name that changes
//! with its content, so browsers may cache it for good, compressed once (gzip)
//! for the clients that accept it. Nothing is fetched from outside at run time.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::{Guarded, PUBLIC};
use crate::errors::WebError;

const SITE_CSS: &str = include_str!("../static/site.css");

static SITE_CSS_GZIP: LazyLock<axum::body::Bytes> =
    LazyLock::new(|| crate::page_cache::gzip(SITE_CSS.as_bytes()));

static STYLESHEET_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/assets/site-{:016x}.css", fnv1a(SITE_CSS.as_bytes())));

pub fn stylesheet_href() -> &'static str {
    &STYLESHEET_HREF
}

pub fn routes(g: Guarded) -> Guarded {
    g.get("/assets/{file}", PUBLIC, get(asset))
}

async fn asset(Path(file): Path<String>, request: HeaderMap) -> Result<Response, WebError> {
    if format!("/assets/{file}") != *STYLESHEET_HREF {
        return Err(WebError::not_found());
    }
    let (body, encoding) = if crate::page_cache::accepts_gzip(&request) {
        (
            SITE_CSS_GZIP.clone(),
            Some(HeaderValue::from_static("gzip")),
        )
    } else {
        (axum::body::Bytes::from_static(SITE_CSS.as_bytes()), None)
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (header::VARY, HeaderValue::from_static("Accept-Encoding")),
        ],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, encoding);
    }
    Ok(response)
}

/// 64-bit FNV-1a: enough to tell two versions of one file apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_name_follows_its_content() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(b"a{}"), fnv1a(b"b{}"));
        assert!(stylesheet_href().starts_with("/assets/site-"));
        assert!(stylesheet_href().ends_with(".css"));
    }
}
