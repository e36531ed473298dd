#!/usr/bin/env python3
"""Checks OpenID Connect RP-initiated logout 1.0 and back-channel logout 1.0 between a running
Latchkey provider and a running Latchkey site that signs in with it. Authlib plays the relying
party for RP-initiated logout (code flow, id_token verified against the JWK Set, then the
`end_session_endpoint` with `id_token_hint`, `post_logout_redirect_uri` and `state`); one
`requests` session plays the person's browser on both. Back-channel logout is checked by its
effect: the site session the same provider session created ends when the provider's does.

Environment: PROVIDER_URL, SITE_URL, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
POST_LOGOUT_REDIRECT_URI, USERNAME, PASSWORD. Prints one line per check and 'N passed, M failed'
last; exits non-zero on any failure. Started by run.sh, which sets all of that up.
"""

import os
import sys
import time
import warnings
from urllib.parse import urljoin, urlparse, parse_qs

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, jwt

from oauth_client_check import check, form_posting_to
import oauth_client_check as counts

TIMEOUT = 10
BASE = os.environ["PROVIDER_URL"].rstrip("/")
SITE = os.environ["SITE_URL"].rstrip("/")
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
REDIRECT_URI = os.environ["REDIRECT_URI"]
AFTER = os.environ["POST_LOGOUT_REDIRECT_URI"]
USERNAME = os.environ["USERNAME"]
PASSWORD = os.environ["PASSWORD"]


def provider_sign_in(browser, location):
    """Follows the provider's sign-in form from `location` and returns where it sends the browser."""
    page = browser.get(urljoin(BASE, location), timeout=TIMEOUT)
    fields = form_posting_to(page.text, "/login")
    fields.update({"username": USERNAME, "password": PASSWORD})
    response = browser.post(urljoin(BASE, "/login"), data=fields, allow_redirects=False, timeout=TIMEOUT)
    return response.headers.get("Location", "")


def sign_in_to_the_site(browser):
    login = browser.get(SITE + "/login", timeout=TIMEOUT)
    fields = form_posting_to(login.text, "/auth/sibling")
    fields["intent"] = "signin"
    start = browser.post(SITE + "/auth/sibling", data=fields, allow_redirects=False, timeout=TIMEOUT)
    authorize = start.headers.get("Location", "")
    check("the site sends the browser to the provider with openid", authorize.startswith(BASE) and "openid" in authorize, authorize[:120])
    response = browser.get(authorize, allow_redirects=False, timeout=TIMEOUT)
    if "/login?next=" in response.headers.get("Location", ""):
        response = browser.get(urljoin(BASE, provider_sign_in(browser, response.headers["Location"])), allow_redirects=False, timeout=TIMEOUT)
    if response.status_code == 200:  # consent
        fields = form_posting_to(response.text, "/oauth/authorize")
        fields["decision"] = "allow"
        response = browser.post(BASE + "/oauth/authorize", data=fields, allow_redirects=False, timeout=TIMEOUT)
    callback = response.headers.get("Location", "")
    done = browser.get(callback, allow_redirects=False, timeout=TIMEOUT)
    check("the site signs in with the provider", done.status_code == 303, f"status={done.status_code}")
    account = browser.get(SITE + "/account", allow_redirects=False, timeout=TIMEOUT)
    check("the site session is live", account.status_code == 200, f"status={account.status_code}")


def rp_id_token(browser, metadata):
    """Authlib's code flow for the conformance client, in the browser that is signed in already."""
    client = OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope="openid", redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(20)
    uri, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    response = browser.get(uri, allow_redirects=False, timeout=TIMEOUT)
    if response.status_code == 200:
        fields = form_posting_to(response.text, "/oauth/authorize")
        fields["decision"] = "allow"
        response = browser.post(BASE + "/oauth/authorize", data=fields, allow_redirects=False, timeout=TIMEOUT)
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=response.headers["Location"], code_verifier=verifier,
                               state=state, timeout=TIMEOUT)
    jwks = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
    claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(jwks),
                        claims_options={"iss": {"essential": True, "value": BASE}, "aud": {"essential": True, "value": CLIENT_ID},
                                        "nonce": {"essential": True, "value": nonce}})
    claims.validate()
    check("the id_token carries sid", bool(claims.get("sid")), dict(claims))
    return token["id_token"]


def main():
    metadata = requests.get(BASE + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    end_session = metadata.get("end_session_endpoint")
    check("discovery names the end_session_endpoint", end_session == BASE + "/oauth/logout", end_session)
    check("discovery offers back-channel logout with sid", metadata.get("backchannel_logout_supported") is True and
          metadata.get("backchannel_logout_session_supported") is True)

    browser = requests.Session()
    sign_in_to_the_site(browser)
    id_token = rp_id_token(browser, metadata)

    refused = browser.get(end_session, params={"id_token_hint": id_token, "post_logout_redirect_uri": "http://127.0.0.1:9/elsewhere"},
                          allow_redirects=False, timeout=TIMEOUT)
    check("an unregistered post_logout_redirect_uri is a page, not a redirect", refused.status_code == 400 and
          "Location" not in refused.headers, f"status={refused.status_code}")
    forged = browser.get(end_session, params={"id_token_hint": id_token[:-4] + "AAAA"}, allow_redirects=False, timeout=TIMEOUT)
    check("an id_token_hint with a bad signature is refused", forged.status_code == 400, f"status={forged.status_code}")

    state = generate_token(12)
    out = browser.get(end_session, params={"id_token_hint": id_token, "post_logout_redirect_uri": AFTER, "state": state},
                      allow_redirects=False, timeout=TIMEOUT)
    location = out.headers.get("Location", "")
    check("logout with a hint from the signed-in session returns to the RP with state", out.status_code == 303 and
          location.startswith(AFTER) and parse_qs(urlparse(location).query).get("state") == [state], f"{out.status_code} {location[:100]}")
    account = browser.get(BASE + "/account", allow_redirects=False, timeout=TIMEOUT)
    check("the provider session ended", account.status_code == 303, f"status={account.status_code}")

    ended = False
    for _ in range(50):  # back-channel logout goes out in the background
        if browser.get(SITE + "/account", allow_redirects=False, timeout=TIMEOUT).status_code != 200:
            ended = True
            break
        time.sleep(0.1)
    check("back-channel logout ended the site session that sign-in created", ended)

    junk = requests.post(SITE + "/auth/sibling/backchannel-logout", data={"logout_token": "not.a.token"}, timeout=TIMEOUT)
    check("the site refuses a malformed logout token", junk.status_code == 400 and junk.json().get("error") == "invalid_request",
          junk.text[:200])

    anonymous = requests.get(end_session, params={"client_id": CLIENT_ID, "post_logout_redirect_uri": AFTER, "state": "s"},
                             allow_redirects=False, timeout=TIMEOUT)
    check("a signed-out visitor is sent back with state", anonymous.status_code == 303 and
          anonymous.headers.get("Location", "") == AFTER + "?state=s")

    print(f"{counts.passed} passed, {counts.failed} failed")
    return 0 if counts.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
