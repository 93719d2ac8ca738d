//! Demo data for trying Herald on a fresh machine: accounts, jobs and profiles. Created only when
//! missing, so a restart keeps whatever the demo users did.

use app::model::{JobDraft, Link, MessageText, NotificationType, ProfileDraft, Role, Title};
use app::ssr::accounts;
use app::ssr::store::{NewNotification, Store};

/// The password of every demo account.
pub const PASSWORD: &str = "herald-demo";

pub const ACCOUNTS: [(&str, Role); 5] = [
    ("admin", Role::Admin),
    ("acme", Role::Employer),
    ("globex", Role::Employer),
    ("ada", Role::Jobseeker),
    ("grace", Role::Jobseeker),
];

const JOBS: [(&str, &str, &str, &str, &str); 5] = [
    ("acme", "Senior Rust Engineer", "Acme", "Remote", "Build the real-time core of our platform in async Rust: axum, tokio, sqlx. You care about back-pressure and never losing a message."),
    ("acme", "Frontend Engineer (Leptos)", "Acme", "Berlin", "Own our WebAssembly front end: server rendering, hydration and a delightful, accessible UI."),
    ("acme", "Site Reliability Engineer", "Acme", "Remote", "Keep many instances of our services healthy: PostgreSQL, Redis, metrics and calm incident response."),
    ("globex", "Data Engineer", "Globex", "London", "Design pipelines that move millions of events a day, with SQL you would be proud to show."),
    ("globex", "Product Designer", "Globex", "Lisbon", "Shape how people find work: research, prototypes, and pixel-perfect handoffs."),
];

const PROFILES: [(&str, &str, &str, &str); 2] = [
    ("ada", "Rust engineer, loves compilers", "Rust, SQL, WebAssembly", "I have shipped async services and a few parsers. Looking for a team that values correctness."),
    ("grace", "Backend developer", "Go, Rust, PostgreSQL", "Ten years of distributed systems. Happy to mentor."),
];

/// Creates whatever of the demo data is missing.
pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    for (username, role) in ACCOUNTS {
        if store.user_by_username(username).await?.is_some() {
            continue;
        }
        let user = accounts::register(store, username, PASSWORD, role).await?;
        store
            .create_notification(&NewNotification {
                user_id: user.id,
                title: Title::parse("title", "Welcome to Herald")?,
                message: MessageText::parse(
                    "message",
                    "This is your notification centre. New applications, messages and profile views show up here live.",
                )?,
                notification_type: NotificationType::System,
                link: Some(Link::parse("link", "/notifications/")?),
                group_key: None,
            })
            .await?;
        for (owner, title, company, location, description) in JOBS {
            if owner == username {
                store
                    .create_job(
                        user.id,
                        &JobDraft::parse(title, company, location, description)?,
                    )
                    .await?;
            }
        }
        for (owner, headline, skills, bio) in PROFILES {
            if owner == username {
                store
                    .save_profile(user.id, &ProfileDraft::parse(headline, skills, bio)?)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The lines printed at start so a newcomer can sign in at once.
pub fn banner(base_url: &str) -> String {
    let mut text = format!(
        "\nHerald is running at {base_url}\nDemo accounts (password for each: {PASSWORD}):\n"
    );
    for (username, role) in ACCOUNTS {
        text.push_str(&format!("  {username:<8} {role}\n"));
    }
    text.push_str("Try two browser windows: apply to a job as ada, watch acme's bell.\n");
    text
}
