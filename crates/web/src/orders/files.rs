//! Downloads of uploaded files. A case's document is for everyone once the
//! case is public, and before that for its company and the reviewers; an
//! attachment to an entry's message is for the two companies and the
//! reviewers only; a document of an application to take part in an
//! e-tender is for the applicant and the tender's organisation (and
//! administrators, who act for every organisation) — not for operators, who
//! review companies, not tenders. Anyone else gets 404, so ids reveal nothing.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::Role;
use store::StoredFile;

use super::id_of;
use crate::auth::Viewer;
use crate::{AppState, WebError};

async fn may_see(state: &AppState, viewer: &Viewer, f: &StoredFile) -> Result<bool, WebError> {
    if viewer.has(Role::Admin) {
        return Ok(true);
    }
    if viewer.has(Role::Operator) && f.applicant.is_none() {
        return Ok(true);
    }
    let company = viewer.user.as_ref().and_then(|u| u.company_id);
    // Staff of an ordering organisation see their organisation's cases' files.
    let organization = viewer
        .user
        .as_ref()
        .filter(|u| u.staff_role == Some(domain::StaffRole::OrgStaff))
        .and_then(|u| u.organization_id);
    if let Some((entrant, orderer)) = f.entry_parties {
        return Ok(company.is_some_and(|c| c == entrant || c == orderer));
    }
    let (case_id, applicant) = match (f.applicant, f.case_id) {
        (Some((applicant, case)), _) => (case, Some(applicant)),
        (None, Some(case)) => (case, None),
        (None, None) => return Ok(false),
    };
    let Some(case) = state.store.case(case_id).await? else {
        return Ok(false);
    };
    let staff = organization.is_some() && organization == case.fields.organization_id;
    if let Some(applicant) = applicant {
        // An application's documents: the applicant and the organisation only.
        return Ok(staff || company == Some(applicant));
    }
    Ok(staff
        || case.fields.status.is_public()
        || (company.is_some() && company == case.fields.company_id))
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let file = state
        .store
        .file(id_of(&id)?)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !may_see(&state, &viewer, &file).await? {
        return Err(WebError::not_found());
    }
    let header_value = |s: &str| {
        HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
    };
    let content_type = HeaderValue::from_str(&file.meta.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                header_value(&disposition(&file.meta.name)),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        file.content,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn a_japanese_name_is_sent_percent_encoded_with_an_ascii_fallback() {
        assert_eq!(
            disposition("仕様書 v2.pdf"),
            "attachment; filename=\"___ v2.pdf\"; filename*=UTF-8''%E4%BB%95%E6%A7%98%E6%9B%B8%20v2.pdf"
        );
        assert_eq!(
            disposition("a\"b.txt"),
            "attachment; filename=\"a_b.txt\"; filename*=UTF-8''a%22b.txt"
        );
    }
}
