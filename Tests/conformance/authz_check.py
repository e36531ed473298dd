#!/usr/bin/env python3
"""Checks issue 15's additions to a running Latchkey provider with standard client code:
Authlib where it implements the standard (RFC 7591 metadata rules through its
ClientMetadataClaims, the RFC 8628 device grant and PKCE through OAuth2Session, whose errors it
names), plain `requests` for the rest (RFC 9126 pushed requests, RFC 7592 management, the
browser's forms).

Covers: discovery advertising the endpoints; registration gated by an initial access token,
hostile redirect URIs refused, the response valid for Authlib; the configuration endpoint;
PKCE required of the registered client; a pushed authorization request signed in through the
real forms and exchanged with its verifier, then refused when replayed; the device grant with
authorization_pending, slow_down and the tokens after approval on /device; a bearer token in a
URL refused; deleting the client.

Environment: PROVIDER_URL, USERNAME, PASSWORD, INITIAL_ACCESS_TOKEN (from `latchkey clients
token`; the provider runs with PROVIDER_REGISTRATION=token). Prints one line per check and
'N passed, M failed' last; exits non-zero on any failure. Started by run.sh.
"""

import os
import sys
import time
from urllib.parse import urljoin, urlparse, parse_qs, urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc8628 import DEVICE_CODE_GRANT_TYPE

from oauth_client_check import form_posting_to

TIMEOUT = 10
BASE = os.environ["PROVIDER_URL"].rstrip("/")
USERNAME = os.environ["USERNAME"]
PASSWORD = os.environ["PASSWORD"]
INITIAL_TOKEN = os.environ["INITIAL_ACCESS_TOKEN"]
REDIRECT_URI = "http://127.0.0.1:9/authz-callback"

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")
    return condition


def signed_in_browser():
    browser = requests.Session()
    page = browser.get(BASE + "/login", timeout=TIMEOUT)
    fields = form_posting_to(page.text, "/login")
    fields.update({"username": USERNAME, "password": PASSWORD})
    browser.post(BASE + "/login", data=fields, allow_redirects=False, timeout=TIMEOUT)
    return browser


