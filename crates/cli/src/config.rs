//! Settings: command-line flags, then `CHANCE_NAVI_*` environment variables
//! (and `DATABASE_URL`), then an optional TOML file, then the defaults.
//! clap takes care of the first two; this module adds the file and the defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use store::DatabaseTarget;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DATABASE_FILE: &str = "chance-navi.db";
pub const DEFAULT_MAIL_FROM: &str = "ビジネスチャンス・ナビ <no-reply@localhost>";

/// Settings every subcommand reads, so that `chance-navi <anything> --data-dir D`
/// works on the same installation as `chance-navi serve --data-dir D`.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// TOML file with settings; flags and environment variables override it
    #[arg(long, global = true, env = "CHANCE_NAVI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory for the SQLite database, the mail outbox, the search index and
    /// uploaded files; created when missing [default: ./data]
    #[arg(long, global = true, env = "CHANCE_NAVI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// PostgreSQL to use instead of SQLite, as postgres://user:password@host:port/database
    /// [default: SQLite at <data-dir>/chance-navi.db]
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Most database connections this process opens [default: 10]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_DB_MAX_CONNECTIONS",
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=1000)
    )]
    pub db_max_connections: Option<u32>,

    /// What to log: error, warn, info, debug, trace, or tracing directives such
    /// as "info,web=debug" [default: info]
    #[arg(long, global = true, env = "CHANCE_NAVI_LOG", value_name = "FILTER")]
    pub log: Option<String>,

    /// Log format on standard error [default: text]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: Option<LogFormat>,

    /// The address people reach the portal at, used in links in mail; https
    /// also marks cookies Secure [default: http://<listen address>]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_PUBLIC_URL",
        value_name = "URL"
    )]
    pub public_url: Option<String>,

    /// SMTP server for outgoing mail: smtp://user:password@host:port
    /// (?tls=required for STARTTLS) or smtps://… [default: none — mail is
    /// written as .eml files to <data-dir>/outbox]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// Sender of the portal's mail [default: "ビジネスチャンス・ナビ <no-reply@localhost>"]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_MAIL_FROM",
        value_name = "MAILBOX"
    )]
    pub mail_from: Option<String>,

    /// File holding the key-encryption key for sealed bids (64 hex digits);
    /// CHANCE_NAVI_KEK may hold the key itself instead [default:
    /// <data-dir>/keys/kek, created on first use]
    #[arg(long, global = true, env = "CHANCE_NAVI_KEK_FILE", value_name = "FILE")]
    pub kek_file: Option<PathBuf>,

    /// File holding the audit key (64 hex digits), which keys the audit log's
    /// hashes and signs its checkpoints; every node needs the same one, and
    /// the database never holds it. CHANCE_NAVI_AUDIT_KEY may hold the key
    /// itself instead [default: <data-dir>/keys/audit, created on first use]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_AUDIT_KEY_FILE",
        value_name = "FILE"
    )]
    pub audit_key_file: Option<PathBuf>,

    /// File holding the content bundle key (64 hex digits), which signs the
    /// bundles that carry site content from staging to production; both
    /// installations need the same one. CHANCE_NAVI_BUNDLE_KEY may hold the
    /// key itself instead [default: <data-dir>/keys/bundle, created on first
    /// use]
    #[arg(
        long,
        global = true,
        env = "CHANCE_NAVI_BUNDLE_KEY_FILE",
        value_name = "FILE"
    )]
    pub bundle_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines
    #[default]
    Text,
    /// One JSON object per line, for log collectors
    Json,
}

