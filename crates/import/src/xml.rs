//! A small element tree over quick-xml's events: enough for record-shaped
//! XML (a list of records, each a flat set of fields with a few lists),
//! read record by record (`records`) with each record's raw bytes — only one
//! record is ever held, whatever the size of the document.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// An element: its local name, its text (entities resolved) and its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child called `name`, if it has any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// Every descendant called `name`, depth first.
    pub fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// A reader that keeps a copy of what it hands out while `recording`, so
/// that a record's raw bytes can be kept exactly as they came.
struct Recorder<R> {
    inner: R,
    recording: bool,
    copy: Vec<u8>,
}

impl<R: BufRead> std::io::Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.recording {
            self.copy.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Recorder<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if self.recording
            && let Ok(buffered) = self.inner.fill_buf()
        {
            self.copy
                .extend_from_slice(&buffered[..amt.min(buffered.len())]);
        }
        self.inner.consume(amt);
    }
}

/// The most text kept of an element outside the records (its fields are short).
const OUTSIDE_TEXT_LIMIT: usize = 64 * 1024;

/// What a document says outside its records.
#[derive(Debug, Default)]
pub struct Outside {
    /// The top element's name.
    pub root: String,
    /// Text of the elements outside records that were asked for, by name
    /// (the first of each).
    pub fields: Vec<(String, String)>,
}

fn local_name(e: &BytesStart<'_>) -> String {
    e.local_name().into_inner().to_owned()
}

fn not_well_formed(e: impl std::fmt::Display, at: u64) -> String {
    format!("XMLとして読めません（{at}バイト目付近）：{e}")
}

/// Reads `input` element by element and hands each element called `record`
/// to `each`, with its raw bytes, as soon as it ends; only that record is
/// held. The text of the elements named in `watch` (outside records) is
/// gathered into the returned `Outside`; `stop_at` names an element whose
/// appearance ends the reading at once (an error document), its text
/// returned as `Err`-worthy by the caller through `Outside::fields`.
pub fn records(
    input: impl BufRead,
    record: &str,
    watch: &[&str],
    each: &mut dyn FnMut(Element, String),
) -> Result<Outside, String> {
    let mut reader = Reader::from_reader(Recorder {
        inner: input,
        recording: false,
        copy: Vec::new(),
    });
    reader.config_mut().check_end_names = true;
    let mut outside = Outside::default();
    let mut depth = 0usize;
    // Inside a record: its element stack. Outside: the watched field being read.
    let mut stack: Vec<Element> = Vec::new();
    let mut watched: Option<(String, String)> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| not_well_formed(e, reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let name = local_name(&e);
                depth += 1;
                if depth == 1 {
                    outside.root = name.clone();
                }
                if !stack.is_empty() {
                    stack.push(Element {
                        name,
                        ..Element::default()
                    });
                } else if name == record {
                    // The copy so far holds this start tag at its end.
                    let start = format!("<{}>", &*e);
                    let recorder = reader.get_mut();
                    recorder.copy.clear();
                    recorder.copy.extend_from_slice(start.as_bytes());
                    recorder.recording = true;
                    stack.push(Element {
                        name,
                        ..Element::default()
                    });
                } else if watch.contains(&name.as_str())
                    && !outside.fields.iter().any(|(n, _)| *n == name)
                {
                    watched = Some((name, String::new()));
                }
            }
            Event::Empty(e) => {
                let name = local_name(&e);
                if depth == 0 {
                    outside.root = name.clone();
                }
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Element {
                        name,
                        ..Element::default()
                    });
                } else if name == record {
                    let raw = format!("<{}/>", &*e);
                    each(
                        Element {
                            name,
                            ..Element::default()
                        },
                        raw,
                    );
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some(el) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => {
                            let recorder = reader.get_mut();
                            recorder.recording = false;
                            let raw = String::from_utf8_lossy(&std::mem::take(&mut recorder.copy))
                                .into_owned();
                            each(el, raw);
                        }
                    }
                } else if let Some(field) = watched.take() {
                    outside.fields.push(field);
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                } else if let Some((_, v)) = watched.as_mut()
                    && v.len() < OUTSIDE_TEXT_LIMIT
                {
                    v.push_str(&text);
                }
            }
            Event::CData(t) => {
                let text = t.xml10_content();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                } else if let Some((_, v)) = watched.as_mut()
                    && v.len() < OUTSIDE_TEXT_LIMIT
                {
                    v.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => entity(&r.xml10_content()),
                };
                if let Some(c) = c {
                    if let Some(el) = stack.last_mut() {
                        el.text.push(c);
                    } else if let Some((_, v)) = watched.as_mut() {
                        v.push(c);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 || !stack.is_empty() {
        return Err("XMLが途中で終わっています（閉じていない要素があります）。".into());
    }
    if outside.root.is_empty() {
        return Err("XMLに要素がありません。".into());
    }
    Ok(outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_one_at_a_time_with_their_raw_bytes() {
        let xml = "<?xml version=\"1.0\"?><Results><Version>1.0</Version><Hits>2</Hits>\
                   <List><R id=\"1\"><K>a &amp; b</K><D><![CDATA[<x>]]></D></R><R><K>2</K></R><R/></List></Results>";
        let mut got = Vec::new();
        let outside = records(xml.as_bytes(), "R", &["Hits", "Error"], &mut |el, raw| {
            got.push((el.field("K"), el.field("D"), raw));
        })
        .unwrap();
        assert_eq!(outside.root, "Results");
        assert_eq!(outside.fields, [("Hits".to_owned(), "2".to_owned())]);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0.as_deref(), Some("a & b"));
        assert_eq!(got[0].1.as_deref(), Some("<x>"));
        assert_eq!(
            got[0].2,
            "<R id=\"1\"><K>a &amp; b</K><D><![CDATA[<x>]]></D></R>"
        );
        assert_eq!(got[1].2, "<R><K>2</K></R>");
        assert_eq!(got[2].2, "<R/>");
        // A reader that hands out one byte at a time reads the same.
        let mut again = Vec::new();
        records(
            std::io::BufReader::with_capacity(1, xml.as_bytes()),
            "R",
            &[],
            &mut |_, raw| again.push(raw),
        )
        .unwrap();
        assert_eq!(again, got.into_iter().map(|g| g.2).collect::<Vec<_>>());
    }

    #[test]
    fn broken_documents_are_refused_with_a_reason() {
        let read = |doc: &[u8]| records(doc, "R", &[], &mut |_, _| {}).map(|o| o.root);
        assert!(read(b"<a><b></a>").unwrap_err().contains("XML"));
        assert!(read(b"<a>").unwrap_err().contains("途中"));
        assert!(read(b"<a><R>").unwrap_err().contains("途中"));
        assert!(read(b"").unwrap_err().contains("要素がありません"));
        assert!(read(b"not xml at all").is_err());
    }
}
