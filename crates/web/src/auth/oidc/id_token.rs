//! The ID token's checks (OpenID Connect Core §3.1.3.7): the signature against the
//! provider's published keys, then every claim Balise relies on — `iss` equal to the
//! configured issuer, `aud` holding our client id (and `azp` equal to it when present or
//! when there are several audiences), `exp` in the future and `iat` not in the future (with a
//! small clock skew), and the `nonce` of this sign-in. Only asymmetric algorithms are
//! accepted (RS256/384/512, PS256/384/512, ES256/384), never `none` nor HMAC, and the key
//! must be of the family the algorithm names. The checks are pure: the caller passes the
//! keys and the time, so the unit tests sign tokens themselves.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// The clock difference tolerated between Balise and the provider.
pub const CLOCK_SKEW_SECONDS: i64 = 60;

/// The algorithms accepted for ID tokens.
const ACCEPTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// What the ID token must say, known before it arrives.
#[derive(Clone, Debug)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// Why an ID token was refused. The code goes to the audit log; none of these is shown to
/// the person in detail (they all read "the provider's answer failed the security checks").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is not a signed JWT: {0}")]
    Malformed(String),
    #[error("the ID token's algorithm {0} is not accepted")]
    AlgorithmRefused(String),
    #[error("no published key of the provider matches the ID token (kid {0:?})")]
    UnknownKey(Option<String>),
    #[error("the ID token's signature does not verify")]
    BadSignature,
    #[error("the ID token's issuer {found:?} is not the configured issuer")]
    WrongIssuer { found: String },
    #[error("the ID token is for another audience {found:?}")]
    WrongAudience { found: Vec<String> },
    #[error("the ID token's authorised party {found:?} is not this client")]
    WrongAuthorisedParty { found: Option<String> },
    #[error("the ID token expired at {expired_at}")]
    Expired { expired_at: i64 },
    #[error("the ID token was issued in the future ({issued_at})")]
    IssuedInTheFuture { issued_at: i64 },
    #[error("the ID token's nonce does not match this sign-in")]
    WrongNonce,
    #[error("the ID token has no usable subject")]
    NoSubject,
}

impl IdTokenError {
    /// The stable code written to the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            IdTokenError::Malformed(_) => "id_token_malformed",
            IdTokenError::AlgorithmRefused(_) => "id_token_algorithm_refused",
            IdTokenError::UnknownKey(_) => "id_token_unknown_key",
            IdTokenError::BadSignature => "id_token_bad_signature",
            IdTokenError::WrongIssuer { .. } => "id_token_wrong_issuer",
            IdTokenError::WrongAudience { .. } => "id_token_wrong_audience",
            IdTokenError::WrongAuthorisedParty { .. } => "id_token_wrong_authorised_party",
            IdTokenError::Expired { .. } => "id_token_expired",
            IdTokenError::IssuedInTheFuture { .. } => "id_token_issued_in_the_future",
            IdTokenError::WrongNonce => "id_token_wrong_nonce",
            IdTokenError::NoSubject => "id_token_no_subject",
        }
    }
}

/// `aud` is a string or an array of strings.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn values(&self) -> Vec<String> {
        match self {
            Audience::One(value) => vec![value.clone()],
            Audience::Many(values) => values.clone(),
        }
    }
}

/// The claims Balise reads.
#[derive(Clone, Debug, Deserialize)]
pub struct IdTokenClaims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: i64,
    iat: i64,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
}

/// An identity the provider vouched for, after every check passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub subject: String,
    /// The e-mail address, only when the provider says it verified it.
    pub verified_email: Option<String>,
}

/// Whether a claim `email_verified` says yes: `true`, or the string `"true"` that some
/// providers send.
pub fn says_verified(value: Option<&serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(verified)) => *verified,
        Some(serde_json::Value::String(text)) => text == "true",
        _ => false,
    }
}

