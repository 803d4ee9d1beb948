//! The pages every public portal has: the terms of use and the privacy
//! policy (whose texts live in the repository until operators can edit site
//! content), how to reach the operator, and a map of the site.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{ClientIp, Guarded, PUBLIC, SIGNED_IN, Viewer};
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::{FormPage, render};
use crate::{AppState, WebError};

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

pub fn routes(g: Guarded) -> Guarded {
    g.get("/terms", PUBLIC, get(terms))
        .get("/privacy", PUBLIC, get(privacy))
        .get("/contact", PUBLIC, get(contact_page))
        .get("/sitemap", PUBLIC, get(sitemap))
        .get(AGREEMENT_PATH, SIGNED_IN, get(agree_form))
        .post(AGREEMENT_PATH, SIGNED_IN, post(agree))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after agreeing: the page asked for, or the user's home.
fn next_of(next: &str) -> String {
    domain::LocalPath::parse(next)
        .ok()
        .filter(|p| !p.as_str().starts_with(AGREEMENT_PATH))
        .map_or_else(|| "/mypage".to_owned(), |p| p.as_str().to_owned())
}

fn agree_page(viewer: &Viewer, next: &str, agreed_before: bool) -> FormPage {
    let field = Field::new(
        "agree",
        format!("利用規約（{TERMS_VERSION_LABEL}）とプライバシーポリシーに同意します"),
        Kind::Checkbox,
    )
    .required();
    let mut page = FormPage::new(
        Layout::for_viewer("利用規約への同意", viewer),
        AGREEMENT_PATH,
        &viewer.csrf_token,
        vec![FieldSet::new(None, vec![field])],
        "同意して続ける",
    )
    .hidden("next", next);
    page = if agreed_before {
        page.intro(format!(
            "利用規約を改定しました（{TERMS_VERSION_LABEL}）。引き続きご利用いただくには、改定後の利用規約をお読みのうえ、同意してください。"
        ))
    } else {
        page.intro(format!(
            "ご利用の前に、利用規約（{TERMS_VERSION_LABEL}）とプライバシーポリシーをお読みのうえ、同意してください。"
        ))
    };
    page.intro("同意しない場合は、ログアウトしてください。案件の検索と閲覧は、ログインしなくてもご利用いただけます。")
        .link("/terms", "利用規約を読む")
        .link("/privacy", "プライバシーポリシーを読む")
}

async fn agree_form(viewer: Viewer, Query(q): Query<NextQuery>) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let next = next_of(q.next.as_deref().unwrap_or(""));
    if !must_agree(user) {
        return Ok(Redirect::to(&next).into_response());
    }
    agree_page(&viewer, &next, user.terms_version.is_some()).respond()
}

async fn agree(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let user = viewer.user()?;
    let next = next_of(form.get("next"));
    if !must_agree(user) {
        return Ok(Redirect::to(&next).into_response());
    }
    if !form.checked("agree") {
        let mut errors = Errors::default();
        errors.add(
            "agree",
            "続けるには、「同意します」にチェックを入れてください。",
        );
        return agree_page(&viewer, &next, user.terms_version.is_some())
            .with_errors(&errors)
            .respond();
    }
    let actor = store::Actor {
        user_id: Some(user.id),
        label: user.name.clone(),
        ip: Some(ip),
    };
    state
        .store
        .agree_terms(user.id, TERMS_VERSION, &actor, crate::auth::now_ms())
        .await?;
    Ok(Redirect::to(&next).into_response())
}

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage {
    layout: Layout,
    version: &'static str,
}

async fn terms(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &TermsPage {
            layout: Layout::for_viewer("利用規約", &viewer),
            version: TERMS_VERSION_LABEL,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    contact: &'static Contact,
}

async fn privacy(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &PrivacyPage {
            layout: Layout::for_viewer("プライバシーポリシー", &viewer),
            contact: contact(),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    contact: &'static Contact,
}

async fn contact_page(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &ContactPage {
            layout: Layout::for_viewer("お問い合わせ", &viewer),
            contact: contact(),
        },
        StatusCode::OK,
    )
}

/// One entry of the site map.
struct Entry {
    href: &'static str,
    label: &'static str,
}

/// A group of entries under a heading.
struct Section {
    title: &'static str,
    /// Who may open these pages, when not everyone.
    note: &'static str,
    entries: &'static [Entry],
}

/// Every page a person can go to directly (pages of one case, one order and
/// so on are reached from these).
const SITEMAP: &[Section] = &[
    Section {
        title: "案件を探す",
        note: "",
        entries: &[
            Entry {
                href: "/",
                label: "トップページ",
            },
            Entry {
                href: "/cases",
                label: "案件を探す（すべての案件）",
            },
            Entry {
                href: "/cases?kind=public_tender",
                label: "官公需・入札情報",
            },
            Entry {
                href: "/cases?kind=e_tender",
                label: "電子調達案件",
            },
            Entry {
                href: "/cases?kind=private_order",
                label: "民間発注案件",
            },
            Entry {
                href: "/cases?kind=technical_need",
                label: "技術ニーズ",
            },
            Entry {
                href: "/cases/feed.atom",
                label: "新着案件のフィード（Atom）",
            },
            Entry {
                href: "/help/kuji",
                label: "電子くじの決め方",
            },
            Entry {
                href: "/audit/checkpoints",
                label: "監査ログのチェックポイント",
            },
        ],
    },
    Section {
        title: "利用登録とログイン",
        note: "",
        entries: &[
            Entry {
                href: "/apply",
                label: "利用申請",
            },
            Entry {
                href: "/login",
                label: "ログイン",
            },
            Entry {
                href: "/password/forgot",
                label: "パスワードを忘れた方",
            },
        ],
    },
    Section {
        title: "会員の方",
        note: "ログインが必要です。",
        entries: &[
            Entry {
                href: "/mypage",
                label: "マイページ",
            },
            Entry {
                href: "/mypage/notifications",
                label: "おすすめ案件メールの設定",
            },
            Entry {
                href: "/mypage/users",
                label: "同僚の招待と管理（企業の管理者）",
            },
            Entry {
                href: "/mypage/orders/new",
                label: "発注案件・技術ニーズの掲載（発注する企業）",
            },
        ],
    },
    Section {
        title: "このサイトについて",
        note: "",
        entries: &[
            Entry {
                href: "/terms",
                label: "利用規約",
            },
            Entry {
                href: "/privacy",
                label: "プライバシーポリシー",
            },
            Entry {
                href: "/contact",
                label: "お問い合わせ",
            },
            Entry {
                href: "/api/v1/openapi.json",
                label: "API の仕様（OpenAPI）",
            },
        ],
    },
];

#[derive(Template)]
#[template(path = "sitemap.html")]
struct SitemapPage {
    layout: Layout,
    sections: &'static [Section],
}

async fn sitemap(viewer: Viewer) -> Result<Response, WebError> {
    render(
        &SitemapPage {
            layout: Layout::for_viewer("サイトマップ", &viewer),
            sections: SITEMAP,
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_links_are_made_only_from_real_addresses_and_numbers() {
        let mut c = Contact::default();
        assert_eq!((c.mailto(), c.tel()), (None, None));
        c.email = Some("desk@example.jp".to_owned());
        c.phone = Some("03-1234-5678".to_owned());
        assert_eq!(c.mailto().as_deref(), Some("mailto:desk@example.jp"));
        assert_eq!(c.tel().as_deref(), Some("tel:0312345678"));
        c.email = Some("javascript:alert(1)".to_owned());
        c.phone = Some("内線".to_owned());
        assert_eq!((c.mailto(), c.tel()), (None, None));
    }
}
