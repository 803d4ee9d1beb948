//! Sign-in under attack, through the real server: parallel guesses are
//! counted before any password is checked, a held account opens again after
//! a short wait, a known browser is not kept out, hashing is bounded, only
//! paths on this site are followed afterwards, and sessions end in 12 hours.

use std::time::Duration;

use domain::Role;
use testkit::people::{PASSWORD, person};
use testkit::{Backend, Html, TestApp, attrs, texts};

/// A portal whose hashing queue never turns anyone away, behind a trusted
/// proxy on loopback (so a test can choose the client address).
async fn portal(backend: Backend) -> TestApp {
    let settings = web::WebSettings {
        password_hash_queue: 1_000,
        trusted_proxies: vec![domain::net::Network::parse("127.0.0.1").expect("test step")],
        ..web::WebSettings::default()
    };
    TestApp::spawn_with(backend, web::routes(), settings).await
}

async fn email_of(app: &TestApp, n: u32) -> String {
    let store = app.db.store();
    let id = person(store, Role::ReceivingCompany, n)
        .await
        .expect("test step");
    store
        .user(id)
        .await
        .expect("test step")
        .expect("test step")
        .email
}

/// One sign-in with an already-fetched CSRF token: (status, field error, location).
async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    email: &str,
    password: &str,
    from: Option<&str>,
) -> (u16, String, String) {
    let mut request = client.post(app.url("/login")).form(&[
        ("csrf_token", csrf),
        ("email", email),
        ("password", password),
    ]);
    if let Some(ip) = from {
        request = request.header("x-forwarded-for", ip);
    }
    let r = request.send().await.expect("request");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("test step").to_owned())
        .unwrap_or_default();
    let page = Html::parse_document(&r.text().await.expect("test step"));
    let error = texts(&page, ".field__error, main p").join(" ");
    (status, error, location)
}

type Answer = (u16, String, String);

/// Starts every (email, password, forwarded-for) at once from one browser.
async fn launch(
    app: &TestApp,
    tries: Vec<(String, &'static str, Option<String>)>,
) -> Vec<tokio::task::JoinHandle<Answer>> {
    let client = TestApp::new_client();
    let csrf = app.csrf(&client, "/login").await;
    let url = app.url("/login");
    tries
        .into_iter()
        .map(|(email, password, from)| {
            let (client, csrf, url) = (client.clone(), csrf.clone(), url.clone());
            tokio::spawn(async move {
                let mut request = client.post(url).form(&[
                    ("csrf_token", csrf.as_str()),
                    ("email", email.as_str()),
                    ("password", password),
                ]);
                if let Some(ip) = from {
                    request = request.header("x-forwarded-for", ip);
                }
                let r = request.send().await.expect("request");
                let status = r.status().as_u16();
                let location = r
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().expect("test step").to_owned())
                    .unwrap_or_default();
                (status, r.text().await.unwrap_or_default(), location)
            })
        })
        .collect()
}

