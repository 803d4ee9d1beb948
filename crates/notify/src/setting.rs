//! A notification setting's criteria and frequency live in the domain
//! (`domain::notify`), where the store reads them typed; this module keeps
//! their old address for the matcher and its callers.

pub use domain::notify::*;
