//! What a migration does to rows written before it, on each backend (PostgreSQL only when
//! `HERALD_TEST_POSTGRES_URL` is set). A row "written before" is one the store wrote and that is
//! then given, by hand, text only an older Herald accepted, with the migration marked not applied
//! yet: opening the store again runs it as an upgrade would.

mod common;

use sqlx::Connection;
use tempfile::TempDir;

use app::model::{Level, MessageText, NotificationType, Role, Title};
use app::ssr::store::{self, NewGlobalNotification, NewNotification, NotificationQuery};

/// Text with every character the second hardening round refuses that the first accepted, as
/// an older Herald stored it, and the flag of England, which stays.
const OLD_TITLE: &str = "soft\u{AD}hyphen \u{200E}mark\u{61C} \u{FFF9}note\u{FFFB}";
const OLD_MESSAGE: &str =
    "line\u{2028}break, tags\u{E0041}\u{E0042} flag \u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
const CLEAN_TITLE: &str = "softhyphen mark note";
const CLEAN_MESSAGE: &str =
    "line break, tags flag \u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";

/// Stores a notification and an announcement, rewrites their text as an older Herald could have
/// written it (`rewrite` also forgets the migration), and opens the store again.
async fn text_from_before_the_rule_reads_back_without_what_it_refuses(
    url: &str,
    rewrite: impl AsyncFnOnce(&str, &str, &str),
) {
    let store = store::connect(url).await.expect("the store opens");
    let ada = store
        .create_user("ada", "hash", Role::Jobseeker)
        .await
        .unwrap();
    store
        .create_notification(&NewNotification {
            user_id: ada.id,
            title: Title::parse("title", "placeholder").unwrap(),
            message: MessageText::parse("message", "").unwrap(),
            notification_type: NotificationType::System,
            link: None,
            group_key: None,
        })
        .await
        .unwrap();
    store
        .create_global(&NewGlobalNotification {
            title: Title::parse("title", "placeholder").unwrap(),
            message: MessageText::parse("message", "").unwrap(),
            level: Level::Info,
            audience: Default::default(),
            show_on_site: true,
            is_active: true,
            starts_at: None,
            expires_at: None,
            created_by: None,
        })
        .await
        .unwrap();
    drop(store);
    rewrite(url, OLD_TITLE, OLD_MESSAGE).await;

    let store = store::connect(url).await.expect("the store opens again");
    let listed = store
        .list_notifications(NotificationQuery {
            user_id: ada.id,
            unread_only: false,
            archived: false,
            before: None,
            limit: 10,
        })
        .await
        .expect("the inbox reads");
    assert_eq!(listed[0].title.as_str(), CLEAN_TITLE);
    assert_eq!(listed[0].message.as_str(), CLEAN_MESSAGE);
    let globals = store.list_globals().await.expect("the announcements read");
    assert_eq!(globals[0].title.as_str(), CLEAN_TITLE);
    assert_eq!(globals[0].message.as_str(), CLEAN_MESSAGE);
}

#[tokio::test]
async fn sqlite_rows_from_before_the_second_rounds_character_rules_are_cleaned_by_its_migration() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("herald.db").display());
    text_from_before_the_rule_reads_back_without_what_it_refuses(
        &url,
        async |url, title, message| {
            let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
            for table in ["notifications", "global_notifications"] {
                sqlx::query(&format!("UPDATE {table} SET title = ?1, message = ?2"))
                    .bind(title)
                    .bind(message)
                    .execute(&mut db)
                    .await
                    .unwrap();
            }
            sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 11")
                .execute(&mut db)
                .await
                .unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn postgres_rows_from_before_the_second_rounds_character_rules_are_cleaned_by_its_migration()
{
    let Some(schema) = common::postgres::fresh_schema(
        "postgres_rows_from_before_the_second_rounds_character_rules_are_cleaned_by_its_migration",
    )
    .await
    else {
        return;
    };
    text_from_before_the_rule_reads_back_without_what_it_refuses(
        &schema.url,
        async |url, title, message| {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            for table in ["notifications", "global_notifications"] {
                sqlx::query(&format!("UPDATE {table} SET title = $1, message = $2"))
                    .bind(title)
                    .bind(message)
                    .execute(&mut db)
                    .await
                    .unwrap();
            }
            sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 7")
                .execute(&mut db)
                .await
                .unwrap();
        },
    )
    .await;
}
