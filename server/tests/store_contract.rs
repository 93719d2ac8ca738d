//! The storage contract: what every `Store` answers, written once and run on each backend.
//!
//! `contract!` turns each test below into `sqlite::<test>` (a new SQLite file per test) and
//! `postgres::<test>` (a new schema per test on `HERALD_TEST_POSTGRES_URL`; skipped, loudly, when
//! that is not set). A backend that passes them all answers every method as the other does.
//!
//! Times handed to the store are whole seconds: PostgreSQL keeps microseconds and SQLite
//! nanoseconds, so a time with nanoseconds would read back differently (see `whole_seconds`).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use strum::VariantArray;
use tempfile::TempDir;
use time::OffsetDateTime;

use app::model::{
    ApplicationId, ApplicationStatus, Channels, GlobalAudience, GlobalNotificationId, GroupKey,
    JobDraft, JobId, Level, Link, MessageText, NotificationId, NotificationType, Preferences,
    ProfileDraft, Reach, Role, SessionId, Title, User, UserId,
};
use app::ssr::events::{Event, EventSink};
use app::ssr::group_commit::NotificationWriter;
use app::ssr::store::{
    self, DynStore, GlobalNotificationPatch, JobSearch, NewGlobalNotification, NewNotification,
    NotificationQuery, StoreError, Unique, MAX_LIMIT_KEY_CHARS,
};
use common::postgres::Schema;

/// Generates one `#[tokio::test]` per backend for each contract test named.
macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        /// The contract on SQLite.
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&super::TestDatabase::sqlite()).await;
                }
            )*
        }

        /// The contract on PostgreSQL.
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    let test = concat!("postgres::", stringify!($test));
                    if let Some(db) = super::TestDatabase::postgres(test).await {
                        super::$test(&db).await;
                    }
                }
            )*
        }
    };
}

contract! {
    migrating_again_changes_nothing_and_the_store_answers_pings,
    a_store_opened_again_on_the_same_database_finds_its_rows,
    ids_only_grow_and_are_never_reused_after_a_delete,
    a_new_user_reads_back_by_id_and_by_name,
    a_user_name_is_found_whatever_its_case,
    a_duplicate_username_differing_only_in_case_is_a_conflict,
    user_ids_with_a_role_come_in_id_order,
    a_session_is_found_by_its_token_until_it_expires,
    deleting_a_session_answers_what_it_was_once,
    a_user_lists_their_unexpired_sessions_newest_first,
    deleting_another_users_session_by_id_answers_none,
    a_session_is_live_until_its_expiry,
    pruning_sessions_deletes_only_the_expired_ones,
    an_api_token_is_found_by_its_hash_only,
    a_notification_reads_back_as_it_was_stored,
    notifications_list_newest_first_before_a_cursor_and_unread_only,
    notifications_after_replays_oldest_first_up_to_the_limit,
    newest_notifications_after_are_the_newest_up_to_the_limit_oldest_first,
    unread_counts_and_latest_ids_are_per_user,
    unread_counts_of_many_users_come_in_the_order_asked,
    a_batch_of_notifications_is_stored_in_order_in_one_go,
    a_batch_with_a_missing_recipient_stores_nothing,
    users_among_finds_those_that_exist_by_id_or_by_name_in_any_case,
    notifications_sent_at_once_are_each_stored_and_published_once_and_a_bad_batch_fails_alone,
    marking_a_notification_read_keeps_its_first_read_time,
    another_users_notification_id_answers_none,
    mark_all_read_answers_how_many_changed,
    mark_read_by_link_marks_only_that_exact_link,
    an_archived_notification_leaves_the_inbox_and_the_unread_count_until_brought_back,
    archiving_another_users_notification_answers_none,
    marking_a_group_read_marks_every_unread_notification_with_its_key_and_no_other,
    a_group_key_reads_back_as_it_was_stored,
    preferences_read_as_the_defaults_until_saved_and_are_per_user,
    concurrent_notifications_to_one_user_are_never_skipped_by_a_resuming_reader,
    a_global_reads_back_and_globals_list_newest_first,
    a_global_patch_changes_only_what_it_names_and_can_clear_dates,
    a_global_patch_succeeds_while_other_writes_run,
    live_globals_are_the_active_shown_ones_inside_their_dates,
    dismissals_are_per_user_and_a_missing_global_answers_false,
    a_globals_audience_is_stored_read_back_and_patched,
    a_global_is_seen_once_per_user_however_often_it_is_recorded,
    reach_counts_the_users_who_saw_and_dismissed_each_global_in_the_order_asked,
    recording_a_sight_of_a_missing_user_or_global_skips_it_and_keeps_the_rest,
    a_job_reads_back_with_its_employers_name,
    only_its_employer_can_update_or_close_a_job,
    employer_jobs_lists_open_and_closed_jobs_newest_first,
    job_search_needs_every_word_in_any_order_anywhere_in_the_job,
    job_search_folds_the_case_of_ascii_letters_only,
    percent_underscore_and_backslash_in_a_keyword_match_only_themselves,
    job_search_filters_by_location_and_leaves_out_closed_jobs,
    job_search_pages_newest_first_and_counts_every_match,
    an_application_reads_back_with_its_job_and_seeker,
    a_duplicate_application_is_a_conflict,
    applications_list_for_the_employer_and_for_the_seeker_newest_first,
    only_the_jobs_employer_can_set_an_applications_status,
    a_profile_is_empty_until_saved_and_none_for_a_missing_user,
    a_saved_profile_round_trips_its_skills_in_order,
    a_profile_view_counts_once_per_viewer_per_24_hours,
    a_conversation_is_oldest_first_and_keeps_the_latest_messages,
    conversations_show_the_last_message_per_peer_most_recent_first,
    applied_to_answers_which_of_the_jobs_the_seeker_applied_to,
    limit_events_come_back_newest_first_to_the_millisecond_after_since_and_no_more_than_asked,
    limit_events_are_per_key_and_forgetting_a_key_forgets_only_its_events,
    pruning_limit_events_deletes_those_before_the_cutoff_whatever_their_key,
    a_limit_key_longer_than_its_bound_is_refused,
    two_stores_on_one_database_count_the_same_limit_events,
    a_device_is_trusted_by_the_account_it_signed_in_to_and_no_other,
    pruning_trusted_devices_forgets_those_unused_since_the_cutoff,
    a_focus_counts_until_it_expires_or_its_socket_clears_it,
    setting_a_sockets_focus_again_replaces_its_peer_and_its_expiry,
    focus_is_per_viewer_and_peer_and_any_of_the_viewers_sockets_counts,
    pruning_focus_deletes_only_the_expired_sockets,
    a_focus_set_through_one_store_is_seen_through_another_on_the_same_database,
}

// --- the databases ----------------------------------------------------------------------------

/// A fresh, empty database of one backend, removed when dropped (the SQLite file's folder, or
/// the PostgreSQL schema). `store()` opens it as Herald does (connect, then migrate); a test may
/// open it more than once.
struct TestDatabase {
    url: String,
    _folder: Option<TempDir>,
    _schema: Option<Schema>,
}

impl TestDatabase {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        Self {
            url: format!("sqlite://{}", dir.path().join("herald.db").display()),
            _folder: Some(dir),
            _schema: None,
        }
    }

    async fn postgres(test: &str) -> Option<Self> {
        let schema = common::postgres::fresh_schema(test).await?;
        Some(Self {
            url: schema.url.clone(),
            _folder: None,
            _schema: Some(schema),
        })
    }

    async fn store(&self) -> DynStore {
        store::connect(&self.url).await.expect("the store opens")
    }
}

// --- helpers ----------------------------------------------------------------------------------

/// Now, without the fraction of a second: what both backends store exactly.
fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).expect("0 is a valid nanosecond")
}

fn now() -> OffsetDateTime {
    whole_seconds(OffsetDateTime::now_utc())
}

fn hours(n: i64) -> time::Duration {
    time::Duration::hours(n)
}

/// Asserts `at` is within a minute of the real now: a time the store stamped itself.
fn assert_recent(at: OffsetDateTime) {
    let gap = (OffsetDateTime::now_utc() - at).abs();
    assert!(gap < time::Duration::minutes(1), "{at} is not now");
}

async fn user(store: &DynStore, name: &str, role: Role) -> User {
    store
        .create_user(name, &format!("hash of {name}"), role)
        .await
        .expect("a new user")
}

fn notification(user_id: UserId, title: &str, link: Option<&str>) -> NewNotification {
    NewNotification {
        user_id,
        title: Title::parse("title", title).unwrap(),
        message: MessageText::parse("message", &format!("about {title}")).unwrap(),
        notification_type: NotificationType::Application,
        link: link.map(|link| Link::parse("link", link).unwrap()),
        group_key: None,
    }
}

async fn notify(store: &DynStore, user_id: UserId, title: &str) -> NotificationId {
    store
        .create_notification(&notification(user_id, title, None))
        .await
        .unwrap()
        .id
}

fn global(title: &str) -> NewGlobalNotification {
    NewGlobalNotification {
        title: Title::parse("title", title).unwrap(),
        message: MessageText::parse("message", "").unwrap(),
        level: Level::Info,
        audience: GlobalAudience::Everyone,
        show_on_site: true,
        is_active: true,
        starts_at: None,
        expires_at: None,
        created_by: None,
    }
}

fn draft(title: &str, company: &str, location: &str, description: &str) -> JobDraft {
    JobDraft::parse(title, company, location, description).unwrap()
}

fn search<'a>(keyword: Option<&'a str>, location: Option<&'a str>) -> JobSearch<'a> {
    JobSearch {
        keyword,
        location,
        offset: 0,
        limit: 50,
    }
}

/// The titles of the open jobs a search finds, newest first.
async fn found(store: &DynStore, keyword: Option<&str>, location: Option<&str>) -> Vec<String> {
    let (jobs, total) = store.search_jobs(&search(keyword, location)).await.unwrap();
    assert_eq!(total, jobs.len() as i64, "one page holds every match here");
    jobs.into_iter().map(|job| job.title).collect()
}

// --- the store as a whole ---------------------------------------------------------------------

async fn migrating_again_changes_nothing_and_the_store_answers_pings(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.users_among(&[ada.id], &[]).await.unwrap(), [ada]);
}

async fn a_store_opened_again_on_the_same_database_finds_its_rows(db: &TestDatabase) {
    let first = db.store().await;
    let ada = user(&first, "ada", Role::Jobseeker).await;
    let before = notify(&first, ada.id, "one").await;

    let second = db.store().await;
    assert_eq!(
        second.user_by_username("ada").await.unwrap(),
        Some(ada.clone())
    );
    assert!(notify(&second, ada.id, "two").await > before);
    assert_eq!(second.unread_count(ada.id).await.unwrap(), 2);
}

