//! The search page's paging: links to the first and the last page, the
//! pages around the current one, 前へ／次へ, and where a page past the end
//! sends people.

/// One link of the pager; a gap ("…") has no `href`.
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

impl PageLink {
    fn to(label: impl Into<String>, href: String, current: bool) -> PageLink {
        PageLink {
            label: label.into(),
            href: Some(href),
            current,
        }
    }

    fn gap() -> PageLink {
        PageLink {
            label: "…".into(),
            href: None,
            current: false,
        }
    }
}

/// Where a page past the last one sends people.
pub struct PastEnd {
    pub last: usize,
    pub href: String,
    /// When there are more results than the index pages to: how many it
    /// shows (search::MAX_DEPTH, written with separators).
    pub depth: Option<String>,
}

/// The pager's links: the first and the last page
/// always, the three on either side of the current one, and 前へ／次へ;
/// "…" (no link) where pages are left out.
pub fn pager(current: usize, page_count: usize, href: impl Fn(usize) -> String) -> Vec<PageLink> {
    let mut pages = Vec::new();
    if page_count <= 1 {
        return pages;
    }
    if current > 1 {
        let to = current.min(page_count + 1) - 1;
        pages.push(PageLink::to("前へ", href(to), false));
    }
    let lo = current.saturating_sub(3).max(1);
    let hi = (current + 3).min(page_count);
    if lo > 1 {
        pages.push(PageLink::to("1", href(1), false));
        if lo > 2 {
            pages.push(PageLink::gap());
        }
    }
    for p in lo..=hi {
        pages.push(PageLink::to(p.to_string(), href(p), p == current));
    }
    if hi < page_count && lo <= page_count {
        if hi + 1 < page_count {
            pages.push(PageLink::gap());
        }
        pages.push(PageLink::to(
            page_count.to_string(),
            href(page_count),
            false,
        ));
    }
    if current < page_count {
        pages.push(PageLink::to("次へ", href(current + 1), false));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::{PageLink, pager};

    /// The pager as text: "[n]" the current page, "n→h" a link.
    fn shown(current: usize, count: usize) -> Vec<String> {
        pager(current, count, |p| format!("p{p}"))
            .into_iter()
            .map(
                |PageLink {
                     label,
                     href,
                     current,
                 }| match (href, current) {
                    (_, true) => format!("[{label}]"),
                    (None, _) => label,
                    (Some(h), _) => format!("{label}→{h}"),
                },
            )
            .collect()
    }

    #[test]
    fn the_pager_always_offers_the_first_and_the_last_page() {
        assert_eq!(shown(1, 1), Vec::<String>::new());
        assert_eq!(shown(1, 3), ["[1]", "2→p2", "3→p3", "次へ→p2"]);
        assert_eq!(
            shown(10, 20),
            [
                "前へ→p9",
                "1→p1",
                "…",
                "7→p7",
                "8→p8",
                "9→p9",
                "[10]",
                "11→p11",
                "12→p12",
                "13→p13",
                "…",
                "20→p20",
                "次へ→p11"
            ]
        );
        assert_eq!(
            shown(20, 20),
            [
                "前へ→p19",
                "1→p1",
                "…",
                "17→p17",
                "18→p18",
                "19→p19",
                "[20]"
            ]
        );
        assert_eq!(shown(5, 8)[..3], ["前へ→p4", "1→p1", "2→p2"]);
        // Past the end: back to the last page, and the first.
        assert_eq!(shown(100, 15), ["前へ→p15", "1→p1", "…"]);
    }
}
