#!/usr/bin/env python3
"""The crash test's driver (see scripts/crash-test, which starts the provider and passes the
site's command line): starts the site, runs sign-ups and social links concurrently over HTTP as
browsers would, kills the site with SIGKILL partway, checks the database it left, restarts the
site on it, checks that it serves new sign-ups, and checks again.

Flows, all released at once, one thread each:
  signup          GET /signup, POST /signup                              → 303 /account
  signup+connect  the same, then GET /account, POST /auth/sibling (intent=connect),
                  GET the provider's /oauth/authorize, GET /auth/sibling/callback  → 303 /account
  social signup   GET /login, POST /auth/sibling (intent=signin), authorize, callback → 303 /account
Each social flow uses its own provider user, created and signed in at the provider (over HTTP)
before the storm, so the browser arrives at the provider already signed in; the client is
registered with --skip-consent.

A request counts as a success only when its final response is the 303 the flow expects. After
the kill, every success must have its rows (user; social_accounts with its social_tokens), and
no row set may be half written: no user without password and without linked account, no linked
account without its token row, no user without the audit row written with it.

Environment: SITE_URL, PROVIDER_URL, SITE_DB (the SQLite file), SITE_LOG, SIGNUPS (500),
CONNECTS (of those, how many also connect; 150), SOCIAL_SIGNUPS (150), KILL_AFTER (fraction of
sign-ups answered before the kill; 0.4). Arguments: the site's command line.
"""
import http.client
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

SITE = os.environ["SITE_URL"].rstrip("/")
PROVIDER = os.environ["PROVIDER_URL"].rstrip("/")
DB = os.environ["SITE_DB"]
SITE_LOG = os.environ["SITE_LOG"]
SIGNUPS = int(os.environ.get("SIGNUPS", "500"))
CONNECTS = int(os.environ.get("CONNECTS", "150"))
SOCIAL_SIGNUPS = int(os.environ.get("SOCIAL_SIGNUPS", "150"))
KILL_AFTER = float(os.environ.get("KILL_AFTER", "0.4"))
AFTER_SIGNUPS, AFTER_SOCIAL = 20, 5
RUN = secrets.token_hex(3)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FlowError(Exception):
    """A flow stopped: a refused request, an unexpected status, or a dropped connection."""


