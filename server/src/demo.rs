//! Demo accounts for trying Herald on a fresh machine. Created only when missing, so a restart
//! keeps whatever the demo users did.

use app::model::{Link, MessageText, NotificationType, Role, Title};
use app::ssr::accounts;
use app::ssr::store::{NewNotification, Store};

/// The password of every demo account.
pub const PASSWORD: &str = "herald-demo";

pub const ACCOUNTS: [(&str, Role); 4] = [
    ("admin", Role::Admin),
    ("acme", Role::Employer),
    ("ada", Role::Jobseeker),
    ("grace", Role::Jobseeker),
];

/// Creates the demo accounts that do not exist yet, each with a welcome notification.
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
            })
            .await?;
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
    text
}
