//! The pages every public portal has: the terms of use and the privacy
//! policy (whose texts live in the repository until operators can edit site
//! content), how to reach the operator, and a map of the site.

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
use crate::terms::{AGREEMENT_PATH, contact, must_agree};
pub use crate::terms::{Contact, TERMS_VERSION, TERMS_VERSION_LABEL, set_contact};
use crate::{AppState, WebError};

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
        viewer.csrf_token(),
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
                href: "/search",
                label: "サイト内検索（案件・ページ・お知らせ）",
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
