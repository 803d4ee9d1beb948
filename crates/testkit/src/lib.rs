//! The test harness every crate reuses: throwaway databases on both engines,
//! and the real server on a free port.
//!
//! PostgreSQL tests need a server: `scripts/test` starts a throwaway cluster and
//! sets `CHANCE_NAVI_TEST_PG_URL` (e.g. `postgres://postgres@127.0.0.1:54329`).
//! Without it those tests fail with a message saying so; they never skip silently.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use sqlx::{Connection, Executor};
use store::{DatabaseTarget, PoolSettings, Store};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use scraper::{Html, Selector};

pub mod fixtures;
pub mod ocds;
pub mod people;
pub mod smtp;
pub mod tenders;

pub use smtp::{ReceivedMail, SmtpSink};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "CHANCE_NAVI_TEST_PG_URL";

/// The audit key of every test database (a fixed, public value: tests only).
/// A CLI run on a test database gets it as `CHANCE_NAVI_AUDIT_KEY`, or in
/// `<data-dir>/keys/audit` (`write_audit_key`).
pub const AUDIT_KEY_HEX: &str = "74657374206175646974206b65792c206e6f7420666f722070726f6475637473";

/// The keys derived from `AUDIT_KEY_HEX`.
pub fn audit_keys() -> std::sync::Arc<domain::audit::AuditKeys> {
    let secret = domain::audit::AuditSecret::parse(AUDIT_KEY_HEX).expect("test audit key");
    std::sync::Arc::new(domain::audit::AuditKeys::derive(&secret))
}

/// Writes the test audit key where `serve` looks for it in `data_dir`, so that
/// a server started there appends to the chain the test's store wrote.
pub fn write_audit_key(data_dir: &std::path::Path) {
    std::fs::create_dir_all(data_dir.join("keys")).expect("keys directory");
    std::fs::write(data_dir.join("keys/audit"), AUDIT_KEY_HEX).expect("audit key file");
}

/// `Store::connect` with the test audit key, for tests that open a
/// database of their own.
/// The content bundle key every test portal shares.
pub fn bundle_key() -> content::bundle::BundleKey {
    content::bundle::BundleKey::from_bytes(&[0x5a; 32])
}

