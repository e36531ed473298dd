#!/usr/bin/env python3
"""Instructions per request, route by route, counted by callgrind (valgrind), so two commits can
be compared without the machine's noise: a count does not depend on the load of other work.

The servers are seeded as in the product stage (site, provider) with ordinary processes, then
started again under `valgrind --tool=callgrind`; for each route a few warm-up requests go first,
then the counters are zeroed, a fixed number of requests is sent one after another on one
keep-alive connection, and the counters are dumped: that dump's total over the number of requests
is the figure. Everything the process does meanwhile counts (event loop, worker threads, SQLite,
OpenSSL, the request log): what a request costs the server, not only its handler.

  instruction_counts.py --bin .build/release/latchkey --bench-bin .build/release/BenchServer \\
      --root . [--templates ../shared/peers/hummingbird-bench/templates] [--requests 200] [--keep DIR]
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Server, free_port, say, table  # noqa: E402
from product_bench import PASSWORD, USERNAME, Databases, Latchkey  # noqa: E402


def callgrind(out_dir, name):
    return ["valgrind", "--tool=callgrind", "--quiet", f"--callgrind-out-file={out_dir}/{name}.%p.out",
            "--dump-instr=no", "--collect-jumps=no"]


def stripped(binary, work):
    """A copy of `binary` without its DWARF: valgrind 3.19 (Debian 12) cannot read the DWARF 5 that
    Swift 6 emits and gives up. The symbol table stays, so callgrind still names functions."""
    copy = Path(work) / (Path(binary).name + ".stripped")
    shutil.copy(binary, copy)
    subprocess.run(["strip", "--strip-debug", str(copy)], check=True)
    return str(copy)


def control(pid, *args):
    # vgdb names its pipes after $USER and $HOST as the server saw them, and the servers are given
    # HOST=127.0.0.1 (the address they bind).
    out = subprocess.run(["callgrind_control", *args, str(pid)], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, HOST="127.0.0.1"))
    if out.returncode != 0:
        raise RuntimeError(f"callgrind_control {' '.join(args)}: {out.stdout}{out.stderr}")
    if os.environ.get("BENCH_DEBUG"):
        say(f"callgrind_control {' '.join(args)} {pid}: {out.stdout.strip()} {out.stderr.strip()}")


def newest_dump(out_dir, name, pid, before):
    """The dump file callgrind wrote for this process since `before` (its name gets a counter)."""
    files = [p for p in Path(out_dir).glob(f"{name}.{pid}.out.*") if p.stat().st_mtime >= before and p.name not in SEEN]
    if not files:
        raise RuntimeError(f"no callgrind dump for {name} in {out_dir}")
    newest = max(files, key=lambda p: p.stat().st_mtime)
    SEEN.add(newest.name)
    return newest


SEEN = set()


def total_instructions(path):
    text = path.read_text(errors="replace")
    m = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
    if not m:
        raise RuntimeError(f"no totals in {path}")
    return int(m.group(1))


class Client:
    """One keep-alive connection; requests one after another."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def send(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        r.read()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        return r.status


