use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = server::config::Cli::parse();
    server::commands::run(cli).await
}
