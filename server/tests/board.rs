//! Every job-board event and the notification it raises.

mod common;

use std::time::Duration;

use common::spawn_app;
use serde_json::Value;

use app::model::{JobDraft, NotificationType, ProfileDraft, Role, User, UserId};
use app::ssr::board::{self, BoardError};
use app::ssr::store::NotificationQuery;
use time::OffsetDateTime;

fn user(id: UserId, name: &str, role: Role) -> User {
    User {
        id,
        username: name.to_owned(),
        role,
    }
}

/// Registers the employer `acme` and the jobseeker `ada`: their test users, and them as `User`s.
async fn employer_and_seeker(
    app: &common::TestApp,
) -> (common::TestUser, User, common::TestUser, User) {
    let acme = app.user("acme", "employer").await;
    let ada = app.user("ada", "jobseeker").await;
    let employer = user(acme.id, "acme", Role::Employer);
    let seeker = user(ada.id, "ada", Role::Jobseeker);
    (acme, employer, ada, seeker)
}

fn draft(title: &str) -> JobDraft {
    JobDraft::parse(title, "Acme", "Remote", "Write Rust all day").unwrap()
}

async fn latest(app: &common::TestApp, user_id: UserId) -> Vec<app::model::Notification> {
    app.store
        .list_notifications(NotificationQuery {
            user_id,
            unread_only: false,
            archived: false,
            before: None,
            limit: 50,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn applying_notifies_the_employer_live_with_a_link_to_the_application() {
    let app = spawn_app().await;
    let (acme, employer, _, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Rust engineer"))
        .await
        .unwrap();
    let mut socket = app.socket(&acme, "").await;
    socket.next().await;

    let application = board::apply(&app.services, &seeker, job.id, "Hire me")
        .await
        .unwrap();
    let frame = socket.next_of("notification").await;
    assert_eq!(frame["notification"]["notification_type"], "application");
    assert_eq!(
        frame["notification"]["title"],
        "New application: Rust engineer"
    );
    assert_eq!(
        frame["notification"]["link"],
        Value::from(format!("/employer/applications/{}/", application.id))
    );
}

#[tokio::test]
async fn a_second_application_to_the_same_job_is_refused_and_notifies_no_one() {
    let app = spawn_app().await;
    let (acme, employer, _, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Rust engineer"))
        .await
        .unwrap();
    board::apply(&app.services, &seeker, job.id, "")
        .await
        .unwrap();
    let again = board::apply(&app.services, &seeker, job.id, "really").await;
    assert!(
        matches!(again, Err(BoardError::AlreadyApplied)),
        "{again:?}"
    );
    assert_eq!(latest(&app, acme.id).await.len(), 1);
}

#[tokio::test]
async fn closed_jobs_take_no_applications_and_employers_cannot_apply() {
    let app = spawn_app().await;
    let (_, employer, _, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Closed soon"))
        .await
        .unwrap();
    board::set_job_open(&app.services, &employer, job.id, false)
        .await
        .unwrap();
    assert!(matches!(
        board::apply(&app.services, &seeker, job.id, "").await,
        Err(BoardError::JobClosed)
    ));
    assert!(matches!(
        board::apply(&app.services, &employer, job.id, "").await,
        Err(BoardError::Forbidden(_))
    ));
    assert!(matches!(
        board::post_job(&app.services, &seeker, &draft("Not mine to post")).await,
        Err(BoardError::Forbidden(_))
    ));
}

#[tokio::test]
async fn only_the_jobs_employer_can_edit_close_or_read_its_applications() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let rival = app.user("rival", "employer").await;
    let ada = app.user("ada", "jobseeker").await;
    let employer = user(acme.id, "acme", Role::Employer);
    let other = user(rival.id, "rival", Role::Employer);
    let job = board::post_job(&app.services, &employer, &draft("Ours"))
        .await
        .unwrap();
    let application = board::apply(
        &app.services,
        &user(ada.id, "ada", Role::Jobseeker),
        job.id,
        "",
    )
    .await
    .unwrap();
    assert!(matches!(
        board::edit_job(&app.services, &other, job.id, &draft("Stolen")).await,
        Err(BoardError::NotFound)
    ));
    assert!(matches!(
        board::set_job_open(&app.services, &other, job.id, false).await,
        Err(BoardError::NotFound)
    ));
    assert!(matches!(
        board::application_for(&app.services, &other, application.id).await,
        Err(BoardError::NotFound)
    ));
    let mine = board::application_for(&app.services, &employer, application.id)
        .await
        .unwrap();
    assert_eq!(mine.seeker_name, "ada");
    let edited = board::edit_job(&app.services, &employer, job.id, &draft("Ours, renamed"))
        .await
        .unwrap();
    assert_eq!(edited.title, "Ours, renamed");
}

#[tokio::test]
async fn an_employer_viewing_a_profile_twice_raises_one_profile_view() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let ada = app.user("ada", "jobseeker").await;
    let employer = user(acme.id, "acme", Role::Employer);
    for _ in 0..2 {
        let profile = board::view_profile(&app.services, Some(&employer), "ada")
            .await
            .unwrap();
        assert_eq!(profile.user.id, ada.id);
    }
    let notifications = latest(&app, ada.id).await;
    assert_eq!(notifications.len(), 1);
    assert_eq!(
        notifications[0].notification_type,
        NotificationType::ProfileView
    );
    assert_eq!(notifications[0].title.as_str(), "acme viewed your profile");
}

#[tokio::test]
async fn a_profile_view_counts_again_after_24_hours_and_only_from_employers() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let now = OffsetDateTime::now_utc();
    assert!(app
        .store
        .record_profile_view(acme.id, ada.id, now)
        .await
        .unwrap());
    assert!(!app
        .store
        .record_profile_view(acme.id, ada.id, now + Duration::from_secs(23 * 3600))
        .await
        .unwrap());
    assert!(app
        .store
        .record_profile_view(acme.id, ada.id, now + Duration::from_secs(24 * 3600))
        .await
        .unwrap());

    // Jobseekers looking at each other, and people looking at themselves, notify no one.
    board::view_profile(
        &app.services,
        Some(&user(grace.id, "grace", Role::Jobseeker)),
        "ada",
    )
    .await
    .unwrap();
    board::view_profile(
        &app.services,
        Some(&user(ada.id, "ada", Role::Jobseeker)),
        "ada",
    )
    .await
    .unwrap();
    board::view_profile(&app.services, None, "ada")
        .await
        .unwrap();
    assert!(latest(&app, ada.id).await.is_empty());
}

#[tokio::test]
async fn a_message_shows_live_to_both_and_notifies_the_recipient_unless_the_conversation_is_open() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let ada = app.user("ada", "jobseeker").await;
    let sender = user(acme.id, "acme", Role::Employer);
    let mut acme_socket = app.socket(&acme, "").await;
    let mut ada_socket = app.socket(&ada, "").await;
    acme_socket.next().await;
    ada_socket.next().await;

    board::send_message(&app.services, &sender, "ada", "Are you free on Monday?")
        .await
        .unwrap();
    assert_eq!(
        ada_socket.next_of("message").await["message"]["body"],
        "Are you free on Monday?"
    );
    assert_eq!(
        acme_socket.next_of("message").await["message"]["body"],
        "Are you free on Monday?"
    );
    let notification = ada_socket.next_of("notification").await;
    assert_eq!(notification["notification"]["notification_type"], "message");
    assert_eq!(notification["notification"]["link"], "/messages/acme");

    // Ada opens the conversation: the next message arrives, without a notification.
    ada_socket
        .send_json(serde_json::json!({ "action": "focus", "conversation_with": acme.id }))
        .await;
    // Once the server holds the focus (the socket loop stores it), not after a guessed delay.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !app
        .store
        .is_viewing_conversation(ada.id, acme.id, OffsetDateTime::now_utc())
        .await
        .unwrap()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the focus never reached the store"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    board::send_message(&app.services, &sender, "ada", "Great, see you")
        .await
        .unwrap();
    assert_eq!(
        ada_socket
            .next_of_skipping("message", &["unread_count"])
            .await["message"]["body"],
        "Great, see you"
    );
    assert_eq!(latest(&app, ada.id).await.len(), 1);
}

#[tokio::test]
async fn messages_need_a_body_and_someone_else_to_go_to() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let sender = user(acme.id, "acme", Role::Employer);
    let empty = board::send_message(&app.services, &sender, "acme", "  ").await;
    assert!(
        matches!(empty, Err(BoardError::Invalid(ref e)) if e.field == "body"),
        "{empty:?}"
    );
    let to_self = board::send_message(&app.services, &sender, "acme", "hi").await;
    assert!(matches!(to_self, Err(BoardError::Invalid(ref e)) if e.field == "recipient"));
    let nobody = board::send_message(&app.services, &sender, "nobody", "hi").await;
    assert!(matches!(nobody, Err(BoardError::Invalid(ref e)) if e.field == "recipient"));
}

#[tokio::test]
async fn job_search_matches_keyword_and_location_and_pages() {
    let app = spawn_app().await;
    let acme = app.user("acme", "employer").await;
    let employer = user(acme.id, "acme", Role::Employer);
    for i in 0..12 {
        let location = if i % 2 == 0 { "Berlin" } else { "Remote" };
        let draft = JobDraft::parse(
            &format!("Rust engineer {i}"),
            "Acme",
            location,
            "Async 100%_fun",
        )
        .unwrap();
        board::post_job(&app.services, &employer, &draft)
            .await
            .unwrap();
    }
    let closed = board::post_job(&app.services, &employer, &draft("Rust closed"))
        .await
        .unwrap();
    board::set_job_open(&app.services, &employer, closed.id, false)
        .await
        .unwrap();

    use app::ssr::store::JobSearch;
    let search = |keyword, location, offset| JobSearch {
        keyword,
        location,
        offset,
        limit: 5,
    };
    let (page, total) = app
        .store
        .search_jobs(&search(Some("rust"), None, 0))
        .await
        .unwrap();
    assert_eq!(total, 12);
    assert_eq!(page.len(), 5);
    assert_eq!(page[0].title, "Rust engineer 11");
    let (_, berlin) = app
        .store
        .search_jobs(&search(Some("engineer"), Some("berl"), 0))
        .await
        .unwrap();
    assert_eq!(berlin, 6);
    let (last, _) = app
        .store
        .search_jobs(&search(None, None, 10))
        .await
        .unwrap();
    assert_eq!(last.len(), 2);
    // Each word matches on its own, anywhere in the job: "rust remote" is not one phrase.
    let (_, rust_remote) = app
        .store
        .search_jobs(&search(Some("  remote RUST "), None, 0))
        .await
        .unwrap();
    assert_eq!(rust_remote, 6);
    let (_, nothing) = app
        .store
        .search_jobs(&search(Some("rust cobol"), None, 0))
        .await
        .unwrap();
    assert_eq!(nothing, 0);
    // LIKE wildcards in the search are taken literally.
    let (_, literal) = app
        .store
        .search_jobs(&search(Some("100%_"), None, 0))
        .await
        .unwrap();
    assert_eq!(literal, 12);
    let (_, none) = app
        .store
        .search_jobs(&search(Some("%"), Some("Mars"), 0))
        .await
        .unwrap();
    assert_eq!(none, 0);
}

#[tokio::test]
async fn a_profile_keeps_its_owners_edits() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let me = user(ada.id, "ada", Role::Jobseeker);
    let draft = ProfileDraft::parse("Rust engineer", "Rust, SQL", "I build things.").unwrap();
    board::save_profile(&app.services, &me, &draft)
        .await
        .unwrap();
    let profile = board::view_profile(&app.services, None, "ada")
        .await
        .unwrap();
    assert_eq!(profile.headline, "Rust engineer");
    assert_eq!(profile.skills, ["Rust", "SQL"]);
    assert_eq!(profile.bio, "I build things.");
}

