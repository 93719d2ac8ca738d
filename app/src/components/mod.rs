//! Pieces shared by several pages.

pub mod banners;
pub mod form_error;
pub mod layout;
pub mod live;
pub mod textarea;
pub mod time;
pub mod toasts;
