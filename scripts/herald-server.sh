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
  export HERALD_SITE_ROOT="$PWD/target/site"
  "$bin" serve --demo >"$herald_dir/server.log" 2>&1 &
  herald_pid=$!
  trap 'kill $herald_pid 2>/dev/null || true; wait $herald_pid 2>/dev/null || true; rm -rf "$herald_dir"' EXIT
  for _ in $(seq 1 150); do
    curl -sf "$base/healthz" >/dev/null && break
    sleep 0.2
  done
  if ! curl -sf "$base/healthz" >/dev/null; then
    cat "$herald_dir/server.log"
    return 1
  fi
  api_token=$(HERALD_TOKEN_NAME=scripts "$bin" create-token 2>/dev/null)
}

# Fails (and shows the lines) if the server logged a panic.
check_no_panic() {
  if grep -q "panicked" "$herald_dir/server.log"; then
    echo "the server panicked:"
    grep -A5 "panicked" "$herald_dir/server.log"
    return 1
  fi
}