async fn ids_only_grow_and_are_never_reused_after_a_delete(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Employer).await;
    assert!(bob.id > ada.id);

    // Sessions are the rows Herald deletes: the newest one's id is not handed out again.
    let expires = now() + hours(1);
    let first = store
        .create_session("t1", ada.id, "", expires)
        .await
        .unwrap();
    let newest = store
        .create_session("t2", ada.id, "", expires)
        .await
        .unwrap();
    assert!(newest > first);
    store.delete_session("t2").await.unwrap().unwrap();
    let next = store
        .create_session("t3", ada.id, "", expires)
        .await
        .unwrap();
    assert!(next > newest, "session id {newest} was reused");

    // Every other table's ids grow with each row, whoever the row is for.
    let n1 = notify(&store, ada.id, "a").await;
    let n2 = notify(&store, bob.id, "b").await;
    let n3 = notify(&store, ada.id, "c").await;
    assert!(n1 < n2 && n2 < n3);
    let g1 = store.create_global(&global("one")).await.unwrap().id;
    let g2 = store.create_global(&global("two")).await.unwrap().id;
    assert!(g1 < g2);
    let d = draft("Rust dev", "Acme", "Remote", "Build things");
    let j1 = store.create_job(bob.id, &d).await.unwrap().id;
    let j2 = store.create_job(bob.id, &d).await.unwrap().id;
    assert!(j1 < j2);
    let a1 = store.create_application(j1, ada.id, "").await.unwrap().id;
    let a2 = store.create_application(j2, ada.id, "").await.unwrap().id;
    assert!(a1 < a2);
    let m1 = store.create_message(ada.id, bob.id, "hi").await.unwrap().id;
    let m2 = store
        .create_message(bob.id, ada.id, "hello")
        .await
        .unwrap()
        .id;
    assert!(m1 < m2);
    let t1 = store.create_api_token("one", "h1").await.unwrap().id;
    let t2 = store.create_api_token("two", "h2").await.unwrap().id;
    assert!(t1 < t2);
}

// --- accounts ---------------------------------------------------------------------------------

async fn a_new_user_reads_back_by_id_and_by_name(db: &TestDatabase) {
    let store = db.store().await;
    let ada = store
        .create_user("ada", "the hash", Role::Employer)
        .await
        .unwrap();
    assert_eq!((ada.username.as_str(), ada.role), ("ada", Role::Employer));
    assert_eq!(
        store.users_among(&[ada.id], &[]).await.unwrap(),
        std::slice::from_ref(&ada)
    );
    assert_eq!(
        store.user_by_username("ada").await.unwrap(),
        Some(ada.clone())
    );
    let credentials = store.credentials("ada").await.unwrap().unwrap();
    assert_eq!(credentials.user, ada);
    assert_eq!(credentials.password_hash, "the hash");

    assert!(store
        .users_among(&[UserId::new(ada.id.get() + 1)], &[])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.user_by_username("bob").await.unwrap(), None);
    assert!(store.credentials("bob").await.unwrap().is_none());
}

async fn a_user_name_is_found_whatever_its_case(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "Ada.Lovelace", Role::Jobseeker).await;
    for asked in ["Ada.Lovelace", "ada.lovelace", "ADA.LOVELACE"] {
        // The name reads back as it was written, whatever the case it was asked in.
        assert_eq!(
            store.user_by_username(asked).await.unwrap(),
            Some(ada.clone())
        );
        let credentials = store.credentials(asked).await.unwrap().unwrap();
        assert_eq!(credentials.user, ada);
        let profile = store.profile(asked).await.unwrap().unwrap();
        assert_eq!(profile.user, ada);
    }
}

async fn a_duplicate_username_differing_only_in_case_is_a_conflict(db: &TestDatabase) {
    let store = db.store().await;
    user(&store, "ada", Role::Jobseeker).await;
    for taken in ["ada", "ADA", "Ada"] {
        let err = store
            .create_user(taken, "hash", Role::Employer)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(Unique::Username)),
            "{taken}: {err:?}"
        );
    }
    assert_eq!(
        store.user_ids_with_role(Role::Employer).await.unwrap(),
        Vec::<UserId>::new()
    );
}

async fn user_ids_with_a_role_come_in_id_order(db: &TestDatabase) {
    let store = db.store().await;
    let root = user(&store, "root", Role::Admin).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let other = user(&store, "other", Role::Admin).await;
    assert_eq!(
        store.user_ids_with_role(Role::Admin).await.unwrap(),
        [root.id, other.id]
    );
    assert_eq!(
        store.user_ids_with_role(Role::Jobseeker).await.unwrap(),
        [ada.id]
    );
    assert_eq!(
        store.user_ids_with_role(Role::Employer).await.unwrap(),
        Vec::<UserId>::new()
    );
}

async fn a_session_is_found_by_its_token_until_it_expires(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let expires = now() + hours(1);
    let id = store
        .create_session("token hash", ada.id, "Firefox", expires)
        .await
        .unwrap();

    let session = store.session("token hash", now()).await.unwrap().unwrap();
    assert_eq!(session.id, id);
    assert_eq!(session.user, ada);
    assert_eq!(session.expires_at, expires);
    let last_second = expires - time::Duration::seconds(1);
    assert!(store
        .session("token hash", last_second)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .session("token hash", expires)
        .await
        .unwrap()
        .is_none());
    assert!(store.session("other hash", now()).await.unwrap().is_none());
}

async fn pruning_sessions_deletes_only_the_expired_ones(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let at = now();
    store
        .create_session("expired", ada.id, "", at - hours(1))
        .await
        .unwrap();
    let live = store
        .create_session("live", ada.id, "", at + hours(1))
        .await
        .unwrap();

    assert_eq!(store.prune_sessions(at).await.unwrap(), 1);
    // Gone from the table, not only hidden: deleting it finds nothing.
    assert_eq!(store.delete_session("expired").await.unwrap(), None);
    assert!(store.session_is_live(live, at).await.unwrap());
    assert_eq!(store.prune_sessions(at).await.unwrap(), 0);
}

async fn deleting_a_session_answers_what_it_was_once(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let id = store
        .create_session("token hash", ada.id, "", now() + hours(1))
        .await
        .unwrap();
    let ended = store.delete_session("token hash").await.unwrap().unwrap();
    assert_eq!((ended.id, ended.user_id), (id, ada.id));
    assert_eq!(store.delete_session("token hash").await.unwrap(), None);
    assert!(store.session("token hash", now()).await.unwrap().is_none());
    assert!(!store.session_is_live(id, now()).await.unwrap());
}

async fn a_user_lists_their_unexpired_sessions_newest_first(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let at = now();
    let laptop = store
        .create_session("h1", ada.id, "Firefox on Linux", at + hours(2))
        .await
        .unwrap();
    store
        .create_session("h2", ada.id, "expired", at - hours(1))
        .await
        .unwrap();
    let phone = store
        .create_session("h3", ada.id, "Safari on iPhone", at + hours(1))
        .await
        .unwrap();
    store
        .create_session("h4", bob.id, "Bob's", at + hours(1))
        .await
        .unwrap();

    let sessions = store.sessions_of_user(ada.id, at).await.unwrap();
    let listed: Vec<(SessionId, &str)> = sessions
        .iter()
        .map(|s| (s.id, s.browser.as_str()))
        .collect();
    assert_eq!(
        listed,
        [(phone, "Safari on iPhone"), (laptop, "Firefox on Linux")]
    );
    assert_eq!(sessions[0].expires_at, at + hours(1));
    assert_recent(sessions[0].signed_in_at);
    // Two hours on, only the laptop's has not expired.
    let later = store.sessions_of_user(ada.id, at + hours(1)).await.unwrap();
    assert_eq!(later.iter().map(|s| s.id).collect::<Vec<_>>(), [laptop]);
}

async fn deleting_another_users_session_by_id_answers_none(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let eve = user(&store, "eve", Role::Jobseeker).await;
    let id = store
        .create_session("h", ada.id, "", now() + hours(1))
        .await
        .unwrap();
    assert_eq!(store.delete_user_session(eve.id, id).await.unwrap(), None);
    assert!(store.session_is_live(id, now()).await.unwrap());

    let ended = store
        .delete_user_session(ada.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ended.id, ended.user_id), (id, ada.id));
    assert!(!store.session_is_live(id, now()).await.unwrap());
    assert_eq!(store.delete_user_session(ada.id, id).await.unwrap(), None);
}

async fn a_session_is_live_until_its_expiry(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let expires = now() + hours(1);
    let id = store
        .create_session("h", ada.id, "", expires)
        .await
        .unwrap();
    assert!(store.session_is_live(id, now()).await.unwrap());
    assert!(store
        .session_is_live(id, expires - time::Duration::seconds(1))
        .await
        .unwrap());
    assert!(!store.session_is_live(id, expires).await.unwrap());
    assert!(!store
        .session_is_live(SessionId::new(id.get() + 1), now())
        .await
        .unwrap());
}

async fn an_api_token_is_found_by_its_hash_only(db: &TestDatabase) {
    let store = db.store().await;
    let created = store
        .create_api_token("billing", "hash of the token")
        .await
        .unwrap();
    assert_eq!(created.name, "billing");
    let found = store.api_token("hash of the token").await.unwrap().unwrap();
    assert_eq!((found.id, found.name.as_str()), (created.id, "billing"));
    assert!(store.api_token("billing").await.unwrap().is_none());
    assert!(store
        .api_token("HASH OF THE TOKEN")
        .await
        .unwrap()
        .is_none());
}

// --- notifications ----------------------------------------------------------------------------

