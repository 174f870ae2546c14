//! Passwords: the policy (at least 12 characters) and argon2id hashing with the crate's
//! default parameters (19 MiB, 2 passes). Hashing and checking take tens of milliseconds of
//! CPU on purpose: the async callers run them on the blocking pool ([`hash_password_blocking`],
//! [`verify_password_blocking`]) so they never stall the server's worker threads.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::entities::PasswordHash;

/// The shortest password accepted, in characters.
pub const MINIMUM_PASSWORD_CHARS: usize = 12;

/// The longest password accepted, in bytes (argon2 accepts more; nobody types more).
pub const MAXIMUM_PASSWORD_BYTES: usize = 1024;

/// Why a password could not be set or hashed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("Le mot de passe doit compter au moins {MINIMUM_PASSWORD_CHARS} caractères (il en compte {0}).")]
    TooShort(usize),
    #[error("Le mot de passe dépasse {MAXIMUM_PASSWORD_BYTES} octets.")]
    TooLong,
    #[error("Le mot de passe ne peut pas contenir de caractères de contrôle (retour à la ligne, tabulation…).")]
    ControlCharacter,
    #[error("Le mot de passe n'a pas pu être chiffré : {0}")]
    Hashing(String),
}

/// A password that satisfies the policy. The text is kept only to be hashed.
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the policy: at least 12 characters, at most 1 KiB, no control characters.
    pub fn parse(text: &str) -> Result<NewPassword, PasswordError> {
        let characters = text.chars().count();
        if characters < MINIMUM_PASSWORD_CHARS {
            return Err(PasswordError::TooShort(characters));
        }
        if text.len() > MAXIMUM_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(PasswordError::ControlCharacter);
        }
        Ok(NewPassword(text.to_owned()))
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("NewPassword(<redacted>)")
    }
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &NewPassword) -> Result<PasswordHash, PasswordError> {
    let hash = Argon2::default()
        .hash_password(password.0.as_bytes())
        .map_err(|error| PasswordError::Hashing(error.to_string()))?;
    PasswordHash::parse(&hash.to_string()).map_err(|error| PasswordError::Hashing(error.to_string()))
}

/// Whether `candidate` is the password of `hash`. A malformed stored hash never matches.
pub fn verify_password(candidate: &str, hash: &PasswordHash) -> bool {
    if candidate.len() > MAXIMUM_PASSWORD_BYTES {
        return false;
    }
    Argon2::default().verify_password(candidate.as_bytes(), hash.expose()).is_ok()
}

/// [`hash_password`] on the blocking pool.
pub async fn hash_password_blocking(password: NewPassword) -> Result<PasswordHash, PasswordError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| PasswordError::Hashing(error.to_string()))?
}

/// [`verify_password`] on the blocking pool. With `None` (no such login) it checks against
/// a fixed hash anyway, so an unknown login takes as long as a wrong password.
pub async fn verify_password_blocking(candidate: String, hash: Option<PasswordHash>) -> bool {
    let outcome = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&candidate, &hash),
        None => {
            if let Some(decoy) = timing_decoy() {
                let _ = verify_password(&candidate, decoy);
            }
            false
        }
    })
    .await;
    outcome.unwrap_or(false)
}

/// A hash of a random password, computed once, checked against when the login is unknown.
fn timing_decoy() -> Option<&'static PasswordHash> {
    static DECOY: std::sync::OnceLock<Option<PasswordHash>> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            let secret = super::secrets::random_token().ok()?;
            hash_password(&NewPassword::parse(&secret).ok()?).ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn policy_requires_twelve_characters_counted_as_characters() {
        assert_eq!(NewPassword::parse("court").unwrap_err(), PasswordError::TooShort(5));
        assert!(NewPassword::parse("onze-caract").is_err());
        assert!(NewPassword::parse("douze-caract").is_ok());
        // Accented letters count once each, not per byte.
        assert_eq!(NewPassword::parse("éééééééééé").unwrap_err(), PasswordError::TooShort(10));
        assert!(NewPassword::parse("mot de passe\nlong").is_err());
        assert!(NewPassword::parse(&"x".repeat(2000)).is_err());
        assert!(PasswordError::TooShort(3).to_string().contains("au moins 12 caractères"));
    }

    #[test]
    fn argon2id_hash_verifies_only_the_right_password() {
        let hash = hash_password(&NewPassword::parse("correct horse battery").unwrap()).unwrap();
        assert!(hash.expose().starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterie", &hash));
        let again = hash_password(&NewPassword::parse("correct horse battery").unwrap()).unwrap();
        assert_ne!(hash.expose(), again.expose(), "each hash has its own salt");
    }

    #[test]
    fn malformed_stored_hash_never_matches() {
        let broken = PasswordHash::parse("not-a-phc-string").unwrap();
        assert!(!verify_password("anything at all", &broken));
    }

    #[tokio::test]
    async fn unknown_login_is_refused_after_the_decoy_check() {
        assert!(!verify_password_blocking("n'importe quoi de long".to_owned(), None).await);
    }
}