/// Checks the claims of a token whose signature is already verified, at `now` (seconds
/// since the Unix epoch).
pub fn check_claims(claims: &IdTokenClaims, expected: &Expected<'_>, now: i64) -> Result<VerifiedIdentity, IdTokenError> {
    if claims.iss != expected.issuer {
        return Err(IdTokenError::WrongIssuer { found: claims.iss.clone() });
    }
    let audiences = claims.aud.values();
    if !audiences.iter().any(|audience| audience == expected.client_id) {
        return Err(IdTokenError::WrongAudience { found: audiences });
    }
    let azp_required = audiences.len() > 1;
    match &claims.azp {
        Some(azp) if azp != expected.client_id => {
            return Err(IdTokenError::WrongAuthorisedParty { found: Some(azp.clone()) });
        }
        None if azp_required => return Err(IdTokenError::WrongAuthorisedParty { found: None }),
        _ => {}
    }
    if claims.exp <= now - CLOCK_SKEW_SECONDS {
        return Err(IdTokenError::Expired { expired_at: claims.exp });
    }
    if claims.iat > now + CLOCK_SKEW_SECONDS {
        return Err(IdTokenError::IssuedInTheFuture { issued_at: claims.iat });
    }
    let nonce_matches = claims
        .nonce
        .as_deref()
        .is_some_and(|nonce| bool::from(nonce.as_bytes().ct_eq(expected.nonce.as_bytes())));
    if !nonce_matches {
        return Err(IdTokenError::WrongNonce);
    }
    let subject = claims.sub.trim();
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) || subject != claims.sub {
        return Err(IdTokenError::NoSubject);
    }
    let verified_email = claims
        .email
        .clone()
        .filter(|_| says_verified(claims.email_verified.as_ref()));
    Ok(VerifiedIdentity { subject: claims.sub.clone(), verified_email })
}

/// The provider's usable signing keys, from its JWKS document. Keys Balise cannot use
/// (encryption keys, unknown types) are skipped rather than failing the whole set.
pub fn usable_keys(jwks: &serde_json::Value) -> Vec<Jwk> {
    let Some(keys) = jwks.get("keys").and_then(serde_json::Value::as_array) else {
        return Vec::new();
    };
    keys.iter()
        .filter(|key| key.get("use").and_then(serde_json::Value::as_str).is_none_or(|usage| usage == "sig"))
        .filter_map(|key| serde_json::from_value::<Jwk>(key.clone()).ok())
        .filter(|key| {
            matches!(
                key.algorithm,
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) | jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_)
            )
        })
        .collect()
}

/// Whether a key may verify `algorithm`: the family matches and, when the key names its
/// algorithm, it is this one.
fn key_fits(key: &Jwk, algorithm: Algorithm) -> bool {
    use jsonwebtoken::jwk::AlgorithmParameters;
    let family_fits = match &key.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            algorithm,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(parameters) => matches!(
            (parameters.curve.clone(), algorithm),
            (jsonwebtoken::jwk::EllipticCurve::P256, Algorithm::ES256) | (jsonwebtoken::jwk::EllipticCurve::P384, Algorithm::ES384)
        ),
        _ => false,
    };
    let named_fits = key
        .common
        .key_algorithm
        .is_none_or(|named| format!("{named:?}") == format!("{algorithm:?}"));
    family_fits && named_fits
}

/// The token's header algorithm and key id, before any verification (to pick the key).
pub fn header_of(token: &str) -> Result<(Algorithm, Option<String>), IdTokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|error| IdTokenError::Malformed(error.to_string()))?;
    if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
        return Err(IdTokenError::AlgorithmRefused(format!("{:?}", header.alg)));
    }
    Ok((header.alg, header.kid))
}

/// The key among `keys` that should verify a token with this header: the one with the
/// token's `kid`, or, when the token names none, the only key that fits the algorithm.
pub fn pick_key<'k>(keys: &'k [Jwk], algorithm: Algorithm, kid: Option<&str>) -> Option<&'k Jwk> {
    let fitting = keys.iter().filter(|key| key_fits(key, algorithm));
    match kid {
        Some(kid) => fitting.into_iter().find(|key| key.common.key_id.as_deref() == Some(kid)),
        None => {
            let candidates: Vec<&Jwk> = fitting.collect();
            if candidates.len() == 1 { candidates.first().copied() } else { None }
        }
    }
}

