//! The `herald` binary's library: configuration, the HTTP application and the commands.

pub mod assets;
pub mod auth;
pub mod commands;
pub mod config;
pub mod csrf;
pub mod demo;
pub mod error;
pub mod form_errors;
pub mod http_server;
pub mod realtime;
pub mod routes;
pub mod security_headers;
pub mod server_fns;
pub mod startup;
pub mod state;
pub mod telemetry;
