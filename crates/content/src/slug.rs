//! Slugs: the part of a page's address its author chooses (`fair`, `2026`),
//! and the path of a page in the tree (`/project/fair/2026`).
//!
//! A slug is lower-case ASCII letters, digits and single hyphens inside, so
//! that an address is the same however it was typed: the input is NFKC
//! normalised and lower-cased first (`ＦＡＩＲ` is `fair`), and anything else
//! is refused with the reason rather than silently changed.

use std::fmt;

/// Longest slug, in characters.
pub const MAX_SLUG: usize = 64;

/// Deepest page tree, in slugs.
pub const MAX_DEPTH: usize = 8;

/// Addresses the portal's own screens use; a page may not take them.
const RESERVED: &[&str] = &[
    "admin",
    "api",
    "assets",
    "cases",
    "media",
    "news",
    "feeds",
    "orders",
    "tenders",
    "search",
    "partners",
    "help",
    "mypage",
    "sign-in",
    "sign-out",
    "sign-up",
    "account",
    "accounts",
    "terms",
    "privacy",
    "contact",
    "sitemap",
    "sitemap.xml",
    "robots.txt",
    "metrics",
    "health",
    "org",
    "entries",
    "notifications",
    "tokens",
    "audit",
    "content",
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

/// Why a slug or path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("スラッグを入力してください。")]
    Empty,
    #[error("スラッグは {MAX_SLUG} 文字以内で入力してください。")]
    TooLong,
    #[error("スラッグに使えるのは半角の英小文字・数字・ハイフンです（「{0}」は使えません）。")]
    Character(char),
    #[error("スラッグの先頭と末尾にハイフンは使えず、ハイフンを続けることもできません。")]
    Hyphen,
    #[error("「{0}」はポータルの画面が使うアドレスのため、最上位のスラッグにできません。")]
    Reserved(String),
    #[error("ページの階層は {MAX_DEPTH} 段までです。")]
    TooDeep,
}

impl Slug {
    /// Reads what an author typed.
    pub fn parse(input: &str) -> Result<Slug, SlugError> {
        let s = domain::text::normalize(input).trim().to_lowercase();
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.chars().count() > MAX_SLUG {
            return Err(SlugError::TooLong);
        }
        if let Some(c) = s.chars().find(|c| !is_slug_char(*c)) {
            return Err(SlugError::Character(c));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(SlugError::Hyphen);
        }
        Ok(Slug(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the portal's own screens use this address at the top level.
    pub fn is_reserved(&self) -> bool {
        RESERVED.contains(&self.0.as_str())
    }
}

fn is_slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A page's address: its ancestors' slugs and its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlugPath(Vec<Slug>);

impl SlugPath {
    /// A page's path from its parent's (none for a top-level page).
    pub fn child(parent: Option<&SlugPath>, slug: Slug) -> Result<SlugPath, SlugError> {
        let mut slugs = parent.map(|p| p.0.clone()).unwrap_or_default();
        if slugs.is_empty() && slug.is_reserved() {
            return Err(SlugError::Reserved(slug.0));
        }
        slugs.push(slug);
        if slugs.len() > MAX_DEPTH {
            return Err(SlugError::TooDeep);
        }
        Ok(SlugPath(slugs))
    }

    /// Reads an address as stored or requested (`/a/b`, `a/b/`): each part a
    /// slug already in its one written form.
    pub fn parse(input: &str) -> Result<SlugPath, SlugError> {
        let mut slugs = Vec::new();
        for part in input.split('/').filter(|p| !p.is_empty()) {
            let slug = Slug::parse(part)?;
            if slug.0 != part {
                let odd = part.chars().find(|c| !is_slug_char(*c)).unwrap_or(' ');
                return Err(SlugError::Character(odd));
            }
            slugs.push(slug);
        }
        if slugs.is_empty() {
            return Err(SlugError::Empty);
        }
        if slugs.len() > MAX_DEPTH {
            return Err(SlugError::TooDeep);
        }
        if slugs[0].is_reserved() {
            return Err(SlugError::Reserved(slugs[0].0.clone()));
        }
        Ok(SlugPath(slugs))
    }

    pub fn slugs(&self) -> &[Slug] {
        &self.0
    }

    /// The path of the page above, if any.
    pub fn parent(&self) -> Option<SlugPath> {
        (self.0.len() > 1).then(|| SlugPath(self.0[..self.0.len() - 1].to_vec()))
    }

    /// Whether `self` is `other` or below it.
    pub fn starts_with(&self, other: &SlugPath) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for SlugPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.0 {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_width_and_capitals_are_read_as_the_one_written_form() {
        assert_eq!(
            Slug::parse(" ＦＡＩＲ-２０２６ ").map(|s| s.0),
            Ok("fair-2026".into())
        );
    }

    #[test]
    fn japanese_spaces_and_double_hyphens_are_refused_with_the_reason() {
        assert_eq!(Slug::parse("展示会"), Err(SlugError::Character('展')));
        assert_eq!(Slug::parse("a b"), Err(SlugError::Character(' ')));
        assert_eq!(Slug::parse("-a"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse("a--b"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse(&"a".repeat(65)), Err(SlugError::TooLong));
    }

    #[test]
    fn a_top_level_page_cannot_take_an_address_of_the_portals_screens() {
        let admin = Slug::parse("admin").expect("slug");
        assert_eq!(
            SlugPath::child(None, admin.clone()),
            Err(SlugError::Reserved("admin".into()))
        );
        let project = SlugPath::parse("/project").expect("path");
        assert_eq!(
            SlugPath::child(Some(&project), admin).map(|p| p.to_string()),
            Ok("/project/admin".into())
        );
        assert!(SlugPath::parse("/cases/1").is_err());
    }

    #[test]
    fn a_path_knows_its_parent_and_refuses_a_ninth_level() {
        let p = SlugPath::parse("/project/fair/2026/").expect("path");
        assert_eq!(p.to_string(), "/project/fair/2026");
        assert_eq!(
            p.parent().map(|p| p.to_string()),
            Some("/project/fair".into())
        );
        assert!(p.starts_with(&SlugPath::parse("project").expect("path")));
        assert_eq!(
            SlugPath::parse("/a/b/c/d/e/f/g/h/i"),
            Err(SlugError::TooDeep)
        );
        assert!(
            SlugPath::parse("/Project").is_err(),
            "a request is not normalised"
        );
    }

    proptest! {
        #[test]
        fn any_text_is_a_slug_in_its_written_form_or_refused(s in "\\PC{0,80}") {
            if let Ok(slug) = Slug::parse(&s) {
                prop_assert!(slug.0.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                prop_assert_eq!(Slug::parse(&slug.0), Ok(slug.clone()));
                prop_assert!(!slug.0.starts_with('-') && !slug.0.contains("--"));
            }
        }

        #[test]
        fn any_text_is_a_path_that_prints_as_it_reads_or_refused(s in "[/a-z0-9\\-ａ\\PC]{0,60}") {
            if let Ok(path) = SlugPath::parse(&s) {
                let printed = path.to_string();
                prop_assert_eq!(SlugPath::parse(&printed), Ok(path.clone()));
                prop_assert!(printed.starts_with('/') && !printed.contains("//"));
            }
        }
    }
}
