#!/usr/bin/env bash
# Runs herald-load's scenarios against a Herald of its own (fresh SQLite database, 127.0.0.1),
# printing one JSON line per scenario. Fails if any scenario lost anything.
#   scripts/load.sh smoke   a few seconds at 200 sockets: run by `make test` (the debug build)
#   scripts/load.sh soak    10 minutes of connect/publish/disconnect churn, then checks that the
#                           server's sockets, tasks and file descriptors are back at the start
#                           (`make soak`; SOAK_SECONDS to change)
#   scripts/load.sh bench   1,000, 5,000 and 10,000 sockets against the release build
#                           (`make bench`; run `make release` first)
#   scripts/load.sh bench-cluster
#                           the same (but `connect`) against two release instances on PostgreSQL
#                           with Redis between them (`make bench-cluster`): sockets are spread
#                           over both, everything is published through the first, so most
#                           frames cross the broker. Needs HERALD_TEST_POSTGRES_URL's server (or
#                           postgres://postgres@127.0.0.1:5432) and Redis on 127.0.0.1:6379;
#                           uses (and empties) the database herald_bench.
# HERALD_BIN picks the server binary (default: the debug build; bench: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mode="${1:-smoke}"
case "$mode" in
  smoke | soak) profile=debug ;;
  bench | bench-cluster) profile=release ;;
  *) echo "usage: scripts/load.sh smoke|soak|bench|bench-cluster" >&2; exit 2 ;;
esac
export HERALD_BIN="${HERALD_BIN:-target/$profile/herald}"
[ -x "$HERALD_BIN" ] || { echo "$HERALD_BIN is missing: run make test (debug) or make release" >&2; exit 1; }
if [ "$profile" = release ]; then
  cargo build --release -p herald-load
else
  cargo build -p herald-load
fi
load="target/$profile/herald-load"
# Ten thousand sockets are ten thousand file descriptors on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The soak reconnects each of its users several times a second, which no person's browser does
# and the per-user handshake limit refuses: lift that limit for the servers these runs start.
export HERALD_WS_HANDSHAKES_PER_USER="${HERALD_WS_HANDSHAKES_PER_USER:-1000000}"

source scripts/herald-server.sh
if [ "$mode" = bench-cluster ]; then
  run() {
    "$load" --server "$base" --socket-server "$base" --socket-server "$second_base" \
      --token "$api_token" --users "$users" "$@"
  }
else
  run() { "$load" --server "$base" --token "$api_token" --users "$users" "$@"; }
fi
case "$mode" in
  smoke | soak)
    start_herald "${HERALD_LOAD_PORT:-3300}"
    users="$herald_dir/users.tsv"
    "$HERALD_BIN" create-load-users --count 200 --prefix load >"$users"
    ;;
esac

status=0
case "$mode" in
  smoke)
    run connect --sockets 200 || status=1
    run broadcast --sockets 200 --count 5 --rate 5 || status=1
    run unicast --sockets 200 --rate 200 --seconds 3 || status=1
    run unicast --sockets 200 --rate 2000 --seconds 2 --batch 100 || status=1
    run soak --seconds 5 --sockets 50 --notifications 20 || status=1
    ;;
  soak)
    run soak --seconds "${SOAK_SECONDS:-600}" --sockets 200 --notifications 50 || status=1
    ;;
  bench | bench-cluster)
    # Each size runs on a server (or cluster) that has done nothing else: a fresh database, so
    # the figures do not depend on what earlier sizes left in the inboxes, and memory per socket
    # is not hidden by memory the allocator kept from earlier scenarios.
    for sockets in 1000 5000 10000; do
      if [ "$mode" = bench ]; then
        stop_herald
        start_herald "${HERALD_LOAD_PORT:-3300}"
      else
        stop_cluster
        start_cluster 3301 3302
      fi
      users="$herald_dir/users.tsv"
      "$HERALD_BIN" create-load-users --count "$sockets" --prefix load >"$users"
      if [ "$mode" = bench ]; then run connect --sockets "$sockets" || status=1; fi
      run broadcast --sockets "$sockets" --count 10 --rate 1 || status=1
      run broadcast --sockets "$sockets" --count 50 --rate 10 || status=1
      run unicast --sockets "$sockets" --rate 5000 --seconds 10 || status=1
      # Asked for more than the 20,000/s target, so that the rate reached shows the headroom.
      run unicast --sockets "$sockets" --rate 25000 --seconds 10 --batch 500 || status=1
      check_no_panic || status=1
    done
    ;;
esac
check_no_panic || status=1
exit $status