async fn a_notification_reads_back_as_it_was_stored(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let stored = store
        .create_notification(&notification(ada.id, "Hired!", Some("/applications/7")))
        .await
        .unwrap();
    assert_eq!(stored.user_id, ada.id);
    assert_eq!(stored.title.as_str(), "Hired!");
    assert_eq!(stored.message.as_str(), "about Hired!");
    assert_eq!(stored.notification_type, NotificationType::Application);
    assert_eq!(stored.link.as_deref(), Some("/applications/7"));
    assert!(!stored.is_read);
    assert_eq!(stored.read_at, None);
    assert_recent(stored.created_at);

    let listed = store
        .list_notifications(NotificationQuery {
            user_id: ada.id,
            unread_only: false,
            archived: false,
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(listed, [stored]);

    // Every type and a message of many lines survive the trip.
    for &kind in NotificationType::VARIANTS {
        let new = NewNotification {
            notification_type: kind,
            message: MessageText::parse("message", "line one\nline two ✓").unwrap(),
            ..notification(ada.id, "typed", None)
        };
        let stored = store.create_notification(&new).await.unwrap();
        assert_eq!(stored.notification_type, kind);
        assert_eq!(stored.message.as_str(), "line one\nline two ✓");
        assert_eq!(stored.link, None);
    }
}

async fn notifications_list_newest_first_before_a_cursor_and_unread_only(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let mut ids = Vec::new();
    for title in ["1", "2", "3", "4", "5"] {
        ids.push(notify(&store, ada.id, title).await);
        notify(&store, bob.id, title).await;
    }
    store.mark_read(ada.id, ids[3]).await.unwrap().unwrap();
    let list = |unread_only, before, limit| {
        let store = store.clone();
        async move {
            store
                .list_notifications(NotificationQuery {
                    user_id: ada.id,
                    unread_only,
                    archived: false,
                    before,
                    limit,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(false, None, 10).await,
        [ids[4], ids[3], ids[2], ids[1], ids[0]]
    );
    assert_eq!(list(false, None, 2).await, [ids[4], ids[3]]);
    assert_eq!(list(false, Some(ids[3]), 2).await, [ids[2], ids[1]]);
    assert_eq!(
        list(false, Some(ids[0]), 2).await,
        Vec::<NotificationId>::new()
    );
    assert_eq!(list(true, None, 10).await, [ids[4], ids[2], ids[1], ids[0]]);
    assert_eq!(list(true, Some(ids[4]), 2).await, [ids[2], ids[1]]);
    assert_eq!(list(false, None, 0).await, Vec::<NotificationId>::new());
}

async fn notifications_after_replays_oldest_first_up_to_the_limit(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let mut ids = Vec::new();
    for title in ["1", "2", "3", "4"] {
        ids.push(notify(&store, ada.id, title).await);
        notify(&store, bob.id, title).await;
    }
    // Read ones are replayed too: the client missed them all the same.
    store.mark_read(ada.id, ids[2]).await.unwrap();
    let after = |cursor, limit| {
        let store = store.clone();
        async move {
            store
                .notifications_after(ada.id, cursor, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|n| (n.id, n.title.to_string()))
                .collect::<Vec<_>>()
        }
    };
    let all: Vec<(NotificationId, String)> = ids
        .iter()
        .zip(["1", "2", "3", "4"])
        .map(|(&id, t)| (id, t.into()))
        .collect();
    assert_eq!(after(None, 100).await, all);
    assert_eq!(after(Some(ids[0]), 100).await, all[1..]);
    assert_eq!(after(Some(ids[0]), 2).await, all[1..3]);
    assert_eq!(after(Some(ids[3]), 100).await, []);
    assert_eq!(after(None, 0).await, []);
}

async fn newest_notifications_after_are_the_newest_up_to_the_limit_oldest_first(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let mut ids = Vec::new();
    for title in ["1", "2", "3", "4"] {
        ids.push(notify(&store, ada.id, title).await);
        notify(&store, bob.id, title).await;
    }
    // Archived ones are replayed too, like read ones.
    store.set_archived(ada.id, ids[3], true).await.unwrap();
    let newest = |cursor, limit| {
        let store = store.clone();
        async move {
            store
                .newest_notifications_after(ada.id, cursor, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(newest(None, 100).await, ids);
    assert_eq!(newest(None, 2).await, ids[2..]);
    assert_eq!(newest(Some(ids[0]), 100).await, ids[1..]);
    assert_eq!(newest(Some(ids[1]), 1).await, ids[3..]);
    assert_eq!(newest(Some(ids[3]), 100).await, []);
}

async fn unread_counts_and_latest_ids_are_per_user(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 0);
    assert_eq!(store.latest_notification_id(ada.id).await.unwrap(), None);

    let first = notify(&store, ada.id, "1").await;
    let last = notify(&store, ada.id, "2").await;
    let bobs = notify(&store, bob.id, "3").await;
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 2);
    assert_eq!(store.unread_count(bob.id).await.unwrap(), 1);
    assert_eq!(
        store.latest_notification_id(ada.id).await.unwrap(),
        Some(last)
    );
    assert_eq!(
        store.latest_notification_id(bob.id).await.unwrap(),
        Some(bobs)
    );

    store.mark_read(ada.id, first).await.unwrap();
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 1);
    // Reading does not move the resume point.
    assert_eq!(
        store.latest_notification_id(ada.id).await.unwrap(),
        Some(last)
    );
}

async fn unread_counts_of_many_users_come_in_the_order_asked(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let cy = user(&store, "cy", Role::Jobseeker).await;
    notify(&store, ada.id, "1").await;
    let read = notify(&store, bob.id, "2").await;
    notify(&store, bob.id, "3").await;
    notify(&store, bob.id, "4").await;
    store.mark_read(bob.id, read).await.unwrap();
    assert_eq!(
        store
            .unread_counts(&[bob.id, cy.id, ada.id, UserId::new(424242)])
            .await
            .unwrap(),
        [2, 0, 1, 0]
    );
    assert_eq!(store.unread_counts(&[]).await.unwrap(), Vec::<i64>::new());
}

async fn a_batch_of_notifications_is_stored_in_order_in_one_go(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let before = notify(&store, ada.id, "before").await;
    let batch: Vec<NewNotification> = (0..300)
        .map(|i| {
            notification(
                if i % 3 == 0 { bob.id } else { ada.id },
                &format!("n{i}"),
                Some("/jobs/1"),
            )
        })
        .collect();
    let stored = store.create_notifications(&batch).await.unwrap();
    assert_eq!(stored.len(), 300);
    for (i, (stored, asked)) in stored.iter().zip(&batch).enumerate() {
        assert_eq!(stored.title.as_str(), format!("n{i}"));
        assert_eq!(stored.user_id, asked.user_id);
        assert_eq!(stored.link.as_deref(), Some("/jobs/1"));
        assert!(!stored.is_read);
    }
    assert!(stored.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(stored[0].id > before);
    // What a resuming reader gets is exactly the batch's share, in order.
    let replayed = store
        .notifications_after(ada.id, Some(before), 500)
        .await
        .unwrap();
    let mine: Vec<NotificationId> = stored
        .iter()
        .filter(|n| n.user_id == ada.id)
        .map(|n| n.id)
        .collect();
    assert_eq!(replayed.iter().map(|n| n.id).collect::<Vec<_>>(), mine);
    assert_eq!(
        store.unread_counts(&[ada.id, bob.id]).await.unwrap(),
        [201, 100]
    );
}

async fn a_batch_with_a_missing_recipient_stores_nothing(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let batch = [
        notification(ada.id, "1", None),
        notification(UserId::new(424242), "2", None),
        notification(ada.id, "3", None),
    ];
    assert!(store.create_notifications(&batch).await.is_err());
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 0);
}

async fn users_among_finds_those_that_exist_by_id_or_by_name_in_any_case(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "Ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Employer).await;
    user(&store, "cy", Role::Jobseeker).await;
    let mut found = store
        .users_among(
            &[bob.id, UserId::new(424242)],
            &["ADA".into(), "nobody".into()],
        )
        .await
        .unwrap();
    found.sort_by_key(|user| user.id);
    assert_eq!(found, [ada, bob]);
    assert!(store.users_among(&[], &[]).await.unwrap().is_empty());
}

/// Everything a sink is given, in order.
#[derive(Default)]
struct RecordedEvents(Mutex<Vec<Event>>);

#[async_trait::async_trait]
impl EventSink for RecordedEvents {
    async fn publish(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

/// Through the group commit every sender goes through: many at once share transactions, each
/// gets back exactly its own, every stored notification is published once, and the last count
/// published for each user is their unread count.
async fn notifications_sent_at_once_are_each_stored_and_published_once_and_a_bad_batch_fails_alone(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let events = Arc::new(RecordedEvents::default());
    let writer = NotificationWriter::start(store.clone(), events.clone());
    let sends = (0..200).map(|i| {
        let writer = writer.clone();
        let to = if i % 2 == 0 { ada.id } else { bob.id };
        async move {
            // Every tenth sender sends a batch of three; one of them names nobody.
            let new = match i {
                13 => vec![
                    notification(to, "bad", None),
                    notification(UserId::new(424242), "bad", None),
                ],
                i if i % 10 == 0 => (0..3)
                    .map(|n| notification(to, &format!("{i}.{n}"), None))
                    .collect(),
                i => vec![notification(to, &format!("{i}"), None)],
            };
            (i, to, writer.send(new).await)
        }
    });
    let mut stored_ids = Vec::new();
    for (i, to, result) in join_all(sends).await {
        if i == 13 {
            assert!(result.is_err(), "a batch naming nobody is refused");
            continue;
        }
        let stored = result.unwrap();
        let titles: Vec<String> = stored.iter().map(|n| n.title.as_str().to_owned()).collect();
        let expected: Vec<String> = if i % 10 == 0 {
            (0..3).map(|n| format!("{i}.{n}")).collect()
        } else {
            vec![format!("{i}")]
        };
        assert_eq!(titles, expected);
        assert!(stored.iter().all(|n| n.user_id == to));
        stored_ids.extend(stored.iter().map(|n| n.id));
    }
    stored_ids.sort_unstable();
    stored_ids.dedup();
    // 199 senders: 20 batches of three, 179 single ones.
    assert_eq!(stored_ids.len(), 20 * 3 + 179);
    let counts = store.unread_counts(&[ada.id, bob.id]).await.unwrap();
    assert_eq!(counts.iter().sum::<i64>(), 239);

    let published = events.0.lock().unwrap().clone();
    let mut published_ids: Vec<NotificationId> = published
        .iter()
        .filter_map(|event| match event {
            Event::Notification { notification } => Some(notification.id),
            _ => None,
        })
        .collect();
    published_ids.sort_unstable();
    assert_eq!(published_ids, stored_ids, "each stored one published once");
    for (user_id, count) in [(ada.id, counts[0]), (bob.id, counts[1])] {
        let last_count = published.iter().rev().find_map(|event| match event {
            Event::UnreadCount { user_id: to, count } if *to == user_id => Some(*count),
            _ => None,
        });
        assert_eq!(last_count, Some(count));
    }
}

async fn marking_a_notification_read_keeps_its_first_read_time(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let id = notify(&store, ada.id, "1").await;
    let read = store.mark_read(ada.id, id).await.unwrap().unwrap();
    assert_eq!(read.id, id);
    assert!(read.is_read);
    let read_at = read.read_at.expect("a read time");
    assert_recent(read_at);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let again = store.mark_read(ada.id, id).await.unwrap().unwrap();
    assert_eq!(again.read_at, Some(read_at));
    assert_eq!(
        store
            .mark_read(ada.id, NotificationId::new(id.get() + 1000))
            .await
            .unwrap(),
        None
    );
}

async fn another_users_notification_id_answers_none(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let eve = user(&store, "eve", Role::Jobseeker).await;
    let id = notify(&store, ada.id, "private").await;
    assert_eq!(store.mark_read(eve.id, id).await.unwrap(), None);
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 1);
    assert_eq!(
        store.notifications_after(eve.id, None, 10).await.unwrap(),
        []
    );
}

async fn mark_all_read_answers_how_many_changed(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let first = notify(&store, ada.id, "1").await;
    notify(&store, ada.id, "2").await;
    notify(&store, ada.id, "3").await;
    notify(&store, bob.id, "bob's").await;
    store.mark_read(ada.id, first).await.unwrap();

    assert_eq!(store.mark_all_read(ada.id).await.unwrap(), 2);
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 0);
    assert_eq!(store.unread_count(bob.id).await.unwrap(), 1);
    assert_eq!(store.mark_all_read(ada.id).await.unwrap(), 0);
    for n in store.notifications_after(ada.id, None, 10).await.unwrap() {
        assert!(n.is_read && n.read_at.is_some(), "{n:?}");
    }
}

async fn mark_read_by_link_marks_only_that_exact_link(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    for (to, link) in [
        (ada.id, Some("/messages/7")),
        (ada.id, Some("/messages/7")),
        (ada.id, Some("/messages/70")),
        (ada.id, Some("/Messages/7")),
        (ada.id, None),
        (bob.id, Some("/messages/7")),
    ] {
        store
            .create_notification(&notification(to, "n", link))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .mark_read_by_link(ada.id, "/messages/7")
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 3);
    assert_eq!(store.unread_count(bob.id).await.unwrap(), 1);
    assert_eq!(
        store
            .mark_read_by_link(ada.id, "/messages/7")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .mark_read_by_link(ada.id, "/messages/%")
            .await
            .unwrap(),
        0
    );
}

/// "Newer than id N" must be a complete resume point even while notifications for one user are
/// being written at once: a reader that keeps asking for what is after the last id it saw ends
/// up with every one of them.
async fn concurrent_notifications_to_one_user_are_never_skipped_by_a_resuming_reader(
    db: &TestDatabase,
) {
    const WRITERS: usize = 6;
    const EACH: usize = 40;
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..EACH {
                    ids.push(notify(&store, ada.id, &format!("{w}-{i}")).await);
                }
                ids
            })
        })
        .collect();
    let written_all = Arc::new(AtomicBool::new(false));
    let reader = {
        let store = store.clone();
        let written_all = written_all.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                // Asked before reading, so the last read starts after the last write.
                let last = written_all.load(Ordering::SeqCst);
                let batch = store
                    .notifications_after(ada.id, cursor, 500)
                    .await
                    .unwrap();
                if last && batch.is_empty() {
                    return seen;
                }
                for n in batch {
                    cursor = Some(n.id);
                    seen.push(n.id);
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let mut written: Vec<NotificationId> = Vec::new();
    for ids in join_all(writers).await {
        written.extend(ids.unwrap());
    }
    written.sort_unstable();
    written_all.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    assert_eq!(seen, written, "the reader missed or reordered some");
}

// --- global notifications ---------------------------------------------------------------------

async fn a_global_reads_back_and_globals_list_newest_first(db: &TestDatabase) {
    let store = db.store().await;
    let root = user(&store, "root", Role::Admin).await;
    assert_eq!(store.latest_global_id().await.unwrap(), None);
    assert_eq!(store.list_globals().await.unwrap(), []);

    let starts = now() - hours(1);
    let expires = now() + hours(1);
    let created = store
        .create_global(&NewGlobalNotification {
            title: Title::parse("title", "Maintenance").unwrap(),
            message: MessageText::parse("message", "Down at noon").unwrap(),
            level: Level::Critical,
            audience: GlobalAudience::Employers,
            show_on_site: false,
            is_active: true,
            starts_at: Some(starts),
            expires_at: Some(expires),
            created_by: Some(root.id),
        })
        .await
        .unwrap();
    assert_eq!(created.title.as_str(), "Maintenance");
    assert_eq!(created.message.as_str(), "Down at noon");
    assert_eq!(created.level, Level::Critical);
    assert_eq!(created.audience, GlobalAudience::Employers);
    assert!(!created.show_on_site && created.is_active);
    assert_eq!(created.starts_at, Some(starts));
    assert_eq!(created.expires_at, Some(expires));
    assert_eq!(created.created_by, Some(root.id));
    assert_recent(created.created_at);
    assert_eq!(
        store.global_by_id(created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store
            .global_by_id(GlobalNotificationId::new(created.id.get() + 1))
            .await
            .unwrap(),
        None
    );

    let second = store.create_global(&global("Second")).await.unwrap();
    assert_eq!(
        (second.starts_at, second.expires_at, second.created_by),
        (None, None, None)
    );
    assert_eq!(
        store.list_globals().await.unwrap(),
        [second.clone(), created]
    );
    assert_eq!(store.latest_global_id().await.unwrap(), Some(second.id));
}

async fn a_global_patch_changes_only_what_it_names_and_can_clear_dates(db: &TestDatabase) {
    let store = db.store().await;
    let starts = now() - hours(1);
    let expires = now() + hours(1);
    let created = store
        .create_global(&NewGlobalNotification {
            starts_at: Some(starts),
            expires_at: Some(expires),
            ..global("Before")
        })
        .await
        .unwrap();

    let unchanged = store
        .update_global(created.id, &GlobalNotificationPatch::default())
        .await
        .unwrap();
    assert_eq!(unchanged, Some(created.clone()));

    let retitled = store
        .update_global(
            created.id,
            &GlobalNotificationPatch {
                title: Some(Title::parse("title", "After").unwrap()),
                level: Some(Level::Warning),
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retitled.title.as_str(), "After");
    assert_eq!(retitled.level, Level::Warning);
    assert!(!retitled.is_active);
    assert_eq!(retitled.message, created.message);
    assert_eq!(retitled.show_on_site, created.show_on_site);
    assert_eq!(
        (retitled.starts_at, retitled.expires_at),
        (Some(starts), Some(expires))
    );

    let later = now() + hours(5);
    let redated = store
        .update_global(
            created.id,
            &GlobalNotificationPatch {
                message: Some(MessageText::parse("message", "new text").unwrap()),
                show_on_site: Some(false),
                starts_at: Some(None),
                expires_at: Some(Some(later)),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(redated.message.as_str(), "new text");
    assert!(!redated.show_on_site);
    assert_eq!((redated.starts_at, redated.expires_at), (None, Some(later)));
    assert_eq!(redated.title.as_str(), "After");

    let cleared = store
        .update_global(
            created.id,
            &GlobalNotificationPatch {
                expires_at: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!((cleared.starts_at, cleared.expires_at), (None, None));
    assert_eq!(store.global_by_id(created.id).await.unwrap(), Some(cleared));

    let missing = store
        .update_global(
            GlobalNotificationId::new(created.id.get() + 1),
            &GlobalNotificationPatch::default(),
        )
        .await
        .unwrap();
    assert_eq!(missing, None);
}

async fn live_globals_are_the_active_shown_ones_inside_their_dates(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    let variants = [
        ("always", true, true, None, None),
        ("inactive", false, true, None, None),
        ("hidden", true, false, None, None),
        ("started", true, true, Some(at - hours(1)), None),
        ("starts now", true, true, Some(at), None),
        ("starts later", true, true, Some(at + hours(1)), None),
        ("ends later", true, true, None, Some(at + hours(1))),
        ("ends now", true, true, None, Some(at)),
        (
            "ended",
            true,
            true,
            Some(at - hours(2)),
            Some(at - hours(1)),
        ),
        (
            "inside",
            true,
            true,
            Some(at - hours(1)),
            Some(at + hours(1)),
        ),
    ];
    let mut created = Vec::new();
    for (title, is_active, show_on_site, starts_at, expires_at) in variants {
        let new = NewGlobalNotification {
            is_active,
            show_on_site,
            starts_at,
            expires_at,
            ..global(title)
        };
        created.push(store.create_global(&new).await.unwrap());
    }
    for moment in [at - hours(3), at, at + hours(3)] {
        let live = store.live_globals(moment).await.unwrap();
        let expected: Vec<_> = created
            .iter()
            .filter(|g| g.is_live_at(moment))
            .cloned()
            .collect();
        assert_eq!(live, expected, "at {moment}");
    }
    let titles: Vec<String> = store
        .live_globals(at)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.title.to_string())
        .collect();
    assert_eq!(
        titles,
        ["always", "started", "starts now", "ends later", "inside"]
    );
}

async fn dismissals_are_per_user_and_a_missing_global_answers_false(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let first = store.create_global(&global("one")).await.unwrap().id;
    let second = store.create_global(&global("two")).await.unwrap().id;
    assert_eq!(
        store.dismissed_globals(ada.id).await.unwrap(),
        Vec::<GlobalNotificationId>::new()
    );

    assert!(store.dismiss_global(ada.id, first).await.unwrap());
    assert!(store.dismiss_global(ada.id, first).await.unwrap(), "again");
    assert!(store.dismiss_global(ada.id, second).await.unwrap());
    assert!(!store
        .dismiss_global(ada.id, GlobalNotificationId::new(second.get() + 100))
        .await
        .unwrap());

    let mut dismissed = store.dismissed_globals(ada.id).await.unwrap();
    dismissed.sort_unstable();
    assert_eq!(dismissed, [first, second]);
    assert_eq!(
        store.dismissed_globals(bob.id).await.unwrap(),
        Vec::<GlobalNotificationId>::new()
    );
}

// --- jobs -------------------------------------------------------------------------------------

async fn a_job_reads_back_with_its_employers_name(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let job = store
        .create_job(
            acme.id,
            &draft("Rust dev", "Acme", "Remote", "Build things\nwith care"),
        )
        .await
        .unwrap();
    assert_eq!(job.employer_id, acme.id);
    assert_eq!(job.employer_name, "acme");
    assert_eq!(
        (
            job.title.as_str(),
            job.company.as_str(),
            job.location.as_str(),
            job.description.as_str()
        ),
        ("Rust dev", "Acme", "Remote", "Build things\nwith care")
    );
    assert!(job.is_open);
    assert_recent(job.created_at);
    assert_eq!(store.job(job.id).await.unwrap(), Some(job.clone()));
    assert_eq!(store.job(JobId::new(job.id.get() + 1)).await.unwrap(), None);
}

async fn only_its_employer_can_update_or_close_a_job(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let rival = user(&store, "rival", Role::Employer).await;
    let job = store
        .create_job(
            acme.id,
            &draft("Rust dev", "Acme", "Remote", "Build things"),
        )
        .await
        .unwrap();
    let changed = draft("Senior Rust dev", "Acme Corp", "Berlin", "Lead things");

    assert_eq!(
        store.update_job(rival.id, job.id, &changed).await.unwrap(),
        None
    );
    assert_eq!(
        store.set_job_open(rival.id, job.id, false).await.unwrap(),
        None
    );
    assert_eq!(store.job(job.id).await.unwrap(), Some(job.clone()));
    assert_eq!(
        store
            .update_job(acme.id, JobId::new(job.id.get() + 1), &changed)
            .await
            .unwrap(),
        None
    );

    let updated = store
        .update_job(acme.id, job.id, &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            updated.title.as_str(),
            updated.company.as_str(),
            updated.location.as_str(),
            updated.description.as_str()
        ),
        ("Senior Rust dev", "Acme Corp", "Berlin", "Lead things")
    );
    assert_eq!((updated.id, updated.created_at), (job.id, job.created_at));

    let closed = store
        .set_job_open(acme.id, job.id, false)
        .await
        .unwrap()
        .unwrap();
    assert!(!closed.is_open);
    let reopened = store
        .set_job_open(acme.id, job.id, true)
        .await
        .unwrap()
        .unwrap();
    assert!(reopened.is_open);
}

async fn employer_jobs_lists_open_and_closed_jobs_newest_first(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let rival = user(&store, "rival", Role::Employer).await;
    let d = draft("Job", "Acme", "Remote", "Work");
    let first = store.create_job(acme.id, &d).await.unwrap().id;
    store.create_job(rival.id, &d).await.unwrap();
    let second = store.create_job(acme.id, &d).await.unwrap().id;
    store.set_job_open(acme.id, first, false).await.unwrap();
    let ids: Vec<JobId> = store
        .employer_jobs(acme.id)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ids, [second, first]);
}

async fn job_search_needs_every_word_in_any_order_anywhere_in_the_job(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    for d in [
        draft("Rust developer", "Acme", "Remote", "Build services"),
        draft("Go developer", "Rustbelt Inc", "Berlin", "Build tools"),
        draft("Designer", "Acme", "Remote", "Draw things in rust colours"),
        draft(
            "Backend engineer",
            "Initech",
            "Paris",
            "Write Rust, mostly remote",
        ),
    ] {
        store.create_job(acme.id, &d).await.unwrap();
    }
    // Each word anywhere: title, company, description or location.
    assert_eq!(
        found(&store, Some("rust remote"), None).await,
        ["Backend engineer", "Designer", "Rust developer"]
    );
    assert_eq!(
        found(&store, Some("  remote   rust "), None).await,
        ["Backend engineer", "Designer", "Rust developer"]
    );
    assert_eq!(
        found(&store, Some("berlin tools"), None).await,
        ["Go developer"]
    );
    assert_eq!(
        found(&store, Some("rust cobol"), None).await,
        Vec::<String>::new()
    );
    // No keywords: every open job.
    assert_eq!(found(&store, Some("   "), None).await.len(), 4);
    assert_eq!(found(&store, None, None).await.len(), 4);
}

async fn job_search_folds_the_case_of_ascii_letters_only(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    store
        .create_job(
            acme.id,
            &draft("RUST Developer", "ÉCOLE Rustique", "Lyon", "x"),
        )
        .await
        .unwrap();
    assert_eq!(
        found(&store, Some("rust developer"), None).await,
        ["RUST Developer"]
    );
    assert_eq!(
        found(&store, Some("rUsTiQuE"), Some("LYON")).await,
        ["RUST Developer"]
    );
    assert_eq!(found(&store, Some("ÉCOLE"), None).await, ["RUST Developer"]);
    // SQLite's LIKE folds ASCII only, and PostgreSQL is made to match it.
    assert_eq!(
        found(&store, Some("école"), None).await,
        Vec::<String>::new()
    );
}

async fn percent_underscore_and_backslash_in_a_keyword_match_only_themselves(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    for (title, description) in [
        ("Percent", "100% remote"),
        ("Thousand", "1000 remote"),
        ("Underscore", "uses snake_case"),
        ("Space", "uses snake case"),
        ("Backslash", r"paths like C:\temp"),
        ("Slash", "paths like C:/temp"),
    ] {
        store
            .create_job(acme.id, &draft(title, "Acme", "Remote", description))
            .await
            .unwrap();
    }
    assert_eq!(found(&store, Some("100%"), None).await, ["Percent"]);
    assert_eq!(found(&store, Some("%"), None).await, ["Percent"]);
    assert_eq!(
        found(&store, Some("snake_case"), None).await,
        ["Underscore"]
    );
    assert_eq!(found(&store, Some(r"C:\temp"), None).await, ["Backslash"]);
    assert_eq!(found(&store, Some(r"\"), None).await, ["Backslash"]);
    assert_eq!(
        found(&store, Some("10_0"), None).await,
        Vec::<String>::new()
    );
}

async fn job_search_filters_by_location_and_leaves_out_closed_jobs(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    store
        .create_job(
            acme.id,
            &draft("Rust in Berlin", "Acme", "Berlin, Germany", "x"),
        )
        .await
        .unwrap();
    store
        .create_job(
            acme.id,
            &draft("Rust in Paris", "Acme", "Paris", "Moving to Berlin"),
        )
        .await
        .unwrap();
    let closed = store
        .create_job(acme.id, &draft("Closed Rust", "Acme", "Berlin", "x"))
        .await
        .unwrap();
    store.set_job_open(acme.id, closed.id, false).await.unwrap();

    // The location is matched against the location alone (the keywords look everywhere).
    assert_eq!(
        found(&store, None, Some("berlin")).await,
        ["Rust in Berlin"]
    );
    assert_eq!(
        found(&store, Some("rust"), Some("  Germany ")).await,
        ["Rust in Berlin"]
    );
    assert_eq!(
        found(&store, Some("berlin"), None).await,
        ["Rust in Paris", "Rust in Berlin"]
    );
    assert_eq!(found(&store, None, Some("   ")).await.len(), 2);
    assert_eq!(
        found(&store, None, Some("Tokyo")).await,
        Vec::<String>::new()
    );
}

async fn job_search_pages_newest_first_and_counts_every_match(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let mut ids = Vec::new();
    for n in 0..7 {
        let title = format!("Rust job {n}");
        ids.push(
            store
                .create_job(acme.id, &draft(&title, "Acme", "Remote", "x"))
                .await
                .unwrap()
                .id,
        );
    }
    store
        .create_job(acme.id, &draft("Go job", "Acme", "Remote", "x"))
        .await
        .unwrap();
    ids.reverse();
    let page = |offset, limit| {
        let store = store.clone();
        async move {
            let (jobs, total) = store
                .search_jobs(&JobSearch {
                    keyword: Some("rust"),
                    location: None,
                    offset,
                    limit,
                })
                .await
                .unwrap();
            (jobs.into_iter().map(|j| j.id).collect::<Vec<_>>(), total)
        }
    };
    assert_eq!(page(0, 3).await, (ids[0..3].to_vec(), 7));
    assert_eq!(page(3, 3).await, (ids[3..6].to_vec(), 7));
    assert_eq!(page(6, 3).await, (ids[6..].to_vec(), 7));
    assert_eq!(page(9, 3).await, (vec![], 7));
}

// --- applications -----------------------------------------------------------------------------

async fn an_application_reads_back_with_its_job_and_seeker(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let job = store
        .create_job(acme.id, &draft("Rust dev", "Acme", "Remote", "x"))
        .await
        .unwrap();
    let application = store
        .create_application(job.id, ada.id, "Dear Acme,\nhire me.")
        .await
        .unwrap();
    assert_eq!(
        (
            application.job_id,
            application.job_title.as_str(),
            application.company.as_str()
        ),
        (job.id, "Rust dev", "Acme")
    );
    assert_eq!(
        (application.seeker_id, application.seeker_name.as_str()),
        (ada.id, "ada")
    );
    assert_eq!(application.cover_letter, "Dear Acme,\nhire me.");
    assert_eq!(application.status, ApplicationStatus::New);
    assert_recent(application.created_at);
    assert_eq!(
        store.application(application.id).await.unwrap(),
        Some(application.clone())
    );
    assert_eq!(
        store
            .application(ApplicationId::new(application.id.get() + 1))
            .await
            .unwrap(),
        None
    );
}

async fn a_duplicate_application_is_a_conflict(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let d = draft("Rust dev", "Acme", "Remote", "x");
    let job = store.create_job(acme.id, &d).await.unwrap();
    let other = store.create_job(acme.id, &d).await.unwrap();
    store
        .create_application(job.id, ada.id, "first")
        .await
        .unwrap();

    let err = store
        .create_application(job.id, ada.id, "second")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Unique::Application)),
        "{err:?}"
    );
    // The same job for someone else, or another job for the same person, is no conflict.
    store.create_application(job.id, bob.id, "").await.unwrap();
    store
        .create_application(other.id, ada.id, "")
        .await
        .unwrap();
    let letters: Vec<String> = store
        .applications_of_seeker(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.cover_letter)
        .collect();
    assert_eq!(letters, ["", "first"]);
}

async fn applications_list_for_the_employer_and_for_the_seeker_newest_first(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let rival = user(&store, "rival", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let d = draft("Job", "Co", "Remote", "x");
    let acme_job = store.create_job(acme.id, &d).await.unwrap().id;
    let rival_job = store.create_job(rival.id, &d).await.unwrap().id;
    let a1 = store
        .create_application(acme_job, ada.id, "")
        .await
        .unwrap()
        .id;
    let a2 = store
        .create_application(rival_job, ada.id, "")
        .await
        .unwrap()
        .id;
    let a3 = store
        .create_application(acme_job, bob.id, "")
        .await
        .unwrap()
        .id;
    let ids = |applications: Vec<app::model::Application>| {
        applications.into_iter().map(|a| a.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.applications_for_employer(acme.id).await.unwrap()),
        [a3, a1]
    );
    assert_eq!(
        ids(store.applications_for_employer(rival.id).await.unwrap()),
        [a2]
    );
    assert_eq!(
        ids(store.applications_of_seeker(ada.id).await.unwrap()),
        [a2, a1]
    );
    assert_eq!(
        ids(store.applications_of_seeker(bob.id).await.unwrap()),
        [a3]
    );
    assert_eq!(
        ids(store.applications_of_seeker(acme.id).await.unwrap()),
        Vec::<ApplicationId>::new()
    );
}

async fn only_the_jobs_employer_can_set_an_applications_status(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let rival = user(&store, "rival", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let job = store
        .create_job(acme.id, &draft("Job", "Co", "Remote", "x"))
        .await
        .unwrap();
    let application = store.create_application(job.id, ada.id, "").await.unwrap();

    let refused = store
        .set_application_status(rival.id, application.id, ApplicationStatus::Hired)
        .await
        .unwrap();
    assert_eq!(refused, None);
    let missing = store
        .set_application_status(
            acme.id,
            ApplicationId::new(application.id.get() + 1),
            ApplicationStatus::Hired,
        )
        .await
        .unwrap();
    assert_eq!(missing, None);
    assert_eq!(
        store
            .application(application.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ApplicationStatus::New
    );
    for &status in ApplicationStatus::VARIANTS.iter().rev() {
        let changed = store
            .set_application_status(acme.id, application.id, status)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(changed.status, status);
        assert_eq!(
            store.application(application.id).await.unwrap(),
            Some(changed)
        );
    }
}

// --- profiles ---------------------------------------------------------------------------------

async fn a_profile_is_empty_until_saved_and_none_for_a_missing_user(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let profile = store.profile("ada").await.unwrap().unwrap();
    assert_eq!(profile.user, ada);
    assert_eq!(
        (
            profile.headline.as_str(),
            profile.skills.len(),
            profile.bio.as_str()
        ),
        ("", 0, "")
    );
    assert_eq!(store.profile("nobody").await.unwrap(), None);
}

async fn a_saved_profile_round_trips_its_skills_in_order(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let first =
        ProfileDraft::parse("Engineer", "Rust, SQL, C++, Node.js, Ünïcode ✓", "Hi.\nMe.").unwrap();
    store.save_profile(ada.id, &first).await.unwrap();
    let profile = store.profile("ada").await.unwrap().unwrap();
    assert_eq!(profile.headline, "Engineer");
    assert_eq!(
        profile.skills,
        ["Rust", "SQL", "C++", "Node.js", "Ünïcode ✓"]
    );
    assert_eq!(profile.bio, "Hi.\nMe.");

    // Saving again replaces the whole profile.
    let second = ProfileDraft::parse("", "Leptos", "").unwrap();
    store.save_profile(ada.id, &second).await.unwrap();
    let profile = store.profile("ada").await.unwrap().unwrap();
    assert_eq!(
        (
            profile.headline.as_str(),
            profile.skills.clone(),
            profile.bio.as_str()
        ),
        ("", vec!["Leptos".to_owned()], "")
    );
    let none = ProfileDraft::parse("Still here", "", "").unwrap();
    store.save_profile(ada.id, &none).await.unwrap();
    let profile = store.profile("ada").await.unwrap().unwrap();
    assert_eq!(profile.skills, Vec::<String>::new());
}

async fn a_profile_view_counts_once_per_viewer_per_24_hours(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let rival = user(&store, "rival", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let t = now();
    let view = |viewer: UserId, profile: UserId, at: OffsetDateTime| {
        let store = store.clone();
        async move {
            store
                .record_profile_view(viewer, profile, at)
                .await
                .unwrap()
        }
    };
    assert!(view(acme.id, ada.id, t).await, "the first view counts");
    assert!(!view(acme.id, ada.id, t + hours(1)).await, "an hour later");
    assert!(!view(acme.id, ada.id, t + hours(24) - time::Duration::seconds(1)).await);
    // Other viewers and other profiles have throttles of their own.
    assert!(view(rival.id, ada.id, t + hours(1)).await);
    assert!(view(acme.id, bob.id, t + hours(1)).await);
    assert!(view(acme.id, ada.id, t + hours(24)).await, "a day later");
    assert!(
        !view(acme.id, ada.id, t + hours(25)).await,
        "the day starts again"
    );
    assert!(view(acme.id, ada.id, t + hours(48)).await);
}

// --- messages ---------------------------------------------------------------------------------

async fn a_conversation_is_oldest_first_and_keeps_the_latest_messages(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Employer).await;
    let eve = user(&store, "eve", Role::Employer).await;
    let first = store
        .create_message(ada.id, bob.id, "hi bob")
        .await
        .unwrap();
    assert_eq!(
        (first.sender_id, first.sender_name.as_str()),
        (ada.id, "ada")
    );
    assert_eq!(
        (first.recipient_id, first.recipient_name.as_str()),
        (bob.id, "bob")
    );
    assert_eq!(first.body, "hi bob");
    assert_recent(first.created_at);
    store
        .create_message(eve.id, ada.id, "not bob")
        .await
        .unwrap();
    store
        .create_message(bob.id, ada.id, "hi ada")
        .await
        .unwrap();
    store
        .create_message(ada.id, bob.id, "how are you?")
        .await
        .unwrap();

    let bodies = |messages: Vec<app::model::DirectMessage>| {
        messages.into_iter().map(|m| m.body).collect::<Vec<_>>()
    };
    let all = ["hi bob", "hi ada", "how are you?"];
    assert_eq!(
        bodies(store.conversation(ada.id, bob.id, 10).await.unwrap()),
        all
    );
    assert_eq!(
        bodies(store.conversation(bob.id, ada.id, 10).await.unwrap()),
        all
    );
    assert_eq!(
        bodies(store.conversation(ada.id, bob.id, 2).await.unwrap()),
        all[1..]
    );
    assert_eq!(
        bodies(store.conversation(bob.id, eve.id, 10).await.unwrap()),
        Vec::<String>::new()
    );
    let stored = store.conversation(ada.id, bob.id, 10).await.unwrap();
    assert_eq!(stored[0], first);
}

async fn applied_to_answers_which_of_the_jobs_the_seeker_applied_to(db: &TestDatabase) {
    let store = db.store().await;
    let acme = user(&store, "acme", Role::Employer).await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let mut jobs = Vec::new();
    for title in ["one", "two", "three"] {
        let job = store
            .create_job(acme.id, &draft(title, "Acme", "Remote", "Work"))
            .await
            .unwrap();
        jobs.push(job.id);
    }
    store.create_application(jobs[0], ada.id, "").await.unwrap();
    store.create_application(jobs[2], ada.id, "").await.unwrap();
    store.create_application(jobs[1], bob.id, "").await.unwrap();

    let mut applied = store.applied_to(ada.id, &jobs).await.unwrap();
    applied.sort_unstable();
    assert_eq!(applied, [jobs[0], jobs[2]]);
    assert!(store
        .applied_to(ada.id, &jobs[1..2])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.applied_to(bob.id, &jobs[1..2]).await.unwrap(),
        [jobs[1]]
    );
    assert!(store.applied_to(ada.id, &[]).await.unwrap().is_empty());
}

async fn conversations_show_the_last_message_per_peer_most_recent_first(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Employer).await;
    let eve = user(&store, "eve", Role::Employer).await;
    let zed = user(&store, "zed", Role::Employer).await;
    assert_eq!(store.conversations(ada.id).await.unwrap(), []);
    store
        .create_message(ada.id, bob.id, "1 to bob")
        .await
        .unwrap();
    store
        .create_message(eve.id, ada.id, "2 from eve")
        .await
        .unwrap();
    let to_bob = store
        .create_message(bob.id, ada.id, "3 from bob")
        .await
        .unwrap();
    let to_eve = store
        .create_message(ada.id, eve.id, "4 to eve")
        .await
        .unwrap();
    store
        .create_message(bob.id, zed.id, "not ada's")
        .await
        .unwrap();

    let conversations = store.conversations(ada.id).await.unwrap();
    let summary: Vec<(&str, &str)> = conversations
        .iter()
        .map(|c| (c.peer.username.as_str(), c.last.body.as_str()))
        .collect();
    assert_eq!(summary, [("eve", "4 to eve"), ("bob", "3 from bob")]);
    assert_eq!(conversations[0].peer, eve);
    assert_eq!(conversations[0].last, to_eve);
    assert_eq!(conversations[1].last, to_bob);
    let bobs: Vec<String> = store
        .conversations(bob.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.peer.username)
        .collect();
    assert_eq!(bobs, ["zed", "ada"]);
}

// --- PostgreSQL only --------------------------------------------------------------------------

/// What only a shared server can go through: several instances on one database, and a lost or
/// missing server.
mod postgres_only {
    use super::*;

    async fn fresh(test: &str) -> Option<TestDatabase> {
        TestDatabase::postgres(&format!("postgres_only::{test}")).await
    }

    #[tokio::test]
    async fn several_instances_starting_at_once_migrate_the_database_once() {
        let Some(db) = fresh("several_instances_starting_at_once_migrate_the_database_once").await
        else {
            return;
        };
        let starts = (0..6).map(|_| store::connect(&db.url));
        let stores: Vec<DynStore> = join_all(starts)
            .await
            .into_iter()
            .map(|store| store.expect("every instance starts"))
            .collect();
        let ada = user(&stores[0], "ada", Role::Jobseeker).await;
        for store in &stores {
            assert_eq!(
                store.users_among(&[ada.id], &[]).await.unwrap(),
                std::slice::from_ref(&ada)
            );
        }
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        // Every migration of the folder (numbered `NNNN_name.sql`; numbers may skip, as when
        // branches take numbers apart), each applied once.
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/migrations/postgres");
        let mut expected: Vec<(i64, bool)> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let version = name.split('_').next().unwrap().parse().unwrap();
                (version, true)
            })
            .collect();
        expected.sort_unstable();
        assert_eq!(applied, expected, "each migration applied once");
    }

    #[tokio::test]
    async fn a_failed_migration_does_not_keep_other_instances_from_starting() {
        let Some(db) =
            fresh("a_failed_migration_does_not_keep_other_instances_from_starting").await
        else {
            return;
        };
        // A table in the way makes the first migration fail, on every try.
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE users (id BIGINT)")
            .execute(&mut conn)
            .await
            .unwrap();
        let first = store::connect(&db.url).await;
        assert!(
            matches!(first, Err(StoreError::Migration(_))),
            "{:?}",
            first.err()
        );
        // The failed instance's pool lives on (its maintenance task holds it); had its connection
        // kept the migration lock, this would wait forever.
        let second = tokio::time::timeout(Duration::from_secs(10), store::connect(&db.url))
            .await
            .expect("the second instance is not blocked by the first's lock");
        assert!(matches!(second, Err(StoreError::Migration(_))));
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable_within_two_seconds() {
        if common::postgres::postgres_url("postgres_only::an_unreachable_server_is_unavailable")
            .await
            .is_none()
        {
            return;
        }
        // Port 1 on loopback refuses connections at once; the pool retries until its timeout.
        let started = Instant::now();
        let result = store::connect("postgres://postgres@127.0.0.1:1/test").await;
        assert!(
            matches!(result, Err(StoreError::Unavailable(_))),
            "{:?}",
            result.err()
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_store_answers_again_after_the_server_drops_its_connections() {
        let test = "postgres_only::a_store_answers_again_after_the_server_drops_its_connections";
        let Some(schema) = common::postgres::fresh_schema(test).await else {
            return;
        };
        // The store's connections carry the schema's name, so only they are cut: the server may
        // be serving other tests and other people.
        let url = format!("{}&application_name={}", schema.url, schema.name);
        let store = store::connect(&url).await.unwrap();
        let ada = user(&store, "ada", Role::Jobseeker).await;
        // What a restart of the server does to a pool: every connection is cut.
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&schema.url)
            .await
            .unwrap();
        let cut: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&schema.name)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(!cut.is_empty() && cut.iter().all(|&cut| cut), "{cut:?}");
        assert_eq!(store.users_among(&[ada.id], &[]).await.unwrap(), [ada]);
    }
}

// --- rate-limit events ------------------------------------------------------------------------

fn millis(n: i64) -> time::Duration {
    time::Duration::milliseconds(n)
}

async fn limit_events_come_back_newest_first_to_the_millisecond_after_since_and_no_more_than_asked(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let start = now();
    for offset in [0, 1_000, 2_001, 2_001, 3_457] {
        store
            .record_limit_event("k", start + millis(offset))
            .await
            .unwrap();
    }
    let recent = store
        .recent_limit_events("k", start + millis(1_000), 10)
        .await
        .unwrap();
    assert_eq!(
        recent,
        [3_457, 2_001, 2_001].map(|offset| start + millis(offset)),
        "an event at `since` itself has left the window"
    );
    let newest_two = store.recent_limit_events("k", start, 2).await.unwrap();
    assert_eq!(newest_two, [start + millis(3_457), start + millis(2_001)]);
    let none = store
        .recent_limit_events("k", start + millis(3_457), 10)
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn a_device_is_trusted_by_the_account_it_signed_in_to_and_no_other(db: &TestDatabase) {
    let store = db.store().await;
    let ada = store
        .create_user("ada", "h", Role::Jobseeker)
        .await
        .unwrap();
    let grace = store
        .create_user("grace", "h", Role::Jobseeker)
        .await
        .unwrap();
    let device = "d".repeat(64);
    let at = now();
    assert!(!store
        .is_trusted_device(ada.id, &device, at - hours(1))
        .await
        .unwrap());
    store.trust_device(ada.id, &device, at).await.unwrap();
    // Trusting it again only brings it up to date.
    store.trust_device(ada.id, &device, at).await.unwrap();
    assert!(store
        .is_trusted_device(ada.id, &device, at - hours(1))
        .await
        .unwrap());
    assert!(!store.is_trusted_device(ada.id, &device, at).await.unwrap());
    assert!(!store
        .is_trusted_device(grace.id, &device, at - hours(1))
        .await
        .unwrap());
    assert!(!store
        .is_trusted_device(ada.id, &"e".repeat(64), at - hours(1))
        .await
        .unwrap());
}

async fn pruning_trusted_devices_forgets_those_unused_since_the_cutoff(db: &TestDatabase) {
    let store = db.store().await;
    let ada = store
        .create_user("ada", "h", Role::Jobseeker)
        .await
        .unwrap();
    let (old, recent) = ("a".repeat(64), "b".repeat(64));
    let at = now();
    store
        .trust_device(ada.id, &old, at - hours(48))
        .await
        .unwrap();
    store.trust_device(ada.id, &recent, at).await.unwrap();
    assert_eq!(
        store.prune_trusted_devices(at - hours(24)).await.unwrap(),
        1
    );
    let since = at - hours(100);
    assert!(!store.is_trusted_device(ada.id, &old, since).await.unwrap());
    assert!(store
        .is_trusted_device(ada.id, &recent, since)
        .await
        .unwrap());
}

async fn limit_events_are_per_key_and_forgetting_a_key_forgets_only_its_events(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    store.record_limit_event("ada|10.0.0.1", at).await.unwrap();
    store.record_limit_event("ada|10.0.0.1", at).await.unwrap();
    store.record_limit_event("ada", at).await.unwrap();
    let since = at - hours(1);
    let count = |key: &'static str| {
        let store = store.clone();
        async move {
            store
                .recent_limit_events(key, since, 10)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!((count("ada|10.0.0.1").await, count("ada").await), (2, 1));
    assert_eq!(count("grace").await, 0);
    store.forget_limit_events("ada|10.0.0.1").await.unwrap();
    assert_eq!((count("ada|10.0.0.1").await, count("ada").await), (0, 1));
    store.forget_limit_events("nobody").await.unwrap();
}

async fn pruning_limit_events_deletes_those_before_the_cutoff_whatever_their_key(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let cutoff = now() - hours(1);
    for (key, at) in [
        ("a", cutoff - millis(1)),
        ("b", cutoff - hours(5)),
        ("a", cutoff),
        ("b", cutoff + millis(1)),
    ] {
        store.record_limit_event(key, at).await.unwrap();
    }
    assert_eq!(store.prune_limit_events(cutoff).await.unwrap(), 2);
    let long_ago = cutoff - hours(24);
    let left = |key: &'static str| {
        let store = store.clone();
        async move { store.recent_limit_events(key, long_ago, 10).await.unwrap() }
    };
    assert_eq!(left("a").await, [cutoff]);
    assert_eq!(left("b").await, [cutoff + millis(1)]);
    assert_eq!(store.prune_limit_events(cutoff).await.unwrap(), 0);
}

async fn a_limit_key_longer_than_its_bound_is_refused(db: &TestDatabase) {
    let store = db.store().await;
    let longest = "k".repeat(MAX_LIMIT_KEY_CHARS);
    store.record_limit_event(&longest, now()).await.unwrap();
    let too_long = "k".repeat(MAX_LIMIT_KEY_CHARS + 1);
    let refused = store.record_limit_event(&too_long, now()).await;
    assert!(
        matches!(refused, Err(StoreError::Database(_))),
        "{refused:?}"
    );
}

async fn two_stores_on_one_database_count_the_same_limit_events(db: &TestDatabase) {
    let first = db.store().await;
    let second = db.store().await;
    let at = now();
    first.record_limit_event("ada", at).await.unwrap();
    second
        .record_limit_event("ada", at + millis(5))
        .await
        .unwrap();
    for store in [&first, &second] {
        let seen = store.recent_limit_events("ada", at - hours(1), 10).await;
        assert_eq!(seen.unwrap(), [at + millis(5), at]);
    }
    second.forget_limit_events("ada").await.unwrap();
    let seen = first.recent_limit_events("ada", at - hours(1), 10).await;
    assert!(seen.unwrap().is_empty());
}

// --- conversation focus -----------------------------------------------------------------------

async fn a_focus_counts_until_it_expires_or_its_socket_clears_it(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    let expires = at + millis(50_000);
    store
        .set_focus("i1:1", UserId::new(7), UserId::new(9), expires)
        .await
        .unwrap();
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), expires - millis(1))
        .await
        .unwrap());
    assert!(
        !store
            .is_viewing_conversation(UserId::new(7), UserId::new(9), expires)
            .await
            .unwrap(),
        "a focus no longer counts once it expires"
    );
    store.clear_focus("i1:1").await.unwrap();
    assert!(!store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    store.clear_focus("i1:1").await.unwrap();
}

async fn setting_a_sockets_focus_again_replaces_its_peer_and_its_expiry(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    store
        .set_focus("i1:1", UserId::new(7), UserId::new(9), at + millis(10))
        .await
        .unwrap();
    store
        .set_focus("i1:1", UserId::new(7), UserId::new(9), at + hours(1))
        .await
        .unwrap();
    assert!(
        store
            .is_viewing_conversation(UserId::new(7), UserId::new(9), at + millis(20))
            .await
            .unwrap(),
        "refreshed"
    );
    store
        .set_focus("i1:1", UserId::new(7), UserId::new(8), at + hours(1))
        .await
        .unwrap();
    assert!(!store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(8), at)
        .await
        .unwrap());
}

async fn focus_is_per_viewer_and_peer_and_any_of_the_viewers_sockets_counts(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    let later = at + hours(1);
    store
        .set_focus("i1:1", UserId::new(7), UserId::new(9), later)
        .await
        .unwrap();
    store
        .set_focus("i2:1", UserId::new(7), UserId::new(8), later)
        .await
        .unwrap();
    store
        .set_focus("i2:2", UserId::new(8), UserId::new(7), later)
        .await
        .unwrap();
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(8), at)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(8), UserId::new(7), at)
        .await
        .unwrap());
    assert!(!store
        .is_viewing_conversation(UserId::new(9), UserId::new(7), at)
        .await
        .unwrap());
    assert!(!store
        .is_viewing_conversation(UserId::new(8), UserId::new(9), at)
        .await
        .unwrap());
    store.clear_focus("i1:1").await.unwrap();
    assert!(!store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(8), at)
        .await
        .unwrap());
}

async fn pruning_focus_deletes_only_the_expired_sockets(db: &TestDatabase) {
    let store = db.store().await;
    let at = now();
    store
        .set_focus("dead:1", UserId::new(7), UserId::new(9), at - millis(1))
        .await
        .unwrap();
    store
        .set_focus("dead:2", UserId::new(7), UserId::new(8), at)
        .await
        .unwrap();
    store
        .set_focus("live:1", UserId::new(7), UserId::new(6), at + millis(1))
        .await
        .unwrap();
    assert_eq!(store.prune_focus(at).await.unwrap(), 2);
    assert_eq!(store.prune_focus(at).await.unwrap(), 0);
    let earlier = at - hours(1);
    assert!(!store
        .is_viewing_conversation(UserId::new(7), UserId::new(9), earlier)
        .await
        .unwrap());
    assert!(!store
        .is_viewing_conversation(UserId::new(7), UserId::new(8), earlier)
        .await
        .unwrap());
    assert!(store
        .is_viewing_conversation(UserId::new(7), UserId::new(6), earlier)
        .await
        .unwrap());
}

async fn a_focus_set_through_one_store_is_seen_through_another_on_the_same_database(
    db: &TestDatabase,
) {
    let first = db.store().await;
    let second = db.store().await;
    let at = now();
    first
        .set_focus("i1:1", UserId::new(7), UserId::new(9), at + hours(1))
        .await
        .unwrap();
    assert!(second
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
    first.clear_focus("i1:1").await.unwrap();
    assert!(!second
        .is_viewing_conversation(UserId::new(7), UserId::new(9), at)
        .await
        .unwrap());
}

fn grouped(user_id: UserId, title: &str, key: &str) -> NewNotification {
    NewNotification {
        group_key: Some(GroupKey::parse("group_key", key).unwrap()),
        ..notification(user_id, title, None)
    }
}

fn inbox_query(user_id: UserId, archived: bool) -> NotificationQuery {
    NotificationQuery {
        user_id,
        unread_only: false,
        archived,
        before: None,
        limit: 10,
    }
}

async fn titles(store: &DynStore, query: NotificationQuery) -> Vec<String> {
    store
        .list_notifications(query)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.title.to_string())
        .collect()
}

async fn an_archived_notification_leaves_the_inbox_and_the_unread_count_until_brought_back(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let kept = notify(&store, ada.id, "kept").await;
    let filed = notify(&store, ada.id, "filed").await;

    let archived = store
        .set_archived(ada.id, filed, true)
        .await
        .unwrap()
        .unwrap();
    let first_archived_at = archived.archived_at.expect("an archive time");
    assert_recent(first_archived_at);
    assert!(!archived.is_read, "archiving is not reading");
    assert_eq!(titles(&store, inbox_query(ada.id, false)).await, ["kept"]);
    assert_eq!(titles(&store, inbox_query(ada.id, true)).await, ["filed"]);
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 1);
    assert_eq!(store.unread_counts(&[ada.id]).await.unwrap(), [1]);
    // Archiving again keeps the first time.
    let again = store
        .set_archived(ada.id, filed, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.archived_at, Some(first_archived_at));

    let back = store
        .set_archived(ada.id, filed, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.archived_at, None);
    assert_eq!(
        titles(&store, inbox_query(ada.id, false)).await,
        ["filed", "kept"]
    );
    assert!(titles(&store, inbox_query(ada.id, true)).await.is_empty());
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 2);
    let _ = kept;
}

