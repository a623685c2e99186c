//! The TMF Error body (TMF630 §"Error management") and the one place where
//! failures become HTTP statuses.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

/// Machine-readable error codes carried in the `code` field of every error body.
///
/// They are stable: clients may branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request body is not valid JSON, has a wrong type, misses a required field or has an unknown one.
    InvalidBody,
    /// A query parameter (filter, sort, fields, paging) is malformed or too costly.
    InvalidQuery,
    /// The request path cannot be read (a segment is not UTF-8 once percent-decoded).
    InvalidPath,
    /// A request header the server reads (`X-Reason`, `X-Correlation-ID`, `X-Request-ID`)
    /// cannot be read: its value is not UTF-8.
    InvalidHeader,
    /// The body is well-formed but breaks a business rule (validation, lifecycle).
    InvalidValue,
    /// A reference points at a resource that does not exist.
    ReferenceNotFound,
    /// No valid bearer token.
    Unauthenticated,
    /// The caller's roles do not allow the operation.
    Forbidden,
    /// The resource does not exist.
    NotFound,
    /// The operation conflicts with the current state (e.g. the resource is still referenced).
    Conflict,
    /// `If-Match` names a version other than the stored one (RFC 9110 412).
    PreconditionFailed,
    /// The server requires `If-Match` on this write (RFC 6585 428).
    PreconditionRequired,
    /// The HTTP method is not allowed on this path.
    MethodNotAllowed,
    /// The request body's media type is not supported by this operation.
    UnsupportedMediaType,
    /// The request body exceeds the configured limit.
    PayloadTooLarge,
    /// The request headers exceed the limit (their number or their size; RFC 6585 431).
    HeadersTooLarge,
    /// The request did not complete within the configured time.
    Timeout,
    /// The storage is temporarily unable to serve the request; retry.
    Unavailable,
    /// An unexpected failure on the server side.
    Internal,
}

impl ErrorCode {
    /// The wire spelling of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidBody => "INVALID_BODY",
            Self::InvalidQuery => "INVALID_QUERY",
            Self::InvalidPath => "INVALID_PATH",
            Self::InvalidHeader => "INVALID_HEADER",
            Self::InvalidValue => "INVALID_VALUE",
            Self::ReferenceNotFound => "REFERENCE_NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::PreconditionFailed => "PRECONDITION_FAILED",
            Self::PreconditionRequired => "PRECONDITION_REQUIRED",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::HeadersTooLarge => "HEADERS_TOO_LARGE",
            Self::Timeout => "TIMEOUT",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL_ERROR",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidBody | Self::InvalidQuery | Self::InvalidPath | Self::InvalidHeader => {
                StatusCode::BAD_REQUEST
            }
            Self::InvalidValue | Self::ReferenceNotFound => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Self::InvalidBody => "Invalid request body",
            Self::InvalidQuery => "Invalid query parameter",
            Self::InvalidPath => "Invalid request path",
            Self::InvalidHeader => "Invalid request header",
            Self::InvalidValue => "Invalid value",
            Self::ReferenceNotFound => "Referenced resource not found",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Operation not permitted",
            Self::NotFound => "Resource not found",
            Self::Conflict => "Conflict with the current state",
            Self::PreconditionFailed => "Precondition failed",
            Self::PreconditionRequired => "Precondition required",
            Self::MethodNotAllowed => "Method not allowed",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::PayloadTooLarge => "Request body too large",
            Self::HeadersTooLarge => "Request header fields too large",
            Self::Timeout => "Request timed out",
            Self::Unavailable => "Service temporarily unavailable",
            Self::Internal => "Internal server error",
        }
    }
}

/// An error as the TMF Error resource describes it: `code`, `reason`, `message`, `status`, `@type`.
///
/// Every failure of every API leaves the server as one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct TmfError {
    /// What kind of failure it is.
    pub code: ErrorCode,
    /// What went wrong, naming the field or resource concerned.
    pub message: String,
}

impl TmfError {
    /// An error of the given kind with a message for the client.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// 400: the body cannot be read as the resource.
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidBody, message)
    }

    /// 400: a query parameter is malformed.
    pub fn invalid_query(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidQuery, message)
    }

    /// 422: a value breaks a rule.
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidValue, message)
    }

    /// 422: a reference points nowhere.
    pub fn reference_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ReferenceNotFound, message)
    }

    /// 404 for a resource of the given type and id.
    pub fn not_found(resource: &str, id: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("{resource} with id '{id}' does not exist"),
        )
    }

    /// 409: the operation conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 500: an unexpected failure. The detail is logged, never sent to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            ErrorCode::Internal,
            "The server failed to process the request",
        )
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// The wire body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.as_str(),
            reason: self.code.reason(),
            message: self.message.clone(),
            status: self.status().as_u16().to_string(),
            at_type: "Error",
        }
    }
}

/// The JSON body of a TMF Error.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// Machine-readable code.
    pub code: &'static str,
    /// Short explanation.
    pub reason: &'static str,
    /// Detail naming the field or resource concerned.
    pub message: String,
    /// The HTTP status, as a string (the spec's type).
    pub status: String,
    /// Always `Error`.
    #[serde(rename = "@type")]
    pub at_type: &'static str,
}

impl IntoResponse for TmfError {
    fn into_response(self) -> Response {
        if self.code == ErrorCode::Internal {
            // Already logged where it was created.
        } else {
            tracing::debug!(code = self.code.as_str(), message = %self.message, "request refused");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if self.code == ErrorCode::Unauthenticated {
            response.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer realm=\"crm\", error=\"invalid_token\""),
            );
        }
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            // Busy or unreachable storage, a timeout: the client may retry, after this long.
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

/// The `Retry-After` of every `503` (seconds): long enough for a pool to reconnect after a
/// database restart or failover, short enough not to hold a client back.
pub const RETRY_AFTER_SECS: &str = "1";

/// Result type of the TMF layer.
pub type TmfResult<T> = Result<T, TmfError>;
