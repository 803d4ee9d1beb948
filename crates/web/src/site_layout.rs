//! The menus operators edit (decision 0009), read once per change of the
//! site and handed to every page of a request through a task-local value,
//! so that the layout — built everywhere without the store — can show them.

use std::sync::{Arc, RwLock};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use store::MenuLink;

use crate::AppState;

/// The header's and the footer's links.
#[derive(Debug, Default)]
pub struct SiteMenus {
    pub header: Vec<MenuLink>,
    pub footer: Vec<MenuLink>,
}

/// The menus as of a version of the site.
#[derive(Debug, Default)]
pub struct MenuCache {
    current: RwLock<Option<(i64, Arc<SiteMenus>)>>,
}

tokio::task_local! {
    static MENUS: Arc<SiteMenus>;
}

impl MenuCache {
    /// The menus at the site's version now: read again only when it moved.
    async fn at(&self, store: &store::Store) -> Arc<SiteMenus> {
        let Ok(version) = store.site_version().await else {
            return Arc::default();
        };
        if let Ok(guard) = self.current.read()
            && let Some((v, menus)) = guard.as_ref()
            && *v == version
        {
            return menus.clone();
        }
        let read = async {
            Ok::<_, store::StoreError>(SiteMenus {
                header: store.menu_links("header").await?,
                footer: store.menu_links("footer").await?,
            })
        };
        match read.await {
            Ok(menus) => {
                let menus = Arc::new(menus);
                if let Ok(mut guard) = self.current.write() {
                    *guard = Some((version, menus.clone()));
                }
                menus
            }
            Err(e) => {
                tracing::warn!(error = %e, "the site's menus could not be read");
                Arc::default()
            }
        }
    }
}

/// Middleware: the menus for everything the request renders.
pub async fn provide(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let menus = state.menus.at(&state.store).await;
    MENUS.scope(menus, next.run(req)).await
}

/// A menu's links a visitor may follow now, as (href, label).
pub fn links(menu: &str) -> Vec<(String, String)> {
    let now = crate::auth::now_ms();
    MENUS
        .try_with(|m| {
            let list = if menu == "header" {
                &m.header
            } else {
                &m.footer
            };
            list.iter()
                .filter(|l| l.is_public(now))
                .map(|l| (l.href.clone(), l.entry.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}
