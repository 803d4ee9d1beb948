//! Every route, with every role: admitted where it belongs, refused elsewhere.
//! New routes join this test by being declared through `Guarded`.

use std::collections::BTreeMap;

use domain::Role;
use testkit::TestApp;
use testkit::people::{person, session};

use Role::*;

const ALL: &[Role] = &Role::ALL;
const SIGNED_IN: &[Role] = &[
    Applicant,
    ReceivingCompany,
    OrderingCompany,
    OrgStaff,
    Operator,
    Admin,
    Ops,
];
const COMPANY: &[Role] = &[ReceivingCompany, OrderingCompany];
/// Staff of ordering organisations and the portal's administrators.
const ORG: &[Role] = &[OrgStaff, Admin];
const TOKEN_USERS: &[Role] = &[ReceivingCompany, OrderingCompany, OrgStaff, Admin, Ops];

/// Who belongs where: the policy, written out here independently of the code
/// that declares it, so that a route opened too widely fails this test. A new
/// route must be added here.
const POLICY: &[(&str, &str, &[Role])] = &[
    ("GET", "/", ALL),
    ("GET", "/healthz", ALL),
    ("GET", "/readyz", ALL),
    // Open at the guard; the handler admits the operations role,
    // administrators and the monitoring network (loopback in tests): see
    // health.rs for who is refused.
    ("GET", "/metrics", ALL),
    ("GET", "/healthz/imports", ALL),
    ("POST", "/admin/imports", &[Admin, Ops]),
    ("POST", "/admin/imports/schedules/{n}", &[Admin, Ops]),
    ("GET", "/assets/{file}", ALL),
    ("GET", "/cases", ALL),
    ("GET", "/cases/{id}", ALL),
    ("GET", "/cases/feed.atom", ALL),
    ("GET", "/cases/{id}/calendar.ics", ALL),
    ("GET", "/api/v1/cases", ALL),
    ("GET", "/api/v1/cases/{id}", ALL),
    ("GET", "/api/v1/openapi.json", ALL),
    ("GET", "/api/v1/ocds/releases", ALL),
    ("GET", "/api/v1/ocds/releases/{ocid}", ALL),
    ("GET", "/login", ALL),
    ("POST", "/login", ALL),
    ("POST", "/logout", SIGNED_IN),
    ("GET", "/apply", ALL),
    ("POST", "/apply", ALL),
    ("GET", "/apply/confirm/{token}", ALL),
    ("POST", "/apply/confirm/{token}", ALL),
    ("GET", "/password/forgot", ALL),
    ("POST", "/password/forgot", ALL),
    ("GET", "/password/reset/{token}", ALL),
    ("POST", "/password/reset/{token}", ALL),
    ("GET", "/invitation/{token}", ALL),
    ("POST", "/invitation/{token}", ALL),
    ("GET", "/account/password", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("GET", "/mypage", COMPANY),
    ("GET", "/mypage/company", COMPANY),
    ("POST", "/mypage/company", COMPANY),
    ("GET", "/mypage/company/legal", COMPANY),
    ("POST", "/mypage/company/legal", COMPANY),
    ("GET", "/mypage/users", COMPANY),
    ("POST", "/mypage/users", COMPANY),
    ("POST", "/mypage/users/{id}/resend", COMPANY),
    ("POST", "/mypage/users/{id}/cancel", COMPANY),
    ("GET", "/mypage/users/{id}/remove", COMPANY),
    ("POST", "/mypage/users/{id}/remove", COMPANY),
    ("POST", "/mypage/users/{id}/admin", COMPANY),
    ("GET", "/mypage/application", &[Applicant]),
    ("POST", "/mypage/application", &[Applicant]),
    ("GET", "/admin", &[Operator, Admin, Ops]),
    ("GET", "/admin/companies", &[Operator, Admin]),
    ("GET", "/admin/companies/{id}", &[Operator, Admin]),
    ("POST", "/admin/companies/{id}/review", &[Operator, Admin]),
    ("POST", "/admin/companies/{id}/legal", &[Operator, Admin]),
    ("POST", "/admin/companies/{id}/dealings", &[Operator, Admin]),
    ("GET", "/admin/masters/{master}", &[Admin]),
    ("POST", "/admin/masters/{master}", &[Admin]),
    ("POST", "/admin/masters/{master}/{id}", &[Admin]),
    ("GET", "/admin/organizations", &[Admin]),
    ("POST", "/admin/organizations", &[Admin]),
    ("GET", "/admin/organizations/{id}", &[Admin]),
    ("POST", "/admin/organizations/{id}", &[Admin]),
    ("POST", "/admin/organizations/{id}/departments", &[Admin]),
    (
        "POST",
        "/admin/organizations/{id}/departments/{dept}",
        &[Admin],
    ),
    ("GET", "/news", ALL),
    ("GET", "/news/feed.atom", ALL),
    ("GET", "/news/category/{code}/feed.atom", ALL),
    ("GET", "/sitemap.xml", ALL),
    ("GET", "/robots.txt", ALL),
    ("GET", "/help/topics/{key}", ALL),
    ("GET", "/news/category/{code}", ALL),
    ("GET", "/news/tag/{tag}", ALL),
    ("GET", "/search", ALL),
    ("GET", "/partners/{id}", ALL),
    ("GET", "/mypage/profile", COMPANY),
    ("POST", "/mypage/profile", COMPANY),
    ("GET", "/news/{slug}", ALL),
    ("GET", "/news/{slug}/event.ics", ALL),
    ("GET", "/media/{file}", ALL),
    ("GET", "/admin/media", &[Operator, Admin]),
    ("POST", "/admin/media", &[Operator, Admin]),
    ("POST", "/admin/media/{id}", &[Operator, Admin]),
    ("POST", "/admin/media/{id}/delete", &[Operator, Admin]),
    ("GET", "/admin/layout", &[Operator, Admin]),
    ("POST", "/admin/layout/menus/{menu}", &[Operator, Admin]),
    ("GET", "/admin/layout/tops/{top}", &[Operator, Admin]),
    ("POST", "/admin/layout/tops/{top}", &[Operator, Admin]),
    ("GET", "/admin/content/bundle", &[Operator, Admin, Ops]),
    ("POST", "/admin/content/bundle/download", &[Operator, Admin]),
    ("POST", "/admin/content/bundle/upload", &[Ops, Admin]),
    ("POST", "/admin/content/bundle/apply", &[Ops, Admin]),
    ("POST", "/admin/content/bundle/rollback", &[Ops, Admin]),
    ("POST", "/api/v1/content/bundle", &[Ops, Admin]),
    ("GET", "/admin/content", &[Operator, Admin]),
    ("GET", "/admin/content/new/{kind}", &[Operator, Admin]),
    ("POST", "/admin/content/new/{kind}", &[Operator, Admin]),
    ("GET", "/admin/content/{id}", &[Operator, Admin]),
    ("POST", "/admin/content/{id}", &[Operator, Admin]),
    ("POST", "/admin/content/{id}/delete", &[Operator, Admin]),
    ("GET", "/admin/content/{id}/revisions", &[Operator, Admin]),
    (
        "GET",
        "/admin/content/{id}/revisions/{number}",
        &[Operator, Admin],
    ),
    (
        "POST",
        "/admin/content/{id}/revisions/{number}/restore",
        &[Operator, Admin],
    ),
    ("GET", "/admin/industries", &[Admin]),
    ("POST", "/admin/industries/{code}", &[Admin]),
    ("GET", "/admin/prefectures", &[Admin]),
    ("POST", "/admin/prefectures/{code}", &[Admin]),
    ("GET", "/admin/staff", &[Admin]),
    ("POST", "/admin/staff", &[Admin]),
    ("POST", "/admin/staff/{id}/active", &[Admin]),
    ("POST", "/admin/staff/{id}/role", &[Admin]),
    ("GET", "/admin/audit", &[Admin, Ops]),
    ("GET", "/mypage/orders", &[OrderingCompany]),
    ("GET", "/mypage/orders/new", &[OrderingCompany]),
    ("POST", "/mypage/orders", &[OrderingCompany]),
    ("GET", "/mypage/orders/{id}", &[OrderingCompany]),
    ("GET", "/mypage/orders/{id}/edit", &[OrderingCompany]),
    ("POST", "/mypage/orders/{id}", &[OrderingCompany]),
    ("POST", "/mypage/orders/{id}/submit", &[OrderingCompany]),
    ("POST", "/mypage/orders/{id}/cancel", &[OrderingCompany]),
    ("GET", "/cases/{id}/entry", &[ReceivingCompany]),
    ("POST", "/cases/{id}/entry", &[ReceivingCompany]),
    ("GET", "/mypage/entries", &[ReceivingCompany]),
    ("GET", "/mypage/entries/{id}", COMPANY),
    ("POST", "/mypage/entries/{id}/messages", COMPANY),
    ("POST", "/mypage/entries/{id}/choose", &[OrderingCompany]),
    ("GET", "/admin/orders", &[Operator, Admin]),
    ("GET", "/admin/orders/{id}", &[Operator, Admin]),
    ("POST", "/admin/orders/{id}/review", &[Operator, Admin]),
    ("GET", "/files/{id}", ALL),
    ("GET", "/help/kuji", ALL),
    ("GET", "/terms", ALL),
    ("GET", "/privacy", ALL),
    ("GET", "/contact", ALL),
    ("GET", "/sitemap", ALL),
    ("GET", "/terms/agree", SIGNED_IN),
    ("POST", "/terms/agree", SIGNED_IN),
    ("GET", "/help/formats", ALL),
    ("GET", "/help/formats/{slug}", ALL),
    // Sequence numbers, hashes and signatures only: published for outsiders to keep.
    ("GET", "/audit/checkpoints", ALL),
    ("GET", "/audit/checkpoints.json", ALL),
    ("GET", "/cases/{id}/bid", &[ReceivingCompany]),
    ("POST", "/cases/{id}/bid", &[ReceivingCompany]),
    ("POST", "/api/v1/tenders/{id}/bids", &[ReceivingCompany]),
    ("POST", "/api/v1/tenders/{id}/decline", &[ReceivingCompany]),
    ("GET", "/admin/master-updates", &[Admin]),
    ("POST", "/admin/master-updates", &[Admin]),
    ("GET", "/admin/master-updates/{id}", &[Admin]),
    ("POST", "/admin/master-updates/{id}/apply", &[Admin]),
    ("POST", "/admin/master-updates/{id}/discard", &[Admin]),
    ("GET", "/admin/exports", &[Admin]),
    ("POST", "/admin/exports/companies", &[Admin]),
    ("GET", "/admin/imports", &[Operator, Admin, Ops]),
    ("GET", "/admin/imports/{id}", &[Operator, Admin, Ops]),
    ("GET", "/org/tenders", ORG),
    ("GET", "/org/tenders/new", ORG),
    ("POST", "/org/tenders", ORG),
    ("GET", "/org/tenders/{id}", ORG),
    ("POST", "/org/tenders/{id}", ORG),
    ("GET", "/org/tenders/{id}/edit", ORG),
    ("POST", "/org/tenders/{id}/publish", ORG),
    ("POST", "/org/tenders/{id}/amend", ORG),
    ("POST", "/org/tenders/{id}/cancel", ORG),
    ("POST", "/org/tenders/{id}/participants", ORG),
    ("POST", "/org/tenders/{id}/nominations", ORG),
    ("POST", "/org/tenders/{id}/scores", ORG),
    ("POST", "/org/tenders/{id}/answers", ORG),
    ("POST", "/org/tenders/{id}/open", ORG),
    ("POST", "/org/tenders/{id}/award", ORG),
    ("GET", "/cases/{id}/participate", &[ReceivingCompany]),
    ("POST", "/cases/{id}/participate", &[ReceivingCompany]),
    ("POST", "/cases/{id}/questions", &[ReceivingCompany]),
    ("GET", "/cases/{id}/decline", &[ReceivingCompany]),
    ("POST", "/cases/{id}/decline", &[ReceivingCompany]),
    ("GET", "/account/tokens", TOKEN_USERS),
    ("POST", "/account/tokens", TOKEN_USERS),
    ("POST", "/account/tokens/{id}/revoke", TOKEN_USERS),
    ("POST", "/api/v1/tenders", ORG),
    ("GET", "/api/v1/tenders/{id}", ALL),
    ("POST", "/api/v1/tenders/{id}", ORG),
    ("POST", "/api/v1/tenders/{id}/publish", ORG),
    ("POST", "/api/v1/tenders/{id}/amend", ORG),
    ("POST", "/api/v1/tenders/{id}/cancel", ORG),
    ("GET", "/api/v1/tenders/{id}/participants", ORG),
    ("POST", "/api/v1/tenders/{id}/decisions", ORG),
    ("POST", "/api/v1/tenders/{id}/nominations", ORG),
    ("POST", "/api/v1/tenders/{id}/scores", ORG),
    ("POST", "/api/v1/tenders/{id}/answers", ORG),
    ("POST", "/api/v1/tenders/{id}/open", ORG),
    ("POST", "/api/v1/tenders/{id}/award", ORG),
    (
        "POST",
        "/api/v1/tenders/{id}/applications",
        &[ReceivingCompany],
    ),
    (
        "POST",
        "/api/v1/tenders/{id}/questions",
        &[ReceivingCompany],
    ),
    ("GET", "/mypage/notifications", COMPANY),
    ("GET", "/mypage/notifications/new", COMPANY),
    ("POST", "/mypage/notifications", COMPANY),
    ("POST", "/mypage/notifications/resume", COMPANY),
    ("GET", "/mypage/notifications/{id}", COMPANY),
    ("POST", "/mypage/notifications/{id}", COMPANY),
    ("GET", "/mypage/notifications/{id}/delete", COMPANY),
    ("POST", "/mypage/notifications/{id}/delete", COMPANY),
    ("GET", "/notifications/unsubscribe/{token}", ALL),
    ("POST", "/notifications/unsubscribe/{token}", ALL),
    ("GET", "/admin/notifications", &[Admin]),
];

#[test]
fn every_route_is_in_the_policy_and_declares_what_the_policy_says() {
    let table = web::auth::route_table();
    for spec in &table {
        let expected = POLICY
            .iter()
            .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
            .unwrap_or_else(|| {
                panic!(
                    "{} {} is not in the policy: add it to POLICY",
                    spec.method, spec.path
                )
            });
        let mut declared = spec.roles.to_vec();
        let mut wanted = expected.2.to_vec();
        declared.sort();
        wanted.sort();
        assert_eq!(declared, wanted, "{} {}", spec.method, spec.path);
    }
    assert_eq!(
        table.len(),
        POLICY.len(),
        "the policy lists a route that does not exist"
    );
}

/// A concrete path for a route template.
fn fill(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{token}", "no-such-token")
        .replace("{master}", "member_organizations")
        .replace("{file}", "site-0.css")
        .replace("{dept}", "1")
        .replace("{code}", "15")
        .replace("{ocid}", "ocds-chancenavi-1")
        .replace("{n}", "0")
        .replace("{slug}", "tokyo")
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_it_declares() {
    let app = TestApp::spawn().await;
    let store = app.db.store();
    let mut users = BTreeMap::new();
    for (n, role) in Role::ALL.iter().enumerate() {
        users.insert(*role, person(store, *role, n as u32).await);
    }
    let table = web::auth::route_table();
    assert!(
        table.len() > 30,
        "the table lists the portal's routes ({})",
        table.len()
    );
    let mut failures = Vec::new();
    for spec in &table {
        for role in Role::ALL {
            // A fresh session each time: some routes (sign-out) end it.
            let s = session(store, users[&role]).await;
            let url = app.url(&fill(spec.path));
            let request = app
                .client
                .request(spec.method.clone(), &url)
                .header("cookie", &s.cookie);
            let request = if spec.method == axum::http::Method::POST {
                // The token as a form field for the pages, as a header for the API.
                request
                    .header("x-csrf-token", &s.csrf)
                    .form(&[("csrf_token", s.csrf.as_str())])
            } else {
                request
            };
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let to_login = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.starts_with("/login"));
            let refused = status == 403 || (status == 303 && to_login);
            let admitted = POLICY
                .iter()
                .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
                .is_some_and(|(_, _, roles)| roles.contains(&role));
            if admitted == refused {
                failures.push(format!(
                    "{} {} as {role:?}: status {status}{} but the policy {} this role",
                    spec.method,
                    spec.path,
                    if to_login { " (to sign-in)" } else { "" },
                    if admitted { "admits" } else { "refuses" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn staff_pages_are_never_public() {
    for spec in web::auth::route_table() {
        if spec.path.starts_with("/admin") {
            assert!(
                !spec.roles.contains(&Role::Visitor),
                "{} is open to visitors",
                spec.path
            );
            assert!(
                !spec.roles.contains(&Role::ReceivingCompany),
                "{} is open to companies",
                spec.path
            );
        }
        if spec.path.starts_with("/mypage") {
            assert!(
                !spec.roles.contains(&Role::Visitor),
                "{} is open to visitors",
                spec.path
            );
        }
    }
}
