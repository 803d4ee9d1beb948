//! The administration area: the menu, 職員の管理 and the audit log.

use domain::{Role, StaffRole};
use testkit::people::{PASSWORD, person};
use testkit::{Html, TestApp, attrs, texts};

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Html) {
    let r = client.get(app.url(path)).send().await.expect("page");
    let status = r.status().as_u16();
    (status, Html::parse_document(&r.text().await.expect("body")))
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

#[tokio::test]
async fn the_menu_offers_each_role_every_admin_page_it_may_open() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin, 1).await;
    let (_, menu) = page(&admin, &app, "/admin").await;
    let links = attrs(&menu, ".card__title a", "href");
    for href in [
        "/admin/industries",
        "/admin/organizations",
        "/admin/staff",
        "/admin/audit",
    ] {
        assert!(links.contains(&href.to_owned()), "{href}: {links:?}");
    }
    let (operator, _) = app.signed_in(Role::Operator, 2).await;
    let (_, menu) = page(&operator, &app, "/admin").await;
    let links = attrs(&menu, ".card__title a", "href");
    assert!(links.contains(&"/admin/orders".to_owned()));
    for hidden in ["/admin/staff", "/admin/audit", "/admin/industries"] {
        assert!(!links.contains(&hidden.to_owned()), "{hidden}: {links:?}");
    }
}