#[tokio::test]
async fn a_system_alert_reaches_one_user_or_everyone_of_a_role() {
    use app::model::{MessageText, Title};
    use app::ssr::board::Audience;

    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let acme = app.user("acme", "employer").await;
    let title = Title::parse("title", "Maintenance tonight").unwrap();
    let message = MessageText::default();

    let sent = board::send_alert(
        &app.services,
        &Audience::Everyone(Role::Jobseeker),
        &title,
        &message,
        None,
    )
    .await
    .unwrap();
    assert_eq!(sent, 2);
    for id in [ada.id, grace.id] {
        let got = latest(&app, id).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].notification_type, NotificationType::System);
    }
    assert!(latest(&app, acme.id).await.is_empty());

    let one = board::send_alert(
        &app.services,
        &Audience::User("acme".into()),
        &title,
        &message,
        None,
    )
    .await
    .unwrap();
    assert_eq!(one, 1);
    assert_eq!(latest(&app, acme.id).await.len(), 1);
    let nobody = board::send_alert(
        &app.services,
        &Audience::User("nobody".into()),
        &title,
        &message,
        None,
    )
    .await;
    assert!(matches!(nobody, Err(BoardError::Invalid(ref e)) if e.field == "username"));
}

#[tokio::test]
async fn opening_the_application_a_notification_points_to_marks_that_notification_read() {
    let app = spawn_app().await;
    let (acme, employer, _, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Rust engineer"))
        .await
        .unwrap();
    let first = board::apply(&app.services, &seeker, job.id, "Hire me")
        .await
        .unwrap();
    let other_job = board::post_job(&app.services, &employer, &draft("Go engineer"))
        .await
        .unwrap();
    board::apply(&app.services, &seeker, other_job.id, "Me too")
        .await
        .unwrap();
    assert_eq!(app.store.unread_count(acme.id).await.unwrap(), 2);

    let page = acme
        .client
        .get(app.url(&format!("/employer/applications/{}/", first.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);

    let notifications = latest(&app, acme.id).await;
    let read: Vec<_> = notifications
        .iter()
        .map(|n| (n.link.clone(), n.is_read))
        .collect();
    assert_eq!(
        app.store.unread_count(acme.id).await.unwrap(),
        1,
        "{read:?}"
    );
    assert!(notifications.iter().any(|n| n.is_read
        && n.link.as_deref() == Some(&*format!("/employer/applications/{}/", first.id))));
}

#[tokio::test]
async fn reading_a_conversation_clears_its_message_notifications() {
    let app = spawn_app().await;
    let (_acme, employer, ada, _) = employer_and_seeker(&app).await;
    board::send_message(&app.services, &employer, "ada", "Hello")
        .await
        .unwrap();
    assert_eq!(app.store.unread_count(ada.id).await.unwrap(), 1);
    ada.client
        .get(app.url("/messages/acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(app.store.unread_count(ada.id).await.unwrap(), 0);
}

#[tokio::test]
async fn only_the_jobs_owner_gets_its_edit_form() {
    let app = spawn_app().await;
    let (_acme, employer, _ada, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Rust engineer"))
        .await
        .unwrap();
    assert!(board::job_for_editing(&app.services, &employer, job.id)
        .await
        .is_ok());
    assert!(matches!(
        board::job_for_editing(&app.services, &seeker, job.id).await,
        Err(BoardError::NotFound)
    ));
    let globex = app.user("globex", "employer").await;
    let other = user(globex.id, "globex", Role::Employer);
    assert!(matches!(
        board::job_for_editing(&app.services, &other, job.id).await,
        Err(BoardError::NotFound)
    ));
    // Signed out, the page shows no form with the job's text in it.
    let html = app
        .browser()
        .get(app.url(&format!("/employer/jobs/{}/", job.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Write Rust all day"), "{html}");
    assert!(!html.contains("edit-job-form"));
}

#[tokio::test]
async fn a_job_description_that_closes_the_textarea_stays_inside_it_on_the_edit_page() {
    let app = spawn_app().await;
    let (acme, employer, _, _) = employer_and_seeker(&app).await;
    let payload = r#"x</textarea><img src=x onerror="alert(1)">"#;
    let job = board::post_job(
        &app.services,
        &employer,
        &JobDraft::parse("Rust", "Acme", "Remote", payload).unwrap(),
    )
    .await
    .unwrap();
    let html = acme
        .client
        .get(app.url(&format!("/employer/jobs/{}/", job.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("edit-job-form"), "the owner gets the form");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("x&lt;/textarea&gt;&lt;img src=x"));
}

#[tokio::test]
async fn a_sender_beyond_the_message_limit_is_told_to_slow_down() {
    let app = common::spawn_app_with(|c| c.max_messages_per_minute = 3).await;
    let (_acme, employer, _ada, _) = employer_and_seeker(&app).await;
    for n in 0..3 {
        board::send_message(&app.services, &employer, "ada", &format!("Hello {n}"))
            .await
            .unwrap();
    }
    let refused = board::send_message(&app.services, &employer, "ada", "One more").await;
    assert!(
        matches!(refused, Err(BoardError::TooFast(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_employer_moves_an_application_along_and_the_jobseeker_is_told_live() {
    use app::model::ApplicationStatus;

    let app = spawn_app().await;
    let (_acme, employer, ada, seeker) = employer_and_seeker(&app).await;
    let job = board::post_job(&app.services, &employer, &draft("Rust engineer"))
        .await
        .unwrap();
    let application = board::apply(&app.services, &seeker, job.id, "Hire me")
        .await
        .unwrap();
    assert_eq!(application.status, ApplicationStatus::New);
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;

    let moved = board::set_application_status(
        &app.services,
        &employer,
        application.id,
        ApplicationStatus::Reviewed,
    )
    .await
    .unwrap();
    assert_eq!(moved.status, ApplicationStatus::Reviewed);
    let frame = socket.next_of("notification").await;
    assert_eq!(
        frame["notification"]["title"],
        "Your application to Rust engineer: reviewed"
    );
    assert_eq!(frame["notification"]["link"], "/applications/");
    assert_eq!(socket.next_of("unread_count").await["count"], 1);
    let mine = app.store.applications_of_seeker(ada.id).await.unwrap();
    assert_eq!(mine[0].status, ApplicationStatus::Reviewed);

    // Setting the same status again tells no one twice; another employer cannot touch it.
    board::set_application_status(
        &app.services,
        &employer,
        application.id,
        ApplicationStatus::Reviewed,
    )
    .await
    .unwrap();
    socket.assert_quiet(Duration::from_millis(300)).await;
    let globex = app.user("globex", "employer").await;
    let other = user(globex.id, "globex", Role::Employer);
    assert!(matches!(
        board::set_application_status(
            &app.services,
            &other,
            application.id,
            ApplicationStatus::Hired
        )
        .await,
        Err(BoardError::NotFound)
    ));
}
