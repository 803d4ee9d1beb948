//! The render cache: what anonymous visitors see of the public pages (the
//! top page, searches, case pages and the public API's reads), kept as the
//! bytes once rendered (docs/decisions/0008).
//!
//! An entry is keyed by the request's path and query and holds the site's
//! change sequence and the search index's position it was rendered at. Each
//! request reads the sequence first (one small read, on SQLite on this
//! thread) and is served an entry only if it was rendered at that very
//! sequence and index, and less than [`FRESH_FOR`] ago (pages show the time
//! left until deadlines). So a change committed on any node is never hidden:
//! the next request reads the new sequence and renders the page again.
//!
//! Only answers that hold nothing of the viewer's are kept: GET requests
//! without a session cookie or an API token, answered 200, setting no cookie,
//! and whose page did not ask for a CSRF token. The cache is bounded in bytes
//! and forgets the least recently used pages first. Each entry carries a
//! gzip copy made once, an ETag and a Last-Modified, so that a client that
//! has the page is answered 304.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lru::LruCache;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, Viewer, cookie};

/// How long a rendered page may be served without rendering it again, when
/// nothing it depends on changed: the time left to a deadline, a tender's
/// phase and 締切 follow the clock.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// After [`FRESH_FOR`], while one request renders the page again, the others
/// are still given the page they would have had a moment before — for at
/// most this long — rather than all rendering it at once. Never after a
/// change: the version must match.
const RENDERING_GRACE: Duration = Duration::from_secs(2);

/// Pages larger than this are answered but not kept.
const LARGEST: usize = 2 * 1024 * 1024;

/// Request targets longer than this are answered but not kept.
const LONGEST_KEY: usize = 2048;

/// A response extension: the answer may be kept only until this time (UTC
/// milliseconds), when the clock alone changes it (a scheduled post comes
/// due). Past it the entry is never served, not even during
/// [`RENDERING_GRACE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepUntil(pub i64);

/// What an entry was rendered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Version {
    site: i64,
    index: u64,
}

#[derive(Debug)]
struct Entry {
    /// The route's template, for the metrics of early answers.
    route: String,
    version: Version,
    rendered: Instant,
    /// Never served at or after this time (see [`KeepUntil`]).
    until: Option<SystemTime>,
    /// When this content was first rendered (kept while it stays the same).
    modified: SystemTime,
    /// Another content was rendered within the same second before: a client
    /// that names that second cannot be told which it has (ETag only).
    modified_ambiguous: bool,
    content_type: Option<HeaderValue>,
    etag: String,
    body: Bytes,
    gzip: Bytes,
    /// A request is rendering this page again (it went past [`FRESH_FOR`]).
    refreshing: std::sync::atomic::AtomicBool,
    /// The headers made once: ETag (plain and gzip) and Last-Modified.
    etag_plain: HeaderValue,
    etag_gzip: HeaderValue,
    last_modified: HeaderValue,
}

impl Entry {
    /// An entry for `body`, rendered at `version` just now (`wall`), with its
    /// gzip copy and headers. Its Last-Modified is the previous entry's while
    /// the content is the same.
    fn new(
        route: String,
        version: Version,
        content_type: Option<HeaderValue>,
        body: Bytes,
        previous: Option<&Entry>,
        wall: SystemTime,
        until: Option<KeepUntil>,
    ) -> Entry {
        let etag = etag_of(&body);
        let (modified, modified_ambiguous) = match previous {
            Some(p) if p.etag == etag => (p.modified, p.modified_ambiguous),
            Some(p) => (wall, whole_seconds(p.modified) == whole_seconds(wall)),
            None => (wall, false),
        };
        // Hex digits, quotes and an HTTP date: always a valid header value.
        let value = |v: String| HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""));
        Entry {
            route,
            version,
            rendered: Instant::now(),
            until: until.map(|KeepUntil(ms)| {
                SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
            }),
            modified,
            modified_ambiguous,
            content_type,
            etag_plain: value(format!("\"{etag}\"")),
            etag_gzip: value(format!("\"{etag}-gz\"")),
            last_modified: value(http_date(modified)),
            etag,
            gzip: gzip(&body),
            body,
            refreshing: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn size(&self, key: &str) -> usize {
        key.len() + self.body.len() + self.gzip.len() + self.etag.len() + 200
    }
}

