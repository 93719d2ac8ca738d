//! `/api/notifications/`: a user's own notifications, and publishing new ones.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::model::{
    FieldError, GroupKey, Link, MessageText, Notification, NotificationId, NotificationPage,
    NotificationType, Title, UserId,
};
use app::ssr::inbox;
use app::ssr::store::{NewNotification, NotificationQuery, Store, StoreResult};

use crate::auth::{CurrentUser, Publisher};
use crate::error::{ApiError, ApiJson, BodyErrors, ErrorBody, PublishErrors};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/notifications/", get(list).post(create))
        .route("/api/notifications/mark-all-read/", post(mark_all_read))
        .route("/api/notifications/mark-group-read/", post(mark_group_read))
        .route("/api/notifications/{id}/mark-read/", post(mark_read))
        .route("/api/notifications/{id}/archive/", post(archive))
        .route("/api/notifications/{id}/unarchive/", post(unarchive))
}

/// `POST /api/notifications/bulk/`, apart from the rest: its body may be larger than any
/// other request's (see [`BULK_MAX_BODY_BYTES`]).
pub fn bulk_router() -> Router<AppState> {
    Router::new().route("/api/notifications/bulk/", post(create_bulk))
}

/// The body limit of a bulk request: 1,000 notifications of a few hundred bytes each, with
/// room to spare. (The most a notification may hold, a 2,000-character message and link, is
/// rarely sent 1,000 times at once: such a batch is split.)
pub const BULK_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The yes-or-no query parameter `name` (absent is no).
fn flag(params: &HashMap<String, String>, name: &str) -> Result<bool, FieldError> {
    match params.get(name).map(String::as_str) {
        None | Some("false" | "0" | "") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(other) => Err(FieldError::new(
            name,
            format!("must be true or false; got {other:?}"),
        )),
    }
}

/// Reads `?unread=`, `?archived=`, `?before=` and `?limit=`, naming the parameter that is wrong.
fn parse_list_query(
    user_id: UserId,
    params: &HashMap<String, String>,
) -> Result<NotificationQuery, FieldError> {
    let unread_only = flag(params, "unread")?;
    let archived = flag(params, "archived")?;
    let before = params
        .get("before")
        .map(|raw| {
            raw.parse::<NotificationId>()
                .map_err(|_| FieldError::new("before", "must be a notification id"))
        })
        .transpose()?;
    let limit = match params.get("limit") {
        None => inbox::DEFAULT_PAGE_SIZE,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=inbox::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| FieldError::new("limit", "must be a number from 1 to 100"))?,
    };
    Ok(NotificationQuery {
        user_id,
        unread_only,
        archived,
        before,
        limit,
    })
}

/// The signed-in user's notifications, newest first, a page at a time.
#[utoipa::path(
    get, path = "/api/notifications/", tag = "notifications",
    security(("session" = [])),
    params(
        ("unread" = Option<bool>, Query, description = "Only unread ones"),
        ("archived" = Option<bool>, Query, description = "The archived ones instead of the inbox"),
        ("before" = Option<i64>, Query, description = "Only those older than this id: the previous page's `next_before`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)"),
    ),
    responses(
        (status = 200, description = "One page", body = NotificationPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody),
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
    Query(params): Query<HashMap<String, String>>,
) -> Result<ApiJson<NotificationPage>, ApiError> {
    let query = parse_list_query(signed_in.user.id, &params)?;
    Ok(ApiJson(inbox::page(&*state.services.store, query).await?))
}

#[derive(Serialize, ToSchema)]
pub(super) struct MarkedRead {
    notification: Notification,
    unread_count: i64,
}

/// Marks one of the signed-in user's notifications read; their other tabs hear of it.
#[utoipa::path(
    post, path = "/api/notifications/{id}/mark-read/", tag = "notifications",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "Marked read", body = MarkedRead),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such notification of this user's", body = ErrorBody),
    ),
)]
pub(super) async fn mark_read(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
    Path(id): Path<String>,
) -> Result<ApiJson<MarkedRead>, ApiError> {
    let id: NotificationId = id.parse().map_err(|_| ApiError::NotFound)?;
    let (notification, unread_count) = inbox::mark_read(&state.services, signed_in.user.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(MarkedRead {
        notification,
        unread_count,
    }))
}

#[derive(Serialize, ToSchema)]
pub(super) struct MarkedAllRead {
    updated: u64,
    unread_count: i64,
}

