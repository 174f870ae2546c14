//! The SMTP relay's configuration: host, port, transport security, optional credentials
//! (the password never appears in `Debug` output or logs), the sender address, and the
//! public address of Balise used in links.

use std::fmt;

use crate::NotifyError;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on the loopback or a trusted local network.
    None,
    /// STARTTLS upgrade (port 587 usually).
    StartTls,
    /// TLS from the first byte (port 465 usually).
    Tls,
}

impl SmtpSecurity {
    /// `none`, `starttls` or `tls`.
    pub fn parse(text: &str) -> Result<SmtpSecurity, NotifyError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(SmtpSecurity::None),
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" | "implicit" => Ok(SmtpSecurity::Tls),
            other => Err(NotifyError::Config(format!(
                "sécurité « {other} » inconnue : attendu none, starttls ou tls"
            ))),
        }
    }
}

/// A secret that prints as `[masqué]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a secret.
    pub fn new(secret: String) -> Password {
        Password(secret)
    }

    /// The secret, for the SMTP login only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[masqué]")
    }
}

/// The relay and the sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Password>,
    /// The `From:` address, e.g. `Balise <balise@organisme.gouv.qc.ca>`.
    pub from: String,
    /// Balise's public address, for links to cases (`https://balise.example/`).
    pub public_url: String,
}

/// The environment variables [`SmtpConfig::from_env`] reads.
pub const ENV_HOST: &str = "BALISE_SMTP_HOST";
pub const ENV_PORT: &str = "BALISE_SMTP_PORT";
pub const ENV_SECURITY: &str = "BALISE_SMTP_SECURITY";
pub const ENV_USERNAME: &str = "BALISE_SMTP_USERNAME";
pub const ENV_PASSWORD: &str = "BALISE_SMTP_PASSWORD";
pub const ENV_FROM: &str = "BALISE_SMTP_FROM";
pub const ENV_PUBLIC_URL: &str = "BALISE_PUBLIC_URL";

impl SmtpConfig {
    /// Reads the configuration from a lookup (the environment, a file's table…). `None` when
    /// no host is configured: e-mail is then off.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<SmtpConfig>, NotifyError> {
        let Some(host) = lookup(ENV_HOST).filter(|host| !host.trim().is_empty()) else {
            return Ok(None);
        };
        let security = SmtpSecurity::parse(&lookup(ENV_SECURITY).unwrap_or_default())?;
        let default_port = match security {
            SmtpSecurity::None => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
        };
        let port = match lookup(ENV_PORT) {
            None => default_port,
            Some(text) => text
                .trim()
                .parse::<u16>()
                .map_err(|_| NotifyError::Config(format!("{ENV_PORT} : port invalide « {text} »")))?,
        };
        let from = lookup(ENV_FROM)
            .filter(|from| !from.trim().is_empty())
            .ok_or_else(|| NotifyError::Config(format!("{ENV_FROM} manque : l'adresse d'expédition est requise")))?;
        Ok(Some(SmtpConfig {
            host: host.trim().to_owned(),
            port,
            security,
            username: lookup(ENV_USERNAME).filter(|user| !user.is_empty()),
            password: lookup(ENV_PASSWORD).filter(|password| !password.is_empty()).map(Password::new),
            from,
            public_url: lookup(ENV_PUBLIC_URL).unwrap_or_else(|| "http://127.0.0.1:8080/".to_owned()),
        }))
    }

    /// [`from_lookup`](Self::from_lookup) over the process environment.
    pub fn from_env() -> Result<Option<SmtpConfig>, NotifyError> {
        SmtpConfig::from_lookup(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_password_never_shows_in_debug() {
        let values: HashMap<&str, &str> = HashMap::from([
            (ENV_HOST, "smtp.example.org"),
            (ENV_SECURITY, "starttls"),
            (ENV_USERNAME, "balise"),
            (ENV_PASSWORD, "s3cr3t-du-relais"),
            (ENV_FROM, "balise@example.org"),
        ]);
        let config = SmtpConfig::from_lookup(|name| values.get(name).map(|v| (*v).to_owned())).unwrap().unwrap();
        assert_eq!((config.port, config.security), (587, SmtpSecurity::StartTls));
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("[masqué]"));
        assert_eq!(config.password.unwrap().expose(), "s3cr3t-du-relais");
    }

    #[test]
    fn no_host_means_no_email_and_bad_values_are_named() {
        assert_eq!(SmtpConfig::from_lookup(|_| None).unwrap(), None);
        let error = SmtpConfig::from_lookup(|name| match name {
            ENV_HOST => Some("h".into()),
            ENV_PORT => Some("99999".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(error.to_string().contains(ENV_PORT), "{error}");
        assert!(SmtpSecurity::parse("ssl3").is_err());
    }
}
