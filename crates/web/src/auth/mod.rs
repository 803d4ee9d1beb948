//! Who is asking: sessions (in the database, so any node serves any request),
//! the roles each route admits, and CSRF tokens for every form.

mod guard;
mod hashing;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Role;
use domain::audit::token_hash;
use store::User;

pub use guard::encode as encode_query;
pub use guard::{
    ADMIN, APPLICANT, AUDITORS, COMPANY, Guarded, PORTAL_STAFF, PUBLIC, REVIEWERS, RouteSpec,
    SIGNED_IN, route_table,
};
pub use hashing::{BUSY as HASHING_BUSY, HashLimiter, HashTicket};

use crate::{AppState, ErrorKind, WebError};

pub const SESSION_COOKIE: &str = "cn_session";
pub const CSRF_COOKIE: &str = "cn_csrf";
/// A session ends after this long without a request.
pub const SESSION_IDLE_MS: i64 = 2 * 3600 * 1000;
/// A session ends this long after sign-in, however busy it is.
pub const SESSION_ABSOLUTE_MS: i64 = 12 * 3600 * 1000;
/// The header a script on the portal's pages sends the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The expiry is written back at most this often, not on every request.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// 32 random bytes from the operating system, URL-safe base64 without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // Without an OS RNG nothing here can be secure; refuse to go on.
        panic!("the operating system's random number generator is unavailable");
    }
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(43);
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The person behind a request: signed in or not, their roles, and the CSRF
/// token their forms must carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Option<User>,
    /// The hash of the session id, when signed in.
    pub session_hash: Option<String>,
    pub roles: BTreeSet<Role>,
    /// The CSRF token this viewer's forms carry (see [`Viewer::csrf_token`]).
    csrf: Csrf,
}

/// A viewer's CSRF token, and whether a page showed it. A visitor who has
/// no token yet is given one only when a page shows a form: the cookie is
/// set on that answer alone, and an answer that showed no token holds
/// nothing of the visitor's and may be shared (the render cache).
#[derive(Debug, Clone, Default)]
struct Csrf(Arc<CsrfState>);

#[derive(Debug, Default)]
struct CsrfState {
    /// The session's or the visitor's cookie's token, or one made on first use.
    token: std::sync::OnceLock<String>,
    /// The token did not come with the request: a cookie must carry it.
    made_here: AtomicBool,
    /// A page asked for the token (to put it in a form).
    shown: AtomicBool,
}

impl Csrf {
    fn known(token: String) -> Csrf {
        let state = CsrfState::default();
        let _ = state.token.set(token);
        Csrf(Arc::new(state))
    }
}

impl Viewer {
    pub fn is_signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The signed-in user; routes guarded against visitors can rely on it.
    pub fn user(&self) -> Result<&User, WebError> {
        self.user
            .as_ref()
            .ok_or_else(|| WebError::new(ErrorKind::Forbidden, "ログインしてください。"))
    }

    /// The CSRF token for a form on this page. A visitor without one gets a
    /// new token (and the answer its cookie); asking marks the answer as
    /// holding something of this viewer's, which no cache may share.
    pub fn csrf_token(&self) -> &str {
        let state = &self.csrf.0;
        state.shown.store(true, Ordering::Relaxed);
        state.token.get_or_init(|| {
            state.made_here.store(true, Ordering::Relaxed);
            random_token()
        })
    }

    /// Whether a page asked for the CSRF token while answering.
    pub fn csrf_shown(&self) -> bool {
        self.csrf.0.shown.load(Ordering::Relaxed)
    }

    /// Checks a submitted CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        let known = self.csrf.0.token.get().map_or("", String::as_str);
        if !known.is_empty() && same_secret(submitted, known) {
            Ok(())
        } else {
            Err(WebError::new(
                ErrorKind::Forbidden,
                "フォームの有効期限が切れたか、別の画面から送信されました。ページを開き直してから、もう一度送信してください。",
            ))
        }
    }
}

/// What a cookie-authenticated API write without proof of origin is told.
pub const API_CSRF_REFUSED: &str = "ログイン中のブラウザーからAPIで書き込むには、X-CSRF-Token ヘッダーにCSRFトークンを付けるか、JSON（Content-Type: application/json）で送ってください。";

