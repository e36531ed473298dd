"""What the benchmark stages share: wrk runs and their figures, servers started and stopped,
memory read from /proc, medians and tables. Standard library only."""

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CPUS = os.cpu_count() or 1


def pinning():
    """(server CPUs, load-generator CPUs) for taskset: servers on CPU 0, wrk on the rest.
    BENCH_PIN=0, or a single CPU, shares every core (no taskset)."""
    if os.environ.get("BENCH_PIN", "1") == "0" or len(os.sched_getaffinity(0)) < 2:
        return [], []
    cpus = sorted(os.sched_getaffinity(0))
    rest = ",".join(str(c) for c in cpus[1:])
    return ["taskset", "-c", str(cpus[0])], ["taskset", "-c", rest]


def say(*parts):
    print(*parts, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A child process serving HTTP on 127.0.0.1:port, with its output in a log file."""

    def __init__(self, name, argv, port, env=None, cwd=None, log=None, health="/healthz"):
        self.name, self.port, self.health = name, port, health
        self.log_path = log or f"/tmp/bench-{name}-{port}.log"
        self.log = open(self.log_path, "wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    @property
    def pid(self):
        return self.process.pid

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}); see {self.log_path}:\n"
                                   + tail(self.log_path))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{self.health}", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer {self.health} within {timeout} s; see {self.log_path}")

    def rss_mb(self):
        """Resident memory of the process and its children (gunicorn's workers), in MB."""
        return sum(rss_kb(pid) for pid in [self.pid] + children(self.pid)) / 1024

    def cpu_seconds(self):
        """CPU time (user + system) the process and its children have used so far."""
        return sum(cpu_ticks(pid) for pid in [self.pid] + children(self.pid)) / os.sysconf("SC_CLK_TCK")

    def peak_mb(self):
        """The largest resident size the main process has had (VmHWM), in MB."""
        return status_kb(self.pid, "VmHWM") / 1024

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (all threads)
    except (OSError, IndexError, ValueError):
        return 0


def rss_kb(pid):
    return status_kb(pid, "VmRSS")


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def seconds(text):
    """wrk's '1.23ms', '850.00us', '2.01s', '1.50m' as seconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


class WrkResult:
    """What one wrk run reported."""

    def __init__(self, output):
        self.output = output
        m = re.search(r"Requests/sec:\s+([\d.]+)", output)
        self.rps = float(m.group(1)) if m else 0.0
        m = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
        self.requests = int(m.group(1)) if m else 0
        self.percentiles = {}
        for p, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M):
            self.percentiles[int(p)] = seconds(value) * 1000
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        self.non2xx = int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
        self.socket_errors = tuple(int(x) for x in m.groups()) if m else (0, 0, 0, 0)
        self.cpu_share = float("nan")

    @property
    def p50(self):
        return self.percentiles.get(50, float("nan"))

    @property
    def p99(self):
        return self.percentiles.get(99, float("nan"))

    def problems(self):
        notes = []
        if self.non2xx:
            notes.append(f"{self.non2xx} non-2xx/3xx")
        connect, read, write, timeout = self.socket_errors
        if connect or write or timeout:
            notes.append(f"socket errors connect {connect} write {write} timeout {timeout}")
        return notes


def wrk(url, duration="10s", threads=2, connections=64, script=None, headers=(), timeout=None, env=None, pin=(), server=None):
    """Runs wrk; with `server`, also records the share of one core the server used meanwhile
    (`cpu_share`): well under 1 on a pinned, saturated server means other work took its core."""
    argv = list(pin) + ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency"]
    if timeout:
        argv += ["--timeout", timeout]
    for h in headers:
        argv += ["-H", h]
    if script:
        argv += ["-s", script]
    argv.append(url)
    run_env = dict(os.environ, **(env or {}))
    cpu, start = (server.cpu_seconds(), time.perf_counter()) if server else (0, 0)
    out = subprocess.run(argv, capture_output=True, text=True, env=run_env)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr.strip()}")
    result = WrkResult(out.stdout)
    if server:
        result.cpu_share = (server.cpu_seconds() - cpu) / (time.perf_counter() - start)
    return result


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def ratio(a, b):
    return a / b if b else float("inf")


def table(header, rows, aligns=None):
    """A plain table: the first column left-aligned, the rest right-aligned."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    def line(r):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    sys.stdout.flush()


def fmt_rps(x):
    if x != x:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ms(x):
    if x != x:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(x):
    if x != x:
        return "-"
    return f"{x:,.0f}x" if x >= 100 else f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"
