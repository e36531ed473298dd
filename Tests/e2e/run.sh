#!/usr/bin/env bash
# The end-to-end run in a real browser, then the no-secrets check on what it left behind.
#
# Builds (or reuses, with LATCHKEY_BIN=path) the latchkey binary; starts the sibling provider
# and the site on free ports of 127.0.0.1, each with its own SQLite database in a temporary
# folder and its output captured to a log file; registers a provider user, a client for the
# site and a site administrator through the CLI; drives headless Chromium through
# browser_journey.py; then runs no_secrets.py over both databases (with their -wal files) and
# every log. Nothing reaches the internet: Chromium, chromedriver, openssl, Selenium and aiosmtpd
# are installed from the Debian and Python package indexes when missing, and Selenium Manager is kept offline.
#
# Between the browser/site and the provider sits token_tap.py, a relay that forwards every
# request unchanged and writes down the codes and tokens the site receives, so the check can
# look for the real tokens (the site stores them encrypted, the provider only as hashes).
#
# The site's mail goes to mail_server.py, a real third-party SMTP server (aiosmtpd, from PyPI)
# on a free port of 127.0.0.1 that requires STARTTLS and AUTH, with a certificate for
# 127.0.0.1 signed by a throwaway CA made for this run (given to the site as EMAIL_CA_FILE) and
# a login chosen for this run (in EMAIL_URL). It writes what it receives into a mailbox folder
# outside the checked folders; the journey reads the mails there (mail_inbox.py) to verify the
# address, reset the password and sign in with the new one, and writes down every code and
# reset token it read, so the check looks for those too, with the SMTP password.
#
# Screenshots of every page, at 1280x800 and 390x844, land in Tests/e2e/screenshots/ (git-ignored;
# E2E_ARTIFACTS names another folder): kept when anything fails, removed on success unless
# KEEP_SCREENSHOTS=1. Every page must fit both screens and pass axe-core (serious and critical). Exits non-zero when anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/latchkey-e2e.XXXXXX")"
shots="${E2E_ARTIFACTS:-$here/screenshots}"
pids=()

say() { echo "e2e: $*" >&2; }

stop() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${pids[@]}"; do stop "$pid"; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Chromium, its driver and Selenium; openssl (the mail server's throwaway CA) and aiosmtpd.
source "$root/scripts/lib/deps.sh"
latchkey_install_packages chromium chromium-driver openssl
python="${PYTHON:-python3}"
for module in selenium aiosmtpd; do
    if ! "$python" -c "import $module" 2>/dev/null; then
        say "installing $module"
        timeout 300 "$python" -m pip install --quiet --disable-pip-version-check "$module" >&2
    fi
done
# axe-core, which the journey runs on every page, as axe-playwright-python ships it (axe.min.js);
# without its dependencies, since only that script is used (through Selenium, not Playwright).
if ! "$python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("axe_playwright_python") is None)' 2>/dev/null; then
    say "installing axe-playwright-python (for its axe-core script)"
    timeout 300 "$python" -m pip install --quiet --disable-pip-version-check --no-deps axe-playwright-python >&2
fi
export SE_OFFLINE=true

# The binary.
if [[ -n "${LATCHKEY_BIN:-}" ]]; then
    bin="$LATCHKEY_BIN"
else
    say "building latchkey"
    (cd "$root" && timeout 1800 swift build --product latchkey >&2)
    bin="$(cd "$root" && swift build --show-bin-path)/latchkey"
fi
[[ -x "$bin" ]] || { say "no latchkey binary at $bin"; exit 1; }

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
random_text() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
wait_ready() { # file pid log
    for _ in $(seq 1 150); do
        [[ -f "$1" ]] && return 0
        kill -0 "$2" 2>/dev/null || { say "a server exited:"; cat "$3" >&2; return 1; }
        sleep 0.2
    done
    say "$1 never appeared"; return 1
}
wait_healthy() { # url pid log
    for _ in $(seq 1 150); do
        "$python" -c "import urllib.request; urllib.request.urlopen('$1/healthz', timeout=1)" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { say "a server exited:"; cat "$3" >&2; return 1; }
        sleep 0.2
    done
    say "no answer from $1"; return 1
}

