//! A small element tree over quick-xml's events: enough for record-shaped
//! XML (a list of records, each a flat set of fields with a few lists), and
//! the byte range of each element, so that a record can be kept raw.

use quick_xml::Reader;
use quick_xml::events::Event;

/// An element: its local name, its text (entities resolved), its children,
/// and where it sits in the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
    pub start: usize,
    pub end: usize,
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

/// Reads a whole document into a tree; a message in Japanese says where it
/// is not well-formed.
pub fn parse(input: &[u8]) -> Result<Element, String> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            format!(
                "XMLとして読めません（{}バイト目付近）：{e}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(e) => stack.push(Element {
                name: e.local_name().as_ref().to_string(),
                start: before,
                ..Element::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    name: e.local_name().as_ref().to_string(),
                    start: before,
                    end: reader.buffer_position() as usize,
                    ..Element::default()
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Event::End(_) => {
                let mut el = stack.pop().ok_or("XMLの終了タグが多すぎます。")?;
                el.end = reader.buffer_position() as usize;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Err("XMLの終了タグが多すぎます。".into()),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => entity(&r.xml10_content()),
                };
                if let (Some(el), Some(c)) = (stack.last_mut(), c) {
                    el.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("XMLが途中で終わっています（閉じていない要素があります）。".into());
    }
    let mut root = stack.pop().unwrap_or_default();
    match root.children.len() {
        1 => Ok(root.children.remove(0)),
        0 => Err("XMLに要素がありません。".into()),
        _ => Err("XMLの最上位の要素が複数あります。".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_entities_and_cdata_are_read_and_positions_kept() {
        let xml =
            "<?xml version=\"1.0\"?><a><b>A &amp; B &#x3042;</b><c><![CDATA[<x>]]></c><d/></a>";
        let root = parse(xml.as_bytes()).unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.field("b").as_deref(), Some("A & B あ"));
        assert_eq!(root.field("c").as_deref(), Some("<x>"));
        let b = root.child("b").unwrap();
        assert_eq!(&xml[b.start..b.end], "<b>A &amp; B &#x3042;</b>");
        assert!(root.child("d").is_some());
    }

    #[test]
    fn broken_documents_are_refused_with_a_reason() {
        assert!(parse(b"<a><b></a>").unwrap_err().contains("XML"));
        assert!(parse(b"<a>").unwrap_err().contains("途中"));
        assert!(parse(b"").unwrap_err().contains("要素がありません"));
        assert!(parse(b"not xml at all").is_err());
    }
}
