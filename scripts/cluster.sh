#!/usr/bin/env bash
# Runs Herald as a cluster, the way a large deployment does: three instances on PostgreSQL, with
# Redis carrying events between them, behind nginx on one address. Ctrl-C stops everything.
#
#   HERALD_CLUSTER_PORT   where nginx listens (default 8080)
#   HERALD_DATABASE_URL   a PostgreSQL database (default: database herald_cluster on the local
#                         server, created if missing)
#   HERALD_BROKER         redis://HOST[:PORT] (default redis://127.0.0.1:6379) or postgres
#   HERALD_CLUSTER_SIZE   how many instances (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."

port="${HERALD_CLUSTER_PORT:-8080}"
size="${HERALD_CLUSTER_SIZE:-3}"
first_instance_port="${HERALD_CLUSTER_FIRST_INSTANCE_PORT:-3101}"
say() { printf '\033[1;34m[cluster]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

scripts/setup.sh
source scripts/env.sh
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian's nginx"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -n "${HERALD_SKIP_BUILD:-}" ] || build_site

if [ -z "${HERALD_DATABASE_URL:-}" ]; then
  admin_url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'herald_cluster'" | grep -q 1; then
    say "creating the PostgreSQL database herald_cluster"
    psql "$admin_url" -qc "CREATE DATABASE herald_cluster"
  fi
  HERALD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/herald_cluster"
fi
export HERALD_DATABASE_URL
export HERALD_BROKER="${HERALD_BROKER:-redis://127.0.0.1:6379}"
export HERALD_SITE_ROOT="$PWD/$LEPTOS_SITE_ROOT"
export HERALD_ALLOWED_ORIGINS="http://127.0.0.1:$port,http://localhost:$port"
# nginx is the only peer: each instance takes the client's address from X-Forwarded-For.
export HERALD_TRUSTED_PROXIES="127.0.0.1"

work="$PWD/target/cluster"
rm -rf "$work"
mkdir -p "$work/logs" "$work/temp"
pids=()
stop() {
  say "stopping"
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT

./target/debug/herald migrate >/dev/null
upstreams=""
for n in $(seq 1 "$size"); do
  instance_port=$((first_instance_port + n - 1))
  demo=""
  [ "$n" = 1 ] && demo="--demo"
  HERALD_BIND="127.0.0.1:$instance_port" ./target/debug/herald serve $demo \
    >"$work/logs/herald-$n.log" 2>&1 &
  pids+=($!)
  upstreams+="    server 127.0.0.1:$instance_port;"$'\n'
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$instance_port/readyz" >/dev/null && break
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$instance_port/readyz" >/dev/null \
    || { cat "$work/logs/herald-$n.log"; exit 1; }
done

sed -e "s|@PORT@|$port|" -e "s|@WORK@|$work|g" deploy/nginx.conf \
  | awk -v upstreams="$upstreams" '{ if ($0 ~ /^[ \t]*@UPSTREAMS@[ \t]*$/) printf "%s", upstreams; else print }' \
  >"$work/nginx.conf"
"$nginx_bin" -p "$work" -c "$work/nginx.conf" -g "pid $work/nginx.pid; error_log $work/logs/nginx-error.log;"
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done

grep -A20 "Herald is running" "$work/logs/herald-1.log" \
  | sed "s|http://127.0.0.1:$first_instance_port|http://127.0.0.1:$port|" || true
say "$size instances (logs in $work/logs) on $HERALD_DATABASE_URL, broker $HERALD_BROKER,"
say "behind nginx at http://127.0.0.1:$port. Ctrl-C stops them."
if [ -n "${HERALD_CLUSTER_DETACH:-}" ]; then
  trap - EXIT
  printf '%s\n' "${pids[@]}" >"$work/herald.pids"
  exit 0
fi
wait "${pids[@]}"
