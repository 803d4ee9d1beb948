//! Site content (decision 0009): the public pages and posts, and their
//! authoring in the administration area.

pub mod admin;
pub mod bundle_pages;
mod form;
mod layout_admin;
pub mod media;
pub mod public;

use axum::routing::{get, post};

use crate::auth::{Guarded, PUBLIC, REVIEWERS};

pub fn routes(g: Guarded) -> Guarded {
    g.shared("/news", get(public::news))
        .shared("/news/feed.atom", get(public::news_feed))
        .shared(
            "/news/category/{code}/feed.atom",
            get(public::category_feed),
        )
        .shared("/sitemap.xml", get(public::sitemap_xml))
        .shared("/robots.txt", get(public::robots))
        .shared("/help/topics/{key}", get(public::help_topic))
        .shared("/news/category/{code}", get(public::category))
        .shared("/news/tag/{tag}", get(public::tag))
        .shared("/search", get(public::site_search))
        .shared("/news/{slug}", get(public::post))
        .shared("/news/{slug}/event.ics", get(public::event))
        .get("/media/{file}", PUBLIC, get(media::file))
        .get("/admin/media", REVIEWERS, get(media::list))
        .post("/admin/media", REVIEWERS, post(media::upload))
        .post("/admin/media/{id}", REVIEWERS, post(media::update))
        .post("/admin/media/{id}/delete", REVIEWERS, post(media::delete))
        .get(
            "/admin/content/bundle",
            bundle_pages::BUNDLE_PAGE,
            get(bundle_pages::show),
        )
        .post(
            "/admin/content/bundle/download",
            REVIEWERS,
            post(bundle_pages::download),
        )
        .post(
            "/admin/content/bundle/upload",
            crate::bundles::APPLIERS,
            // The body is bounded by the bundles' own limit (middleware).
            post(bundle_pages::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .post(
            "/admin/content/bundle/apply",
            crate::bundles::APPLIERS,
            post(bundle_pages::apply),
        )
        .post(
            "/admin/content/bundle/rollback",
            crate::bundles::APPLIERS,
            post(bundle_pages::rollback),
        )
        .get("/admin/layout", REVIEWERS, get(layout_admin::show))
        .post(
            "/admin/layout/menus/{menu}",
            REVIEWERS,
            post(layout_admin::save_menu),
        )
        .get(
            "/admin/layout/tops/{top}",
            REVIEWERS,
            get(layout_admin::show_blocks),
        )
        .post(
            "/admin/layout/tops/{top}",
            REVIEWERS,
            post(layout_admin::save_blocks),
        )
        .get("/admin/content", REVIEWERS, get(admin::list))
        .get("/admin/content/new/{kind}", REVIEWERS, get(admin::new_form))
        .post("/admin/content/new/{kind}", REVIEWERS, post(admin::create))
        .get("/admin/content/{id}", REVIEWERS, get(admin::edit_form))
        .post("/admin/content/{id}", REVIEWERS, post(admin::update))
        .post("/admin/content/{id}/delete", REVIEWERS, post(admin::delete))
        .get(
            "/admin/content/{id}/revisions",
            REVIEWERS,
            get(admin::revisions),
        )
        .get(
            "/admin/content/{id}/revisions/{number}",
            REVIEWERS,
            get(admin::revision),
        )
        .post(
            "/admin/content/{id}/revisions/{number}/restore",
            REVIEWERS,
            post(admin::restore),
        )
}

/// Posts shown on one page of a list.
pub const PER_PAGE: i64 = 20;