async fn archiving_another_users_notification_answers_none(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let adas = notify(&store, ada.id, "ada's").await;
    assert!(store
        .set_archived(bob.id, adas, true)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .set_archived(ada.id, NotificationId::new(999_999), true)
        .await
        .unwrap()
        .is_none());
    assert_eq!(titles(&store, inbox_query(ada.id, false)).await, ["ada's"]);
}

async fn marking_a_group_read_marks_every_unread_notification_with_its_key_and_no_other(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Employer).await;
    let bob = user(&store, "bob", Role::Employer).await;
    for i in 0..3 {
        store
            .create_notification(&grouped(ada.id, &format!("job 1, {i}"), "job:1"))
            .await
            .unwrap();
    }
    store
        .create_notification(&grouped(ada.id, "job 2", "job:2"))
        .await
        .unwrap();
    notify(&store, ada.id, "alone").await;
    store
        .create_notification(&grouped(bob.id, "bob's job 1", "job:1"))
        .await
        .unwrap();

    let key = GroupKey::parse("group_key", "job:1").unwrap();
    assert_eq!(store.mark_group_read(ada.id, &key).await.unwrap(), 3);
    assert_eq!(store.unread_count(ada.id).await.unwrap(), 2);
    assert_eq!(store.unread_count(bob.id).await.unwrap(), 1);
    assert_eq!(store.mark_group_read(ada.id, &key).await.unwrap(), 0);
}

