//! Herald's configuration: one typed struct per command, every flag also read from a `HERALD_*`
//! environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use app::model::{GlobalAudience, Level, NotificationType, SignUpRole};
use app::ssr::store::MAX_LIMIT_WINDOW;
use clap::{Args, Parser, Subcommand};

use crate::realtime::broker::BrokerChoice;
use crate::realtime::ClientSettings;

#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about = "Herald: a job board with real-time notifications"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once at start and matched at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the web server (the default when no command is given).
    Serve(ServeConfig),
    /// Brings the database schema up to date and exits.
    Migrate(DatabaseConfig),
    /// Creates an administrator.
    CreateAdmin(CreateAdminArgs),
    /// Creates a jobseeker or an employer.
    CreateUser(CreateUserArgs),
    /// Creates a bearer API token for a service and prints it (it is shown only once).
    CreateToken(CreateTokenArgs),
    /// Sends a notification to one user through a running server, so it is pushed live.
    Send(SendArgs),
    /// Announces a global notification through a running server.
    Announce(AnnounceArgs),
    /// Creates many jobseekers at once, each signed in once, for the load tool (`herald-load`):
    /// prints `username<TAB>session token` per line. They share one password hash, so 10,000
    /// take seconds rather than the minutes 10,000 sign-ups would.
    CreateLoadUsers(CreateLoadUsersArgs),
}

#[derive(Clone, Debug, Args)]
pub struct DatabaseConfig {
    /// Where Herald keeps its data: `sqlite://FILE`, `sqlite::memory:`, or
    /// `postgres://USER@HOST/DB`.
    // `--help` does not show the variable's value: a PostgreSQL URL may hold a password.
    #[arg(
        long,
        env = "HERALD_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://herald.db"
    )]
    pub database_url: String,
}

#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    #[command(flatten)]
    pub database: DatabaseConfig,

    /// The address to listen on. Port 0 picks a free port.
    #[arg(long, env = "HERALD_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// The folder cargo-leptos builds the site into (the WASM, JS and CSS under `pkg/`); by
    /// default Leptos.toml's `site-root`.
    #[arg(long, env = "HERALD_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Origins (scheme://host[:port]) allowed to send state-changing requests and to open
    /// sockets besides the server's own, comma-separated. Set the public URL here behind a proxy.
    #[arg(long, env = "HERALD_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Addresses of reverse proxies in front of Herald, comma-separated: a request from one of
    /// them is taken to come from the last address in its `X-Forwarded-For` (for per-client
    /// limits). Anyone else's `X-Forwarded-For` is ignored.
    #[arg(long, env = "HERALD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Herald is served over https (behind a TLS proxy): the session cookie is marked `Secure`,
    /// and only `https://` pages of this host count as its own origin.
    #[arg(long, env = "HERALD_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,

    /// How long a sign-in lasts, in seconds (14 days by default). A page still open when it
    /// ends is sent to the sign-in page within one ping interval.
    #[arg(
        long,
        env = "HERALD_SESSION_TTL_SECONDS",
        default_value_t = 14 * 24 * 3600,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub session_ttl_seconds: u64,

    /// Failed sign-ins to one account within the failed-login window before further tries are
    /// refused (429).
    #[arg(long, env = "HERALD_MAX_FAILED_LOGINS", default_value_t = 10)]
    pub max_failed_logins: usize,

    /// How long a failed sign-in counts, in seconds: a lockout lifts this long after the
    /// failure that caused it. At most an hour, as long as failures are kept.
    #[arg(
        long,
        env = "HERALD_FAILED_LOGIN_WINDOW_SECONDS",
        default_value_t = 15 * 60,
        value_parser = clap::value_parser!(u64).range(1..=MAX_LIMIT_WINDOW.as_secs())
    )]
    pub failed_login_window_seconds: u64,

    /// Accounts one client address may create per hour by signing up (429 beyond).
    #[arg(long, env = "HERALD_MAX_SIGN_UPS_PER_HOUR", default_value_t = 20)]
    pub max_sign_ups_per_hour: usize,

    /// Messages one user may send per minute (429 beyond); each notifies its recipient.
    #[arg(long, env = "HERALD_MAX_MESSAGES_PER_MINUTE", default_value_t = 30)]
    pub max_messages_per_minute: usize,

    /// The largest request body accepted, in bytes.
    #[arg(long, env = "HERALD_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Milliseconds a client has to send a request's headers, counted from connecting or from
    /// the end of its previous request; a slower connection is closed. Bounds idle keep-alive
    /// connections too.
    #[arg(long, env = "HERALD_HTTP_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub http_header_timeout_ms: u64,

    /// Milliseconds a request may take, its body included, before it is answered 408.
    #[arg(long, env = "HERALD_HTTP_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
    pub http_request_timeout_ms: u64,

    /// A bearer token that `/metrics` requires; without one, `/metrics` is open to anyone who
    /// can reach the server (keep it on a private network then).
    #[arg(long, env = "HERALD_METRICS_TOKEN")]
    pub metrics_token: Option<String>,

    /// Creates demo accounts (printed at start) if they do not exist yet.
    #[arg(long, env = "HERALD_DEMO", default_value_t = false)]
    pub demo: bool,

    /// What carries events between instances: `memory` (one instance), `redis://HOST[:PORT]`
    /// (Redis pub/sub) or `postgres` (LISTEN/NOTIFY on the PostgreSQL database).
    #[arg(long, env = "HERALD_BROKER", default_value = "memory")]
    pub broker: BrokerChoice,

    /// The broker channel the instances of one deployment share; deployments that share a Redis
    /// or a database need different ones.
    #[arg(long, env = "HERALD_BROKER_CHANNEL", default_value = "herald")]
    pub broker_channel: String,

    #[command(flatten)]
    pub realtime: RealtimeConfig,

    /// Log lines as `text` or `json`. The level comes from `HERALD_LOG` (e.g. `info,herald=debug`).
    #[arg(long, env = "HERALD_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

