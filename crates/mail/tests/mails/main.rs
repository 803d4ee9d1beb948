//! Every mail the portal writes, as its reader gets it: a snapshot of the
//! From, To and Subject headers of the message the mailer builds, the mail's
//! own headers, and its text (and HTML) body. Inputs are fixed, so nothing
//! here depends on the clock or on chance; the Date header, the Message-ID
//! and the multipart boundary are not shown.
//!
//! A changed mail fails its test (also in CI, where insta writes nothing).
//! To accept a change on purpose (`cargo insta` is not needed):
//!     INSTA_UPDATE=always cargo test -p mail --test mails
//! then read the changed `.snap` files with `git diff` before committing:
//! the snapshots are what review sees of a mail's wording.

mod accounts;
mod digest;
mod events;
mod receipt;

use std::fmt::Write;

use mail::{Composer, Mailer};
use store::NewMail;

const SITE: &str = "https://navi.example.jp";
const FROM: &str = "ビジネスチャンス・ナビ <no-reply@navi.example.jp>";
/// The recipient of every mail here.
const TO: &str = "yamada@example.co.jp";

fn composer() -> Composer {
    Composer::new(SITE)
}

/// The mail as the snapshot shows it.
fn shown(mail: &NewMail) -> String {
    // Nothing connects: the message is only built.
    let mailer = Mailer::new(
        Some("smtp://127.0.0.1:2525"),
        FROM,
        std::path::Path::new("unused"),
    )
    .expect("a valid sender and SMTP URL");
    let message = mailer.message(mail).expect("the mail builds");
    let headers = message.headers();
    let mut out = String::new();
    let names = ["From", "To", "Subject"]
        .into_iter()
        .chain(mail.headers.iter().map(|(name, _)| name.as_str()));
    for name in names {
        let value = headers.get_raw(name).unwrap_or("(none)");
        writeln!(out, "{name}: {value}").expect("writing to a String");
    }
    body(&mut out, "TEXT", &mail.body_text);
    if let Some(html) = &mail.body_html {
        body(&mut out, "HTML", html);
    }
    out
}

/// A body between markers, so that a line break lost or added at its end
/// (which insta, trimming the end, would not see) changes the snapshot.
fn body(out: &mut String, kind: &str, body: &str) {
    writeln!(out, "----- {kind} -----").expect("writing to a String");
    out.push_str(body);
    if body.ends_with('\n') {
        out.push_str("----- END -----\n");
    } else {
        out.push_str("\n----- END (no line break at the end) -----\n");
    }
}
