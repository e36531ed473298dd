#!/usr/bin/env python3
"""A real third-party SMTP server for the end-to-end runs: aiosmtpd (from PyPI), with STARTTLS
and AUTH required, writing every message it accepts into a mailbox folder that the tests read
(through mail_inbox.py).

    mail_server.py certs TLS_DIR
        Makes a throwaway CA (TLS_DIR/ca.pem, the file to give the site as EMAIL_CA_FILE) and a
        certificate for IP 127.0.0.1 signed by it, with the openssl command-line tool, unless
        they exist. Nothing is committed: every run makes its own.

    mail_server.py serve --port PORT --mailbox DIR --tls-dir TLS_DIR
        Serves SMTP on 127.0.0.1:PORT until SIGTERM or SIGINT (making the certificates first
        when they are missing). The one login it accepts comes from the environment,
        MAIL_SERVER_USER and MAIL_SERVER_PASSWORD (never the command line, which `ps` shows).
        Writes DIR/ready once it answers.

The mailbox: for each message, NNNN.eml (the data exactly as received) and then NNNN.json (the
envelope: mail_from, rcpt_tos, and how the session was protected: tls, cipher, authenticated_as),
written under a temporary name and renamed, so a reader never sees half a message. A message
whose .json exists is complete.

It fails loudly: a client that tries anything but EHLO/HELO/NOOP/QUIT/STARTTLS before starting
TLS, tries to AUTH in clear, sends a wrong login, or sends mail without authenticating gets the
refusal aiosmtpd answers (530/538/535), and the attempt is written to stderr and to
DIR/violations.log, which the tests check is empty. The server's own log never carries a
message's content or subject (the subject of a code mail holds the code) nor the password.
"""
import argparse
import hmac
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"


def say(text):
    print(f"mail_server: {text}", file=sys.stderr, flush=True)


# Certificates

def make_certificates(folder):
    """A throwaway CA and a server certificate for IP 127.0.0.1 signed by it (P-256 keys)."""
    os.makedirs(folder, exist_ok=True)
    ca_cert, ca_key = os.path.join(folder, "ca.pem"), os.path.join(folder, "ca.key")
    cert, key = os.path.join(folder, "server.pem"), os.path.join(folder, "server.key")
    if all(os.path.exists(p) for p in (ca_cert, ca_key, cert, key)):
        return

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *curve, "-keyout", ca_key, "-out", ca_cert, "-days", "2", "-subj", "/CN=Latchkey e2e throwaway CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    csr = os.path.join(folder, "server.csr")
    openssl("req", "-new", *curve, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    extensions = os.path.join(folder, "server.ext")
    with open(extensions, "w", encoding="ascii") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
            "-extfile", extensions)
    for path in (ca_key, key):
        os.chmod(path, 0o600)


# The server

class Mailbox:
    """The folder of received messages and of violations."""

    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        os.makedirs(folder, exist_ok=True)
        existing = [int(name[:-5]) for name in os.listdir(folder) if name.endswith(".json") and name[:-5].isdigit()]
        self.next = max(existing, default=0) + 1

    def _write(self, name, data):
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        with os.fdopen(descriptor, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, os.path.join(self.folder, name))

    def store(self, data, envelope):
        with self.lock:
            number = self.next
            self.next += 1
            self._write(f"{number:04d}.eml", data)
            self._write(f"{number:04d}.json", json.dumps(dict(envelope, file=f"{number:04d}.eml")).encode())
        return number

    def violation(self, text):
        say("VIOLATION: " + text)
        with self.lock, open(os.path.join(self.folder, "violations.log"), "a", encoding="utf-8") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {text}\n")


def serve(port, folder, tls_folder):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    user = os.environ.get("MAIL_SERVER_USER", "").encode()
    password = os.environ.get("MAIL_SERVER_PASSWORD", "").encode()
    if not user or not password:
        say("MAIL_SERVER_USER and MAIL_SERVER_PASSWORD must be set")
        sys.exit(2)
    make_certificates(tls_folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(os.path.join(tls_folder, "server.pem"), os.path.join(tls_folder, "server.key"))
    mailbox = Mailbox(folder)

    def authenticator(server, session, envelope, mechanism, auth_data):
        if (isinstance(auth_data, LoginPassword) and hmac.compare_digest(auth_data.login, user)
                and hmac.compare_digest(auth_data.password, password)):
            return AuthResult(success=True, auth_data=auth_data.login.decode())
        login = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data, LoginPassword) else "?"
        mailbox.violation(f"{session.peer}: AUTH {mechanism} refused for login {login!r}")
        return AuthResult(success=False, handled=False)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            # aiosmtpd already refuses MAIL before STARTTLS and AUTH; this is a second lock.
            if session.ssl is None or not session.authenticated:
                mailbox.violation(f"{session.peer}: DATA without TLS or authentication")
                return "554 5.7.0 TLS and authentication are required"
            cipher = session.ssl.get("cipher") if isinstance(session.ssl, dict) else None
            number = mailbox.store(envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode(), {
                "mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "peer": list(session.peer),
                "tls": True, "cipher": list(cipher) if cipher else None, "authenticated_as": session.auth_data,
                "received_at": time.time(),
            })
            say(f"stored message {number:04d} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}")
            return "250 2.0.0 OK: queued"

    class LoudSMTP(SMTP):
        """Writes down every refusal that means the client skipped TLS or authentication."""

        async def push(self, status):
            text = status.decode("ascii", "replace") if isinstance(status, (bytes, bytearray)) else status
            if text.startswith(("530", "538", "535")):
                peer = self.session.peer if self.session else "?"
                mailbox.violation(f"{peer}: answered {text!r} (tls={self._tls_protocol is not None})")
            await super().push(status)

    class LoudController(Controller):
        def factory(self):
            return LoudSMTP(self.handler, **self.SMTP_kwargs)

    controller = LoudController(Handler(), hostname=HOST, port=port, server_hostname="mail.e2e.test", ready_timeout=30,
                                tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True,
                                authenticator=authenticator)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    controller.start()
    with open(os.path.join(folder, "ready"), "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    say(f"listening on {HOST}:{port} (STARTTLS and AUTH required), mailbox {folder}")
    while not stopping.wait(1):
        pass
    controller.stop()
    say("stopped")


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="mail_server: %(name)s %(levelname)s %(message)s")
    # aiosmtpd warns about its own use of a deprecated attribute after every successful AUTH.
    logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    certs = commands.add_parser("certs", help="make the throwaway CA and server certificate")
    certs.add_argument("tls_dir")
    server = commands.add_parser("serve", help="serve SMTP on 127.0.0.1")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--mailbox", required=True)
    server.add_argument("--tls-dir", required=True)
    args = parser.parse_args()
    if args.command == "certs":
        make_certificates(args.tls_dir)
    else:
        serve(args.port, args.mailbox, args.tls_dir)


if __name__ == "__main__":
    main()
