//! Settings, read once at start-up: defaults, then an optional TOML file, then
//! `CRM_`-prefixed environment variables (`CRM_LISTEN`, `CRM_DATABASE_URL`, ...).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crm_auth::Secret;
use serde::Deserialize;

/// How callers are authenticated.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Shared HS256 secret. When neither this nor a JWKS is configured, a random secret is
    /// created in `data_dir/jwt-secret` on first start (see the `token` subcommand).
    pub hs256_secret: Option<Secret>,
    /// A JWKS file with RS256/ES256 public keys.
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL with RS256/ES256 public keys.
    pub jwks_url: Option<String>,
    /// Reload the JWKS after this many seconds.
    pub jwks_max_age_secs: u64,
    /// Reload at most this often when a token names an unknown key.
    pub jwks_min_refresh_secs: u64,
    /// Required `iss` claim.
    pub issuer: String,
    /// Required `aud` claim.
    pub audience: String,
    /// Whether `/openapi.json` needs a token too.
    pub protect_openapi: bool,
}

/// Everything the server can be told.
#[derive(Clone, Deserialize)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Directory for the embedded database and other local state.
    pub data_dir: PathBuf,
    /// Database URL; when absent, SQLite at `{data_dir}/crm.db`.
    pub database_url: Option<String>,
    /// Most connections in the database pool.
    pub max_connections: u32,
    /// Public base URL (`https://crm.example.com`) for `href` and `Location`; when absent,
    /// taken from the request.
    pub public_url: Option<String>,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest time a request may take, in seconds.
    pub request_timeout_secs: u64,
    /// Page size when the client gives no `limit`.
    pub default_page_size: u64,
    /// Largest `limit` a client may ask for.
    pub max_page_size: u64,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Authentication.
    pub auth: AuthSettings,
    /// Origins allowed to call from a browser (CORS). Empty: no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
    /// Refuse attributes that a resource's v4 definition does not name (400), instead of
    /// keeping them as TMF630 extension attributes, and refuse filters on them. Off by
    /// default: clients built against other releases of an API send such attributes.
    #[serde(default)]
    pub strict_attributes: bool,
    /// Refuse (428) a `PATCH` or `DELETE` that carries no `If-Match`, so that no client can
    /// overwrite a change it has not seen. Off by default.
    #[serde(default)]
    pub require_if_match: bool,
    /// Trouble tickets: severities, priorities, escalation thresholds, resolution targets,
    /// the reopening window, the largest attachment (`[tickets]`).
    /// Event delivery: the dispatcher, callback hosts, NATS.
    #[serde(default)]
    pub events: crm_events::EventSettings,
    /// Client connections: the header-read and idle timeouts and the cap (`[connections]`).
    #[serde(default)]
    pub connections: ConnectionSettings,
    /// The modules' settings sections (`[tickets]`, `[orders]`): every other table of the
    /// settings, read by the module that declares it (`crm_module::Module::settings_sections`).
    #[serde(flatten)]
    pub sections: crm_module::Sections,
}

/// Limits on client connections, enforced by [`crate::serve`] before any request is routed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ConnectionSettings {
    /// How long a client may take to send a complete request head, counted from the
    /// connection's opening or, on a kept-alive connection, from the first byte of the next
    /// request (then closed without an answer: a slowloris holds a slot this long at most).
    pub header_read_timeout_secs: u64,
    /// How long a kept-alive connection may stay idle between a response and the next
    /// request before the server closes it.
    pub idle_timeout_secs: u64,
    /// Most client connections open at once. Beyond it a new connection is answered
    /// `503` with `Retry-After` and closed at once.
    pub max_connections: usize,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_connections: 4096,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("max_connections", &self.max_connections)
            .field("public_url", &self.public_url)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("default_page_size", &self.default_page_size)
            .field("max_page_size", &self.max_page_size)
            .field("log_format", &self.log_format)
            .field("auth", &self.auth)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("strict_attributes", &self.strict_attributes)
            .field("require_if_match", &self.require_if_match)
            // A module's section may hold secrets of its own: only the names here.
            .field("sections", &self.sections.keys().collect::<Vec<_>>())
            .field("events", &{
                let mut events = self.events.clone();
                events.nats_url = events.nats_url.as_deref().map(redact_url);
                events
            })
            .field("connections", &self.connections)
            .finish()
    }
}

/// A database URL with any password replaced, fit for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Loads the settings: defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, config::ConfigError> {
        let mut builder = config::Config::builder()
            .set_default("listen", "127.0.0.1:8080")?
            .set_default("data_dir", "data")?
            .set_default("max_connections", 16)?
            .set_default("body_limit_bytes", 1_048_576)?
            .set_default("request_timeout_secs", 30)?
            .set_default("default_page_size", 100)?
            .set_default("max_page_size", 1000)?
            .set_default("log_format", "text")?
            .set_default("auth.jwks_max_age_secs", 300)?
            .set_default("auth.jwks_min_refresh_secs", 10)?
            .set_default("auth.issuer", "crm")?
            .set_default("auth.audience", "crm")?
            .set_default("auth.protect_openapi", false)?
            .set_default("cors_allowed_origins", Vec::<String>::new())?
            .set_default("strict_attributes", false)?
            .set_default("require_if_match", false)?;
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file).required(true));
        }
        builder
            .add_source(
                config::Environment::with_prefix("CRM")
                    .prefix_separator("_")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("cors_allowed_origins")
                    .with_list_parse_key("events.allowed_callback_hosts")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()
    }

    /// The database URL to use.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("crm.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_debug_output() {
        assert_eq!(
            redact_url("postgres://crm:s3cret@db:5432/crm"),
            "postgres://crm:***@db:5432/crm"
        );
        let mut settings = Settings {
            database_url: Some("postgres://crm:s3cret@db/crm".into()),
            ..Settings::load(None).expect("defaults")
        };
        settings.auth.hs256_secret = Some(Secret::new("hunter2-hunter2"));
        let debug = format!("{settings:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let settings = Settings::load(None).expect("defaults");
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert!(settings.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn connection_limits_have_safe_defaults_and_can_be_set_one_by_one() {
        let defaults = Settings::load(None).expect("defaults").connections;
        assert_eq!(defaults.header_read_timeout_secs, 10);
        assert_eq!(defaults.idle_timeout_secs, 60);
        assert_eq!(defaults.max_connections, 4096);
        let file = std::env::temp_dir().join(format!(
            "crm-settings-{}.toml",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::write(&file, "[connections]\nidle_timeout_secs = 5\n").expect("write");
        let loaded = Settings::load(Some(&file));
        let _ = std::fs::remove_file(&file);
        let connections = loaded.expect("settings file").connections;
        assert_eq!(connections.idle_timeout_secs, 5);
        assert_eq!(connections.header_read_timeout_secs, 10);
        assert_eq!(connections.max_connections, 4096);
    }
}
