#!/usr/bin/env python3
"""Issue 13's measurements against a running `latchkey serve` (release, SQLite, scrypt cost 15).

Scenarios (each prints one `RESULT name key=value …` line):
  hang      N social sign-ins wait on a provider that never answers, while a signed-in person
            loads /account: its p50/p99 latency.
  burst     N concurrent password sign-ins (right password, distinct accounts): status counts and
            the site's peak RSS.
  guess     N concurrent wrong passwords for one account: how many were checked (not throttled).
  anonymous N anonymous GET /login: rows in the sessions table afterwards.
  fds       with the site started under a low descriptor limit, N idle connections held: log growth
            and whether /healthz answers once they close (run with --log, --pid).

Test tooling only (the product stays Swift); standard library only.
"""
import argparse, concurrent.futures, http.client, os, re, socket, sqlite3, statistics, sys, threading, time, urllib.parse

def request(port, method, path, body=None, cookies=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    jar = dict(cookies or {})
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            k, _, v = pair.partition("=")
            if v:
                jar[k] = v
            else:
                jar.pop(k, None)
    conn.close()
    return response.status, dict(response.getheaders()), text, jar

def csrf(text):
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    return match.group(1) if match else ""

def form(port, path, fields, jar=None):
    status, _, page, jar = request(port, "GET", path, cookies=jar)
    fields = dict(fields, csrf_token=csrf(page))
    return request(port, "POST", path, body=fields, cookies=jar)

def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0

class PeakRSS(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True
    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0

def hang(args):
    # A signed-in person, then N sign-ins started and sent back with a code the provider never exchanges.
    _, _, _, person = form(args.port, "/signup", {"username": "reader", "email": "reader@example.com",
                                                  "password": "correct horse battery", "password_confirmation": "correct horse battery"})
    def stuck_sign_in(i):
        status, _, page, jar = request(args.port, "GET", "/login")
        status, headers, _, jar = request(args.port, "POST", "/auth/github", body={"csrf_token": csrf(page), "intent": "signin"}, cookies=jar)
        state = urllib.parse.parse_qs(urllib.parse.urlparse(headers.get("Location", "")).query).get("state", [""])[0]
        started = time.time()
        status, _, _, _ = request(args.port, "GET", f"/auth/github/callback?state={state}&code=never-{i}", cookies=jar, timeout=120)
        return status, time.time() - started
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.n)
    stuck = [pool.submit(stuck_sign_in, i) for i in range(args.n)]
    time.sleep(1.0)
    latencies = []
    until = time.time() + args.seconds
    while time.time() < until:
        started = time.perf_counter()
        status, _, _, _ = request(args.port, "GET", "/account", cookies=person)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            print(f"account page answered {status}", file=sys.stderr)
        time.sleep(0.05)
    ends = [f.result() for f in stuck]
    statuses = sorted({s for s, _ in ends})
    print(f"RESULT hang stuck={args.n} account_requests={len(latencies)} p50_ms={percentile(latencies, 0.5):.1f} "
          f"p99_ms={percentile(latencies, 0.99):.1f} max_ms={max(latencies):.1f} stuck_statuses={statuses} "
          f"stuck_longest_s={max(d for _, d in ends):.1f}")

def burst(args):
    names = [f"burst{i}" for i in range(args.n)]
    # Accounts made beforehand through the CLI-free path: sign-ups, sequentially (their own limit applies).
    for name in names:
        form(args.port, "/signup", {"username": name, "email": f"{name}@example.com",
                                    "password": "correct horse battery", "password_confirmation": "correct horse battery"})
    watcher = PeakRSS(args.pid)
    watcher.start()
    def sign_in(name):
        status, _, _, _ = form(args.port, "/login", {"username": name, "password": "correct horse battery"})
        return status
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.n) as pool:
        statuses = list(pool.map(sign_in, names))
    elapsed = time.time() - started
    watcher.running = False
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"RESULT burst sign_ins={args.n} statuses={counts} seconds={elapsed:.1f} per_second={args.n / elapsed:.1f} "
          f"peak_rss_mib={watcher.peak / 1024:.0f}")

def guess(args):
    form(args.port, "/signup", {"username": "target", "email": "target@example.com",
                                "password": "correct horse battery", "password_confirmation": "correct horse battery"})
    def wrong(i):
        status, _, _, _ = form(args.port, "/login", {"username": "target", "password": f"wrong guess {i}"})
        return status
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.n) as pool:
        statuses = list(pool.map(wrong, range(args.n)))
    checked = statuses.count(401)
    print(f"RESULT guess attempts={args.n} checked={checked} throttled={statuses.count(429)} other={args.n - checked - statuses.count(429)}")

def anonymous(args):
    before = sqlite3.connect(args.db).execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    def visit(_):
        return request(args.port, "GET", "/login")[0]
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(visit, range(args.n)))
    after = sqlite3.connect(args.db).execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    print(f"RESULT anonymous visits={args.n} ok={statuses.count(200)} session_rows_before={before} session_rows_after={after}")

def fds(args):
    size_before = os.path.getsize(args.log)
    held = []
    for _ in range(args.n):
        try:
            s = socket.create_connection(("127.0.0.1", args.port), timeout=2)
            held.append(s)
        except OSError:
            pass
    time.sleep(args.seconds)
    growth = os.path.getsize(args.log) - size_before
    for s in held:
        s.close()
    recovered = None
    started = time.time()
    while time.time() - started < 10:
        try:
            if request(args.port, "GET", "/healthz", timeout=2)[0] == 200:
                recovered = time.time() - started
                break
        except OSError:
            pass
        time.sleep(0.05)
    print(f"RESULT fds held={len(held)} log_growth_bytes={growth} healthz_after_close_s="
          f"{'never' if recovered is None else f'{recovered:.2f}'}")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["hang", "burst", "guess", "anonymous", "fds"])
    parser.add_argument("port", type=int)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pid", type=int, default=0)
    parser.add_argument("--db", default="")
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    {"hang": hang, "burst": burst, "guess": guess, "anonymous": anonymous, "fds": fds}[args.scenario](args)

if __name__ == "__main__":
    main()