def measure(server, out_dir, name, label, make_request, count, warmup, expect):
    client = Client(server.port)
    for i in range(warmup):
        status = client.send(*make_request(i))
        if status not in expect:
            raise RuntimeError(f"{label}: warm-up answered {status}")
    control(server.pid, "--zero")
    before = time.time() - 1
    for i in range(warmup, warmup + count):
        status = client.send(*make_request(i))
        if status not in expect:
            raise RuntimeError(f"{label}: answered {status}")
    control(server.pid, "--dump=" + re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_"))
    for _ in range(100):
        try:
            return total_instructions(newest_dump(out_dir, name, server.pid, before)) / count
        except RuntimeError:
            time.sleep(0.1)
    return total_instructions(newest_dump(out_dir, name, server.pid, before)) / count


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--bench-bin")
    p.add_argument("--templates", help="the Hummingbird peer's templates (BenchServer renders its index.mustache)")
    p.add_argument("--root", default=".")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--sign-ins", type=int, default=3)
    p.add_argument("--port", type=int, default=18760)
    p.add_argument("--keep", help="keep the callgrind dumps in this folder (for callgrind_annotate)")
    a = p.parse_args()
    a.postgres_url = None

    work = Path(tempfile.mkdtemp(prefix="latchkey-instructions."))
    out_dir = Path(a.keep).resolve() if a.keep else work / "callgrind"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    n, w = a.requests, max(5, a.requests // 10)
    ours = Latchkey(a, work, Databases(work, None), [])
    try:
        say("seeding the site and the provider (ordinary processes)…")
        ours.start()
        ours.seed(n + w + 10, f"{work}/pool.txt")
        ours.stop()
        pool = Path(f"{work}/pool.txt").read_text().split()
        say("the site and the provider again, under callgrind (slow to start)…")
        ours.bin = stripped(ours.bin, work)
        ours.start_site(callgrind(out_dir, "site"), timeout=300)
        ours.start_provider(callgrind(out_dir, "provider"), timeout=300)
        csrf = {"Cookie": f"latchkey_session_csrf={ours.csrf_cookie}"}
        signin = urllib.parse.urlencode({"csrf_token": ours.csrf_token, "username": USERNAME, "password": PASSWORD})
        site_routes = [
            ("GET /login (new visitor)", lambda i: ("GET", "/login"), n, {200}),
            ("GET /login (returning visitor)", lambda i: ("GET", "/login", None, csrf), n, {200}),
            ("GET /account (1 linked account)", lambda i: ("GET", "/account", None, {"Cookie": f"latchkey_session={ours.session}"}),
             n, {200}),
            ("POST /login (password sign-in, scrypt 2^15)", lambda i: ("POST", "/login", signin, csrf), a.sign_ins, {303}),
        ]
        for label, make, count, expect in site_routes:
            say(f"   {label}…")
            rows.append(("site", label, measure(ours.site, out_dir, "site", label, make, count, w if count == n else 1, expect)))
        cc = {"Authorization": ours.cc_auth}
        web = {"Authorization": ours.web_auth}
        provider_routes = [
            ("POST /oauth/token (client_credentials)", lambda i: ("POST", "/oauth/token", "grant_type=client_credentials&scope=read", cc),
             n, {200}),
            ("POST /oauth/introspect", lambda i: ("POST", "/oauth/introspect", f"token={ours.cc_token}", cc), n, {200}),
            ("POST /oauth/token (refresh, rotation)",
             lambda i: ("POST", "/oauth/token", f"grant_type=refresh_token&refresh_token={pool[i]}", web), n, {200}),
        ]
        for label, make, count, expect in provider_routes:
            say(f"   {label}…")
            rows.append(("provider", label, measure(ours.provider, out_dir, "provider", label, make, count, w, expect)))
    finally:
        ours.stop()

    if a.bench_bin and a.templates:
        port = free_port()
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), TEMPLATES_DIR=str(Path(a.templates).resolve()))
        bench = Server("BenchServer", callgrind(out_dir, "bench") + [stripped(a.bench_bin, work)], port, env=env,
                       log=f"{work}/bench.log", health="/hello")
        try:
            bench.wait_ready(300)
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("POST", "/login", body="username=alice&password=secret",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            cookie = r.getheader("Set-Cookie").split(";")[0]
            conn.close()
            for label, make, expect in [
                ("GET /hello", lambda i: ("GET", "/hello"), {200}),
                ("GET / (Mustache, 20 items)", lambda i: ("GET", "/"), {200}),
                ("GET /me (HMAC cookie + JSON)", lambda i: ("GET", "/me", None, {"Cookie": cookie}), {200}),
                ("POST /login (form + HMAC + 303)", lambda i: ("POST", "/login", "username=alice&password=secret"), {303}),
            ]:
                say(f"   {label}…")
                rows.append(("BenchServer", label, measure(bench, out_dir, "bench", label, make, n, w, expect)))
        finally:
            bench.stop()
    elif not a.bench_bin:
        say("BenchServer not given: the framework routes are skipped")
    else:
        say("the Hummingbird peer's templates not found (../shared): BenchServer's routes are skipped")

    say("")
    say(f"instructions per request (callgrind; {n} requests per route after {w} warm-up, {a.sign_ins} sign-ins):")
    table(["server", "route", "instructions"], [[s, r, f"{v:,.0f}"] for s, r, v in rows])
    if a.keep:
        say(f"dumps kept in {out_dir} (callgrind_annotate FILE)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
