//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`, which is generated from the handlers and the
//! types they read and answer (`openapi.rs`). Errors are
//! `{"error": {"code": …, "message": …}}` (the error-page middleware writes
//! them for every path under `/api/`).
//!
//! A new route: a handler with its `#[utoipa::path]`, its line below, and its
//! name in `openapi::ApiDoc`'s `paths` — a test fails until all three agree.

mod bundle;
mod cases;
mod ocds;
mod openapi;
mod tender_requests;
mod tender_types;
mod tenders;

use axum::routing::{get, post};

use crate::actions::tenders::{BIDDERS, ORG_STAFF};
use crate::auth::{Guarded, PUBLIC};

pub fn routes(g: Guarded) -> Guarded {
    g.shared("/api/v1/cases", get(cases::search))
        .shared("/api/v1/cases/{id}", get(cases::one))
        .shared("/api/v1/openapi.json", get(openapi::document))
        .post(
            "/api/v1/content/bundle",
            crate::bundles::APPLIERS,
            post(bundle::push),
        )
        .get("/api/v1/ocds/releases", PUBLIC, get(ocds::releases))
        .get("/api/v1/ocds/releases/{ocid}", PUBLIC, get(ocds::record))
        .post("/api/v1/tenders", ORG_STAFF, post(tenders::create))
        .get("/api/v1/tenders/{id}", PUBLIC, get(tenders::show))
        .post("/api/v1/tenders/{id}", ORG_STAFF, post(tenders::update))
        .post(
            "/api/v1/tenders/{id}/publish",
            ORG_STAFF,
            post(tenders::publish),
        )
        .post(
            "/api/v1/tenders/{id}/amend",
            ORG_STAFF,
            post(tenders::amend),
        )
        .post(
            "/api/v1/tenders/{id}/cancel",
            ORG_STAFF,
            post(tenders::cancel),
        )
        .get(
            "/api/v1/tenders/{id}/participants",
            ORG_STAFF,
            get(tenders::participants),
        )
        .post(
            "/api/v1/tenders/{id}/decisions",
            ORG_STAFF,
            post(tenders::decide),
        )
        .post(
            "/api/v1/tenders/{id}/nominations",
            ORG_STAFF,
            post(tenders::nominate),
        )
        .post(
            "/api/v1/tenders/{id}/scores",
            ORG_STAFF,
            post(tenders::score),
        )
        .post(
            "/api/v1/tenders/{id}/answers",
            ORG_STAFF,
            post(tenders::answer),
        )
        .post("/api/v1/tenders/{id}/open", ORG_STAFF, post(tenders::open))
        .post(
            "/api/v1/tenders/{id}/award",
            ORG_STAFF,
            post(tenders::award),
        )
        .post(
            "/api/v1/tenders/{id}/applications",
            BIDDERS,
            post(tenders::apply),
        )
        .post(
            "/api/v1/tenders/{id}/questions",
            BIDDERS,
            post(tenders::ask),
        )
        .post("/api/v1/tenders/{id}/bids", BIDDERS, post(tenders::bid))
        .post(
            "/api/v1/tenders/{id}/decline",
            BIDDERS,
            post(tenders::decline),
        )
}
