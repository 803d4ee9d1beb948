//! chance-navi's domain: types that cannot hold bad values, and the rules of
//! the business. No I/O here; every parser says what is wrong in Japanese,
//! because its message is shown beside the form field.

pub mod audit;
pub mod case;
pub mod company;
pub mod contact;
pub mod corporate_number;
pub mod directory;
pub mod labelled;
pub mod link;
pub mod local_path;
pub mod net;
pub mod notify;
pub mod password_hash;
pub mod phone;
pub mod prefecture;
pub mod role;
pub mod tender;
pub mod text;
pub mod throttle;
pub mod time;
pub mod upload;
pub mod wareki;
pub mod when;
pub mod words;

pub use case::{CaseDate, CaseKind, CaseStatus, Category, DayOnly, EntryStatus, Procedure};
pub use company::{CompanyAction, CompanyStatus, Dealings};
pub use contact::{EmailAddress, Password, PhoneNumber, PostalCode};
pub use corporate_number::CorporateNumber;
pub use local_path::LocalPath;
pub use prefecture::Prefecture;
pub use role::{Role, StaffRole};
pub use when::When;

/// A value that failed to parse, with the message to show beside its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Invalid(message.into())
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}
