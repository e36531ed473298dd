#!/usr/bin/env python3
"""The crash test's driver (see scripts/crash-test, which starts the provider and passes the
site's command line). Three rounds on one SQLite database; each starts the site, releases every
flow at once (one thread each, over HTTP as browsers would, CSRF tokens included), SIGKILLs the
site partway and checks the database it left:
  round 1  SIGNUPS sign-ups with CONNECTS connects and SOCIAL_SIGNUPS social sign-ups;
           killed once KILL_AFTER of the sign-ups have been answered (sign-ups in flight)
  round 2  a fifth as many sign-ups and as many links; killed once KILL_AFTER of the links are
           in the database (the driver reads it): link transactions in flight
  round 3  the same; killed once KILL_AFTER of the links have been answered (many acknowledged
           links, whose rows must all be there)
Then the site restarts on the database, must serve new sign-ups and social sign-ups, and the
checks run once more.

Flows:
  signup         GET /signup, POST /signup                                            → 303 /account
  connect        a local user (signed up before the storm) connects the sibling: GET /account,
                 POST /auth/sibling (intent=connect), GET the provider's /oauth/authorize,
                 GET /auth/sibling/callback                                           → 303 /account
  social signup  GET /login, POST /auth/sibling (intent=signin), authorize, callback  → 303 /account
Each social flow uses its own provider user, created and signed in at the provider (over HTTP)
before the storm, so the browser arrives at the provider already signed in; the client is
registered with --skip-consent.

A flow counts as a success only when its final response is the 303 it expects. After each kill:
PRAGMA integrity_check and foreign_key_check; every success has its rows (user; social_accounts
with its social_tokens); no row set is half written (no user without password and without linked
account, no linked account without its token row, no user without the audit row written with it,
no connected account without its social_connect audit row).

Environment: SITE_URL, PROVIDER_URL, SITE_DB (the SQLite file), SITE_LOG, SIGNUPS (500),
CONNECTS (150), SOCIAL_SIGNUPS (150), KILL_AFTER (0.4), FIGURES (a JSON file for the figures).
Arguments: the site's command line.
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
KINDS = ("signup", "connect", "social signup")
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


def sign_up(browser, username, answered=None):
    """A local sign-up through the form: GET /signup for the CSRF token, POST /signup, 303 /account."""
    csrf = browser.csrf(SITE + "/signup")
    password = secrets.token_urlsafe(12)
    status, location, _ = browser.send("POST", SITE + "/signup", {
        "csrf_token": csrf, "username": username, "email": f"{username}@site.example",
        "password": password, "password_confirmation": password})
    if answered:
        answered()
    browser.expect(status, location, SITE + "/account", "sign-up")


def provider_user(index):
    """Creates a provider user over HTTP; returns its signed-in browser and username."""
    browser = Browser()
    username = f"p{RUN}x{index}"
    csrf = browser.csrf(PROVIDER + "/signup")
    password = secrets.token_urlsafe(12)
    status, location, text = browser.send("POST", PROVIDER + "/signup", {
        "csrf_token": csrf, "username": username, "name": f"Provider {index}", "email": f"{username}@provider.example",
        "password": password, "password_confirmation": password})
    browser.expect(status, location, PROVIDER + "/", "provider sign-up")
    return browser, username


class Storm:
    """Flows released together, and the kill: fired by the flow whose answer makes `due` true,
    so that the moment does not depend on when the driver's own thread gets to run."""

    def __init__(self, site=None, due=None):
        self.results = []      # dicts: kind, username or provider_user, ok, error
        self.lock = threading.Lock()
        self.answered_signups = 0
        self.links = {"connect": 0, "social signup": 0}
        self.go = threading.Event()
        self.site, self.due = site, due
        self.killed_at = None

    def kill(self):
        """SIGKILL: no shutdown, no checkpoint, mid-transaction. Once; call with the lock held."""
        if self.killed_at is None and self.site is not None:
            self.site.kill()
            self.killed_at = time.monotonic()

    def progressed(self):
        if self.due is not None and self.due(self):
            self.kill()

    def record(self, result):
        with self.lock:
            self.results.append(result)
            if result["ok"] and result["kind"] != "signup":
                self.links[result["kind"]] += 1
            self.progressed()

    def signup(self, index, phase):
        username = f"u{RUN}x{phase}x{index:04d}"
        result = {"kind": "signup", "username": username, "ok": False}
        self.go.wait()
        try:
            sign_up(Browser(), username, answered=self.answered)
            result["ok"] = True
        except FlowError as error:
            result["error"] = str(error)
        self.record(result)

    def answered(self):
        with self.lock:
            self.answered_signups += 1
            self.progressed()

    def connect(self, browser, username, provider_username):
        result = {"kind": "connect", "username": username, "provider_user": provider_username, "ok": False}
        self.go.wait()
        try:
            sibling_round_trip(browser, browser.csrf(SITE + "/account"), "connect")
            result["ok"] = True
        except FlowError as error:
            result["error"] = str(error)
        self.record(result)

    def social_signup(self, browser, provider_username):
        result = {"kind": "social signup", "provider_user": provider_username, "ok": False}
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
    storm_users = one("SELECT count(*) FROM users WHERE username_key LIKE ?", f"u{RUN}x%")[0]
    links = one("SELECT count(*) FROM social_accounts WHERE login LIKE ?", f"p{RUN}x%")[0]
    storm_ok = sum(1 for r in results if r["ok"] and r["kind"] == "signup")
    links_ok = sum(1 for r in results if r["ok"] and r["kind"] != "signup")
    print(f"{label}: integrity_check {integrity[0] if len(integrity) == 1 else 'FAILED'}, foreign_key_check {len(foreign)} rows; "
          f"users {users} ({password_users} with password, {users - password_users} social only), "
          f"social_accounts {accounts}, social_tokens {tokens}; acknowledged and present: "
          + ", ".join(f"{acknowledged[k] - missing[k]}/{acknowledged[k]} {k}" for k in missing)
          + f"; committed but cut off before the answer: {storm_users - storm_ok} sign-ups, {links - links_ok} links")
    db.close()
    return problems