async fn a_group_key_reads_back_as_it_was_stored(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Employer).await;
    let stored = store
        .create_notifications(&[
            grouped(ada.id, "one", "job:7:applications"),
            notification(ada.id, "two", None),
        ])
        .await
        .unwrap();
    assert_eq!(
        stored[0].group_key.as_ref().map(GroupKey::as_str),
        Some("job:7:applications")
    );
    assert_eq!(stored[1].group_key, None);
    let listed = store
        .list_notifications(inbox_query(ada.id, false))
        .await
        .unwrap();
    assert_eq!(listed[1].group_key, stored[0].group_key);
    assert_eq!(listed[1].archived_at, None);
}

async fn preferences_read_as_the_defaults_until_saved_and_are_per_user(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    assert_eq!(
        store.preferences(ada.id).await.unwrap(),
        Preferences::default()
    );

    let mut chosen = Preferences::default();
    let quiet = Channels {
        toast: true,
        desktop: false,
        sound: true,
    };
    chosen.set(NotificationType::Message, quiet);
    store.set_preferences(ada.id, &chosen).await.unwrap();
    assert_eq!(store.preferences(ada.id).await.unwrap(), chosen);
    assert_eq!(
        store
            .preferences(ada.id)
            .await
            .unwrap()
            .of(NotificationType::Message),
        quiet
    );
    assert_eq!(
        store.preferences(bob.id).await.unwrap(),
        Preferences::default()
    );

    // Saving again replaces every type's choice.
    store
        .set_preferences(ada.id, &Preferences::default())
        .await
        .unwrap();
    assert_eq!(
        store
            .preferences(ada.id)
            .await
            .unwrap()
            .of(NotificationType::Message),
        Channels::default()
    );
}