pub async fn connect(target: &DatabaseTarget) -> Store {
    Store::connect(target, &PoolSettings::default())
        .await
        .expect("connect")
        .with_audit_keys(audit_keys())
}

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database and a data directory, both living as long as the value.
/// On SQLite the database is `<data_dir>/chance-navi.db`, as `serve` lays it out.
#[derive(Debug)]
pub struct TestDb {
    store: Store,
    target: DatabaseTarget,
    data_dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// An SQLite file in a temporary data directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let target = DatabaseTarget::sqlite(dir.path().join("chance-navi.db")).expect("absolute");
        Self::open(target, dir).await
    }

    /// A new database on the test PostgreSQL server, with a unique name.
    pub async fn postgres() -> TestDb {
        let base = postgres_base_url();
        let name = unique_name();
        let mut admin = sqlx::postgres::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server at {base}: {e}"));
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let target = DatabaseTarget::from_url(&format!("{base}/{name}")).expect("postgres url");
        Self::open(target, tempfile::tempdir().expect("temporary directory")).await
    }

    async fn open(target: DatabaseTarget, data_dir: tempfile::TempDir) -> TestDb {
        let store = connect(&target).await;
        store.migrate().await.expect("migrate");
        TestDb {
            store,
            target,
            data_dir,
        }
    }

    /// Runs SQL behind the store's back: for tests that play an attacker
    /// editing the database, or set up states the product cannot reach.
    pub async fn execute_raw(&self, sql: &str) {
        use sqlx::Connection;
        let url = match &self.target {
            DatabaseTarget::Sqlite { path } => format!("sqlite://{}", path.display()),
            DatabaseTarget::Postgres { url } => url.clone(),
        };
        let mut conn = sqlx::AnyConnection::connect(&url)
            .await
            .expect("raw connection");
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .expect("raw SQL");
        let _ = conn.close().await;
    }

    /// Takes an exclusive lock on `table` in a transaction left open (on
    /// PostgreSQL), so that a test can prove what does not wait for that
    /// table. The lock goes when the guard is released or dropped.
    pub async fn lock_table(&self, table: &str) -> TableLock {
        let DatabaseTarget::Postgres { url } = &self.target else {
            panic!("lock_table needs PostgreSQL");
        };
        let mut conn = sqlx::postgres::PgConnection::connect(url)
            .await
            .expect("lock connection");
        conn.execute("BEGIN").await.expect("begin");
        conn.execute(format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE").as_str())
            .await
            .expect("lock");
        TableLock(conn)
    }

    /// Plays an attacker who can write to the database but has no audit key:
    /// sets entry `seq`'s detail and recomputes its hash and every later one
    /// (the unkeyed formula: the best anyone without the key can do), moving
    /// the head along, in plain SQL.
    pub async fn rewrite_audit_entry(&self, seq: i64, detail: &str) {
        let mut entries = self
            .store
            .audit_entries(&store::AuditFilter {
                limit: 1000,
                ..store::AuditFilter::default()
            })
            .await
            .expect("entries");
        entries.reverse();
        let mut prev = entries
            .iter()
            .find(|e| e.seq == seq - 1)
            .map_or(String::new(), |e| e.hash.clone());
        let mut sql = String::new();
        for e in entries.iter_mut().filter(|e| e.seq >= seq) {
            if e.seq == seq {
                e.detail = detail.to_owned();
            }
            let hash = domain::audit::unkeyed_entry_hash(
                &prev,
                &domain::audit::AuditFields {
                    seq: e.seq,
                    at: e.at,
                    actor_id: e.actor_id,
                    actor_label: &e.actor_label,
                    action: &e.action,
                    target_type: &e.target_type,
                    target_id: &e.target_id,
                    detail: &e.detail,
                    ip: e.ip.as_deref(),
                },
            );
            sql.push_str(&format!(
                "UPDATE audit_log SET detail = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {};\n",
                e.detail.replace('\'', "''"),
                e.seq
            ));
            prev = hash;
        }
        sql.push_str(&format!(
            "UPDATE audit_head SET hash = '{prev}' WHERE id = 1;"
        ));
        self.execute_raw(&sql).await;
    }

    /// Plays an attacker deleting the entries after `keep` and moving the
    /// head back to it, as if they had never been written.
    pub async fn truncate_audit(&self, keep: i64) {
        let hash = self
            .store
            .audit_entries(&store::AuditFilter {
                limit: 1000,
                ..store::AuditFilter::default()
            })
            .await
            .expect("entries")
            .into_iter()
            .find(|e| e.seq == keep)
            .map_or(String::new(), |e| e.hash);
        self.execute_raw(&format!(
            "DELETE FROM audit_log WHERE seq > {keep};
             UPDATE audit_head SET seq = {keep}, hash = '{hash}' WHERE id = 1;"
        ))
        .await;
    }

    /// The installation's data directory (mail outbox, search index, uploads).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where the database is, for starting a second server or a CLI on the same data.
    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }
}

/// An exclusive table lock held open by `TestDb::lock_table`.
#[derive(Debug)]
pub struct TableLock(sqlx::postgres::PgConnection);

impl TableLock {
    pub async fn release(mut self) {
        self.0.execute("ROLLBACK").await.expect("rollback");
        let _ = self.0.close().await;
    }
}

/// Runs SQL on any database behind the store's back (see `TestDb::execute_raw`).
pub async fn execute_raw(target: &DatabaseTarget, sql: &str) {
    sqlx::any::install_default_drivers();
    let url = match target {
        DatabaseTarget::Sqlite { path } => format!("sqlite://{}", path.display()),
        DatabaseTarget::Postgres { url } => url.clone(),
    };
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    sqlx::raw_sql(sql)
        .execute(&mut conn)
        .await
        .expect("raw SQL");
    let _ = conn.close().await;
}

