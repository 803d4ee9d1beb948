//! The storage contract, run against SQLite and PostgreSQL alike.

#![expect(
    clippy::allow_attributes,
    reason = "on_both_engines! allows unused imports in the modules it makes"
)]

/// Runs `body` once against each engine, each on a fresh, migrated database.
/// `db` is the `TestDb`, `store` its `Store`.
macro_rules! on_both_engines {
    ($name:ident, |$db:ident, $store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $db = testkit::TestDb::sqlite().await;
                let $store = $db.store().clone();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let $db = testkit::TestDb::postgres().await;
                let $store = $db.store().clone();
                $body
            }
        }
    };
    ($name:ident, |$store:ident| $body:block) => {
        on_both_engines!($name, |_db, $store| $body);
    };
}

mod accounts;
mod audit;
mod bids;
mod bundle;
mod cases;
mod content;
mod dealings;
mod directory;
mod exports;
mod foundation;
mod masters;
mod members;
mod notify;
mod orders;
mod outbox;
mod sign_in;
mod site;
mod tenders;
