//! `herald-load`: drives a running Herald through its public API and sockets, as many clients
//! would, and prints one JSON line of results per scenario. It needs the server's address, an API
//! token (`herald create-token`), and users: a file from `herald create-load-users`, or it signs
//! people up through the API. Every loop is bounded; point it at 127.0.0.1 or a test deployment.

mod fleet;
mod latency;
mod scenarios;
mod target;
mod users;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "herald-load",
    about = "Load and soak scenarios against a running Herald"
)]
struct Cli {
    /// The server, e.g. http://127.0.0.1:3000.
    #[arg(long, env = "HERALD_SERVER", default_value = "http://127.0.0.1:3000")]
    server: String,
    /// Open the sockets on these servers in turn instead (repeat the flag), e.g. every instance
    /// of a cluster while publishing through one. Memory per socket (`connect`) is read from
    /// `--server` alone.
    #[arg(long = "socket-server")]
    socket_servers: Vec<String>,
    /// An API token, from `herald create-token`.
    #[arg(long, env = "HERALD_TOKEN")]
    token: String,
    /// The server's metrics token, if it has one (HERALD_METRICS_TOKEN).
    #[arg(long, env = "HERALD_METRICS_TOKEN")]
    metrics_token: Option<String>,
    /// Users to connect as: `username<TAB>session token` per line, as `herald create-load-users`
    /// prints. Without it, users are signed up through the API (slower, and subject to the
    /// server's sign-up limit).
    #[arg(long)]
    users: Option<std::path::PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Opens SOCKETS signed-in sockets and reports the connect rate, failures, and the server's
    /// memory per socket.
    Connect(scenarios::connect::Args),
    /// Announces COUNT global notifications at RATE per second to SOCKETS sockets and reports
    /// how many arrived and how fast.
    Broadcast(scenarios::broadcast::Args),
    /// Sends RATE personal notifications per second for SECONDS to SOCKETS users, one socket each,
    /// and reports the rate reached, how many arrived and how fast.
    Unicast(scenarios::unicast::Args),
    /// Connects, publishes and disconnects in cycles for SECONDS, then reports whether the
    /// server's sockets, tasks, file descriptors and memory went back to where they started.
    Soak(scenarios::soak::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let target = target::Target::new(
        &cli.server,
        &cli.socket_servers,
        &cli.token,
        cli.metrics_token.clone(),
    )?;
    let result = match cli.scenario {
        Scenario::Connect(args) => {
            scenarios::connect::run(&target, cli.users.as_deref(), args).await?
        }
        Scenario::Broadcast(args) => {
            scenarios::broadcast::run(&target, cli.users.as_deref(), args).await?
        }
        Scenario::Unicast(args) => {
            scenarios::unicast::run(&target, cli.users.as_deref(), args).await?
        }
        Scenario::Soak(args) => scenarios::soak::run(&target, cli.users.as_deref(), args).await?,
    };
    println!("{result}");
    let failed = result["ok"] == serde_json::Value::Bool(false);
    std::process::exit(i32::from(failed));
}
