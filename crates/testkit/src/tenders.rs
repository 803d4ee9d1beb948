//! E-tenders for tests: one published with real keys under a given KEK,
//! and companies nominated to bid on it.

use domain::Role;
use domain::tender::{Action, AwardMethod, Schedule};
use store::{Actor, NewTender, Participation, Store};

use crate::fixtures::case;
use crate::people::person;

/// The terms of a test tender (lowest price; the case is fixture `case(1)`
/// made an e-tender).
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub schedule: Schedule,
    pub ceiling_yen: i64,
    pub ceiling_public: bool,
    pub minimum_yen: Option<i64>,
}

/// Creates and publishes, at `at`, an e-tender whose key is wrapped under `kek`.
pub async fn published(store: &Store, kek: &seal::Kek, terms: Terms, at: i64) -> i64 {
    published_case(store, kek, terms, 1, at).await
}

/// `published`, on fixture case `n`.
pub async fn published_case(store: &Store, kek: &seal::Kek, terms: Terms, n: u32, at: i64) -> i64 {
    published_by(store, kek, terms, AwardMethod::LowestPrice, n, at).await
}

/// `published_case`, awarded by `method`.
pub async fn published_by(
    store: &Store,
    kek: &seal::Kek,
    terms: Terms,
    method: AwardMethod,
    n: u32,
    at: i64,
) -> i64 {
    let mut c = case(n);
    c.kind = domain::CaseKind::ETender;
    let kek = kek.clone();
    let id = store
        .create_tender(
            &NewTender {
                case: c,
                schedule: terms.schedule,
                ceiling_yen: terms.ceiling_yen,
                ceiling_public: terms.ceiling_public,
                minimum_yen: terms.minimum_yen,
                award_method: method,
                requirements: Default::default(),
                documents: Vec::new(),
                created_by: None,
            },
            move |id| {
                let keys = seal::new_tender_keys(&kek, id).map_err(|e| e.to_string())?;
                Ok((keys.public.to_vec(), keys.wrapped_secret))
            },
            at,
        )
        .await
        .expect("tender");
    store
        .tender_action(id, Action::Publish, &Actor::cli("test"), at)
        .await
        .expect("publish");
    id
}

/// A new receiving company (person `n`) nominated for tender `id` at `at`:
/// (user id, company id).
pub async fn nominated_bidder(store: &Store, id: i64, n: u32, at: i64) -> (i64, i64) {
    let user = person(store, Role::ReceivingCompany, n)
        .await
        .expect("bidder");
    let company = store
        .user(user)
        .await
        .expect("read")
        .expect("user")
        .company_id
        .expect("company");
    store
        .set_participation(
            id,
            company,
            Participation::Nominated,
            None,
            &Actor::cli("test"),
            at,
        )
        .await
        .expect("nominate");
    (user, company)
}
