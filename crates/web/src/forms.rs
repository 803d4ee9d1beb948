//! Forms as data: each page lists its fields, one template draws them all with
//! labels, hints, what the user typed, and errors tied to their fields — and
//! an error summary at the top that links to each field.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{FromRequest, Request};

use crate::auth::Viewer;
use crate::{ErrorKind, WebError};

/// A submitted form, as name/value pairs in order (a name may repeat), and
/// for a `multipart/form-data` form the files it carried.
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>, Vec<Upload>);

/// A file as the browser sent it, not yet checked.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field it came in.
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl FormData {
    /// A form from name/value pairs (a JSON body read as a form, or values to show).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        FormData(pairs, Vec::new())
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// The files sent in field `name` (empty file inputs left out).
    pub fn files(&self, name: &str) -> Vec<&Upload> {
        self.1.iter().filter(|u| u.field == name).collect()
    }

    /// Checks the CSRF token the form carries against the viewer's.
    pub fn check_csrf(&self, viewer: &Viewer) -> Result<(), WebError> {
        viewer.check_csrf(self.get("csrf_token"))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            return read_multipart(req, state).await;
        }
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| {
                WebError::new(
                    ErrorKind::BadRequest,
                    "送信された内容を読み取れませんでした。ページを開き直してから、もう一度送信してください。",
                )
            })?;
        Ok(FormData(pairs, Vec::new()))
    }
}

fn unreadable() -> WebError {
    WebError::new(
        ErrorKind::BadRequest,
        "送信された内容を読み取れませんでした。ページを開き直してから、もう一度送信してください。",
    )
}

/// Reads a `multipart/form-data` body: text fields as pairs, files as uploads.
/// A body over the size limit is 413, anything malformed 400.
async fn read_multipart<S: Send + Sync>(req: Request, state: &S) -> Result<FormData, WebError> {
    let mut parts = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|_| unreadable())?;
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::new(
                ErrorKind::PayloadTooLarge,
                "添付ファイルが大きすぎます。合計の大きさを小さくして、もう一度送信してください。",
            )
        } else {
            unreadable()
        }
    };
    let mut form = FormData::default();
    while let Some(field) = parts.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(failed)?;
                // A file input left empty still sends a part with no name.
                if !file_name.is_empty() || !bytes.is_empty() {
                    form.1.push(Upload {
                        field: name,
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.map_err(failed)?;
                form.0.push((name, text));
            }
        }
    }
    Ok(form)
}

