//! Links that came from outside (imported documents, a notice's own page):
//! only http and https are links. `javascript:`, `data:`, `vbscript:`,
//! `file:` and every other scheme are refused at import and not rendered as
//! links — twice, so that data imported before this rule, or written by
//! anything else, is never made clickable either.

use crate::Invalid;

/// An absolute http or https URL with a host, without spaces or control
/// characters, and without user information (`https://kkj.go.jp@evil.example/`
/// shows one host and opens another).
pub fn http_url(input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    let bad = |why: &str| {
        Invalid::new(format!(
            "URL「{}」は使えません（{why}）。",
            s.chars().take(80).collect::<String>()
        ))
    };
    if s.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err(bad("空白や制御文字を含んでいます"));
    }
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return Err(bad("http または https のURLではありません"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(bad("ホスト名がありません"));
    }
    if authority.contains('@') {
        return Err(bad("ユーザー情報を含んでいます"));
    }
    Ok(s.to_owned())
}

/// Whether `href` may be rendered as a link: an http(s) URL as `http_url`
/// accepts it, or a path on this site ("/files/12", not "//elsewhere").
pub fn is_safe_href(href: &str) -> bool {
    let site_path = href.starts_with('/')
        && !href.starts_with("//")
        && !href
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    site_path || http_url(href).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_are_links() {
        for good in [
            "https://www.kkj.go.jp/d/1.pdf",
            "http://example.jp",
            "HTTPS://EXAMPLE.JP/a?b=c#d",
            "https://例え.jp/資料.pdf",
        ] {
            assert!(http_url(good).is_ok(), "{good}");
            assert!(is_safe_href(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "ftp://example.jp/a",
            "//evil.example/x",
            "https://",
            "https:///path",
            "https://kkj.go.jp@evil.example/",
            "https://example.jp/a b",
            "https://example.jp/\tjavascript:",
            "java\nscript:alert(1)",
            "",
        ] {
            assert!(http_url(bad).is_err(), "{bad:?}");
            assert!(!is_safe_href(bad), "{bad:?}");
        }
        assert!(is_safe_href("/files/12"));
        assert!(!is_safe_href("/\\evil.example"));
    }

    proptest! {
        #[test]
        fn whatever_is_accepted_starts_with_http_or_https(s in "\\PC{0,40}") {
            if let Ok(u) = http_url(&s) {
                let l = u.to_ascii_lowercase();
                prop_assert!(l.starts_with("http://") || l.starts_with("https://"));
            }
            if is_safe_href(&s) {
                let l = s.to_ascii_lowercase();
                prop_assert!(l.starts_with("http://") || l.starts_with("https://") || (s.starts_with('/') && !s.starts_with("//")));
            }
        }
    }
}
