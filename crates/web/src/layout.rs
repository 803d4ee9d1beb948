//! The base layout every page extends: site name, navigation, skip link, footer.

use crate::assets;

/// The entries of the main navigation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavItem {
    Cases,
    Partners,
    News,
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

/// What `base.html` needs from every page.
#[derive(Debug)]
pub struct Layout {
    /// The page's own title; the site name is appended.
    pub title: String,
    pub current: Option<NavItem>,
}

impl Layout {
    pub fn new(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            current: None,
        }
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

    pub fn stylesheet(&self) -> &'static str {
        assets::stylesheet_href()
    }

    pub fn nav(&self) -> Vec<NavLink> {
        [
            (NavItem::Cases, "/cases", "案件を探す"),
            (NavItem::Partners, "/partners", "ビジネスパートナー検索"),
            (NavItem::News, "/news", "お知らせ"),
            (NavItem::Login, "/login", "ログイン"),
        ]
        .into_iter()
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
    fn only_the_current_item_is_marked() {
        let nav = Layout::new("x").current(NavItem::News).nav();
        let current: Vec<_> = nav.iter().filter(|l| l.current).map(|l| l.label).collect();
        assert_eq!(current, ["お知らせ"]);
        assert_eq!(nav.len(), 4);
    }
}
