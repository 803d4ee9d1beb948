//! The chance-navi web server: routes, pages and the middleware every request
//! passes through. Handlers are thin; SQL lives in `store`, rules in `domain`.
//!
//! Modules are of two sorts. Features (`FEATURES` below: accounts, admin,
//! api, audit, cases, help, home, notifications, orders, site, tenders) hold
//! pages and routes; they may use any shared module (actions, auth, forms,
//! layout, pages, present, facts, mailing, terms, case_query, confirm, …)
//! but never another feature: what two features need lives in a shared
//! module. `tests::no_feature_imports_another_feature` checks it.

mod accounts;
mod actions;
mod admin;
mod api;
mod assets;
mod atom;
mod audit;
pub mod auth;
mod blocks;
pub mod bundles;
pub mod case_query;
pub mod cases;
mod confirm;
mod content;
mod site_layout;
pub use bundles::{Bundles, PlanView, file_stream};
mod errors;
mod facts;
pub mod forms;
mod health;
mod help;
mod home;
mod layout;
mod mailing;
mod metrics;
mod middleware;
mod notifications;
mod orders;
pub mod page_cache;
pub mod pages;
mod partners;
mod present;
mod rich;
mod serve;
pub mod site;
mod tenders;
mod terms;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use errors::{ErrorKind, WebError};
pub use layout::{Layout, NavItem};
pub use metrics::Metrics;
pub use serve::{ConnectionLimits, serve};

/// Settings the web layer needs; the CLI fills them from flags, environment and file.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// A request that takes longer is answered with 503.
    pub request_timeout: Duration,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// The address people reach the portal at (links in mail), without a trailing slash.
    pub public_url: String,
    /// Cookies are marked Secure (the public URL is https).
    pub secure_cookies: bool,
    /// Proxies whose X-Forwarded-For names the client (a load balancer in
    /// front of the nodes). Nobody else's header is believed.
    pub trusted_proxies: Vec<domain::net::Network>,
    /// Networks that may read /metrics and /healthz/imports without signing
    /// in (a Prometheus server); the operations role and administrators may
    /// always.
    pub metrics_from: Vec<domain::net::Network>,
    /// Bounds on connections: how many at once, and how long headers and
    /// silence may take.
    pub connections: ConnectionLimits,
    /// The scheduled imports `serve` runs (from its config file), which the
    /// admin area shows and can run at once.
    pub import_schedules: Vec<ScheduledImport>,
    /// Password hashes (19 MiB each) computed at once on this node.
    pub password_hashes_at_once: usize,
    /// Requests that may wait for a turn at hashing; more are told the
    /// portal is busy.
    pub password_hash_queue: usize,
    /// Bytes of rendered public pages this node keeps (0: none); see
    /// `page_cache`.
    pub page_cache_bytes: usize,
    /// The content bundles' key and folder (staging → production); none
    /// when no key was given.
    pub bundles: Option<bundles::Bundles>,
    /// Larger bundles (uploaded or pushed) are refused with 413.
    pub max_bundle_bytes: usize,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            public_url: "http://127.0.0.1:8080".to_owned(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            metrics_from: domain::net::Network::loopback(),
            connections: ConnectionLimits::default(),
            import_schedules: Vec::new(),
            page_cache_bytes: 64 * 1024 * 1024,
            bundles: None,
            max_bundle_bytes: 2 * 1024 * 1024 * 1024,
            // One per core, and never more than four (76 MiB).
            password_hashes_at_once: std::thread::available_parallelism()
                .map_or(2, std::num::NonZero::get)
                .min(4),
            password_hash_queue: 32,
        }
    }
}

/// A scheduled import as the admin area shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledImport {
    /// The lease that keeps it to one node; expiring it runs it now.
    pub lease: String,
    pub source: import::Source,
    /// The file or URL it reads, without credentials.
    pub origin: String,
    pub every_minutes: u64,
}

/// Everything a handler may need, shared by all requests.
#[derive(Debug)]
pub struct App {
    pub store: store::Store,
    pub settings: WebSettings,
    pub metrics: Metrics,
    pub mail: mail::Composer,
    /// Woken after mail is queued, so that the delivery worker sends it at once.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// The search index of cases, following the database.
    pub search: Arc<search::SearchIndex>,
    /// Woken after cases are written, so that the index follows at once.
    pub cases_wake: Arc<tokio::sync::Notify>,
    /// The key-encryption key that opens sealed bids (None: opening is not
    /// possible on this node).
    pub kek: Option<Arc<seal::Kek>>,
    /// Every password hash on this node passes through here.
    pub hashing: auth::HashLimiter,
    /// Woken when an administrator asks for a scheduled import now.
    pub imports_wake: Arc<tokio::sync::Notify>,
    /// What anonymous visitors were shown of the public pages.
    pub pages: page_cache::PageCache,
    /// The menus operators edit, as of the site's last change.
    pub menus: site_layout::MenuCache,
}

