//! おすすめ案件通知: the cases a user's notification settings matched.

use askama::Template;
use store::NewMail;

use super::{Composer, PREFIX, text};

/// One case in a notification mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestCase {
    pub title: String,
    pub organization: String,
    /// "2026年12月1日（令和8年） 17:00", or empty.
    pub deadline: String,
    pub url: String,
}

/// The cases one setting matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestGroup {
    pub setting: String,
    pub cases: Vec<DigestCase>,
}

#[derive(Template)]
#[template(path = "notify_digest.txt", escape = "none")]
struct DigestText<'a> {
    site_url: &'a str,
    name: &'a str,
    total: usize,
    groups: &'a [DigestGroup],
    settings_url: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "notify_digest.html")]
struct DigestHtml<'a> {
    site_url: &'a str,
    subject: &'a str,
    name: &'a str,
    total: usize,
    groups: &'a [DigestGroup],
    settings_url: &'a str,
    unsubscribe_url: &'a str,
}

impl Composer {
    /// To a user whose notification settings matched new cases, on the
    /// schedule the user chose (notify pass): the cases grouped by setting,
    /// in text and HTML, with a link to the settings and a one-click
    /// unsubscribe (RFC 8058) that needs no sign-in.
    pub fn notify_digest(
        &self,
        to: &str,
        name: &str,
        groups: &[DigestGroup],
        unsubscribe_token: &str,
    ) -> NewMail {
        let total = groups.iter().map(|g| g.cases.len()).sum();
        let settings_url = format!("{}/mypage/notifications", self.site_url);
        let unsubscribe_url = format!(
            "{}/notifications/unsubscribe/{unsubscribe_token}",
            self.site_url
        );
        let subject = format!("{PREFIX}おすすめ案件のお知らせ（{total}件）");
        let body_text = text(&DigestText {
            site_url: &self.site_url,
            name,
            total,
            groups,
            settings_url: &settings_url,
            unsubscribe_url: &unsubscribe_url,
        });
        let body_html = text(&DigestHtml {
            site_url: &self.site_url,
            subject: &subject,
            name,
            total,
            groups,
            settings_url: &settings_url,
            unsubscribe_url: &unsubscribe_url,
        });
        NewMail {
            to: to.to_owned(),
            subject,
            body_text,
            body_html: Some(body_html),
            headers: vec![
                ("List-Unsubscribe".into(), format!("<{unsubscribe_url}>")),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
            dedupe_key: None,
        }
    }
}
