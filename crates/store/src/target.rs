//! Where the database is: an SQLite file or a PostgreSQL URL.

use std::fmt;
use std::path::{Path, PathBuf};

/// The two engines the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "unsupported database URL {shown}: use postgres://… (or leave DATABASE_URL unset for SQLite in the data directory)"
    )]
    UnsupportedScheme { shown: String },
    #[error("the SQLite database path {0} is not absolute")]
    RelativeSqlitePath(PathBuf),
}

/// A database to connect to. `Display` never shows a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseTarget({self})")
    }
}

impl DatabaseTarget {
    /// An SQLite file; the path must be absolute so that the URL cannot be misread.
    pub fn sqlite(path: impl AsRef<Path>) -> Result<Self, TargetError> {
        let path = path.as_ref();
        if !path.is_absolute() {
            return Err(TargetError::RelativeSqlitePath(path.to_path_buf()));
        }
        Ok(DatabaseTarget::Sqlite {
            path: path.to_path_buf(),
        })
    }

    /// Reads a `DATABASE_URL`: `postgres://` / `postgresql://`, or `sqlite:` with an absolute path.
    pub fn from_url(url: &str) -> Result<Self, TargetError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres {
                url: url.to_owned(),
            });
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or(path);
            return DatabaseTarget::sqlite(path);
        }
        Err(TargetError::UnsupportedScheme { shown: redact(url) })
    }

    pub fn engine(&self) -> Engine {
        match self {
            DatabaseTarget::Sqlite { .. } => Engine::Sqlite,
            DatabaseTarget::Postgres { .. } => Engine::Postgres,
        }
    }

    /// The URL handed to the driver (may hold a password: never log it).
    pub(crate) fn connection_url(&self) -> String {
        match self {
            DatabaseTarget::Sqlite { path } => {
                format!("sqlite://{}?mode=rwc", encode_path(&path.to_string_lossy()))
            }
            DatabaseTarget::Postgres { url } => url.clone(),
        }
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::Sqlite { path } => write!(f, "{}", path.display()),
            DatabaseTarget::Postgres { url } => f.write_str(&redact(url)),
        }
    }
}

/// Percent-encodes the characters that would end or alter the path part of a URL.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            ' ' => out.push_str("%20"),
            _ => out.push(c),
        }
    }
    out
}

/// Replaces the password of `scheme://user:password@host/…` by `***`; query
/// parameters (which may carry `password=`) are dropped from what is shown.
fn redact(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let Some((scheme, rest)) = without_query.split_once("://") else {
        return without_query.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                format!("{scheme}://{user}@{host}{path}")
            }
        }
        None => without_query.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_shown_without_password_or_query() {
        let t = DatabaseTarget::from_url("postgres://app:s3cret@db.example:5432/navi?password=x")
            .expect("valid");
        assert_eq!(t.to_string(), "postgres://app:***@db.example:5432/navi");
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(t.engine(), Engine::Postgres);
    }

    #[test]
    fn postgres_url_without_password_is_shown_as_is() {
        let t = DatabaseTarget::from_url("postgresql://app@localhost/navi").expect("valid");
        assert_eq!(t.to_string(), "postgresql://app@localhost/navi");
    }

    #[test]
    fn sqlite_urls_need_an_absolute_path() {
        assert_eq!(
            DatabaseTarget::from_url("sqlite:///var/lib/cn/db.sqlite?mode=rwc"),
            DatabaseTarget::sqlite("/var/lib/cn/db.sqlite")
        );
        assert!(matches!(
            DatabaseTarget::from_url("sqlite://relative.db"),
            Err(TargetError::RelativeSqlitePath(_))
        ));
    }

    #[test]
    fn unknown_schemes_are_refused_without_echoing_secrets() {
        let err = DatabaseTarget::from_url("mysql://root:hunter2@h/db").expect_err("refused");
        assert!(err.to_string().contains("mysql://root:***@h/db"));
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn sqlite_paths_with_url_characters_are_encoded() {
        let t = DatabaseTarget::sqlite("/tmp/a b/c?d#e%f.db").expect("absolute");
        assert_eq!(
            t.connection_url(),
            "sqlite:///tmp/a%20b/c%3Fd%23e%25f.db?mode=rwc"
        );
    }
}
