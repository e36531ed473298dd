#!/usr/bin/env python3
"""The product stage of scripts/bench: Latchkey's release site and provider against the
django-allauth + django-oauth-toolkit peer (../shared/peers/django-allauth-bench, gunicorn), the
same routes loaded in turn with wrk in one run, then the floors issue 17 set, as ratios.

Every server runs on CPU 0 (one core each, one at a time under load), wrk on the other CPUs.
The peer uses its fast hasher (PBKDF2 with 1,000 iterations, for passwords and DOT's client
secrets) and its bench sign-in limits, as its README describes; Latchkey runs with its
production defaults (scrypt at cost 15, LOG_LEVEL=info) apart from sign-in limits raised the same
way (LOGIN_MAX_FAILURES=1000 per second) and the sign-up limit.

  product_bench.py --bin .build/release/latchkey --root . [--peer-dir DIR --peer-venv DIR]
                   [--postgres-url postgres://postgres@127.0.0.1:PORT/postgres] [--duration 10s]

Without --peer-dir (no ../shared), only Latchkey is measured and no ratio is printed.
"""

import argparse
import base64
import hashlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (Server, fmt_ms, fmt_ratio, fmt_rps, free_port, pinning, ratio, say, table, wrk)  # noqa: E402

USERNAME, PASSWORD, EMAIL = "alice", "alice-password-123", "alice@example.com"
REDIRECT_URI = "http://127.0.0.1:18799/callback"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A cookie jar and a urllib opener that does not follow redirects."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method, path, form=None, headers=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode(errors="replace")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)


def hidden(html, name):
    m = re.search(r'name="%s"\s+value="([^"]*)"' % re.escape(name), html)
    if not m:
        raise RuntimeError(f"no hidden field {name} in the page")
    return m.group(1)


def lua(directory):
    """The wrk scripts: a fixed form POST, and one that sends each pooled refresh token once."""
    post = directory / "post.lua"
    post.write_text('wrk.method = "POST"\nwrk.body = os.getenv("WRK_BODY")\n'
                    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    pool = directory / "pool.lua"
    pool.write_text("""
local made = 0
function setup(thread) thread:set("index", made); made = made + 1 end
function init(args)
  tokens, count, pos = {}, 0, 0
  local step, i = tonumber(os.getenv("WRK_THREADS")), 0
  for line in io.lines(os.getenv("WRK_POOL")) do
    if i % step == index then count = count + 1; tokens[count] = line end
    i = i + 1
  end
  prefix = os.getenv("WRK_PREFIX")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  pos = pos + 1
  return wrk.format("POST", nil, nil, prefix .. (tokens[pos] or "pool-exhausted"))
end
""")
    return post, pool


# ---------------------------------------------------------------------------------------------
# Databases


class Databases:
    """Where each server keeps its data: SQLite files in the work folder, or PostgreSQL databases
    made for the run on the server --postgres-url names."""

    def __init__(self, work, postgres_url):
        self.work, self.postgres_url = work, postgres_url

    @property
    def kind(self):
        return "PostgreSQL" if self.postgres_url else "SQLite"

    def url(self, name):
        if not self.postgres_url:
            return f"sqlite:{self.work}/{name}.sqlite3"
        base = self.postgres_url.rsplit("/", 1)[0]
        return f"{base}/bench_{name}?sslmode=disable"

    def create(self, *names):
        if not self.postgres_url:
            return
        for name in names:
            self.psql("postgres", f"DROP DATABASE IF EXISTS bench_{name}")
            self.psql("postgres", f"CREATE DATABASE bench_{name}")

    def psql(self, name, sql):
        url = self.postgres_url.rsplit("/", 1)[0] + ("/postgres" if name == "postgres" else f"/bench_{name}")
        out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()}")
        return out.stdout

    def script(self, name, sql, rows=None):
        """Runs `sql` (one statement, ? placeholders) once per row of `rows`, or once."""
        if not self.postgres_url:
            with sqlite3.connect(f"{self.work}/{name}.sqlite3", timeout=30) as db:
                if rows is None:
                    return db.execute(sql).fetchall()
                db.executemany(sql, rows)
                return []
        if rows is None:
            return [tuple(line.split("|")) for line in self.psql(name, sql).splitlines() if line]
        # COPY-free and dependency-free: one multi-row INSERT per thousand rows, through psql.
        head, values = sql.split("VALUES", 1)
        statements = []
        for start in range(0, len(rows), 1000):
            chunk = rows[start:start + 1000]
            statements.append(head + "VALUES " + ", ".join(
                "(" + ", ".join(literal(v) for v in row) + ")" for row in chunk) + ";")
        path = Path(self.work) / f"{name}-insert.sql"
        path.write_text("\n".join(statements))
        url = self.postgres_url.rsplit("/", 1)[0] + f"/bench_{name}"
        out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()}")
        return []


def literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Latchkey


class Latchkey:
    def __init__(self, args, work, dbs, server_pin):
        self.args, self.work, self.dbs, self.pin = args, work, dbs, server_pin
        root = Path(args.root).resolve()
        self.site_port, self.provider_port = args.port, args.port + 1
        self.env = dict(
            os.environ,
            APP_ENV="production", LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "info"),
            HOST="127.0.0.1", PORT=str(self.site_port), BASE_URL=f"http://127.0.0.1:{self.site_port}",
            SECRET_KEY=secrets.token_urlsafe(48), EMAIL_URL="off",
            DATABASE_URL=dbs.url("site"),
            PROVIDER_HOST="127.0.0.1", PROVIDER_PORT=str(self.provider_port),
            PROVIDER_BASE_URL=f"http://127.0.0.1:{self.provider_port}",
            PROVIDER_SECRET_KEY=secrets.token_urlsafe(48), PROVIDER_DATABASE_URL=dbs.url("provider"),
            TEMPLATES_DIR=str(root / "Templates"), PUBLIC_DIR=str(root / "Public"), MIGRATIONS_DIR=str(root / "db/migrations"),
            GITHUB_CLIENT_ID="bench-github-client", GITHUB_CLIENT_SECRET="bench-github-secret",
            LOGIN_MAX_FAILURES="1000", LOGIN_WINDOW_SECONDS="1", SIGNUP_RATE_LIMIT="100000",
        )
        self.bin = str(Path(args.bin).resolve())
        self.site = self.provider = None

    def cli(self, *argv, stdin=None):
        out = subprocess.run([self.bin, *argv], env=self.env, cwd=self.work, input=stdin, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"latchkey {' '.join(argv)}: {out.stdout}{out.stderr}")
        return out.stdout

    def start(self):
        """Starts the site (which migrates its database), makes the provider's user and clients
        through its CLI, and starts the provider."""
        self.start_site()
        self.cli("provider", "migrate")
        self.cli("provider", "create-user", "--username", USERNAME, "--email", EMAIL, "--verified", "--password-stdin",
                 stdin=PASSWORD + "\n")
        self.cc = self.client("bench-cc", "--grant", "client_credentials", "--scope", "read")
        self.web = self.client("bench-web", "--grant", "authorization_code", "--grant", "refresh_token", "--scope", "read",
                               "--skip-consent")
        self.start_provider()

    def start_site(self, prefix=None, timeout=60):
        self.site = Server("latchkey-site", (self.pin if prefix is None else prefix) + [self.bin, "serve"], self.site_port,
                           env=self.env, cwd=self.work, log=f"{self.work}/site.log")
        self.site.wait_ready(timeout)

    def start_provider(self, prefix=None, timeout=60):
        self.provider = Server("latchkey-provider", (self.pin if prefix is None else prefix) + [self.bin, "provider"],
                               self.provider_port, env=self.env, cwd=self.work, log=f"{self.work}/provider.log")
        self.provider.wait_ready(timeout)

    def client(self, name, *options):
        out = self.cli("clients", "add", "--name", name, "--redirect-uri", REDIRECT_URI, *options)
        cid = re.search(r"^client_id: (\S+)", out, re.M).group(1)
        secret = re.search(r"^client_secret: (\S+)", out, re.M).group(1)
        return cid, secret

    def seed(self, pool_size, pool_file):
        """alice signs up through the form; a GitHub account is linked to her as the site stores one
        after a sign-in; she signs in (the account page's cookie). At the provider: a token for
        introspection, and one real code exchange whose refresh token row is cloned `pool_size`
        times (fresh token, its SHA-256, a grant family of its own each)."""
        site = Browser(f"http://127.0.0.1:{self.site_port}")
        status, _, page = site.request("GET", "/signup")
        status, headers, page = site.request("POST", "/signup", {
            "csrf_token": hidden(page, "csrf_token"), "username": USERNAME, "email": EMAIL,
            "password": PASSWORD, "password_confirmation": PASSWORD})
        if status not in (302, 303):
            raise RuntimeError(f"site sign-up answered {status}")
        now = int(time.time())
        (user_id,), = self.dbs.script("site", f"SELECT id FROM users WHERE username_key = '{USERNAME}'")
        profile = json.dumps({"login": USERNAME, "id": 1001, "name": "Alice", "email": EMAIL,
                              "avatar_url": "https://avatars.githubusercontent.com/u/1001?v=4",
                              "html_url": f"https://github.com/{USERNAME}"})
        self.dbs.script("site", "INSERT INTO social_accounts (user_id, provider, provider_uid, login, name, email, email_verified, "
                        "avatar_url, profile_json, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(int(user_id), "github", "1001", USERNAME, "Alice", EMAIL, 1,
                          "https://avatars.githubusercontent.com/u/1001?v=4", profile, now, now)])
        (account_id,), = self.dbs.script("site", "SELECT id FROM social_accounts WHERE provider_uid = '1001'")
        self.dbs.script("site", "INSERT INTO social_tokens (social_account_id, access_token_enc, token_type, scopes, status, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?)", [(int(account_id), "seeded", "bearer", "read:user", "active", now)])
        signed_in = Browser(site.base)
        self.session = self.sign_in(signed_in)
        status, _, page = signed_in.request("GET", "/account")
        if status != 200 or "GitHub" not in page:
            raise RuntimeError(f"the site's account page answered {status} without the linked account")
        anonymous = Browser(site.base)
        status, _, page = anonymous.request("GET", "/login")
        self.csrf_cookie = anonymous.cookie("latchkey_session_csrf")
        self.csrf_token = hidden(page, "csrf_token")

        provider = Browser(f"http://127.0.0.1:{self.provider_port}")
        cc_id, cc_secret = self.cc
        self.cc_auth = "Basic " + base64.b64encode(f"{cc_id}:{cc_secret}".encode()).decode()
        status, _, body = provider.request("POST", "/oauth/token", {"grant_type": "client_credentials", "scope": "read"},
                                           {"Authorization": self.cc_auth})
        self.cc_token = json.loads(body)["access_token"]
        status, _, page = provider.request("GET", "/login")
        status, _, _ = provider.request("POST", "/login", {"csrf_token": hidden(page, "csrf_token"), "username": USERNAME,
                                                            "password": PASSWORD})
        # PKCE S256, which Latchkey ID requires of new clients (RFC 9700 §2.1.1).
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urllib.parse.urlencode({"response_type": "code", "client_id": self.web[0], "redirect_uri": REDIRECT_URI,
                                        "scope": "read", "state": "bench", "code_challenge": challenge,
                                        "code_challenge_method": "S256"})
        status, headers, _ = provider.request("GET", "/oauth/authorize?" + query)
        code = urllib.parse.parse_qs(urllib.parse.urlparse(headers.get("Location", "")).query).get("code", [None])[0]
        if not code:
            raise RuntimeError(f"the provider's authorize answered {status} without a code")
        self.web_auth = "Basic " + base64.b64encode(f"{self.web[0]}:{self.web[1]}".encode()).decode()
        status, _, body = provider.request("POST", "/oauth/token", {"grant_type": "authorization_code", "code": code,
                                                                     "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
                                           {"Authorization": self.web_auth})
        issued = json.loads(body)
        template_hash = stored_form(issued["refresh_token"])
        cols = "client_id, user_id, scope, auth_time, issued_at, expires_at"
        (row,) = self.dbs.script("provider", f"SELECT {cols} FROM refresh_tokens WHERE token_hash = '{template_hash}'")
        client_id, uid, scope, auth_time, issued_at, expires_at = row
        # Shaped and stored as the provider mints them (time first: `TokenHash.newOrderedToken`),
        # then sent in random order, so that each refresh finds its row on a page of its own
        # rather than walking the table in the order the clones were written.
        prefix = f"{int(issued_at):012x}"
        tokens = [prefix + secrets.token_urlsafe(32) for _ in range(pool_size)]
        self.dbs.script("provider", "INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, family_id, auth_time, "
                        "issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(stored_form(t), client_id, int(uid), scope, prefix + "." + secrets.token_urlsafe(16),
                          int(auth_time), int(issued_at), int(expires_at)) for t in tokens])
        secrets.SystemRandom().shuffle(tokens)
        Path(pool_file).write_text("\n".join(tokens) + "\n")
        # One of the pool, used by hand, proves the clones refresh (and is then skipped by the run).
        status, _, body = provider.request("POST", "/oauth/token", {"grant_type": "refresh_token", "refresh_token": tokens[-1]},
                                           {"Authorization": self.web_auth})
        if status != 200:
            raise RuntimeError(f"a cloned refresh token was refused: {status} {body}")

    def sign_in(self, browser):
        status, _, page = browser.request("GET", "/login")
        status, _, _ = browser.request("POST", "/login", {"csrf_token": hidden(page, "csrf_token"), "username": USERNAME,
                                                          "password": PASSWORD})
        if status != 303:
            raise RuntimeError(f"the site's sign-in answered {status}")
        return browser.cookie("latchkey_session")

    def stop(self):
        for s in (self.site, self.provider):
            if s:
                s.stop()