/// Verifies an ID token: signature with `keys`, then the claims at `now` (seconds since the
/// Unix epoch). `UnknownKey` tells the caller to fetch the keys again (the provider may
/// have rotated them) and retry once.
pub fn verify(token: &str, keys: &[Jwk], expected: &Expected<'_>, now: i64) -> Result<(VerifiedIdentity, IdTokenClaims), IdTokenError> {
    let (algorithm, kid) = header_of(token)?;
    let key = pick_key(keys, algorithm, kid.as_deref()).ok_or_else(|| IdTokenError::UnknownKey(kid.clone()))?;
    let decoding_key = DecodingKey::from_jwk(key).map_err(|_| IdTokenError::UnknownKey(kid.clone()))?;
    // The library checks the signature and the algorithm; every claim is checked below,
    // against the time the caller gives, so nothing depends on the library's defaults.
    let mut validation = Validation::new(algorithm);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<IdTokenClaims>(token, &decoding_key, &validation).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature => IdTokenError::BadSignature,
            ErrorKind::InvalidAlgorithm => IdTokenError::AlgorithmRefused(format!("{algorithm:?}")),
            _ => IdTokenError::Malformed(error.to_string()),
        }
    })?;
    let identity = check_claims(&data.claims, expected, now)?;
    Ok((identity, data.claims))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header};
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    use std::sync::LazyLock;

    const ISSUER: &str = "https://idp.exemple.gouv.qc.ca";
    const NOW: i64 = 1_795_000_000;

    /// A test key pair generated once per test run (no key file in the repository).
    struct TestKey {
        encoding: EncodingKey,
        jwk: Jwk,
    }

    fn generate(kid: &str) -> TestKey {
        let mut rng = rsa::rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        let encode = |bytes: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": encode(private.n().to_bytes_be()),
            "e": encode(private.e().to_bytes_be()),
        }))
        .unwrap();
        TestKey { encoding: EncodingKey::from_rsa_der(der.as_bytes()), jwk }
    }

    static KEY: LazyLock<TestKey> = LazyLock::new(|| generate("cle-1"));
    static OTHER_KEY: LazyLock<TestKey> = LazyLock::new(|| generate("cle-2"));

    fn expected() -> Expected<'static> {
        Expected { issuer: ISSUER, client_id: "balise", nonce: "nonce-de-la-connexion" }
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({
            "iss": ISSUER,
            "sub": "sujet-123",
            "aud": "balise",
            "exp": NOW + 300,
            "iat": NOW - 5,
            "nonce": "nonce-de-la-connexion",
            "email": "c.tremblay@exemple.gouv.qc.ca",
            "email_verified": true,
        })
    }

    fn sign(claims: &serde_json::Value, key: &TestKey, kid: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
    }

    fn verify_claims(claims: serde_json::Value) -> Result<VerifiedIdentity, IdTokenError> {
        let token = sign(&claims, &KEY, Some("cle-1"));
        verify(&token, std::slice::from_ref(&KEY.jwk), &expected(), NOW).map(|(identity, _)| identity)
    }

    fn with(field: &str, value: serde_json::Value) -> serde_json::Value {
        let mut claims = claims();
        claims[field] = value;
        claims
    }

    #[test]
    fn a_good_token_gives_the_subject_and_the_verified_email() {
        let identity = verify_claims(claims()).unwrap();
        assert_eq!(identity.subject, "sujet-123");
        assert_eq!(identity.verified_email.as_deref(), Some("c.tremblay@exemple.gouv.qc.ca"));
        let unverified = verify_claims(with("email_verified", serde_json::json!(false))).unwrap();
        assert_eq!(unverified.verified_email, None, "an unverified address links nothing");
        let absent = verify_claims({
            let mut claims = claims();
            claims.as_object_mut().unwrap().remove("email_verified");
            claims
        })
        .unwrap();
        assert_eq!(absent.verified_email, None);
    }

    #[test]
    fn the_issuer_must_be_the_configured_one() {
        let error = verify_claims(with("iss", serde_json::json!("https://faux.exemple"))).unwrap_err();
        assert_eq!(error.code(), "id_token_wrong_issuer");
    }

    #[test]
    fn the_audience_must_hold_our_client_and_azp_must_name_it() {
        assert_eq!(verify_claims(with("aud", serde_json::json!("autre-application"))).unwrap_err().code(), "id_token_wrong_audience");
        assert_eq!(verify_claims(with("aud", serde_json::json!(["autre", "encore"]))).unwrap_err().code(), "id_token_wrong_audience");
        // Several audiences: azp must be present and be us.
        assert_eq!(
            verify_claims(with("aud", serde_json::json!(["balise", "autre"]))).unwrap_err().code(),
            "id_token_wrong_authorised_party"
        );
        let mut several = with("aud", serde_json::json!(["balise", "autre"]));
        several["azp"] = serde_json::json!("balise");
        assert!(verify_claims(several).is_ok());
        assert_eq!(verify_claims(with("azp", serde_json::json!("autre"))).unwrap_err().code(), "id_token_wrong_authorised_party");
    }

    #[test]
    fn expiry_and_issue_time_allow_one_minute_of_skew() {
        assert!(verify_claims(with("exp", serde_json::json!(NOW - 30))).is_ok(), "within the skew");
        assert_eq!(verify_claims(with("exp", serde_json::json!(NOW - 61))).unwrap_err().code(), "id_token_expired");
        assert!(verify_claims(with("iat", serde_json::json!(NOW + 30))).is_ok());
        assert_eq!(verify_claims(with("iat", serde_json::json!(NOW + 120))).unwrap_err().code(), "id_token_issued_in_the_future");
    }

    #[test]
    fn the_nonce_must_be_this_sign_ins() {
        assert_eq!(verify_claims(with("nonce", serde_json::json!("autre-nonce"))).unwrap_err().code(), "id_token_wrong_nonce");
        let mut without = claims();
        without.as_object_mut().unwrap().remove("nonce");
        assert_eq!(verify_claims(without).unwrap_err().code(), "id_token_wrong_nonce");
    }

    #[test]
    fn a_missing_exp_or_subject_is_refused() {
        let mut without = claims();
        without.as_object_mut().unwrap().remove("exp");
        assert_eq!(verify_claims(without).unwrap_err().code(), "id_token_malformed");
        assert_eq!(verify_claims(with("sub", serde_json::json!(""))).unwrap_err().code(), "id_token_no_subject");
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        // Signed by another key but claiming the published key's id.
        let forged = sign(&claims(), &OTHER_KEY, Some("cle-1"));
        assert_eq!(
            verify(&forged, std::slice::from_ref(&KEY.jwk), &expected(), NOW).unwrap_err(),
            IdTokenError::BadSignature
        );
        // A key id the provider does not publish: the caller refetches the keys.
        let unknown = sign(&claims(), &OTHER_KEY, Some("cle-2"));
        assert_eq!(
            verify(&unknown, std::slice::from_ref(&KEY.jwk), &expected(), NOW).unwrap_err(),
            IdTokenError::UnknownKey(Some("cle-2".to_owned()))
        );
        // Without a kid, the only fitting key is used.
        let no_kid = sign(&claims(), &KEY, None);
        assert!(verify(&no_kid, std::slice::from_ref(&KEY.jwk), &expected(), NOW).is_ok());
        // A tampered payload breaks the signature.
        let token = sign(&claims(), &KEY, Some("cle-1"));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let tampered = with("sub", serde_json::json!("quelqu-un-d-autre"));
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tampered.to_string());
        assert_eq!(
            verify(&parts.join("."), std::slice::from_ref(&KEY.jwk), &expected(), NOW).unwrap_err(),
            IdTokenError::BadSignature
        );
    }

    #[test]
    fn unsigned_and_hmac_tokens_are_refused() {
        let encode = |value: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
        let none = format!("{}.{}.", encode(serde_json::json!({"alg": "none", "typ": "JWT"})), encode(claims()));
        assert!(matches!(
            verify(&none, std::slice::from_ref(&KEY.jwk), &expected(), NOW).unwrap_err(),
            IdTokenError::Malformed(_) | IdTokenError::AlgorithmRefused(_)
        ));
        let hmac = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &EncodingKey::from_secret(b"balise")).unwrap();
        assert!(matches!(
            verify(&hmac, std::slice::from_ref(&KEY.jwk), &expected(), NOW).unwrap_err(),
            IdTokenError::AlgorithmRefused(_)
        ));
    }

    #[test]
    fn keys_for_encryption_or_of_unknown_types_are_skipped() {
        let jwks = serde_json::json!({"keys": [
            {"kty": "RSA", "use": "enc", "kid": "chiffrement", "n": "AQAB", "e": "AQAB"},
            {"kty": "inconnu", "kid": "bizarre"},
            serde_json::to_value(&KEY.jwk).unwrap(),
        ]});
        let keys = usable_keys(&jwks);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].common.key_id.as_deref(), Some("cle-1"));
        assert!(usable_keys(&serde_json::json!({"pas": "de clés"})).is_empty());
    }

    #[test]
    fn es256_tokens_verify_with_the_providers_p256_key() {
        use p256::pkcs8::EncodePrivateKey;
        let signing = p256::ecdsa::SigningKey::random(&mut rsa::rand_core::OsRng);
        let der = signing.to_pkcs8_der().unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": "cle-ec", "use": "sig",
            "x": encode(point.x().unwrap()), "y": encode(point.y().unwrap()),
        }))
        .unwrap();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("cle-ec".to_owned());
        let token = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_ec_der(der.as_bytes())).unwrap();
        let keys = [KEY.jwk.clone(), jwk];
        assert_eq!(verify(&token, &keys, &expected(), NOW).unwrap().0.subject, "sujet-123");
        // An RSA key never verifies an ES256 token, even under the EC key's id.
        let mut rsa_under_ec_id = KEY.jwk.clone();
        rsa_under_ec_id.common.key_id = Some("cle-ec".to_owned());
        assert_eq!(
            verify(&token, std::slice::from_ref(&rsa_under_ec_id), &expected(), NOW).unwrap_err(),
            IdTokenError::UnknownKey(Some("cle-ec".to_owned()))
        );
    }

    #[test]
    fn email_verified_as_text_is_understood() {
        assert!(says_verified(Some(&serde_json::json!("true"))));
        assert!(!says_verified(Some(&serde_json::json!("false"))));
        assert!(!says_verified(Some(&serde_json::json!(1))));
        assert!(!says_verified(None));
    }
}
