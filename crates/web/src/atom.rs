//! Atom feeds (RFC 4287): the newest cases of a search, and the posts of a
//! category. One writer, so that every feed escapes the same way.

/// The feed itself.
#[derive(Debug)]
pub struct Feed<'a> {
    pub title: &'a str,
    /// The feed's own absolute URL (also its id).
    pub self_url: String,
    /// The page that shows the same list.
    pub alternate_url: String,
    /// UTC milliseconds.
    pub updated: i64,
}

/// One entry.
#[derive(Debug)]
pub struct Entry {
    pub title: String,
    /// Absolute URL (also the entry's id).
    pub url: String,
    pub updated: i64,
    pub author: String,
    /// (term, label).
    pub category: Option<(String, String)>,
    pub summary: String,
}

/// Text for XML: markup characters escaped, control characters XML forbids dropped.
pub fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn feed(f: &Feed<'_>, entries: &[Entry]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n\
         <title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n\
         <link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(f.title),
        xml(&f.self_url),
        domain::time::jst_rfc3339(f.updated),
        xml(&f.self_url),
        xml(&f.alternate_url),
    );
    for e in entries {
        let category = e
            .category
            .as_ref()
            .map(|(term, label)| {
                format!(
                    "<category term=\"{}\" label=\"{}\"/>\n",
                    xml(term),
                    xml(label)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n\
             <author><name>{}</name></author>\n{category}<summary>{}</summary>\n</entry>\n",
            xml(&e.title),
            xml(&e.url),
            xml(&e.url),
            domain::time::jst_rfc3339(e.updated),
            xml(&e.author),
            xml(&e.summary),
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml("<a & \"b\">\u{1}"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
