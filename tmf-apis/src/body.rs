//! Reading request bodies: media types, JSON syntax and typed deserialisation, each
//! failure a TMF Error that names the problem.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ErrorCode, TmfError, TmfResult};

/// The request body as bytes; a body over the configured limit is a TMF 413.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = TmfError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection: BytesRejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    TmfError::new(
                        ErrorCode::PayloadTooLarge,
                        "the request body exceeds the size limit",
                    )
                } else {
                    TmfError::invalid_body(format!("the request body cannot be read: {rejection}"))
                }
            })
    }
}

/// The media type of the request (`type/subtype`, lower case, parameters dropped).
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// Requires `application/json` (or a `+json` type) on a body that creates a resource.
pub fn require_json(headers: &HeaderMap) -> TmfResult<()> {
    match media_type(headers) {
        Some(t) if t == "application/json" || t.ends_with("+json") => Ok(()),
        Some(other) => Err(TmfError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the body must be application/json, not '{other}'"),
        )),
        None => Err(TmfError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be application/json (Content-Type is missing)",
        )),
    }
}

/// Parses JSON text, saying where it is malformed.
pub fn parse_json(body: &[u8]) -> TmfResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(TmfError::invalid_body("the request body is empty"));
    }
    serde_json::from_slice(body).map_err(|e| {
        TmfError::invalid_body(format!(
            "malformed JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            e.classify_description()
        ))
    })
}

trait ClassifyDescription {
    fn classify_description(&self) -> &'static str;
}

impl ClassifyDescription for serde_json::Error {
    fn classify_description(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Io => "read error",
        }
    }
}

/// Deserialises a JSON value into a typed resource, naming the offending field on failure.
pub fn from_value<T: DeserializeOwned>(value: Value) -> TmfResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            TmfError::invalid_body(inner)
        } else {
            TmfError::invalid_body(format!("'{path}': {inner}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Thing {
        given_name: String,
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        flag: bool,
    }

    #[test]
    fn malformed_json_says_where() {
        let err = parse_json(b"{\"a\": ").expect_err("malformed");
        assert!(err.message.contains("line 1"), "{}", err.message);
        assert!(parse_json(b"  ").is_err());
    }

    #[test]
    fn typed_errors_name_the_field() {
        let err =
            from_value::<Thing>(serde_json::json!({"givenName": "A", "items": [{"flag": "yes"}]}))
                .expect_err("wrong type");
        assert!(
            err.message.starts_with("'items[0].flag'"),
            "{}",
            err.message
        );
        let err = from_value::<Thing>(serde_json::json!({})).expect_err("missing");
        assert!(err.message.contains("givenName"), "{}", err.message);
        let err = from_value::<Thing>(serde_json::json!({"givenName": "A", "extra": 1}))
            .expect_err("unknown");
        assert!(err.message.contains("extra"), "{}", err.message);
    }
}
