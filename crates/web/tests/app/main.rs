//! The web crate's integration tests: the real server over a real database.

mod accounts;
mod admin;
mod api;
mod audit;
mod bidding;
mod calendar;
mod cases;
mod company_changes;
mod connections;
mod errors;
mod exports;
mod frame;
mod health;
mod imports;
mod lifecycle;
mod master_updates;
mod notifications;
mod ocds_api;
mod orders;
mod pages;
mod password_reset;
mod roles;
mod sign_in;
mod tender_opening;
mod tender_pages;
mod tenders;
