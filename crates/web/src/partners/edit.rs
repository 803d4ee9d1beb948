//! A company's own profile in the directory (`/mypage/profile`): whether it
//! is listed, what it adds to its application's fields, and who sees each
//! field. The company's administrators edit it.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::directory::{CERTIFICATIONS, ProfileField, Visibility};
use store::ProfileEdit;

use crate::auth::{ClientIp, Viewer, actor, now_ms};
use crate::errors::ErrorKind;
use crate::forms::{Errors, Field, FieldSet, FormData, Kind};
use crate::layout::Layout;
use crate::pages::FormPage;
use crate::{AppState, WebError};

/// The form's name for each field's visibility.
const VISIBILITY: &[(ProfileField, &str)] = &[
    (ProfileField::NameKana, "vis_name_kana"),
    (ProfileField::Municipality, "vis_municipality"),
    (ProfileField::Description, "vis_description"),
    (ProfileField::Products, "vis_products"),
    (ProfileField::Keywords, "vis_keywords"),
    (ProfileField::Certifications, "vis_certifications"),
    (
        ProfileField::MemberOrganizations,
        "vis_member_organizations",
    ),
    (ProfileField::Capital, "vis_capital"),
    (ProfileField::Employees, "vis_employees"),
    (ProfileField::Founded, "vis_founded"),
    (ProfileField::Website, "vis_website"),
    (ProfileField::Programmes, "vis_programmes"),
];

const MAX_MUNICIPALITY: usize = 40;
const MAX_PRODUCTS: usize = 2000;
const MAX_INDUSTRIES: usize = 5;

/// The signed-in user's company, if they administer it.
fn own_company(viewer: &Viewer) -> Result<i64, WebError> {
    let user = viewer.user()?;
    match user.company_id {
        Some(c) if user.company_admin => Ok(c),
        _ => Err(WebError::new(
            ErrorKind::Forbidden,
            "プロフィールは会社の管理者が編集します。管理者にご依頼ください。",
        )),
    }
}

async fn sets(state: &AppState, edit: &ProfileEdit) -> Result<Vec<FieldSet>, WebError> {
    let divisions = state
        .store
        .industry_divisions()
        .await?
        .into_iter()
        .map(|d| (d.code, format!("{}／{}", d.section_name, d.name)))
        .collect();
    let levels: Vec<(String, String)> = Visibility::ALL
        .iter()
        .map(|v| (v.as_str().to_owned(), v.label().to_owned()))
        .collect();
    let main = vec![
        Field::new("listed", "ビジネスパートナー検索に掲載する", Kind::Checkbox)
            .hint("外すと、検索にも企業のページにも表示されなくなります。")
            .value(if edit.listed { "1" } else { "" }),
        Field::new("municipality", "市区町村", Kind::Text)
            .hint(format!(
                "例: 大田区（{MAX_MUNICIPALITY}文字まで）。都道府県は会社情報のものを使います。"
            ))
            .value(edit.municipality.clone()),
        Field::new("products", "製品・サービス", Kind::TextArea)
            .hint(format!("{MAX_PRODUCTS}文字まで。"))
            .value(edit.products.clone()),
        Field::new(
            "certifications",
            "認証・資格",
            Kind::Checkboxes(
                CERTIFICATIONS
                    .iter()
                    .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                    .collect(),
            ),
        )
        .values(edit.certifications.clone()),
        Field::new("industries", "業種", Kind::Checkboxes(divisions))
            .required()
            .hint(format!("{MAX_INDUSTRIES}つまで選べます。"))
            .values(edit.industries.clone()),
    ];
    let visibility = VISIBILITY
        .iter()
        .map(|(field, name)| {
            let level = edit
                .visibility
                .get(field)
                .copied()
                .unwrap_or(Visibility::Public);
            Field::new(name, field.label(), Kind::Radios(levels.clone())).value(level.as_str())
        })
        .collect();
    Ok(vec![
        FieldSet::new(None, main),
        FieldSet::new(
            Some("項目ごとの公開範囲（会員＝ログインした承認済みの企業と運営者）"),
            visibility,
        ),
    ])
}

fn page(viewer: &Viewer, sets: Vec<FieldSet>, errors: &Errors, company: i64) -> FormPage {
    FormPage::new(
        Layout::for_viewer("企業プロフィール", viewer),
        "/mypage/profile",
        viewer.csrf_token(),
        sets,
        "保存する",
    )
    .intro("ビジネスパートナー検索で他の企業に見せる内容です。会社の紹介、得意分野、資本金、従業員数、創業年、ウェブサイト、加盟団体は、会社情報の内容を使います。メールアドレス・電話番号・担当者はどの設定でも公開されません。")
    .link(format!("/partners/{company}"), "公開されているページを見る")
    .link("/mypage", "マイページへ戻る")
    .with_errors(errors)
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    let company = own_company(&viewer)?;
    let profile = state
        .store
        .company_profile(company)
        .await?
        .ok_or_else(WebError::not_found)?;
    let sets = sets(&state, &profile.edit).await?;
    let mut page = page(&viewer, sets, &Errors::default(), company);
    page.layout = page.layout.notice(q.done.as_deref());
    page.respond()
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    form.check_csrf(&viewer)?;
    let company = own_company(&viewer)?;
    let mut errors = Errors::default();
    let municipality = domain::text::tidy(form.get("municipality"));
    if municipality.chars().count() > MAX_MUNICIPALITY {
        errors.add(
            "municipality",
            format!("市区町村は{MAX_MUNICIPALITY}文字以内で入力してください。"),
        );
    }
    let products = form.get("products").trim().replace("\r\n", "\n");
    if products.chars().count() > MAX_PRODUCTS {
        errors.add(
            "products",
            format!("製品・サービスは{MAX_PRODUCTS}文字以内で入力してください。"),
        );
    }
    let certifications: Vec<String> = form
        .all("certifications")
        .into_iter()
        .filter(|c| domain::directory::certification(c).is_some())
        .collect();
    let known: Vec<String> = state
        .store
        .industry_divisions()
        .await?
        .into_iter()
        .map(|d| d.code)
        .collect();
    let mut industries: Vec<String> = form
        .all("industries")
        .into_iter()
        .filter(|c| known.contains(c))
        .collect();
    industries.dedup();
    if industries.is_empty() {
        errors.add("industries", "業種を一つ以上選んでください。");
    } else if industries.len() > MAX_INDUSTRIES {
        errors.add(
            "industries",
            format!("業種は{MAX_INDUSTRIES}つまで選んでください。"),
        );
    }
    let mut visibility = BTreeMap::new();
    for (field, name) in VISIBILITY {
        match Visibility::from_code(form.get(name)) {
            Ok(Visibility::Public) => {}
            Ok(level) => {
                visibility.insert(*field, level);
            }
            Err(_) => errors.add(name, "公開範囲を選んでください。"),
        }
    }
    let edit = ProfileEdit {
        listed: !form.get("listed").is_empty(),
        municipality,
        products,
        certifications,
        industries,
        visibility,
    };
    if !errors.is_empty() {
        let sets = sets(&state, &edit).await?;
        return page(&viewer, sets, &errors, company).respond();
    }
    state
        .store
        .save_profile(company, &edit, &actor(&viewer, &ip)?, now_ms())
        .await?;
    Ok(Redirect::to("/mypage/profile?done=saved").into_response())
}