// --- audiences and reach ----------------------------------------------------------------------

async fn a_globals_audience_is_stored_read_back_and_patched(db: &TestDatabase) {
    let store = db.store().await;
    let everyone = store.create_global(&global("for all")).await.unwrap();
    assert_eq!(everyone.audience, GlobalAudience::Everyone);
    let seekers = store
        .create_global(&NewGlobalNotification {
            audience: GlobalAudience::Jobseekers,
            ..global("for jobseekers")
        })
        .await
        .unwrap();
    assert_eq!(seekers.audience, GlobalAudience::Jobseekers);
    assert_eq!(
        store.live_globals(now()).await.unwrap(),
        [everyone.clone(), seekers.clone()],
        "the store lists every live global; filtering by role is the caller's"
    );

    let retargeted = store
        .update_global(
            seekers.id,
            &GlobalNotificationPatch {
                audience: Some(GlobalAudience::Employers),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retargeted.audience, GlobalAudience::Employers);
    assert_eq!(retargeted.title, seekers.title);
    let untouched = store
        .update_global(
            seekers.id,
            &GlobalNotificationPatch {
                level: Some(Level::Warning),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.audience, GlobalAudience::Employers);
    assert_eq!(
        store.global_by_id(seekers.id).await.unwrap(),
        Some(untouched)
    );
}

async fn a_global_is_seen_once_per_user_however_often_it_is_recorded(db: &TestDatabase) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Employer).await;
    let news = store.create_global(&global("news")).await.unwrap().id;
    let first = store
        .record_seen(&[(ada.id, news), (ada.id, news), (bob.id, news)], now())
        .await
        .unwrap();
    assert_eq!(first, 2, "a pair twice in one batch is one sight");
    let again = store
        .record_seen(&[(ada.id, news), (bob.id, news)], now() + hours(1))
        .await
        .unwrap();
    assert_eq!(again, 0, "seeing it again adds no one");
    assert_eq!(
        store.reach(&[news]).await.unwrap(),
        [Reach {
            seen: 2,
            dismissed: 0
        }]
    );
    assert_eq!(store.record_seen(&[], now()).await.unwrap(), 0);
}

