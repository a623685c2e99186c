//! Reading request bodies: media types, JSON syntax and typed deserialisation, each
//! failure a TMF Error that names the problem.

use std::pin::Pin;

use axum::RequestExt;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use http::header::CONTENT_TYPE;
use http::{Extensions, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ErrorCode, TmfError, TmfResult};

/// How much of a body beyond the size limit is still read, and thrown away, before the 413
/// is answered. A client that writes its whole body before reading the response (most do)
/// then reads the 413: closing a connection with unread data makes the kernel reset it,
/// and the reset destroys the response the client had not read yet. A body larger still
/// (declared, or found while reading) is not drained: the 413 is sent and the connection
/// closed, and such a client may see the reset.
pub const DRAIN_LIMIT_BYTES: usize = 4 * 1024 * 1024;

/// The request body as bytes; a body over the configured limit (axum's
/// `DefaultBodyLimit`, 2 MiB when none is set) is a TMF 413, answered after the body has
/// been read to its end (up to [`DRAIN_LIMIT_BYTES`] beyond the limit).
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = TmfError;

    async fn from_request(mut req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let limit = body_limit(req.extensions_mut());
        let mut body = req.into_body();
        let too_large = |limit: usize| {
            TmfError::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body exceeds the size limit of {limit} bytes"),
            )
        };
        let unreadable = |e: axum::Error| {
            TmfError::invalid_body(format!("the request body cannot be read: {e}"))
        };
        let Some(limit) = limit else {
            let mut bytes = Vec::new();
            while let Some(data) = next_data(&mut body).await {
                bytes.extend_from_slice(&data.map_err(unreadable)?);
            }
            return Ok(RawBody(bytes.into()));
        };
        let declared = body.size_hint().lower();
        if usize::try_from(declared).is_ok_and(|declared| declared > limit) {
            if usize::try_from(declared).is_ok_and(|d| d - limit <= DRAIN_LIMIT_BYTES) {
                drain(&mut body, DRAIN_LIMIT_BYTES.saturating_add(limit)).await;
            }
            return Err(too_large(limit));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(data) = next_data(&mut body).await {
            let data = data.map_err(unreadable)?;
            if bytes.len().saturating_add(data.len()) > limit {
                let read = bytes.len().saturating_add(data.len());
                drain(
                    &mut body,
                    DRAIN_LIMIT_BYTES.saturating_add(limit).saturating_sub(read),
                )
                .await;
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&data);
        }
        Ok(RawBody(bytes.into()))
    }
}

/// The body size limit in force for a request: what axum's `DefaultBodyLimit` put in its
/// extensions (the default when none; `None` when disabled). axum keeps the setting
/// private, so it is read back from the limited body axum itself would build, whose size
/// hint is capped at the limit.
fn body_limit(extensions: &mut Extensions) -> Option<usize> {
    let mut probe = Request::new(Body::from_stream(Body::empty().into_data_stream()));
    *probe.extensions_mut() = std::mem::take(extensions);
    let mut limited = probe.with_limited_body();
    let limit = limited
        .body()
        .size_hint()
        .upper()
        .map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
    *extensions = std::mem::take(limited.extensions_mut());
    limit
}

/// The next data frame of `body` (trailers are skipped), `None` at its end.
async fn next_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await? {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// Reads and discards `body` to its end, or until `budget` bytes have been read.
async fn drain(body: &mut Body, budget: usize) {
    let mut left = budget;
    while let Some(Ok(data)) = next_data(body).await {
        match left.checked_sub(data.len()) {
            Some(rest) => left = rest,
            None => return,
        }
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

    async fn read(limit: Option<usize>, body: Body) -> TmfResult<Bytes> {
        let mut request = Request::new(body);
        match limit {
            Some(limit) => axum::extract::DefaultBodyLimit::max(limit).apply(&mut request),
            None => axum::extract::DefaultBodyLimit::disable().apply(&mut request),
        }
        RawBody::from_request(request, &())
            .await
            .map(|RawBody(b)| b)
    }

    /// A body of `len` bytes whose length is not declared.
    fn streamed(len: usize) -> Body {
        Body::from_stream(Body::from(vec![b'x'; len]).into_data_stream())
    }

    #[test]
    fn the_configured_limit_is_read_back() {
        let mut request = Request::new(Body::empty());
        assert_eq!(body_limit(request.extensions_mut()), Some(2_097_152));
        axum::extract::DefaultBodyLimit::max(1234).apply(&mut request);
        request.extensions_mut().insert(42_u8);
        assert_eq!(body_limit(request.extensions_mut()), Some(1234));
        assert_eq!(
            request.extensions().get::<u8>(),
            Some(&42),
            "extensions kept"
        );
        axum::extract::DefaultBodyLimit::disable().apply(&mut request);
        assert_eq!(body_limit(request.extensions_mut()), None);
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_413_declared_or_not() {
        assert_eq!(
            read(Some(10), Body::from("0123456789"))
                .await
                .expect("fits")
                .len(),
            10
        );
        for body in [Body::from("0123456789A"), streamed(5000)] {
            let err = read(Some(10), body).await.expect_err("too large");
            assert_eq!(err.code, ErrorCode::PayloadTooLarge);
            assert!(err.message.contains("10 bytes"), "{}", err.message);
        }
        let whole = read(Some(5000), streamed(5000)).await.expect("fits");
        assert_eq!(whole.len(), 5000);
        let unlimited = read(None, streamed(DRAIN_LIMIT_BYTES))
            .await
            .expect("no limit");
        assert_eq!(unlimited.len(), DRAIN_LIMIT_BYTES);
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
