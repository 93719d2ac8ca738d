//! `/api/global-notifications/`: site-wide banners.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::Router;
use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;

use app::model::{
    FieldError, GlobalAudience, GlobalNotification, GlobalNotificationId, Level, MessageText,
    ReachedGlobal, Title,
};
use app::ssr::announcements;
use app::ssr::store::{GlobalNotificationPatch, NewGlobalNotification};

use crate::auth::{CurrentUser, Publisher};
use crate::error::{ApiError, ApiJson, BodyErrors, ErrorBody, PublishErrors};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/global-notifications/", get(list_live).post(create))
        .route("/api/global-notifications/{id}/", patch(update).get(show))
}

#[derive(Serialize, ToSchema)]
pub(super) struct Results<T> {
    results: Vec<T>,
}

/// The announcements live now for the caller: those for everyone, and those for the caller's
/// role (an admin's list is the same as anyone's; the admin panel shows every announcement).
#[utoipa::path(
    get, path = "/api/global-notifications/", tag = "global notifications",
    security(("session" = [])),
    responses(
        (status = 200, description = "The live ones for the caller", body = Results<GlobalNotification>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
)]
pub(super) async fn list_live(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
) -> Result<ApiJson<Results<GlobalNotification>>, ApiError> {
    let results = announcements::live_for(&state.services, signed_in.user.role).await?;
    Ok(ApiJson(Results { results }))
}

