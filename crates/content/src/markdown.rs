//! Markdown (CommonMark with tables and strikethrough) made into HTML that is
//! safe to put in a page whatever the author wrote.
//!
//! Raw HTML in the source is never passed on: it is shown as text. What the
//! renderer writes itself is the only markup, so the sanitising is a matter of
//! three rules instead of an HTML parser's allow-list: URLs of links and
//! images must have an allowed scheme (after removing what browsers remove:
//! tabs, newlines and control characters), external links get
//! `rel="noopener noreferrer"`, and headings move down one level (the page's
//! title is its only `h1`). `data:` URLs are refused everywhere: images come
//! from the media library, by URL.

use std::fmt::Write;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Longest source accepted, in bytes (a long manual is about 60 kB).
pub const MAX_BYTES: usize = 200_000;

/// Deepest nesting of lists and quotations accepted.
pub const MAX_DEPTH: usize = 12;

/// What the media library knows of an image the text shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

/// Looks up an image's size and alternative text by its URL.
pub trait Media {
    fn image(&self, src: &str) -> Option<ImageInfo>;
}

/// No media library (previews of text without images, tests).
#[derive(Debug, Clone, Copy)]
pub struct NoMedia;

impl Media for NoMedia {
    fn image(&self, _src: &str) -> Option<ImageInfo> {
        None
    }
}

/// Text that cannot be made into a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(
        "本文が長すぎます（{bytes} バイト、上限 {MAX_BYTES} バイト）。ページを分けてください。"
    )]
    TooLarge { bytes: usize },
    #[error("箇条書きや引用の入れ子が深すぎます（上限 {MAX_DEPTH} 段）。")]
    TooDeep,
}

/// Something the renderer changed or the author must fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A link whose URL was not allowed: its text is shown without the link.
    UnsafeLink(String),
    /// An image whose URL was not allowed: its text is shown instead.
    UnsafeImage(String),
    /// An image without alternative text, here or in the media library.
    MissingAlt(String),
}

impl Notice {
    /// What the author is told, in Japanese.
    pub fn message(&self) -> String {
        match self {
            Notice::UnsafeLink(url) => {
                format!("使えないリンク先のため、リンクを外しました: {url}")
            }
            Notice::UnsafeImage(url) => {
                format!("使えない画像の URL のため、画像を表示しません: {url}")
            }
            Notice::MissingAlt(url) => format!(
                "画像に代替テキストがありません（読み上げに必要です）: {url}。![説明](URL) の「説明」に書くか、メディアライブラリで設定してください。"
            ),
        }
    }

    /// Whether the text may not be saved as it is.
    pub fn blocks_saving(&self) -> bool {
        matches!(self, Notice::MissingAlt(_))
    }
}

/// A text rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The text without markup, for search, summaries and feeds.
    pub plain: String,
    /// The site-relative URLs of the images shown, for the media library's
    /// "used by" list.
    pub images: Vec<String>,
    pub notices: Vec<Notice>,
}

