//! The terms of use in force and the operator's contact: what the sign-in
//! guard, the layout and the account pages need from the site, kept apart
//! from the site's pages so that none of them depends on a feature.

use std::sync::OnceLock;

use serde::Deserialize;

/// The version of the terms of use in force. An applicant agrees to it; a
/// company user who agreed to an earlier one is asked again at the next
/// sign-in. Change it in the same commit as `templates/terms.html`.
pub const TERMS_VERSION: &str = "2026-12-03";

/// The terms' version as people read it.
pub const TERMS_VERSION_LABEL: &str = "2026年12月3日版";

/// Where a company user is asked to agree to the terms in force.
pub const AGREEMENT_PATH: &str = "/terms/agree";

/// Whether `user` must agree to the terms in force before going on: company
/// users (staff work under their employer's rules) whose last agreement was
/// to another version, or to none.
pub fn must_agree(user: &store::User) -> bool {
    user.staff_role.is_none() && user.terms_version.as_deref() != Some(TERMS_VERSION)
}

/// Where a company user who must agree goes instead of `target` (a local path).
pub fn agreement_first(target: &str) -> String {
    format!(
        "{AGREEMENT_PATH}?next={}",
        crate::auth::encode_query(target)
    )
}

/// How people reach the portal's operator: set in the `[contact]` table of
/// the config file, shown in every page's footer and on /contact.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Who runs the portal.
    #[serde(default = "Contact::default_name")]
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// When the desk answers.
    #[serde(default = "Contact::default_hours")]
    pub hours: String,
}

impl Contact {
    fn default_name() -> String {
        "ビジネスチャンス・ナビ運営事務局".to_owned()
    }

    fn default_hours() -> String {
        "平日 9時〜17時（土日・祝日・年末年始を除く）".to_owned()
    }

    /// The `mailto:` address, only for an address that is one.
    pub fn mailto(&self) -> Option<String> {
        let email = self.email.as_deref()?;
        domain::EmailAddress::parse(email)
            .ok()
            .map(|e| format!("mailto:{}", e.as_str()))
    }

    /// The `tel:` link for the phone number (digits and a leading +).
    pub fn tel(&self) -> Option<String> {
        let phone = self.phone.as_deref()?;
        let digits: String = phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        (digits.len() >= 6).then(|| format!("tel:{digits}"))
    }
}

impl Default for Contact {
    fn default() -> Self {
        Contact {
            name: Contact::default_name(),
            address: None,
            phone: None,
            email: None,
            hours: Contact::default_hours(),
        }
    }
}

static CONTACT: OnceLock<Contact> = OnceLock::new();

/// Sets the operator's contact for this process (`serve` does, from its
/// settings, before the first page). Later calls change nothing.
pub fn set_contact(contact: Contact) {
    let _ = CONTACT.set(contact);
}

/// The operator's contact: as configured, or the defaults.
pub fn contact() -> &'static Contact {
    CONTACT.get_or_init(Contact::default)
}
