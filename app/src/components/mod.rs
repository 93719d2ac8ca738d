//! Pieces shared by several pages.

pub mod banners;
pub mod form_error;
pub mod inbox_popover;
pub mod layout;
pub mod live;
pub mod notification_entry;
pub mod textarea;
pub mod time;
pub mod toasts;
