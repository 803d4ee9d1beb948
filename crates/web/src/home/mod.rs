//! The top page: what the portal is for, and where to go from here.

use askama::Template;
use axum::response::Html;
use axum::routing::get;

use crate::WebError;
use crate::auth::{Guarded, Viewer};
use crate::layout::Layout;

pub fn routes(g: Guarded) -> Guarded {
    g.shared("/", get(home))
}

struct Feature {
    href: &'static str,
    title: &'static str,
    text: &'static str,
}

struct Step {
    title: &'static str,
    text: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    /// Visitors are shown the way in (利用申請).
    signed_in: bool,
    features: &'static [Feature],
    steps: &'static [Step],
    /// What operators arranged below the search box (none: the portal's
    /// own introduction instead).
    blocks: Vec<crate::blocks::BlockView>,
}

// Each card leads to a page that exists: a search already narrowed to the
// cases it speaks of, or the settings it describes.
const FEATURES: &[Feature] = &[
    Feature {
        href: "/cases?kind=public_tender",
        title: "官公需・入札情報を探す",
        text: "国の官公需情報ポータルサイト、東京都財務局、都内区市町村の入札・調達情報をまとめて、キーワードや地域、業種から検索できます。",
    },
    Feature {
        href: "/cases?kind=e_tender",
        title: "電子調達に参加する",
        text: "公的団体が発注する案件に、参加申請から入札書の提出、開札結果の確認まで、オンラインで参加できます。",
    },
    Feature {
        href: "/cases?kind=private_order&kind=technical_need",
        title: "民間発注案件・技術ニーズに応える",
        text: "企業が掲載した発注案件や技術ニーズにエントリーして、自社の技術や製品を提案できます。",
    },
    Feature {
        href: "/mypage/notifications",
        title: "おすすめ案件をメールで受け取る",
        text: "業種やキーワードを登録しておくと、条件に合う新着案件をメールでお知らせします（ログインが必要です）。",
    },
];

const STEPS: &[Step] = &[
    Step {
        title: "利用申請",
        text: "会社の情報とご担当者の情報を入力して、利用を申請します。",
    },
    Step {
        title: "審査",
        text: "運営事務局が申請内容を確認し、結果をメールでお知らせします。",
    },
    Step {
        title: "ご利用開始",
        text: "ログインして、案件へのエントリーや入札への参加、おすすめ案件メールの設定ができます。",
    },
];

async fn home(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    viewer: Viewer,
) -> Result<Html<String>, WebError> {
    let page = HomePage {
        blocks: crate::blocks::views(&state, "navi").await?,
        signed_in: viewer.user.is_some(),
        layout: Layout::for_viewer("", &viewer),
        features: FEATURES,
        steps: STEPS,
    };
    Ok(Html(page.render().map_err(WebError::internal)?))
}
