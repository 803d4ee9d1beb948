//! The administration area: the review queue, masters, staff, audit log.

mod audit;
mod companies;
mod exports;
mod imports;
mod industries;
mod master_updates;
mod masters;
pub mod menu;
mod organizations;
mod staff;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::{Role, StaffRole};

use crate::WebError;
use crate::auth::{ADMIN, AUDITORS, Guarded, PORTAL_STAFF, REVIEWERS, Viewer};
use crate::layout::Layout;
use crate::pages::render;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/admin", PORTAL_STAFF, get(home))
        .get("/admin/companies", REVIEWERS, get(companies::list))
        .get("/admin/companies/{id}", REVIEWERS, get(companies::show))
        .post(
            "/admin/companies/{id}/review",
            REVIEWERS,
            post(companies::review),
        )
        .post(
            "/admin/companies/{id}/legal",
            REVIEWERS,
            post(companies::review_legal),
        )
        .post(
            "/admin/companies/{id}/dealings",
            REVIEWERS,
            post(companies::review_dealings),
        )
        .get("/admin/masters/{master}", ADMIN, get(masters::list))
        .post("/admin/masters/{master}", ADMIN, post(masters::add))
        .post("/admin/masters/{master}/{id}", ADMIN, post(masters::update))
        .get("/admin/organizations", ADMIN, get(organizations::list))
        .post("/admin/organizations", ADMIN, post(organizations::add))
        .get("/admin/organizations/{id}", ADMIN, get(organizations::show))
        .post(
            "/admin/organizations/{id}",
            ADMIN,
            post(organizations::update),
        )
        .post(
            "/admin/organizations/{id}/departments",
            ADMIN,
            post(organizations::add_department),
        )
        .post(
            "/admin/organizations/{id}/departments/{dept}",
            ADMIN,
            post(organizations::update_department),
        )
        .get("/admin/master-updates", ADMIN, get(master_updates::list))
        .post("/admin/master-updates", ADMIN, post(master_updates::upload))
        .get(
            "/admin/master-updates/{id}",
            ADMIN,
            get(master_updates::show),
        )
        .post(
            "/admin/master-updates/{id}/apply",
            ADMIN,
            post(master_updates::apply),
        )
        .post(
            "/admin/master-updates/{id}/discard",
            ADMIN,
            post(master_updates::discard),
        )
        .get("/admin/exports", ADMIN, get(exports::show))
        .post("/admin/exports/companies", ADMIN, post(exports::companies))
        .get("/admin/imports", PORTAL_STAFF, get(imports::list))
        .post("/admin/imports", imports::STARTERS, post(imports::upload))
        .post(
            "/admin/imports/schedules/{n}",
            imports::STARTERS,
            post(imports::run_schedule),
        )
        .get("/admin/imports/{id}", PORTAL_STAFF, get(imports::show))
        .get("/admin/industries", ADMIN, get(industries::list))
        .get("/admin/prefectures", ADMIN, get(industries::prefectures))
        .post(
            "/admin/prefectures/{code}",
            ADMIN,
            post(industries::rename_prefecture),
        )
        .post("/admin/industries/{code}", ADMIN, post(industries::update))
        .get("/admin/staff", ADMIN, get(staff::form))
        .post("/admin/staff", ADMIN, post(staff::create))
        .post("/admin/staff/{id}/active", ADMIN, post(staff::set_active))
        .post("/admin/staff/{id}/role", ADMIN, post(staff::set_role))
        .get("/admin/audit", AUDITORS, get(audit::list))
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct Home {
    layout: Layout,
    user_name: String,
    role_label: &'static str,
    items: Vec<menu::MenuItem>,
}

async fn home(viewer: Viewer) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let role = user.staff_role.unwrap_or(StaffRole::Operator);
    render(
        &Home {
            layout: Layout::for_viewer("管理画面", &viewer),
            user_name: user.name.clone(),
            role_label: role.label(),
            items: menu::menu_for(Role::from(role)),
        },
        StatusCode::OK,
    )
}
