#!/usr/bin/env python3
"""No secrets at rest or in logs: looks for every secret an end-to-end run used in every file
it left behind, byte for byte.

Secrets come from JSON-lines files ({"kind": …, "value": …}) given with --secrets: the ones the
run chose (passwords, the SMTP password, the client secret, the secret keys), the ones the token
relay saw pass between the site and the provider (authorization codes, access and refresh
tokens), the session cookies the browser held, and the email verification codes and password
reset tokens the journey read from the mail the site sent. Files come from --scan: folders are walked, so the SQLite
databases are checked with their -wal, -shm and -journal companions, and the captured logs with
them. Each secret is looked for as given, URL-encoded, and base64-encoded at each of the three
alignments it can have inside a longer base64 text, in the file with its line breaks taken out
(mail bodies are base64 in lines of 76 characters: a rendered message written anywhere in clear
would show a reset link only that way).

Prints one line per finding and 'N passed, M failed' last; exits non-zero on any finding or
when no secret or no file was given (an empty check proves nothing).

With --must-find KIND it is the opposite check, a control: every secret of that kind must be
found in the scanned files (run.sh points it at the mailbox, to show the scan sees every mailed
code and token there, so their absence from the databases and logs means something).
"""
import argparse
import base64
import json
import os
import sys
import urllib.parse

# Kinds that must exist for the check to mean anything; the run fails when one is missing.
REQUIRED_KINDS = ("password", "client_secret", "access_token", "refresh_token", "verification_code", "reset_token")


def load_secrets(paths):
    secrets = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    entry = json.loads(line)
                    if len(entry["value"]) >= 8:
                        secrets.setdefault(entry["value"], entry["kind"])
    return secrets


def base64_needles(value):
    """The base64 text every encoding of `value` contains, whatever bytes come before it: for a
    prefix of 0, 1 or 2 bytes, the characters that depend on the value's bytes alone."""
    raw = value.encode()
    needles = set()
    for shift in range(3):
        whole = (shift + len(raw)) // 3 * 3
        text = base64.b64encode(b"\0" * shift + raw)[:whole // 3 * 4]
        text = text[(0, 2, 3)[shift]:]
        if len(text) >= 8:
            needles.add(text)
    return needles


class Contents:
    """A file's bytes, and the same without line breaks (where wrapped base64 is whole again)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.unwrapped = self.data.replace(b"\r", b"").replace(b"\n", b"")


def where(contents, value):
    """Where `value` appears in the file in any form looked for ('byte N', or 'base64 near byte N'
    of the unwrapped text), or None."""
    plain = [contents.data.find(n) for n in (value.encode(), urllib.parse.quote(value, safe="").encode())]
    plain = [offset for offset in plain if offset >= 0]
    if plain:
        return f"byte {min(plain)}"
    encoded = [contents.unwrapped.find(n) for n in base64_needles(value)]
    encoded = [offset for offset in encoded if offset >= 0]
    return f"base64 near byte {min(encoded)} (line breaks removed)" if encoded else None


def control(secrets, files, kinds):
    """Every secret of each of `kinds` must be somewhere in `files`."""
    contents = [Contents(path) for path in files]
    passed = failed = 0
    for kind in kinds:
        values = [value for value, k in secrets.items() if k == kind]
        if not values:
            failed += 1
            print(f"FAIL  no {kind} was recorded")
        for number, value in enumerate(values, 1):
            if any(where(c, value) is not None for c in contents):
                passed += 1
            else:
                failed += 1
                print(f"FAIL  {kind} #{number} is not in any scanned file: the scan cannot see it")
    print(f"control: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def files_under(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in os.walk(path):
                for name in sorted(names):
                    yield os.path.join(folder, name)
        elif os.path.exists(path):
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", action="append", required=True, help="JSON-lines file of secrets")
    parser.add_argument("--scan", action="append", required=True, help="a file or a folder to search")
    parser.add_argument("--must-find", action="append", default=[], metavar="KIND",
                        help="a control instead: every secret of KIND must be found in the scanned files")
    args = parser.parse_args()

    secrets = load_secrets(args.secrets)
    files = list(files_under(args.scan))
    if args.must_find:
        control(secrets, files, args.must_find)
    passed = failed = 0
    kinds = {}
    for kind in secrets.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    print("secrets: " + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())))
    print(f"files: {len(files)} ({sum(os.path.getsize(f) for f in files)} bytes): " + ", ".join(os.path.basename(f) for f in files))

    for kind in REQUIRED_KINDS:
        if any(k == kind or k.endswith(" " + kind) or k.startswith(kind) for k in kinds):
            passed += 1
        else:
            failed += 1
            print(f"FAIL  no {kind} was recorded, so its absence proves nothing")
    if not files:
        failed += 1
        print("FAIL  nothing to scan")

    for path in files:
        contents = Contents(path)
        for value, kind in secrets.items():
            found = where(contents, value)
            if found is not None:
                failed += 1
                print(f"FAIL  {kind} found in {path} at {found}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
