#!/usr/bin/env bash
# PostgreSQL restarts under a running site: while it is down, requests that need the database get
# a clean 503 (never a hang, a 500 or a crash); once it is back, the same process serves them
# again, without a restart. Needs LATCHKEY_PG_URL, LATCHKEY_PG_STOP_CMD, LATCHKEY_PG_START_CMD and
# LATCHKEY_PG_OPTIONS (scripts/lib/postgres.sh) and LATCHKEY_BIN. Prints 'N passed, M failed'.
set -euo pipefail
work=$(mktemp -d /tmp/latchkey-pgrestart.XXXXXX)
site_pid=""
cleanup() { [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed+1)); echo "ok   $1"; else failed=$((failed+1)); echo "FAIL $1"; fi; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
schema="restart_$(date +%s)_$$"
psql "${LATCHKEY_PG_URL}" -q -c "CREATE SCHEMA $schema" >/dev/null
url="${LATCHKEY_PG_URL}&options=-c%20search_path%3D${schema}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
( cd "$work" && APP_ENV=test PORT=$port DATABASE_URL="$url" SECRET_KEY=restart-check-secret-0123456789abcdef \
    TEMPLATES_DIR="$root/Templates" PUBLIC_DIR="$root/Public" MIGRATIONS_DIR="$root/db/migrations" PASSWORD_HASH_COST=10 EMAIL_URL=off \
    exec "$LATCHKEY_BIN" serve >"$work/site.log" 2>&1 ) &
site_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# A signed-in visitor: every /account request reads the session and the user from the database.
# (EMAIL_URL=off above: sign-up then signs in at once instead of waiting for a mailed code.)
jar="$work/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/signup" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "username=restart" \
  --data-urlencode "email=restart@example.com" --data-urlencode "password=correct horse battery" \
  --data-urlencode "password_confirmation=correct horse battery" "http://127.0.0.1:$port/signup"
status() { curl -s -o /dev/null -m 10 -w '%{http_code}' -b "$jar" "http://127.0.0.1:$port/account"; }
check "signed in before the restart (200)" '[ "$(status)" = 200 ]'

# Load while it goes down and comes back.
( for _ in $(seq 400); do curl -s -o /dev/null -m 10 -w '%{http_code}\n' -b "$jar" "http://127.0.0.1:$port/account"; sleep 0.01; done ) >"$work/codes" &
load=$!
sleep 0.5
eval "$LATCHKEY_PG_STOP_CMD" >/dev/null
sleep 0.5
down=$(status)
check "while PostgreSQL is down: 503 (got $down)" '[ "$down" = 503 ]'
check "while PostgreSQL is down: the health check still answers" 'curl -sf "http://127.0.0.1:$port/healthz" >/dev/null'
eval "$LATCHKEY_PG_START_CMD -o \"\$LATCHKEY_PG_OPTIONS\"" >/dev/null
up=""
for _ in $(seq 50); do up=$(status); [ "$up" = 200 ] && break; sleep 0.2; done
check "after PostgreSQL is back: 200 again, same process (got $up)" '[ "$up" = 200 ] && kill -0 $site_pid'
wait $load || true
check "under load every answer was 200 or 503 (no 500, no dropped request)" '! grep -qvE "^(200|503)$" "$work/codes"'
check "the site logged the outage by name" 'grep -q "DatabaseError" "$work/site.log"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
