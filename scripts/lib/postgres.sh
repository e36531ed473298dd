# Starts a throwaway PostgreSQL cluster on 127.0.0.1 as an unprivileged user (the `postgres`
# account Debian's package creates, or the current user when not root), for the test suite's
# second run. Sourced by scripts/test; sets LATCHKEY_PG_URL and stops the cluster on exit.
latchkey_start_postgres() {
  local bin port data prefix=""
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "PostgreSQL server binaries not found" >&2; return 1; }
  port="${LATCHKEY_PG_PORT:-54329}"
  data=$(mktemp -d /tmp/latchkey-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$data"
    prefix="runuser -u postgres --"
  fi
  $prefix "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  local options="-k /tmp -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000"
  $prefix "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "$options" start >/dev/null
  # For checks that stop and restart the server under a running site.
  LATCHKEY_PG_STOP_CMD="$prefix $bin/pg_ctl -D $data -m fast -w stop"
  LATCHKEY_PG_START_CMD="$prefix $bin/pg_ctl -D $data -l $data/server.log -w start"
  LATCHKEY_PG_OPTIONS="$options"
  export LATCHKEY_PG_STOP_CMD LATCHKEY_PG_START_CMD LATCHKEY_PG_OPTIONS
  # Everything the trap needs is expanded now: locals are gone by the time it runs.
  trap "$prefix '$bin/pg_ctl' -D '$data' -m immediate stop >/dev/null 2>&1 || true; rm -rf '$data'" EXIT
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE latchkey_test" >/dev/null
  LATCHKEY_PG_URL="postgres://postgres@127.0.0.1:$port/latchkey_test?sslmode=disable"
  export LATCHKEY_PG_URL
}
