//! Where events go: listeners' HTTP callbacks (with the host allow-list, the refusal of
//! internal addresses, and optional HMAC signatures) and NATS JetStream.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sha2::Sha256;
use tmf_apis::{TmfError, TmfResult};

use crate::EventSettings;

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>` when the subscription has a
/// secret.
pub(crate) const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
/// The header carrying the event id (also in the body), for listeners that de-duplicate
/// before parsing.
pub(crate) const EVENT_ID_HEADER: &str = "X-Event-Id";

/// Which callbacks may be registered and called.
#[derive(Debug, Clone, Default)]
pub struct CallbackPolicy {
    allowed: Arc<[String]>,
}

impl CallbackPolicy {
    /// The policy of an allow-list (see [`EventSettings::allowed_callback_hosts`]).
    pub fn new(allowed: &[String]) -> Self {
        Self {
            allowed: allowed
                .iter()
                .map(|host| host.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    fn host_listed(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.to_ascii_lowercase();
        self.allowed
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => *allowed == host,
            })
    }

    /// Checks a callback URL at registration: absolute `http`/`https`, no credentials, and a
    /// host the policy allows. A 400 (invalid body) names what is wrong.
    pub fn check(&self, callback: &str) -> TmfResult<reqwest::Url> {
        let url = reqwest::Url::parse(callback).map_err(|_| {
            TmfError::invalid_body(format!("callback '{callback}' is not an absolute URL"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TmfError::invalid_body(
                "callback must be an http or https URL",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TmfError::invalid_body(
                "callback must not carry credentials; use the subscription's secret",
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| TmfError::invalid_body("callback has no host"))?;
        if self.allowed.is_empty() {
            if let Ok(ip) = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                && !is_public(ip)
            {
                return Err(TmfError::invalid_body(format!(
                    "callback host {host} is an internal address; allow it in events.allowed_callback_hosts"
                )));
            }
            if host.eq_ignore_ascii_case("localhost") {
                return Err(TmfError::invalid_body(
                    "callback host localhost is internal; allow it in events.allowed_callback_hosts",
                ));
            }
        } else if !self.host_listed(host) {
            return Err(TmfError::invalid_body(format!(
                "callback host {host} is not in the allowed callback hosts"
            )));
        }
        Ok(url)
    }
}

/// Whether an address is reachable on the public internet (not loopback, private,
/// link-local, shared, documentation, multicast or unspecified).
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves callback hosts and, when no allow-list is configured, refuses internal
/// addresses at connection time too (a name that resolved to a public address at
/// registration may not point inside later).
#[derive(Debug, Clone)]
struct GuardedResolver {
    public_only: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let public_only = self.public_only;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| !public_only || is_public(address.ip()))
                .collect();
            if addresses.is_empty() {
                return Err(format!("{host} has no allowed address").into());
            }
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// The outcome of one delivery attempt.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// Whether the event was accepted.
    pub delivered: bool,
    /// The HTTP status, when there was one.
    pub status: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
}

/// The HTTP client for callbacks.
#[derive(Debug, Clone)]
pub(crate) struct HttpSink {
    client: reqwest::Client,
    policy: CallbackPolicy,
}

impl HttpSink {
    pub(crate) fn new(settings: &EventSettings) -> Result<Self, reqwest::Error> {
        let policy = CallbackPolicy::new(&settings.allowed_callback_hosts);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.request_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.request_timeout_ms.min(5000)))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(settings.concurrency.max(1))
            .dns_resolver(Arc::new(GuardedResolver {
                public_only: policy.allowed.is_empty(),
            }))
            .user_agent(concat!("telecom-crm/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, policy })
    }

    /// POSTs `body` to `callback`, signed with `secret` when there is one.
    pub(crate) async fn deliver(
        &self,
        callback: &str,
        secret: Option<&str>,
        event_id: &str,
        body: Bytes,
    ) -> Attempt {
        // Checked again at each delivery: the allow-list may have changed since.
        if let Err(error) = self.policy.check(callback) {
            return Attempt {
                delivered: false,
                status: None,
                error: Some(error.message),
            };
        }
        let mut request = self
            .client
            .post(callback)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, event_id);
        if let Some(secret) = secret {
            request = request.header(SIGNATURE_HEADER, sign(secret, &body));
        }
        match request.body(body).send().await {
            Ok(response) => {
                let status = response.status();
                Attempt {
                    delivered: status.is_success(),
                    status: Some(status.as_u16()),
                    error: (!status.is_success())
                        .then(|| format!("the listener answered {status}")),
                }
            }
            Err(error) => Attempt {
                delivered: false,
                status: None,
                error: Some(error.without_url().to_string()),
            },
        }
    }
}

/// `sha256=<hex>` of the body under the secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Publication to NATS JetStream.
#[derive(Clone)]
pub(crate) struct NatsSink {
    jetstream: jetstream::Context,
    prefix: String,
}

impl NatsSink {
    /// Connects and makes sure the stream capturing `{prefix}.>` exists, with duplicate
    /// detection by event id.
    pub(crate) async fn connect(settings: &EventSettings, url: &str) -> TmfResult<Self> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| TmfError::internal(format!("NATS {url}: {e}")))?;
        let jetstream = jetstream::new(client);
        let prefix = settings.nats_subject_prefix.clone();
        jetstream
            .get_or_create_stream(jetstream::stream::Config {
                name: settings.nats_stream.clone(),
                subjects: vec![format!("{prefix}.>")],
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .map_err(|e| TmfError::internal(format!("JetStream stream: {e}")))?;
        Ok(Self { jetstream, prefix })
    }

    /// Publishes and waits for JetStream's acknowledgement; `Nats-Msg-Id` is the event id,
    /// so a retried publication is stored once.
    pub(crate) async fn deliver(
        &self,
        api_name: &str,
        event_type: &str,
        event_id: &str,
        body: Bytes,
    ) -> Attempt {
        let subject = format!("{}.{api_name}.{event_type}", self.prefix);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, event_id);
        let outcome = async {
            self.jetstream
                .publish_with_headers(subject, headers, body)
                .await
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        match outcome {
            Ok(_) => Attempt {
                delivered: true,
                status: None,
                error: None,
            },
            Err(error) => Attempt {
                delivered: false,
                status: None,
                error: Some(error),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(internal.parse().expect("ip")), "{internal}");
        }
        for public in ["8.8.8.8", "2001:4860:4860::8888"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }

    #[test]
    fn callbacks_are_checked_against_the_policy() {
        let open = CallbackPolicy::new(&[]);
        assert!(open.check("https://listener.example.com/events").is_ok());
        assert!(open.check("http://127.0.0.1:9000/events").is_err());
        assert!(open.check("http://[::1]:9000/").is_err());
        assert!(open.check("http://localhost/").is_err());
        assert!(open.check("ftp://listener.example.com/").is_err());
        assert!(open.check("https://user:pw@listener.example.com/").is_err());
        assert!(open.check("not a url").is_err());
        let listed = CallbackPolicy::new(&["127.0.0.1".into(), "*.example.net".into()]);
        assert!(listed.check("http://127.0.0.1:9000/x").is_ok());
        assert!(listed.check("https://a.example.net/x").is_ok());
        assert!(listed.check("https://example.net.evil.com/x").is_err());
        assert!(listed.check("https://listener.example.com/x").is_err());
    }

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