/// Limits and timings of the WebSocket side.
#[derive(Clone, Debug, Args)]
pub struct RealtimeConfig {
    /// The largest frame a client may send, in bytes; a bigger one closes the socket with 1009.
    #[arg(long, env = "HERALD_WS_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024)]
    pub ws_max_message_bytes: usize,

    /// Frames that may wait for one socket; what does not fit (a burst) is dropped, and the
    /// socket catches up from storage and sends `resync`.
    #[arg(long, env = "HERALD_WS_QUEUE_FRAMES", default_value_t = 256)]
    pub ws_queue_frames: usize,

    /// Bytes buffered for a client whose network is slow before it is dropped.
    #[arg(long, env = "HERALD_WS_MAX_WRITE_BUFFER_BYTES", default_value_t = 1024 * 1024)]
    pub ws_max_write_buffer_bytes: usize,

    /// How often the server pings each socket and re-checks its session, in milliseconds.
    #[arg(long, env = "HERALD_WS_PING_MS", default_value_t = 25_000)]
    pub ws_ping_ms: u64,

    /// A socket silent this long (no frame, no pong) is dropped, in milliseconds.
    #[arg(long, env = "HERALD_WS_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    pub ws_idle_timeout_ms: u64,

    /// A write to a socket that takes longer than this drops it, in milliseconds.
    #[arg(long, env = "HERALD_WS_WRITE_TIMEOUT_MS", default_value_t = 10_000)]
    pub ws_write_timeout_ms: u64,

    /// Client frames per second a socket may send on average; beyond it and the burst, 1008.
    #[arg(long, env = "HERALD_WS_FRAMES_PER_SECOND", default_value_t = 20)]
    pub ws_frames_per_second: u32,

    /// Client frames a socket may send at once above the average.
    #[arg(long, env = "HERALD_WS_FRAME_BURST", default_value_t = 40)]
    pub ws_frame_burst: u32,

    /// Sockets one user may hold open on this instance (429 beyond).
    #[arg(long, env = "HERALD_WS_MAX_SOCKETS_PER_USER", default_value_t = 20)]
    pub ws_max_sockets_per_user: usize,

    /// Sockets this instance holds at most (503 beyond).
    #[arg(long, env = "HERALD_WS_MAX_SOCKETS", default_value_t = 50_000)]
    pub ws_max_sockets: usize,

    /// The most notifications one replay sends (a handshake's `?after=`, or a catch-up): the
    /// newest ones, then a `resync` frame telling the client to re-read its list.
    #[arg(
        long,
        env = "HERALD_WS_MAX_REPLAY",
        default_value_t = 500,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    pub ws_max_replay: u32,

    /// Handshakes one user may make on this instance at once, and per handshake window after
    /// that (429 beyond).
    #[arg(long, env = "HERALD_WS_HANDSHAKES_PER_USER", default_value_t = 20)]
    pub ws_handshakes_per_user: u32,

