#!/usr/bin/env python3
"""Checks a running Latchkey provider with an independent, standard OAuth 2.0 client: Authlib's
OAuth2Session, used exactly as its documentation shows. The browser's part (sign-in and
consent forms, with their CSRF tokens) is played with plain `requests`.

Covers: discovery, authorization code with PKCE (S256) and a nonce, the token exchange with
client_secret_basic, the id_token's signature and claims against the JWK Set, userinfo and the
profile API, refresh with rotation, introspection, revocation, and refusals of a reused code
and a revoked refresh token.

Environment: PROVIDER_URL, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERNAME, PASSWORD.
Prints one line per check and 'N passed, M failed' last; exits non-zero on any failure.
Started by run.sh, which sets all of that up.
"""

import os
import sys
import warnings
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse, parse_qs

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError

# authlib.jose still works and is what Authlib documents for verifying id_tokens; its notice
# about a successor library is not a finding of this check.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, jwt

TIMEOUT = 10
BASE = os.environ["PROVIDER_URL"].rstrip("/")
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
REDIRECT_URI = os.environ["REDIRECT_URI"]
USERNAME = os.environ["USERNAME"]
PASSWORD = os.environ["PASSWORD"]
SCOPE = "openid profile email"

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


class FormParser(HTMLParser):
    """Collects the hidden inputs of every form on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs.get("name")] = attrs.get("value", "")


def form_posting_to(html, action):
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return form["fields"]
    raise AssertionError(f"no form posting to {action}")


def browser_authorize(authorization_url):
    """Plays the user's browser: sign in when asked, allow on the consent page, and return the
    redirect back to the client (never followed: nothing listens at the redirect URI)."""
    browser = requests.Session()
    response = browser.get(authorization_url, allow_redirects=False, timeout=TIMEOUT)
    check("anonymous visitor is sent to sign in", response.status_code == 303 and "/login?next=" in response.headers.get("Location", ""),
          f"status={response.status_code}")
    login_page = browser.get(urljoin(BASE, response.headers["Location"]), timeout=TIMEOUT)
    fields = form_posting_to(login_page.text, "/login")
    check("sign-in form carries a CSRF token", bool(fields.get("csrf_token")))
    fields.update({"username": USERNAME, "password": PASSWORD})
    response = browser.post(urljoin(BASE, "/login"), data=fields, allow_redirects=False, timeout=TIMEOUT)
    check("sign-in returns to the authorization request", response.status_code == 303 and
          response.headers.get("Location", "").startswith("/oauth/authorize?"), f"status={response.status_code}")
    consent = browser.get(urljoin(BASE, response.headers["Location"]), allow_redirects=False, timeout=TIMEOUT)
    check("consent page is shown", consent.status_code == 200 and "Allow" in consent.text, f"status={consent.status_code}")
    fields = form_posting_to(consent.text, "/oauth/authorize")
    fields["decision"] = "allow"
    response = browser.post(urljoin(BASE, "/oauth/authorize"), data=fields, allow_redirects=False, timeout=TIMEOUT)
    location = response.headers.get("Location", "")
    check("consent redirects to the client with a code", response.status_code == 302 and location.startswith(REDIRECT_URI) and
          "code=" in location, f"status={response.status_code} location={location[:80]}")
    return location


def main():
    metadata = requests.get(BASE + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    check("discovery names the issuer", metadata.get("issuer") == BASE, metadata.get("issuer"))
    check("discovery offers S256", metadata.get("code_challenge_methods_supported") == ["S256"])
    authorization_endpoint = metadata["authorization_endpoint"]
    token_endpoint = metadata["token_endpoint"]

    # Authlib's documented flow: a session with the client's credentials, PKCE S256.
    client = OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope=SCOPE, redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    code_verifier = generate_token(48)
    nonce = generate_token(20)
    uri, state = client.create_authorization_url(authorization_endpoint, code_verifier=code_verifier, nonce=nonce)
    authorization_response = browser_authorize(uri)
    check("state comes back unchanged", parse_qs(urlparse(authorization_response).query).get("state") == [state])

    token = client.fetch_token(token_endpoint, authorization_response=authorization_response, code_verifier=code_verifier,
                               state=state, timeout=TIMEOUT)
    check("token exchange returns a bearer token", token.get("token_type") == "Bearer" and bool(token.get("access_token")))
    check("token exchange returns a refresh token", bool(token.get("refresh_token")))
    check("token exchange returns the granted scope", set(token.get("scope", "").split()) == set(SCOPE.split()))

    jwks = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
    claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(jwks),
                        claims_options={"iss": {"essential": True, "value": BASE}, "aud": {"essential": True, "value": CLIENT_ID},
                                        "nonce": {"essential": True, "value": nonce}})
    claims.validate()
    check("id_token verifies against the JWK Set", claims.get("preferred_username") == USERNAME, dict(claims))

    userinfo = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
    check("userinfo answers with the token", userinfo.status_code == 200 and userinfo.json().get("sub") == claims["sub"],
          userinfo.text[:200])
    profile = client.get(BASE + "/api/profile", timeout=TIMEOUT)
    check("profile API names the user", profile.status_code == 200 and profile.json().get("username") == USERNAME, profile.text[:200])

    first_refresh = token["refresh_token"]
    refreshed = client.refresh_token(token_endpoint, refresh_token=first_refresh, timeout=TIMEOUT)
    check("refresh issues a new access token", refreshed.get("access_token") and refreshed["access_token"] != token["access_token"])
    check("refresh rotates the refresh token", refreshed.get("refresh_token") and refreshed["refresh_token"] != first_refresh)

    access_token = refreshed["access_token"]
    introspection = client.introspect_token(metadata["introspection_endpoint"], token=access_token, token_type_hint="access_token",
                                            timeout=TIMEOUT).json()
    check("introspection reports the token active", introspection.get("active") is True and
          introspection.get("client_id") == CLIENT_ID and introspection.get("username") == USERNAME, introspection)

    revoked = client.revoke_token(metadata["revocation_endpoint"], token=access_token, token_type_hint="access_token", timeout=TIMEOUT)
    check("revocation answers 200", revoked.status_code == 200, revoked.status_code)
    introspection = client.introspect_token(metadata["introspection_endpoint"], token=access_token, timeout=TIMEOUT).json()
    check("a revoked token is inactive", introspection == {"active": False}, introspection)
    after = requests.get(BASE + "/api/profile", headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)
    check("a revoked token is refused by the API", after.status_code == 401 and 'error="invalid_token"' in after.headers.get("WWW-Authenticate", ""))

    current_refresh = refreshed["refresh_token"]
    revoked = client.revoke_token(metadata["revocation_endpoint"], token=current_refresh, token_type_hint="refresh_token", timeout=TIMEOUT)
    check("refresh token revocation answers 200", revoked.status_code == 200)
    try:
        client.refresh_token(token_endpoint, refresh_token=current_refresh, timeout=TIMEOUT)
        check("a revoked refresh token is refused", False, "it was accepted")
    except OAuthError as error:
        check("a revoked refresh token is refused", error.error == "invalid_grant", error.error)

    replay = OAuth2Session(CLIENT_ID, CLIENT_SECRET, redirect_uri=REDIRECT_URI)
    try:
        replay.fetch_token(token_endpoint, authorization_response=authorization_response, code_verifier=code_verifier,
                           state=state, timeout=TIMEOUT)
        check("a reused code is refused", False, "it was accepted")
    except OAuthError as error:
        check("a reused code is refused", error.error == "invalid_grant", error.error)

    bad = requests.post(token_endpoint, data={"grant_type": "authorization_code", "code": "x"}, auth=(CLIENT_ID, "wrong-secret"),
                        timeout=TIMEOUT)
    check("a wrong client secret is invalid_client", bad.status_code == 401 and bad.json().get("error") == "invalid_client" and
          bad.headers.get("WWW-Authenticate", "").startswith("Basic"))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any crash is a failure, reported like one
        check("the check ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
