#!/usr/bin/env python3
"""Checks JWT access tokens (RFC 9068), resource indicators (RFC 8707), protected-resource
metadata (RFC 9728) and DPoP (RFC 9449) of a running Latchkey provider with independent code:
Authlib's OAuth2Session for the flows, Authlib's RFC 9068 resource-server validator
(JWTBearerTokenValidator) for the access tokens, and joserfc (Authlib's JOSE library) to sign
DPoP proofs with keys it generates. Helpers (checks, form parsing) are oauth_client_check's.

Environment: as oauth_client_check.py, plus JWT_CLIENT_ID and JWT_CLIENT_SECRET (a client
registered with --jwt-access-tokens and the client_credentials grant) and API_RESOURCE (one of
PROVIDER_RESOURCES). Prints one line per check and 'N passed, M failed' last; exits non-zero on
any failure. Started by run.sh.
"""

import base64
import hashlib
import json
import os
import sys
import time
import uuid
import warnings
from urllib.parse import urljoin

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc9068 import JWTBearerTokenValidator
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

import oauth_client_check as base

check = base.check
TIMEOUT = base.TIMEOUT
BASE = base.BASE
JWT_CLIENT_ID = os.environ["JWT_CLIENT_ID"]
JWT_CLIENT_SECRET = os.environ["JWT_CLIENT_SECRET"]
API_RESOURCE = os.environ["API_RESOURCE"]


# Authlib's RFC 9068 validator notes that joserfc will import key sets in Authlib 2; the notice
# is not a finding of this check.
warnings.simplefilter("ignore")


def browser_authorize(uri):
    """The user's browser: sign in, allow on the consent page if it is shown (this user already
    allowed the client after the first flow), and return the redirect back to the client."""
    browser = requests.Session()
    response = browser.get(uri, allow_redirects=False, timeout=TIMEOUT)
    login_page = browser.get(urljoin(BASE, response.headers["Location"]), timeout=TIMEOUT)
    fields = base.form_posting_to(login_page.text, "/login")
    fields.update({"username": base.USERNAME, "password": base.PASSWORD})
    response = browser.post(urljoin(BASE, "/login"), data=fields, allow_redirects=False, timeout=TIMEOUT)
    response = browser.get(urljoin(BASE, response.headers["Location"]), allow_redirects=False, timeout=TIMEOUT)
    if response.status_code == 200:
        fields = base.form_posting_to(response.text, "/oauth/authorize")
        fields["decision"] = "allow"
        response = browser.post(urljoin(BASE, "/oauth/authorize"), data=fields, allow_redirects=False, timeout=TIMEOUT)
    return response.headers.get("Location", "")


def validator_for(resource, jwks):
    """Authlib's RFC 9068 validator, as a resource server named `resource` would set it up."""

    class Validator(JWTBearerTokenValidator):
        def get_jwks(self):
            return jwks

    return Validator(issuer=BASE, resource_server=resource)


def validated(token, resource, jwks, quiet=False):
    """The token's claims once Authlib's validator accepts it for `resource`; None otherwise
    (saying why unless `quiet`)."""
    validator = validator_for(resource, jwks)
    try:
        claims = validator.authenticate_token(token)
        validator.validate_token(claims, scopes=None, request=None)
        return claims
    except Exception as error:  # the validator raises its own error types
        if not quiet:
            print(f"     (validator: {type(error).__name__}: {error})")
        return None


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def proof(key, alg, method, url, access_token=None, jti=None, iat=None):
    """A DPoP proof (RFC 9449 §4.2) signed with joserfc."""
    claims = {"jti": jti or str(uuid.uuid4()), "htm": method, "htu": url, "iat": int(iat if iat is not None else time.time())}
    if access_token:
        claims["ath"] = b64(hashlib.sha256(access_token.encode()).digest())
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


def code_flow(client_id, secret, resource=None, dpop=None):
    """The authorization code flow through Authlib, the browser played by oauth_client_check;
    `dpop` = (key, alg) sends a proof with the token request."""
    client = OAuth2Session(client_id, secret, scope=base.SCOPE, redirect_uri=base.REDIRECT_URI, code_challenge_method="S256")
    verifier = generate_token(48)
    extra = {"resource": resource} if resource else {}
    uri, state = client.create_authorization_url(BASE + "/oauth/authorize", code_verifier=verifier, **extra)
    response = browser_authorize(uri)
    headers = {"DPoP": proof(dpop[0], dpop[1], "POST", BASE + "/oauth/token")} if dpop else None
    return client, client.fetch_token(BASE + "/oauth/token", authorization_response=response, code_verifier=verifier, state=state,
                                      headers=headers, timeout=TIMEOUT)