/// The PostgreSQL server's URL without a database name; panics with a clear
/// message when the harness has not provided one.
pub fn postgres_base_url() -> String {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "{PG_URL_VAR} is not set: PostgreSQL tests need a server. \
             Run scripts/test, which starts a throwaway cluster, or set {PG_URL_VAR}=postgres://user@host:port"
        ),
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "cn_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// The real server, with its middleware, on 127.0.0.1 and a free port.
/// `client` keeps cookies, like a browser; `smtp` receives the portal's mail
/// when the app was started with one.
#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub smtp: Option<SmtpSink>,
    pub state: web::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    mail_stop: Option<tokio::sync::watch::Sender<bool>>,
    follow_stop: tokio::sync::watch::Sender<bool>,
}

impl TestApp {
    /// The portal on a fresh SQLite database.
    pub async fn spawn() -> TestApp {
        Self::spawn_on(Backend::Sqlite).await
    }

    pub async fn spawn_on(backend: Backend) -> TestApp {
        Self::spawn_with(backend, web::routes(), web::WebSettings::default()).await
    }

    /// The portal with other routes or settings (tests add routes that panic or dawdle).
    /// The portal with a real SMTP server and the mail worker running.
    pub async fn spawn_with_mail(backend: Backend) -> TestApp {
        Self::start(backend, web::routes(), web::WebSettings::default(), true).await
    }

    pub async fn spawn_with(
        backend: Backend,
        routes: Router<web::AppState>,
        settings: web::WebSettings,
    ) -> TestApp {
        Self::start(backend, routes, settings, false).await
    }

