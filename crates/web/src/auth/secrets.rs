//! Random secrets and their fingerprints: session tokens, CSRF tokens and API tokens come
//! from the operating system's RNG; the database keeps only their SHA-256, so a copy of the
//! database does not let anyone sign in.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix of API tokens, so a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "balise_";

/// Why a secret could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// 32 random bytes from the OS, as 64 lowercase hex digits.
pub fn random_token() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| RandomError(error.to_string()))?;
    Ok(hex::encode(bytes))
}

/// A new API token: the prefix and 32 random bytes.
pub fn random_api_token() -> Result<String, RandomError> {
    Ok(format!("{API_TOKEN_PREFIX}{}", random_token()?))
}

/// The stored fingerprint of a token: hex SHA-256 of its text.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_equal(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_random_hex_of_256_bits() {
        let first = random_token().unwrap();
        let second = random_token().unwrap();
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert!(random_api_token().unwrap().starts_with("balise_"));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn constant_time_comparison_is_equality() {
        assert!(constant_time_equal("abc", "abc"));
        assert!(!constant_time_equal("abc", "abd"));
        assert!(!constant_time_equal("abc", "abcd"));
        assert!(!constant_time_equal("", "a"));
    }
}
