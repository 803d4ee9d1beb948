//! OCDS for everyone: every public case as OCDS 1.1 releases, paged through
//! with a cursor in the order cases last changed (so a client that keeps the
//! last cursor gets what changed since), and one process as a record package.

use axum::Json;
use axum::extract::{Path, Query, State};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat};
use utoipa::openapi::{RefOr, Schema, Type};

use super::openapi::OcdsParams;
use crate::errors::ErrorBody;
use crate::{AppState, ErrorKind, WebError};

/// Releases per page unless asked otherwise, and at most.
pub(super) const DEFAULT_LIMIT: i64 = 100;
pub(super) const MAX_LIMIT: i64 = 500;

/// An OCDS release or record package, as `import::ocds_export` builds it
/// (and the OCDS schema, not this one, checks it in the tests).
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct OcdsPackage(Value);

impl utoipa::ToSchema for OcdsPackage {}

impl utoipa::PartialSchema for OcdsPackage {
    fn schema() -> RefOr<Schema> {
        let uri = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("uri".to_owned())))
        };
        let objects = || ArrayBuilder::new().items(ObjectBuilder::new());
        ObjectBuilder::new()
            .description(Some(
                "OCDS 1.1.5 のパッケージ。スキーマは https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json （レコードは record-package-schema.json）。ページ送りは links.next。",
            ))
            .property("uri", uri())
            .property(
                "version",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["1.1"])),
            )
            .property(
                "publishedDate",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .property("publisher", ObjectBuilder::new())
            .property("extensions", ArrayBuilder::new().items(uri()))
            .property("releases", objects())
            .property("records", objects())
            .property("links", ObjectBuilder::new().property("next", uri()))
            .required("uri")
            .required("version")
            .required("publishedDate")
            .required("publisher")
            .into()
    }
}

fn bad(message: &str) -> WebError {
    WebError::new(ErrorKind::BadRequest, message)
}

/// A position in the feed: (change sequence number, case id), opaque to clients.
fn encode_cursor(seq: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<(i64, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut parts = text.strip_prefix("v1:")?.split(':');
    let seq = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((seq, id))
}

/// What a page asks for.
#[derive(Debug)]
struct Page {
    /// After this (change sequence number, case id).
    after: (i64, i64),
    /// Changed at or after this instant.
    since: Option<i64>,
    limit: i64,
}

/// The query: `cursor`, `since` (a date or an RFC 3339 time) and `limit`.
fn read_query(pairs: &[(String, String)]) -> Result<Page, WebError> {
    let mut after = (i64::MIN, i64::MIN);
    let mut since = None;
    let mut limit = DEFAULT_LIMIT;
    for (k, v) in pairs {
        match k.as_str() {
            "cursor" => {
                after = decode_cursor(v).ok_or_else(|| {
                    bad("cursor が正しくありません。前のページの links.next をそのまま使ってください。")
                })?;
            }
            "since" => {
                let when = domain::when::parse_field(v).ok().flatten().ok_or_else(|| {
                    bad("since は日付（2026-05-01）または日時（2026-05-01T09:00:00+09:00）で指定してください。")
                })?;
                since = Some(when.start_ms());
            }
            "limit" => {
                limit = v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad("limit は 1 から 500 までの整数で指定してください。"))?;
            }
            _ => {}
        }
    }
    Ok(Page {
        after,
        since,
        limit,
    })
}

