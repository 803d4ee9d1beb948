//! Field-level differences between two states of an item (a revision and the
//! live version, or production and a bundle): which fields changed, and for
//! text the lines added and removed.

use similar::{ChangeTag, TextDiff};

/// How one field differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// A line of a text field's difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `-` removed, `+` added, ` ` kept.
    pub sign: char,
    pub text: String,
}

/// One field compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    /// The field's Japanese label.
    pub field: &'static str,
    pub change: Change,
    /// The changed lines with up to [`CONTEXT`] kept lines around them.
    pub lines: Vec<Line>,
}

/// Unchanged lines shown around a change.
pub const CONTEXT: usize = 2;

/// Compares `old` and `new`, field by field (each a label and a value, none
/// when the field is empty or absent); fields are matched by label.
pub fn fields(
    old: &[(&'static str, Option<String>)],
    new: &[(&'static str, Option<String>)],
) -> Vec<FieldDiff> {
    let mut labels: Vec<&'static str> = old.iter().map(|f| f.0).collect();
    for (l, _) in new {
        if !labels.contains(l) {
            labels.push(l);
        }
    }
    labels
        .into_iter()
        .map(|field| {
            let find = |fs: &[(&'static str, Option<String>)]| {
                fs.iter().find(|f| f.0 == field).and_then(|f| f.1.clone())
            };
            let (a, b) = (find(old), find(new));
            let change = match (&a, &b) {
                (None, None) => Change::Unchanged,
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (Some(x), Some(y)) if x == y => Change::Unchanged,
                _ => Change::Changed,
            };
            let lines = if change == Change::Unchanged {
                Vec::new()
            } else {
                lines(a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""))
            };
            FieldDiff {
                field,
                change,
                lines,
            }
        })
        .collect()
}

/// The lines of `b` against `a`, with context around each change.
pub fn lines(a: &str, b: &str) -> Vec<Line> {
    let diff = TextDiff::from_lines(a, b);
    let mut out = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        for op in group {
            for change in diff.iter_changes(&op) {
                out.push(Line {
                    sign: match change.tag() {
                        ChangeTag::Delete => '-',
                        ChangeTag::Insert => '+',
                        ChangeTag::Equal => ' ',
                    },
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(label: &'static str, v: &str) -> (&'static str, Option<String>) {
        (label, (!v.is_empty()).then(|| v.to_owned()))
    }

    #[test]
    fn each_field_says_whether_it_was_added_removed_changed_or_kept() {
        let old = [
            f("タイトル", "展示会"),
            f("本文", "一行目\n二行目\n"),
            f("会場", "東京ビッグサイト"),
        ];
        let new = [
            f("タイトル", "展示会"),
            f("本文", "一行目\n三行目\n"),
            f("会場", ""),
            f("タグ", "商談会"),
        ];
        let d = fields(&old, &new);
        let by = |l: &str| d.iter().find(|x| x.field == l).expect("field");
        assert_eq!(by("タイトル").change, Change::Unchanged);
        assert_eq!(by("会場").change, Change::Removed);
        assert_eq!(by("タグ").change, Change::Added);
        let body = by("本文");
        assert_eq!(body.change, Change::Changed);
        assert_eq!(
            body.lines
                .iter()
                .map(|l| format!("{}{}", l.sign, l.text))
                .collect::<Vec<_>>(),
            [" 一行目", "-二行目", "+三行目"]
        );
    }

    proptest! {
        #[test]
        fn the_new_text_is_the_kept_and_added_lines(a in "(\\PC{0,8}\n){0,12}", b in "(\\PC{0,8}\n){0,12}") {
            let all = TextDiff::from_lines(&a, &b);
            let rebuilt: String = all.iter_all_changes()
                .filter(|c| c.tag() != ChangeTag::Delete)
                .map(|c| c.value().to_owned()).collect();
            prop_assert_eq!(rebuilt, b.clone());
            prop_assert_eq!(lines(&a, &b).is_empty(), a == b);
        }
    }
}