mkdir -p "$work/db" "$work/logs" "$work/records" "$work/mail"
pport="$(free_port)"; tport="$(free_port)"; sport="$(free_port)"; mport="$(free_port)"
provider_origin="http://127.0.0.1:$tport"   # the relay: the provider's public origin
# localhost, not 127.0.0.1: browsers refuse an IP address as a WebAuthn RP ID (the passkey steps).
site_origin="http://localhost:$sport"

# Everything the run chooses that must never be written down in clear.
site_password="site-pass-$(random_text 12)"
site_new_password="site-new-pass-$(random_text 12)"
smtp_user="latchkey-$(random_text 4)"
smtp_password="smtp-pass-$(random_text 16)"
admin_password="admin-pass-$(random_text 12)"
sibling_password="sibling-pass-$(random_text 12)"
site_secret="site-secret-$(random_text 24)"
provider_secret="provider-secret-$(random_text 24)"

common_env=(APP_ENV=test LOG_LEVEL=debug PASSWORD_HASH_COST=10 EVENT_LOOPS=2
            MIGRATIONS_DIR="$root/db/migrations" TEMPLATES_DIR="$root/Templates" PUBLIC_DIR="$root/Public")
provider_env=(PROVIDER_HOST=127.0.0.1 PROVIDER_PORT="$pport" PROVIDER_BASE_URL="$provider_origin"
              PROVIDER_DATABASE_URL="sqlite:$work/db/provider.sqlite3" PROVIDER_SECRET_KEY="$provider_secret")
# A developer's .env and db/ must not leak in: every command runs in the temporary folder.
cd "$work"

printf '%s\n' "$sibling_password" | env "${common_env[@]}" "${provider_env[@]}" "$bin" provider create-user \
    --username adalovelace --email ada@id.example --name "Ada Lovelace" --verified --password-stdin \
    >>"$work/logs/provider-cli.log" 2>&1
client_output="$(env "${common_env[@]}" "${provider_env[@]}" "$bin" clients add --name "Latchkey site" \
    --redirect-uri "$site_origin/auth/sibling/callback" 2>>"$work/logs/provider-cli.log")"
client_id="$(printf '%s\n' "$client_output" | sed -n 's/^client_id: //p')"
client_secret="$(printf '%s\n' "$client_output" | sed -n 's/^client_secret: //p')"
[[ -n "$client_id" && -n "$client_secret" ]] || { say "could not register a client: $client_output"; exit 1; }
printf '%s\n' "$client_output" | grep -v '^client_secret:' >>"$work/logs/provider-cli.log" || true

env "${common_env[@]}" "${provider_env[@]}" "$bin" provider >"$work/logs/provider.log" 2>&1 &
pids+=($!); provider_pid=$!
"$python" "$here/token_tap.py" "$tport" "$pport" "$work/records/tap.jsonl" >"$work/logs/tap.log" 2>&1 &
pids+=($!)

# The mail server: its certificates and mailbox stay outside the folders the check scans (the
# mailbox holds every code and link by design); its log is scanned like the others. It makes
# the throwaway CA and its certificate before it listens.
MAIL_SERVER_USER="$smtp_user" MAIL_SERVER_PASSWORD="$smtp_password" \
    "$python" "$here/mail_server.py" serve --port "$mport" --mailbox "$work/mail/box" --tls-dir "$work/mail/tls" \
    >"$work/logs/mail-server.log" 2>&1 &
pids+=($!); mail_pid=$!
wait_ready "$work/mail/box/ready" "$mail_pid" "$work/logs/mail-server.log"

site_env=(HOST=127.0.0.1 PORT="$sport" BASE_URL="$site_origin" DATABASE_URL="sqlite:$work/db/site.sqlite3" SECRET_KEY="$site_secret"
          SIBLING_PROVIDER_URL="$provider_origin" SIBLING_CLIENT_ID="$client_id" SIBLING_CLIENT_SECRET="$client_secret"
          EMAIL_URL="smtp://$smtp_user:$smtp_password@127.0.0.1:$mport" EMAIL_CA_FILE="$work/mail/tls/ca.pem"
          EMAIL_FROM="Latchkey <no-reply@site.example>")