/// Settings of `serve` alone.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "CHANCE_NAVI_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,

    /// Seconds a request may take before it is answered with 503 [default: 30]
    #[arg(long, env = "CHANCE_NAVI_REQUEST_TIMEOUT_SECS", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: Option<u64>,

    /// Largest request body accepted, in bytes; larger ones get 413 [default: 10485760]
    #[arg(long, env = "CHANCE_NAVI_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,

    /// Memory for the render cache of the public pages visitors see, in MiB
    /// (0: none) [default: 64]
    #[arg(long, env = "CHANCE_NAVI_PAGE_CACHE_MIB", value_name = "MIB",
          value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub page_cache_mib: Option<u32>,

    /// Seconds to let requests in flight finish after SIGTERM or SIGINT [default: 30]
    #[arg(long, env = "CHANCE_NAVI_SHUTDOWN_GRACE_SECS", value_name = "SECS")]
    pub shutdown_grace_secs: Option<u64>,

    /// Connections held open at once; past it new ones wait in the kernel's
    /// queue. Keep it below the process's file-descriptor limit [default: 4096]
    #[arg(long, env = "CHANCE_NAVI_MAX_CONNECTIONS", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: Option<u32>,

    /// Seconds a client has to send a request's headers, from the moment the
    /// connection waits for them [default: 15]
    #[arg(long, env = "CHANCE_NAVI_HEADER_TIMEOUT_SECS", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: Option<u64>,

    /// Seconds a connection may stay silent in both directions (idle
    /// keep-alive, a stalled body) before it is closed [default: 60]
    #[arg(long, env = "CHANCE_NAVI_IDLE_TIMEOUT_SECS", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub idle_timeout_secs: Option<u64>,

    /// Proxies (addresses or CIDR blocks, comma-separated) whose
    /// X-Forwarded-For names the client: the load balancer in front of the
    /// nodes. Anyone else's header is ignored [default: none]
    #[arg(
        long = "trusted-proxy",
        env = "CHANCE_NAVI_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// Networks (comma-separated CIDR blocks) that may read /metrics and
    /// /healthz/imports without signing in, e.g. the Prometheus server; the
    /// operations role and administrators always may [default: 127.0.0.0/8,::1]
    #[arg(
        long = "metrics-allow",
        env = "CHANCE_NAVI_METRICS_ALLOW",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub metrics_allow: Vec<String>,

    /// Load the demo data first (as `chance-navi demo` does) and print who can sign in
    #[arg(long)]
    pub demo: bool,
}

/// The optional TOML file. Unknown keys are refused, so that a typo is not ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    db_max_connections: Option<u32>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    kek_file: Option<PathBuf>,
    audit_key_file: Option<PathBuf>,
    bundle_key_file: Option<PathBuf>,
    #[serde(default)]
    serve: FileServe,
    /// Scheduled imports that `serve` runs (`[[import]]` tables).
    #[serde(default)]
    import: Vec<FileImport>,
    /// How people reach the operator (`[contact]`): every page's footer and /contact.
    #[serde(default)]
    contact: Option<web::site::Contact>,
}

/// One scheduled import in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileImport {
    source: String,
    url: Option<String>,
    file: Option<PathBuf>,
    every_minutes: u64,
    /// kkj: fetch what was published in the last N days, split as needed.
    days: Option<u32>,
}

/// Where a scheduled import reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOrigin {
    Url(String),
    File(PathBuf),
}

/// A scheduled import, checked.
#[derive(Debug, Clone)]
pub struct ImportSchedule {
    pub source: import::Source,
    pub origin: ImportOrigin,
    pub every: Duration,
    pub days: Option<u32>,
}