/// One announcement, whatever its state, with its reach: how many people saw it and how many
/// dismissed it.
#[utoipa::path(
    get, path = "/api/global-notifications/{id}/", tag = "global notifications",
    security(("token" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The announcement's id")),
    responses(
        (status = 200, description = "The announcement and its reach", body = ReachedGlobal),
        (status = 404, description = "No such announcement", body = ErrorBody),
        PublishErrors,
    ),
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _publisher: Publisher,
    Path(id): Path<String>,
) -> Result<ApiJson<ReachedGlobal>, ApiError> {
    let id: GlobalNotificationId = id.parse().map_err(|_| ApiError::NotFound)?;
    let global = state
        .services
        .store
        .global_by_id(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(
        announcements::one_with_reach(&state.services, global).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewGlobalNotification)]
pub(super) struct CreateBody {
    /// 1–200 characters on one line.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    title: Option<String>,
    /// Up to 2,000 characters.
    #[schema(max_length = 2000)]
    message: Option<String>,
    /// `info` (the default), `warning` or `critical`.
    #[schema(pattern = "^(info|warning|critical)$")]
    level: Option<String>,
    /// Who sees it: `everyone` (the default), `jobseekers` or `employers`.
    #[schema(pattern = "^(everyone|jobseekers|employers)$")]
    audience: Option<String>,
    /// Whether it shows as a banner (default true).
    show_on_site: Option<bool>,
    /// Default true.
    is_active: Option<bool>,
    /// When it goes live (RFC 3339); now when left out.
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    /// When it stops being live (RFC 3339); never when left out.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// Stores an announcement and shows it to everyone signed in of its audience while it is live.
#[utoipa::path(
    post, path = "/api/global-notifications/", tag = "global notifications",
    security(("token" = []), ("session" = [])),
    request_body = CreateBody,
    responses(
        (status = 201, description = "Stored, and pushed if live", body = ReachedGlobal),
        PublishErrors,
        BodyErrors,
    ),
)]
pub(super) async fn create(
    State(state): State<AppState>,
    publisher: Publisher,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<(StatusCode, ApiJson<ReachedGlobal>), ApiError> {
    let starts_at = parse_time("starts_at", body.starts_at.as_deref())?;
    let expires_at = parse_time("expires_at", body.expires_at.as_deref())?;
    check_window(starts_at, expires_at)?;
    let new = NewGlobalNotification {
        title: Title::parse("title", body.title.as_deref().unwrap_or(""))?,
        message: MessageText::parse("message", body.message.as_deref().unwrap_or(""))?,
        level: body
            .level
            .as_deref()
            .map(|raw| Level::parse("level", raw))
            .transpose()?
            .unwrap_or_default(),
        audience: parse_audience(body.audience.as_deref())?.unwrap_or_default(),
        show_on_site: body.show_on_site.unwrap_or(true),
        is_active: body.is_active.unwrap_or(true),
        starts_at,
        expires_at,
        created_by: publisher.user_id(),
    };
    let global = announcements::create(&state.services, &new).await?;
    let reached = announcements::one_with_reach(&state.services, global).await?;
    Ok((StatusCode::CREATED, ApiJson(reached)))
}

/// A PATCH body: absent fields stay as they are; `null` clears `starts_at` or `expires_at`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = GlobalNotificationPatch)]
pub(super) struct PatchBody {
    #[schema(min_length = 1, max_length = 200)]
    title: Option<String>,
    #[schema(max_length = 2000)]
    message: Option<String>,
    #[schema(pattern = "^(info|warning|critical)$")]
    level: Option<String>,
    /// Changing it while the announcement is live takes its banner down from the roles that
    /// leave the audience and shows it to those that join, at once.
    #[schema(pattern = "^(everyone|jobseekers|employers)$")]
    audience: Option<String>,
    show_on_site: Option<bool>,
    is_active: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime)]
    starts_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one not sent at all (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Changes an announcement (deactivating it removes its banner everywhere at once).
#[utoipa::path(
    patch, path = "/api/global-notifications/{id}/", tag = "global notifications",
    security(("token" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The announcement's id")),
    request_body = PatchBody,
    responses(
        (status = 200, description = "The announcement as it is now", body = ReachedGlobal),
        (status = 404, description = "No such announcement", body = ErrorBody),
        PublishErrors,
        BodyErrors,
    ),
)]
pub(super) async fn update(
    State(state): State<AppState>,
    _publisher: Publisher,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatchBody>,
) -> Result<ApiJson<ReachedGlobal>, ApiError> {
    let id: GlobalNotificationId = id.parse().map_err(|_| ApiError::NotFound)?;
    let store = &*state.services.store;
    let current = store.global_by_id(id).await?.ok_or(ApiError::NotFound)?;
    let starts_at = body
        .starts_at
        .map(|raw| parse_time("starts_at", raw.as_deref()))
        .transpose()?;
    let expires_at = body
        .expires_at
        .map(|raw| parse_time("expires_at", raw.as_deref()))
        .transpose()?;
    check_window(
        starts_at.unwrap_or(current.starts_at),
        expires_at.unwrap_or(current.expires_at),
    )?;
    let patch = GlobalNotificationPatch {
        title: body
            .title
            .as_deref()
            .map(|t| Title::parse("title", t))
            .transpose()?,
        message: body
            .message
            .as_deref()
            .map(|m| MessageText::parse("message", m))
            .transpose()?,
        level: body
            .level
            .as_deref()
            .map(|l| Level::parse("level", l))
            .transpose()?,
        audience: parse_audience(body.audience.as_deref())?,
        show_on_site: body.show_on_site,
        is_active: body.is_active,
        starts_at,
        expires_at,
    };
    let updated = announcements::update(&state.services, id, &patch)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(
        announcements::one_with_reach(&state.services, updated).await?,
    ))
}

fn parse_audience(raw: Option<&str>) -> Result<Option<GlobalAudience>, FieldError> {
    raw.map(|raw| GlobalAudience::parse("audience", raw))
        .transpose()
}

fn parse_time(field: &str, raw: Option<&str>) -> Result<Option<OffsetDateTime>, FieldError> {
    raw.map(|raw| {
        OffsetDateTime::parse(raw, &Rfc3339)
            .map(|t| t.to_offset(time::UtcOffset::UTC))
            .map_err(|_| {
                FieldError::new(
                    field,
                    "must be an RFC 3339 time such as 2026-01-31T09:00:00Z",
                )
            })
    })
    .transpose()
}

fn check_window(
    starts_at: Option<OffsetDateTime>,
    expires_at: Option<OffsetDateTime>,
) -> Result<(), FieldError> {
    match (starts_at, expires_at) {
        (Some(start), Some(end)) if end <= start => {
            Err(FieldError::new("expires_at", "must be after starts_at"))
        }
        _ => Ok(()),
    }
}
