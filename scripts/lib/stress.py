"""Floods a server on 127.0.0.1 with slow and stalled clients while measuring ordinary requests.
Used by scripts/stress; bounded in time, loopback only.

  stress.py run PORT PID [--slowloris N] [--stalled N] [--pipeline N] [--seconds S] [--rate R]
      baseline latency, then N slowloris connections (one header byte every few seconds, reopened
      when the server gives up on them) and N stalled readers (requests for a 3.4 KB page
      pipelined, nothing ever read), and ordinary-request latency measured meanwhile. Prints the
      figures and a final `RESULT key=value …` line; exits 1 when p99 >= 50 ms or any ordinary
      request failed.
  stress.py measure PORT SECONDS RATE
      the latency client alone (run as a separate process so the attackers' event loop cannot
      delay its clock): paced GET /hello, alternating fresh and keep-alive connections; prints
      JSON.
"""
import argparse
import asyncio
import json
import random
import resource
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"  # never anything else: this is a flood
P99_LIMIT_MS = 50.0
REQUEST_TIMEOUT = 2.0


def raise_file_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, needed), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def server_send_queues(port):
    """(connections, bytes) of answers the server has written that the peers have not taken,
    from /proc/net/tcp: the server's established sockets on `port` with a non-empty send queue."""
    connections = total = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            tx_queue = int(fields[4].split(":")[0], 16)
            if local_port == port and fields[3] == "01" and tx_queue > 0:
                connections += 1
                total += tx_queue
    return connections, total


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


# --- The latency client -------------------------------------------------------------------------

def read_response(sock):
    """Reads one response framed by Content-Length; returns its status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        body += chunk
    return status


def measure(port, seconds, rate):
    request = b"GET /hello HTTP/1.1\r\nHost: stress\r\n\r\n"
    interval = 1.0 / rate
    samples = {"fresh": [], "keepalive": []}
    errors = []
    slowest = []  # (ms, seconds into the run), to tell a burst from a steady state
    persistent = None
    start = time.monotonic()
    next_at = start
    count = 0
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        kind = "fresh" if count % 2 == 0 else "keepalive"
        count += 1
        began = time.monotonic()
        try:
            if kind == "fresh":
                with socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT) as sock:
                    sock.sendall(request)
                    status = read_response(sock)
            else:
                if persistent is None:
                    persistent = socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT)
                persistent.sendall(request)
                status = read_response(persistent)
            if status != 200:
                errors.append(f"{kind}: HTTP {status}")
                continue
            elapsed = (time.monotonic() - began) * 1000
            samples[kind].append(elapsed)
            slowest.append((elapsed, began - start))
        except OSError as error:  # includes timeouts and resets
            errors.append(f"{kind}: {error!r}")
            if kind == "keepalive" and persistent is not None:
                persistent.close()
                persistent = None
    if persistent is not None:
        persistent.close()
    slowest = sorted(slowest, reverse=True)[:5]
    print(json.dumps({"samples": samples, "errors": errors, "slowest": slowest}))


# --- The attackers ------------------------------------------------------------------------------

class Attack:
    def __init__(self, port, slowloris, stalled, pipeline):
        self.port = port
        self.pipeline = pipeline
        self.slowloris_target = slowloris
        self.stalled_target = stalled
        self.slowloris_open = 0
        self.slowloris_reopened = 0
        self.stalled_sockets = []
        self.connect_failures = 0
        self.running = True

    async def slowloris(self, index):
        """One slow client: a request line, then one header byte every 2–4 s, never the blank line.
        When the server answers (408) or closes, it starts over on a new connection."""
        header = b"X-Slow-%d: " % index + b"a" * 4000
        first = True
        while self.running:
            try:
                reader, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                self.connect_failures += 1
                await asyncio.sleep(1)
                continue
            if not first:
                self.slowloris_reopened += 1
            first = False
            self.slowloris_open += 1
            try:
                writer.write(b"GET /hello HTTP/1.1\r\nHost: stress\r\n")
                position = 0
                while self.running:
                    try:
                        # Anything from the server (its 408, or EOF) ends this connection.
                        await asyncio.wait_for(reader.read(1024), timeout=random.uniform(2, 4))
                        break
                    except asyncio.TimeoutError:
                        pass
                    writer.write(header[position:position + 1])
                    position = (position + 1) % len(header)
                    await writer.drain()
            except OSError:
                pass
            finally:
                self.slowloris_open -= 1
                writer.close()

    async def stalled(self):
        """One client that pipelines `pipeline` requests for the 3.4 KB page and never reads. With
        a 4 KB receive window, the answers pile up in the server's socket buffer (which Linux
        grows to 4 MB) until the server has to hold the rest back itself."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        try:
            await loop.sock_connect(sock, (HOST, self.port))
        except OSError:
            self.connect_failures += 1
            sock.close()
            return
        self.stalled_sockets.append(sock)
        try:
            # A server that stops reading while it is blocked on us is fine: stop sending then.
            await asyncio.wait_for(loop.sock_sendall(sock, b"GET / HTTP/1.1\r\nHost: stress\r\n\r\n" * self.pipeline), 5)
        except (OSError, asyncio.TimeoutError):
            pass

    def stalled_still_open(self):
        """Stalled sockets the server has not closed (TCP state ESTABLISHED, read from TCP_INFO,
        so nothing is read off them)."""
        return sum(1 for sock in self.stalled_sockets
                   if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] == 1)

    async def start(self):
        tasks = []
        for index in range(self.slowloris_target):
            tasks.append(asyncio.create_task(self.slowloris(index)))
            if index % 200 == 199:
                await asyncio.sleep(0.2)  # keep the accept queue short while ramping up
        await asyncio.gather(*(self.stalled() for _ in range(self.stalled_target)))
        return tasks


