//! The administration menu: one list of the staff's pages. Who sees an item
//! is read from the route table (the roles its route admits), so the menu
//! never offers a page the role cannot open; a test holds every `/admin`
//! page to having an item here.

use std::sync::LazyLock;

use axum::http::Method;
use domain::Role;

use crate::auth::{RouteSpec, route_table};

/// One item of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuItem {
    pub href: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

const fn item(href: &'static str, title: &'static str, text: &'static str) -> MenuItem {
    MenuItem { href, title, text }
}

/// Every page of the administration area, in the order the menu shows them.
pub const MENU: &[MenuItem] = &[
    item(
        "/admin/companies?status=in_review",
        "利用企業の審査",
        "利用申請を審査し、承認・否認・差し戻しを行います。企業の検索もここから行います。",
    ),
    item(
        "/admin/orders",
        "発注企業の案件の審査",
        "発注企業が登録した民間発注案件・技術ニーズを審査し、公開または差し戻します。",
    ),
    item(
        "/org/tenders",
        "電子入札案件の管理",
        "すべての発注機関の電子入札案件を作成・公告し、資格審査、開札、落札決定を行います。",
    ),
    item(
        "/admin/content",
        "サイトコンテンツ",
        "お知らせ・イベント・コンペティションの投稿と、固定ページ（プロジェクトの紹介、ヘルプ）を作成・公開します。",
    ),
    item(
        "/admin/media",
        "メディアライブラリ",
        "サイトコンテンツに載せる画像と PDF を、代替テキストとともに登録します。",
    ),
    item(
        "/admin/layout",
        "メニューとトップページ",
        "ヘッダー・フッターのメニューと、二つのトップページに並べるブロックを編集します。",
    ),
    item(
        "/admin/content/bundle",
        "ステージングから本番へ",
        "ステージングで書いたコンテンツをバンドルにまとめ、本番で変更点を確かめて取り込みます。取り込み前に戻すこともできます。",
    ),
    item(
        "/admin/organizations",
        "発注機関・契約部署マスタ",
        "発注機関と契約部署を登録・変更します。",
    ),
    item(
        "/admin/industries",
        "業種マスタ",
        "業種の表示名と、利用申請で選べるかどうかを管理します。",
    ),
    item(
        "/admin/masters/member_organizations",
        "加盟団体マスタ",
        "利用申請で選べる加盟団体を管理します。",
    ),
    item(
        "/admin/masters/registration_triggers",
        "登録のきっかけマスタ",
        "利用申請で選べる「このサイトを知ったきっかけ」を管理します。",
    ),
    item(
        "/admin/prefectures",
        "都道府県マスタ",
        "都道府県の表示名を管理します（コードは JIS X 0401）。",
    ),
    item(
        "/admin/master-updates",
        "契約部署マスタの年次更新",
        "来年度の契約部署マスタを取り込み、違いと影響を確かめてから適用します。",
    ),
    item(
        "/admin/staff",
        "職員の管理",
        "職員の一覧、利用停止・再開、役割の変更と、発注組織の職員の登録を行います。",
    ),
    item(
        "/admin/audit",
        "監査ログ",
        "職員の操作、ログイン、個人情報の出力の記録を確認します。",
    ),
    item(
        "/admin/notifications",
        "通知設定の利用状況",
        "おすすめ案件の通知設定の数、よく使われるキーワード、選ばれている条件を確認します。",
    ),
    item(
        "/admin/exports",
        "顧客管理システムへの出力",
        "承認済みの企業の登録内容を、CSVまたはJSON Linesで出力します（監査ログに記録されます）。",
    ),
    item(
        "/admin/imports",
        "取込みの状況",
        "外部の入札情報の取込みの記録と、取り込めなかった記録の理由を確認します。",
    ),
    item(
        "/account/password",
        "パスワードの変更",
        "ご自身のパスワードを変更します。",
    ),
];

static ROUTES: LazyLock<Vec<RouteSpec>> = LazyLock::new(route_table);

/// Whether a route's path (with `{…}` parameters) matches a concrete path.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut s) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b || (a.starts_with('{') && !b.is_empty()) => {}
            _ => return false,
        }
    }
}

/// The GET route an item opens, if any.
fn route_of(item: &MenuItem) -> Option<&'static RouteSpec> {
    let path = item.href.split('?').next().unwrap_or_default();
    ROUTES
        .iter()
        .find(|r| r.method == Method::GET && path_matches(r.path, path))
}

/// The items `role` may open.
pub fn menu_for(role: Role) -> Vec<MenuItem> {
    MENU.iter()
        .filter(|i| route_of(i).is_some_and(|r| r.roles.contains(&role)))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_menu_item_opens_a_page() {
        for item in MENU {
            assert!(route_of(item).is_some(), "{} has no GET route", item.href);
        }
    }

    #[test]
    fn every_admin_page_a_role_may_open_is_in_its_menu() {
        for role in Role::ALL {
            let menu = menu_for(role);
            for route in ROUTES.iter().filter(|r| {
                r.method == Method::GET
                    && r.path.starts_with("/admin/")
                    && !r.path.contains('{')
                    && r.roles.contains(&role)
            }) {
                assert!(
                    menu.iter()
                        .any(|i| i.href.split('?').next() == Some(route.path)),
                    "{} is missing from the menu of {role:?}",
                    route.path
                );
            }
        }
    }

    #[test]
    fn paths_match_their_parameters() {
        assert!(path_matches("/admin/masters/{master}", "/admin/masters/x"));
        assert!(!path_matches("/admin/masters/{master}", "/admin/masters/"));
        assert!(!path_matches("/admin/staff", "/admin/staff/1"));
        assert!(path_matches("/admin/staff", "/admin/staff"));
    }
}
