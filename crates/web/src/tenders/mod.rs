//! E-tenders (電子入札) in the browser: organisation staff write, publish,
//! amend and cancel them, review applications, nominate, score, answer
//! questions, open and award; receiving companies apply, ask, bid and
//! decline. The JSON API does the same through `crate::actions::tenders`.

mod bid;
mod bidder;
pub(crate) mod form;
pub(crate) mod manage;

use axum::routing::{get, post};

use crate::actions::tenders::{BIDDERS, ORG_STAFF};
use crate::auth::Guarded;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/org/tenders", ORG_STAFF, get(manage::list))
        .get("/org/tenders/new", ORG_STAFF, get(form::new_form))
        .post("/org/tenders", ORG_STAFF, post(form::create))
        .get("/org/tenders/{id}", ORG_STAFF, get(manage::show))
        .post("/org/tenders/{id}", ORG_STAFF, post(form::update))
        .get("/org/tenders/{id}/edit", ORG_STAFF, get(form::edit_form))
        .post(
            "/org/tenders/{id}/publish",
            ORG_STAFF,
            post(manage::publish),
        )
        .post("/org/tenders/{id}/amend", ORG_STAFF, post(manage::amend))
        .post("/org/tenders/{id}/cancel", ORG_STAFF, post(manage::cancel))
        .post(
            "/org/tenders/{id}/participants",
            ORG_STAFF,
            post(manage::decide),
        )
        .post(
            "/org/tenders/{id}/nominations",
            ORG_STAFF,
            post(manage::nominate),
        )
        .post("/org/tenders/{id}/scores", ORG_STAFF, post(manage::score))
        .post("/org/tenders/{id}/answers", ORG_STAFF, post(manage::answer))
        .post("/org/tenders/{id}/open", ORG_STAFF, post(manage::open))
        .post("/org/tenders/{id}/award", ORG_STAFF, post(manage::award))
        .get(
            "/cases/{id}/participate",
            BIDDERS,
            get(bidder::participate_form),
        )
        .post(
            "/cases/{id}/participate",
            BIDDERS,
            post(bidder::participate),
        )
        .post("/cases/{id}/questions", BIDDERS, post(bidder::ask))
        .get("/cases/{id}/bid", BIDDERS, get(bid::bid_form))
        .post("/cases/{id}/bid", BIDDERS, post(bid::submit))
        .get("/cases/{id}/decline", BIDDERS, get(bidder::decline_form))
        .post("/cases/{id}/decline", BIDDERS, post(bidder::decline))
}
