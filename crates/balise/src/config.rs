//! The server's configuration: one typed struct, layered from an optional TOML file, then
//! the environment, then the command line (each layer overrides the one before). The
//! database URL may carry a password, so `Debug` and `Display` redact it.

use anyhow::Context;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The default address: loopback only, so a fresh install is not exposed to the network.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// A database URL whose password never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The URL with its secret, for the connection only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(scheme_end) = url.find("://") else {
            return url.clone();
        };
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &authority[..colon],
                &rest[at..]
            ),
            _ => url.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The settings `balise serve` runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `None` means the SQLite file `balise.sqlite3` in the data directory.
    pub database_url: Option<DatabaseUrl>,
}

/// The optional configuration file's shape (`balise.toml`); every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
}

/// What the command line says; `None` leaves the lower layers' value.
#[derive(Debug, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Settings {
    /// Builds the settings from the file named by `--config` or `BALISE_CONFIG` (if any), then
    /// `BALISE_LISTEN`, `BALISE_DATA_DIR` and `BALISE_DATABASE_URL`, then the flags.
    pub fn load(overrides: Overrides) -> anyhow::Result<Settings> {
        let config_file = overrides
            .config_file
            .clone()
            .or_else(|| std::env::var_os("BALISE_CONFIG").map(PathBuf::from));
        let file = match &config_file {
            Some(path) => read_file_settings(path)?,
            None => FileSettings::default(),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());

        let listen_text = overrides
            .listen
            .or_else(|| env("BALISE_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text.parse::<SocketAddr>().with_context(|| {
            format!("adresse d'écoute invalide « {listen_text} » (attendu : ADRESSE:PORT, p. ex. 127.0.0.1:8080)")
        })?;
        let data_dir = overrides
            .data_dir
            .or_else(|| env("BALISE_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = overrides
            .database_url
            .or_else(|| env("BALISE_DATABASE_URL"))
            .or(file.database_url)
            .map(DatabaseUrl::new);
        Ok(Settings { listen, data_dir, database_url })
    }

    /// The database to open: the configured URL, or the SQLite file in the data directory.
    pub fn effective_database_url(&self) -> DatabaseUrl {
        match &self.database_url {
            Some(url) => url.clone(),
            None => DatabaseUrl::new(format!(
                "sqlite://{}",
                self.data_dir.join("balise.sqlite3").display()
            )),
        }
    }
}

fn read_file_settings(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture du fichier de configuration {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("fichier de configuration {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        let check = |url: &str, expected: &str| assert_eq!(DatabaseUrl::new(url).redacted(), expected);
        check("postgres://balise:s3cret@db.example:5432/balise", "postgres://balise:***@db.example:5432/balise");
        check("postgres://balise@db.example/balise", "postgres://balise@db.example/balise");
        check("sqlite://data/balise.sqlite3", "sqlite://data/balise.sqlite3");
        check("postgres://u:p@h/db?password=x", "postgres://u:***@h/db?password=x");
        assert!(!format!("{:?}", DatabaseUrl::new("postgres://a:topsecret@h/d")).contains("topsecret"));
    }
}
