//! Every route declares the roles it admits; one table lists them all, and a
//! test walks it with every role.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use domain::Role;

use super::Viewer;
use crate::{AppState, ErrorKind, WebError};

/// Everyone, signed in or not.
pub const PUBLIC: &[Role] = &Role::ALL;
/// Anyone signed in.
pub const SIGNED_IN: &[Role] = &[
    Role::Applicant,
    Role::ReceivingCompany,
    Role::OrderingCompany,
    Role::OrgStaff,
    Role::Operator,
    Role::Admin,
    Role::Ops,
];
/// Users of approved companies.
pub const COMPANY: &[Role] = &[Role::ReceivingCompany, Role::OrderingCompany];
/// Applicants asked to correct their application.
pub const APPLICANT: &[Role] = &[Role::Applicant];
/// Those who review company applications.
pub const REVIEWERS: &[Role] = &[Role::Operator, Role::Admin];
pub const ADMIN: &[Role] = &[Role::Admin];
/// Those who read the audit log.
pub const AUDITORS: &[Role] = &[Role::Admin, Role::Ops];
/// Portal staff (not organisation staff).
pub const PORTAL_STAFF: &[Role] = &[Role::Operator, Role::Admin, Role::Ops];

/// A route and the roles it admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub roles: &'static [Role],
}

/// A router that records each route's roles and enforces them.
#[derive(Debug, Default)]
pub struct Guarded {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Guarded {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `method path` for `roles`. A visitor refused is sent to sign in;
    /// a signed-in user refused gets 403.
    pub fn route(
        mut self,
        method: Method,
        path: &'static str,
        roles: &'static [Role],
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.table.push(RouteSpec {
            method,
            path,
            roles,
        });
        let guarded = handler.layer(middleware::from_fn_with_state(roles, require));
        self.router = self.router.route(path, guarded);
        self
    }

    pub fn get(
        self,
        path: &'static str,
        roles: &'static [Role],
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.route(Method::GET, path, roles, handler)
    }

    /// A public page that visitors who are not signed in are served from
    /// the render cache (`page_cache`): its answer to them must depend on
    /// nothing but the request's path and query and the database.
    pub fn shared(self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.get(
            path,
            PUBLIC,
            handler.layer(middleware::from_fn(crate::page_cache::serve)),
        )
    }

    pub fn post(
        self,
        path: &'static str,
        roles: &'static [Role],
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.route(Method::POST, path, roles, handler)
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

async fn require(State(roles): State<&'static [Role]>, req: Request, next: Next) -> Response {
    let Some(viewer) = req.extensions().get::<Viewer>() else {
        return WebError::internal(std::io::Error::other("viewer middleware missing"))
            .into_response();
    };
    // A company user who has not agreed to the terms in force may read what
    // everyone may, and agree or sign out; nothing else until they agree.
    if let Some(user) = &viewer.user
        && crate::terms::must_agree(user)
        && !roles.contains(&Role::Visitor)
        && !matches!(req.uri().path(), crate::terms::AGREEMENT_PATH | "/logout")
    {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        if req.method() == axum::http::Method::GET && !path.starts_with("/api/") {
            return Redirect::to(&crate::terms::agreement_first(path)).into_response();
        }
        return WebError::new(
            ErrorKind::Forbidden,
            "利用規約が改定されました。続けるには、ログインし直して改定後の利用規約に同意してください。",
        )
        .into_response();
    }
    if roles.iter().any(|r| viewer.has(*r)) {
        return next.run(req).await;
    }
    if !viewer.is_signed_in() && req.uri().path().starts_with("/api/") {
        return WebError::new(
            ErrorKind::Forbidden,
            "ログインが必要です。セッションか、APIトークン（Authorization: Bearer …）で認証してください。",
        )
        .into_response();
    }
    if !viewer.is_signed_in() {
        let path = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        return Redirect::to(&format!("/login?next={}", encode(&path))).into_response();
    }
    WebError::new(
        ErrorKind::Forbidden,
        "このページを表示する権限がありません。必要な場合は、運営事務局にお問い合わせください。",
    )
    .into_response()
}

/// Percent-encodes a path for a query parameter.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every route of the portal and the roles it admits.
pub fn route_table() -> Vec<RouteSpec> {
    crate::guarded_routes().into_parts().1
}
