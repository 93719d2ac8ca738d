# Sourced by the scripts that need a Herald of their own to talk to (api-check.sh, load.sh):
# `start_herald PORT` runs $HERALD_BIN (default: the debug build) on 127.0.0.1:PORT with a fresh
# SQLite database in a temporary folder, waits until it answers, and stops it when the script
# exits. It sets `base` (its URL), `herald_dir` (the folder) and `api_token` (a new API token).

start_herald() {
  local port="$1"
  local bin="${HERALD_BIN:-target/debug/herald}"
  herald_dir=$(mktemp -d)
  base="http://127.0.0.1:$port"
  export HERALD_DATABASE_URL="sqlite://$herald_dir/herald.db"
  export HERALD_BIND="127.0.0.1:$port"
  export HERALD_SITE_ROOT="$PWD/$LEPTOS_SITE_ROOT"
  "$bin" serve --demo >"$herald_dir/server.log" 2>&1 &
  herald_pid=$!
  trap stop_herald EXIT
  for _ in $(seq 1 150); do
    curl -sf "$base/readyz" >/dev/null && break
    sleep 0.2
  done
  if ! curl -sf "$base/readyz" >/dev/null; then
    cat "$herald_dir/server.log"
    return 1
  fi
  api_token=$(HERALD_TOKEN_NAME=scripts "$bin" create-token 2>/dev/null)
}

# Stops what `start_herald` started and deletes its folder; `start_herald` may then run again.
stop_herald() {
  kill "${herald_pid:-}" 2>/dev/null || true
  wait "${herald_pid:-}" 2>/dev/null || true
  rm -rf "${herald_dir:-}"
}

# `start_cluster PORT SECOND_PORT` runs two instances of $HERALD_BIN on a fresh PostgreSQL
# database, herald_bench, with Redis between them (the URLs of HERALD_TEST_POSTGRES_URL's server
# and HERALD_TEST_REDIS_URL, or the local defaults). Sets what `start_herald` sets, and
# `second_base`.
start_cluster() {
  local bin="${HERALD_BIN:-target/debug/herald}"
  local server_url="${HERALD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
  server_url="${server_url%/*}"
  psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS herald_bench WITH (FORCE)"
  psql "$server_url/postgres" -qc "CREATE DATABASE herald_bench"
  herald_dir=$(mktemp -d)
  export HERALD_DATABASE_URL="$server_url/herald_bench"
  export HERALD_BROKER="${HERALD_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
  export HERALD_BROKER_CHANNEL="herald_bench_$$"
  export HERALD_SITE_ROOT="$PWD/$LEPTOS_SITE_ROOT"
  "$bin" migrate >/dev/null
  base="http://127.0.0.1:$1"
  second_base="http://127.0.0.1:$2"
  HERALD_BIND="127.0.0.1:$1" "$bin" serve --demo >"$herald_dir/server.log" 2>&1 &
  herald_pid=$!
  HERALD_BIND="127.0.0.1:$2" "$bin" serve >"$herald_dir/server-2.log" 2>&1 &
  second_pid=$!
  trap stop_cluster EXIT
  local url
  for url in "$base" "$second_base"; do
    for _ in $(seq 1 150); do
      curl -sf "$url/readyz" >/dev/null && break
      sleep 0.2
    done
    curl -sf "$url/readyz" >/dev/null || { cat "$herald_dir"/server*.log; return 1; }
  done
  api_token=$(HERALD_TOKEN_NAME=scripts "$bin" create-token 2>/dev/null)
}

# Stops what `start_cluster` started and deletes its folder; `start_cluster` may then run again.
stop_cluster() {
  kill "${herald_pid:-}" "${second_pid:-}" 2>/dev/null || true
  wait "${herald_pid:-}" "${second_pid:-}" 2>/dev/null || true
  rm -rf "${herald_dir:-}"
}

# Fails (and shows the lines) if a server logged a panic.
check_no_panic() {
  if grep -q "panicked" "$herald_dir"/server*.log; then
    echo "the server panicked:"
    grep -A5 "panicked" "$herald_dir"/server*.log
    return 1
  fi
}
