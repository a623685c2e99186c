//! The authentication middleware: every request under `/tmf-api/` (and `/openapi.json` when
//! configured) needs a valid bearer token; the verified actor goes into the request's
//! extensions for the router's authorisation and the services.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use tmf_apis::{ErrorCode, TmfError};

use crate::token::{AuthError, Verifier};

/// What the middleware needs.
pub struct Authenticator {
    /// The token verifier.
    pub verifier: Verifier,
    /// Whether `/openapi.json` needs a token too.
    pub protect_openapi: bool,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("verifier", &self.verifier)
            .field("protect_openapi", &self.protect_openapi)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    fn protects(&self, path: &str) -> bool {
        path.starts_with("/tmf-api/") || (self.protect_openapi && path == "/openapi.json")
    }
}

/// Middleware: authenticate protected paths, pass the others through.
pub async fn authenticate(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !auth.protects(request.uri().path()) {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let result = match token {
        None => Err(AuthError::Missing),
        Some(token) => auth.verifier.verify(token).await,
    };
    match result {
        Ok(actor) => {
            tracing::Span::current().record("actor", actor.subject.as_str());
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        Err(AuthError::KeysUnavailable) => TmfError::new(
            ErrorCode::Unavailable,
            "the signing keys are unavailable; retry",
        )
        .into_response(),
        Err(error) => TmfError::new(ErrorCode::Unauthenticated, error.to_string()).into_response(),
    }
}