# ---------------------------------------------------------------------------------------------
# The peer


class Peer:
    def __init__(self, args, work, dbs, server_pin):
        self.args, self.work, self.dbs, self.pin = args, work, dbs, server_pin
        self.dir = Path(args.peer_dir).resolve()
        self.venv = Path(args.peer_venv).resolve()
        self.port = args.port + 2
        self.env = dict(os.environ, PEER_VENV=str(self.venv), PORT=str(self.port), PEER_FAST_HASHER="1",
                        PEER_LOGIN_LIMITS="bench", PEER_DB_PATH=f"{work}/peer.sqlite3")
        if dbs.postgres_url:
            self.env["DATABASE_URL"] = dbs.url("peer").split("?")[0]
        self.server = None

    def start(self, pool_size, pool_file):
        out = subprocess.run([str(self.venv / "bin/python"), str(self.dir / "seed.py"), "--refresh-pool", str(pool_size),
                              "--refresh-pool-file", pool_file, "--redirect-uri", REDIRECT_URI],
                             env=self.env, cwd=self.work, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"the peer's seed.py failed: {out.stderr}")
        self.seeded = json.loads(out.stdout.strip().splitlines()[-1])
        self.server = Server("allauth-peer", self.pin + [str(self.dir / "run.sh")], self.port, env=self.env, cwd=self.work,
                             log=f"{self.work}/peer.log")
        self.server.wait_ready()
        s = self.seeded
        self.cc_auth = "Basic " + base64.b64encode(f"{s['cc_client_id']}:{s['cc_client_secret']}".encode()).decode()
        self.web_auth = "Basic " + base64.b64encode(f"{s['web_client_id']}:{s['web_client_secret']}".encode()).decode()
        base = f"http://127.0.0.1:{self.port}"
        browser = Browser(base)
        status, _, page = browser.request("GET", "/accounts/login/")
        status, _, _ = browser.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"), "login": USERNAME, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"the peer's sign-in answered {status}")
        self.session = browser.cookie("sessionid")
        status, _, page = browser.request("GET", "/accounts/3rdparty/")
        if status != 200 or "GitHub" not in page:
            raise RuntimeError(f"the peer's connections page answered {status} without the linked account")
        anonymous = Browser(base)
        status, _, page = anonymous.request("GET", "/accounts/login/")
        self.csrf_cookie = anonymous.cookie("csrftoken")
        self.csrf_token = hidden(page, "csrfmiddlewaretoken")
        status, _, body = anonymous.request("POST", "/o/token/", {"grant_type": "client_credentials", "scope": "read"},
                                            {"Authorization": self.cc_auth})
        if status != 200:
            raise RuntimeError(f"the peer's client_credentials answered {status}: {body}")
        self.cc_token = json.loads(body)["access_token"]

    def stop(self):
        if self.server:
            self.server.stop()


