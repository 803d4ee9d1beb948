//! The mails the portal writes, in Japanese, each from a text template: one
//! function per mail, grouped by what it is about. Every function returns a
//! `NewMail` for the outbox; nothing is sent here.
//!
//! A new mail gets its template in `templates/`, its function beside its
//! kind, and a snapshot in `tests/mails/`. Askama drops a template file's
//! last line break (an included one's too): `_footer.txt` starts a new line
//! after the signature, and a template that must end its text with a line
//! break ends with a blank line.

mod accounts;
mod digest;
mod events;
mod receipt;

pub use accounts::Outcome;
pub use digest::{DigestCase, DigestGroup};
pub use events::{CaseEvent, TenderOutcome};
pub use receipt::BidReceipt;

use askama::Template;
use store::NewMail;

const PREFIX: &str = "【ビジネスチャンス・ナビ】";

/// Composes mails with links into the site at `site_url` (no trailing slash).
#[derive(Debug, Clone)]
pub struct Composer {
    site_url: String,
}

fn text(t: &impl Template) -> String {
    // Templates are checked at compile time; rendering fails only on a
    // formatting error of a value, which none of ours can produce.
    t.render()
        .unwrap_or_else(|e| format!("（本文を作成できませんでした: {e}）"))
}

impl Composer {
    pub fn new(site_url: &str) -> Self {
        Composer {
            site_url: site_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    /// A text-only mail to `to`, its subject after the portal's prefix.
    fn mail(to: &str, subject: &str, body: String) -> NewMail {
        NewMail {
            to: to.to_owned(),
            subject: format!("{PREFIX}{subject}"),
            body_text: body,
            ..NewMail::default()
        }
    }
}
