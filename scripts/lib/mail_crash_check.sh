#!/usr/bin/env bash
# `kill -9` between an event's commit and the delivery of its mail: the message still goes out,
# once. The site runs on SQLite with EMAIL_URL pointing at a port where no mail server listens
# yet; a password reset is asked for, so its mail is committed to the outbox with the reset link
# and its first delivery fails (connection refused). The site is killed with SIGKILL, the mail
# server (Tests/e2e/mail_server.py: aiosmtpd, STARTTLS and AUTH required) starts, the site
# starts again, and exactly one reset mail must arrive: the very message committed before the
# kill (same Message-ID), with a link that works. Then the site is killed and started once more
# and a second reset is asked for: when that one arrives, the worker has swept since the
# restart, and the first must still have arrived once.
#
# The outbox has no knob for its timing (no OUTBOX_* setting): it sweeps every second, retries
# a failed message 30 s later (doubling, up to an hour), and leaves a message it claimed to its
# sender for 300 s. So the first delivery after the restart waits for the 30 s retry; the waits
# below are generous upper bounds, never requirements.
#
# Needs LATCHKEY_BIN (built when unset), python3 with aiosmtpd (installed from PyPI when
# missing), openssl and curl. Prints 'N passed, M failed'.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
e2e="$root/Tests/e2e"
work="$(mktemp -d "${TMPDIR:-/tmp}/latchkey-mailcrash.XXXXXX")"
python="${PYTHON:-python3}"
site_pid=""; mail_pid=""

stop() { # pid
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
}
cleanup() { stop "$site_pid"; stop "$mail_pid"; rm -rf "$work"; }
trap cleanup EXIT INT TERM
say() { echo "mail-crash: $*" >&2; }

source "$root/scripts/lib/deps.sh"
latchkey_install_packages openssl curl
if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd"
    timeout 300 "$python" -m pip install --quiet --disable-pip-version-check aiosmtpd >&2
fi
if [ -z "${LATCHKEY_BIN:-}" ]; then
    say "building latchkey"
    (cd "$root" && timeout 1800 swift build --product latchkey >&2)
    LATCHKEY_BIN="$(cd "$root" && swift build --show-bin-path)/latchkey"
fi
[ -x "$LATCHKEY_BIN" ] || { say "no latchkey binary at $LATCHKEY_BIN"; exit 1; }

passed=0; failed=0
check() { if eval "$2"; then passed=$((passed+1)); echo "ok   $1"; else failed=$((failed+1)); echo "FAIL $1"; fi; }
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
random_text() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

sport="$(free_port)"; mport="$(free_port)"
site="http://127.0.0.1:$sport"
smtp_user="crash-$(random_text 4)"; smtp_password="smtp-pass-$(random_text 16)"
user=crashcheck; address=crashcheck@site.example
box="$work/mail/box"
"$python" "$e2e/mail_server.py" certs "$work/mail/tls"

site_env=(APP_ENV=test LOG_LEVEL=debug PASSWORD_HASH_COST=10 EVENT_LOOPS=2
          MIGRATIONS_DIR="$root/db/migrations" TEMPLATES_DIR="$root/Templates" PUBLIC_DIR="$root/Public"
          HOST=127.0.0.1 PORT="$sport" BASE_URL="$site" DATABASE_URL="sqlite:$work/site.sqlite3"
          SECRET_KEY="mail-crash-secret-$(random_text 16)"
          EMAIL_URL="smtp://$smtp_user:$smtp_password@127.0.0.1:$mport" EMAIL_CA_FILE="$work/mail/tls/ca.pem"
          EMAIL_FROM="Latchkey <no-reply@site.example>")
# A developer's .env and db/ must not leak in: every command runs in the temporary folder.
cd "$work"
env "${site_env[@]}" "$LATCHKEY_BIN" migrate >>"$work/site-cli.log" 2>&1
printf '%s\n' "crash-pass-$(random_text 12)" | env "${site_env[@]}" "$LATCHKEY_BIN" create-admin \
    --username "$user" --email "$address" --password-stdin >>"$work/site-cli.log" 2>&1

