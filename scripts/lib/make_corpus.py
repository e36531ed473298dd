#!/usr/bin/env python3
"""Writes the malformed-request and request-smuggling corpus that
Tests/WebTests/SmugglingCorpusTests.swift replays against a live server.

Every file is the exact bytes one client sends on one connection. Its name says what the server
owes it (the replay test reads these markers):

  NNN-<category>-<what>.http         one error status (4xx, or 501/505 where RFC 9112 says so),
                                     then the server closes the connection
  NNN-valid<N>-<category>-<what>     N valid requests (each answered 200 "ok") before the garbage
                                     that earns the error and the close
  NNN-ok<N>-<category>-<what>        N valid requests and nothing else; the last one asks for the
                                     close (Connection: close or HTTP/1.0), so no error is owed
  ...-split<K>-...                   sent in K-byte pieces with a pause between them, to catch
                                     state bugs at every boundary (CR|LF, mid-token, mid-chunk)

Every request a smuggling attempt hides targets /smuggled; the replay server answers that path
with a marker that must never come back. Each file is complete: the server can tell it is wrong
from the bytes alone, without waiting for a timeout.

Deterministic: the same script always writes the same files (written in binary, so CRLFs are
exact). Run from anywhere: python3 scripts/lib/make_corpus.py
"""
import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "WebTests" / "Corpus"

CRLF = b"\r\n"
HOST = b"Host: corpus\r\n"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: corpus\r\n\r\n"
VALID_GET = b"GET / HTTP/1.1\r\nHost: corpus\r\n\r\n"
VALID_POST = b"POST / HTTP/1.1\r\nHost: corpus\r\nContent-Length: 5\r\n\r\nhello"
VALID_CHUNKED = b"POST / HTTP/1.1\r\nHost: corpus\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"

entries = []


def add(name, data):
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), name
    entries.append((name, bytes(data)))


def head(*fields, method=b"POST", target=b"/", version=b"HTTP/1.1", host=True):
    """A request line and header section; `fields` are complete lines without their CRLF."""
    lines = [method + b" " + target + b" " + version]
    if host:
        lines.append(HOST[:-2])
    lines.extend(fields)
    return CRLF.join(lines) + CRLF + CRLF