def prepare(round_name, connects, socials):
    """Provider users (signed in there) for the round's links, and the local users that will connect."""
    socials_ready = [provider_user(f"{round_name}s{i}") for i in range(socials)]
    linkers = []
    for i in range(connects):
        browser, provider_username = provider_user(f"{round_name}c{i}")
        username = f"c{RUN}x{round_name}{i:04d}"
        sign_up(browser, username)
        linkers.append((browser, username, provider_username))
    return socials_ready, linkers


def storm_round(command, round_name, signups, connects, socials, describe, due=None, links_written=None):
    """Starts the site, releases every flow at once, and SIGKILLs the site when due(storm) says so
    or when links_written social_accounts rows have appeared since the start."""
    started = time.monotonic()
    site = start_site(command)
    socials_ready, linkers = prepare(round_name, connects, socials)
    print(f"round {round_name}: {describe}; prepared {socials + connects} provider users and {connects} local users "
          f"in {time.monotonic() - started:.1f}s")
    storm = Storm(site, due)
    threads = [threading.Thread(target=storm.signup, args=(i, round_name), daemon=True) for i in range(signups)]
    threads += [threading.Thread(target=storm.connect, args=linker, daemon=True) for linker in linkers]
    threads += [threading.Thread(target=storm.social_signup, args=ready, daemon=True) for ready in socials_ready]
    threads.sort(key=lambda t: secrets.randbelow(1 << 30))  # interleave the kinds
    db = sqlite3.connect(DB, timeout=5)
    baseline = db.execute("SELECT count(*) FROM social_accounts").fetchone()[0]
    started = run(storm, threads)
    while storm.killed_at is None and any(t.is_alive() for t in threads):
        if links_written is not None and db.execute("SELECT count(*) FROM social_accounts").fetchone()[0] - baseline >= links_written:
            break
        time.sleep(0.002)
    with storm.lock:
        storm.kill()
    killed_at = storm.killed_at - started
    site.wait()
    db.close()
    for thread in threads:
        thread.join(timeout=180)
    results = list(storm.results)
    figures = {k: {"ok": sum(1 for r in results if r["kind"] == k and r["ok"]),
                   "cut off": sum(1 for r in results if r["kind"] == k and not r["ok"])} for k in KINDS}
    print(f"  killed the site (SIGKILL) {killed_at:.2f}s after releasing {len(threads)} flows at once")
    print("  flows: " + "; ".join(f"{k}: {v['ok']} succeeded, {v['cut off']} cut off" for k, v in figures.items() if sum(v.values())))
    errors = {}
    for r in results:
        if not r["ok"]:
            key = f"{r['kind']}: {r.get('error', '')}"
            errors[key] = errors.get(key, 0) + 1
    for key, count in sorted(errors.items(), key=lambda item: -item[1])[:6]:
        print(f"  cut off: {count} × {key}")
    return results, {"killed_at": round(killed_at, 2), "flows": figures}