fn schedules(imports: Vec<FileImport>) -> Result<Vec<ImportSchedule>> {
    imports
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let n = i + 1;
            let source = import::Source::parse_name(&f.source).ok_or_else(|| {
                anyhow!(
                    "[[import]] #{n}: unknown source {:?} (use one of {})",
                    f.source,
                    import::Source::ALL.map(import::Source::name).join(", ")
                )
            })?;
            let origin = match (f.url, f.file) {
                (Some(u), None) if u.starts_with("http://") || u.starts_with("https://") => {
                    ImportOrigin::Url(u)
                }
                (Some(u), None) => bail!("[[import]] #{n}: url {u:?} must be http or https"),
                (None, Some(p)) => ImportOrigin::File(p),
                _ => bail!("[[import]] #{n}: give exactly one of url and file"),
            };
            if f.every_minutes == 0 {
                bail!("[[import]] #{n}: every_minutes must be at least 1");
            }
            if f.days.is_some() && source != import::Source::Kkj {
                bail!("[[import]] #{n}: days is for the kkj source only");
            }
            Ok(ImportSchedule {
                source,
                origin,
                every: Duration::from_secs(f.every_minutes * 60),
                days: f.days,
            })
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServe {
    listen: Option<SocketAddr>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    page_cache_mib: Option<u32>,
    shutdown_grace_secs: Option<u64>,
    max_connections: Option<u32>,
    header_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    trusted_proxies: Option<Vec<String>>,
    metrics_allow: Option<Vec<String>>,
}

/// Reads a list of networks; `what` names the setting in the error.
fn networks(what: &str, list: &[String]) -> Result<Vec<domain::net::Network>> {
    list.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| domain::net::Network::parse(s).map_err(|e| anyhow!("{what}: {e}")))
        .collect()
}

/// Settings resolved from every source.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub db_max_connections: u32,
    pub log: String,
    pub log_format: LogFormat,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub serve: ServeSettings,
    pub imports: Vec<ImportSchedule>,
    /// Where the key-encryption key comes from.
    pub kek: KekSource,
    /// Where the audit key comes from.
    pub audit_key: AuditKeySource,
    /// Where the content bundle key comes from.
    pub bundle_key: BundleKeySource,
    /// How people reach the operator.
    pub contact: web::site::Contact,
}

/// Where the audit key comes from: like the key-encryption key, never from
/// the database, and the same on every node.
#[derive(Clone)]
pub enum AuditKeySource {
    /// CHANCE_NAVI_AUDIT_KEY.
    Environment(String),
    /// A key file (created with a new key when it is the default and missing).
    File { path: PathBuf, create: bool },
}

impl std::fmt::Debug for AuditKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditKeySource::Environment(_) => f.write_str("AuditKeySource::Environment(…)"),
            AuditKeySource::File { path, create } => {
                write!(
                    f,
                    "AuditKeySource::File({}, create: {create})",
                    path.display()
                )
            }
        }
    }
}

impl AuditKeySource {
    /// Loads the key; a default key file that does not exist yet is created
    /// (readable by its owner only). For commands that write audited actions.
    pub fn load_or_create(&self) -> Result<std::sync::Arc<domain::audit::AuditKeys>> {
        if let AuditKeySource::File { path, create: true } = self
            && !path.exists()
        {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| anyhow!("cannot draw a new audit key: {e}"))?;
            let secret = domain::audit::AuditSecret::from_bytes(bytes);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_private(path, &format!("{}\n", secret.to_hex()))?;
            tracing::warn!(
                path = %path.display(),
                "created a new audit key; back it up apart from the database, and give every node the same one"
            );
            return Ok(std::sync::Arc::new(domain::audit::AuditKeys::derive(
                &secret,
            )));
        }
        self.load()
    }

    /// Loads an existing key and never makes one: for commands that check
    /// the chain, where a new key would only make every entry look forged.
    pub fn load(&self) -> Result<std::sync::Arc<domain::audit::AuditKeys>> {
        let secret = match self {
            AuditKeySource::Environment(hex) => domain::audit::AuditSecret::parse(hex)
                .map_err(|e| anyhow!("CHANCE_NAVI_AUDIT_KEY: {e}"))?,
            AuditKeySource::File { path, .. } => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!(
                        "cannot read the audit key file {} (give the server's key with --audit-key-file or CHANCE_NAVI_AUDIT_KEY)",
                        path.display()
                    )
                })?;
                domain::audit::AuditSecret::parse(&text)
                    .map_err(|e| anyhow!("audit key file {}: {e}", path.display()))?
            }
        };
        Ok(std::sync::Arc::new(domain::audit::AuditKeys::derive(
            &secret,
        )))
    }
}