/// Marks every notification of the signed-in user's read.
#[utoipa::path(
    post, path = "/api/notifications/mark-all-read/", tag = "notifications",
    security(("session" = [])),
    responses(
        (status = 200, description = "How many were marked", body = MarkedAllRead),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
)]
pub(super) async fn mark_all_read(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
) -> Result<ApiJson<MarkedAllRead>, ApiError> {
    let (updated, unread_count) = inbox::mark_all_read(&state.services, signed_in.user.id).await?;
    Ok(ApiJson(MarkedAllRead {
        updated,
        unread_count,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupBody {
    /// The group whose unread notifications to mark read.
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9:_./-]+$")]
    group_key: Option<String>,
}

/// Marks read every unread notification of the signed-in user's with this group key; their
/// other tabs hear of it.
#[utoipa::path(
    post, path = "/api/notifications/mark-group-read/", tag = "notifications",
    security(("session" = [])),
    request_body = GroupBody,
    responses(
        (status = 200, description = "How many were marked", body = MarkedAllRead),
        (status = 401, description = "Not signed in", body = ErrorBody),
        BodyErrors,
    ),
)]
pub(super) async fn mark_group_read(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<ApiJson<MarkedAllRead>, ApiError> {
    let key = GroupKey::parse("group_key", body.group_key.as_deref().unwrap_or(""))?;
    let (updated, unread_count) =
        inbox::mark_group_read(&state.services, signed_in.user.id, &key).await?;
    Ok(ApiJson(MarkedAllRead {
        updated,
        unread_count,
    }))
}

/// Archives one of the signed-in user's notifications: it leaves the inbox and the unread
/// count, and is listed with `?archived=true`. Archiving an archived one changes nothing.
#[utoipa::path(
    post, path = "/api/notifications/{id}/archive/", tag = "notifications",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "Archived", body = Notification),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such notification of this user's", body = ErrorBody),
    ),
)]
pub(super) async fn archive(
    state: State<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<ApiJson<Notification>, ApiError> {
    set_archived(state, user, id, true).await
}

/// Brings an archived notification of the signed-in user's back to the inbox.
#[utoipa::path(
    post, path = "/api/notifications/{id}/unarchive/", tag = "notifications",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "Back in the inbox", body = Notification),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such notification of this user's", body = ErrorBody),
    ),
)]
pub(super) async fn unarchive(
    state: State<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<ApiJson<Notification>, ApiError> {
    set_archived(state, user, id, false).await
}

async fn set_archived(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
    Path(id): Path<String>,
    archived: bool,
) -> Result<ApiJson<Notification>, ApiError> {
    let id: NotificationId = id.parse().map_err(|_| ApiError::NotFound)?;
    let notification = inbox::set_archived(&state.services, signed_in.user.id, id, archived)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(notification))
}

/// A new notification as services send it: the recipient by id or by name, not both.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewNotification)]
pub(super) struct CreateBody {
    /// The recipient's id.
    #[schema(value_type = Option<i64>)]
    user_id: Option<UserId>,
    /// The recipient's user name.
    username: Option<String>,
    /// 1–200 characters on one line.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    title: Option<String>,
    /// Up to 2,000 characters.
    #[schema(max_length = 2000)]
    message: Option<String>,
    /// `system` (the default), `application`, `message` or `profile_view`.
    #[schema(pattern = "^(system|application|message|profile_view)$")]
    notification_type: Option<String>,
    /// A path on this site (`/jobs/3`) or an `http(s)` URL.
    #[schema(max_length = 2000)]
    link: Option<String>,
    /// Notifications of one user with the same key, close in time, show as one entry (for
    /// example `job:7:applications`): 1–100 ASCII letters, digits and `:_.-/`.
    #[schema(min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9:_./-]+$")]
    group_key: Option<String>,
}