/// The answers of launched attempts, in order.
async fn answers(tasks: Vec<tokio::task::JoinHandle<Answer>>) -> Vec<Answer> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// Sends every attempt at once and waits for all the answers.
async fn all_at_once(
    app: &TestApp,
    tries: Vec<(String, &'static str, Option<String>)>,
) -> Vec<Answer> {
    answers(launch(app, tries).await).await
}

fn count(answers: &[Answer], status: u16) -> usize {
    answers.iter().filter(|a| a.0 == status).count()
}

async fn forty_parallel_wrong_passwords_are_checked_at_most_five_times(backend: Backend) {
    let app = portal(backend).await;
    let email = email_of(&app, 1).await;
    let tries = (0..40)
        .map(|_| (email.clone(), "Wrong-password-1", None))
        .collect();
    let answers = all_at_once(&app, tries).await;
    assert_eq!(count(&answers, 422), 5, "five checked and wrong");
    assert_eq!(count(&answers, 429), 35, "the rest held");
    assert_eq!(app.state.hashing.computed(), 5, "five hashes computed");
    let (failed, _) = app
        .db
        .store()
        .sign_ins_since(&email, 0)
        .await
        .expect("test step");
    assert_eq!(failed, 5, "five attempts recorded");
    let held = answers.iter().find(|a| a.0 == 429).expect("test step");
    assert!(held.1.contains("秒ほど待ってから"), "{}", held.1);
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_are_checked_at_most_five_times_on_sqlite() {
    forty_parallel_wrong_passwords_are_checked_at_most_five_times(Backend::Sqlite).await;
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_are_checked_at_most_five_times_on_postgres() {
    forty_parallel_wrong_passwords_are_checked_at_most_five_times(Backend::Postgres).await;
}

async fn the_right_password_among_49_wrong_is_refused_once_the_limit_is_reached(backend: Backend) {
    let app = portal(backend).await;
    let email = email_of(&app, 1).await;
    let store = app.db.store().clone();
    let tries = (0..49)
        .map(|_| (email.clone(), "Wrong-password-1", None))
        .collect();
    let wrong = launch(&app, tries).await;
    // The right one goes as soon as the account's limit is taken, while the
    // wrong ones are still being checked.
    for _ in 0..500 {
        if store
            .gate_attempts(&format!("account:{email}"))
            .await
            .expect("test step")
            >= 5
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let client = TestApp::new_client();
    let csrf = app.csrf(&client, "/login").await;
    let (status, error, _) = attempt(&app, &client, &csrf, &email, PASSWORD, None).await;
    assert_eq!(status, 429, "{error}");
    let wrong = answers(wrong).await;
    assert_eq!(count(&wrong, 303), 0);
    assert_eq!(count(&wrong, 422), 5);
    assert_eq!(
        store.sign_ins_since(&email, 0).await.expect("test step"),
        (5, 0)
    );
    assert_eq!(app.state.hashing.computed(), 5);
}

#[tokio::test]
async fn the_right_password_among_49_wrong_is_refused_once_the_limit_is_reached_on_sqlite() {
    the_right_password_among_49_wrong_is_refused_once_the_limit_is_reached(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_right_password_among_49_wrong_is_refused_once_the_limit_is_reached_on_postgres() {
    the_right_password_among_49_wrong_is_refused_once_the_limit_is_reached(Backend::Postgres).await;
}

async fn thirty_parallel_sign_ins_from_one_forwarded_address_are_checked_at_most_twenty(
    backend: Backend,
) {
    let app = portal(backend).await;
    // Thirty different (unknown) accounts, from one client behind the proxy.
    let tries = (0..30)
        .map(|i| {
            (
                format!("nobody{i}@example.jp"),
                "Whatever-2026",
                Some("203.0.113.5".to_owned()),
            )
        })
        .collect();
    let answers = all_at_once(&app, tries).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(
        count(&answers, 422),
        20,
        "{statuses:?} {:?}",
        answers.iter().find(|a| a.0 != 422 && a.0 != 429)
    );
    assert_eq!(count(&answers, 429), 10);
    assert_eq!(app.state.hashing.computed(), 20, "decoy hashes, twenty");
    // Another client behind the same proxy is not held.
    let client = TestApp::new_client();
    let csrf = app.csrf(&client, "/login").await;
    let other = Some("203.0.113.6");
    let (status, _, _) =
        attempt(&app, &client, &csrf, "x@example.jp", "Whatever-2026", other).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn thirty_parallel_sign_ins_from_one_forwarded_address_are_checked_at_most_twenty_on_sqlite()
{
    thirty_parallel_sign_ins_from_one_forwarded_address_are_checked_at_most_twenty(Backend::Sqlite)
        .await;
}

#[tokio::test]
async fn thirty_parallel_sign_ins_from_one_forwarded_address_are_checked_at_most_twenty_on_postgres()
 {
    thirty_parallel_sign_ins_from_one_forwarded_address_are_checked_at_most_twenty(
        Backend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn a_held_account_signs_in_again_after_the_short_wait_it_is_told() {
    let app = portal(Backend::Sqlite).await;
    let email = email_of(&app, 1).await;
    let client = TestApp::new_client();
    let csrf = app.csrf(&client, "/login").await;
    for _ in 0..5 {
        let (status, _, _) = attempt(&app, &client, &csrf, &email, "Wrong-password-1", None).await;
        assert_eq!(status, 422);
    }
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", &email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("test step")
        .parse()
        .expect("test step");
    assert!((1..=5).contains(&wait), "{wait}");
    let page = Html::parse_document(&r.text().await.expect("test step"));
    let message = texts(&page, "#f-email-error").join("");
    assert!(
        message.contains(&format!("{wait}秒ほど待ってから")),
        "{message}"
    );
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let (status, error, location) = attempt(&app, &client, &csrf, &email, PASSWORD, None).await;
    assert_eq!(status, 303, "{error}");
    assert_eq!(location, "/mypage");
}

#[tokio::test]
async fn someone_failing_on_purpose_does_not_keep_out_a_browser_that_signed_in_before() {
    let app = portal(Backend::Sqlite).await;
    let email = email_of(&app, 1).await;
    let mine = TestApp::new_client();
    app.sign_in(&mine, &email, PASSWORD).await;
    let csrf = app.csrf(&mine, "/account/password").await;
    let r = mine
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 303);
    // Someone else fails until the account is held, from many addresses.
    let attacker = TestApp::new_client();
    let csrf = app.csrf(&attacker, "/login").await;
    for i in 0..8 {
        let from = format!("198.51.100.{i}");
        attempt(&app, &attacker, &csrf, &email, "Guess-2026-x", Some(&from)).await;
    }
    let (status, _, _) = attempt(&app, &attacker, &csrf, &email, PASSWORD, None).await;
    assert_eq!(status, 429, "a new browser waits");
    // The user's own browser still gets in at once.
    let csrf = app.csrf(&mine, "/login").await;
    let (status, error, _) = attempt(&app, &mine, &csrf, &email, PASSWORD, None).await;
    assert_eq!(status, 303, "{error}");
}

#[tokio::test]
async fn hashes_run_a_bounded_number_at_a_time_and_the_overflow_is_told_the_portal_is_busy() {
    let settings = web::WebSettings {
        password_hashes_at_once: 2,
        password_hash_queue: 3,
        trusted_proxies: vec![domain::net::Network::parse("127.0.0.1").expect("test step")],
        ..web::WebSettings::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, web::routes(), settings).await;
    // Sixty sign-ins at once, each from its own address for its own account.
    let tries = (0..60)
        .map(|i| {
            (
                format!("nobody{i}@example.jp"),
                "Whatever-2026",
                Some(format!("192.0.2.{i}")),
            )
        })
        .collect();
    let answers = all_at_once(&app, tries).await;
    let checked = count(&answers, 422);
    let busy = count(&answers, 503);
    assert_eq!(checked + busy, 60, "checked or turned away, nothing else");
    assert!(busy > 0, "more than the queue holds are turned away");
    assert!(checked >= 5, "at least the first places are served");
    assert!(
        answers
            .iter()
            .filter(|a| a.0 == 503)
            .all(|a| a.1.contains("混み合っています")),
        "the busy answer says so"
    );
    assert!(
        app.state.hashing.peak() <= 2,
        "{}",
        app.state.hashing.peak()
    );
    assert_eq!(app.state.hashing.computed(), checked as u64);
}

/// Signs in with `next` as typed into the form; (status, location).
async fn sign_in_with_next(app: &TestApp, email: &str, next: &str) -> (u16, String) {
    let client = TestApp::new_client();
    let r = app
        .submit(
            &client,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD), ("next", next)],
        )
        .await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("test step").to_owned())
        .unwrap_or_default();
    (status, location)
}

#[tokio::test]
async fn after_sign_in_only_a_path_on_this_site_is_followed_and_control_characters_never_break_it()
{
    let app = portal(Backend::Sqlite).await;
    let email = email_of(&app, 1).await;
    for bad in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "//evil.example",
        "https://evil.example/",
    ] {
        let (status, location) = sign_in_with_next(&app, &email, bad).await;
        assert_eq!((status, location.as_str()), (303, "/mypage"), "{bad:?}");
    }
    let (status, location) = sign_in_with_next(&app, &email, "/cases?q=%E6%B8%85%E6%8E%83").await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/cases?q=%E6%B8%85%E6%8E%83")
    );
    // The form does not carry a bad target forward either.
    let (status, page) = app.page("/login?next=%2F%09%2Fevil.example").await;
    assert_eq!(status, 200);
    assert_eq!(attrs(&page, "input[name=next]", "value"), [""]);
    let (_, page) = app.page("/login?next=%2Fmypage%2Forders").await;
    assert_eq!(
        attrs(&page, "input[name=next]", "value"),
        ["/mypage/orders"]
    );
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy_it_is() {
    let app = portal(Backend::Sqlite).await;
    let email = email_of(&app, 1).await;
    let client = TestApp::new_client();
    let before = web::auth::now_ms();
    let r = app
        .submit(
            &client,
            "/login",
            "/login",
            &[("email", email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let id = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find_map(|c| c.strip_prefix("cn_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    let hash = domain::audit::token_hash(&id);
    let session = app
        .db
        .store()
        .session(&hash, before)
        .await
        .expect("test step")
        .expect("test step");
    let twelve_hours = 12 * 3_600_000;
    assert!(session.ends_at >= before + twelve_hours);
    assert!(session.ends_at <= web::auth::now_ms() + twelve_hours);
    assert_eq!(web::auth::SESSION_ABSOLUTE_MS, twelve_hours);
    // Used a moment ago, but signed in twelve hours ago: it is over.
    assert_eq!(
        client
            .get(app.url("/mypage"))
            .send()
            .await
            .expect("test step")
            .status(),
        200
    );
    app.db
        .execute_raw(&format!(
            "UPDATE sessions SET created_at = created_at - {twelve_hours}, ends_at = ends_at - {twelve_hours} WHERE id_hash = '{hash}'"
        ))
        .await;
    let r = client
        .get(app.url("/mypage"))
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .expect("test step")
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_huge_name_typed_as_the_address_is_counted_under_an_address_sized_key() {
    let app = portal(Backend::Sqlite).await;
    let client = TestApp::new_client();
    let csrf = app.csrf(&client, "/login").await;
    let typed = "X".repeat(10_000);
    let (status, _, _) = attempt(&app, &client, &csrf, &typed, "Whatever-2026", None).await;
    assert_eq!(status, 422);
    let key = format!("account:{}", "x".repeat(254));
    assert_eq!(app.db.store().gate_attempts(&key).await.expect("gate"), 1);
}
