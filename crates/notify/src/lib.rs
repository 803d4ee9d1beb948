//! おすすめ案件通知: users keep named settings of what they want to hear
//! about; each new or amended case is matched against every active setting
//! by an index of the settings (`matcher`), and what matched is mailed —
//! at once or as a daily digest — through the database outbox.

pub mod matcher;
pub mod pass;
pub mod setting;

pub use matcher::{CaseFacts, Matcher, plain_match};
pub use setting::{Criteria, Frequency};
