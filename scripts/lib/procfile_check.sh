#!/usr/bin/env bash
# Runs the Procfile the way the platform does, through a Procfile runner (honcho, from PyPI):
# `release` must migrate a fresh database and exit 0, then `web` must answer /healthz with 200 on
# $PORT. Everything lives in a temporary directory that is removed afterwards: the virtual
# environment with honcho (never committed), a SQLite database, and an env file (so honcho reads
# no .env of the checkout). The Procfile names the binary `latchkey`, found on PATH as the
# buildpack puts it there; here PATH starts with LATCHKEY_BIN's directory (built when unset).
#
# Needs python3 with venv (python3-venv on Debian, installed when missing) and curl.
# Prints 'N passed, M failed' and exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/lib/deps.sh
latchkey_install_packages python3-venv curl
work="$(mktemp -d "${TMPDIR:-/tmp}/latchkey-procfile.XXXXXX")"
honcho_pid=""
passed=0; failed=0

cleanup() {
    if [ -n "$honcho_pid" ] && kill -0 "$honcho_pid" 2>/dev/null; then
        kill "$honcho_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$honcho_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$honcho_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

check() { # description, command...
    local what="$1"; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

if [ -z "${LATCHKEY_BIN:-}" ]; then
    swift build --product latchkey >&2
    LATCHKEY_BIN="$(swift build --show-bin-path)/latchkey"
fi
export PATH="$(dirname "$LATCHKEY_BIN"):$PATH"

python3 -m venv "$work/venv"
timeout 300 "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check honcho >&2
honcho="$work/venv/bin/honcho"

# A free port: bind port 0 and read what the kernel chose.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
cat > "$work/env" <<VARS
PORT=$port
DATABASE_URL=sqlite:$work/site.sqlite3
APP_ENV=production
SECRET_KEY=procfile-check-secret-key-0123456789abcdef0123456789
BASE_URL=http://127.0.0.1:$port
EMAIL_URL=off
VARS

# The release phase (honcho start runs the one process and exits with its status): migrations
# on an empty database, exit 0, and the database is there.
check "release: migrates and exits 0" timeout 120 "$honcho" -f Procfile -e "$work/env" -d "$root" start release
check "release: left the migrated database" test -s "$work/site.sqlite3"
check "release: a second run finds nothing to do" \
    bash -c "timeout 120 '$honcho' -f Procfile -e '$work/env' -d '$root' start release | grep 'up to date' >/dev/null"

# The web process on $PORT, through honcho start as the platform's process manager would.
"$honcho" -f Procfile -e "$work/env" -d "$root" start web > "$work/web.log" 2>&1 &
honcho_pid=$!
status=""
for _ in $(seq 1 300); do
    status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)"
    [ "$status" = 200 ] && break
    kill -0 "$honcho_pid" 2>/dev/null || break
    sleep 0.2
done
check "web: /healthz answers 200 on \$PORT ($port)" test "$status" = 200
if [ "$status" != 200 ]; then echo "--- web log"; tail -n 40 "$work/web.log"; fi
kill "$honcho_pid" 2>/dev/null || true
for _ in $(seq 1 150); do kill -0 "$honcho_pid" 2>/dev/null || break; sleep 0.2; done
check "web: stops on SIGTERM" bash -c "! kill -0 $honcho_pid 2>/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
