//! Pieces shared by several pages.

pub mod form_error;
pub mod shell;
pub mod time;
