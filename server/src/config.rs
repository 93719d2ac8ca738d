//! Herald's configuration: one typed struct per command, every flag also read from a `HERALD_*`
//! environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the web server (the default when no command is given).
    Serve(ServeConfig),
    /// Brings the database schema up to date and exits.
    Migrate(DatabaseConfig),
    /// Creates an administrator.
    CreateAdmin(CreateAdmin),
    /// Creates a jobseeker or an employer.
    CreateUser(CreateUser),
    /// Creates a bearer API token for a service and prints it (it is shown only once).
    CreateToken(CreateToken),
    /// Sends a notification to one user through a running server, so it is pushed live.
    Send(Send),
    /// Announces a global notification through a running server.
    Announce(Announce),
}

#[derive(Clone, Debug, Args)]
pub struct DatabaseConfig {
    /// Where Herald keeps its data: `sqlite://FILE` or `sqlite::memory:`.
    #[arg(
        long,
        env = "HERALD_DATABASE_URL",
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

    /// The folder cargo-leptos builds the site into (the WASM, JS and CSS under `pkg/`).
    #[arg(long, env = "HERALD_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Origins (scheme://host[:port]) allowed to send state-changing requests and to open
    /// sockets besides the server's own, comma-separated. Set the public URL here behind a proxy.
    #[arg(long, env = "HERALD_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Marks the session cookie `Secure`. Turn on whenever Herald is served over https.
    #[arg(long, env = "HERALD_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,

    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "HERALD_SESSION_TTL_HOURS", default_value_t = 24 * 14)]
    pub session_ttl_hours: u64,

    /// The largest request body accepted, in bytes.
    #[arg(long, env = "HERALD_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Creates demo accounts (printed at start) if they do not exist yet.
    #[arg(long, env = "HERALD_DEMO", default_value_t = false)]
    pub demo: bool,

    /// Log lines as `text` or `json`. The level comes from `HERALD_LOG` (e.g. `info,herald=debug`).
    #[arg(long, env = "HERALD_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug, Args)]
pub struct CreateAdmin {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[arg(long, env = "HERALD_USERNAME")]
    pub username: String,
    #[arg(long, env = "HERALD_PASSWORD")]
    pub password: String,
}

#[derive(Clone, Debug, Args)]
pub struct CreateUser {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[arg(long, env = "HERALD_USERNAME")]
    pub username: String,
    #[arg(long, env = "HERALD_PASSWORD")]
    pub password: String,
    /// `jobseeker` or `employer`.
    #[arg(long, env = "HERALD_ROLE")]
    pub role: String,
}

#[derive(Clone, Debug, Args)]
pub struct CreateToken {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Who the token is for, e.g. `billing-service`.
    #[arg(long, env = "HERALD_TOKEN_NAME")]
    pub name: String,
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
pub struct Send {
    #[command(flatten)]
    pub client: ApiClientConfig,
    #[arg(long, env = "HERALD_SEND_USER")]
    pub user: String,
    #[arg(long, env = "HERALD_TITLE")]
    pub title: String,
    #[arg(long, env = "HERALD_MESSAGE", default_value = "")]
    pub message: String,
    #[arg(long = "type", env = "HERALD_TYPE", default_value = "system")]
    pub notification_type: String,
    #[arg(long, env = "HERALD_LINK")]
    pub link: Option<String>,
}

#[derive(Clone, Debug, Args)]
pub struct Announce {
    #[command(flatten)]
    pub client: ApiClientConfig,
    #[arg(long, env = "HERALD_TITLE")]
    pub title: String,
    #[arg(long, env = "HERALD_MESSAGE", default_value = "")]
    pub message: String,
    #[arg(long, env = "HERALD_LEVEL", default_value = "info")]
    pub level: String,
}

impl ServeConfig {
    /// A configuration for tests and tools: a free port on loopback, everything else default.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database: DatabaseConfig {
                database_url: database_url.to_owned(),
            },
            bind: "127.0.0.1:0".parse().expect("a valid address"),
            site_root: PathBuf::from("target/site"),
            allowed_origins: Vec::new(),
            cookie_secure: false,
            session_ttl_hours: 24,
            max_body_bytes: 64 * 1024,
            demo: false,
            log_format: LogFormat::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_of_every_command_can_come_from_the_environment() {
        use clap::CommandFactory;
        let cli = Cli::command();
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                let name = arg.get_id().as_str();
                if name == "help" || name == "version" {
                    continue;
                }
                let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
                assert!(
                    env.as_deref().is_some_and(|e| e.starts_with("HERALD_")),
                    "herald {} --{name} has no HERALD_* variable",
                    command.get_name()
                );
            }
        }
    }
}