def main():
    metadata = requests.get(BASE + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    jwks = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
    check("discovery lists the protected resources", metadata.get("protected_resources") == [BASE, API_RESOURCE],
          metadata.get("protected_resources"))
    check("discovery lists the DPoP algorithms", metadata.get("dpop_signing_alg_values_supported") == ["ES256", "RS256", "EdDSA"])
    resource_metadata = requests.get(BASE + "/.well-known/oauth-protected-resource", timeout=TIMEOUT).json()
    check("protected-resource metadata names the resource and its server",
          resource_metadata.get("resource") == BASE and resource_metadata.get("authorization_servers") == [BASE], resource_metadata)

    # RFC 9068 through the code flow, with the default audience and with a resource indicator.
    client, token = code_flow(JWT_CLIENT_ID, JWT_CLIENT_SECRET)
    access = token["access_token"]
    claims = validated(access, BASE, jwks)
    check("a JWT access token passes Authlib's RFC 9068 validator", claims is not None)
    check("it carries the RFC 9068 claims", claims is not None and claims.get("client_id") == JWT_CLIENT_ID and
          set(claims.get("scope", "").split()) == set(base.SCOPE.split()) and "auth_time" in claims, dict(claims or {}))
    check("the header says at+jwt", json.loads(base64.urlsafe_b64decode(access.split(".")[0] + "==")).get("typ") == "at+jwt")
    profile = requests.get(BASE + "/api/profile", headers={"Authorization": f"Bearer {access}"}, timeout=TIMEOUT)
    check("the profile API accepts it", profile.status_code == 200 and profile.json().get("username") == base.USERNAME, profile.text[:200])

    _, api_token = code_flow(JWT_CLIENT_ID, JWT_CLIENT_SECRET, resource=API_RESOURCE)
    check("a resource indicator sets the audience", validated(api_token["access_token"], API_RESOURCE, jwks) is not None)
    check("and the token is not one for another resource", validated(api_token["access_token"], BASE, jwks, quiet=True) is None)
    elsewhere = requests.get(BASE + "/api/profile", headers={"Authorization": f"Bearer {api_token['access_token']}"}, timeout=TIMEOUT)
    check("our endpoints refuse a token for another resource", elsewhere.status_code == 401)

    service = OAuth2Session(JWT_CLIENT_ID, JWT_CLIENT_SECRET)
    try:
        service.fetch_token(BASE + "/oauth/token", grant_type="client_credentials", resource="https://unknown.example", timeout=TIMEOUT)
        check("an unknown resource is invalid_target", False, "it was accepted")
    except OAuthError as error:
        check("an unknown resource is invalid_target", error.error == "invalid_target", error.error)

    # Revocation still holds for JWTs.
    revoked = client.revoke_token(BASE + "/oauth/revoke", token=access, token_type_hint="access_token", timeout=TIMEOUT)
    check("revoking a JWT access token answers 200", revoked.status_code == 200)
    introspection = client.introspect_token(BASE + "/oauth/introspect", token=access, timeout=TIMEOUT).json()
    check("a revoked JWT access token is inactive", introspection == {"active": False}, introspection)
    after = requests.get(BASE + "/api/profile", headers={"Authorization": f"Bearer {access}"}, timeout=TIMEOUT)
    challenge = after.headers.get("WWW-Authenticate", "")
    check("and refused by the API, naming the resource metadata", after.status_code == 401 and 'error="invalid_token"' in challenge and
          f'resource_metadata="{BASE}/.well-known/oauth-protected-resource"' in challenge, challenge)

    # DPoP, with keys and proofs made by joserfc.
    for key, alg in [(ECKey.generate_key("P-256"), "ES256"), (OKPKey.generate_key("Ed25519"), "EdDSA")]:
        _, bound = code_flow(JWT_CLIENT_ID, JWT_CLIENT_SECRET, dpop=(key, alg))
        token_value = bound["access_token"]
        check(f"{alg}: the token request with a proof gets a DPoP token", bound.get("token_type") == "DPoP", bound.get("token_type"))
        bound_claims = validated(token_value, BASE, jwks)
        check(f"{alg}: cnf.jkt is the key's thumbprint", bound_claims is not None and
              bound_claims.get("cnf", {}).get("jkt") == key.thumbprint(), dict(bound_claims or {}))
        url = BASE + "/api/profile"
        good = proof(key, alg, "GET", url, access_token=token_value)
        answer = requests.get(url, headers={"Authorization": f"DPoP {token_value}", "DPoP": good}, timeout=TIMEOUT)
        check(f"{alg}: the profile API takes it with a proof", answer.status_code == 200, answer.text[:200])
        replay = requests.get(url, headers={"Authorization": f"DPoP {token_value}", "DPoP": good}, timeout=TIMEOUT)
        check(f"{alg}: a replayed proof is refused", replay.status_code == 401 and "invalid_dpop_proof" in replay.headers.get("WWW-Authenticate", ""))
        bearer = requests.get(url, headers={"Authorization": f"Bearer {token_value}"}, timeout=TIMEOUT)
        check(f"{alg}: bearer use of the bound token is refused", bearer.status_code == 401 and
              'error="invalid_token"' in bearer.headers.get("WWW-Authenticate", ""))
        wrong = requests.get(url, headers={"Authorization": f"DPoP {token_value}", "DPoP": proof(key, alg, "POST", url, access_token=token_value)},
                             timeout=TIMEOUT)
        check(f"{alg}: a proof for another method is refused", wrong.status_code == 401)
        stale = requests.get(url, headers={"Authorization": f"DPoP {token_value}",
                                           "DPoP": proof(key, alg, "GET", url, access_token=token_value, iat=time.time() - 3600)}, timeout=TIMEOUT)
        check(f"{alg}: an old proof is refused", stale.status_code == 401)
        other = ECKey.generate_key("P-256")
        stolen = requests.get(url, headers={"Authorization": f"DPoP {token_value}", "DPoP": proof(other, "ES256", "GET", url, access_token=token_value)},
                              timeout=TIMEOUT)
        check(f"{alg}: a proof by another key is refused", stolen.status_code == 401)
        introspection = requests.post(BASE + "/oauth/introspect", data={"token": token_value}, auth=(JWT_CLIENT_ID, JWT_CLIENT_SECRET),
                                      timeout=TIMEOUT).json()
        check(f"{alg}: introspection reports cnf.jkt", introspection.get("cnf", {}).get("jkt") == key.thumbprint() and
              introspection.get("token_type") == "DPoP", introspection)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any crash is a failure, reported like one
        check("the check ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{base.passed} passed, {base.failed} failed")
    sys.exit(1 if base.failed else 0)
