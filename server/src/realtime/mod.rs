//! The real-time side: a [`Node`] per server instance owns the [`hub::Hub`] (the sockets on this
//! instance), a [`broker::Broker`] (fan-out between instances) and the watcher of global
//! notifications. Each socket is served by [`client::serve`].

pub mod admission;
pub mod broker;
pub mod client;
pub mod descriptors;
mod globals;
pub mod hub;
pub mod metrics;
mod node;

pub use client::ClientSettings;
pub use node::Node;
