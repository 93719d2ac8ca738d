//! The `herald` commands that work on the database directly.

use clap::Parser;

use app::model::Role;
use app::ssr::{accounts, secret, store};
use server::commands;
use server::config::Cli;

fn run(args: &[&str]) -> impl std::future::Future<Output = anyhow::Result<()>> {
    commands::run(Cli::parse_from(
        std::iter::once("herald").chain(args.iter().copied()),
    ))
}

#[tokio::test]
async fn migrate_create_admin_create_user_and_create_token_work_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    run(&["migrate", "--database-url", &url]).await.unwrap();
    run(&[
        "create-admin",
        "--database-url",
        &url,
        "--username",
        "root",
        "--password",
        "long enough pw",
    ])
    .await
    .unwrap();
    run(&[
        "create-user",
        "--database-url",
        &url,
        "--username",
        "acme",
        "--password",
        "long enough pw",
        "--role",
        "employer",
    ])
    .await
    .unwrap();
    // The binary itself, to read the token it prints (once, on stdout).
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["create-token", "--database-url", &url, "--name", "billing"])
        .env_remove("HERALD_LOG")
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap_or_default().trim().to_owned();
    assert!(token.starts_with("hrld_"), "a token on stdout: {token:?}");

    let store = store::connect(&url).await.unwrap();
    let root = accounts::authenticate(&*store, "root", "long enough pw")
        .await
        .unwrap();
    assert_eq!(root.role, Role::Admin);
    let acme = accounts::authenticate(&*store, "acme", "long enough pw")
        .await
        .unwrap();
    assert_eq!(acme.role, Role::Employer);
    // The printed token is the one stored, under its name; a made-up token finds nothing.
    let stored = store.api_token(&secret::hash(&token)).await.unwrap();
    assert_eq!(stored.map(|t| t.name).as_deref(), Some("billing"));
    assert!(store
        .api_token(&secret::hash("hrld_made_up"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn bad_input_to_a_command_fails_with_a_message_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let short = run(&[
        "create-admin",
        "--database-url",
        &url,
        "--username",
        "root",
        "--password",
        "short",
    ])
    .await;
    assert!(short.unwrap_err().to_string().contains("password"));
    let store = store::connect(&url).await.unwrap();
    assert!(store.user_by_username("root").await.unwrap().is_none());
}
