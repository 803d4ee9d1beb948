//! The administration area: the review queue, masters, staff, audit log.

mod audit;
mod companies;
mod exports;
mod imports;
mod industries;
mod master_updates;
mod masters;
mod organizations;
mod staff;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::StaffRole;

use crate::WebError;
use crate::auth::{ADMIN, AUDITORS, Guarded, PORTAL_STAFF, REVIEWERS, Viewer};
use crate::layout::Layout;
use crate::pages::render;

pub fn routes(g: Guarded) -> Guarded {
    g.get("/admin", PORTAL_STAFF, get(home))
        .get("/admin/companies", REVIEWERS, get(companies::list))
        .get("/admin/companies/{id}", REVIEWERS, get(companies::show))
        .post(
            "/admin/companies/{id}/review",
            REVIEWERS,
            post(companies::review),
        )
        .post(
            "/admin/companies/{id}/legal",
            REVIEWERS,
            post(companies::review_legal),
        )
        .post(
            "/admin/companies/{id}/dealings",
            REVIEWERS,
            post(companies::review_dealings),
        )
        .get("/admin/masters/{master}", ADMIN, get(masters::list))
        .post("/admin/masters/{master}", ADMIN, post(masters::add))
        .post("/admin/masters/{master}/{id}", ADMIN, post(masters::update))
        .get("/admin/organizations", ADMIN, get(organizations::list))
        .post("/admin/organizations", ADMIN, post(organizations::add))
        .get("/admin/organizations/{id}", ADMIN, get(organizations::show))
        .post(
            "/admin/organizations/{id}",
            ADMIN,
            post(organizations::update),
        )
        .post(
            "/admin/organizations/{id}/departments",
            ADMIN,
            post(organizations::add_department),
        )
        .post(
            "/admin/organizations/{id}/departments/{dept}",
            ADMIN,
            post(organizations::update_department),
        )
        .get("/admin/master-updates", ADMIN, get(master_updates::list))
        .post("/admin/master-updates", ADMIN, post(master_updates::upload))
        .get(
            "/admin/master-updates/{id}",
            ADMIN,
            get(master_updates::show),
        )
        .post(
            "/admin/master-updates/{id}/apply",
            ADMIN,
            post(master_updates::apply),
        )
        .post(
            "/admin/master-updates/{id}/discard",
            ADMIN,
            post(master_updates::discard),
        )
        .get("/admin/exports", ADMIN, get(exports::show))
        .post("/admin/exports/companies", ADMIN, post(exports::companies))
        .get("/admin/imports", PORTAL_STAFF, get(imports::list))
        .post("/admin/imports", imports::STARTERS, post(imports::upload))
        .post(
            "/admin/imports/schedules/{n}",
            imports::STARTERS,
            post(imports::run_schedule),
        )
        .get("/admin/imports/{id}", PORTAL_STAFF, get(imports::show))
        .get("/admin/industries", ADMIN, get(industries::list))
        .get("/admin/prefectures", ADMIN, get(industries::prefectures))
        .post(
            "/admin/prefectures/{code}",
            ADMIN,
            post(industries::rename_prefecture),
        )
        .post("/admin/industries/{code}", ADMIN, post(industries::update))
        .get("/admin/staff", ADMIN, get(staff::form))
        .post("/admin/staff", ADMIN, post(staff::create))
        .get("/admin/audit", AUDITORS, get(audit::list))
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct Home {
    layout: Layout,
    user_name: String,
    role_label: &'static str,
    items: Vec<(&'static str, &'static str, &'static str)>,
}

async fn home(viewer: Viewer) -> Result<Response, WebError> {
    let user = viewer.user()?;
    let role = user.staff_role.unwrap_or(StaffRole::Operator);
    let mut items = Vec::new();
    if matches!(role, StaffRole::Admin | StaffRole::Operator) {
        items.push((
            "/admin/companies?status=in_review",
            "利用企業の審査",
            "利用申請を審査し、承認・否認・差し戻しを行います。",
        ));
        items.push((
            "/admin/orders",
            "発注企業の案件の審査",
            "発注企業が登録した民間発注案件・技術ニーズを審査し、公開または差し戻します。",
        ));
    }
    if role == StaffRole::Admin {
        items.push((
            "/org/tenders",
            "電子入札案件の管理",
            "すべての発注機関の電子入札案件を作成・公告し、資格審査、開札、落札決定を行います。",
        ));
        items.push((
            "/admin/masters/member_organizations",
            "加盟団体マスタ",
            "利用申請で選べる加盟団体を管理します。",
        ));
        items.push((
            "/admin/masters/registration_triggers",
            "登録のきっかけマスタ",
            "利用申請で選べる「このサイトを知ったきっかけ」を管理します。",
        ));
        items.push((
            "/admin/prefectures",
            "都道府県マスタ",
            "都道府県の表示名を管理します（コードは JIS X 0401）。",
        ));
        items.push((
            "/admin/staff",
            "発注組織の職員",
            "発注組織の職員のアカウントを作成します。",
        ));
    }
    if matches!(role, StaffRole::Admin | StaffRole::Ops) {
        items.push((
            "/admin/audit",
            "監査ログ",
            "職員の操作、ログイン、個人情報の出力の記録を確認します。",
        ));
    }
    if role == StaffRole::Admin {
        items.push((
            "/admin/master-updates",
            "契約部署マスタの年次更新",
            "来年度の契約部署マスタを取り込み、違いと影響を確かめてから適用します。",
        ));
        items.push((
            "/admin/notifications",
            "通知設定の利用状況",
            "おすすめ案件の通知設定の数、よく使われるキーワード、選ばれている条件を確認します。",
        ));
        items.push((
            "/admin/exports",
            "顧客管理システムへの出力",
            "承認済みの企業の登録内容を、CSVまたはJSON Linesで出力します（監査ログに記録されます）。",
        ));
    }
    items.push((
        "/admin/imports",
        "取込みの状況",
        "外部の入札情報の取込みの記録と、取り込めなかった記録の理由を確認します。",
    ));
    items.push((
        "/account/password",
        "パスワードの変更",
        "ご自身のパスワードを変更します。",
    ));
    render(
        &Home {
            layout: Layout::for_viewer("管理画面", &viewer),
            user_name: user.name.clone(),
            role_label: role.label(),
            items,
        },
        StatusCode::OK,
    )
}

/// The acting staff member, for the audit log.
pub(crate) fn actor(viewer: &Viewer, ip: &str) -> Result<store::Actor, WebError> {
    let user = viewer.user()?;
    let role = user.staff_role.map_or("", StaffRole::label);
    Ok(store::Actor {
        user_id: Some(user.id),
        label: format!("{role} {}", user.name),
        ip: Some(ip.to_owned()),
    })
}
