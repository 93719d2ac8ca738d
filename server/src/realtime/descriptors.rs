//! How many sockets this process's file descriptors leave room for.
//!
//! Every socket is a file descriptor, and so is everything else the process holds: its database
//! connections (a SQLite connection holds three: the database, its WAL and its shared memory),
//! the broker's, every HTTP connection, the listener and the runtime's own. Once they run out,
//! `accept` fails and every request waits, health checks included. So at start the soft limit
//! is raised to the hard limit (what any process may do for itself), and the socket cap comes
//! down, if need be, to leave a reserve for the rest: [`FIXED_RESERVE`] for the database pool,
//! the broker and the process itself, and a tenth of the limit (at least [`MIN_HTTP_RESERVE`])
//! for HTTP connections. A socket beyond the cap is answered 503, as at the configured cap.

/// Descriptors kept for the database pool (up to 8 SQLite connections of 3 descriptors each,
/// or 16 PostgreSQL ones), the broker (4 PostgreSQL connections, or Redis's) and the process
/// (standard streams, the listener, the runtime's epoll and wakers, log files).
pub const FIXED_RESERVE: u64 = 64;
/// Descriptors kept for HTTP connections, at least: pages, the API and health checks.
pub const MIN_HTTP_RESERVE: u64 = 64;

/// Raises the soft limit on open files to the hard limit, and answers how many sockets fit:
/// `configured`, or fewer if the limit leaves room for fewer (logged either way).
pub fn socket_cap(configured: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(err) => {
            tracing::warn!(%err, "could not read or raise the limit on open files");
            return configured;
        }
    };
    let cap = cap_for(configured, limit);
    if cap < configured {
        tracing::warn!(
            open_files_limit = limit,
            sockets = cap,
            configured,
            "the limit on open files leaves room for fewer sockets than configured: new sockets \
             beyond {cap} get 503 (raise LimitNOFILE or ulimit -n; see docs/deploy.md)"
        );
    } else {
        tracing::info!(open_files_limit = limit, sockets = cap, "socket cap");
    }
    cap
}

/// The sockets that fit in `limit` descriptors beside the reserve, at most `configured`.
pub fn cap_for(configured: usize, limit: u64) -> usize {
    let reserve = FIXED_RESERVE + (limit / 10).max(MIN_HTTP_RESERVE);
    let room = usize::try_from(limit.saturating_sub(reserve)).unwrap_or(usize::MAX);
    configured.min(room).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_a_reserve_for_the_database_the_broker_and_http() {
        assert_eq!(cap_for(50_000, 256), 128);
        assert_eq!(cap_for(50_000, 1024), 1024 - 64 - 102);
        assert_eq!(cap_for(50_000, 20_000), 20_000 - 64 - 2_000);
        assert_eq!(
            cap_for(50_000, 1 << 20),
            50_000,
            "the configured cap when there is room"
        );
        assert_eq!(cap_for(50_000, 100), 1, "never zero: Admission needs one");
    }
}