env "${common_env[@]}" "${site_env[@]}" "$bin" migrate >>"$work/logs/site-cli.log" 2>&1
printf '%s\n' "$admin_password" | env "${common_env[@]}" "${site_env[@]}" "$bin" create-admin \
    --username siteadmin --email admin@site.example --password-stdin >>"$work/logs/site-cli.log" 2>&1
env "${common_env[@]}" "${site_env[@]}" "$bin" serve >"$work/logs/site.log" 2>&1 &
pids+=($!); site_pid=$!

wait_healthy "http://127.0.0.1:$pport" "$provider_pid" "$work/logs/provider.log"
wait_healthy "$provider_origin" "$provider_pid" "$work/logs/provider.log"
wait_healthy "$site_origin" "$site_pid" "$work/logs/site.log"

rm -rf "$shots"; mkdir -p "$shots"
say "browser journey: site $site_origin, provider $provider_origin (relaying to port $pport)"
status=0
SITE_URL="$site_origin" PROVIDER_URL="$provider_origin" SCREENSHOT_DIR="$shots" \
    LOCAL_USERNAME=alice LOCAL_EMAIL=alice@site.example LOCAL_PASSWORD="$site_password" LOCAL_NEW_PASSWORD="$site_new_password" \
    MAILBOX="$work/mail/box" MAIL_RECORD="$work/records/mail.jsonl" MAIL_FROM_NAME=Latchkey MAIL_FROM_ADDRESS=no-reply@site.example \
    SMTP_USER="$smtp_user" \
    SIBLING_USERNAME=adalovelace SIBLING_PASSWORD="$sibling_password" \
    ADMIN_USERNAME=siteadmin ADMIN_PASSWORD="$admin_password" \
    TAP_RECORD="$work/records/tap.jsonl" BROWSER_RECORD="$work/records/browser.jsonl" \
    timeout 900 "$python" "$here/browser_journey.py" || status=$?

# The secrets this script chose, then the check while the servers still run (so the -wal
# files are there), then once more after they stopped (checkpointed databases).
for entry in "password site-user:$site_password" "password site-user-new:$site_new_password" "password admin:$admin_password" \
             "password provider-user:$sibling_password" "password smtp:$smtp_password" \
             "client_secret:$client_secret" "SECRET_KEY:$site_secret" "PROVIDER_SECRET_KEY:$provider_secret"; do
    "$python" -c 'import json, sys; print(json.dumps({"kind": sys.argv[1], "value": sys.argv[2]}))' "${entry%%:*}" "${entry#*:}"
done >"$work/records/chosen.jsonl"
secrets=(--secrets "$work/records/chosen.jsonl")
for f in "$work/records/tap.jsonl" "$work/records/browser.jsonl" "$work/records/mail.jsonl"; do [[ -f "$f" ]] && secrets+=(--secrets "$f"); done

if [[ -f "$work/records/mail.jsonl" ]]; then
    say "control: the scan sees every code and reset token read from mail in the mailbox itself"
    "$python" "$here/no_secrets.py" --secrets "$work/records/mail.jsonl" --scan "$work/mail/box" \
        --must-find verification_code --must-find reset_token || status=1
fi
say "no secrets at rest or in logs (servers running)"
"$python" "$here/no_secrets.py" "${secrets[@]}" --scan "$work/db" --scan "$work/logs" || status=1
for pid in "${pids[@]}"; do stop "$pid"; done
say "no secrets at rest or in logs (servers stopped)"
"$python" "$here/no_secrets.py" "${secrets[@]}" --scan "$work/db" --scan "$work/logs" || status=1

if [[ $status -ne 0 ]]; then
    say "failed; screenshots kept in $shots; the servers' logs follow"
    for log in "$work"/logs/*.log; do echo "---- $(basename "$log")" >&2; tail -n 60 "$log" >&2; done
elif [[ "${KEEP_SCREENSHOTS:-0}" != 1 ]]; then
    rm -rf "$shots"
else
    say "screenshots kept in $shots"
fi
exit $status
