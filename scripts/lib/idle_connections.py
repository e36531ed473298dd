"""Holds N keep-alive connections open against a server, each after one answered request, then
prints the server's RSS and checks that fresh requests are still answered. Used by scripts/bench."""
import resource
import socket
import sys
import time

host, port, count, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))

def rss_mb():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

request = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n"
before = rss_mb()
sockets = []
started = time.time()
for i in range(count):
    s = socket.create_connection((host, port))
    s.sendall(request)
    sockets.append(s)
    if len(sockets) % 500 == 0:  # read answers in batches to keep the backlog short
        for t in sockets[-500:]:
            t.recv(4096)
for t in sockets[len(sockets) - len(sockets) % 500:]:
    t.recv(4096)
opened = time.time() - started
time.sleep(1)
held = rss_mb()

answered = 0
for _ in range(100):
    s = socket.create_connection((host, port))
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    if s.recv(4096).startswith(b"HTTP/1.1 200"):
        answered += 1
    s.close()
# the idle ones are still usable too
alive = 0
for s in sockets[:: max(1, count // 100)]:
    s.sendall(request)
    if s.recv(4096).startswith(b"HTTP/1.1 200"):
        alive += 1
print(f"opened {count} connections in {opened:.1f} s; server RSS {before:.1f} MB before, {held:.1f} MB while holding them")
print(f"fresh requests answered while holding them: {answered}/100; idle connections still answering: {alive}/{len(sockets[:: max(1, count // 100)])}")
for s in sockets:
    s.close()