/// The cache itself, one per node; see the module's documentation.
#[derive(Debug)]
pub struct PageCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    entries: LruCache<String, std::sync::Arc<Entry>>,
    bytes: usize,
}

impl PageCache {
    /// A cache that holds at most `budget` bytes of pages (0: keeps nothing).
    pub fn new(budget: usize) -> PageCache {
        PageCache {
            budget,
            inner: Mutex::new(Inner {
                entries: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.bytes)
    }

    fn get(&self, key: &str) -> Option<std::sync::Arc<Entry>> {
        self.inner.lock().ok()?.entries.get(key).cloned()
    }

    fn put(&self, key: String, entry: std::sync::Arc<Entry>) {
        let size = entry.size(&key);
        if size > self.budget {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // A slower render from an older sequence never replaces a newer one.
        if let Some(old) = inner.entries.peek(&key)
            && old.version > entry.version
        {
            return;
        }
        if let Some(old) = inner.entries.put(key.clone(), entry) {
            inner.bytes -= old.size(&key);
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some((k, old)) = inner.entries.pop_lru() else {
                break;
            };
            inner.bytes -= old.size(&k);
        }
    }
}

/// The outermost layer: a page this node keeps, still current, is answered
/// at once — no session to load (the request carries none), no route, no
/// other middleware. Everything else goes on to the portal.
pub(crate) async fn answer_early(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !anonymous_read(&req) {
        return next.run(req).await;
    }
    let started = Instant::now();
    let key = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let Some(entry) = state.pages.get(key) else {
        return next.run(req).await;
    };
    let Some(version) = current(&state).await else {
        return next.run(req).await;
    };
    if !entry.serves(version, Instant::now()) {
        return next.run(req).await;
    }
    let mut response = answer(&entry, req.headers());
    for (name, value) in crate::middleware::security_headers(state.settings.secure_cookies) {
        response.headers_mut().entry(name).or_insert(value);
    }
    state.metrics.observe(
        req.method(),
        &entry.route,
        response.status(),
        started.elapsed(),
    );
    response
}

/// The middleware of the cached routes (`Guarded::shared`): renders a page
/// that is not kept or no longer current, and keeps it if it may.
pub async fn serve(req: Request, next: Next) -> Response {
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        return next.run(req).await;
    };
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return next.run(req).await;
    };
    let key = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    if !anonymous_read(&req)
        || viewer.is_signed_in()
        || key.len() > LONGEST_KEY
        || state.pages.budget == 0
    {
        return next.run(req).await;
    }
    let Some(version) = current(&state).await else {
        return next.run(req).await;
    };
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        // Content pages are answered by the fallback, without a matched
        // route: one label for all of them.
        .map_or_else(|| "/{*page}".to_owned(), |p| p.as_str().to_owned());
    let headers = req.headers().clone();
    let now = Instant::now();
    let previous = state.pages.get(&key);
    if let Some(entry) = &previous
        && entry.fresh(version, now)
    {
        return answer(entry, &headers);
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
        || viewer.csrf_shown()
    {
        return response;
    }
    // A page larger than any kept (or of unknown length) goes out as it is.
    let size = axum::body::HttpBody::size_hint(response.body()).upper();
    if size.is_none_or(|n| n > LARGEST as u64) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, LARGEST).await {
        Ok(b) => b,
        Err(e) => return crate::WebError::internal(e).into_response(),
    };
    let entry = std::sync::Arc::new(Entry::new(
        route,
        version,
        parts.headers.get(header::CONTENT_TYPE).cloned(),
        body,
        previous.as_deref(),
        SystemTime::now(),
        parts.extensions.get::<KeepUntil>().copied(),
    ));
    state.pages.put(key, entry.clone());
    answer(&entry, &headers)
}

/// A GET (or HEAD) without a session cookie or a token: whoever sends it is
/// a visitor who is not signed in, and sees what every such visitor sees.
fn anonymous_read(req: &Request) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && cookie(req.headers(), SESSION_COOKIE).is_none()
        && !req.headers().contains_key(header::AUTHORIZATION)
}

/// The site's change sequence (read now) and the index's generation.
async fn current(state: &AppState) -> Option<Version> {
    match state.store.site_version().await {
        Ok(site) => Some(Version {
            site,
            index: state.search.generation(),
        }),
        Err(e) => {
            tracing::warn!(error = %e, "the site's change sequence could not be read");
            None
        }
    }
}