async fn reach_counts_the_users_who_saw_and_dismissed_each_global_in_the_order_asked(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let bob = user(&store, "bob", Role::Jobseeker).await;
    let cy = user(&store, "cy", Role::Employer).await;
    let first = store.create_global(&global("first")).await.unwrap().id;
    let second = store.create_global(&global("second")).await.unwrap().id;
    let unseen = store.create_global(&global("unseen")).await.unwrap().id;
    store
        .record_seen(
            &[
                (ada.id, first),
                (bob.id, first),
                (cy.id, first),
                (ada.id, second),
            ],
            now(),
        )
        .await
        .unwrap();
    assert!(store.dismiss_global(bob.id, first).await.unwrap());
    assert!(store.dismiss_global(bob.id, first).await.unwrap());
    assert!(store.dismiss_global(ada.id, second).await.unwrap());
    let missing = GlobalNotificationId::new(unseen.get() + 1);
    assert_eq!(
        store
            .reach(&[second, missing, unseen, first])
            .await
            .unwrap(),
        [
            Reach {
                seen: 1,
                dismissed: 1
            },
            Reach::default(),
            Reach::default(),
            Reach {
                seen: 3,
                dismissed: 1
            },
        ]
    );
    assert_eq!(store.reach(&[]).await.unwrap(), []);
}