def main():
    metadata = requests.get(BASE + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    check("discovery names the PAR endpoint", metadata.get("pushed_authorization_request_endpoint") == BASE + "/oauth/par")
    check("discovery names the device endpoint", metadata.get("device_authorization_endpoint") == BASE + "/oauth/device_authorization")
    check("discovery lists the device grant", DEVICE_CODE_GRANT_TYPE in metadata.get("grant_types_supported", []))
    check("discovery names the registration endpoint", metadata.get("registration_endpoint") == BASE + "/oauth/register")
    registration_endpoint = metadata["registration_endpoint"]
    token_endpoint = metadata["token_endpoint"]

    # RFC 7591: registration needs the initial access token; hostile metadata is refused.
    document = {"client_name": "Authlib dynamic", "redirect_uris": [REDIRECT_URI], "scope": "openid profile email",
                "grant_types": ["authorization_code", "refresh_token", DEVICE_CODE_GRANT_TYPE],
                "token_endpoint_auth_method": "client_secret_basic", "logo_uri": "https://example.invalid/logo.png"}
    anonymous = requests.post(registration_endpoint, json=document, timeout=TIMEOUT)
    check("registration without an initial access token is 401", anonymous.status_code == 401, anonymous.status_code)
    for uri in ["javascript:alert(1)", "http://example.com/cb", "https://example.com/cb#fragment"]:
        hostile = requests.post(registration_endpoint, json=dict(document, redirect_uris=[uri]), timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {INITIAL_TOKEN}"})
        check(f"hostile redirect URI {uri} is invalid_redirect_uri", hostile.status_code == 400 and
              hostile.json().get("error") == "invalid_redirect_uri", hostile.text[:200])
    registered = requests.post(registration_endpoint, json=document, headers={"Authorization": f"Bearer {INITIAL_TOKEN}"},
                               timeout=TIMEOUT)
    check("registration answers 201", registered.status_code == 201, registered.text[:200])
    client_info = registered.json()
    claims = ClientMetadataClaims(client_info, {})
    claims.validate()
    check("the registration response is valid client metadata for Authlib", True)
    check("unknown metadata is not echoed", "logo_uri" not in client_info)
    client_id, client_secret = client_info["client_id"], client_info["client_secret"]
    management = {"Authorization": f"Bearer {client_info['registration_access_token']}"}
    again = requests.post(registration_endpoint, json=document, headers={"Authorization": f"Bearer {INITIAL_TOKEN}"}, timeout=TIMEOUT)
    check("an initial access token works once", again.status_code == 401, again.status_code)

    # RFC 7592: the configuration endpoint with the registration access token.
    read = requests.get(client_info["registration_client_uri"], headers=management, timeout=TIMEOUT)
    check("the configuration endpoint reads the client", read.status_code == 200 and read.json().get("client_id") == client_id)
    stranger = requests.get(client_info["registration_client_uri"], headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT)
    check("another token is 401 invalid_token", stranger.status_code == 401 and stranger.json().get("error") == "invalid_token")

    # PKCE is required of the new client: Authlib without a challenge is refused.
    plain = OAuth2Session(client_id, client_secret, scope="openid", redirect_uri=REDIRECT_URI)
    uri, _ = plain.create_authorization_url(metadata["authorization_endpoint"])
    refused = requests.get(uri, allow_redirects=False, timeout=TIMEOUT)
    check("an authorization request without PKCE is invalid_request",
          parse_qs(urlparse(refused.headers.get("Location", "")).query).get("error") == ["invalid_request"], refused.headers)

    # RFC 9126: Authlib builds the request (PKCE S256), we push it, the browser redeems it.
    client = OAuth2Session(client_id, client_secret, scope="openid profile", redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    verifier = generate_token(48)
    uri, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
    parameters = {k: v[0] for k, v in parse_qs(urlparse(uri).query).items()}
    pushed = requests.post(metadata["pushed_authorization_request_endpoint"], data=parameters, auth=(client_id, client_secret),
                           timeout=TIMEOUT)
    check("PAR answers 201 with a request_uri", pushed.status_code == 201 and
          pushed.json().get("request_uri", "").startswith("urn:ietf:params:oauth:request_uri:") and pushed.json().get("expires_in") == 60,
          pushed.text[:200])
    redeem = metadata["authorization_endpoint"] + "?" + urlencode({"client_id": client_id, "request_uri": pushed.json()["request_uri"]})
    browser = signed_in_browser()
    consent = browser.get(redeem, allow_redirects=False, timeout=TIMEOUT)
    check("the pushed request shows the consent page", consent.status_code == 200, consent.status_code)
    fields = form_posting_to(consent.text, "/oauth/authorize")
    fields["decision"] = "allow"
    answer = browser.post(BASE + "/oauth/authorize", data=fields, allow_redirects=False, timeout=TIMEOUT)
    location = answer.headers.get("Location", "")
    check("the pushed request comes back with a code and the state", "code=" in location and
          parse_qs(urlparse(location).query).get("state") == [state], location[:120])
    token = client.fetch_token(token_endpoint, authorization_response=location, code_verifier=verifier, state=state, timeout=TIMEOUT)
    check("Authlib exchanges the code with its verifier", bool(token.get("access_token")) and bool(token.get("id_token")))
    replayed = browser.get(redeem, allow_redirects=False, timeout=TIMEOUT)
    check("a replayed request_uri is refused", replayed.status_code == 400 and "Location" not in replayed.headers, replayed.status_code)
    nested = requests.post(metadata["pushed_authorization_request_endpoint"], data=dict(parameters, request_uri="urn:x"),
                           auth=(client_id, client_secret), timeout=TIMEOUT)
    check("a PAR request with request_uri is invalid_request", nested.json().get("error") == "invalid_request")

    # RFC 6750 §2.3 is off: never a token in the URL.
    in_url = requests.get(BASE + "/api/profile?access_token=" + token["access_token"], timeout=TIMEOUT)
    check("a bearer token in the query string is refused", in_url.status_code == 400 and in_url.json().get("error") == "invalid_request")

    # RFC 8628: the device asks, polls (Authlib names the errors), the person approves on /device.
    device = requests.post(metadata["device_authorization_endpoint"], data={"scope": "openid profile"}, auth=(client_id, client_secret),
                           timeout=TIMEOUT).json()
    check("device authorization gives a user code like WDJB-MJHT", len(device.get("user_code", "")) == 9 and device["user_code"][4] == "-",
          device)
    poller = OAuth2Session(client_id, client_secret)

    def poll():
        try:
            return poller.fetch_token(token_endpoint, grant_type=DEVICE_CODE_GRANT_TYPE, device_code=device["device_code"],
                                      timeout=TIMEOUT), None
        except OAuthError as error:
            return None, error.error

    check("the first poll is authorization_pending", poll()[1] == "authorization_pending")
    check("polling again at once is slow_down", poll()[1] == "slow_down")
    browser = signed_in_browser()
    page = browser.get(device["verification_uri_complete"], timeout=TIMEOUT)
    fields = form_posting_to(page.text, "/device")
    fields["user_code"] = device["user_code"].lower().replace("-", " ")
    consent = browser.post(BASE + "/device", data=fields, timeout=TIMEOUT)
    check("the typed code (any case, no dash) finds the request", consent.status_code == 200 and "Authlib dynamic" in consent.text,
          consent.status_code)
    fields = form_posting_to(consent.text, "/device/decide")
    fields["decision"] = "allow"
    done = browser.post(BASE + "/device/decide", data=fields, timeout=TIMEOUT)
    check("the device is approved", done.status_code == 200 and "connected" in done.text, done.status_code)
    time.sleep(device["interval"] + 5.5)  # the interval grew by 5 s with the slow_down
    tokens, error = poll()
    check("the device gets its tokens after approval", tokens is not None and bool(tokens.get("access_token")), error)
    check("the device code works once", poll()[1] in ("invalid_grant", "slow_down"))

    gone = requests.delete(client_info["registration_client_uri"], headers=management, timeout=TIMEOUT)
    check("the client deletes itself", gone.status_code == 204, gone.status_code)
    check("its registration token no longer reads it",
          requests.get(client_info["registration_client_uri"], headers=management, timeout=TIMEOUT).status_code == 401)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any crash is a failure, reported like one
        check("the check ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
