//! What pages and the JSON API both do: one function per action, each
//! checking the viewer's right to it, writing through the store, mailing
//! whom it concerns, and mapping the store's refusals to web errors in one
//! place. Features call these; none calls another feature.

pub mod tender_terms;
pub mod tenders;
