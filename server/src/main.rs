use clap::Parser;

/// mimalloc, not glibc's malloc: under load, glibc's allocator was 14 % of the server's CPU
/// (`_int_malloc`, `malloc_consolidate`; see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = server::config::Cli::parse();
    server::commands::run(cli).await
}