/// An API write carried by the session cookie must come from the portal's
/// own pages: with the session's CSRF token in `X-CSRF-Token`, or as JSON,
/// which a form on another site cannot send (and a script there may not
/// without CORS, which the portal never grants). Reads, and everything
/// outside `/api/`, pass; the pages check their forms' tokens themselves.
fn cookie_api_write_is_ours(req: &Request, csrf_token: &str) -> bool {
    if !req.uri().path().starts_with("/api/") || req.method().is_safe() {
        return true;
    }
    let headers = req.headers();
    let token_ok = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| same_secret(t.trim(), csrf_token));
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    token_ok || json
}

/// Staff, users of approved companies, and applicants asked to correct their
/// application may be signed in; anyone else's session ends.
pub fn may_hold_session(u: &User) -> bool {
    u.active
        && (u.staff_role.is_some()
            || u.company_status
                .is_some_and(|s| s.may_sign_in() || s == domain::CompanyStatus::Returned))
}

/// The roles a user holds. A company that both orders and receives holds both.
pub fn roles_of(user: Option<&User>) -> BTreeSet<Role> {
    let mut roles = BTreeSet::new();
    match user {
        None => {
            roles.insert(Role::Visitor);
        }
        Some(u) => {
            if let Some(staff) = u.staff_role {
                roles.insert(Role::from(staff));
            } else if u.company_status == Some(domain::CompanyStatus::Returned) {
                roles.insert(Role::Applicant);
            } else if u.company_status.is_some_and(|s| s.may_sign_in()) {
                if u.company_receives {
                    roles.insert(Role::ReceivingCompany);
                }
                if u.company_orders {
                    roles.insert(Role::OrderingCompany);
                }
            }
        }
    }
    roles
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Loads the session (if any) into a `Viewer` for the handlers, slides its
/// expiry, and gives a visitor a CSRF cookie on first sight.
pub(crate) async fn load_viewer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let now = now_ms();
    if let Some(addr) = ClientAddr::of(&req, &state.settings.trusted_proxies) {
        req.extensions_mut().insert(addr);
    }
    let mut viewer = Viewer {
        user: None,
        session_hash: None,
        roles: BTreeSet::new(),
        csrf: Csrf::default(),
    };
    let mut clear_session = false;
    // The API also takes a user's own token: `Authorization: Bearer …`.
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|_| req.uri().path().starts_with("/api/"));
    if let Some(token) = &bearer {
        match state.store.user_by_api_token(&token_hash(token), now).await {
            Ok(Some(user)) if may_hold_session(&user) => {
                // No cookie, so no cross-site request can carry it: no CSRF token needed.
                viewer.csrf = Csrf::known(random_token());
                viewer.user = Some(user);
            }
            Ok(_) => {
                return WebError::new(
                    ErrorKind::Forbidden,
                    "APIトークンが無効です。無効にされたか、誤っています。",
                )
                .into_response();
            }
            Err(e) => {
                tracing::warn!(error = %e, "API token could not be read");
                return WebError::new(ErrorKind::Unavailable, ErrorKind::Unavailable.message())
                    .into_response();
            }
        }
    } else if let Some(id) = cookie(req.headers(), SESSION_COOKIE) {
        let hash = token_hash(id);
        match state.store.session(&hash, now).await {
            Ok(Some(session)) if may_hold_session(&session.user) => {
                if !cookie_api_write_is_ours(&req, &session.csrf_token) {
                    return WebError::new(ErrorKind::Forbidden, API_CSRF_REFUSED).into_response();
                }
                if now - session.last_seen_at > TOUCH_EVERY_MS
                    && let Err(e) = state
                        .store
                        .touch_session(&hash, now, now + SESSION_IDLE_MS)
                        .await
                {
                    tracing::warn!(error = %e, "session could not be extended");
                }
                viewer.csrf = Csrf::known(session.csrf_token);
                viewer.user = Some(session.user);
                viewer.session_hash = Some(hash);
            }
            Ok(Some(_)) => {
                // The company was suspended or the user disabled meanwhile.
                let _ = state.store.delete_session(&hash).await;
                clear_session = true;
            }
            Ok(None) => clear_session = true,
            Err(e) => tracing::warn!(error = %e, "session could not be read"),
        }
    }
    if viewer.user.is_none()
        && bearer.is_none()
        && let Some(t) = cookie(req.headers(), CSRF_COOKIE).filter(|t| t.len() == 43)
    {
        viewer.csrf = Csrf::known(t.to_owned());
    }
    viewer.roles = roles_of(viewer.user.as_ref());
    let csrf = viewer.csrf.clone();
    let signed_in = viewer.is_signed_in();
    req.extensions_mut().insert(viewer);
    // For middleware on single routes (the render cache), which has no state of its own.
    req.extensions_mut().insert(state.clone());
    let mut response = next.run(req).await;
    if signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        // Pages for a signed-in user hold their data: no cache may keep them.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    let secure = state.settings.secure_cookies;
    if csrf.0.made_here.load(Ordering::Relaxed)
        && let Some(token) = csrf.0.token.get()
    {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, token, None, secure),
        );
    }
    if clear_session && !response.headers().contains_key(header::SET_COOKIE) {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    response
}

