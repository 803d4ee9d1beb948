//! The base layout every page extends: site name, navigation, skip link, footer.

use crate::assets;

/// The entries of the main navigation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavItem {
    Cases,
    News,
    Apply,
    Login,
}

/// One link of the navigation as the template draws it.
#[derive(Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub const SITE_NAME: &str = "ビジネスチャンス・ナビ";

/// The signed-in user's part of the header: where their home is, and the
/// sign-out button (a form, with its CSRF token).
#[derive(Debug, Clone)]
pub struct AccountNav {
    pub name: String,
    pub home_href: &'static str,
    pub home_label: &'static str,
    pub csrf: String,
}

/// What `base.html` needs from every page.
#[derive(Debug)]
pub struct Layout {
    /// The page's own title; the site name is appended.
    pub title: String,
    pub current: Option<NavItem>,
    pub account: Option<AccountNav>,
    /// What the action that led here did (`?done=…`), said at the top of
    /// the page to everyone, screen readers included (role="status").
    pub notice: Option<&'static str>,
}

/// The messages `Layout::notice` shows, by the `done` code an action's
/// redirect carries.
const NOTICES: &[(&str, &str)] = &[
    ("added", "登録しました。"),
    (
        "bundle_applied",
        "バンドルを取り込みました。取り込み前のコンテンツは保存してあり、このページから戻せます。",
    ),
    (
        "bundle_rolled_back",
        "最後の取り込みの前のコンテンツに戻しました。",
    ),
    ("saved", "変更を保存しました。"),
    ("discarded", "取り消しました。"),
    (
        "restored",
        "選んだ版の内容に戻しました（新しい版として保存しました）。",
    ),
    (
        "published",
        "案件を公開しました。発注企業にメールでお知らせしました。",
    ),
    (
        "returned",
        "案件を差し戻しました。発注企業にメールで修正をお願いしました。",
    ),
];

impl Layout {
    pub fn new(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            current: None,
            account: None,
            notice: None,
        }
    }

    /// A page for `viewer`: signed-in users see their home and a sign-out button.
    pub fn for_viewer(title: impl Into<String>, viewer: &crate::auth::Viewer) -> Self {
        let mut layout = Self::new(title);
        if let Some(user) = &viewer.user {
            let (home_href, home_label) = match user.staff_role {
                Some(domain::StaffRole::OrgStaff) => ("/org/tenders", "電子入札の管理"),
                Some(_) => ("/admin", "管理画面"),
                None => ("/mypage", "マイページ"),
            };
            layout.account = Some(AccountNav {
                name: user.name.clone(),
                home_href,
                home_label,
                csrf: viewer.csrf_token().to_owned(),
            });
        }
        layout
    }

    /// Shows what the action that led here did (`done` of the query).
    pub fn notice(mut self, done: Option<&str>) -> Self {
        self.notice =
            done.and_then(|d| NOTICES.iter().find(|(code, _)| *code == d).map(|(_, m)| *m));
        self
    }

    pub fn current(mut self, item: NavItem) -> Self {
        self.current = Some(item);
        self
    }

    pub fn site_name(&self) -> &'static str {
        SITE_NAME
    }

    /// `<title>`: the page first, so that tabs and screen readers say what is new.
    pub fn full_title(&self) -> String {
        if self.title.is_empty() {
            SITE_NAME.to_owned()
        } else {
            format!("{}｜{}", self.title, SITE_NAME)
        }
    }

    /// The operator's contact, for the footer.
    pub fn contact(&self) -> &'static crate::terms::Contact {
        crate::terms::contact()
    }

    pub fn stylesheet(&self) -> &'static str {
        assets::stylesheet_href()
    }

    /// The main navigation: what a visitor can do here. Only pages that
    /// exist are listed; the ways in (利用申請, ログイン) only to visitors.
    /// The header menu operators arranged (links a visitor may follow now).
    pub fn header_links(&self) -> Vec<(String, String)> {
        crate::site_layout::links("header")
    }

    /// The footer menu operators arranged.
    pub fn footer_links(&self) -> Vec<(String, String)> {
        crate::site_layout::links("footer")
    }

    pub fn nav(&self) -> Vec<NavLink> {
        [
            (NavItem::Cases, "/cases", "案件を探す"),
            (NavItem::News, "/news", "お知らせ"),
            (NavItem::Apply, "/apply", "利用申請"),
            (NavItem::Login, "/login", "ログイン"),
        ]
        .into_iter()
        .filter(|(item, _, _)| {
            self.account.is_none() || matches!(item, NavItem::Cases | NavItem::News)
        })
        .map(|(item, href, label)| NavLink {
            href,
            label,
            current: self.current == Some(item),
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_title_comes_before_the_site_name() {
        assert_eq!(
            Layout::new("ページが見つかりません").full_title(),
            "ページが見つかりません｜ビジネスチャンス・ナビ"
        );
        assert_eq!(Layout::new("").full_title(), SITE_NAME);
    }

    #[test]
    fn a_known_done_code_becomes_a_notice_and_anything_else_none() {
        assert_eq!(
            Layout::new("x").notice(Some("added")).notice,
            Some("登録しました。")
        );
        assert_eq!(Layout::new("x").notice(Some("<script>")).notice, None);
        assert_eq!(Layout::new("x").notice(None).notice, None);
    }

    #[test]
    fn only_the_current_item_is_marked() {
        let nav = Layout::new("x").current(NavItem::Apply).nav();
        let current: Vec<_> = nav.iter().filter(|l| l.current).map(|l| l.label).collect();
        assert_eq!(current, ["利用申請"]);
        assert_eq!(nav.len(), 4);
    }
}
