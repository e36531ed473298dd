#!/usr/bin/env python3
"""Cold start: from exec of the release binary to the first answered `GET /healthz`, for the
site and the provider, several runs each; prints each run and the median, min and max. The clock
starts just before the process is spawned and stops when a 200 comes back; the probe connects
every millisecond (a refused connection costs microseconds). The database exists and is migrated
(a restart, as a platform does on every deploy or crash); one run on a fresh database (migrations
applied at start-up) is reported apart.

  cold_start.py --bin .build/release/latchkey --root . [--runs 11]
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port, pinning, say, table  # noqa: E402


def healthz(port):
    """True once the server answers 200; False while nothing listens."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def once(argv, env, port, cwd, timeout=30.0):
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            if healthz(port):
                return (time.perf_counter() - start) * 1000
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}")
            time.sleep(0.001)
        raise RuntimeError(f"no answer within {timeout} s")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--root", default=".")
    p.add_argument("--runs", type=int, default=11)
    a = p.parse_args()
    root = Path(a.root).resolve()
    binary = str(Path(a.bin).resolve())
    server_pin, _ = pinning()
    work = Path(tempfile.mkdtemp(prefix="latchkey-cold-start."))
    port = free_port()
    env = dict(os.environ, APP_ENV="production", HOST="127.0.0.1", PORT=str(port), BASE_URL=f"http://127.0.0.1:{port}",
               SECRET_KEY=secrets.token_urlsafe(48), EMAIL_URL="off", DATABASE_URL=f"sqlite:{work}/site.sqlite3",
               PROVIDER_HOST="127.0.0.1", PROVIDER_PORT=str(port), PROVIDER_BASE_URL=f"http://127.0.0.1:{port}",
               PROVIDER_SECRET_KEY=secrets.token_urlsafe(48), PROVIDER_DATABASE_URL=f"sqlite:{work}/provider.sqlite3",
               TEMPLATES_DIR=str(root / "Templates"), PUBLIC_DIR=str(root / "Public"),
               MIGRATIONS_DIR=str(root / "db/migrations"), LOG_LEVEL="warning")
    say(f"cold start: exec to the first 200 from /healthz, {a.runs} runs each"
        + (f", pinned to CPU {server_pin[-1]}" if server_pin else ""))
    rows = []
    try:
        for name, argv in (("site (latchkey serve)", [binary, "serve"]), ("provider (latchkey provider)", [binary, "provider"])):
            fresh = once(server_pin + argv, env, port, work)  # migrates the new database
            runs = [once(server_pin + argv, env, port, work) for _ in range(a.runs)]
            say(f"   {name}: " + " ".join(f"{r:.0f}" for r in runs) + " ms")
            rows.append([name, f"{statistics.median(runs):.1f}", f"{min(runs):.1f}", f"{max(runs):.1f}", f"{fresh:.1f}"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table(["server", "median ms", "min ms", "max ms", "fresh database ms"], rows)
    say("")
    say("floor: exec to the first answered /healthz under 200 ms (median)")
    for row in rows:
        say(f"  {'holds' if float(row[1]) < 200 else 'NOT MET':8} {row[0]}: {row[1]} ms")


if __name__ == "__main__":
    main()
