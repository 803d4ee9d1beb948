//! The administrator's masters and staff pages.

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Html, TestApp, texts};

async fn admin_client(app: &TestApp) -> reqwest::Client {
    let id = person(app.db.store(), Role::Admin, 1).await.expect("admin");
    let email = app
        .db
        .store()
        .user(id)
        .await
        .expect("user")
        .expect("user")
        .email;
    let client = TestApp::new_client();
    app.sign_in(&client, &email, PASSWORD).await;
    client
}

#[tokio::test]
async fn an_administrator_adds_an_organisation_a_department_and_a_member_of_its_staff() {
    let app = TestApp::spawn_with_mail(testkit::Backend::Sqlite).await;
    let admin = admin_client(&app).await;
    let r = app
        .submit(
            &admin,
            "/admin/organizations",
            "/admin/organizations",
            &[
                ("name", "東京都水道局"),
                ("name_kana", "トウキョウトスイドウキョク"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    // The page it lands on says what was done, to screen readers too.
    let landed = Html::parse_document(
        &admin
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(texts(&landed, "main [role=status]"), ["登録しました。"]);
    let org_page = location.split('?').next().unwrap().to_owned();
    // A reading in hiragana is refused with the reason.
    let bad = app
        .submit(
            &admin,
            "/admin/organizations",
            "/admin/organizations",
            &[("name", "別組織"), ("name_kana", "べつ")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let page = Html::parse_document(&bad.text().await.unwrap());
    assert!(texts(&page, "[role=alert]")[0].contains("全角カタカナ"));

    let r = app
        .submit(
            &admin,
            &org_page,
            &format!("{org_page}/departments"),
            &[("code", "W01"), ("name", "総務部 契約課")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let dup = app
        .submit(
            &admin,
            &org_page,
            &format!("{org_page}/departments"),
            &[("code", "W01"), ("name", "重複")],
        )
        .await;
    assert_eq!(dup.status(), 422);

    let org_id: i64 = org_page.rsplit('/').next().unwrap().parse().unwrap();
    let dept = app.db.store().contract_departments(org_id).await.unwrap()[0]
        .id
        .to_string();
    let r = app
        .submit(
            &admin,
            "/admin/staff",
            "/admin/staff",
            &[
                ("name", "水道 太郎"),
                ("email", "taro@waterworks.example.jp"),
                ("department", dept.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/staff?done=created");
    let user = app
        .db
        .store()
        .user_by_email(&domain::EmailAddress::parse("taro@waterworks.example.jp").unwrap())
        .await
        .unwrap()
        .expect("created");
    assert_eq!(user.staff_role, Some(domain::StaffRole::OrgStaff));
    assert_eq!(user.organization_id, Some(org_id));
    let mails = app
        .smtp()
        .wait_for(1, std::time::Duration::from_secs(10))
        .await;
    let invitation = mails
        .iter()
        .find(|m| m.to == ["taro@waterworks.example.jp"] && m.subject.contains("招待"))
        .expect("the invitation");
    // It names the organisation the account belongs to (it used to say 「発注組織」).
    let text = invitation.text.as_deref().unwrap_or_default();
    assert!(text.contains("東京都水道局"), "{text}");
    assert!(!text.contains(" 発注組織 "), "{text}");
}

#[tokio::test]
async fn an_administrator_retires_a_registration_trigger_and_it_leaves_the_application_form() {
    let app = TestApp::spawn().await;
    let admin = admin_client(&app).await;
    let items = app
        .db
        .store()
        .master_items(store::SimpleMaster::RegistrationTriggers, false)
        .await
        .unwrap();
    let first = &items[0];
    let r = app
        .submit(
            &admin,
            "/admin/masters/registration_triggers",
            &format!("/admin/masters/registration_triggers/{}", first.id),
            &[("name", first.name.as_str()), ("sort_order", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, apply) = app.page("/apply").await;
    let options = texts(&apply, "#f-trigger option");
    assert!(!options.contains(&first.name), "{options:?}");
    let r = app
        .submit(
            &admin,
            "/admin/industries",
            "/admin/industries/15",
            &[("name", "印刷・同関連業")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, apply) = app.page("/apply").await;
    assert!(
        !texts(&apply, "#f-industry option")
            .iter()
            .any(|o| o.starts_with("15："))
    );
}

#[tokio::test]
async fn an_administrator_renames_a_prefecture_and_the_forms_follow() {
    let app = TestApp::spawn().await;
    let admin = admin_client(&app).await;
    let r = app
        .submit(
            &admin,
            "/admin/prefectures",
            "/admin/prefectures/13",
            &[("name", "東京都（本社）")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, apply) = app.page("/apply").await;
    assert!(texts(&apply, "#f-prefecture option").contains(&"東京都（本社）".to_owned()));
    let clash = app
        .submit(
            &admin,
            "/admin/prefectures",
            "/admin/prefectures/14",
            &[("name", "東京都（本社）")],
        )
        .await;
    assert_eq!(clash.status(), 422);
}