/// 公開案件をOCDS 1.1のリリースパッケージとして取得する
///
/// 公開されている案件を、最後に変わった順に1件1リリースで返します。続きがあるときは links.next（cursor 付きのURL）をたどってください。最後に受け取った links.next を取っておけば、次はそれ以降に変わった案件だけを受け取れます。入札の拡張（bids）を使います（extensions に記載）。
#[utoipa::path(
    get,
    path = "/api/v1/ocds/releases",
    operation_id = "ocdsReleases",
    tag = "OCDS",
    params(OcdsParams),
    responses(
        (status = 200, description = "OCDS 1.1 リリースパッケージ（release-package-schema.json）。続きがあれば links.next", body = OcdsPackage),
        (status = 400, description = "cursor・since・limit が正しくない", body = ErrorBody),
    )
)]
pub async fn releases(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<OcdsPackage>, WebError> {
    let Page {
        after,
        since,
        limit,
    } = read_query(&pairs)?;
    let site = &state.settings.public_url;
    let cases = state
        .store
        .public_cases_by_change(after, since, limit + 1)
        .await?;
    let more = cases.len() as i64 > limit;
    let page = &cases[..cases.len().min(limit as usize)];
    let mut releases = Vec::with_capacity(page.len());
    for c in page {
        releases.push(import::ocds_export::case_release(&state.store, c, site).await?);
    }
    let keep: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k == "since" || k == "limit")
        .cloned()
        .collect();
    let link = |cursor: Option<String>| {
        let mut q: Vec<(String, String)> = keep.clone();
        if let Some(c) = cursor {
            q.push(("cursor".into(), c));
        }
        let query: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if query.is_empty() {
            format!("{site}/api/v1/ocds/releases")
        } else {
            format!("{site}/api/v1/ocds/releases?{}", query.join("&"))
        }
    };
    let this = link(
        pairs
            .iter()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.clone()),
    );
    let now = crate::auth::now_ms();
    let mut package = import::ocds_export::package_head(&this, site, now);
    package.insert("releases".into(), Value::Array(releases));
    if more && let Some(last) = page.last() {
        package.insert(
            "links".into(),
            json!({"next": link(Some(encode_cursor(last.change_seq, last.id)))}),
        );
    }
    Ok(Json(OcdsPackage(Value::Object(package))))
}

/// 1つの契約プロセスをOCDS 1.1のレコードパッケージとして取得する
#[utoipa::path(
    get,
    path = "/api/v1/ocds/releases/{ocid}",
    operation_id = "ocdsRecord",
    tag = "OCDS",
    params(("ocid" = String, Path, description = "リリースの ocid")),
    responses(
        (status = 200, description = "OCDS 1.1 レコードパッケージ（record-package-schema.json）", body = OcdsPackage),
        (status = 404, description = "その ocid の公開案件がない", body = ErrorBody),
    )
)]
pub async fn record(
    State(state): State<AppState>,
    Path(ocid): Path<String>,
) -> Result<Json<OcdsPackage>, WebError> {
    let not_found = || {
        WebError::new(
            ErrorKind::NotFound,
            "指定された契約プロセス（ocid）は見つかりません。",
        )
    };
    let case = match ocid
        .strip_prefix(import::ocds_export::OCID_PREFIX)
        .and_then(|id| id.parse::<i64>().ok())
    {
        Some(id) => state.store.case(id).await?,
        None => {
            state
                .store
                .case_by_source_key(import::ocds::SOURCE, &ocid)
                .await?
        }
    }
    .filter(|c| c.fields.status.is_public() && import::ocds_export::ocid(c) == ocid)
    .ok_or_else(not_found)?;
    let site = &state.settings.public_url;
    let release = import::ocds_export::case_release(&state.store, &case, site).await?;
    let uri = format!("{site}/api/v1/ocds/releases/{}", urlencode(&ocid));
    Ok(Json(OcdsPackage(import::ocds_export::record_package(
        release,
        &uri,
        site,
        crate::auth::now_ms(),
    ))))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42, 7)), Some((42, 7)));
        for bad in ["", "abc", "djE6MTI=", &URL_SAFE_NO_PAD.encode("v1:1:2:3")] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn no_query_makes_the_reader_panic(k in "\\PC{0,10}", v in "\\PC{0,40}") {
            let _ = read_query(&[(k, v.clone()), ("cursor".into(), v.clone()), ("since".into(), v.clone()), ("limit".into(), v)]);
        }
    }
}