class Browser:
    """One visitor: a cookie jar shared by both origins (cookies ignore ports) and fresh connections."""

    def __init__(self):
        self.jar = {}

    def send(self, method, url, form=None):
        parts = urllib.parse.urlsplit(url)
        headers = {"Connection": "close", "User-Agent": "crash-test"}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            connection.request(method, parts.path + ("?" + parts.query if parts.query else ""), body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            raise FlowError(f"{method} {parts.path}: {type(error).__name__}") from None
        finally:
            connection.close()
        for name, value in reply.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, content = cookie.partition("=")
                if not content or "max-age=0" in attributes.lower():
                    self.jar.pop(key.strip(), None)
                else:
                    self.jar[key.strip()] = content
        location = reply.getheader("Location")
        return reply.status, urllib.parse.urljoin(url, location) if location else None, text

    def csrf(self, url):
        status, _, text = self.send("GET", url)
        match = CSRF.search(text)
        if status != 200 or not match:
            raise FlowError(f"GET {url}: {status} without a form")
        return match.group(1)

    def expect(self, status, location, want, step):
        if status not in (302, 303) or not location or not location.startswith(want):
            raise FlowError(f"{step}: {status} to {location}")
        return location


def sibling_round_trip(browser, csrf, intent):
    """POST /auth/sibling, the provider's authorize (already signed in), the callback: True on 303 /account."""
    status, location, _ = browser.send("POST", SITE + "/auth/sibling", {"csrf_token": csrf, "intent": intent})
    authorize = browser.expect(status, location, PROVIDER + "/oauth/authorize", "start")
    status, location, _ = browser.send("GET", authorize)
    callback = browser.expect(status, location, SITE + "/auth/sibling/callback", "authorize")
    status, location, _ = browser.send("GET", callback)
    browser.expect(status, location, SITE + "/account", "callback")


def provider_user(index):
    """Creates provider user number index over HTTP; returns its signed-in browser and username."""
    browser = Browser()
    username = f"p{RUN}x{index:04d}"
    csrf = browser.csrf(PROVIDER + "/signup")
    password = secrets.token_urlsafe(12)
    status, location, text = browser.send("POST", PROVIDER + "/signup", {
        "csrf_token": csrf, "username": username, "name": f"Provider {index}", "email": f"{username}@provider.example",
        "password": password, "password_confirmation": password})
    browser.expect(status, location, PROVIDER + "/", "provider sign-up")
    return browser, username


class Storm:
    def __init__(self):
        self.results = []      # dicts: kind, username, provider_user, ok, error, phase
        self.lock = threading.Lock()
        self.answered_signups = 0
        self.go = threading.Event()

    def record(self, result):
        with self.lock:
            self.results.append(result)

    def signup(self, index, connect_with=None, phase="storm"):
        browser = Browser() if connect_with is None else connect_with[0]
        username = f"u{RUN}x{phase[0]}{index:04d}"
        result = {"kind": "signup", "username": username, "ok": False, "phase": phase}
        self.go.wait()
        try:
            csrf = browser.csrf(SITE + "/signup")
            password = secrets.token_urlsafe(12)
            status, location, _ = browser.send("POST", SITE + "/signup", {
                "csrf_token": csrf, "username": username, "email": f"{username}@site.example",
                "password": password, "password_confirmation": password})
            with self.lock:
                self.answered_signups += 1
            browser.expect(status, location, SITE + "/account", "sign-up")
            result["ok"] = True
        except FlowError as error:
            result["error"] = str(error)
        self.record(result)
        if connect_with is None or not result["ok"]:
            return
        link = {"kind": "connect", "username": username, "provider_user": connect_with[1], "ok": False, "phase": phase}
        try:
            sibling_round_trip(browser, browser.csrf(SITE + "/account"), "connect")
            link["ok"] = True
        except FlowError as error:
            link["error"] = str(error)
        self.record(link)

    def social_signup(self, browser, provider_username, phase="storm"):
        result = {"kind": "social signup", "provider_user": provider_username, "ok": False, "phase": phase}
        self.go.wait()
        try:
            sibling_round_trip(browser, browser.csrf(SITE + "/login"), "signin")
            result["ok"] = True
        except FlowError as error:
            result["error"] = str(error)
        self.record(result)


def start_site(command):
    log = open(SITE_LOG, "ab")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection(urllib.parse.urlsplit(SITE).hostname, urllib.parse.urlsplit(SITE).port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            sys.exit(f"crash-test: the site exited with {process.returncode}; see {SITE_LOG}")
        time.sleep(0.1)
    sys.exit("crash-test: the site does not answer")


def run(storm, threads):
    for thread in threads:
        thread.start()
    started = time.monotonic()
    storm.go.set()
    return started


def check(results, label):
    """The database checks; returns a list of problems (empty when all is well) and prints figures."""
    db = sqlite3.connect(DB, timeout=30)
    problems = []
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    foreign = db.execute("PRAGMA foreign_key_check").fetchall()
    if foreign:
        problems.append(f"foreign_key_check: {len(foreign)} rows, e.g. {foreign[:3]}")

    def one(sql, *args):
        return db.execute(sql, args).fetchone()

    linked = """SELECT u.username_key, u.password_hash IS NOT NULL FROM social_accounts sa JOIN users u ON u.id = sa.user_id
                JOIN social_tokens st ON st.social_account_id = sa.id WHERE sa.provider = 'sibling' AND sa.login = ?"""
    missing = {"signup": 0, "connect": 0, "social signup": 0}
    for r in results:
        if not r["ok"]:
            continue
        if r["kind"] == "signup":
            found = one("SELECT 1 FROM users WHERE username_key = ? AND password_hash IS NOT NULL", r["username"].lower())
        elif r["kind"] == "connect":
            row = one(linked, r["provider_user"])
            found = row and row[0] == r["username"].lower()
        else:
            row = one(linked, r["provider_user"])
            found = row and not row[1]
        if not found:
            missing[r["kind"]] += 1
            if missing[r["kind"]] <= 3:
                problems.append(f"acknowledged {r['kind']} without its rows: {r}")
    for kind, count in missing.items():
        if count:
            problems.append(f"{count} acknowledged {kind} flows have no rows")

    invariants = {
        "users with neither password nor linked account": """SELECT count(*) FROM users u WHERE u.password_hash IS NULL
            AND NOT EXISTS (SELECT 1 FROM social_accounts sa WHERE sa.user_id = u.id)""",
        "linked accounts without their token row": """SELECT count(*) FROM social_accounts sa
            WHERE NOT EXISTS (SELECT 1 FROM social_tokens st WHERE st.social_account_id = sa.id)""",
        "users without the audit row of their sign-up": """SELECT count(*) FROM users u WHERE NOT EXISTS
            (SELECT 1 FROM audit_log a WHERE a.target_user = u.id AND a.action IN ('signup', 'social_signup'))""",
        "password users' links without their social_connect audit row": """SELECT count(*) FROM social_accounts sa
            JOIN users u ON u.id = sa.user_id WHERE u.password_hash IS NOT NULL AND NOT EXISTS
            (SELECT 1 FROM audit_log a WHERE a.target_user = u.id AND a.action = 'social_connect' AND a.detail = sa.provider)""",
    }
    for name, sql in invariants.items():
        count = one(sql)[0]
        if count:
            problems.append(f"{count} {name}")

    users, password_users = one("SELECT count(*), count(password_hash) FROM users")
    accounts, tokens = one("SELECT count(*) FROM social_accounts")[0], one("SELECT count(*) FROM social_tokens")[0]
    acknowledged = {k: sum(1 for r in results if r["kind"] == k and r["ok"]) for k in missing}
    print(f"{label}: integrity_check {integrity[0] if len(integrity) == 1 else 'FAILED'}, foreign_key_check {len(foreign)} rows; "
          f"users {users} ({password_users} with password, {users - password_users} social only), "
          f"social_accounts {accounts}, social_tokens {tokens}; acknowledged and present: "
          + ", ".join(f"{acknowledged[k] - missing[k]}/{acknowledged[k]} {k}" for k in missing))
    db.close()
    return problems


def main():
    command = sys.argv[1:]
    site = start_site(command)
    storm = Storm()
    spare = SOCIAL_SIGNUPS + CONNECTS + AFTER_SOCIAL
    started = time.monotonic()
    providers = [provider_user(i) for i in range(spare)]
    print(f"created and signed in {spare} provider users in {time.monotonic() - started:.1f}s")

    threads = []
    for i in range(SIGNUPS):
        connect = providers[SOCIAL_SIGNUPS + i] if i < CONNECTS else None
        threads.append(threading.Thread(target=storm.signup, args=(i, connect), daemon=True))
    for i in range(SOCIAL_SIGNUPS):
        threads.append(threading.Thread(target=storm.social_signup, args=providers[i], daemon=True))
    threads.sort(key=lambda t: secrets.randbelow(1 << 30))  # interleave the kinds
    started = run(storm, threads)
    threshold = int(SIGNUPS * KILL_AFTER)
    while storm.answered_signups < threshold and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    site.kill()  # SIGKILL: no shutdown, no checkpoint, mid-transaction
    killed_at = time.monotonic() - started
    site.wait()
    with storm.lock:
        before_kill = {k: sum(1 for r in storm.results if r["kind"] == k and r["ok"]) for k in ("signup", "connect", "social signup")}
    for thread in threads:
        thread.join(timeout=180)
    results = list(storm.results)
    figures = {k: {"ok": sum(1 for r in results if r["kind"] == k and r["ok"]),
                   "failed": sum(1 for r in results if r["kind"] == k and not r["ok"])} for k in ("signup", "connect", "social signup")}
    print(f"killed the site (SIGKILL) {killed_at:.2f}s into the storm, after {storm.answered_signups} sign-ups were answered; "
          f"successes acknowledged before the kill: " + ", ".join(f"{v} {k}" for k, v in before_kill.items()))
    print("flows: " + "; ".join(f"{k}: {v['ok']} succeeded, {v['failed']} cut off" for k, v in figures.items())
          + f" (connect attempted only after a successful sign-up, {CONNECTS} planned)")

    problems = check(results, "after the kill")

    site = start_site(command)
    after = Storm()
    after_threads = [threading.Thread(target=after.signup, args=(i, None, "after"), daemon=True) for i in range(AFTER_SIGNUPS)]
    after_threads += [threading.Thread(target=after.social_signup, args=(*providers[spare - 1 - i], "after"), daemon=True)
                      for i in range(AFTER_SOCIAL)]
    run(after, after_threads)
    for thread in after_threads:
        thread.join(timeout=120)
    failed_after = [r for r in after.results if not r["ok"]]
    print(f"restarted: {len(after.results) - len(failed_after)}/{AFTER_SIGNUPS + AFTER_SOCIAL} new sign-ups and social sign-ups succeeded")
    if failed_after or len(after.results) != AFTER_SIGNUPS + AFTER_SOCIAL:
        problems.append(f"after the restart, flows failed: {failed_after[:3]}")
    site.terminate()
    try:
        site.wait(timeout=10)
    except subprocess.TimeoutExpired:
        site.kill()
    problems += check(results + after.results, "after the restart")

    for problem in problems:
        print("FAIL  " + problem)
    print("crash test " + ("FAILED" if problems else "passed") + f": {len(problems)} problems")
    json.dump({"figures": figures, "before_kill": before_kill, "killed_at": killed_at}, open(os.environ.get("FIGURES", os.devnull), "w"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