/// Where the content bundle key comes from: a key file (made on first use
/// when it is the default) or CHANCE_NAVI_BUNDLE_KEY.
#[derive(Clone)]
pub enum BundleKeySource {
    Environment(String),
    File { path: PathBuf, create: bool },
}

impl std::fmt::Debug for BundleKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BundleKeySource::Environment(_) => f.write_str("BundleKeySource::Environment(…)"),
            BundleKeySource::File { path, create } => {
                write!(
                    f,
                    "BundleKeySource::File({}, create: {create})",
                    path.display()
                )
            }
        }
    }
}

impl BundleKeySource {
    /// The key; a default key file that does not exist yet is made
    /// (readable by its owner only): copy it to the other installation.
    pub fn load_or_create(&self) -> Result<content::bundle::BundleKey> {
        match self {
            BundleKeySource::Environment(hex) => content::bundle::BundleKey::parse_hex(hex)
                .map_err(|e| anyhow!("CHANCE_NAVI_BUNDLE_KEY: {e}")),
            BundleKeySource::File { path, create } => {
                if *create && !path.exists() {
                    let mut bytes = [0u8; 32];
                    getrandom::fill(&mut bytes)
                        .map_err(|e| anyhow!("cannot draw a new bundle key: {e}"))?;
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .with_context(|| format!("cannot create {}", dir.display()))?;
                    }
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    write_private(path, &format!("{hex}\n"))?;
                    tracing::warn!(
                        path = %path.display(),
                        "created a new content bundle key; give staging and production the same one"
                    );
                }
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!(
                        "cannot read the bundle key file {} (give it with --bundle-key-file or CHANCE_NAVI_BUNDLE_KEY)",
                        path.display()
                    )
                })?;
                content::bundle::BundleKey::parse_hex(&text)
                    .map_err(|e| anyhow!("bundle key file {}: {e}", path.display()))
            }
        }
    }
}

/// Where the key-encryption key for sealed bids comes from. It is never
/// stored in the database.
#[derive(Clone)]
pub enum KekSource {
    /// CHANCE_NAVI_KEK.
    Environment(String),
    /// A key file (created with a new key when it is the default and missing).
    File { path: PathBuf, create: bool },
}

impl std::fmt::Debug for KekSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KekSource::Environment(_) => f.write_str("KekSource::Environment(…)"),
            KekSource::File { path, create } => {
                write!(f, "KekSource::File({}, create: {create})", path.display())
            }
        }
    }
}

impl KekSource {
    /// Loads the key; a default key file that does not exist yet is created
    /// (readable by its owner only).
    pub fn load(&self) -> Result<seal::Kek> {
        match self {
            KekSource::Environment(hex) => {
                seal::Kek::parse(hex).map_err(|e| anyhow!("CHANCE_NAVI_KEK: {e}"))
            }
            KekSource::File { path, create } => {
                if *create && !path.exists() {
                    let kek = seal::Kek::generate().map_err(|e| anyhow!(e))?;
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .with_context(|| format!("cannot create {}", dir.display()))?;
                    }
                    write_private(path, &format!("{}\n", kek.to_hex()))?;
                    tracing::warn!(
                        path = %path.display(),
                        "created a new key-encryption key for sealed bids; back it up apart from the database"
                    );
                    return Ok(kek);
                }
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the key file {}", path.display()))?;
                seal::Kek::parse(&text).map_err(|e| anyhow!("key file {}: {e}", path.display()))
            }
        }
    }
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write the key file {}", path.display()))
}