/// Renders `source`, or says why it cannot be.
pub fn render(source: &str, media: &dyn Media) -> Result<Rendered, Refused> {
    if source.len() > MAX_BYTES {
        return Err(Refused::TooLarge {
            bytes: source.len(),
        });
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut out = Rendered {
        html: String::new(),
        plain: String::new(),
        images: Vec::new(),
        notices: Vec::new(),
    };
    let mut depth = 0usize;
    // Links whose start was dropped, so that their end is dropped too.
    let mut links: Vec<bool> = Vec::new();
    // The image being read: its URL (when shown) and its text so far.
    let mut image: Option<(Option<String>, String)> = None;
    let mut image_depth = 0usize;
    for event in Parser::new_ext(source, options) {
        if let Some((_, alt)) = image.as_mut() {
            match event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) if image_depth > 0 => image_depth -= 1,
                Event::End(TagEnd::Image) => {
                    let Some((src, alt)) = image.take() else {
                        continue;
                    };
                    events.push(image_event(src, alt, media, &mut out));
                }
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                    alt.push_str(&t)
                }
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Refused::TooDeep);
                }
                events.push(event);
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => {
                depth = depth.saturating_sub(1);
                events.push(event);
            }
            // A fence's info string would become a class attribute: the
            // page has no use for it, and it is the author's text.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                events.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                events.push(Event::Start(Tag::Heading {
                    level: lower(level),
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.plain.push('\n');
                events.push(Event::End(TagEnd::Heading(lower(level))));
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => match allowed(&dest_url) {
                Some(url) => {
                    let mut a = String::from("<a href=\"");
                    escape_into(&mut a, &url);
                    a.push('"');
                    if !title.is_empty() {
                        a.push_str(" title=\"");
                        escape_into(&mut a, &title);
                        a.push('"');
                    }
                    if is_external(&url) {
                        a.push_str(" rel=\"noopener noreferrer\"");
                    }
                    a.push('>');
                    events.push(Event::InlineHtml(CowStr::from(a)));
                    links.push(true);
                }
                None => {
                    out.notices.push(Notice::UnsafeLink(dest_url.to_string()));
                    links.push(false);
                }
            },
            Event::End(TagEnd::Link) => {
                if links.pop().unwrap_or(false) {
                    events.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image_depth = 0;
                image = Some(match allowed_image(&dest_url) {
                    Some(url) => (Some(url), String::new()),
                    None => {
                        out.notices.push(Notice::UnsafeImage(dest_url.to_string()));
                        (None, String::new())
                    }
                });
            }
            // Raw HTML is the author's text, shown as written.
            Event::Html(t) | Event::InlineHtml(t) => {
                out.plain.push_str(&t);
                events.push(Event::Text(t));
            }
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Text(ref t) | Event::Code(ref t) => {
                out.plain.push_str(t);
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                out.plain.push(' ');
                events.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                out.plain.push('\n');
                events.push(event);
            }
            other => events.push(other),
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out.plain = tidy_plain(&out.plain);
    Ok(out)
}

fn image_event<'a>(
    src: Option<String>,
    alt: String,
    media: &dyn Media,
    out: &mut Rendered,
) -> Event<'a> {
    let alt = alt.trim().to_owned();
    let Some(src) = src else {
        out.plain.push_str(&alt);
        return Event::Text(CowStr::from(alt));
    };
    let info = media.image(&src);
    let alt = if alt.is_empty() {
        info.as_ref()
            .map(|i| i.alt.trim().to_owned())
            .unwrap_or_default()
    } else {
        alt
    };
    if alt.is_empty() {
        out.notices.push(Notice::MissingAlt(src.clone()));
    }
    let mut tag = String::from("<img src=\"");
    escape_into(&mut tag, &src);
    tag.push_str("\" alt=\"");
    escape_into(&mut tag, &alt);
    tag.push('"');
    if let Some(i) = &info {
        let _ = write!(tag, " width=\"{}\" height=\"{}\"", i.width, i.height);
    }
    tag.push_str(" loading=\"lazy\">");
    out.plain.push_str(&alt);
    if src.starts_with('/') && !out.images.contains(&src) {
        out.images.push(src);
    }
    Event::InlineHtml(CowStr::from(tag))
}

/// The page's title is its `h1`; the text's headings start at `h2`.
fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// Schemes a link may use; anything without a scheme is relative to the site.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The URL as a browser would read it (without tabs, newlines and control
/// characters, trimmed), if its scheme is allowed for a link.
pub fn allowed(url: &str) -> Option<String> {
    let clean: String = url
        .chars()
        .filter(|c| !c.is_control() && !domain::text::is_invisible_format(*c))
        .collect::<String>()
        .trim_matches(|c: char| c.is_whitespace())
        .to_owned();
    match scheme(&clean) {
        None => Some(clean),
        Some(s) if LINK_SCHEMES.iter().any(|a| s.eq_ignore_ascii_case(a)) => Some(clean),
        Some(_) => None,
    }
}