/// The client's address: the socket's peer, or behind a trusted proxy the
/// address it forwarded for (`domain::net::client_address`).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The client's address as an address, set by `load_viewer` for every request.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    fn of(req: &Request, trusted: &[domain::net::Network]) -> Option<ClientAddr> {
        let peer = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
            .0
            .ip();
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Some(ClientAddr(domain::net::client_address(
            peer, &forwarded, trusted,
        )))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    /// Without a socket (a test calling the router directly), the
    /// unspecified address, which no network rule admits.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .unwrap_or(ClientAddr(std::net::IpAddr::V4(
                std::net::Ipv4Addr::UNSPECIFIED,
            ))))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ClientAddr>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.to_string()),
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| WebError::internal(std::io::Error::other("viewer middleware missing")))
    }
}

/// How long an invitation link works (a colleague's or a staff member's).
pub const INVITATION_HOURS: i64 = 72;

/// The acting person, for the audit log: role and name, and the address
/// the request came from (empty when the caller has none at hand).
pub fn actor(viewer: &Viewer, ip: &str) -> Result<store::Actor, WebError> {
    let user = viewer.user()?;
    let role = user.staff_role.map_or("", domain::StaffRole::label);
    Ok(store::Actor {
        user_id: Some(user.id),
        label: format!("{role} {}", user.name),
        ip: Some(ip.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn a_cookie_write_to_the_api_must_be_json_or_carry_the_token() {
        let req = |method: &str, path: &str, headers: &[(&str, &str)]| {
            let mut b = Request::builder().method(method).uri(path);
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            b.body(axum::body::Body::empty()).expect("request")
        };
        let ok = |r: &Request| cookie_api_write_is_ours(r, "token-1");
        assert!(ok(&req("GET", "/api/v1/cases", &[])));
        assert!(
            ok(&req("POST", "/login", &[])),
            "pages check their own forms"
        );
        assert!(!ok(&req("POST", "/api/v1/tenders/1/decline", &[])));
        for json in ["application/json", "Application/JSON; charset=utf-8"] {
            assert!(ok(&req(
                "POST",
                "/api/v1/tenders/1/decline",
                &[("content-type", json)]
            )));
        }
        for not_json in [
            "application/jsonp",
            "text/plain",
            "application/x-www-form-urlencoded",
        ] {
            assert!(!ok(&req(
                "POST",
                "/api/v1/tenders/1/decline",
                &[("content-type", not_json)]
            )));
        }
        assert!(ok(&req(
            "POST",
            "/api/v1/tenders/1/decline",
            &[("x-csrf-token", "token-1")]
        )));
        assert!(!ok(&req(
            "POST",
            "/api/v1/tenders/1/decline",
            &[("x-csrf-token", "token-2")]
        )));
        assert!(!ok(&req("DELETE", "/api/v1/x", &[])));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cn_session=xyz; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