/// Stores a notification for one user and pushes it to their open sockets.
#[utoipa::path(
    post, path = "/api/notifications/", tag = "notifications",
    security(("token" = []), ("session" = [])),
    request_body = CreateBody,
    responses(
        (status = 201, description = "Stored and pushed", body = Notification),
        PublishErrors,
        BodyErrors,
    ),
)]
pub(super) async fn create(
    State(state): State<AppState>,
    _publisher: Publisher,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<(StatusCode, ApiJson<Notification>), ApiError> {
    let recipient = body.recipient()?;
    let store = &*state.services.store;
    let known = KnownUsers::among(store, std::slice::from_ref(&recipient)).await?;
    let user_id = known.id_of(&recipient)?;
    let content = body.content()?;
    let notification = inbox::send(&state.services, &content.to(user_id)).await?;
    Ok((StatusCode::CREATED, ApiJson(notification)))
}

/// The most notifications one bulk request may carry.
pub const MAX_BULK: usize = 1000;

/// Up to 1,000 notifications, each as `POST /api/notifications/` takes one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkBody {
    #[schema(min_items = 1, max_items = 1000)]
    notifications: Vec<CreateBody>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct BulkCreated {
    /// In the order given, with their ids.
    notifications: Vec<Notification>,
}

/// Stores up to 1,000 notifications (for one user or many) in one transaction, all or none, and
/// pushes each to its recipient's open sockets. A refused entry is named by its index
/// (`notifications[3].title`), and then nothing is stored.
#[utoipa::path(
    post, path = "/api/notifications/bulk/", tag = "notifications",
    security(("token" = []), ("session" = [])),
    request_body = BulkBody,
    responses(
        (status = 201, description = "All stored and pushed", body = BulkCreated),
        PublishErrors,
        BodyErrors,
    ),
)]
pub(super) async fn create_bulk(
    State(state): State<AppState>,
    _publisher: Publisher,
    ApiJson(body): ApiJson<BulkBody>,
) -> Result<(StatusCode, ApiJson<BulkCreated>), ApiError> {
    let entries = &body.notifications;
    if entries.is_empty() || entries.len() > MAX_BULK {
        return Err(FieldError::new(
            "notifications",
            format!(
                "must hold 1 to {MAX_BULK} notifications; got {}",
                entries.len()
            ),
        )
        .into());
    }
    let in_entry = |index: usize| {
        move |err: FieldError| {
            FieldError::new(
                &format!("notifications[{index}].{}", err.field),
                err.message,
            )
        }
    };
    let mut contents = Vec::with_capacity(entries.len());
    let mut recipients = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        contents.push(entry.content().map_err(in_entry(index))?);
        recipients.push(entry.recipient().map_err(in_entry(index))?);
    }
    let known = KnownUsers::among(&*state.services.store, &recipients).await?;
    let mut new = Vec::with_capacity(entries.len());
    for (index, (content, recipient)) in contents.into_iter().zip(&recipients).enumerate() {
        new.push(content.to(known.id_of(recipient).map_err(in_entry(index))?));
    }
    let notifications = inbox::send_all(&state.services, new).await?;
    Ok((StatusCode::CREATED, ApiJson(BulkCreated { notifications })))
}

/// Who a notification is for, as the request named them.
enum Recipient<'a> {
    Id(UserId),
    Name(&'a str),
}

/// The users some requests name, found with one query.
struct KnownUsers {
    ids: HashSet<UserId>,
    /// Lowercased, as user names are unique regardless of case.
    names: HashMap<String, UserId>,
}

impl KnownUsers {
    async fn among(store: &dyn Store, recipients: &[Recipient<'_>]) -> StoreResult<Self> {
        let mut ids = Vec::new();
        let mut names = Vec::new();
        for recipient in recipients {
            match recipient {
                Recipient::Id(id) => ids.push(*id),
                Recipient::Name(name) => names.push(name.to_lowercase()),
            }
        }
        let users = store.users_among(&ids, &names).await?;
        Ok(Self {
            ids: users.iter().map(|user| user.id).collect(),
            names: users
                .into_iter()
                .map(|user| (user.username.to_lowercase(), user.id))
                .collect(),
        })
    }

    /// The id of the user `recipient` names, or the error naming the field that names nobody.
    fn id_of(&self, recipient: &Recipient) -> Result<UserId, FieldError> {
        match recipient {
            Recipient::Id(id) => self
                .ids
                .get(id)
                .copied()
                .ok_or_else(|| FieldError::new("user_id", format!("no user has id {id}"))),
            Recipient::Name(name) => self
                .names
                .get(&name.to_lowercase())
                .copied()
                .ok_or_else(|| FieldError::new("username", format!("no user is named {name:?}"))),
        }
    }
}

/// A notification's content, checked, before its recipient is known.
struct Content {
    title: Title,
    message: MessageText,
    notification_type: NotificationType,
    link: Option<Link>,
    group_key: Option<GroupKey>,
}

impl Content {
    fn to(self, user_id: UserId) -> NewNotification {
        NewNotification {
            user_id,
            title: self.title,
            message: self.message,
            notification_type: self.notification_type,
            link: self.link,
            group_key: self.group_key,
        }
    }
}

impl CreateBody {
    fn recipient(&self) -> Result<Recipient<'_>, FieldError> {
        match (self.user_id, self.username.as_deref()) {
            (Some(id), None) => Ok(Recipient::Id(id)),
            (None, Some(name)) => Ok(Recipient::Name(name)),
            (Some(_), Some(_)) => Err(FieldError::new(
                "user_id",
                "give user_id or username, not both",
            )),
            (None, None) => Err(FieldError::new(
                "user_id",
                "user_id or username is required",
            )),
        }
    }

    fn content(&self) -> Result<Content, FieldError> {
        Ok(Content {
            title: Title::parse("title", self.title.as_deref().unwrap_or(""))?,
            message: MessageText::parse("message", self.message.as_deref().unwrap_or(""))?,
            notification_type: match self.notification_type.as_deref() {
                None => NotificationType::System,
                Some(raw) => NotificationType::parse("notification_type", raw)?,
            },
            link: self
                .link
                .as_deref()
                .map(|raw| Link::parse("link", raw))
                .transpose()?,
            group_key: self
                .group_key
                .as_deref()
                .map(|raw| GroupKey::parse("group_key", raw))
                .transpose()?,
        })
    }
}
