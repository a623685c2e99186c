//! Bearer tokens: verification (HS256 with a shared secret, or RS256/ES256 with keys from a
//! JWKS document read from a file or a URL and cached) and minting (HS256).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tmf_apis::Actor;
use tokio::sync::RwLock;

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; use only to sign or verify.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a token was refused. The text is safe to return to the client.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("a bearer token is required")]
    Missing,
    /// The token is malformed, unsigned, tampered with, expired, not yet valid, or for
    /// another issuer or audience.
    #[error("the bearer token is invalid: {0}")]
    Invalid(String),
    /// The key set could not be loaded.
    #[error("the signing keys are unavailable")]
    KeysUnavailable,
}

/// The claims this server reads and writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the acting user or system.
    pub sub: String,
    /// Roles granted.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
}

/// Where a JWKS document comes from.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// A local file.
    File(PathBuf),
    /// An `http(s)://` URL.
    Url(String),
}

struct LoadedKeys {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    loaded_at: Instant,
}

/// A cached JWKS: reloaded after `max_age`, or when a token names an unknown key id
/// (at most once per `min_interval`), so key rotation needs no restart.
pub struct JwksCache {
    source: JwksSource,
    max_age: Duration,
    min_interval: Duration,
    state: RwLock<Option<LoadedKeys>>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("source", &self.source)
            .field("max_age", &self.max_age)
            .field("min_interval", &self.min_interval)
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// A cache over `source`.
    pub fn new(source: JwksSource, max_age: Duration, min_interval: Duration) -> Self {
        Self {
            source,
            max_age,
            min_interval,
            state: RwLock::new(None),
        }
    }

    async fn fetch(&self) -> Result<String, AuthError> {
        match &self.source {
            JwksSource::File(path) => tokio::fs::read_to_string(path).await.map_err(|e| {
                tracing::error!(error = %e, path = %path.display(), "JWKS file unreadable");
                AuthError::KeysUnavailable
            }),
            JwksSource::Url(url) => {
                let url = url.clone();
                tokio::task::spawn_blocking(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .timeout_global(Some(Duration::from_secs(5)))
                        .build()
                        .into();
                    agent
                        .get(&url)
                        .call()
                        .and_then(|mut response| response.body_mut().read_to_string())
                })
                .await
                .map_err(|_| AuthError::KeysUnavailable)?
                .map_err(|e| {
                    tracing::error!(error = %e, "JWKS URL unreadable");
                    AuthError::KeysUnavailable
                })
            }
        }
    }

    async fn reload(&self) -> Result<(), AuthError> {
        let text = self.fetch().await?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| {
            tracing::error!(error = %e, "JWKS document malformed");
            AuthError::KeysUnavailable
        })?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => continue,
            };
            match DecodingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid, (key, algorithm));
                }
                Err(e) => tracing::warn!(error = %e, kid = %kid, "JWKS key skipped"),
            }
        }
        *self.state.write().await = Some(LoadedKeys {
            keys,
            loaded_at: Instant::now(),
        });
        Ok(())
    }

    async fn key(&self, kid: &str) -> Result<Option<(DecodingKey, Algorithm)>, AuthError> {
        let (found, stale, may_refresh) = {
            let state = self.state.read().await;
            match state.as_ref() {
                Some(loaded) => (
                    loaded.keys.get(kid).cloned(),
                    loaded.loaded_at.elapsed() > self.max_age,
                    loaded.loaded_at.elapsed() >= self.min_interval,
                ),
                None => (None, true, true),
            }
        };
        if found.is_some() && !stale {
            return Ok(found);
        }
        if stale || may_refresh {
            self.reload().await?;
        }
        let state = self.state.read().await;
        Ok(state
            .as_ref()
            .and_then(|loaded| loaded.keys.get(kid).cloned()))
    }
}

/// How tokens are checked.
pub enum KeySource {
    /// A shared HS256 secret.
    Hs256(Secret),
    /// RS256/ES256 keys from a JWKS document.
    Jwks(JwksCache),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The secret's own Debug redacts it.
            Self::Hs256(secret) => f.debug_tuple("Hs256").field(secret).finish(),
            Self::Jwks(cache) => f.debug_tuple("Jwks").field(cache).finish(),
        }
    }
}

/// Verifies bearer tokens.
pub struct Verifier {
    keys: KeySource,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for tokens from `issuer` to `audience`.
    pub fn new(keys: KeySource, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation
    }

    /// Checks signature, algorithm, expiry, not-before, issuer and audience; returns the actor.
    pub async fn verify(&self, token: &str) -> Result<Actor, AuthError> {
        let invalid = |e: jsonwebtoken::errors::Error| AuthError::Invalid(describe(&e));
        // `alg: none` and unknown algorithms fail here: jsonwebtoken has no "none".
        let header = jsonwebtoken::decode_header(token).map_err(invalid)?;
        let claims = match &self.keys {
            KeySource::Hs256(secret) => {
                if header.alg != Algorithm::HS256 {
                    return Err(AuthError::Invalid("unexpected signing algorithm".into()));
                }
                jsonwebtoken::decode::<Claims>(
                    token,
                    &DecodingKey::from_secret(secret.expose().as_bytes()),
                    &self.validation(Algorithm::HS256),
                )
                .map_err(invalid)?
                .claims
            }
            KeySource::Jwks(cache) => {
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| AuthError::Invalid("the token names no key (kid)".into()))?;
                let (key, algorithm) = cache
                    .key(kid)
                    .await?
                    .ok_or_else(|| AuthError::Invalid("unknown signing key".into()))?;
                if header.alg != algorithm {
                    return Err(AuthError::Invalid("unexpected signing algorithm".into()));
                }
                jsonwebtoken::decode::<Claims>(token, &key, &self.validation(algorithm))
                    .map_err(invalid)?
                    .claims
            }
        };
        if claims.sub.trim().is_empty() {
            return Err(AuthError::Invalid("the token has no subject".into()));
        }
        Ok(Actor {
            subject: claims.sub,
            roles: claims.roles,
        })
    }
}

fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "expired".into(),
        ErrorKind::ImmatureSignature => "not valid yet".into(),
        ErrorKind::InvalidIssuer => "wrong issuer".into(),
        ErrorKind::InvalidAudience => "wrong audience".into(),
        ErrorKind::InvalidSignature => "bad signature".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("missing claim '{claim}'"),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "unexpected signing algorithm".into()
        }
        _ => "malformed".into(),
    }
}

/// Mints an HS256 token (the `token` subcommand, tests, and first steps).
pub fn mint(
    secret: &Secret,
    issuer: &str,
    audience: &str,
    subject: &str,
    roles: &[String],
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: subject.to_owned(),
        roles: roles.to_vec(),
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        exp: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
        nbf: Some(now),
        iat: Some(now),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose().as_bytes()),
    )
}

/// Reads the signing secret kept in `data_dir`, creating a random one (readable by the
/// owner only) on first use.
pub fn local_secret(data_dir: &Path) -> std::io::Result<Secret> {
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(Secret::new(text.trim())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_dir)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options.open(&path)?.write_all(secret.as_bytes())?;
    Ok(Secret::new(secret))
}