start_site() {
    env "${site_env[@]}" "$LATCHKEY_BIN" serve >>"$work/site.log" 2>&1 &
    site_pid=$!
    for _ in $(seq 1 150); do
        curl -sf -m 2 "$site/healthz" >/dev/null && return 0
        kill -0 "$site_pid" 2>/dev/null || { say "the site exited:"; tail -n 40 "$work/site.log" >&2; return 1; }
        sleep 0.2
    done
    say "no answer from the site"; return 1
}
kill_site() { # SIGKILL: no drain, no clean shutdown of the worker or the database
    kill -9 "$site_pid"
    wait "$site_pid" 2>/dev/null || true
    site_pid=""
}
start_mail_server() {
    MAIL_SERVER_USER="$smtp_user" MAIL_SERVER_PASSWORD="$smtp_password" \
        "$python" "$e2e/mail_server.py" serve --port "$mport" --mailbox "$box" --tls-dir "$work/mail/tls" >>"$work/mail-server.log" 2>&1 &
    mail_pid=$!
    for _ in $(seq 1 150); do
        [ -f "$box/ready" ] && return 0
        kill -0 "$mail_pid" 2>/dev/null || { say "the mail server exited:"; cat "$work/mail-server.log" >&2; return 1; }
        sleep 0.2
    done
    say "the mail server never became ready"; return 1
}
# Asks for a reset link by email address, as a browser would (the form's CSRF token included).
request_reset() {
    local jar="$work/cookies" token page
    rm -f "$jar"
    token=$(curl -s -c "$jar" -b "$jar" "$site/password/forgot" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
    page=$(curl -s -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "identifier=$address" "$site/password/forgot")
    [[ "$page" == *"we have sent a link"* ]]
}
# The outbox's reset rows, one line each: message_id status attempts length(data_enc) last_error.
outbox() {
    "$python" - "$work/site.sqlite3" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
for row in db.execute("SELECT message_id, status, attempts, length(data_enc), coalesce(last_error, '-') FROM outbox "
                      "WHERE kind = 'password_reset' ORDER BY created_at, message_id"):
    print(*row)
EOF
}
field() { outbox | sed -n "${1}p" | awk "{print \$$2}"; }
# Polls `condition` every half second for up to `seconds` (an upper bound for waiting).
wait_until() { # seconds condition
    local deadline=$((SECONDS + $1))
    until eval "$2"; do [ "$SECONDS" -ge "$deadline" ] && return 1; sleep 0.5; done
}
resets() { "$python" "$e2e/mail_inbox.py" "$box" "$@" --to "$address" --subject-contains "Reset your Latchkey password"; }

say "site on $site; mail server to come on 127.0.0.1:$mport (not listening yet)"
start_site
check "a password reset is asked for while no mail server listens" 'request_reset'
check "its mail is committed to the outbox, pending, its data sealed" '[ "$(outbox | wc -l)" = 1 ] && [ "$(field 1 2)" = pending ] && [ "$(field 1 4)" -gt 0 ]'
check "the first delivery fails and is written down (pending, 1+ attempts, an error)" \
    'wait_until 120 "[ \"\$(field 1 3)\" -ge 1 ]" && [ "$(field 1 2)" = pending ] && [ "$(field 1 5)" != - ]'
first_id="$(field 1 1)"
say "outbox before the kill: $(outbox | cut -d' ' -f2-4)"

kill_site
check "after kill -9 the message is still in the outbox, pending, its data sealed" '[ "$(field 1 1)" = "$first_id" ] && [ "$(field 1 2)" = pending ] && [ "$(field 1 4)" -gt 0 ]'

start_mail_server
start_site
say "waiting for the retry (30 s after the failed attempt; up to 400 s allowed)"
check "after the restart the reset mail arrives" 'resets wait --count 1 --timeout 400 >/dev/null'
check "exactly once" '[ "$(resets count)" = 1 ]'
check "and it is the message committed before the kill (same Message-ID)" '[ "$(resets message-ids)" = "<$first_id>" ]'
check "the outbox records it as sent and keeps no copy of it" 'wait_until 120 "[ \"\$(field 1 2)\" = sent ]" && [ "$(field 1 4)" = 0 ]'
link="$("$python" - "$e2e" "$box" "$address" <<'EOF'
import re, sys
sys.path.insert(0, sys.argv[1])
from mail_inbox import Inbox
mail = Inbox(sys.argv[2]).find(to=sys.argv[3], subject_contains="Reset your Latchkey password")[0]
print(re.search(r"https?://\S+/password/reset\?token=[A-Za-z0-9_-]+", mail.text).group(0))
EOF
)"
check "its link opens the reset form for $user" '[[ "$(curl -s "$link")" == *"For <strong>$user</strong>"* ]]'

kill_site
start_site
check "after another kill -9 and restart, a second reset is asked for" 'request_reset'
check "the second reset mail arrives (so the worker has swept since the restart)" 'resets wait --count 2 --timeout 400 >/dev/null'
check "the first still arrived exactly once; two reset mails in all" \
    '[ "$(resets message-ids | grep -cxF "<$first_id>")" = 1 ] && [ "$(resets count)" = 2 ]'
check "no client skipped STARTTLS or AUTH at the mail server" '"$python" "$e2e/mail_inbox.py" "$box" violations'

if [ "$failed" -ne 0 ]; then
    say "outbox: $(outbox)"
    for log in site.log mail-server.log; do echo "---- $log" >&2; tail -n 40 "$work/$log" >&2; done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