#[tokio::test]
async fn an_administrator_suspends_reinstates_and_changes_the_role_of_staff() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (admin, admin_id) = app.signed_in(Role::Admin, 1).await;
    let (operator, operator_id) = app.signed_in(Role::Operator, 2).await;
    let operator_mail = store
        .user(operator_id)
        .await
        .expect("read")
        .expect("op")
        .email;

    let (_, list) = page(&admin, &app, "/admin/staff").await;
    let names = texts(&list, ".member__name");
    assert!(names.iter().any(|n| n.contains("（あなた）")), "{names:?}");
    let states = texts(&list, ".member__state");
    assert!(
        states.iter().all(|s| s.contains("最終ログイン")),
        "{states:?}"
    );
    assert!(
        !states
            .iter()
            .any(|s| s.contains("管理者・利用中・最終ログイン なし")),
        "the administrator signed in: {states:?}"
    );

    let active = format!("/admin/staff/{operator_id}/active");
    let r = app
        .submit(&admin, "/admin/staff", &active, &[("active", "0")])
        .await;
    assert_eq!(location(&r), "/admin/staff?done=suspended");
    let (_, list) = page(&admin, &app, "/admin/staff?done=suspended").await;
    assert!(texts(&list, "[role=status]")[0].contains("利用を停止しました"));
    // The operator's session ended; signing in again is refused with the reason.
    let (status, _) = page(&operator, &app, "/admin").await;
    assert_eq!(status, 303);
    let r = app
        .submit(
            &operator,
            "/login",
            "/login",
            &[("email", operator_mail.as_str()), ("password", PASSWORD)],
        )
        .await;
    let body = r.text().await.expect("body");
    assert!(body.contains("利用を停止されています"), "{body}");

    let r = app
        .submit(&admin, "/admin/staff", &active, &[("active", "1")])
        .await;
    assert_eq!(location(&r), "/admin/staff?done=reinstated");
    app.sign_in(&operator, &operator_mail, PASSWORD).await;

    let role = format!("/admin/staff/{operator_id}/role");
    let r = app
        .submit(&admin, "/admin/staff", &role, &[("role", "ops")])
        .await;
    assert_eq!(location(&r), "/admin/staff?done=role");
    let user = store.user(operator_id).await.expect("read").expect("op");
    assert_eq!(user.staff_role, Some(StaffRole::Ops));

    // Never oneself; organisation staff keep their role here.
    let own = format!("/admin/staff/{admin_id}/active");
    let r = app
        .submit(&admin, "/admin/staff", &own, &[("active", "0")])
        .await;
    assert_eq!(r.status(), 400);
    let own = format!("/admin/staff/{admin_id}/role");
    let r = app
        .submit(&admin, "/admin/staff", &own, &[("role", "ops")])
        .await;
    assert_eq!(r.status(), 400);
    let org = person(store, Role::OrgStaff, 3).await.expect("org staff");
    let r = app
        .submit(
            &admin,
            "/admin/staff",
            &format!("/admin/staff/{org}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), 404);

    let logged: Vec<String> = store
        .audit_entries(&store::AuditFilter::default())
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["staff.suspended", "staff.reinstated", "staff.role_changed"] {
        assert!(logged.contains(&action.to_owned()), "{action}");
    }
}

#[tokio::test]
async fn of_two_administrators_one_may_suspend_the_other_never_themselves() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let admin = person(store, Role::Admin, 1).await.expect("admin");
    let (other, other_id) = app.signed_in(Role::Admin, 2).await;
    let r = app
        .submit(
            &other,
            "/admin/staff",
            &format!("/admin/staff/{admin}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(location(&r), "/admin/staff?done=suspended");
    assert!(
        !store
            .user(admin)
            .await
            .expect("read")
            .expect("admin")
            .active
    );
    // Now the last active administrator: not even a change of their own role.
    let r = app
        .submit(
            &other,
            "/admin/staff",
            &format!("/admin/staff/{other_id}/role"),
            &[("role", "operator")],
        )
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn the_audit_log_names_people_labels_actions_and_filters_by_person_action_and_dates() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (admin, admin_id) = app.signed_in(Role::Admin, 1).await;
    let (_, _) = app.signed_in(Role::Operator, 2).await;
    let admin_name = store
        .user(admin_id)
        .await
        .expect("read")
        .expect("admin")
        .name;

    let (status, log) = page(&admin, &app, "/admin/audit").await;
    assert_eq!(status, 200);
    let body = log.root_element().text().collect::<String>();
    assert!(!body.contains("利用者 #"), "names, not numbers");
    assert!(!body.contains("sign_in.succeeded"), "labels, not codes");
    let actions = texts(&log, "td[data-label=操作]");
    assert!(actions.contains(&"ログイン".to_owned()), "{actions:?}");
    assert!(texts(&log, "td[data-label=操作した人]").contains(&admin_name));
    assert!(
        texts(&log, "td[data-label=対象]").contains(&format!("利用者 {admin_name}")),
        "the person acted on is named too"
    );

    // By action: only sign-ins.
    let (_, only) = page(&admin, &app, "/admin/audit?action=sign_in.succeeded").await;
    let actions = texts(&only, "td[data-label=操作]");
    assert!(
        !actions.is_empty() && actions.iter().all(|a| a == "ログイン"),
        "{actions:?}"
    );
    assert_eq!(
        attrs(&only, "#f-action option[selected]", "value"),
        ["sign_in.succeeded"]
    );
    // By person (part of the mail address) and by the link on a name.
    let mail = store
        .user(admin_id)
        .await
        .expect("read")
        .expect("admin")
        .email;
    let part = mail.split('@').next().expect("local part");
    let (_, mine) = page(&admin, &app, &format!("/admin/audit?person={part}")).await;
    let people = texts(&mine, "td[data-label=操作した人]");
    assert!(
        !people.is_empty() && people.iter().all(|p| *p == admin_name),
        "{people:?}"
    );
    let (_, linked) = page(&admin, &app, &format!("/admin/audit?actor={admin_id}")).await;
    assert!(
        texts(&linked, "main p")
            .iter()
            .any(|p| p.contains(&admin_name))
    );
    // By dates: nothing before 2000, everything up to today.
    let (_, none) = page(
        &admin,
        &app,
        "/admin/audit?from=1999-01-01&until=1999-12-31",
    )
    .await;
    assert!(texts(&none, "td[data-label=番号]").is_empty());
    let (_, bad) = page(&admin, &app, "/admin/audit?from=yesterday").await;
    assert!(texts(&bad, "[role=alert]")[0].contains("開始日"));
    // Paged: 50 a page, a link to older entries keeping the filter.
    for n in 0..60 {
        store
            .record_sign_in(
                "x@example.jp",
                "192.0.2.9",
                Some(admin_id),
                true,
                10_000 + n,
            )
            .await
            .expect("sign-in");
    }
    let (_, first) = page(&admin, &app, "/admin/audit?action=sign_in.succeeded").await;
    assert_eq!(texts(&first, "td[data-label=番号]").len(), 50);
    let older = attrs(&first, ".pager a", "href");
    assert_eq!(older.len(), 1);
    assert!(older[0].contains("action=sign_in.succeeded") && older[0].contains("page=1"));
    let (_, second) = page(&admin, &app, &older[0]).await;
    assert!(!texts(&second, "td[data-label=番号]").is_empty());
    let newer = attrs(&second, ".pager a", "href");
    assert_eq!(newer.len(), 1, "the last page links back only");
    assert!(newer[0].contains("page=0"), "{newer:?}");
}

#[tokio::test]
async fn the_companies_list_is_searched_and_counted_by_review_state() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let (operator, _) = app.signed_in(Role::Operator, 1).await;
    // Two approved companies (people in company roles) and one returned.
    person(store, Role::ReceivingCompany, 2).await;
    person(store, Role::OrderingCompany, 3).await;
    person(store, Role::Applicant, 4).await;
    let (_, list) = page(&operator, &app, "/admin/companies").await;
    let tabs = texts(&list, ".tabs a");
    assert!(tabs.contains(&"承認済み（2件）".to_owned()), "{tabs:?}");
    assert!(tabs.contains(&"すべて（3件）".to_owned()), "{tabs:?}");
    let approved = attrs(&list, ".tabs a", "href")
        .into_iter()
        .find(|h| h.contains("status=approved"))
        .expect("approved tab");
    let (_, approved) = page(&operator, &app, &approved).await;
    assert_eq!(texts(&approved, "td[data-label=会社名]").len(), 2);

    // A search by mail address runs over every state; the counts follow it.
    let (_, found) = page(
        &operator,
        &app,
        "/admin/companies?q=orderingcompany-3%40&status=all",
    )
    .await;
    assert_eq!(texts(&found, "td[data-label=会社名]").len(), 1);
    assert!(texts(&found, "[role=status]")[0].contains("1件"));
    let tabs = texts(&found, ".tabs a");
    assert!(tabs.contains(&"承認済み（1件）".to_owned()), "{tabs:?}");
    assert!(
        attrs(&found, ".tabs a", "href")
            .iter()
            .all(|h| h.contains("q=orderingcompany-3%40")),
        "the tabs keep the search"
    );
    assert_eq!(attrs(&found, "#f-q", "value"), ["orderingcompany-3@"]);
}

#[tokio::test]
async fn each_csv_format_is_explained_on_a_help_page_linked_from_where_files_are_taken() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin, 1).await;
    for (page_path, link) in [
        (
            "/admin/master-updates",
            "/help/formats/contract-departments",
        ),
        ("/admin/imports", "/help/formats/tokyo"),
        ("/admin/imports", "/help/formats/tokyo-municipal"),
        ("/admin/exports", "/help/formats/companies-export"),
    ] {
        let (_, html) = page(&admin, &app, page_path).await;
        assert!(
            attrs(&html, "main a", "href").contains(&link.to_owned()),
            "{page_path} → {link}"
        );
        let body = html.root_element().text().collect::<String>();
        assert!(
            !body.contains("docs/formats"),
            "{page_path} sends people to the source"
        );
    }
    for format in import::formats::ALL {
        let (status, help) = app.page(&format.help_path()).await;
        assert_eq!(status, 200);
        let columns = texts(&help, "tr.format-column td[data-label=列名]");
        let names: Vec<String> = format.columns.iter().map(|c| c.name.to_owned()).collect();
        assert_eq!(columns, names, "{}: the parser's own columns", format.slug);
    }
    let (status, _) = app.page("/help/formats/nope").await;
    assert_eq!(status, 404);
}
