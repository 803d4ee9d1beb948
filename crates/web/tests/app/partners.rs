//! A company's public profile in the directory: each field is on the page
//! for exactly the readers its level names; an unlisted company is not
//! found; contact details are never on it.

use std::collections::BTreeMap;

use domain::Role;
use domain::directory::{ProfileField, Visibility};
use store::{Actor, ProfileEdit};
use testkit::{Backend, TestApp};

/// Text on the page that only `field` puts there.
fn marker(field: ProfileField, orgs: &[String]) -> String {
    match field {
        ProfileField::NameKana => "テストセイコウ".into(),
        ProfileField::Municipality => "大田区".into(),
        ProfileField::Description => "精密板金加工と溶接を行っています。".into(),
        ProfileField::Products => "精密板金部品、試作品".into(),
        ProfileField::Keywords => "板金 溶接 試作".into(),
        ProfileField::Certifications => "ISO 9001（品質）".into(),
        ProfileField::MemberOrganizations => orgs[0].clone(),
        ProfileField::Capital => "1,000万円以上3,000万円未満".into(),
        ProfileField::Employees => "20〜49人".into(),
        ProfileField::Founded => "1985年".into(),
        ProfileField::Website => "https://example.co.jp/".into(),
        ProfileField::Programmes => "ビジネスフロンティア・フェア 出展（2026年）".into(),
    }
}

async fn every_field_is_on_the_page_for_exactly_its_readers(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let store = app.db.store();
    let (_, user) = app.signed_in(Role::ReceivingCompany, 1).await;
    let company = store
        .user(user)
        .await
        .expect("user")
        .expect("there")
        .company_id
        .expect("company");
    let (member, _) = app.signed_in(Role::OrderingCompany, 2).await;
    app.db
        .execute_raw(&format!(
            "INSERT INTO company_profiles (company_id, programmes, updated_at)
             VALUES ({company}, 'fair-exhibitor-2026', 1)"
        ))
        .await;
    let orgs: Vec<String> = {
        let ids = store
            .company(company)
            .await
            .expect("company")
            .expect("there")
            .member_organization_ids;
        store
            .master_items(store::SimpleMaster::MemberOrganizations, true)
            .await
            .expect("orgs")
            .into_iter()
            .filter(|m| ids.contains(&m.id))
            .map(|m| m.name)
            .collect()
    };
    let path = format!("/partners/{company}");
    let visitor = TestApp::new_client();
    for field in ProfileField::ALL {
        for level in Visibility::ALL {
            let edit = ProfileEdit {
                listed: true,
                municipality: "大田区".into(),
                products: "精密板金部品、試作品".into(),
                certifications: vec!["iso9001".into()],
                industries: vec!["24".into()],
                visibility: BTreeMap::from([(*field, *level)]),
            };
            store
                .save_profile(company, &edit, &Actor::cli("test"), web::auth::now_ms())
                .await
                .expect("saved");
            let text = marker(*field, &orgs);
            for (who, client, sees) in [
                ("visitor", &visitor, *level == Visibility::Public),
                ("member", &member, *level != Visibility::Hidden),
            ] {
                let r = client.get(app.url(&path)).send().await.expect("page");
                assert_eq!(r.status(), 200);
                let body = r.text().await.expect("body");
                assert_eq!(
                    body.contains(&text),
                    sees,
                    "{field:?} at {level:?} to the {who}: {text}"
                );
                // Contact details are never on the page.
                assert!(!body.contains("03-1234-5678") && !body.contains("@example"));
            }
        }
    }
    // A company that leaves the directory is not found.
    let edit = ProfileEdit {
        listed: false,
        industries: vec!["24".into()],
        ..ProfileEdit::default()
    };
    store
        .save_profile(company, &edit, &Actor::cli("test"), web::auth::now_ms())
        .await
        .expect("saved");
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(app.get("/partners/not-a-number").await.status(), 404);
}

#[tokio::test]
async fn every_profile_field_is_on_the_page_for_exactly_its_readers_on_sqlite() {
    every_field_is_on_the_page_for_exactly_its_readers(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_profile_field_is_on_the_page_for_exactly_its_readers_on_postgres() {
    every_field_is_on_the_page_for_exactly_its_readers(Backend::Postgres).await;
}

/// The company's administrator sets the profile through the form: a field
/// kept for members disappears for visitors; a bad form is answered beside
/// its fields and nothing changes.
#[tokio::test]
async fn a_company_administrator_edits_the_profile_and_its_visibility() {
    let app = TestApp::spawn().await;
    let (admin, user) = app.signed_in(Role::ReceivingCompany, 1).await;
    let company = app
        .db
        .store()
        .user(user)
        .await
        .expect("user")
        .expect("there")
        .company_id
        .expect("company");
    let (_, mypage) = {
        let r = admin.get(app.url("/mypage")).send().await.expect("mypage");
        (r.status(), r.text().await.expect("body"))
    };
    assert!(mypage.contains("/mypage/profile"), "linked from the mypage");
    let mut fields = vec![
        ("listed", "1"),
        ("municipality", "大田区"),
        ("products", "精密板金部品<script>alert(1)</script>"),
        ("certifications", "iso14001"),
        ("industries", "24"),
        ("vis_description", "members"),
    ];
    let rest: Vec<(&str, &str)> = [
        "vis_name_kana",
        "vis_municipality",
        "vis_products",
        "vis_keywords",
        "vis_certifications",
        "vis_member_organizations",
        "vis_capital",
        "vis_employees",
        "vis_founded",
        "vis_website",
        "vis_programmes",
    ]
    .iter()
    .map(|n| (*n, "public"))
    .collect();
    fields.extend(rest.iter().copied());
    let r = app
        .submit(&admin, "/mypage/profile", "/mypage/profile", &fields)
        .await;
    assert_eq!(r.status(), 303);
    let page = app
        .get(&format!("/partners/{company}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("大田区"));
    assert!(page.contains("ISO 14001（環境）"));
    assert!(
        page.contains("alert(1)") && !page.contains("<script>alert"),
        "hostile text is shown as text"
    );
    assert!(
        !page.contains("精密板金加工と溶接を行っています。"),
        "members only"
    );
    assert!(page.contains("会員の企業にだけ公開している項目があります"));
    let member_page = admin
        .get(app.url(&format!("/partners/{company}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(member_page.contains("精密板金加工と溶接を行っています。"));

    // No industry and too long a municipality: refused beside the fields.
    let long = "区".repeat(41);
    let mut bad: Vec<(&str, &str)> = vec![("listed", "1"), ("municipality", &long)];
    bad.extend(rest.iter().copied());
    bad.push(("vis_description", "public"));
    let r = app
        .submit(&admin, "/mypage/profile", "/mypage/profile", &bad)
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("業種を一つ以上選んでください"));
    assert!(body.contains("40文字以内"));
    let profile = app
        .db
        .store()
        .company_profile(company)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(profile.edit.municipality, "大田区", "nothing changed");
}
