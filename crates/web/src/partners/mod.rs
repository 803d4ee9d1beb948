//! The business-partner directory (issue 16): a company's public profile at
//! `/partners/{id}`, as the reader may see it — visitors the fields the
//! company made public, members (signed-in approved companies and staff)
//! those for members too. Contact details are never shown here.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Role;
use domain::directory::{Audience, certification, is_stale, programme_label};
use store::ShownProfile;

use crate::auth::{COMPANY, Guarded, PUBLIC, Viewer, now_ms};
use crate::layout::Layout;
use crate::pages::render;
use crate::{AppState, WebError};

mod edit;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/partners/{id}", PUBLIC, axum::routing::get(profile))
        .get("/mypage/profile", COMPANY, axum::routing::get(edit::form))
        .post("/mypage/profile", COMPANY, axum::routing::post(edit::save))
}

/// Who reads: members are signed-in users of approved companies and staff.
pub fn audience(viewer: &Viewer) -> Audience {
    let member = [
        Role::ReceivingCompany,
        Role::OrderingCompany,
        Role::Operator,
        Role::Admin,
        Role::Ops,
        Role::OrgStaff,
    ]
    .iter()
    .any(|r| viewer.has(*r));
    if member {
        Audience::Member
    } else {
        Audience::Visitor
    }
}

#[derive(Template)]
#[template(path = "partner.html")]
struct ProfilePage {
    layout: Layout,
    p: ShownProfile,
    prefecture: String,
    /// (section, division) names.
    industries: Vec<(String, String)>,
    certifications: Vec<&'static str>,
    member_organizations: Vec<String>,
    programmes: Vec<String>,
    verified: bool,
    stale: bool,
    updated: String,
    members_only_note: bool,
}

async fn profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::not_found())?;
    let Some(profile) = state.store.company_profile(id).await? else {
        return Err(WebError::not_found());
    };
    if !profile.is_listed() {
        return Err(WebError::not_found());
    }
    let audience = audience(&viewer);
    let p = profile.shown(audience);
    let prefecture = state
        .store
        .prefectures()
        .await?
        .into_iter()
        .find(|(code, _)| *code == p.prefecture_code)
        .map(|(_, name)| name)
        .unwrap_or_default();
    let divisions = state.store.industry_divisions().await?;
    let industries = p
        .industries
        .iter()
        .filter_map(|code| divisions.iter().find(|d| &d.code == code))
        .map(|d| (d.section_name.clone(), d.name.clone()))
        .collect();
    let member_organizations = match &p.member_organization_ids {
        Some(ids) => state
            .store
            .master_items(store::SimpleMaster::MemberOrganizations, true)
            .await?
            .into_iter()
            .filter(|m| ids.contains(&m.id))
            .map(|m| m.name)
            .collect(),
        None => Vec::new(),
    };
    let verified = profile
        .company
        .corporate_number
        .as_deref()
        .is_some_and(|n| domain::CorporateNumber::parse(n).is_ok());
    let page = ProfilePage {
        layout: Layout::for_viewer(p.name.clone(), &viewer),
        certifications: p
            .certifications
            .iter()
            .flatten()
            .filter_map(|c| certification(c))
            .collect(),
        programmes: p
            .programmes
            .iter()
            .flatten()
            .filter_map(|c| programme_label(c))
            .collect(),
        prefecture,
        industries,
        member_organizations,
        verified,
        stale: is_stale(p.updated_at, now_ms()),
        updated: domain::time::jst_date(p.updated_at),
        members_only_note: audience == Audience::Visitor
            && profile
                .edit
                .visibility
                .values()
                .any(|v| *v == domain::directory::Visibility::Members),
        p,
    };
    render(&page, StatusCode::OK)
}