/// Checks the files sent in `name`: each by `domain::upload::check`, at most
/// `domain::upload::MAX_FILES`; errors go to the field.
pub fn checked_files(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
) -> Vec<store::NewFile> {
    let uploads = form.files(name);
    if uploads.len() > domain::upload::MAX_FILES {
        errors.add(
            name,
            format!(
                "添付できるファイルは{}個までです。",
                domain::upload::MAX_FILES
            ),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    for u in uploads {
        match domain::upload::check(&u.file_name, &u.bytes) {
            Ok(c) => files.push(store::NewFile {
                name: c.name,
                content_type: c.content_type.to_owned(),
                bytes: u.bytes.clone(),
            }),
            Err(e) => errors.add(name, e.message()),
        }
    }
    files
}

/// The fields for a record's documents: those attached already (ticked to
/// remove) and new files, with the limits in the hint after `lead`.
pub fn document_fields(
    documents: &[store::FileMeta],
    removed: Vec<String>,
    label: &str,
    lead: &str,
    max_body_bytes: usize,
) -> Vec<Field> {
    let mut fields = Vec::new();
    if !documents.is_empty() {
        fields.push(
            Field::new(
                "remove_file",
                "添付済みの資料（削除するものにチェック）",
                Kind::Checkboxes(
                    documents
                        .iter()
                        .map(|d| {
                            (
                                d.id.to_string(),
                                format!("{}（{}）", d.name, domain::upload::size_label(d.size)),
                            )
                        })
                        .collect(),
                ),
            )
            .values(removed),
        );
    }
    fields.push(
        Field::new("files", label, Kind::Files)
            .hint(format!(
                "{lead}{}個まで、1ファイル{}MBまで（送信する合計も{}MBまで）。添付できる形式：{}",
                domain::upload::MAX_FILES,
                domain::upload::MAX_FILE_BYTES / 1024 / 1024,
                max_body_bytes / 1024 / 1024,
                domain::upload::accepted_extensions()
            ))
            .value(domain::upload::accept_attribute()),
    );
    fields
}

/// What kind of control a field is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Password,
    Tel,
    Url,
    Number,
    TextArea,
    /// One choice from a list: (value, label).
    Select(Vec<(String, String)>),
    /// Any number of choices.
    Checkboxes(Vec<(String, String)>),
    /// One choice shown as radio buttons.
    Radios(Vec<(String, String)>),
    /// A single yes/no box; `label` is its text.
    Checkbox,
    /// A date and time (JST), typed or picked.
    DateTime,
    /// Files to attach (several); the form is sent as multipart.
    Files,
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub values: Vec<String>,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: Option<&'static str>,
}

impl Field {
    pub fn new(name: &'static str, label: impl Into<String>, kind: Kind) -> Self {
        Field {
            name,
            label: label.into(),
            kind,
            value: String::new(),
            values: Vec::new(),
            required: false,
            hint: None,
            error: None,
            autocomplete: None,
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    pub fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }

    pub fn values(mut self, v: Vec<String>) -> Self {
        self.values = v;
        self
    }

    /// The HTML `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Password => "password",
            Kind::Tel => "tel",
            Kind::Url => "url",
            Kind::DateTime => "datetime-local",
            Kind::Number => "text",
            _ => "text",
        }
    }

    pub fn inputmode(&self) -> Option<&'static str> {
        matches!(self.kind, Kind::Number).then_some("numeric")
    }

    pub fn is_input(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text
                | Kind::Email
                | Kind::Password
                | Kind::Tel
                | Kind::Url
                | Kind::Number
                | Kind::DateTime
        )
    }

    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The ids that describe the field: its hint and its error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        ids.join(" ")
    }

    pub fn is_selected(&self, option: &str) -> bool {
        self.value == option || self.values.iter().any(|v| v == option)
    }

    pub fn options(&self) -> &[(String, String)] {
        match &self.kind {
            Kind::Select(o) | Kind::Checkboxes(o) | Kind::Radios(o) => o,
            _ => &[],
        }
    }
}

/// A group of fields under a legend (or none).
#[derive(Debug, Clone)]
pub struct FieldSet {
    pub legend: Option<String>,
    pub fields: Vec<Field>,
}

impl FieldSet {
    pub fn new(legend: Option<&str>, fields: Vec<Field>) -> Self {
        FieldSet {
            legend: legend.map(str::to_owned),
            fields,
        }
    }
}

/// Errors by field name, collected while parsing a form.
#[derive(Debug, Clone, Default)]
pub struct Errors(BTreeMap<&'static str, String>);

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every error in one sentence, for a JSON error's message.
    pub fn joined(&self) -> String {
        self.0.values().cloned().collect::<Vec<_>>().join(" ")
    }

    /// (field, message) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    /// Takes the value of a parse, or records its error and gives `None`.
    pub fn take<T>(&mut self, field: &'static str, r: Result<T, domain::Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.message());
                None
            }
        }
    }

    /// Puts each error beside its field, and returns the summary entries in
    /// the order the fields appear.
    pub fn apply(&self, sets: &mut [FieldSet]) -> Vec<(String, String)> {
        let mut summary = Vec::new();
        for field in sets.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            if let Some(e) = self.0.get(field.name) {
                field.error = Some(e.clone());
                summary.push((field.id(), e.clone()));
            }
        }
        for (name, e) in &self.0 {
            if !sets.iter().flat_map(|s| &s.fields).any(|f| f.name == *name) {
                summary.push((String::new(), e.clone()));
            }
        }
        summary
    }
}

