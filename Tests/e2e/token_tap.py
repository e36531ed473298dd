#!/usr/bin/env python3
"""A transparent HTTP relay in front of the sibling provider that writes down every secret the
site receives from it, so the no-secrets check can look for the real tokens.

The site stores provider tokens only as AES-256-GCM ciphertexts and the provider stores only
their SHA-256, so neither database can tell us what the tokens were. The relay sits where the
provider's public origin is (PROVIDER_BASE_URL and SIBLING_PROVIDER_URL both name it): the
browser and the site talk to it exactly as they would to the provider, and it forwards every
request unchanged. From each `POST /oauth/token` it records the authorization code, the
client secret and every token in the reply (access, refresh, id) as JSON lines in
TAP_RECORD, a file outside the folders that are checked.

Usage: token_tap.py LISTEN_PORT UPSTREAM_PORT RECORD_FILE
"""
import http.client
import http.server
import json
import sys
import threading
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream_port = 0
    record_path = ""
    lock = threading.Lock()

    def log_message(self, format, *args):
        pass  # The relay's own log would be one more place for secrets; it keeps none.

    def record(self, kind, value):
        if not value:
            return
        with self.lock, open(self.record_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": kind, "value": value}) + "\n")

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body if body or self.command == "POST" else None, headers=headers)
            reply = upstream.getresponse()
            data = reply.read()
            status, reason, reply_headers = reply.status, reply.reason, reply.getheaders()
        finally:
            upstream.close()
        if self.path.split("?")[0] == "/oauth/token" and self.command == "POST":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            for key, kind in (("code", "authorization_code"), ("client_secret", "client_secret"),
                              ("refresh_token", "refresh_token"), ("password", "password")):
                for value in form.get(key, []):
                    self.record(kind, value)
            try:
                reply_json = json.loads(data)
            except ValueError:
                reply_json = {}
            if isinstance(reply_json, dict):
                for key in ("access_token", "refresh_token", "id_token"):
                    if isinstance(reply_json.get(key), str):
                        self.record(key, reply_json[key])
        self.send_response_only(status, reason)
        for name, value in reply_headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = relay


def main():
    listen_port, upstream_port, record_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    Relay.upstream_port = upstream_port
    Relay.record_path = record_path
    server = http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Relay)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