impl Entry {
    /// Rendered at exactly this version, less than [`FRESH_FOR`] ago.
    fn fresh(&self, version: Version, now: Instant) -> bool {
        self.version == version
            && now.duration_since(self.rendered) < FRESH_FOR
            && self.until.is_none_or(|u| SystemTime::now() < u)
    }

    /// Rendered at exactly this version, and recently enough — or a little
    /// less recently while another request renders it again. The first
    /// request past [`FRESH_FOR`] is told no, and renders.
    fn serves(&self, version: Version, now: Instant) -> bool {
        if self.version != version || self.until.is_some_and(|u| SystemTime::now() >= u) {
            return false;
        }
        let age = now.duration_since(self.rendered);
        self.fresh(version, now)
            || (age < FRESH_FOR + RENDERING_GRACE
                && self
                    .refreshing
                    .swap(true, std::sync::atomic::Ordering::AcqRel))
    }
}

fn answer(entry: &Entry, request: &HeaderMap) -> Response {
    let gzipped = accepts_gzip(request);
    let mut response = if not_modified(entry, request) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzipped {
        let mut r = Response::new(Body::from(entry.gzip.clone()));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Response::new(Body::from(entry.body.clone()))
    };
    let h = response.headers_mut();
    if let Some(t) = &entry.content_type {
        h.insert(header::CONTENT_TYPE, t.clone());
    }
    let etag = if gzipped {
        &entry.etag_gzip
    } else {
        &entry.etag_plain
    };
    h.insert(header::ETAG, etag.clone());
    h.insert(header::LAST_MODIFIED, entry.last_modified.clone());
    // Any cache may keep it, and must ask again before using it.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie, Authorization"),
    );
    response
}

/// If-None-Match (either representation's tag, or `*`) and, without it,
/// If-Modified-Since.
fn not_modified(entry: &Entry, request: &HeaderMap) -> bool {
    if let Some(tags) = request.get(header::IF_NONE_MATCH) {
        let Ok(tags) = tags.to_str() else {
            return false;
        };
        return tags.split(',').map(str::trim).any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t).trim_matches('"');
            t == "*" || t == entry.etag || t.strip_suffix("-gz") == Some(entry.etag.as_str())
        });
    }
    let Some(since) = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(domain::time::parse_http_date)
    else {
        return false;
    };
    !entry.modified_ambiguous && whole_seconds(entry.modified) <= since
}

/// Whether `Accept-Encoding` admits gzip (a zero q-value refuses it).
pub(crate) fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

fn etag_of(body: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body);
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn gzip(body: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to memory cannot fail.
    let _ = encoder.write_all(body);
    Bytes::from(encoder.finish().unwrap_or_default())
}

fn http_date(t: SystemTime) -> String {
    domain::time::http_date(whole_seconds(t))
}