    async fn start(
        backend: Backend,
        routes: Router<web::AppState>,
        mut settings: web::WebSettings,
        with_mail: bool,
    ) -> TestApp {
        let db = TestDb::new(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("local address");
        settings.public_url = format!("http://{addr}");
        // Every test portal signs content bundles with the same key, as a
        // staging and a production server share theirs.
        if settings.bundles.is_none() {
            settings.bundles = Some(web::Bundles::new(
                bundle_key(),
                db.data_dir().join("bundles"),
            ));
        }
        let index = std::sync::Arc::new(
            search::SearchIndex::open_or_create(&db.data_dir().join("index"))
                .expect("search index"),
        );
        // Every test portal has a key-encryption key, as `serve` does.
        let kek = std::sync::Arc::new(seal::Kek::generate().expect("kek"));
        let state = web::AppState::with_kek(db.store().clone(), settings, index.clone(), Some(kek));
        let (follow_stop, follow_stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(search::follow::run_follower(
            db.store().clone(),
            index,
            state.cases_wake.clone(),
            std::time::Duration::from_millis(50),
            follow_stopped,
        ));
        let (smtp, mail_stop) = if with_mail {
            let sink = SmtpSink::start();
            let mailer = mail::Mailer::new(
                Some(&sink.url()),
                "ビジネスチャンス・ナビ <no-reply@navi.example.jp>",
                &db.data_dir().join("outbox"),
            )
            .expect("mailer");
            let (stop, stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(mail::run_worker(
                mailer,
                db.store().clone(),
                state.mail_wake.clone(),
                std::time::Duration::from_millis(200),
                web::auth::now_ms,
                stopped,
            ));
            (Some(sink), Some(stop))
        } else {
            (None, None)
        };
        let app = web::with_middleware(routes, state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let limits = state.settings.connections;
        let server = tokio::spawn(web::serve(listener, app, limits, async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            client: Self::new_client(),
            db,
            smtp,
            state,
            shutdown: Some(tx),
            server: Some(server),
            mail_stop,
            follow_stop,
        }
    }

    /// A new browser-like client: its own cookies, redirects not followed.
    pub fn new_client() -> reqwest::Client {
        install_tls_provider();
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client")
    }

    /// Opens a form page with `client` and returns its CSRF token.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let body = client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        let html = Html::parse_document(&body);
        attrs(&html, "form input[name=csrf_token]", "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Opens `form_page`, then posts `fields` (with its CSRF token) to `action`.
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(client, form_page).await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        body.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .expect("request")
    }

    /// Like `submit`, as `multipart/form-data` with `files` as (field, file name, bytes).
    pub async fn submit_multipart(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> reqwest::Response {
        let csrf = self.csrf(client, form_page).await;
        let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (field, file_name, bytes) in files {
            form = form.part(
                field.to_string(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string()),
            );
        }
        client
            .post(self.url(action))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// A new person in `role` (numbered `n`, see `people::person`) signed in
    /// through the login form: their browser and their user id.
    pub async fn signed_in(&self, role: domain::Role, n: u32) -> (reqwest::Client, i64) {
        let store = self.db.store();
        let id = people::person(store, role, n)
            .await
            .expect("a signed-in role");
        let user = store.user(id).await.expect("read").expect("user");
        let client = Self::new_client();
        self.sign_in(&client, &user.email, people::PASSWORD).await;
        (client, id)
    }

    /// Signs `client` in through the login form; panics unless it succeeds.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) {
        let r = self
            .submit(
                client,
                "/login",
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            r.status(),
            303,
            "sign-in of {email} failed: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// Public tender `n` (`fixtures::case`) written and indexed; its id.
    pub async fn public_case(&self, n: u32) -> i64 {
        let written = self
            .db
            .store()
            .upsert_cases(&[fixtures::case(n)], 1_000)
            .await
            .expect("case");
        self.indexed().await;
        written[0].id()
    }

    /// Waits until the search index has caught up with every case written so far.
    pub async fn indexed(&self) {
        let target = self.db.store().latest_case_seq().await.expect("seq");
        for _ in 0..200 {
            if self.state.search.indexed_seq() >= target {
                return;
            }
            self.state.cases_written();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the search index did not catch up with seq {target}");
    }

    /// The SMTP server this app sends to.
    pub fn smtp(&self) -> &SmtpSink {
        self.smtp.as_ref().expect("started with spawn_with_mail")
    }

    /// Waits (up to ten seconds) for a mail to `to` whose subject contains
    /// `subject` and returns its text.
    pub async fn mail(&self, to: &str, subject: &str) -> String {
        for _ in 0..100 {
            if let Some(m) = self
                .smtp()
                .messages_to(to)
                .into_iter()
                .find(|m| m.subject.contains(subject))
            {
                return m.text.unwrap_or_default();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no mail {subject:?} to {to}: {:#?}", self.smtp().messages());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GETs a page and parses it.
    pub async fn page(&self, path: &str) -> (reqwest::StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        (status, Html::parse_document(&body))
    }

    /// Asks the server to stop, as SIGTERM does, and waits until it has.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.mail_stop.take() {
            let _ = stop.send(true);
        }
        let _ = self.follow_stop.send(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server");
        }
    }

    /// Starts the shutdown without waiting; returns the server task to await.
    pub fn begin_shutdown(&mut self) -> JoinHandle<std::io::Result<()>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take().expect("server still running")
    }
}

/// The text of every element `selector` matches, whitespace collapsed.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap_or_else(|e| panic!("bad selector {selector}: {e}"));
    html.select(&sel)
        .map(|el| {
            el.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The value of `attr` on every element `selector` matches.
pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap_or_else(|e| panic!("bad selector {selector}: {e}"));
    html.select(&sel)
        .filter_map(|el| el.value().attr(attr).map(str::to_owned))
        .collect()
}

/// reqwest is built with TLS but without a crypto provider of its own (the
/// binary fetches over https with ring, which lettre already uses): install
/// ring once before making any HTTP client in tests.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
