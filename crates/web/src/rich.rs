//! Text of several lines (a description, a message, an answer) as HTML:
//! paragraphs where the text leaves an empty line, line breaks where it
//! breaks a line, and the http(s) URLs in it as links — everything else
//! escaped. Templates write `{{ crate::rich::html(text)|safe }}`.

use std::fmt::{self, Write};

/// `text` ready to be written into a page.
pub struct Rich<'a>(&'a str);

pub fn html(text: &str) -> Rich<'_> {
    Rich(text)
}

fn escape(out: &mut impl Write, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '&' => out.write_str("&amp;")?,
            '<' => out.write_str("&lt;")?,
            '>' => out.write_str("&gt;")?,
            '"' => out.write_str("&quot;")?,
            '\'' => out.write_str("&#39;")?,
            c => out.write_char(c)?,
        }
    }
    Ok(())
}

/// Where the URL starting at the beginning of `s` ends: ASCII characters a
/// URL may hold, without the punctuation that usually closes a sentence.
fn url_len(s: &str) -> usize {
    let end = s
        .find(|c: char| {
            !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\' | '{' | '}')
        })
        .unwrap_or(s.len());
    s[..end]
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']'])
        .len()
}

/// One line: text escaped, http(s) URLs made links.
fn line(out: &mut impl Write, mut s: &str) -> fmt::Result {
    loop {
        let next = [s.find("https://"), s.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else {
            return escape(out, s);
        };
        escape(out, &s[..at])?;
        let rest = &s[at..];
        let n = url_len(rest);
        let url = &rest[..n];
        if domain::link::http_url(url).is_ok() {
            out.write_str("<a href=\"")?;
            escape(out, url)?;
            out.write_str("\" rel=\"nofollow noopener noreferrer\">")?;
            escape(out, url)?;
            out.write_str("</a>")?;
            s = &rest[n..];
        } else {
            // Not a link after all ("http://" alone): written as text.
            let skip = rest.find("//").map_or(rest.len(), |i| i + 2);
            escape(out, &rest[..skip])?;
            s = &rest[skip..];
        }
    }
}

impl fmt::Display for Rich<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.replace("\r\n", "\n");
        let paragraphs = text
            .split("\n\n")
            .map(|p| p.trim_matches('\n'))
            .filter(|p| !p.trim().is_empty());
        for p in paragraphs {
            out.write_str("<p>")?;
            for (i, l) in p.split('\n').enumerate() {
                if i > 0 {
                    out.write_str("<br>\n")?;
                }
                line(out, l)?;
            }
            out.write_str("</p>\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paragraphs_line_breaks_and_links_are_kept_and_everything_else_escaped() {
        let text = "概要：<b>清掃</b>業務\n詳細は https://www.city.example.jp/nyusatsu?id=1&x=2 をご覧ください。\n\n第2段落（http://a.example/x）。javascript:alert(1)";
        assert_eq!(
            html(text).to_string(),
            "<p>概要：&lt;b&gt;清掃&lt;/b&gt;業務<br>\n詳細は <a href=\"https://www.city.example.jp/nyusatsu?id=1&amp;x=2\" rel=\"nofollow noopener noreferrer\">https://www.city.example.jp/nyusatsu?id=1&amp;x=2</a> をご覧ください。</p>\n<p>第2段落（<a href=\"http://a.example/x\" rel=\"nofollow noopener noreferrer\">http://a.example/x</a>）。javascript:alert(1)</p>\n"
        );
        assert_eq!(html("").to_string(), "");
        assert_eq!(html("http://").to_string(), "<p>http://</p>\n");
        assert_eq!(
            html("https://user@evil.example/").to_string(),
            "<p>https://user@evil.example/</p>\n"
        );
    }

    proptest! {
        #[test]
        fn no_text_makes_markup_of_its_own(text in "\\PC*|[<>&\"' \nhtps:/.a-zあ]{0,60}") {
            let out = html(&text).to_string();
            // Only the renderer's own tags appear; every other < was escaped.
            let stripped = out
                .replace("<p>", "")
                .replace("</p>", "")
                .replace("<br>", "")
                .replace("</a>", "");
            let mut rest = stripped.as_str();
            while let Some(i) = rest.find('<') {
                prop_assert!(rest[i..].starts_with("<a href=\"http"), "{out}");
                rest = &rest[i + 1..];
            }
            prop_assert!(!out.contains("<a href=\"javascript"));
        }
    }
}
