//! Page types every feature uses: a form page and a message page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;
use crate::forms::Kind;
use crate::forms::{Errors, FieldSet};
use crate::layout::Layout;

/// 422 when the page shows an error the user must fix, 200 otherwise.
pub fn status_for(has_error: bool) -> StatusCode {
    if has_error {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// A page with one form.
#[derive(Debug, Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: Vec<String>,
    pub summary: Vec<(String, String)>,
    pub action: String,
    pub csrf: String,
    pub hidden: Vec<(String, String)>,
    pub sets: Vec<FieldSet>,
    pub submit: String,
    /// Several submit buttons, sent as `intent`: (value, label, primary).
    pub buttons: Vec<(String, String, bool)>,
    pub links: Vec<(String, String)>,
    /// A list shown after the form (a preview of what the form would do).
    pub aside: Option<Aside>,
}

/// A heading, a sentence and a list of links with a note each.
#[derive(Debug, Clone)]
pub struct Aside {
    pub heading: String,
    pub intro: String,
    /// (href, title, note).
    pub items: Vec<(String, String, String)>,
}

impl FormPage {
    pub fn new(
        layout: Layout,
        action: impl Into<String>,
        csrf: &str,
        sets: Vec<FieldSet>,
        submit: &str,
    ) -> Self {
        FormPage {
            heading: layout.title.clone(),
            layout,
            intro: Vec::new(),
            summary: Vec::new(),
            action: action.into(),
            csrf: csrf.to_owned(),
            hidden: Vec::new(),
            sets,
            submit: submit.to_owned(),
            buttons: Vec::new(),
            links: Vec::new(),
            aside: None,
        }
    }

    pub fn aside(mut self, aside: Aside) -> Self {
        self.aside = Some(aside);
        self
    }

    pub fn intro(mut self, p: impl Into<String>) -> Self {
        self.intro.push(p.into());
        self
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.push((href.into(), text.into()));
        self
    }

    /// Adds a submit button sending `intent=value`; the first primary one is the default.
    pub fn button(mut self, value: &str, label: &str, primary: bool) -> Self {
        self.buttons
            .push((value.to_owned(), label.to_owned(), primary));
        self
    }

    /// Whether the form carries files (sent as multipart).
    pub fn is_multipart(&self) -> bool {
        self.sets
            .iter()
            .flat_map(|s| &s.fields)
            .any(|f| f.kind == Kind::Files)
    }

    pub fn hidden(mut self, name: &str, value: &str) -> Self {
        self.hidden.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Shows the form again with `errors` beside their fields (422). What
    /// was typed is kept, but never a password: the summary says so plainly.
    pub fn with_errors(mut self, errors: &Errors) -> Self {
        self.summary = errors.apply(&mut self.sets);
        let password = self
            .sets
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.kind == Kind::Password);
        if let Some(field) = password
            && !self.summary.is_empty()
        {
            self.summary.push((
                field.id(),
                "安全のため、入力したパスワードは消去しました。パスワードをもう一度入力してください。"
                    .to_owned(),
            ));
        }
        self
    }

    pub fn respond(self) -> Result<Response, WebError> {
        render(&self, status_for(!self.summary.is_empty()))
    }
}

/// A page that says something happened and where to go next.
#[derive(Debug, Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    /// What just happened, announced (`role="status"`) above the paragraphs.
    pub status: Option<String>,
    pub paragraphs: Vec<String>,
    pub links: Vec<(String, String)>,
}

impl MessagePage {
    pub fn new(layout: Layout, paragraphs: &[&str]) -> Self {
        MessagePage {
            heading: layout.title.clone(),
            layout,
            status: None,
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            links: Vec::new(),
        }
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.push((href.into(), text.into()));
        self
    }

    /// A short message on what the action did (保存しました …), `role="status"`.
    pub fn status(mut self, text: impl Into<String>) -> Self {
        self.status = Some(text.into());
        self
    }

    pub fn respond(self, status: StatusCode) -> Result<Response, WebError> {
        render(&self, status)
    }
}

/// The `done` of an action's redirect (`?done=saved`), for `Layout::notice`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
}