#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub listen: SocketAddr,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    pub page_cache_bytes: usize,
    pub shutdown_grace: Duration,
    pub trusted_proxies: Vec<domain::net::Network>,
    pub metrics_from: Vec<domain::net::Network>,
    pub connections: web::ConnectionLimits,
}

impl Settings {
    /// Merges the sources and prepares the data directory (created when missing,
    /// checked for writing), so that every later path in it is absolute.
    pub fn resolve(common: &CommonArgs, serve: &ServeArgs) -> Result<Settings> {
        let file = match &common.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = common
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let data_dir = prepare_data_dir(&data_dir)?;
        let database = match common.database_url.clone().or(file.database_url) {
            Some(url) if !url.trim().is_empty() => {
                DatabaseTarget::from_url(&url).map_err(|e| anyhow!("DATABASE_URL: {e}"))?
            }
            _ => DatabaseTarget::sqlite(data_dir.join(DATABASE_FILE))?,
        };
        let listen = match serve.listen.or(file.serve.listen) {
            Some(a) => a,
            None => DEFAULT_LISTEN.parse().context("default listen address")?,
        };
        let defaults = web::WebSettings::default();
        let request_timeout_secs = serve
            .request_timeout_secs
            .or(file.serve.request_timeout_secs)
            .unwrap_or(defaults.request_timeout.as_secs());
        if request_timeout_secs == 0 {
            bail!("request_timeout_secs must be at least 1");
        }
        let public_url = common
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("public_url {public_url:?} must start with http:// or https://");
        }
        let imports = schedules(file.import)?;
        let trusted_proxies = networks(
            "trusted_proxies",
            &if serve.trusted_proxies.is_empty() {
                file.serve.trusted_proxies.clone().unwrap_or_default()
            } else {
                serve.trusted_proxies.clone()
            },
        )?;
        let metrics_from = match (&serve.metrics_allow, &file.serve.metrics_allow) {
            (flag, _) if !flag.is_empty() => networks("metrics_allow", flag)?,
            (_, Some(list)) => networks("metrics_allow", list)?,
            _ => domain::net::Network::loopback(),
        };
        let kek = match (
            common.kek_file.clone(),
            std::env::var("CHANCE_NAVI_KEK").ok(),
        ) {
            (Some(path), _) => KekSource::File {
                path,
                create: false,
            },
            (None, Some(hex)) if !hex.trim().is_empty() => KekSource::Environment(hex),
            _ => match file.kek_file {
                Some(path) => KekSource::File {
                    path,
                    create: false,
                },
                None => KekSource::File {
                    path: data_dir.join("keys").join("kek"),
                    create: true,
                },
            },
        };
        let audit_key = match (
            common.audit_key_file.clone(),
            std::env::var("CHANCE_NAVI_AUDIT_KEY").ok(),
        ) {
            (Some(path), _) => AuditKeySource::File {
                path,
                create: false,
            },
            (None, Some(hex)) if !hex.trim().is_empty() => AuditKeySource::Environment(hex),
            _ => match file.audit_key_file {
                Some(path) => AuditKeySource::File {
                    path,
                    create: false,
                },
                None => AuditKeySource::File {
                    path: data_dir.join("keys").join("audit"),
                    create: true,
                },
            },
        };
        let bundle_key = match (
            common.bundle_key_file.clone(),
            std::env::var("CHANCE_NAVI_BUNDLE_KEY").ok(),
        ) {
            (Some(path), _) => BundleKeySource::File {
                path,
                create: false,
            },
            (None, Some(hex)) if !hex.trim().is_empty() => BundleKeySource::Environment(hex),
            _ => match file.bundle_key_file {
                Some(path) => BundleKeySource::File {
                    path,
                    create: false,
                },
                None => BundleKeySource::File {
                    path: data_dir.join("keys").join("bundle"),
                    create: true,
                },
            },
        };
        Ok(Settings {
            kek,
            audit_key,
            bundle_key,
            contact: file.contact.unwrap_or_default(),
            imports,
            public_url,
            smtp_url: common
                .smtp_url
                .clone()
                .or(file.smtp_url)
                .filter(|u| !u.trim().is_empty()),
            mail_from: common
                .mail_from
                .clone()
                .or(file.mail_from)
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            data_dir,
            database,
            db_max_connections: common
                .db_max_connections
                .or(file.db_max_connections)
                .unwrap_or(10)
                .clamp(1, 1000),
            log: common
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
            log_format: common.log_format.or(file.log_format).unwrap_or_default(),
            serve: ServeSettings {
                connections: {
                    let d = web::ConnectionLimits::default();
                    web::ConnectionLimits {
                        max_connections: serve
                            .max_connections
                            .or(file.serve.max_connections)
                            .map_or(d.max_connections, |n| n as usize),
                        header_timeout: serve
                            .header_timeout_secs
                            .or(file.serve.header_timeout_secs)
                            .map_or(d.header_timeout, Duration::from_secs),
                        idle_timeout: serve
                            .idle_timeout_secs
                            .or(file.serve.idle_timeout_secs)
                            .map_or(d.idle_timeout, Duration::from_secs),
                    }
                },
                trusted_proxies,
                metrics_from,
                listen,
                request_timeout: Duration::from_secs(request_timeout_secs),
                max_body_bytes: serve
                    .max_body_bytes
                    .or(file.serve.max_body_bytes)
                    .unwrap_or(defaults.max_body_bytes),
                page_cache_bytes: serve
                    .page_cache_mib
                    .or(file.serve.page_cache_mib)
                    .map_or(defaults.page_cache_bytes, |mib| mib as usize * 1024 * 1024),
                shutdown_grace: Duration::from_secs(
                    serve
                        .shutdown_grace_secs
                        .or(file.serve.shutdown_grace_secs)
                        .unwrap_or(30),
                ),
            },
        })
    }

    /// The database with the audit key loaded (created on first use when it
    /// is the default file), for commands that write audited actions.
    pub async fn store(&self) -> Result<store::Store> {
        // The database first: a wrong URL makes no key.
        let store = store::Store::connect(&self.database, &self.pool()).await?;
        Ok(store.with_audit_keys(self.audit_key.load_or_create()?))
    }

    pub fn pool(&self) -> store::PoolSettings {
        store::PoolSettings {
            max_connections: self.db_max_connections,
            ..store::PoolSettings::default()
        }
    }

    pub fn web(&self) -> web::WebSettings {
        web::WebSettings {
            request_timeout: self.serve.request_timeout,
            max_body_bytes: self.serve.max_body_bytes,
            page_cache_bytes: self.serve.page_cache_bytes,
            secure_cookies: self.public_url.starts_with("https://"),
            public_url: self.public_url.clone(),
            trusted_proxies: self.serve.trusted_proxies.clone(),
            metrics_from: self.serve.metrics_from.clone(),
            connections: self.serve.connections,
            import_schedules: self
                .imports
                .iter()
                .enumerate()
                .map(|(i, s)| web::ScheduledImport {
                    lease: crate::schedule::lease_name(i, s),
                    source: s.source,
                    origin: match &s.origin {
                        ImportOrigin::File(p) => p.display().to_string(),
                        ImportOrigin::Url(u) => crate::import_cmd::without_credentials(u),
                    },
                    every_minutes: s.every.as_secs() / 60,
                })
                .collect(),
            // Password hashing: one at a time per core (at most four), the
            // defaults being right for the hosts the portal runs on.
            ..web::WebSettings::default()
        }
    }

    /// The content bundles' key and folder (`<data-dir>/bundles`).
    pub fn bundles(&self) -> Result<web::Bundles> {
        Ok(web::Bundles::new(
            self.bundle_key.load_or_create()?,
            self.data_dir.join("bundles"),
        ))
    }

    /// Mail goes over SMTP when configured, else to `<data-dir>/outbox`.
    pub fn mailer(&self) -> Result<mail::Mailer> {
        Ok(mail::Mailer::new(
            self.smtp_url.as_deref(),
            &self.mail_from,
            &self.data_dir.join("outbox"),
        )?)
    }
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        let message = e.message().replace('\n', " ");
        match line {
            Some(line) => anyhow!("config file {}, line {line}: {message}", path.display()),
            None => anyhow!("config file {}: {message}", path.display()),
        }
    })
}