async fn recording_a_sight_of_a_missing_user_or_global_skips_it_and_keeps_the_rest(
    db: &TestDatabase,
) {
    let store = db.store().await;
    let ada = user(&store, "ada", Role::Jobseeker).await;
    let news = store.create_global(&global("news")).await.unwrap().id;
    let no_user = UserId::new(ada.id.get() + 100);
    let no_global = GlobalNotificationId::new(news.get() + 100);
    let recorded = store
        .record_seen(
            &[(no_user, news), (ada.id, no_global), (ada.id, news)],
            now(),
        )
        .await
        .unwrap();
    assert_eq!(recorded, 1);
    assert_eq!(store.reach(&[news]).await.unwrap()[0].seen, 1);
}

/// A patch reads the global, then writes it back: with other writes committing in between (sights
/// recorded, notifications stored), it must wait its turn, never fail as "unavailable".
async fn a_global_patch_succeeds_while_other_writes_run(db: &TestDatabase) {
    let store = db.store().await;
    let readers: Vec<User> = join_all((0..20).map(|i| {
        let store = store.clone();
        async move { user(&store, &format!("reader{i}"), Role::Jobseeker).await }
    }))
    .await;
    let news = store.create_global(&global("news")).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        let ids: Vec<UserId> = readers.iter().map(|u| u.id).collect();
        tokio::spawn(async move {
            let mut round = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let user_id = ids[round % ids.len()];
                store
                    .create_notification(&notification(user_id, "busy", None))
                    .await
                    .expect("a concurrent write");
                round += 1;
            }
        })
    };
    for i in 0..100 {
        let patch = GlobalNotificationPatch {
            is_active: Some(i % 2 == 0),
            ..Default::default()
        };
        store
            .update_global(news.id, &patch)
            .await
            .unwrap_or_else(|err| panic!("patch {i} failed: {err}"));
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
}
