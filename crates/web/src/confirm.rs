//! The confirmation step every action that cannot be undone goes through
//! (辞退, 取引先の選定, 取り下げ, 中止, 入札 …), without JavaScript: the
//! first POST (or a GET) shows what will happen and what cannot be undone,
//! with the values in hidden fields, the CSRF token and `confirm=1`; only
//! that confirmed POST acts.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::WebError;
use crate::forms::FormData;
use crate::layout::Layout;
use crate::pages::render;

/// Whether the form is the confirmed second step (not 「修正する」).
pub fn confirmed(form: &FormData) -> bool {
    form.get("confirm") == "1" && !editing(form)
}

/// Whether 「修正する」 was pressed on a confirmation page.
pub fn editing(form: &FormData) -> bool {
    form.get("intent") == "edit"
}

/// A page asking the user to confirm one action.
#[derive(Debug, Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    /// What will happen, in a sentence.
    pub lead: String,
    /// The facts the action is about (label, value).
    pub facts: Vec<(String, String)>,
    /// What cannot be undone afterwards.
    pub warning: String,
    pub action: String,
    pub csrf: String,
    pub hidden: Vec<(String, String)>,
    /// The primary button: the first, so Enter confirms.
    pub confirm_label: String,
    /// A second button back to the form with the values kept (`intent=edit`).
    pub edit_label: Option<String>,
    /// (href, text) of the way back without acting.
    pub cancel: (String, String),
}

impl ConfirmPage {
    /// `layout`'s title is the heading: 「…してよろしいですか」.
    pub fn new(layout: Layout, action: impl Into<String>, csrf: &str, confirm_label: &str) -> Self {
        ConfirmPage {
            heading: layout.title.clone(),
            layout,
            lead: String::new(),
            facts: Vec::new(),
            warning: String::new(),
            action: action.into(),
            csrf: csrf.to_owned(),
            hidden: Vec::new(),
            confirm_label: confirm_label.to_owned(),
            edit_label: None,
            cancel: (String::from("/mypage"), String::from("マイページに戻る")),
        }
    }

    pub fn lead(mut self, text: impl Into<String>) -> Self {
        self.lead = text.into();
        self
    }

    pub fn fact(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.facts.push((label.into(), value.into()));
        self
    }

    pub fn warning(mut self, text: impl Into<String>) -> Self {
        self.warning = text.into();
        self
    }

    /// A value carried to the confirmed POST (`confirm` is added by the page).
    pub fn hidden(mut self, name: &str, value: impl Into<String>) -> Self {
        self.hidden.push((name.to_owned(), value.into()));
        self
    }

    pub fn edit(mut self, label: &str) -> Self {
        self.edit_label = Some(label.to_owned());
        self
    }

    pub fn cancel(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.cancel = (href.into(), text.into());
        self
    }

    pub fn respond(self) -> Result<Response, WebError> {
        render(&self, StatusCode::OK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_confirm_one_without_edit_is_confirmed() {
        let f = |pairs: &[(&str, &str)]| {
            FormData::from_pairs(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        };
        assert!(!confirmed(&f(&[])));
        assert!(!confirmed(&f(&[("confirm", "on")])));
        assert!(confirmed(&f(&[("confirm", "1")])));
        assert!(!confirmed(&f(&[("confirm", "1"), ("intent", "edit")])));
        assert!(editing(&f(&[("confirm", "1"), ("intent", "edit")])));
    }
}