/// Creates the directory when missing, proves it can be written, and returns
/// its absolute path.
/// Creates the data directory (and tightens an existing one) to 0700: it holds
/// the database, the keys, the mail outbox with its reset links, and the
/// index, none of them for other local users.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)
            .with_context(|| format!("cannot read the data directory {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).with_context(
                || format!("cannot make the data directory {} private", dir.display()),
            )?;
        }
    }
    let dir = std::fs::canonicalize(dir)
        .with_context(|| format!("cannot resolve the data directory {}", dir.display()))?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("the data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("chance-navi.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[cfg(unix)]
    #[test]
    fn the_data_directory_is_private_new_or_old() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let fresh = prepare_data_dir(&tmp.path().join("new")).unwrap();
        assert_eq!(mode(&fresh), 0o700);
        let old = tmp.path().join("old");
        std::fs::create_dir(&old).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(mode(&prepare_data_dir(&old).unwrap()), 0o700);
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let tmp = tempfile::tempdir().unwrap();
        let common = CommonArgs {
            data_dir: Some(tmp.path().join("d")),
            ..Default::default()
        };
        let s = Settings::resolve(&common, &ServeArgs::default()).unwrap();
        assert_eq!(s.serve.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database,
            DatabaseTarget::sqlite(tmp.path().canonicalize().unwrap().join("d/chance-navi.db"))
                .unwrap()
        );
        assert_eq!(s.serve.request_timeout, Duration::from_secs(30));
        assert_eq!(s.log, "info");
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn the_file_fills_what_flags_and_environment_leave_open() {
        let tmp = tempfile::tempdir().unwrap();
        let file = write(
            tmp.path(),
            &format!(
                "data_dir = \"{}\"\nlog = \"debug\"\nlog_format = \"json\"\n\
                 [serve]\nlisten = \"0.0.0.0:9000\"\nrequest_timeout_secs = 5\n",
                tmp.path().join("from-file").display()
            ),
        );
        let common = CommonArgs {
            config: Some(file),
            log: Some("warn".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&common, &ServeArgs::default()).unwrap();
        assert!(s.data_dir.ends_with("from-file"));
        assert_eq!(s.log, "warn", "flag beats file");
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.serve.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.serve.request_timeout, Duration::from_secs(5));
        let serve = ServeArgs {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Default::default()
        };
        let s = Settings::resolve(&common, &serve).unwrap();
        assert_eq!(
            s.serve.listen.to_string(),
            "127.0.0.1:7000",
            "flag beats file"
        );
    }

    #[test]
    fn the_operators_contact_is_read_from_the_file_with_defaults_for_what_is_left_out() {
        let tmp = tempfile::tempdir().unwrap();
        let common = |body: &str| CommonArgs {
            config: Some(write(tmp.path(), body)),
            data_dir: Some(tmp.path().join("data")),
            ..Default::default()
        };
        let s = Settings::resolve(&common(""), &ServeArgs::default()).unwrap();
        assert_eq!(s.contact, web::site::Contact::default());
        let s = Settings::resolve(
            &common("[contact]\naddress = \"東京都新宿区西新宿二丁目8番1号\"\nphone = \"03-1234-5678\"\n"),
            &ServeArgs::default(),
        )
        .unwrap();
        assert_eq!(
            s.contact.address.as_deref(),
            Some("東京都新宿区西新宿二丁目8番1号")
        );
        assert_eq!(s.contact.phone.as_deref(), Some("03-1234-5678"));
        assert_eq!(s.contact.name, web::site::Contact::default().name);
        let err = Settings::resolve(&common("[contact]\nfax = \"03\"\n"), &ServeArgs::default())
            .unwrap_err();
        assert!(format!("{err:#}").contains("fax"), "{err:#}");
    }

    #[test]
    fn a_typo_in_the_file_is_named_with_its_line() {
        let tmp = tempfile::tempdir().unwrap();
        let file = write(
            tmp.path(),
            "log = \"info\"\n\n[serve]\nlisten_adress = \"x\"\n",
        );
        let common = CommonArgs {
            config: Some(file),
            data_dir: Some(tmp.path().into()),
            ..Default::default()
        };
        let err = Settings::resolve(&common, &ServeArgs::default()).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("line 4"), "{msg}");
        assert!(msg.contains("listen_adress"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let common = CommonArgs {
            config: Some("/nonexistent/chance-navi.toml".into()),
            ..Default::default()
        };
        let err = Settings::resolve(&common, &ServeArgs::default()).unwrap_err();
        assert!(
            format!("{err:#}")
                .contains("cannot read the config file /nonexistent/chance-navi.toml")
        );
    }

    #[test]
    fn a_data_directory_under_a_file_is_refused_with_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("plain-file");
        std::fs::write(&file, "x").unwrap();
        let common = CommonArgs {
            data_dir: Some(file.join("data")),
            ..Default::default()
        };
        let err = Settings::resolve(&common, &ServeArgs::default()).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("cannot create the data directory"), "{msg}");
        assert!(msg.contains("plain-file/data"), "{msg}");
    }

    #[test]
    fn a_database_url_of_another_kind_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let common = CommonArgs {
            data_dir: Some(tmp.path().into()),
            database_url: Some("mysql://u:pw@h/db".into()),
            ..Default::default()
        };
        let msg = format!(
            "{:#}",
            Settings::resolve(&common, &ServeArgs::default()).unwrap_err()
        );
        assert!(
            msg.starts_with("DATABASE_URL: unsupported database URL"),
            "{msg}"
        );
        assert!(!msg.contains("pw@"), "{msg}");
    }

    #[test]
    fn the_audit_key_is_made_once_in_the_data_directory_readable_by_its_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let common = CommonArgs {
            data_dir: Some(tmp.path().into()),
            ..Default::default()
        };
        let s = Settings::resolve(&common, &ServeArgs::default()).unwrap();
        let path = tmp.path().canonicalize().unwrap().join("keys/audit");
        assert!(
            matches!(&s.audit_key, AuditKeySource::File { path: p, create: true } if *p == path)
        );
        let err = s.audit_key.load().unwrap_err();
        assert!(format!("{err:#}").contains("cannot read the audit key file"));
        assert!(!path.exists(), "checking never makes a key");
        let made = s.audit_key.load_or_create().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = s.audit_key.load_or_create().unwrap();
        assert_eq!(
            made.public_key(),
            again.public_key(),
            "made once, then read"
        );
        assert_eq!(s.audit_key.load().unwrap().public_key(), made.public_key());
    }

    #[test]
    fn an_audit_key_file_that_is_named_is_never_created() {
        let tmp = tempfile::tempdir().unwrap();
        let named = tmp.path().join("elsewhere/audit.key");
        let common = CommonArgs {
            data_dir: Some(tmp.path().into()),
            audit_key_file: Some(named.clone()),
            ..Default::default()
        };
        let s = Settings::resolve(&common, &ServeArgs::default()).unwrap();
        let err = s.audit_key.load_or_create().unwrap_err();
        assert!(
            format!("{err:#}").contains("elsewhere/audit.key"),
            "{err:#}"
        );
        assert!(!named.exists());
        assert!(!format!("{:?}", s.audit_key).is_empty());
    }
}
