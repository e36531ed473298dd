#!/usr/bin/env python3
"""The framework stage of scripts/bench: our BenchServer (the Hummingbird peer's four routes on
our `Web` framework) against ../shared/peers/hummingbird-bench, route by route, in alternating
rounds (peer, ours, peer, ours, …), so a drift in the machine's speed hits both alike. Prints
each round, then per route the median req/s of each, the median of the per-round ratios, and the
median p99 of each; then the floors of issue 17 (median ratio >= 2x on every route, our p99 no
worse than the peer's).

  framework_bench.py --ours .build/release/BenchServer --peer .build-peer/release/HBBench \\
      --templates ../shared/peers/hummingbird-bench/templates --login-lua …/scripts/login.lua \\
      [--rounds 3] [--duration 10s]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Server, fmt_ms, fmt_ratio, fmt_rps, median, pinning, ratio, say, table, wrk  # noqa: E402

ROUTES = ["GET /hello", "GET /", "GET /me", "POST /login"]


def cookie(port):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-D", "-", "-X", "POST", "-d", "username=alice&password=secret",
                          f"http://127.0.0.1:{port}/login"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.lower().startswith("set-cookie:"):
            return line.split(":", 1)[1].strip().split(";")[0]
    raise RuntimeError(f"no cookie from port {port}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ours", required=True)
    p.add_argument("--peer", required=True)
    p.add_argument("--templates", required=True)
    p.add_argument("--login-lua", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", default="10s")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--port", type=int, default=18081)
    p.add_argument("--idle", type=int, default=10000, help="idle keep-alive connections to hold against ours afterwards (0: none)")
    a = p.parse_args()

    server_pin, load_pin = pinning()
    say("pinning: servers on CPU 0, wrk on the others (BENCH_PIN=0 to share)" if server_pin else "no pinning")
    # Our cap on open connections above the idle connections held at the end, so the fresh
    # requests sent meanwhile are accepted (at the cap they would wait in the backlog).
    env = dict(os.environ, TEMPLATES_DIR=str(Path(a.templates).resolve()), MAX_CONNECTIONS=str(a.idle + 1000))
    ours = Server("ours", server_pin + [str(Path(a.ours).resolve())], a.port, env=dict(env, PORT=str(a.port)), health="/hello")
    peer = Server("peer", server_pin + [str(Path(a.peer).resolve())], a.port + 1, env=dict(env, PORT=str(a.port + 1)),
                  health="/hello")
    try:
        ours.wait_ready()
        peer.wait_ready()
        cookies = {"ours": cookie(ours.port), "peer": cookie(peer.port)}
        results = {}  # (route, server) -> [WrkResult]
        for n in range(1, a.rounds + 1):
            say(f"== round {n} of {a.rounds}")
            for route in ROUTES:
                method, path = route.split(" ", 1)
                for name, server in (("peer", peer), ("ours", ours)):
                    kw = {}
                    if path == "/me":
                        kw["headers"] = [f"Cookie: {cookies[name]}"]
                    if method == "POST":
                        kw["script"] = a.login_lua
                    r = wrk(f"http://127.0.0.1:{server.port}{path}", a.duration, a.threads, a.connections, pin=load_pin, **kw)
                    results.setdefault((route, name), []).append(r)
                    problems = r.problems() if method == "GET" else []
                    say(f"   {route:12} {name}: {fmt_rps(r.rps):>9} req/s  p99 {fmt_ms(r.p99)} ms"
                        + (f"  ({'; '.join(problems)})" if problems else ""))
        say("")
        rows, checks = [], []
        for route in ROUTES:
            o, t = results[(route, "ours")], results[(route, "peer")]
            ratios = [ratio(x.rps, y.rps) for x, y in zip(o, t)]
            o_p99, t_p99 = median([x.p99 for x in o]), median([y.p99 for y in t])
            rows.append([route, fmt_rps(median([x.rps for x in o])), fmt_rps(median([y.rps for y in t])),
                         fmt_ratio(median(ratios)), " ".join(fmt_ratio(r) for r in ratios), fmt_ms(o_p99), fmt_ms(t_p99)])
            checks.append((f"{route}: median ratio >= 2x", median(ratios) >= 2, fmt_ratio(median(ratios))))
            checks.append((f"{route}: our p99 <= the peer's", o_p99 <= t_p99, f"{fmt_ms(o_p99)} vs {fmt_ms(t_p99)} ms"))
        table(["route", "ours req/s", "peer req/s", "median ratio", "each round", "ours p99 ms", "peer p99 ms"], rows)
        say(f"RSS after the load: ours {ours.rss_mb():.1f} MB, peer {peer.rss_mb():.1f} MB")
        say("")
        say("floors:")
        for name, ok, shown in checks:
            say(f"  {'holds' if ok else 'NOT MET':8} {name}: {shown}")
        if a.idle:
            say("")
            say(f"== {a.idle} idle keep-alive connections against ours")
            subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "idle_connections.py"), "127.0.0.1",
                            str(ours.port), str(a.idle), str(ours.pid)], check=False)
    finally:
        peer.stop()
        if ours:
            ours.stop()


if __name__ == "__main__":
    main()
