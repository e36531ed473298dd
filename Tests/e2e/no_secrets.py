#!/usr/bin/env python3
"""No secrets at rest or in logs: looks for every secret an end-to-end run used in every file
it left behind, byte for byte.

Secrets come from JSON-lines files ({"kind": …, "value": …}) given with --secrets: the ones the
run chose (passwords, the client secret, the secret keys), the ones the token relay saw pass
between the site and the provider (authorization codes, access and refresh tokens), and the
session cookies the browser held. Files come from --scan: folders are walked, so the SQLite
databases are checked with their -wal, -shm and -journal companions, and the captured logs with
them. Each secret is looked for as given and URL-encoded.

Prints one line per finding and 'N passed, M failed' last; exits non-zero on any finding or
when no secret or no file was given (an empty check proves nothing).
"""
import argparse
import json
import os
import sys
import urllib.parse

# Kinds that must exist for the check to mean anything; the run fails when one is missing.
REQUIRED_KINDS = ("password", "client_secret", "access_token", "refresh_token")


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
    args = parser.parse_args()

    secrets = load_secrets(args.secrets)
    files = list(files_under(args.scan))
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
        with open(path, "rb") as f:
            data = f.read()
        for value, kind in secrets.items():
            needles = {value.encode(), urllib.parse.quote(value, safe="").encode()}
            where = [data.find(n) for n in needles if data.find(n) >= 0]
            if where:
                failed += 1
                print(f"FAIL  {kind} found in {path} at byte {min(where)}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
