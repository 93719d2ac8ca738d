use serde::{Deserialize, Serialize};

use super::GlobalNotification;

/// How far an announcement got: how many people saw it (it was delivered to one of their
/// sockets or rendered in one of their pages) and how many of them closed it. Each person counts
/// once, however many pages or devices they saw it on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Reach {
    pub seen: u64,
    pub dismissed: u64,
}

/// A global notification as admins and API tokens see it: its fields, and its reach. Only they
/// see the reach; everyone else gets the bare [`GlobalNotification`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReachedGlobal {
    #[serde(flatten)]
    pub global: GlobalNotification,
    pub reach: Reach,
}
