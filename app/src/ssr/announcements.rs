//! Global notifications: stored, then every instance is told to re-read the live ones.
//!
//! Each reaches only its audience (see [`GlobalAudience`](crate::model::GlobalAudience)): every
//! path that shows one to a person (a page's banners, the REST list, a socket's live frame and
//! its replay) filters by the person's role with [`GlobalNotification::is_for`].

use time::OffsetDateTime;

use crate::model::{GlobalNotification, GlobalNotificationId, ReachedGlobal, Role, UserId};

use super::events::Event;
use super::services::Services;
use super::store::{GlobalNotificationPatch, NewGlobalNotification, StoreResult};

pub async fn create(
    services: &Services,
    new: &NewGlobalNotification,
) -> StoreResult<GlobalNotification> {
    let global = services.store.create_global(new).await?;
    services.events.publish(Event::GlobalsChanged).await;
    Ok(global)
}

pub async fn update(
    services: &Services,
    id: GlobalNotificationId,
    patch: &GlobalNotificationPatch,
) -> StoreResult<Option<GlobalNotification>> {
    let updated = services.store.update_global(id, patch).await?;
    if updated.is_some() {
        services.events.publish(Event::GlobalsChanged).await;
    }
    Ok(updated)
}

/// Every global notification live now, whoever it is for, oldest first.
pub async fn live(services: &Services) -> StoreResult<Vec<GlobalNotification>> {
    services.store.live_globals(OffsetDateTime::now_utc()).await
}

/// The global notifications live now that someone with `role` is meant to see, oldest first.
pub async fn live_for(services: &Services, role: Role) -> StoreResult<Vec<GlobalNotification>> {
    let mut live = live(services).await?;
    live.retain(|g| g.is_for(role));
    Ok(live)
}

/// The banners `user_id` (whose role is `role`) should see now: the live globals for their role
/// that they have not dismissed.
pub async fn banners_for(
    services: &Services,
    user_id: UserId,
    role: Role,
) -> StoreResult<Vec<GlobalNotification>> {
    let dismissed = services.store.dismissed_globals(user_id).await?;
    let mut live = live_for(services, role).await?;
    live.retain(|g| !dismissed.contains(&g.id));
    Ok(live)
}

/// Remembers that a user closed a banner meant for them; answers false if there is no such
/// global, it is not for their role (a jobseeker cannot learn of, nor count against, an
/// announcement for employers by guessing its id), or it is not live: a scheduled, hidden,
/// inactive or expired one is on nobody's screen, so nobody can have closed it (and its id, not
/// yet published, stays unknown).
pub async fn dismiss(
    services: &Services,
    user_id: UserId,
    role: Role,
    id: GlobalNotificationId,
) -> StoreResult<bool> {
    let store = &services.store;
    match store.global_by_id(id).await? {
        Some(global) if global.is_for(role) && global.is_live_at(OffsetDateTime::now_utc()) => {
            // Whoever closed it saw it, even if no page recorded the sight (a client that
            // dismissed it without rendering it): "dismissed" never exceeds "seen".
            store
                .record_seen(&[(user_id, id)], OffsetDateTime::now_utc())
                .await?;
            store.dismiss_global(user_id, id).await
        }
        _ => Ok(false),
    }
}

/// `globals` with how far each got (who saw it, who dismissed it), as admins see them.
pub async fn with_reach(
    services: &Services,
    globals: Vec<GlobalNotification>,
) -> StoreResult<Vec<ReachedGlobal>> {
    let ids: Vec<GlobalNotificationId> = globals.iter().map(|g| g.id).collect();
    let reach = services.store.reach(&ids).await?;
    Ok(globals
        .into_iter()
        .zip(reach)
        .map(|(global, reach)| ReachedGlobal { global, reach })
        .collect())
}

/// One global with its reach.
pub async fn one_with_reach(
    services: &Services,
    global: GlobalNotification,
) -> StoreResult<ReachedGlobal> {
    let mut reached = with_reach(services, vec![global]).await?;
    Ok(reached.pop().expect("one answered for one given"))
}
