//! Authentication and authorisation: bearer-token verification (JWT, HS256 or RS256/ES256
//! from a JWKS), the axum middleware that turns a token into the request's [`tmf_apis::Actor`],
//! and the role permission table that the generic router enforces.
//!
//! Depends on `tmf-apis` only among our crates; no application crate, no database.

pub mod middleware;
pub mod policy;
pub mod token;

pub use middleware::{Authenticator, authenticate};
pub use policy::{Grant, PermissionTable, Role};
pub use token::{
    AuthError, Claims, JwksCache, JwksSource, KeySource, Secret, Verifier, local_secret, mint,
};
