//! 民間発注案件・技術ニーズ: ordering companies post cases and administrators
//! review them; receiving companies enter (受注エントリー), the two sides
//! exchange messages and files, and the ordering company chooses its partner.

mod entries;
mod files;
pub(crate) mod form;
mod review;

use axum::routing::{get, post};
use domain::Role;
use store::{Company, User};

use crate::auth::{COMPANY, Guarded, PUBLIC, REVIEWERS, Viewer};
use crate::{AppState, ErrorKind, WebError};

/// Companies registered to order.
const ORDERING: &[Role] = &[Role::OrderingCompany];
/// Companies registered to receive orders.
const RECEIVING: &[Role] = &[Role::ReceivingCompany];

pub fn routes(g: Guarded) -> Guarded {
    g.get("/mypage/orders", ORDERING, get(form::list))
        .get("/mypage/orders/new", ORDERING, get(form::new_form))
        .post("/mypage/orders", ORDERING, post(form::create))
        .get("/mypage/orders/{id}", ORDERING, get(form::show))
        .get("/mypage/orders/{id}/edit", ORDERING, get(form::edit_form))
        .post("/mypage/orders/{id}", ORDERING, post(form::update))
        .post("/mypage/orders/{id}/submit", ORDERING, post(form::submit))
        .post("/mypage/orders/{id}/cancel", ORDERING, post(form::cancel))
        .get("/cases/{id}/entry", RECEIVING, get(entries::entry_form))
        .post("/cases/{id}/entry", RECEIVING, post(entries::enter))
        .get("/mypage/entries", RECEIVING, get(entries::list))
        .get("/mypage/entries/{id}", COMPANY, get(entries::thread))
        .post(
            "/mypage/entries/{id}/messages",
            COMPANY,
            post(entries::reply),
        )
        .post(
            "/mypage/entries/{id}/choose",
            ORDERING,
            post(entries::choose),
        )
        .get("/admin/orders", REVIEWERS, get(review::queue))
        .get("/admin/orders/{id}", REVIEWERS, get(review::show))
        .post("/admin/orders/{id}/review", REVIEWERS, post(review::decide))
        .get("/files/{id}", PUBLIC, get(files::download))
}

/// The signed-in user and their company.
async fn own_company(state: &AppState, viewer: &Viewer) -> Result<(User, Company), WebError> {
    let user = viewer.user()?.clone();
    let company_id = user.company_id.ok_or_else(|| {
        WebError::new(ErrorKind::Forbidden, "企業の利用者だけが使えるページです。")
    })?;
    let company = state
        .store
        .company(company_id)
        .await?
        .ok_or_else(WebError::not_found)?;
    Ok((user, company))
}

/// A path id, or 404.
fn id_of(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::not_found())
}