/// Images: the site's own paths and http(s) only.
fn allowed_image(url: &str) -> Option<String> {
    let url = allowed(url)?;
    match scheme(&url) {
        None if !url.is_empty() => Some(url),
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => Some(url),
        _ => None,
    }
}

/// The scheme of a URL: what comes before the first `:`, when no `/`, `?`,
/// `#` or `\` comes before it.
fn scheme(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#', '\\'])?;
    (url.as_bytes()[end] == b':').then(|| &url[..end])
}

/// A link that leaves the site.
fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url.starts_with("\\\\")
        || url.starts_with("/\\")
        || url.starts_with("\\/")
        || scheme(url)
            .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Runs of blank space made one space, lines kept, no empty lines.
fn tidy_plain(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first `max` characters of the plain text, on one line, for a summary
/// or a description tag.
pub fn summary(plain: &str, max: usize) -> String {
    let line = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut s: String = line.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scraper::Html;

    /// Elements the renderer writes; anything else came from the author.
    const WRITTEN: &[&str] = &[
        "html",
        "head",
        "body",
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "del",
        "a",
        "img",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ];

    /// Everything a browser would run or fetch unasked is absent.
    fn assert_safe(html: &str) {
        let doc = Html::parse_fragment(html);
        for node in doc.root_element().descendants() {
            let Some(el) = node.value().as_element() else {
                continue;
            };
            assert!(WRITTEN.contains(&el.name()), "<{}> in {html}", el.name());
            for (name, value) in el.attrs() {
                assert!(!name.starts_with("on"), "{name} in {html}");
                assert!(
                    [
                        "href", "src", "alt", "title", "rel", "width", "height", "loading",
                        "start", "style"
                    ]
                    .contains(&name),
                    "attribute {name} in {html}"
                );
                if name == "style" {
                    assert!(
                        [
                            "text-align: left",
                            "text-align: center",
                            "text-align: right"
                        ]
                        .contains(&value),
                        "style {value}"
                    );
                }
                if name == "href" || name == "src" {
                    let browser: String = value
                        .chars()
                        .filter(|c| !c.is_ascii_control() && *c != ' ')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    for bad in ["javascript:", "data:", "vbscript:", "file:"] {
                        assert!(!browser.starts_with(bad), "{name}={value}");
                    }
                }
            }
        }
    }

    fn html(src: &str) -> String {
        render(src, &NoMedia).expect("rendered").html
    }

    #[test]
    fn hostile_html_in_the_text_is_shown_as_text() {
        for src in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"javascript:alert(1)\"><iframe></iframe></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div onclick=\"alert(1)\">x</div>\n\ntext",
            "a <b onmouseover=alert(1)>b</b> c",
            "<style>body{display:none}</style>",
        ] {
            let out = html(src);
            assert_safe(&out);
            assert!(out.contains("&lt;"), "{src} → {out}");
        }
    }

    #[test]
    fn links_keep_safe_schemes_and_lose_others_with_a_notice() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)",
        ] {
            let r = render(&format!("[押す](<{bad}>)"), &NoMedia).expect("rendered");
            assert_safe(&r.html);
            assert!(!r.html.contains("<a"), "{bad} → {}", r.html);
            assert!(r.html.contains("押す"));
            assert_eq!(r.notices.len(), 1, "{bad}");
        }
        let r = render(
            "[案件](/cases/1) [外部](https://www.jetro.go.jp/) [電話](tel:0312345678)",
            &NoMedia,
        )
        .expect("rendered");
        assert!(r.notices.is_empty());
        assert!(
            r.html.contains("<a href=\"/cases/1\">案件</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<a href=\"https://www.jetro.go.jp/\" rel=\"noopener noreferrer\">外部</a>"
            )
        );
        assert!(r.html.contains("<a href=\"tel:0312345678\">"));
    }

    #[test]
    fn a_fenced_code_block_keeps_its_text_and_loses_its_info_string() {
        let out = html("```\" onclick=alert(1) x\nlet a = 1;\n```");
        assert_eq!(out, "<pre><code>let a = 1;\n</code></pre>\n");
    }

    #[test]
    fn headings_start_below_the_pages_title_and_tables_render() {
        let out = html("# 開催概要\n\n| 日程 | 会場 |\n|---|:-:|\n| 11月18日 | 東京 |\n");
        assert!(out.contains("<h2>開催概要</h2>"), "{out}");
        assert!(
            out.contains("<table>") && out.contains("<td style=\"text-align: center\">東京</td>"),
            "{out}"
        );
        assert_safe(&out);
    }

    struct Library;
    impl Media for Library {
        fn image(&self, src: &str) -> Option<ImageInfo> {
            (src == "/media/ab12.png").then(|| ImageInfo {
                width: 640,
                height: 480,
                alt: "会場の様子".into(),
            })
        }
    }

    #[test]
    fn images_get_their_size_and_need_alternative_text() {
        let r = render(
            "![](/media/ab12.png) ![](/media/unknown.png) ![ロゴ](data:image/png;base64,AAAA)",
            &Library,
        )
        .expect("rendered");
        assert!(
            r.html.contains("<img src=\"/media/ab12.png\" alt=\"会場の様子\" width=\"640\" height=\"480\" loading=\"lazy\">"),
            "{}",
            r.html
        );
        assert_eq!(
            r.notices,
            [
                Notice::MissingAlt("/media/unknown.png".into()),
                Notice::UnsafeImage("data:image/png;base64,AAAA".into()),
            ]
        );
        assert!(r.notices.iter().any(Notice::blocks_saving));
        assert_eq!(r.images, ["/media/ab12.png", "/media/unknown.png"]);
        assert!(r.html.contains("ロゴ") && !r.html.contains("data:"));
        assert_safe(&r.html);
    }

    #[test]
    fn a_megabyte_of_nested_lists_is_refused_and_deep_nesting_too() {
        let huge = "- ".repeat(500_000);
        assert_eq!(
            render(&huge, &NoMedia),
            Err(Refused::TooLarge { bytes: 1_000_000 })
        );
        let deep = format!("{}項目", "- ".repeat(90_000));
        assert_eq!(render(&deep, &NoMedia), Err(Refused::TooDeep));
        let quotes = ">".repeat(150_000);
        assert_eq!(render(&quotes, &NoMedia), Err(Refused::TooDeep));
        let nested: String = (0..MAX_DEPTH)
            .map(|d| format!("{}- 項目\n", "  ".repeat(d)))
            .collect();
        assert!(render(&nested, &NoMedia).is_ok());
    }

    #[test]
    fn the_plain_text_and_summary_leave_out_the_markup() {
        let r = render(
            "# 見出し\n\n本文の**太字**と[リンク](/a)。\n\n- 一\n- 二",
            &NoMedia,
        )
        .expect("rendered");
        assert_eq!(r.plain, "見出し\n本文の太字とリンク。\n一\n二");
        assert_eq!(summary(&r.plain, 8), "見出し 本文の…");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_text_renders_to_markup_the_renderer_wrote(s in "\\PC{0,400}") {
            if let Ok(r) = render(&s, &NoMedia) {
                assert_safe(&r.html);
            }
        }

        #[test]
        fn any_mix_of_markdown_and_html_renders_safely(
            parts in prop::collection::vec(prop::sample::select(vec![
                "<", ">", "\"", "'", "`", "[", "]", "(", ")", "!", "*", "_", "-", "#", "|", "\n",
                " ", "\t", ":", "javascript", "data", "on", "=", "script", "img", "a", "href",
                "src", "&#106;", "&", "\\", "<!--", "-->", "\u{0}", "\u{200b}", "日本語",
            ]), 0..80)
        ) {
            let s: String = parts.concat();
            if let Ok(r) = render(&s, &NoMedia) {
                assert_safe(&r.html);
            }
        }
    }
}