# --- CL + TE: Transfer-Encoding spelled many ways, next to a Content-Length ---------------------
# Spellings a strict parser takes as `chunked` when alone: only the Content-Length beside them
# makes the request ambiguous.
te_valid_alone = [
    ("plain", b"Transfer-Encoding: chunked"),
    ("no-space", b"Transfer-Encoding:chunked"),
    ("tab", b"Transfer-Encoding:\tchunked"),
    ("trailing-tab", b"Transfer-Encoding: chunked\t"),
    ("upper-value", b"Transfer-Encoding: CHUNKED"),
    ("mixed-case", b"transfer-encoding: Chunked"),
    ("upper-name", b"TRANSFER-ENCODING: chunked"),
    ("trailing-comma", b"Transfer-Encoding: chunked,"),
    ("leading-comma", b"Transfer-Encoding: , chunked"),
    ("padded", b"Transfer-Encoding:   chunked   "),
]
# Spellings that are wrong on their own too (400, or 501 for a well-formed unknown coding).
te_invalid = [
    ("space-before-colon", b"Transfer-Encoding : chunked"),
    ("tab-before-colon", b"Transfer-Encoding\t: chunked"),
    ("leading-space-line", b" Transfer-Encoding: chunked"),
    ("xchunked", b"Transfer-Encoding: xchunked"),
    ("chunkedx", b"Transfer-Encoding: chunkedx"),
    ("chunked-identity", b"Transfer-Encoding: chunked, identity"),
    ("identity-chunked", b"Transfer-Encoding: identity, chunked"),
    ("chunked-chunked", b"Transfer-Encoding: chunked, chunked"),
    ("chunked-param", b"Transfer-Encoding: chunked;foo=bar"),
    ("quoted", b'Transfer-Encoding: "chunked"'),
    ("split-word", b"Transfer-Encoding: chu nked"),
    ("vtab", b"Transfer-Encoding: \x0bchunked"),
    ("formfeed", b"Transfer-Encoding: \x0cchunked"),
    ("nul-after", b"Transfer-Encoding: chunked\x00"),
    ("obs-fold", b"Transfer-Encoding:\r\n chunked"),
    ("duplicate", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"),
    ("chunked-then-identity", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity"),
    ("identity-then-chunked", b"Transfer-Encoding: identity\r\nTransfer-Encoding: chunked"),
    ("gzip-then-chunked", b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"),
    ("empty", b"Transfer-Encoding:"),
    ("nbsp", b"Transfer-Encoding: chunked\xc2\xa0"),
    ("zero-width-space", b"Transfer-Encoding: \xe2\x80\x8bchunked"),
    ("truncated", b"Transfer-Encoding: chunk"),
    ("nul-in-name", b"Transfer\x00Encoding: chunked"),
    ("no-colon", b"Transfer-Encoding chunked"),
    ("bare-cr", b"Transfer-Encoding: chunked\r"),
    ("hidden-after-bare-lf", b"X-Pad: x\nTransfer-Encoding: chunked"),
    ("underscore-and-real", b"Transfer_Encoding: chunked\r\nTransfer-Encoding: xchunked"),
]

CLTE_BODY = b"0\r\n\r\n" + SMUGGLED              # chunked reader: a second request follows
TECL_CHUNK = SMUGGLED + b"0\r\n\r\n"
TECL_BODY = b"%x\r\n" % len(TECL_CHUNK) + TECL_CHUNK + b"\r\n0\r\n\r\n"  # length reader: 4 bytes


def clte(te_line):
    """Content-Length covers everything; a chunked reader would see /smuggled as a new request."""
    return head(te_line, b"Content-Length: %d" % len(CLTE_BODY)) + CLTE_BODY


def tecl(te_line):
    """Content-Length says 4; a length reader would see /smuggled right after the chunk size."""
    return head(b"Content-Length: 4", te_line) + TECL_BODY


for short, line in te_valid_alone + te_invalid:
    add(f"clte-{short}", clte(line))
    add(f"tecl-{short}", tecl(line))
for short, line in te_invalid:
    add(f"te-{short}", head(line) + b"5\r\nhello\r\n0\r\n\r\n" + SMUGGLED)
add("te-http10-chunked", head(b"Transfer-Encoding: chunked", version=b"HTTP/1.0") + b"5\r\nhello\r\n0\r\n\r\n" + SMUGGLED)
add("te-http10-chunked-cl", head(b"Transfer-Encoding: chunked", b"Content-Length: 4", version=b"HTTP/1.0") + TECL_BODY)
add("te-http10-no-host", head(b"Transfer-Encoding: chunked", version=b"HTTP/1.0", host=False) + b"0\r\n\r\n" + SMUGGLED)

# --- Content-Length: differing, malformed, overflowing ------------------------------------------
BODY4 = b"abcd" + SMUGGLED
cl_cases = [
    ("two-differing", [b"Content-Length: 3", b"Content-Length: 4"]),
    ("two-differing-case", [b"Content-Length: 4", b"content-length: 5"]),
    ("three-last-differs", [b"Content-Length: 4", b"Content-Length: 4", b"Content-Length: 5"]),
    ("list-differing", [b"Content-Length: 3, 4"]),
    ("list-no-space", [b"Content-Length: 3,4"]),
    ("list-three", [b"Content-Length: 4, 4, 5"]),
    ("list-and-header", [b"Content-Length: 4", b"Content-Length: 4, 40"]),
    ("plus", [b"Content-Length: +4"]),
    ("negative", [b"Content-Length: -4"]),
    ("negative-zero", [b"Content-Length: -0"]),
    ("hex-prefix", [b"Content-Length: 0x4"]),
    ("hex-digit", [b"Content-Length: a"]),
    ("digit-then-letter", [b"Content-Length: 4a"]),
    ("inner-space", [b"Content-Length: 4 4"]),
    ("inner-tab", [b"Content-Length: 4\t4"]),
    ("underscore", [b"Content-Length: 1_0"]),
    ("decimal-point", [b"Content-Length: 4.0"]),
    ("exponent", [b"Content-Length: 4e0"]),
    ("empty", [b"Content-Length:"]),
    ("only-comma", [b"Content-Length: ,"]),
    ("quoted", [b'Content-Length: "4"']),
    ("semicolon", [b"Content-Length: 4;"]),
    ("overflow-2e63", [b"Content-Length: 9223372036854775808"]),
    ("overflow-2e64", [b"Content-Length: 18446744073709551616"]),
    ("overflow-huge", [b"Content-Length: 99999999999999999999999999999999"]),
    ("int-max", [b"Content-Length: 9223372036854775807"]),
    ("over-body-limit", [b"Content-Length: 1000000000"]),
    ("arabic-digit", [b"Content-Length: \xd9\xa4"]),
    ("fullwidth-digit", [b"Content-Length: \xef\xbc\x94"]),
    ("nul", [b"Content-Length: 4\x00"]),
    ("vtab", [b"Content-Length: \x0b4"]),
    ("space-before-colon", [b"Content-Length : 4"]),
    ("space-in-name", [b"Content Length: 4"]),
    ("obs-fold-value", [b"Content-Length: 4", b" 0"]),
    ("obs-fold-line", [b"X-Pad: x", b" Content-Length: 4"]),
]
for short, lines in cl_cases:
    add(f"cl-{short}", head(*lines) + BODY4)

# --- Line endings: bare LF, bare CR --------------------------------------------------------------
chunked_head = head(b"Transfer-Encoding: chunked")
add("lf-request-line", b"GET / HTTP/1.1\nHost: corpus\r\n\r\n")
add("lf-header-line", b"GET / HTTP/1.1\r\nHost: corpus\n\r\n")
add("lf-final-line", b"GET / HTTP/1.1\r\nHost: corpus\r\n\n")
add("lf-everywhere", b"GET / HTTP/1.1\nHost: corpus\n\n")
add("lf-leading", b"\nGET / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("lf-hidden-header", b"GET / HTTP/1.1\r\nHost: corpus\r\nX-A: a\nX-B: b\r\n\r\n")
add("lf-chunk-size", chunked_head + b"5\nhello\r\n0\r\n\r\n")
add("lf-chunk-data-end", chunked_head + b"5\r\nhello\n0\r\n\r\n")
add("lf-last-chunk", chunked_head + b"5\r\nhello\r\n0\n\r\n")
add("lf-trailer-end", chunked_head + b"0\r\n\n" + SMUGGLED)
add("lf-trailer-line", chunked_head + b"0\r\nX-T: t\n\r\n")
add("cr-request-line", b"GET / HTTP/1.1\rHost: corpus\r\n\r\n")
add("cr-in-target", b"GET /\r HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("cr-in-method", b"GE\rT / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("cr-leading", b"\rGET / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("cr-after-version", b"GET / HTTP/1.1\r\r\nHost: corpus\r\n\r\n")
add("cr-in-header-value", b"GET / HTTP/1.1\r\nHost: corpus\rX-Smuggle: 1\r\n\r\n")
add("cr-empty-line", b"GET / HTTP/1.1\r\nHost: corpus\r\n\r\r\n")
add("cr-only-line-endings", b"GET / HTTP/1.1\rHost: corpus\r\r")
add("cr-chunk-size", chunked_head + b"5\r\r\nhello\r\n0\r\n\r\n")
add("cr-chunk-data-end", chunked_head + b"5\r\nhello\r\r\n0\r\n\r\n")

# --- NUL bytes ----------------------------------------------------------------------------------
add("nul-leading", b"\x00GET / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("nul-in-method", b"GE\x00T / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("nul-end-of-target", b"GET /\x00 HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("nul-mid-target", b"GET /a\x00b HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("nul-after-version", b"GET / HTTP/1.1\x00\r\nHost: corpus\r\n\r\n")
add("nul-in-header-name", b"GET / HTTP/1.1\r\nHo\x00st: corpus\r\n\r\n")
add("nul-before-colon", b"GET / HTTP/1.1\r\nHost\x00: corpus\r\n\r\n")
add("nul-in-header-value", b"GET / HTTP/1.1\r\nHost: cor\x00pus\r\n\r\n")
add("nul-only-value", b"GET / HTTP/1.1\r\nHost: corpus\r\nX-N: \x00\r\n\r\n")
add("nul-header-line", b"GET / HTTP/1.1\r\nHost: corpus\r\n\x00\r\n\r\n")
add("nul-line-start", b"GET / HTTP/1.1\r\n\x00Host: corpus\r\n\r\n")
add("nul-chunk-extension", chunked_head + b"5;a\x00\r\nhello\r\n0\r\n\r\n")
add("nul-trailer", chunked_head + b"0\r\nX-T: \x00\r\n\r\n")

# --- Overlong parts and too many of them (defaults: 16 KiB head, 8 KiB target, 100 fields) ------
add("long-target-9k", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("long-target-20k", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("long-method", b"A" * 17000 + b" / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("long-no-line-end", b"A" * 40000)
add("long-header-value", head(b"X-Pad: " + b"v" * 17000, method=b"GET"))
add("long-header-name", head(b"X" * 17000 + b": v", method=b"GET"))
add("many-headers-101", head(*[b"X-F%d: v" % i for i in range(101)], method=b"GET"))
add("many-headers-3000", head(*[b"X:" for _ in range(3000)], method=b"GET"))
add("many-medium-headers", head(*[b"X-F%d: " % i + b"p" * 200 for i in range(85)], method=b"GET"))
add("many-empty-leading-lines", b"\r\n" * 5 + VALID_GET)
add("thousand-empty-leading-lines", b"\r\n" * 1000 + VALID_GET)
add("long-chunk-extension", chunked_head + b"5;" + b"e" * 5000 + b"\r\nhello\r\n0\r\n\r\n")
add("many-chunk-extensions", chunked_head + (b"1;" + b"e" * 2000 + b"\r\nx\r\n") * 10 + b"0\r\n\r\n")
add("long-trailer", chunked_head + b"0\r\nX-T: " + b"t" * 17000 + b"\r\n\r\n")
add("many-trailers", chunked_head + b"0\r\n" + b"".join(b"X-T%d: t\r\n" % i for i in range(101)) + b"\r\n")
add("chunk-over-body-limit", chunked_head + b"100001\r\n" + b"z" * 64 + b"\r\n")

# --- Chunked framing: sizes, extensions, data boundaries, trailers ------------------------------
chunk_sizes = [
    ("hex-prefix", b"0x5"), ("minus-one", b"-1"), ("minus-five", b"-5"), ("plus", b"+5"),
    ("leading-space", b" 5"), ("leading-tab", b"\t5"), ("trailing-space", b"5 "),
    ("trailing-tab", b"5\t"), ("space-semicolon", b"5 ;"), ("bare-semicolon", b"5;"),
    ("double-semicolon", b"5;;"), ("ext-no-name", b"5;=x"), ("ext-empty-value", b"5;a="),
    ("ext-unterminated-quote", b'5;a="x'), ("ext-space-in-name", b"5;a b"),
    ("ext-space-in-value", b"5;a=b c"), ("ext-control", b"5;\x01"), ("ext-del-value", b"5;a=\x7f"),
    ("ext-control-in-quote", b'5;a="\x01"'), ("ext-trailing-semicolon", b"5;a=b;"),
    ("ext-comma", b"5,a"), ("ext-bad-escape", b'5;a="\\\x01"'), ("empty", b""), ("letter", b"g"),
    ("digit-letter", b"5g"), ("underscore", b"5_0"), ("zeros-then-x", b"0005x"),
    ("sixteen-digits", b"FFFFFFFFFFFFFFFF"), ("twenty-digits", b"10000000000000000000"),
    ("int-max", b"7fffffffffffffff"), ("over-body-limit", b"ffffffff"),
    ("fullwidth-digit", b"\xef\xbc\x95"), ("nbsp", b"5\xc2\xa0"), ("quoted", b'"5"'),
]
for short, size in chunk_sizes:
    add(f"chunk-size-{short}", chunked_head + size + b"\r\nhello\r\n0\r\n\r\n" + SMUGGLED)
add("chunk-missing-crlf-after-data", chunked_head + b"5\r\nhelloXX0\r\n\r\n")
add("chunk-data-runs-into-last-chunk", chunked_head + b"5\r\nhello0\r\n\r\n")
add("chunk-data-longer-than-size", chunked_head + b"3\r\nhello\r\n0\r\n\r\n")
add("chunk-data-shorter-than-size", chunked_head + b"8\r\nhi\r\n0\r\n\r\n" + b"\r\n")
add("chunk-plain-body", chunked_head + b"hello=world\r\n")
add("chunk-last-without-trailer-end", chunked_head + b"0\r\n" + SMUGGLED)
add("chunk-trailer-obs-fold", chunked_head + b"0\r\nX-T: a\r\n b\r\n\r\n")
add("chunk-trailer-space-in-name", chunked_head + b"0\r\nX T: a\r\n\r\n")
add("chunk-trailer-no-colon", chunked_head + b"0\r\nTrailer\r\n\r\n")
add("chunk-trailer-control", chunked_head + b"0\r\nX-T: a\x01b\r\n\r\n")

# --- Header field names and values --------------------------------------------------------------
bad_names = [
    ("space-in-name", b"X Header: v"), ("space-before-colon", b"X-Header : v"),
    ("tab-before-colon", b"X-Header\t: v"), ("control-in-name", b"X-\x01Header: v"),
    ("del-in-name", b"X-Header\x7f: v"), ("utf8-in-name", b"X-H\xc3\xa9ader: v"),
    ("empty-name", b": v"), ("no-colon", b"NoColon"), ("brackets", b"X[1]: v"),
    ("at-sign", b"X@y: v"), ("slash", b"X/Y: v"), ("parens", b"X(Y): v"), ("quote", b'X"Y: v'),
    ("braces", b"X{Y}: v"), ("equals", b"X=Y: v"), ("comma", b"X,Y: v"), ("semicolon", b"X;Y: v"),
    ("question", b"X?Y: v"), ("backslash", b"X\\Y: v"), ("vtab-in-host-name", b"Host\x0b: corpus"),
    ("esc-in-name", b"X\x1b[0m: v"),
]
for short, line in bad_names:
    add(f"name-{short}", head(line, method=b"GET"))
bad_values = [
    ("control", b"X: a\x01b"), ("del", b"X: a\x7fb"), ("escape", b"X: \x1b[31mred"),
    ("vtab", b"X: a\x0bb"), ("formfeed", b"X: a\x0cb"), ("backspace", b"X: a\x08b"),
]
for short, line in bad_values:
    add(f"value-{short}", head(line, method=b"GET"))
add("host-missing", b"GET / HTTP/1.1\r\n\r\n")
add("host-duplicate", b"GET / HTTP/1.1\r\nHost: corpus\r\nHost: other\r\n\r\n")
add("host-duplicate-same", b"GET / HTTP/1.1\r\nHost: corpus\r\nhost: corpus\r\n\r\n")
add("host-with-path", b"GET / HTTP/1.1\r\nHost: corpus/evil\r\n\r\n")
add("host-with-userinfo", b"GET / HTTP/1.1\r\nHost: user@corpus\r\n\r\n")
add("host-with-space", b"GET / HTTP/1.1\r\nHost: cor pus\r\n\r\n")
add("host-bad-port", b"GET / HTTP/1.1\r\nHost: corpus:8o\r\n\r\n")
add("host-with-fragment", b"GET / HTTP/1.1\r\nHost: corpus#x\r\n\r\n")

# --- obs-fold -----------------------------------------------------------------------------------
add("fold-space", head(b"X-F: a", b" b", method=b"GET"))
add("fold-tab", head(b"X-F: a", b"\tb", method=b"GET"))
add("fold-host", b"GET / HTTP/1.1\r\nHost: corpus\r\n  evil\r\n\r\n")
add("fold-first-line", b"GET / HTTP/1.1\r\n Host: corpus\r\n\r\n")
add("fold-empty", head(b"X-F:", b" ", method=b"GET"))
add("fold-twice", head(b"X-F: a", b" b", b" c", method=b"GET"))

# --- Request targets: absolute form and other forms ---------------------------------------------
close = b"Connection: close"
add("ok1-absolute-form", head(close, method=b"GET", target=b"http://corpus/"))
add("ok1-absolute-form-no-path", head(close, method=b"GET", target=b"http://corpus"))
add("ok1-absolute-form-upper-scheme", head(close, method=b"GET", target=b"HTTP://CORPUS/"))
add("ok1-absolute-form-https-query", head(close, method=b"GET", target=b"https://corpus/?q=1"))
add("ok1-absolute-form-query-only", head(close, method=b"GET", target=b"http://corpus?q=1"))
add("ok1-absolute-form-other-host", b"GET http://corpus:8080/ HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n")
add("ok1-absolute-form-ipv6", head(close, method=b"GET", target=b"http://[::1]:80/"))
add("ok1-absolute-form-http10-no-host", head(method=b"GET", target=b"http://127.0.0.1/", version=b"HTTP/1.0", host=False))
add("target-userinfo", head(method=b"GET", target=b"http://user@corpus/"))
add("target-userinfo-password", head(method=b"GET", target=b"http://user:pass@corpus/"))
add("target-empty-authority", head(method=b"GET", target=b"http:///"))
add("target-empty-authority-query", head(method=b"GET", target=b"http://?x"))
add("target-ftp-scheme", head(method=b"GET", target=b"ftp://corpus/"))
add("target-one-slash", head(method=b"GET", target=b"http:/corpus/"))
add("target-no-slash", head(method=b"GET", target=b"http:corpus/"))
add("target-backslash", head(method=b"GET", target=b"http:\\\\corpus/"))
add("target-fragment-authority", head(method=b"GET", target=b"http://corpus#.evil/"))
add("target-angle-authority", head(method=b"GET", target=b"http://cor<pus>/"))
add("target-bad-port", head(method=b"GET", target=b"http://corpus:8o/"))
add("target-unclosed-ipv6", head(method=b"GET", target=b"http://[::1/"))
add("target-absolute-no-host-http11", b"GET http://corpus/ HTTP/1.1\r\n\r\n")
add("target-authority-form", head(method=b"GET", target=b"corpus:80"))
add("target-connect", head(method=b"CONNECT", target=b"corpus:443"))
add("target-asterisk-get", head(method=b"GET", target=b"*"))
add("target-relative", head(method=b"GET", target=b"index.html"))
add("target-utf8", head(method=b"GET", target=b"/\xc3\xa9"))
add("target-space", b"GET /a b HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("target-empty", b"GET  HTTP/1.1\r\nHost: corpus\r\n\r\n")

# --- Versions and other protocols ---------------------------------------------------------------
add("ok1-http10-no-host", b"GET / HTTP/1.0\r\n\r\n")
add("http09-simple", b"GET /\r\n")
add("http09-simple-blank", b"GET /\r\n\r\n")
add("version-empty", b"GET / \r\nHost: corpus\r\n\r\n")
add("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
add("version-http2", head(method=b"GET", version=b"HTTP/2"))
add("version-2-0", head(method=b"GET", version=b"HTTP/2.0"))
add("version-3-0", head(method=b"GET", version=b"HTTP/3.0"))
add("version-1-2", head(method=b"GET", version=b"HTTP/1.2"))
add("version-0-9", head(method=b"GET", version=b"HTTP/0.9"))
add("version-9-9", head(method=b"GET", version=b"HTTP/9.9"))
add("version-1-10", head(method=b"GET", version=b"HTTP/1.10"))
add("version-01-1", head(method=b"GET", version=b"HTTP/01.1"))
add("version-lowercase", head(method=b"GET", version=b"http/1.1"))
add("version-no-minor", head(method=b"GET", version=b"HTTP/1"))
add("version-three-parts", head(method=b"GET", version=b"HTTP/1.1.1"))
add("version-letter-minor", head(method=b"GET", version=b"HTTP/1.a"))
add("version-backslash", head(method=b"GET", version=b"HTTP\\1.1"))
add("version-https", head(method=b"GET", version=b"HTTPS/1.1"))
add("version-rtsp", head(method=b"GET", version=b"RTSP/1.0"))
add("version-trailing-space", b"GET / HTTP/1.1 \r\nHost: corpus\r\n\r\n")
add("version-missing-with-headers", b"GET /\r\nHost: corpus\r\n\r\n")
add("request-line-leading-space", b" GET / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("request-line-double-space", b"GET  / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("request-line-tabs", b"GET\t/\tHTTP/1.1\r\nHost: corpus\r\n\r\n")
add("method-with-slash", b"GE/T / HTTP/1.1\r\nHost: corpus\r\n\r\n")
add("tls-client-hello", bytes.fromhex("16030100a5010000a10303") + bytes(range(32)) + b"\r\n\r\n")

# --- Garbage pipelined after valid requests -----------------------------------------------------
add("valid1-garbage-line", VALID_GET + b"GARBAGE\r\n\r\n")
add("valid1-binary", VALID_GET + bytes(range(0, 32)) + b"\r\n\r\n")
add("valid1-clte", VALID_GET + clte(b"Transfer-Encoding: chunked"))
add("valid1-tecl", VALID_GET + tecl(b"Transfer-Encoding: chunked"))
add("valid1-post-then-clte", VALID_POST + clte(b"Transfer-Encoding: chunked"))
add("valid1-body-longer-than-cl", VALID_POST + b"world\r\n\r\n")
add("valid1-chunked-then-bare-lf", VALID_CHUNKED + b"GET / HTTP/1.1\nHost: corpus\n\n")
add("valid2-then-http2-preface", VALID_GET + VALID_GET + b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
add("valid1-tls-after-plain", VALID_GET + bytes.fromhex("16030100a5010000a10303") + b"\r\n\r\n")
add("valid1-too-many-blank-lines", VALID_GET + b"\r\n" * 5 + VALID_GET)
add("valid1-then-space-before-colon", VALID_GET + b"GET / HTTP/1.1\r\nHost : corpus\r\n\r\n")
add("valid3-then-cl-conflict", VALID_GET + VALID_POST + VALID_CHUNKED
    + head(b"Content-Length: 3", b"Content-Length: 4") + BODY4)
add("valid1-http10-keep-alive-then-garbage",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + b"GET / HTTP/1.0\r\nX Y: z\r\n\r\n")
add("valid1-h2c-upgrade-then-preface",
    b"GET / HTTP/1.1\r\nHost: corpus\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
    b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n" + b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
add("valid1-chunked-trailer-then-clte", VALID_CHUNKED[:-2] + b"X-T: t\r\n\r\n" + clte(b"Transfer-Encoding: chunked"))
add("valid1-expect-continue-then-garbage",
    b"POST / HTTP/1.1\r\nHost: corpus\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello" + b"\x00\r\n\r\n")
add("ok2-pipelined-then-close", VALID_GET + b"GET / HTTP/1.1\r\nHost: corpus\r\nConnection: close\r\n\r\n"
    + SMUGGLED)

# --- Requests split at odd places ---------------------------------------------------------------
add("split1-clte", clte(b"Transfer-Encoding: chunked"))
add("split1-tecl", tecl(b"Transfer-Encoding: chunked"))
add("split1-bare-lf-header", b"GET / HTTP/1.1\r\nHost: corpus\nX: y\r\n\r\n")
add("split1-bare-cr-header", b"GET / HTTP/1.1\r\nHost: corpus\rX: y\r\n\r\n")
add("split1-http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
add("split2-chunk-missing-crlf", chunked_head + b"5\r\nhelloXX0\r\n\r\n")
add("split3-nul-in-header", b"GET / HTTP/1.1\r\nHost: corpus\r\nX-N: a\x00b\r\n\r\n")
add("split7-obs-fold", head(b"X-F: a", b" b", method=b"GET"))
add("split5-cl-conflict", head(b"Content-Length: 3", b"Content-Length: 4") + BODY4)
add("split1-chunk-ext-bad", chunked_head + b"5;a b\r\nhello\r\n0\r\n\r\n")
add("valid1-split1-get-then-garbage", VALID_GET + b"GARBAGE\r\n\r\n")
add("valid1-split1-chunked-then-clte", VALID_CHUNKED + clte(b"Transfer-Encoding: chunked"))
add("valid1-split2-post-then-te-obfuscated", VALID_POST + head(b"Transfer-Encoding: chunked, identity") + b"0\r\n\r\n")
add("ok1-split1-absolute-form", head(close, method=b"GET", target=b"http://corpus/"))
add("ok1-split1-chunked-close", VALID_CHUNKED.replace(b"Host: corpus\r\n", b"Host: corpus\r\nConnection: close\r\n"))


def main():
    names = [name for name, _ in entries]
    assert len(names) == len(set(names)), "duplicate corpus names"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.http"):
        old.unlink()
    for number, (name, data) in enumerate(entries, start=1):
        with open(OUT / f"{number:03d}-{name}.http", "wb") as file:
            file.write(data)
    print(f"wrote {len(entries)} requests to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
