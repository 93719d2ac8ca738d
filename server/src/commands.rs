//! What each `herald` subcommand does.

use anyhow::{bail, Context};
use serde_json::{json, Value};

use app::model::Role;
use app::ssr::store::{self, DynStore};
use app::ssr::{accounts, secret};

use crate::config::{
    ApiClientConfig, Cli, Command, CreateLoadUsersArgs, DatabaseConfig, LogFormat, ServeConfig,
};
use crate::startup::Application;
use crate::{demo, telemetry};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        Some(command) => command,
        None => {
            use clap::Parser;
            // `herald` alone serves, reading its settings from the environment.
            match Cli::parse_from(["herald", "serve"]).command {
                Some(command) => command,
                None => unreachable!("serve was given"),
            }
        }
    };
    match command {
        Command::Serve(config) => serve(config).await,
        Command::Migrate(db) => {
            telemetry::init(LogFormat::Text);
            open(&db).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::CreateAdmin(args) => {
            let store = open(&args.database).await?;
            let user =
                accounts::register(&*store, &args.username, &args.password, Role::Admin).await?;
            println!("created admin {} (id {})", user.username, user.id);
            Ok(())
        }
        Command::CreateUser(args) => {
            let store = open(&args.database).await?;
            let role = Role::from(args.role);
            let user = accounts::register(&*store, &args.username, &args.password, role).await?;
            println!("created {} {} (id {})", user.role, user.username, user.id);
            Ok(())
        }
        Command::CreateToken(args) => {
            let store = open(&args.database).await?;
            let (token, hash) = secret::generate("hrld_");
            store.create_api_token(&args.name, &hash).await?;
            eprintln!("API token for {:?} (shown only this once):", args.name);
            println!("{token}");
            Ok(())
        }
        Command::CreateLoadUsers(args) => create_load_users(args).await,
        Command::Send(args) => {
            let body = json!({
                "username": args.user,
                "title": args.title,
                "message": args.message,
                "notification_type": args.notification_type,
                "link": args.link,
            });
            let created = post(&args.client, "/api/notifications/", body).await?;
            println!("sent notification {}", created["id"]);
            Ok(())
        }
        Command::Announce(args) => {
            let body = json!({
                "title": args.title,
                "message": args.message,
                "level": args.level,
                "audience": args.audience,
            });
            let created = post(&args.client, "/api/global-notifications/", body).await?;
            println!("announced global notification {}", created["id"]);
            Ok(())
        }
    }
}

async fn create_load_users(args: CreateLoadUsersArgs) -> anyhow::Result<()> {
    use std::io::Write;

    let store = open(&args.database).await?;
    // A password nobody knows: these users are reached through their sessions only.
    let (password, _) = secret::generate("");
    let hash = password_auth::generate_hash(&password);
    let expires_at = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in 0..args.count {
        let username = format!("{}{i}", args.prefix);
        app::model::Username::parse("prefix", &username)?;
        let user = match store.user_by_username(&username).await? {
            Some(user) => user,
            None => store.create_user(&username, &hash, Role::Jobseeker).await?,
        };
        let (token, token_hash) = secret::generate("");
        store
            .create_session(&token_hash, user.id, "herald create-load-users", expires_at)
            .await?;
        writeln!(out, "{username}\t{token}")?;
    }
    out.flush()?;
    Ok(())
}

async fn open(db: &DatabaseConfig) -> anyhow::Result<DynStore> {
    store::connect(&db.database_url)
        .await
        .with_context(|| format!("opening {}", without_password(&db.database_url)))
}

/// `url` as it may be printed: a PostgreSQL URL's password (`postgres://user:secret@host/db`)
/// becomes `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
        None => url.to_owned(),
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let app = Application::build(&config).await?;
    if config.demo {
        demo::seed(&*app.store()).await?;
    }
    let addr = app.local_addr();
    tracing::info!(%addr, "listening");
    if config.demo {
        println!("{}", demo::banner(&format!("http://{addr}")));
    }
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn post(client: &ApiClientConfig, path: &str, body: Value) -> anyhow::Result<Value> {
    let url = format!("{}{path}", client.server.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&client.token)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("reaching {url}"))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = answer["error"]["message"].as_str().unwrap_or("no details");
        bail!("the server answered {status}: {message}");
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_url_is_printed_without_its_password() {
        assert_eq!(
            without_password("postgres://herald:s3cr@t@db.internal:5432/herald?sslmode=require"),
            "postgres://herald:***@db.internal:5432/herald?sslmode=require"
        );
        for unchanged in [
            "postgres://herald@db/herald",
            "sqlite://herald.db",
            "sqlite::memory:",
        ] {
            assert_eq!(without_password(unchanged), unchanged);
        }
    }
}