/// Required text: trimmed and normalised, at most `max` characters.
pub fn required_text(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
    label: &str,
    max: usize,
) -> String {
    let v = domain::text::tidy(form.get(name));
    if v.is_empty() {
        errors.add(name, format!("{label}を入力してください。"));
    } else if v.chars().count() > max {
        errors.add(name, format!("{label}は{max}文字以内で入力してください。"));
    }
    v
}

/// Required text of several lines (a description): tidied as
/// `domain::text::tidy_lines`, its paragraphs and line breaks kept.
pub fn required_lines(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
    label: &str,
    max: usize,
) -> String {
    let v = domain::text::tidy_lines(form.get(name));
    if v.is_empty() {
        errors.add(name, format!("{label}を入力してください。"));
    } else if v.chars().count() > max {
        errors.add(name, format!("{label}は{max}文字以内で入力してください。"));
    }
    v
}

/// An optional date and time in JST (a date alone means `default_hour`:00).
pub fn optional_datetime(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
    label: &str,
    default_hour: u32,
) -> Option<i64> {
    let raw = form.get(name).trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = domain::time::parse_jst_datetime(raw, default_hour);
    if parsed.is_none() {
        errors.add(
            name,
            format!("{label}は「2026-12-01 17:00」の形で入力してください。"),
        );
    }
    parsed
}

/// Optional text, trimmed; too long is an error.
pub fn optional_text(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
    label: &str,
    max: usize,
) -> String {
    let v = form.get(name).trim().to_owned();
    if v.chars().count() > max {
        errors.add(name, format!("{label}は{max}文字以内で入力してください。"));
    }
    v
}

/// An optional whole number, typed with full-width digits and commas if need be.
pub fn optional_number(
    errors: &mut Errors,
    form: &FormData,
    name: &'static str,
    label: &str,
    max: i64,
) -> Option<i64> {
    let raw = domain::text::normalize(form.get(name)).replace([',', ' '], "");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        _ => {
            errors.add(name, format!("{label}は0以上の整数で入力してください。"));
            None
        }
    }
}

/// A form's choices — (value, label) pairs — from an enum's values.
pub fn options<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let (code, label) = f(*v);
            (code.to_owned(), label.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_typed_number_is_read_in_range_or_refused_beside_its_field(s in "[0-9０-９,， ]{0,12}|\\PC{0,20}") {
            let form = FormData::from_pairs(vec![("n".into(), s)]);
            let mut errors = Errors::default();
            if let Some(n) = optional_number(&mut errors, &form, "n", "数", 1_000_000) {
                prop_assert!((0..=1_000_000).contains(&n));
            }
        }
    }

    #[test]
    fn errors_go_beside_their_fields_and_into_the_summary_in_field_order() {
        let mut sets = vec![FieldSet::new(
            None,
            vec![
                Field::new("a", "A", Kind::Text),
                Field::new("b", "B", Kind::Text).hint("ヒント"),
            ],
        )];
        let mut e = Errors::default();
        e.add("b", "Bが違います");
        e.add("a", "Aが違います");
        e.add("a", "二つ目は無視");
        let summary = e.apply(&mut sets);
        assert_eq!(
            summary,
            [
                ("f-a".into(), "Aが違います".into()),
                ("f-b".into(), "Bが違います".into())
            ]
        );
        assert_eq!(sets[0].fields[1].described_by(), "f-b-hint f-b-error");
    }

    #[test]
    fn numbers_accept_full_width_digits_and_commas() {
        let form = FormData(
            vec![("n".into(), "１,０００".into()), ("m".into(), "-5".into())],
            Vec::new(),
        );
        let mut e = Errors::default();
        assert_eq!(
            optional_number(&mut e, &form, "n", "資本金", i64::MAX),
            Some(1000)
        );
        assert_eq!(optional_number(&mut e, &form, "m", "従業員数", 100), None);
        assert!(e.get("m").is_some());
    }
}
