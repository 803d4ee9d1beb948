//! Accounts: applying, confirming, signing in and out, passwords, マイページ.

mod apply;
mod colleagues;
mod my_tenders;
mod mypage;
mod password;
mod profile_form;
mod signin;
mod tokens;

use axum::routing::{get, post};

use crate::auth::{APPLICANT, COMPANY, Guarded, PUBLIC, SIGNED_IN};

/// Who may make API tokens: company users, the staff who run e-tenders,
/// and the operations role (a staging server pushes content with its token).
const TOKEN_USERS: &[domain::Role] = &[
    domain::Role::ReceivingCompany,
    domain::Role::OrderingCompany,
    domain::Role::OrgStaff,
    domain::Role::Admin,
    domain::Role::Ops,
];

pub fn routes(g: Guarded) -> Guarded {
    g.get("/login", PUBLIC, get(signin::form))
        .post("/login", PUBLIC, post(signin::submit))
        .post("/logout", SIGNED_IN, post(signin::logout))
        .get("/apply", PUBLIC, get(apply::form))
        .post("/apply", PUBLIC, post(apply::submit))
        .get("/apply/confirm/{token}", PUBLIC, get(apply::confirm_form))
        .post("/apply/confirm/{token}", PUBLIC, post(apply::confirm))
        .get("/password/forgot", PUBLIC, get(password::forgot_form))
        .post("/password/forgot", PUBLIC, post(password::forgot))
        .get("/password/reset/{token}", PUBLIC, get(password::reset_form))
        .post("/password/reset/{token}", PUBLIC, post(password::reset))
        .get(
            "/invitation/{token}",
            PUBLIC,
            get(password::invitation_form),
        )
        .post("/invitation/{token}", PUBLIC, post(password::invitation))
        .get("/account/password", SIGNED_IN, get(password::change_form))
        .post("/account/password", SIGNED_IN, post(password::change))
        .get("/account/tokens", TOKEN_USERS, get(tokens::list))
        .post("/account/tokens", TOKEN_USERS, post(tokens::create))
        .post(
            "/account/tokens/{id}/revoke",
            TOKEN_USERS,
            post(tokens::revoke),
        )
        .get("/mypage", COMPANY, get(mypage::home))
        .get("/mypage/company", COMPANY, get(mypage::company_form))
        .post("/mypage/company", COMPANY, post(mypage::company_save))
        .get("/mypage/company/legal", COMPANY, get(mypage::legal_form))
        .post(
            "/mypage/company/legal",
            COMPANY,
            post(mypage::legal_request),
        )
        .get("/mypage/users", COMPANY, get(colleagues::users))
        .post("/mypage/users", COMPANY, post(colleagues::invite))
        .post(
            "/mypage/users/{id}/resend",
            COMPANY,
            post(colleagues::resend),
        )
        .post(
            "/mypage/users/{id}/cancel",
            COMPANY,
            post(colleagues::cancel),
        )
        .get(
            "/mypage/users/{id}/remove",
            COMPANY,
            get(colleagues::remove_form),
        )
        .post(
            "/mypage/users/{id}/remove",
            COMPANY,
            post(colleagues::remove),
        )
        .post(
            "/mypage/users/{id}/admin",
            COMPANY,
            post(colleagues::set_admin),
        )
        .get(
            "/mypage/application",
            APPLICANT,
            get(mypage::correction_form),
        )
        .post("/mypage/application", APPLICANT, post(mypage::resubmit))
}