/// The shared state as an extractor: `State(AppState)`.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    pub fn new(
        store: store::Store,
        settings: WebSettings,
        search: Arc<search::SearchIndex>,
    ) -> Self {
        Self::with_kek(store, settings, search, None)
    }

    /// `new`, with the key-encryption key for opening sealed bids.
    pub fn with_kek(
        store: store::Store,
        settings: WebSettings,
        search: Arc<search::SearchIndex>,
        kek: Option<Arc<seal::Kek>>,
    ) -> Self {
        AppState(Arc::new(App {
            kek,
            hashing: auth::HashLimiter::new(
                settings.password_hashes_at_once,
                settings.password_hash_queue,
            ),
            store,
            pages: page_cache::PageCache::new(settings.page_cache_bytes),
            menus: site_layout::MenuCache::default(),
            mail: mail::Composer::new(&settings.public_url),
            settings,
            metrics: Metrics::new(),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            imports_wake: Arc::new(tokio::sync::Notify::new()),
            search,
            cases_wake: Arc::new(tokio::sync::Notify::new()),
        }))
    }

    /// Tells the index follower that cases were written.
    pub fn cases_written(&self) {
        self.cases_wake.notify_one();
    }

    /// Tells the mail worker that something was queued.
    pub fn mail_queued(&self) {
        self.mail_wake.notify_one();
    }
}

/// Every route of the portal with the roles it admits. Each feature folder adds its own.
pub(crate) fn guarded_routes() -> auth::Guarded {
    let g = auth::Guarded::new();
    let g = home::routes(g);
    let g = health::routes(g);
    let g = accounts::routes(g);
    let g = admin::routes(g);
    let g = cases::routes(g);
    let g = help::routes(g);
    let g = site::routes(g);
    let g = content::routes(g);
    let g = audit::routes(g);
    let g = orders::routes(g);
    let g = partners::routes(g);
    let g = tenders::routes(g);
    let g = notifications::routes(g);
    let g = api::routes(g);
    assets::routes(g)
}

/// Every route of the portal, before the middleware.
pub fn routes() -> Router<AppState> {
    guarded_routes().into_parts().0
}

/// The portal: `routes()` wrapped in the middleware every request passes through.
pub fn app(state: AppState) -> Router {
    with_middleware(routes(), state)
}

/// Wraps any set of routes in the portal's middleware (tests add routes of their own).
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    // What no route answers may be a page of the site's content, at its
    // address (`content::public::page`); any other method is not found.
    use axum::handler::Handler;
    let pages = content::public::page.layer(axum::middleware::from_fn(page_cache::serve));
    middleware::wrap(routes.fallback(pages), state)
}

/// The feature modules (see the crate's documentation).
#[cfg(test)]
const FEATURES: &[&str] = &[
    "accounts",
    "admin",
    "api",
    "audit",
    "cases",
    "help",
    "content",
    "home",
    "notifications",
    "orders",
    "partners",
    "site",
    "tenders",
];

#[cfg(test)]
mod tests {
    use super::FEATURES;
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `dir`, or `dir.rs` itself.
    fn files(src: &Path, feature: &str) -> Vec<PathBuf> {
        let single = src.join(format!("{feature}.rs"));
        if single.exists() {
            return vec![single];
        }
        let mut out = Vec::new();
        let mut dirs = vec![src.join(feature)];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).expect("feature folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        out
    }

    /// The features `text` names by path (`crate::x`, also inside `use
    /// crate::{x, …}`), other than `own`.
    fn named(text: &str, own: &str) -> Vec<String> {
        let mut found = Vec::new();
        for f in FEATURES.iter().filter(|f| **f != own) {
            let direct = format!("crate::{f}::");
            let module = format!("crate::{f};");
            let grouped = text.match_indices("use crate::{").any(|(i, _)| {
                let rest = &text[i..];
                let group = &rest[..rest.find('}').unwrap_or(rest.len())];
                group
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == *f)
            });
            if text.contains(&direct) || text.contains(&module) || grouped {
                found.push((*f).to_owned());
            }
        }
        found
    }

    #[test]
    fn no_feature_imports_another_feature() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut crossings = Vec::new();
        for feature in FEATURES {
            for file in files(&src, feature) {
                let text = std::fs::read_to_string(&file).expect("read");
                for other in named(&text, feature) {
                    crossings.push(format!(
                        "{} uses {other}",
                        file.strip_prefix(&src).unwrap_or(&file).display()
                    ));
                }
            }
        }
        assert!(
            crossings.is_empty(),
            "features must use shared modules, not each other: {crossings:#?}"
        );
    }

    #[test]
    fn the_check_sees_each_way_of_naming_a_feature() {
        assert_eq!(
            named("let x = crate::orders::form::f();", "cases"),
            ["orders"]
        );
        assert_eq!(named("use crate::tenders;", "api"), ["tenders"]);
        assert_eq!(
            named("use crate::{AppState, cases, WebError};", "api"),
            ["cases"]
        );
        assert!(named("use crate::{AppState, present::when};", "api").is_empty());
        assert!(named("use crate::cases::x;", "cases").is_empty());
    }

    #[test]
    fn every_feature_is_a_module_of_the_crate() {
        let lib = include_str!("lib.rs");
        for f in FEATURES {
            assert!(
                lib.contains(&format!("mod {f};")),
                "{f} is listed as a feature but is not a module"
            );
        }
    }
}