    /// The window of `--ws-handshakes-per-user`, in milliseconds.
    #[arg(long, env = "HERALD_WS_HANDSHAKE_WINDOW_MS", default_value_t = 10_000)]
    pub ws_handshake_window_ms: u64,
}

impl RealtimeConfig {
    pub fn client_settings(&self) -> ClientSettings {
        ClientSettings {
            queue_capacity: self.ws_queue_frames,
            max_message_bytes: self.ws_max_message_bytes,
            max_write_buffer_bytes: self.ws_max_write_buffer_bytes,
            ping_interval: Duration::from_millis(self.ws_ping_ms.max(10)),
            idle_timeout: Duration::from_millis(self.ws_idle_timeout_ms),
            write_timeout: Duration::from_millis(self.ws_write_timeout_ms),
            frames_per_second: self.ws_frames_per_second,
            frame_burst: self.ws_frame_burst,
            max_sockets_per_user: self.ws_max_sockets_per_user,
            max_sockets: self.ws_max_sockets,
            max_replay: self.ws_max_replay,
            handshakes_per_user: self.ws_handshakes_per_user,
            handshake_window: Duration::from_millis(self.ws_handshake_window_ms),
        }
    }
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        let defaults = ClientSettings::default();
        Self {
            ws_max_message_bytes: defaults.max_message_bytes,
            ws_queue_frames: defaults.queue_capacity,
            ws_max_write_buffer_bytes: defaults.max_write_buffer_bytes,
            ws_ping_ms: defaults.ping_interval.as_millis() as u64,
            ws_idle_timeout_ms: defaults.idle_timeout.as_millis() as u64,
            ws_write_timeout_ms: defaults.write_timeout.as_millis() as u64,
            ws_frames_per_second: defaults.frames_per_second,
            ws_frame_burst: defaults.frame_burst,
            ws_max_sockets_per_user: defaults.max_sockets_per_user,
            ws_max_sockets: defaults.max_sockets,
            ws_max_replay: defaults.max_replay,
            ws_handshakes_per_user: defaults.handshakes_per_user,
            ws_handshake_window_ms: defaults.handshake_window.as_millis() as u64,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug, Args)]
pub struct CreateAdminArgs {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[arg(long, env = "HERALD_USERNAME")]
    pub username: String,
    #[arg(long, env = "HERALD_PASSWORD")]
    pub password: String,
}

#[derive(Clone, Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[arg(long, env = "HERALD_USERNAME")]
    pub username: String,
    #[arg(long, env = "HERALD_PASSWORD")]
    pub password: String,
    /// `jobseeker` or `employer` (admins are made with `create-admin`).
    #[arg(long, env = "HERALD_ROLE", value_enum)]
    pub role: SignUpRole,
}

#[derive(Clone, Debug, Args)]
pub struct CreateTokenArgs {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Who the token is for, e.g. `billing-service`.
    #[arg(long, env = "HERALD_TOKEN_NAME")]
    pub name: String,
}

#[derive(Clone, Debug, Args)]
pub struct CreateLoadUsersArgs {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// How many users.
    #[arg(long, env = "HERALD_LOAD_USERS", default_value_t = 1000)]
    pub count: u32,
    /// Their names are this followed by 0, 1, 2, …; existing ones are signed in again.
    #[arg(long, env = "HERALD_LOAD_PREFIX", default_value = "load")]
    pub prefix: String,
}

/// How `send` and `announce` reach a running server.
#[derive(Clone, Debug, Args)]
pub struct ApiClientConfig {
    #[arg(long, env = "HERALD_SERVER", default_value = "http://127.0.0.1:3000")]
    pub server: String,
    /// A token from `herald create-token`.
    #[arg(long, env = "HERALD_TOKEN")]
    pub token: String,
}

#[derive(Clone, Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub client: ApiClientConfig,
    #[arg(long, env = "HERALD_SEND_USER")]
    pub user: String,
    #[arg(long, env = "HERALD_TITLE")]
    pub title: String,
    #[arg(long, env = "HERALD_MESSAGE", default_value = "")]
    pub message: String,
    #[arg(long = "type", env = "HERALD_TYPE", value_enum, default_value_t = NotificationType::System)]
    pub notification_type: NotificationType,
    #[arg(long, env = "HERALD_LINK")]
    pub link: Option<String>,
}