def main():
    command = sys.argv[1:]
    results, problems, report = [], [], {}
    links = CONNECTS + SOCIAL_SIGNUPS

    # Round 1: sign-ups in flight. The kill comes when KILL_AFTER of them have been answered.
    round_results, report["round 1"] = storm_round(
        command, "r1", SIGNUPS, CONNECTS, SOCIAL_SIGNUPS,
        f"{SIGNUPS} sign-ups, {CONNECTS} connects, {SOCIAL_SIGNUPS} social sign-ups; kill at {KILL_AFTER:.0%} of sign-ups answered",
        due=lambda storm: storm.answered_signups >= SIGNUPS * KILL_AFTER)
    results += round_results
    problems += check(results, "  after the kill")

    # Round 2, on the same database: links being written. They commit in a burst after their calls
    # to the provider, so the kill watches the database for KILL_AFTER of them to be written.
    round_results, report["round 2"] = storm_round(
        command, "r2", SIGNUPS // 5, CONNECTS, SOCIAL_SIGNUPS,
        f"{SIGNUPS // 5} sign-ups, {CONNECTS} connects, {SOCIAL_SIGNUPS} social sign-ups; kill at {KILL_AFTER:.0%} of links written",
        links_written=links * KILL_AFTER)
    results += round_results
    problems += check(results, "  after the kill")

    # Round 3: links answered. Their answers trail their commits by seconds under this load, so
    # round 2 acknowledges few; this kill waits for KILL_AFTER of the links to be answered.
    round_results, report["round 3"] = storm_round(
        command, "r3", SIGNUPS // 5, CONNECTS, SOCIAL_SIGNUPS,
        f"{SIGNUPS // 5} sign-ups, {CONNECTS} connects, {SOCIAL_SIGNUPS} social sign-ups; kill at {KILL_AFTER:.0%} of links answered",
        due=lambda storm: sum(storm.links.values()) >= links * KILL_AFTER)
    results += round_results
    problems += check(results, "  after the kill")

    # Restart: the site must start on what the kills left and serve new sign-ups.
    site = start_site(command)
    socials_ready, _ = prepare("a", 0, AFTER_SOCIAL)
    after = Storm()
    after_threads = [threading.Thread(target=after.signup, args=(i, "a"), daemon=True) for i in range(AFTER_SIGNUPS)]
    after_threads += [threading.Thread(target=after.social_signup, args=ready, daemon=True) for ready in socials_ready]
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
    if os.environ.get("FIGURES"):
        with open(os.environ["FIGURES"], "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
