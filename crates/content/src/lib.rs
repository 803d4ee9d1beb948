//! Site content's rules, without I/O: Markdown made safe
//! ([`markdown::render`]), the addresses of pages ([`slug`]), publication
//! decided by the clock when read ([`publish`]), which revisions are thinned
//! ([`revisions`]), field diffs ([`diff`]), events for calendars ([`ics`])
//! and the signed bundles that carry content from staging to production
//! ([`bundle`]).

pub mod bundle;
pub mod diff;
pub mod find;
pub mod ics;
pub mod markdown;
pub mod media;
pub mod publish;
pub mod revisions;
pub mod slug;

pub use markdown::{ImageInfo, Media, NoMedia, Notice, Refused, Rendered, render};
pub use publish::{Publication, Status};
pub use slug::{Slug, SlugError, SlugPath};

domain::labelled_enum!(
    /// 固定ページ (in the tree, by address) or 投稿 (in a category, by date).
    ContentKind, "種類" {
        Page = ("page", "固定ページ"),
        Post = ("post", "投稿"),
    }
);

/// 世界発信コンペティションの部門.
pub const DIVISIONS: &[(&str, &str)] = &[
    ("product", "製品・技術（ベンチャー技術）部門"),
    ("service", "サービス部門"),
];

/// A division's name by its code.
pub fn division_label(code: &str) -> Option<&'static str> {
    DIVISIONS.iter().find(|d| d.0 == code).map(|d| d.1)
}