#[derive(Clone, Debug, Args)]
pub struct AnnounceArgs {
    #[command(flatten)]
    pub client: ApiClientConfig,
    #[arg(long, env = "HERALD_TITLE")]
    pub title: String,
    #[arg(long, env = "HERALD_MESSAGE", default_value = "")]
    pub message: String,
    #[arg(long, env = "HERALD_LEVEL", value_enum, default_value_t = Level::Info)]
    pub level: Level,
    /// Who sees it: everyone, or only jobseekers or employers.
    #[arg(long, env = "HERALD_AUDIENCE", value_enum, default_value_t = GlobalAudience::Everyone)]
    pub audience: GlobalAudience,
}

impl ServeConfig {
    /// A configuration for tests and tools: a free port on loopback, everything else default.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database: DatabaseConfig {
                database_url: database_url.to_owned(),
            },
            bind: "127.0.0.1:0".parse().expect("a valid address"),
            site_root: None,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            cookie_secure: false,
            session_ttl_seconds: 24 * 3600,
            max_body_bytes: 64 * 1024,
            max_failed_logins: 10,
            failed_login_window_seconds: 15 * 60,
            max_sign_ups_per_hour: 1_000,
            max_messages_per_minute: 30,
            http_header_timeout_ms: 10_000,
            http_request_timeout_ms: 30_000,
            metrics_token: None,
            demo: false,
            broker: BrokerChoice::Memory,
            broker_channel: "herald".to_owned(),
            realtime: RealtimeConfig::default(),
            log_format: LogFormat::Text,
        }
    }
}

impl ServeConfig {
    /// What this configuration leaves open that a production deployment should close, each as a
    /// sentence to log at start.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let https = self
            .allowed_origins
            .iter()
            .find(|origin| origin.starts_with("https://"));
        if let (Some(origin), false) = (https, self.cookie_secure) {
            warnings.push(format!(
                "{origin} is served over https but the session cookie is not marked Secure: \
                 set HERALD_COOKIE_SECURE=true"
            ));
        }
        if self.metrics_token.is_none() && !self.bind.ip().is_loopback() {
            warnings.push(format!(
                "/metrics is open to anyone who can reach {}: set HERALD_METRICS_TOKEN, or keep \
                 the address private",
                self.bind
            ));
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serving_https_without_secure_cookies_or_metrics_open_to_the_network_is_warned_about() {
        let mut config = ServeConfig::for_tests("sqlite::memory:");
        assert!(config.warnings().is_empty(), "{:?}", config.warnings());
        config.allowed_origins = vec!["https://jobs.example".to_owned()];
        config.bind = "0.0.0.0:3000".parse().unwrap();
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("HERALD_COOKIE_SECURE"));
        assert!(warnings[1].contains("HERALD_METRICS_TOKEN"));
        config.cookie_secure = true;
        config.metrics_token = Some("t".to_owned());
        assert!(config.warnings().is_empty());
    }

    #[test]
    fn every_flag_of_every_command_has_an_environment_variable_of_its_own() {
        use clap::CommandFactory;
        let cli = Cli::command();
        for command in cli.get_subcommands() {
            let mut seen = std::collections::HashSet::new();
            for arg in flags(command) {
                let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
                let long = arg.get_long().expect("every flag is a --flag");
                assert!(
                    env.as_deref().is_some_and(|e| e.starts_with("HERALD_")),
                    "herald {} --{long} has no HERALD_* variable",
                    command.get_name()
                );
                assert!(
                    seen.insert(env.clone()),
                    "herald {}: two flags read {env:?}",
                    command.get_name()
                );
            }
        }
    }

    /// Each command parses with nothing but its required flags (so every default parses into
    /// its type), and each flag given with its default, or a value it accepts, is read from the
    /// command line into the typed configuration.
    #[test]
    fn every_flag_and_every_default_parses() {
        use clap::parser::ValueSource;
        use clap::{CommandFactory, FromArgMatches};
        let cli = Cli::command();
        for command in cli.get_subcommands() {
            let name = command.get_name();
            let mut required = vec!["herald".to_owned(), name.to_owned()];
            for arg in flags(command).filter(|arg| arg.is_required_set()) {
                let value = accepted_value(&cli, &required, arg);
                required.extend([format!("--{}", arg.get_long().unwrap()), value]);
            }
            let matches = cli
                .clone()
                .try_get_matches_from(&required)
                .unwrap_or_else(|err| panic!("herald {name} with its defaults: {err}"));
            Cli::from_arg_matches(&matches)
                .unwrap_or_else(|err| panic!("herald {name} with its defaults: {err}"));
            for arg in flags(command).filter(|arg| !arg.is_required_set()) {
                let long = arg.get_long().unwrap();
                let mut argv = required.clone();
                argv.push(format!("--{long}"));
                if arg.get_action().takes_values() {
                    let value = match arg.get_default_values().first() {
                        Some(default) => default.to_string_lossy().into_owned(),
                        None => accepted_value(&cli, &required, arg),
                    };
                    argv.push(value);
                }
                let matches = cli
                    .clone()
                    .try_get_matches_from(&argv)
                    .unwrap_or_else(|err| panic!("herald {name} --{long}: {err}"));
                let (_, sub) = matches.subcommand().unwrap();
                assert_eq!(
                    sub.value_source(arg.get_id().as_str()),
                    Some(ValueSource::CommandLine),
                    "herald {name} --{long} is read from the command line"
                );
                Cli::from_arg_matches(&matches)
                    .unwrap_or_else(|err| panic!("herald {name} --{long}: {err}"));
            }
        }
    }