fn whole_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WALL: u64 = 1_796_321_240;

    fn entry_after(body: &str, previous: Option<&Entry>, wall: f64) -> Entry {
        Entry::new(
            "/p".to_owned(),
            Version { site: 1, index: 1 },
            None,
            Bytes::from(body.to_owned()),
            previous,
            SystemTime::UNIX_EPOCH + Duration::from_secs_f64(wall),
            None,
        )
    }

    fn entry(body: &str) -> Entry {
        entry_after(body, None, WALL as f64)
    }

    #[test]
    fn an_entry_kept_until_a_time_is_not_served_from_that_time_on_not_even_in_the_grace() {
        let version = Version { site: 1, index: 1 };
        let now_ms = |offset: i64| {
            let since = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            KeepUntil(since + offset)
        };
        let make = |until| {
            Entry::new(
                "/news".to_owned(),
                version,
                None,
                Bytes::from_static(b"list"),
                None,
                SystemTime::now(),
                Some(until),
            )
        };
        let later = make(now_ms(60_000));
        assert!(later.fresh(version, Instant::now()));
        let due = make(now_ms(-1));
        assert!(!due.fresh(version, Instant::now()));
        assert!(!due.serves(version, Instant::now()));
        assert!(!due.serves(version, Instant::now()), "no grace either");
    }

    #[test]
    fn last_modified_stays_while_the_content_does_and_is_not_trusted_within_one_second() {
        let first = entry("<p>一</p>");
        assert_eq!(first.last_modified, "Thu, 03 Dec 2026 18:07:20 GMT");
        assert_eq!(first.etag_plain, format!("\"{}\"", first.etag));
        let same = entry_after("<p>一</p>", Some(&first), WALL as f64 + 30.0);
        assert_eq!(same.modified, first.modified);
        let later = entry_after("<p>二</p>", Some(&first), WALL as f64 + 30.0);
        assert!(later.modified > first.modified && !later.modified_ambiguous);
        let same_second = entry_after("<p>二</p>", Some(&first), WALL as f64 + 0.5);
        assert!(same_second.modified_ambiguous);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn a_client_with_the_page_is_told_not_modified_by_tag_or_date() {
        let e = entry("<p>案件</p>");
        let tag = format!("\"{}\"", e.etag);
        assert!(not_modified(&e, &headers(&[("if-none-match", &tag)])));
        let gz = format!("W/\"{}-gz\", \"other\"", e.etag);
        assert!(not_modified(&e, &headers(&[("if-none-match", &gz)])));
        assert!(!not_modified(
            &e,
            &headers(&[("if-none-match", "\"other\"")])
        ));
        let since = http_date(e.modified);
        assert!(not_modified(&e, &headers(&[("if-modified-since", &since)])));
        // The tag decides when both are sent.
        assert!(!not_modified(
            &e,
            &headers(&[
                ("if-none-match", "\"other\""),
                ("if-modified-since", &since)
            ])
        ));
        let before = http_date(e.modified - Duration::from_secs(1));
        assert!(!not_modified(
            &e,
            &headers(&[("if-modified-since", &before)])
        ));
        let ambiguous = Entry {
            modified_ambiguous: true,
            ..entry("<p>案件</p>")
        };
        assert!(!not_modified(
            &ambiguous,
            &headers(&[("if-modified-since", &since)])
        ));
    }

    #[test]
    fn past_its_second_one_request_renders_while_the_others_get_the_page_and_never_after_a_change()
    {
        let e = entry("<p>案件</p>");
        let v = e.version;
        let at = |secs: f64| e.rendered + Duration::from_secs_f64(secs);
        assert!(e.serves(v, at(0.5)) && e.serves(v, at(0.9)));
        assert!(!e.serves(v, at(1.2)), "the first past the second renders");
        assert!(
            e.serves(v, at(1.3)),
            "the others are given the page meanwhile"
        );
        assert!(e.serves(v, at(2.9)));
        assert!(!e.serves(v, at(3.1)), "but not for long");
        let changed = Version {
            site: v.site + 1,
            ..v
        };
        assert!(!e.serves(changed, at(0.1)), "never after a change");
        assert!(!e.fresh(changed, at(0.1)));
    }

    #[test]
    fn gzip_is_chosen_unless_refused() {
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "br;q=1.0, GZIP;q=0.5"
        )])));
        assert!(accepts_gzip(&headers(&[("accept-encoding", "*")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "br")])));
        assert!(!accepts_gzip(&headers(&[])));
    }

    #[test]
    fn the_cache_stays_within_its_bytes_and_forgets_the_least_recently_used() {
        let cache = PageCache::new(3 * entry(&"x".repeat(1000)).size("/p0") + 10);
        for i in 0..3 {
            cache.put(
                format!("/p{i}"),
                std::sync::Arc::new(entry(&"x".repeat(1000))),
            );
        }
        assert!(cache.get("/p0").is_some()); // now the most recent
        cache.put(
            "/p3".to_owned(),
            std::sync::Arc::new(entry(&"x".repeat(1000))),
        );
        assert!(cache.bytes() <= cache.budget);
        assert!(
            cache.get("/p1").is_none(),
            "the least recently used went first"
        );
        assert!(cache.get("/p0").is_some() && cache.get("/p3").is_some());
        // An older rendering never replaces a newer one.
        let newer = Entry {
            version: Version { site: 5, index: 1 },
            ..entry("new")
        };
        cache.put("/p0".to_owned(), std::sync::Arc::new(newer));
        cache.put("/p0".to_owned(), std::sync::Arc::new(entry("old")));
        assert_eq!(
            cache.get("/p0").map(|e| e.body.clone()),
            Some(Bytes::from("new"))
        );
    }
}