# ---------------------------------------------------------------------------------------------


class ScryptRate:
    """Hashes a second on one core, measured before and after a run: `wall` is what the floor
    compares with, `cpu` (per CPU-second of the measuring process) what the core could do had
    nothing else wanted it."""

    def __init__(self, before, after):
        self.wall = (before.wall + after.wall) / 2
        self.cpu = (before.cpu + after.cpu) / 2
        self.spread = abs(before.wall - after.wall) / max(self.wall, 1e-9)


class Rate:
    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu


def scrypt_rate(pin, log_n, seconds=3.0):
    """How many scrypt hashes (N = 2^log_n, r = 8, p = 1: Latchkey's parameters, and OpenSSL's
    EVP_PBE_scrypt, which Latchkey calls too) one core computes one after another: per second of
    wall time and per second of CPU time."""
    code = f"""
import hashlib, os, time
n, done, start, cpu = 1 << {log_n}, 0, time.perf_counter(), time.process_time()
while time.perf_counter() - start < {seconds} or done < 3:
    hashlib.scrypt(b"alice-password-123", salt=os.urandom(16), n=n, r=8, p=1, maxmem=256 << 20, dklen=32)
    done += 1
print(done / (time.perf_counter() - start), done / (time.process_time() - cpu))
"""
    out = subprocess.run(pin + [sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.split()
    return Rate(float(wall), float(cpu))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--root", default=".")
    p.add_argument("--peer-dir")
    p.add_argument("--peer-venv")
    p.add_argument("--postgres-url")
    p.add_argument("--duration", default="10s")
    p.add_argument("--sign-in-duration", default="30s")
    p.add_argument("--alternate-duration", default="5s", help="each round of the new/returning visitor comparison")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--port", type=int, default=18700)
    p.add_argument("--only", help="comma-separated route keys to run (default: all)")
    p.add_argument("--serve", action="store_true",
                   help="seed, print what a load test needs (ports, cookies, Authorization headers, pools) and keep the "
                        "servers running until interrupted: for profiling by hand")
    a = p.parse_args()

    server_pin, load_pin = pinning()
    work = Path(tempfile.mkdtemp(prefix="latchkey-product-bench."))
    dbs = Databases(work, a.postgres_url)
    dbs.create("site", "provider", "peer")
    post_lua, pool_lua = lua(work)
    seconds = float(a.duration.rstrip("s")) if a.duration.endswith("s") else 10.0
    ours = Latchkey(a, work, dbs, server_pin)
    peer = Peer(a, work, dbs, server_pin) if a.peer_dir else None
    say(f"product stage: {dbs.kind}, wrk -t{a.threads} -c{a.connections} -d{a.duration} --latency; "
        + (f"servers on CPU {server_pin[-1]}, wrk on CPUs {load_pin[-1]}" if server_pin else "no pinning"))
    if not peer:
        say("product stage: ../shared/peers/django-allauth-bench not found: measuring Latchkey alone, no ratios or floors")
    try:
        ours.start()
        ours.seed(int(8000 * seconds), f"{work}/ours-pool.txt")
        if peer:
            peer.start(int(600 * seconds), f"{work}/peer-pool.txt")
        if a.serve:
            serve_forever(ours, peer, work)
        else:
            run_all(a, ours, peer, work, post_lua, pool_lua, load_pin, server_pin)
    finally:
        ours.stop()
        if peer:
            peer.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def serve_forever(ours, peer, work):
    facts = {"site": f"http://127.0.0.1:{ours.site_port}", "site_pid": ours.site.pid, "site_session": ours.session,
             "site_csrf_cookie": ours.csrf_cookie, "site_csrf_token": ours.csrf_token,
             "provider": f"http://127.0.0.1:{ours.provider_port}", "provider_pid": ours.provider.pid,
             "provider_cc_auth": ours.cc_auth, "provider_cc_token": ours.cc_token, "provider_web_auth": ours.web_auth,
             "provider_refresh_pool": f"{work}/ours-pool.txt", "work": str(work)}
    if peer:
        facts.update({"peer": f"http://127.0.0.1:{peer.port}", "peer_pid": peer.server.pid, "peer_session": peer.session,
                      "peer_cc_auth": peer.cc_auth, "peer_refresh_pool": f"{work}/peer-pool.txt"})
    print(json.dumps(facts, indent=1), flush=True)
    # SIGTERM as well as SIGINT ends it (a shell's background job ignores SIGINT), and the servers
    # are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def run_all(a, ours, peer, work, post_lua, pool_lua, load_pin, server_pin):
    site = f"http://127.0.0.1:{ours.site_port}"
    prov = f"http://127.0.0.1:{ours.provider_port}"
    routes = []  # (key, label, ours (server, url, kwargs), peer (url, kwargs))

    def post(body, auth=None, cookie=None):
        headers = [h for h in (auth and f"Authorization: {auth}", cookie and f"Cookie: {cookie}") if h]
        return dict(script=str(post_lua), headers=headers, env={"WRK_BODY": body})

    routes.append(("login_new", "sign-in page, new visitor", (ours.site, site + "/login", {}),
                   peer and ("/accounts/login/", {})))
    routes.append(("login_returning", "sign-in page, returning visitor", (ours.site, site + "/login",
                   {"headers": [f"Cookie: latchkey_session_csrf={ours.csrf_cookie}"]}),
                   peer and ("/accounts/login/", {"headers": [f"Cookie: csrftoken={peer.csrf_cookie}"]})))
    routes.append(("account", "account page, 1 linked account", (ours.site, site + "/account",
                   {"headers": [f"Cookie: latchkey_session={ours.session}"]}),
                   peer and ("/accounts/3rdparty/", {"headers": [f"Cookie: sessionid={peer.session}"]})))
    routes.append(("client_credentials", "client_credentials grant", (ours.provider, prov + "/oauth/token",
                   post("grant_type=client_credentials&scope=read", ours.cc_auth)),
                   peer and ("/o/token/", post("grant_type=client_credentials&scope=read", peer.cc_auth))))
    routes.append(("introspection", "introspection (client Basic auth)", (ours.provider, prov + "/oauth/introspect",
                   post(f"token={ours.cc_token}", ours.cc_auth)),
                   peer and ("/o/introspect/", post(f"token={peer.cc_token}", peer.cc_auth))))
    routes.append(("refresh", "refresh grant, rotation", (ours.provider, prov + "/oauth/token",
                   dict(script=str(pool_lua), headers=[f"Authorization: {ours.web_auth}"],
                        env={"WRK_POOL": f"{work}/ours-pool.txt", "WRK_THREADS": str(a.threads),
                             "WRK_PREFIX": "grant_type=refresh_token&refresh_token="})),
                   peer and ("/o/token/", dict(script=str(pool_lua), headers=[f"Authorization: {peer.web_auth}"],
                                                env={"WRK_POOL": f"{work}/peer-pool.txt", "WRK_THREADS": str(a.threads),
                                                     "WRK_PREFIX": "grant_type=refresh_token&refresh_token="}))))
    only = set(a.only.split(",")) if a.only else None
    results = {}
    for key, label, (server, url, kw), theirs in routes:
        if only and key not in only:
            continue
        say(f"== {label}")
        if key != "refresh":
            # Two seconds of the same load first, not counted, on both: the first route measured
            # otherwise also measures a server that has just started (caches, pools, allocator).
            # Refresh tokens are single-use, so that route is not warmed.
            if theirs:
                wrk(f"http://127.0.0.1:{peer.port}{theirs[0]}", "2s", a.threads, a.connections, pin=load_pin, timeout="10s",
                    **theirs[1])
            wrk(url, "2s", a.threads, a.connections, pin=load_pin, timeout="10s", **kw)
        if theirs:
            r = wrk(f"http://127.0.0.1:{peer.port}{theirs[0]}", a.duration, a.threads, a.connections, pin=load_pin,
                    timeout="10s", server=peer.server, **theirs[1])
            note(peer.server.name, r)
            results[(key, "peer")] = r
        r = wrk(url, a.duration, a.threads, a.connections, pin=load_pin, timeout="10s", server=server, **kw)
        note(server.name, r)
        results[(key, "ours")] = r

    rss = {"site": ours.site.rss_mb(), "provider": ours.provider.rss_mb(), "peer": peer.server.rss_mb() if peer else 0.0}

    # The new visitor's floor compares two of our own routes that cost about the same (their
    # instruction counts differ by 3%), so the machine's drift between two runs minutes apart
    # outweighs the difference being measured. Three alternating rounds of each, ratio of the
    # medians, so both see the same machine.
    alternating = None
    if not only or {"login_new", "login_returning"} <= only:
        say("== new and returning visitor, three alternating rounds")
        rounds = {"login_new": [], "login_returning": []}
        for _ in range(3):
            for key in rounds:
                _, _, (server, url, kw), _ = next(r for r in routes if r[0] == key)
                r = wrk(url, a.alternate_duration, a.threads, a.connections, pin=load_pin, timeout="10s", server=server, **kw)
                note(f"{server.name} {key}", r)
                rounds[key].append(r.rps)
        alternating = (statistics.median(rounds["login_new"]), statistics.median(rounds["login_returning"]))

    # Password sign-ins: 64 at once for longer (each waits its turn for a hash), wrk's timeout
    # raised so that none is dropped as late; the site's RSS sampled meanwhile.
    signin = None
    if not only or "sign_in" in only:
        say("== password sign-in (correct password), 64 concurrent")
        body = urllib.parse.urlencode({"csrf_token": ours.csrf_token, "username": USERNAME, "password": PASSWORD})
        theirs = None
        if peer:
            pbody = urllib.parse.urlencode({"csrfmiddlewaretoken": peer.csrf_token, "login": USERNAME, "password": PASSWORD})
            theirs = wrk(f"http://127.0.0.1:{peer.port}/accounts/login/", a.sign_in_duration, a.threads, a.connections,
                         pin=load_pin, timeout="60s", server=peer.server, **post(pbody, cookie=f"csrftoken={peer.csrf_cookie}"))
            note(peer.server.name, theirs)
        # The hash rate right before and right after our run, on the same core: the machine is
        # shared, and the floor is a ratio of two rates that must see the same machine.
        before = scrypt_rate(server_pin, 15)
        sampler = RSSSampler(ours.site)
        mine = wrk(site + "/login", a.sign_in_duration, a.threads, a.connections, pin=load_pin, timeout="60s",
                   server=ours.site, **post(body, cookie=f"latchkey_session_csrf={ours.csrf_cookie}"))
        peak = sampler.stop()
        after = scrypt_rate(server_pin, 15)
        note(ours.site.name, mine)
        rate = ScryptRate(before, after)
        say(f"   one core computes {before.wall:.2f} scrypt hashes a second before our run, {after.wall:.2f} after "
            f"({before.cpu:.2f} and {after.cpu:.2f} per CPU-second; N=2^15, r=8, p=1)")
        signin = (rate, mine, theirs, peak)

    report(routes, results, rss, peer, signin, a, alternating)


def stored_form(token):
    """How the provider stores a token it issued (`TokenHash.of`): an access or refresh token,
    12 hex digits of time and then 43 characters, keeps its time before the hex SHA-256."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    head = token[:12]
    ordered = len(token) == 55 and all(c in "0123456789abcdef" for c in head)
    return head + digest if ordered else digest


class RSSSampler:
    """Samples a server's RSS ten times a second on a thread until stopped; returns the peak (MB)."""

    def __init__(self, server):
        import threading
        self.server, self.peak, self.running = server, 0.0, True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            self.peak = max(self.peak, self.server.rss_mb())
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


def note(name, r):
    problems = r.problems()
    line = (f"   {name:18} {fmt_rps(r.rps):>9} req/s  p50 {fmt_ms(r.p50)} ms  p99 {fmt_ms(r.p99)} ms"
            f"  cpu {r.cpu_share * 100:.0f}%")
    say(line + (f"  ({'; '.join(problems)})" if problems else ""))


def report(routes, results, rss, peer, signin, a, alternating=None):
    say("")
    say(f"Latchkey / peer, req/s and latency (ms), wrk -c{a.connections}; cpu: the share of its core each server used:")
    rows, by_key = [], {}
    for key, label, _, _ in routes:
        o = results.get((key, "ours"))
        if not o:
            continue
        t = results.get((key, "peer"))
        by_key[key] = (o, t)
        rows.append(row(label, o, t))
    if signin:
        rate, mine, theirs, peak = signin
        rows.append(row("password sign-in, 64 at once", mine, theirs))
    table(["route", "ours req/s", "peer req/s", "ratio", "ours p50/p99", "peer p50/p99", "cpu ours/peer", "ratio per CPU-s"], rows)
    say("(ratio per CPU-s: each side's req/s over the share of its core it got; steadier than the ratio when other work "
        "takes the core, but it flatters a server that waits on something other than its CPU)")
    say(f"RSS after the routes: site {rss['site']:.1f} MB, provider {rss['provider']:.1f} MB"
        + (f", peer {rss['peer']:.1f} MB (gunicorn master + workers)" if peer else ""))

    # The floors (issue 17), as ratios in this run.
    checks = []
    if peer:
        for key in ("login_new", "login_returning", "account"):
            if key in by_key:
                o, t = by_key[key]
                checks.append((f"{key}: ours/peer >= 50x", ratio(o.rps, t.rps), 50))
        for key in ("client_credentials", "introspection", "refresh"):
            if key in by_key:
                o, t = by_key[key]
                checks.append((f"{key}: ours/peer >= 25x", ratio(o.rps, t.rps), 25))
    if alternating:
        new_rps, returning_rps = alternating
        say(f"new visitor {fmt_rps(new_rps)} req/s, returning visitor {fmt_rps(returning_rps)} req/s: medians of three "
            f"alternating rounds (in the table above, one run each: "
            + (fmt_ratio(ratio(by_key["login_new"][0].rps, by_key["login_returning"][0].rps))
               if "login_new" in by_key and "login_returning" in by_key else "-") + ")")
        checks.append(("new visitor's page / returning visitor's >= 0.9x (alternating rounds)",
                       ratio(new_rps, returning_rps), 0.9))
    if signin:
        rate, mine, _, peak = signin
        seconds = mine.requests / mine.rps if mine.rps else float("nan")
        signed_in = (mine.requests - mine.non2xx) / seconds
        checks.append((f"sign-ins completed ({signed_in:.2f}/s, {mine.non2xx} answered 503 busy) / one core's scrypt rate "
                       f"({rate.wall:.2f}/s) >= 0.8x", ratio(signed_in, rate.wall), 0.8))
        if mine.cpu_share == mine.cpu_share and mine.cpu_share > 0:
            per_cpu = signed_in / mine.cpu_share
            say(f"sign-ins per CPU-second of the site: {per_cpu:.2f}, scrypt hashes per CPU-second: {rate.cpu:.2f} "
                f"({fmt_ratio(ratio(per_cpu, rate.cpu))}); the site had {mine.cpu_share * 100:.0f}% of its core")
        if rate.spread > 0.15:
            say(f"note: the hash rate moved {rate.spread * 100:.0f}% between before and after: other work on the machine")
        checks.append(("site RSS during the sign-ins <= 256 MB", peak, None))
    say("")
    say("floors:")
    for name, value, floor in checks:
        if floor is None:
            verdict = "holds" if value <= 256 else "NOT MET"
            say(f"  {verdict:8} {name}: {value:.0f} MB")
        else:
            verdict = "holds" if value >= floor else "NOT MET"
            say(f"  {verdict:8} {name}: {fmt_ratio(value)}")
    starved = [f"{key} ({name})" for (key, name), r in results.items() if r.cpu_share == r.cpu_share and r.cpu_share < 0.85]
    if starved:
        say("note: these runs used under 85% of their server's core (other work on the machine, or a server waiting on "
            "something other than its CPU): " + ", ".join(starved))


def row(label, o, t):
    return [label, fmt_rps(o.rps), fmt_rps(t.rps) if t else "-", fmt_ratio(ratio(o.rps, t.rps)) if t else "-",
            f"{fmt_ms(o.p50)}/{fmt_ms(o.p99)}", f"{fmt_ms(t.p50)}/{fmt_ms(t.p99)}" if t else "-",
            f"{o.cpu_share * 100:.0f}%/{t.cpu_share * 100:.0f}%" if t else f"{o.cpu_share * 100:.0f}%",
            fmt_ratio(ratio(o.rps / o.cpu_share, t.rps / t.cpu_share)) if t and o.cpu_share > 0 and t.cpu_share > 0 else "-"]


if __name__ == "__main__":
    main()
