//! People in every role, made directly in the store, with sessions the tests
//! can present as cookies.

use domain::{CompanyAction, CompanyStatus, Dealings, Role, StaffRole};
use store::{Actor, NewApplication, Review, Store};

use crate::fixtures::{mail_to, new_user, profile};

/// The password every test person has.
pub const PASSWORD: &str = "Tokyo2026navi!";

/// A signed-in session: the cookie header to send and the form token.
#[derive(Debug, Clone)]
pub struct TestSession {
    pub cookie: String,
    pub csrf: String,
}

fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        domain::password_hash::hash(&domain::Password::parse(PASSWORD).expect("valid"))
            .expect("hash")
    })
    .clone()
}

/// Creates a user holding `role` (a visitor has none) and returns its id.
/// Company roles get a company of their own, numbered by `n`.
pub async fn person(store: &Store, role: Role, n: u32) -> Option<i64> {
    let actor = Actor::cli("test");
    let mut user = new_user(&format!("{role:?}-{n}").to_lowercase());
    user.password_hash = password_hash();
    let staff = |r: StaffRole| (r, user.clone());
    let (staff_role, user) = match role {
        Role::Visitor => return None,
        Role::Admin => staff(StaffRole::Admin),
        Role::Operator => staff(StaffRole::Operator),
        Role::Ops => staff(StaffRole::Ops),
        Role::OrgStaff => staff(StaffRole::OrgStaff),
        Role::ReceivingCompany | Role::OrderingCompany | Role::Applicant => {
            let mut p = profile(1000 + n);
            p.dealings =
                Dealings::new(role == Role::OrderingCompany, role != Role::OrderingCompany)
                    .expect("dealings");
            let token = format!("confirm-{role:?}-{n}");
            let mail = mail_to(&user.email, "確認");
            let (company, id) = store
                .create_application(
                    &NewApplication {
                        profile: &p,
                        user: &user,
                        confirmation_token_hash: &domain::audit::token_hash(&token),
                        token_expires_at: i64::MAX,
                        mail: &mail,
                        terms_version: web::site::TERMS_VERSION,
                    },
                    1,
                )
                .await
                .expect("application");
            store
                .confirm_email(&domain::audit::token_hash(&token), None, 2)
                .await
                .expect("confirm");
            let action = if role == Role::Applicant {
                CompanyAction::Return
            } else {
                CompanyAction::Approve
            };
            store
                .review_company(
                    &Review {
                        company_id: company,
                        seen: CompanyStatus::InReview,
                        action,
                        reason: Some("テスト"),
                        mail: None,
                    },
                    &actor,
                    3,
                )
                .await
                .expect("review");
            return Some(id);
        }
    };
    let org = if staff_role == StaffRole::OrgStaff {
        let org = store.ordering_organizations().await.expect("orgs")[0].id;
        Some((org, None))
    } else {
        None
    };
    Some(
        store
            .create_staff(&user, staff_role, org, &actor, 1)
            .await
            .expect("staff"),
    )
}

/// A fresh session for `user_id` (or a visitor's CSRF cookie when `None`).
pub async fn session(store: &Store, user_id: Option<i64>) -> TestSession {
    let id = format!("{:043}", rand_u64());
    let csrf = format!("{:043}", rand_u64());
    match user_id {
        Some(user) => {
            let now = web::auth::now_ms();
            store
                .create_session(
                    &domain::audit::token_hash(&id),
                    user,
                    &csrf,
                    now,
                    now + 3_600_000,
                    now + 3_600_000,
                )
                .await
                .expect("session");
            TestSession {
                cookie: format!("cn_session={id}"),
                csrf,
            }
        }
        None => TestSession {
            cookie: format!("cn_csrf={csrf}"),
            csrf,
        },
    }
}

fn rand_u64() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ N.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
}
