#!/usr/bin/env bash
# Conformance check of the sibling provider against an independent OAuth 2.0 client (Authlib):
# oauth_client_check.py (the core flows), then tokens_check.py (JWT access tokens, resource
# indicators, protected-resource metadata, DPoP; Authlib's RFC 9068 validator and joserfc).
#
# Builds (or reuses, with LATCHKEY_BIN=path) the latchkey binary, creates a user and a client in
# a throwaway provider database through the CLI, starts `latchkey provider` on a free port of
# 127.0.0.1, and runs oauth_client_check.py against it, then authz_check.py (issue 15: PAR, the
# device grant, dynamic registration, PKCE for every client), with registration gated by an
# initial access token issued through the CLI. Nothing leaves this machine except, when
# Authlib or requests is missing, one `pip install` from the package index.
#
# Then starts `latchkey serve` (the site) signing in with that provider and runs logout_check.py:
# RP-initiated logout and back-channel logout between the two.
#
# Exits non-zero when anything fails; each Python script's last line is 'N passed, M failed'.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/latchkey-conformance.XXXXXX")"
server_pid=""
site_pid=""

cleanup() {
    if [[ -n "$site_pid" ]] && kill -0 "$site_pid" 2>/dev/null; then
        kill "$site_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$site_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$site_pid" 2>/dev/null || true
    fi
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { echo "conformance: $*" >&2; }

# Python with Authlib and requests.
python="${PYTHON:-python3}"
if ! "$python" -c 'import authlib, requests, joserfc' 2>/dev/null; then
    say "installing authlib and requests"
    timeout 300 "$python" -m pip install --quiet --disable-pip-version-check authlib requests >&2
fi

# The binary.
if [[ -n "${LATCHKEY_BIN:-}" ]]; then
    bin="$LATCHKEY_BIN"
else
    say "building latchkey"
    (cd "$root" && timeout 1800 swift build --product latchkey >&2)
    bin="$(cd "$root" && swift build --show-bin-path)/latchkey"
fi
[[ -x "$bin" ]] || { say "no latchkey binary at $bin"; exit 1; }

# A free port: bind port 0 and read what the kernel chose.
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

export APP_ENV=test
export PROVIDER_HOST=127.0.0.1
export PROVIDER_PORT="$port"
export PROVIDER_BASE_URL="http://127.0.0.1:$port"
export PROVIDER_DATABASE_URL="sqlite:$work/provider.sqlite3"
export PROVIDER_SECRET_KEY="conformance-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MIGRATIONS_DIR="$root/db/migrations"
export TEMPLATES_DIR="$root/Templates"
export PUBLIC_DIR="$root/Public"
export PASSWORD_HASH_COST=10
export EVENT_LOOPS=2
export LOG_LEVEL=warning
api_resource="https://api.conformance.test"
export PROVIDER_RESOURCES="$api_resource"
export PROVIDER_REGISTRATION=token
# The run must not pick up a developer's .env or db/ files: work in the temporary folder.
cd "$work"

username="conformance"
password="conformance-password-$RANDOM"
redirect_uri="http://127.0.0.1:9/callback"

printf '%s\n' "$password" | "$bin" provider create-user --username "$username" --email "$username@example.com" --name "Conformance" \
    --verified --password-stdin >&2
client_output="$("$bin" clients add --name "Authlib conformance" --redirect-uri "$redirect_uri" \
    --grant authorization_code --grant refresh_token --scope "openid profile email")"
client_id="$(printf '%s\n' "$client_output" | sed -n 's/^client_id: //p')"
client_secret="$(printf '%s\n' "$client_output" | sed -n 's/^client_secret: //p')"
[[ -n "$client_id" && -n "$client_secret" ]] || { say "could not register a client: $client_output"; exit 1; }
initial_token="$("$bin" clients token 2>/dev/null | sed -n 's/^initial_access_token: //p')"
[[ -n "$initial_token" ]] || { say "could not issue an initial access token"; exit 1; }

jwt_output="$("$bin" clients add --name "Authlib JWT conformance" --redirect-uri "$redirect_uri" --jwt-access-tokens \
    --grant authorization_code --grant refresh_token --grant client_credentials --scope "openid profile email")"
jwt_client_id="$(printf '%s\n' "$jwt_output" | sed -n 's/^client_id: //p')"
jwt_client_secret="$(printf '%s\n' "$jwt_output" | sed -n 's/^client_secret: //p')"
[[ -n "$jwt_client_id" && -n "$jwt_client_secret" ]] || { say "could not register the JWT client: $jwt_output"; exit 1; }

"$bin" provider >"$work/provider.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    if "$python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { say "the provider exited:"; cat "$work/provider.log" >&2; exit 1; }
    sleep 0.2
done

status=0
PROVIDER_URL="http://127.0.0.1:$port" CLIENT_ID="$client_id" CLIENT_SECRET="$client_secret" REDIRECT_URI="$redirect_uri" \
    USERNAME="$username" PASSWORD="$password" AUTHLIB_INSECURE_TRANSPORT=1 \
    timeout 120 "$python" "$here/oauth_client_check.py" || status=$?
PROVIDER_URL="http://127.0.0.1:$port" CLIENT_ID="$client_id" CLIENT_SECRET="$client_secret" REDIRECT_URI="$redirect_uri" \
    USERNAME="$username" PASSWORD="$password" AUTHLIB_INSECURE_TRANSPORT=1 \
    JWT_CLIENT_ID="$jwt_client_id" JWT_CLIENT_SECRET="$jwt_client_secret" API_RESOURCE="$api_resource" PYTHONPATH="$here" \
    timeout 120 "$python" "$here/tokens_check.py" || status=$?
PROVIDER_URL="http://127.0.0.1:$port" CLIENT_ID="$client_id" CLIENT_SECRET="$client_secret" REDIRECT_URI="$redirect_uri" \
    USERNAME="$username" PASSWORD="$password" INITIAL_ACCESS_TOKEN="$initial_token" AUTHLIB_INSECURE_TRANSPORT=1 \
    PYTHONPATH="$here" timeout 120 "$python" "$here/authz_check.py" || status=$?

# Logout: the site as a second client of the provider, told by back-channel logout.
site_port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
site_url="http://127.0.0.1:$site_port"
after_logout="http://127.0.0.1:9/signed-out"
site_output="$("$bin" clients add --name "Latchkey site" --redirect-uri "$site_url/auth/sibling/callback" --skip-consent)"
site_client_id="$(printf '%s\n' "$site_output" | sed -n 's/^client_id: //p')"
site_client_secret="$(printf '%s\n' "$site_output" | sed -n 's/^client_secret: //p')"
"$bin" clients logout "$site_client_id" --backchannel-logout-uri "$site_url/auth/sibling/backchannel-logout" \
    --backchannel-logout-session-required >&2
"$bin" clients logout "$client_id" --post-logout-redirect-uri "$after_logout" >&2
HOST=127.0.0.1 PORT="$site_port" BASE_URL="$site_url" DATABASE_URL="sqlite:$work/site.sqlite3" \
    SECRET_KEY="conformance-site-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    SIBLING_PROVIDER_URL="http://127.0.0.1:$port" SIBLING_CLIENT_ID="$site_client_id" SIBLING_CLIENT_SECRET="$site_client_secret" \
    "$bin" serve >"$work/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 1 100); do
    if "$python" -c "import urllib.request; urllib.request.urlopen('$site_url/healthz', timeout=1)" 2>/dev/null; then break; fi
    kill -0 "$site_pid" 2>/dev/null || { say "the site exited:"; cat "$work/site.log" >&2; exit 1; }
    sleep 0.2
done
logout_status=0
PROVIDER_URL="http://127.0.0.1:$port" SITE_URL="$site_url" CLIENT_ID="$client_id" CLIENT_SECRET="$client_secret" \
    REDIRECT_URI="$redirect_uri" POST_LOGOUT_REDIRECT_URI="$after_logout" USERNAME="$username" PASSWORD="$password" \
    AUTHLIB_INSECURE_TRANSPORT=1 PYTHONPATH="$here" timeout 120 "$python" "$here/logout_check.py" || logout_status=$?
[[ $status -ne 0 ]] || status=$logout_status

if [[ $status -ne 0 ]]; then
    say "failed; the provider's log follows"
    cat "$work/provider.log" >&2
    [[ -f "$work/site.log" ]] && { say "the site's log follows"; cat "$work/site.log" >&2; }
fi
exit $status
