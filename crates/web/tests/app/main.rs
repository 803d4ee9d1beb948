//! The web crate's integration tests: the real server over a real database.

mod accounts;
mod admin;
mod api;
mod cases;
mod errors;
mod exports;
mod frame;
mod health;
mod imports;
mod lifecycle;
mod master_updates;
mod notifications;
mod orders;
mod pages;
mod roles;
mod tender_opening;
mod tender_pages;
mod tenders;