    #[test]
    fn types_levels_and_roles_are_parsed_by_their_names_and_others_refused_with_the_names() {
        let api = ["--server", "http://127.0.0.1:3000", "--token", "t"];
        let send = [
            "herald",
            "send",
            "--user",
            "ada",
            "--title",
            "Hi",
            "--type",
            "profile_view",
        ];
        let cli = Cli::try_parse_from(send.iter().chain(&api)).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Send(args)) if args.notification_type == NotificationType::ProfileView
        ));
        let announce = ["herald", "announce", "--title", "Hi", "--level", "critical"];
        let cli = Cli::try_parse_from(announce.iter().chain(&api)).unwrap();
        assert!(
            matches!(cli.command, Some(Command::Announce(args)) if args.level == Level::Critical)
        );

        let spam = [
            "herald", "send", "--user", "ada", "--title", "Hi", "--type", "spam",
        ];
        let err = Cli::try_parse_from(spam.iter().chain(&api))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("message, application, profile_view, system"),
            "{err}"
        );
        // Admins come from `create-admin`: the command line refuses the role, naming those it takes.
        let admin = [
            "herald",
            "create-user",
            "--username",
            "x1y",
            "--password",
            "long enough pw",
            "--role",
            "admin",
        ];
        let err = Cli::try_parse_from(admin).unwrap_err().to_string();
        assert!(
            err.contains("--role") && err.contains("jobseeker, employer"),
            "{err}"
        );
    }

    #[test]
    fn a_session_that_ends_at_once_or_a_failed_login_window_longer_than_failures_are_kept_is_refused(
    ) {
        let serve = |flag: &str, value: &str| {
            Cli::try_parse_from(["herald", "serve", flag, value]).map(|cli| match cli.command {
                Some(Command::Serve(config)) => config,
                _ => unreachable!("herald serve"),
            })
        };
        let err = serve("--session-ttl-seconds", "0").unwrap_err().to_string();
        assert!(
            err.contains("--session-ttl-seconds") && err.contains("1.."),
            "{err}"
        );
        let err = serve("--failed-login-window-seconds", "3601")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--failed-login-window-seconds") && err.contains("1..=3600"),
            "{err}"
        );
        let config = serve("--failed-login-window-seconds", "3600").unwrap();
        assert_eq!(config.failed_login_window_seconds, 3600);
    }

    fn flags(command: &clap::Command) -> impl Iterator<Item = &clap::Arg> {
        command
            .get_arguments()
            .filter(|arg| !matches!(arg.get_id().as_str(), "help" | "version"))
    }

    /// A value `arg` accepts: one of its possible values, or the first of a few shapes that
    /// parses (a name, a number, an address, a URL).
    fn accepted_value(cli: &clap::Command, before: &[String], arg: &clap::Arg) -> String {
        if let Some(value) = arg.get_possible_values().first() {
            return value.get_name().to_owned();
        }
        let long = arg.get_long().unwrap();
        ["employer", "1", "127.0.0.1", "http://127.0.0.1:3000"]
            .into_iter()
            .find(|candidate| {
                let mut argv = before.to_vec();
                argv.extend([format!("--{long}"), candidate.to_string()]);
                // Other required flags may still be missing: only this flag's value counts.
                match cli.clone().try_get_matches_from(&argv) {
                    Ok(_) => true,
                    Err(err) => err.kind() == clap::error::ErrorKind::MissingRequiredArgument,
                }
            })
            .unwrap_or_else(|| panic!("no sample value parses for --{long}"))
            .to_owned()
    }
}