async def run(args):
    raise_file_limit(args.slowloris + args.stalled + 1024)
    child = [sys.executable, __file__, "measure", str(args.port)]

    def latency(seconds):
        out = subprocess.run(child + [str(seconds), str(args.rate)], capture_output=True, text=True,
                             timeout=seconds + 60, check=True)
        return json.loads(out.stdout)

    loop = asyncio.get_running_loop()
    rss_before = rss_mb(args.pid)
    baseline = await loop.run_in_executor(None, latency, args.baseline)

    attack = Attack(args.port, args.slowloris, args.stalled, args.pipeline)
    ramp_started = time.monotonic()
    tasks = await attack.start()
    await asyncio.sleep(2)  # let the last connections settle
    ramp = time.monotonic() - ramp_started
    held_at_start = attack.slowloris_open
    measured = loop.run_in_executor(None, latency, args.seconds)
    held_min = held_at_start
    while not measured.done():
        await asyncio.sleep(0.5)
        held_min = min(held_min, attack.slowloris_open)
    under = await measured
    rss_under = rss_mb(args.pid)
    queued_connections, queued_bytes = server_send_queues(args.port)
    stalled_open = attack.stalled_still_open()
    attack.running = False
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for sock in attack.stalled_sockets:
        sock.close()

    def summary(result):
        values = sorted(result["samples"]["fresh"] + result["samples"]["keepalive"])
        return {
            "requests": len(values) + len(result["errors"]),
            "errors": len(result["errors"]),
            "p50": percentile(values, 0.50),
            "p99": percentile(values, 0.99),
            "max": values[-1] if values else float("nan"),
            "fresh_p99": percentile(sorted(result["samples"]["fresh"]), 0.99),
            "keepalive_p99": percentile(sorted(result["samples"]["keepalive"]), 0.99),
        }

    base = summary(baseline)
    attacked = summary(under)
    print(f"baseline, no attack ({args.baseline} s): {base['requests']} requests, {base['errors']} errors, "
          f"p50 {base['p50']:.2f} ms, p99 {base['p99']:.2f} ms, max {base['max']:.2f} ms")
    print(f"attack: {held_at_start} slowloris connections held after a {ramp:.1f} s ramp (at least {held_min} "
          f"throughout; {attack.slowloris_reopened} reopened after the server gave up on them), "
          f"{len(attack.stalled_sockets)} stalled readers ({stalled_open} still open at the end), "
          f"{attack.connect_failures} failed connects")
    print(f"under attack ({args.seconds} s at {args.rate} req/s): {attacked['requests']} requests, "
          f"{attacked['errors']} errors, p50 {attacked['p50']:.2f} ms, p99 {attacked['p99']:.2f} ms "
          f"(fresh connections {attacked['fresh_p99']:.2f}, keep-alive {attacked['keepalive_p99']:.2f}), "
          f"max {attacked['max']:.2f} ms")
    print("slowest under attack: " + ", ".join(f"{ms:.1f} ms at {at:.1f} s" for ms, at in under["slowest"]))
    for error in under["errors"][:5]:
        print(f"   error: {error}")
    print(f"server RSS: {rss_before:.1f} MB before, {rss_under:.1f} MB under attack; its socket buffers held "
          f"{queued_bytes / 1e6:.1f} MB of unread answers on {queued_connections} connections")
    passed = attacked["p99"] < P99_LIMIT_MS and attacked["errors"] == 0
    print(f"verdict: {'PASS' if passed else 'FAIL'} (p99 < {P99_LIMIT_MS:.0f} ms and no failed request)")
    print(f"RESULT slowloris={held_min} stalled={stalled_open} requests={attacked['requests']} "
          f"errors={attacked['errors']} p50={attacked['p50']:.2f} p99={attacked['p99']:.2f} "
          f"max={attacked['max']:.2f} rss={rss_under:.1f} verdict={'pass' if passed else 'FAIL'}")
    return 0 if passed else 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("port", type=int)
    run_parser.add_argument("pid", type=int)
    run_parser.add_argument("--slowloris", type=int, default=2000)
    run_parser.add_argument("--stalled", type=int, default=200)
    run_parser.add_argument("--seconds", type=int, default=20)
    run_parser.add_argument("--baseline", type=int, default=5)
    run_parser.add_argument("--rate", type=int, default=100)
    run_parser.add_argument("--pipeline", type=int, default=2000)
    measure_parser = sub.add_parser("measure")
    measure_parser.add_argument("port", type=int)
    measure_parser.add_argument("seconds", type=float)
    measure_parser.add_argument("rate", type=float)
    args = parser.parse_args()
    if args.mode == "measure":
        measure(args.port, args.seconds, args.rate)
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
