#!/usr/bin/env python3
"""Reads the mailbox that mail_server.py fills: each message parsed with Python's email package,
with its SMTP envelope and how it travelled (TLS, the login it authenticated with).

As a library (browser_journey.py):

    inbox = Inbox(folder)
    mail = inbox.wait_for_mail(to="alice@site.example", subject_contains="Your Latchkey code")
    mail.text, mail.html, mail.message["Message-ID"], mail.from_address, mail.envelope["rcpt_tos"]

`wait_for_mail` returns the oldest message matching that no earlier call returned (each message
is handed out once), waiting up to `timeout` seconds for it; so a second code sent to the same
address is a second call, and a step that mails two addresses at once (a change of address: a
code to the new one, a notice to the old) waits for each by its recipient.

As a command (the crash check):

    mail_inbox.py DIR count [--to ADDR] [--subject-contains TEXT]
    mail_inbox.py DIR wait  [--to ADDR] [--subject-contains TEXT] [--count N] [--timeout SECONDS]
    mail_inbox.py DIR message-ids [--to ADDR] [--subject-contains TEXT]
    mail_inbox.py DIR violations
"""
import argparse
import email
import email.policy
import json
import os
import sys
import time


class Mail:
    """One received message: `envelope` (mail_from, rcpt_tos, tls, authenticated_as, …), `raw`
    bytes and `message`, an email.message.EmailMessage."""

    def __init__(self, folder, envelope_file):
        with open(os.path.join(folder, envelope_file), encoding="utf-8") as f:
            self.envelope = json.load(f)
        with open(os.path.join(folder, self.envelope["file"]), "rb") as f:
            self.raw = f.read()
        self.name = envelope_file[:-5]
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def recipients(self):
        return [r.lower() for r in self.envelope["rcpt_tos"]]

    @property
    def subject(self):
        return str(self.message["Subject"] or "")

    @property
    def message_id(self):
        return str(self.message["Message-ID"] or "")

    @property
    def from_address(self):
        """The first `From` address, an email.headerregistry.Address (display_name, addr_spec), or None."""
        header = self.message["From"]
        return header.addresses[0] if header is not None and header.addresses else None

    @property
    def to_addresses(self):
        header = self.message["To"]
        return [a.addr_spec.lower() for a in header.addresses] if header is not None else []

    def part(self, subtype):
        """The decoded text of the text/`subtype` body part, or None."""
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None and body.get_content_subtype() == subtype else None

    @property
    def text(self):
        return self.part("plain")

    @property
    def html(self):
        return self.part("html")

    def matches(self, to=None, subject_contains=None):
        return ((to is None or to.lower() in self.recipients or to.lower() in self.to_addresses)
                and (subject_contains is None or subject_contains.lower() in self.subject.lower()))

    def __repr__(self):
        return f"<mail {self.name} to {', '.join(self.recipients)}>"


class Inbox:
    def __init__(self, folder):
        self.folder = folder
        self.handed_out = set()

    def all(self):
        """Every complete message so far, oldest first."""
        if not os.path.isdir(self.folder):
            return []
        names = sorted(n for n in os.listdir(self.folder) if n.endswith(".json") and n[:-5].isdigit())
        return [Mail(self.folder, n) for n in names]

    def find(self, to=None, subject_contains=None):
        return [m for m in self.all() if m.matches(to, subject_contains)]

    def violations(self):
        """What the server refused because a client skipped TLS or authentication (empty is right)."""
        path = os.path.join(self.folder, "violations.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    def not_handed_out(self):
        return [m for m in self.all() if m.name not in self.handed_out]

    def wait_for_mail(self, to=None, subject_contains=None, timeout=90.0):
        """The oldest matching message not handed out before, waiting up to `timeout` seconds
        (an upper bound; the outbox usually delivers within a second or two)."""
        deadline = time.monotonic() + timeout
        while True:
            for mail in self.find(to, subject_contains):
                if mail.name not in self.handed_out:
                    self.handed_out.add(mail.name)
                    return mail
            if time.monotonic() >= deadline:
                seen = ", ".join(f"{m.name} to {m.recipients}" for m in self.all()) or "none"
                raise TimeoutError(f"no mail to {to!r} with {subject_contains!r} in the subject within {timeout:.0f} s "
                                   f"(messages in the mailbox: {seen}; violations: {self.violations() or 'none'})")
            time.sleep(0.25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("command", choices=("count", "wait", "message-ids", "violations"))
    parser.add_argument("--to")
    parser.add_argument("--subject-contains")
    parser.add_argument("--count", type=int, default=1, help="wait: how many matching messages to wait for")
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()
    inbox = Inbox(args.folder)
    if args.command == "count":
        print(len(inbox.find(args.to, args.subject_contains)))
    elif args.command == "message-ids":
        for mail in inbox.find(args.to, args.subject_contains):
            print(mail.message_id)
    elif args.command == "violations":
        for line in inbox.violations():
            print(line)
        sys.exit(1 if inbox.violations() else 0)
    else:
        deadline = time.monotonic() + args.timeout
        while len(inbox.find(args.to, args.subject_contains)) < args.count:
            if time.monotonic() >= deadline:
                print(f"only {len(inbox.find(args.to, args.subject_contains))} of {args.count} messages within {args.timeout:.0f} s",
                      file=sys.stderr)
                sys.exit(1)
            time.sleep(0.25)
        print(len(inbox.find(args.to, args.subject_contains)))


if __name__ == "__main__":
    main()
