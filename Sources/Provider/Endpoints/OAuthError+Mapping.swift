import Security
import Web

/// Where each domain refusal lands among RFC 6749's codes.
extension OAuthError {
    /// Grant refusals: mostly `invalid_grant` (§5.2), scope problems `invalid_scope`.
    init(_ error: GrantError) {
        switch error {
        case .codeUnknown: self.init(.invalidGrant, "The authorization code is invalid.")
        case .codeExpired: self.init(.invalidGrant, "The authorization code has expired.")
        case .codeReused: self.init(.invalidGrant, "The authorization code has already been used; tokens issued from it are revoked.")
        case .codeIssuedToAnotherClient: self.init(.invalidGrant, "The authorization code was issued to another client.")
        case .redirectURIMismatch: self.init(.invalidGrant, "redirect_uri does not match the authorization request.")
        case .redirectURIMissing: self.init(.invalidGrant, "redirect_uri is required: the authorization request included it.")
        case .verifierMissing: self.init(.invalidGrant, "code_verifier is required for this code.")
        case .verifierMismatch: self.init(.invalidGrant, "code_verifier does not match the code_challenge.")
        case .verifierUnexpected: self.init(.invalidGrant, "code_verifier was sent for a code issued without a code_challenge.")
        case .refreshTokenUnknown: self.init(.invalidGrant, "The refresh token is invalid.")
        case .refreshTokenExpired: self.init(.invalidGrant, "The refresh token has expired.")
        case .refreshTokenRevoked: self.init(.invalidGrant, "The refresh token has been revoked.")
        case .refreshTokenReused: self.init(.invalidGrant, "The refresh token has already been used; its grant is revoked.")
        case .refreshTokenIssuedToAnotherClient: self.init(.invalidGrant, "The refresh token was issued to another client.")
        case .invalidCredentials: self.init(.invalidGrant, "Invalid username or password.")
        case .secondFactorRequired:
            self.init(.invalidGrant, "This account uses a second factor; sign in through the authorization endpoint.")
        case .throttled(let wait):
            self.init(.invalidGrant, "Too many failed sign-in attempts; try again later.", headers: ["Retry-After": String(wait)])
        case .scopeNotAllowed(let scope): self.init(.invalidScope, "The scope \(Self.printable(scope)) is not available to this grant.")
        case .scopeNeedsUser: self.init(.invalidScope, "The openid scope needs a user; client_credentials has none.")
        case .dpopKeyMismatch: self.init(.invalidDPoPProof, "This grant is bound to a DPoP key; send a DPoP proof made with that key.")
        case .unknownResource(let resource):
            self.init(.invalidTarget, "The resource \(Self.printable(resource)) is not one this provider issues tokens for.")
        case .resourceOutsideGrant(let resource):
            self.init(.invalidTarget, "The resource \(Self.printable(resource)) was not part of the authorization grant.")
        case .deviceCodeUnknown: self.init(.invalidGrant, "The device code is invalid.")
        case .deviceCodeIssuedToAnotherClient: self.init(.invalidGrant, "The device code was issued to another client.")
        case .authorizationPending: self.init(.authorizationPending, "The user has not yet approved or denied the request.")
        case .slowDown(let interval): self.init(.slowDown, "Polling too fast; wait at least \(interval) seconds between requests.")
        case .deviceCodeExpired: self.init(.expiredToken, "The device code has expired; start again.")
        case .deviceDenied: self.init(.accessDenied, "The user denied the request.")
        case .deviceCodeUsed: self.init(.invalidGrant, "The device code has already been used.")
        // Only when the client changed again between the fresh read and the retry.
        case .clientChanged:
            self.init(.temporarilyUnavailable, "The client's registration changed while tokens were issued; try again.",
                      status: .serviceUnavailable, headers: ["Retry-After": "1"])
        }
    }

    /// Registration refusals (RFC 7591 §3.2.2).
    init(_ refusal: ClientRegistration.Refusal) {
        switch refusal {
        case .invalidRedirectURI(let message): self.init(.invalidRedirectURI, Self.printable(message, limit: 200))
        case .invalidMetadata(let message): self.init(.invalidClientMetadata, Self.printable(message, limit: 200))
        }
    }

    /// Client authentication refusals: `invalid_client` with 401, and `WWW-Authenticate` when
    /// the client tried HTTP Basic (§5.2); credentials sent two ways are `invalid_request`.
    init(_ error: ClientAuthenticationError, usedBasic: Bool, realm: String) {
        let headers: HTTPHeaders = usedBasic ? ["WWW-Authenticate": "Basic realm=\"\(realm)\""] : HTTPHeaders()
        func invalidClient(_ description: String) -> OAuthError { OAuthError(.invalidClient, description, status: .unauthorized, headers: headers) }
        switch error {
        case .multipleMethods:
            self.init(.invalidRequest, "Client credentials were sent both in the Authorization header and in the body; use one.")
        case .missing: self = invalidClient("Client authentication is required.")
        case .malformedBasic: self = invalidClient("The Authorization header is not valid HTTP Basic credentials.")
        case .conflictingClientIDs: self = invalidClient("The Authorization header and the body name different clients.")
        case .unknownClient, .wrongSecret, .unexpectedSecret: self = invalidClient("Client authentication failed.")
        }
    }

    /// Authorization request refusals that are redirected back to the client (§4.1.2.1).
    init(_ error: AuthorizationRequestError) {
        switch error {
        case .duplicateParameter(let name): self.init(.invalidRequest, "The parameter \(name) was given more than once.")
        case .oversizedParameter(let name): self.init(.invalidRequest, "The parameter \(name) is too long.")
        case .missingResponseType: self.init(.invalidRequest, "response_type is required.")
        case .unsupportedResponseType: self.init(.unsupportedResponseType, "Only response_type=code is supported.")
        case .unsupportedResponseMode: self.init(.invalidRequest, "Only response_mode=query is supported.")
        case .grantNotAllowed: self.init(.unauthorizedClient, "This client may not use the authorization code grant.")
        case .malformedScope: self.init(.invalidScope, "The scope parameter is malformed.")
        case .scopeNotAllowed(let scope): self.init(.invalidScope, "The scope \(Self.printable(scope)) is not available to this client.")
        case .pkceRequired: self.init(.invalidRequest, "This client must send a PKCE code_challenge with code_challenge_method=S256.")
        case .unsupportedChallengeMethod: self.init(.invalidRequest, "code_challenge_method must be S256.")
        case .malformedChallenge: self.init(.invalidRequest, "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~] with code_challenge_method=S256.")
        case .malformedPrompt: self.init(.invalidRequest, "The prompt parameter is not valid.")
        case .malformedMaxAge: self.init(.invalidRequest, "max_age must be a non-negative whole number of seconds.")
        case .malformedDPoPKey: self.init(.invalidRequest, "dpop_jkt must be the base64url SHA-256 thumbprint of a key.")
        case .invalidTarget(let resource):
            self.init(.invalidTarget, "The resource \(Self.printable(resource)) is not one this provider issues tokens for.")
        case .pushedRequestRequired:
            self.init(.invalidRequest, "This client must push its authorization requests to the PAR endpoint and send request_uri.")
        case .accessDenied: self.init(.accessDenied, "The user denied the request.")
        case .loginRequired: self.init(.loginRequired, "The user must sign in (again) for this request.")
        case .consentRequired: self.init(.consentRequired, "The user has not allowed this client yet.")
        case .missingClientID, .unknownClient, .duplicateClientParameter, .missingRedirectURI, .redirectURIMismatch:
            self.init(.invalidRequest, "The client or its redirect URI is not valid.")
        }
    }

    /// DPoP refusals (RFC 9449): at the token endpoint `400 invalid_dpop_proof` or
    /// `use_dpop_nonce` with the nonce in `DPoP-Nonce` (§5, §8); at a resource endpoint the same
    /// codes as a `401` with a `DPoP` challenge naming the algorithms we take (§7.1, §9).
    init(_ refusal: DPoPRefusal, atResource: Bool, resourceMetadata: String = "") {
        let code: Code, description: String
        var headers = HTTPHeaders()
        switch refusal {
        case .invalid(let why): (code, description) = (.invalidDPoPProof, why)
        case .nonceRequired(let nonce):
            (code, description) = (.useDPoPNonce, "Use the server nonce in the DPoP-Nonce header.")
            headers.add("DPoP-Nonce", nonce)
        }
        guard atResource else {
            self.init(code, description, headers: headers)
            return
        }
        headers.add("WWW-Authenticate", "DPoP error=\"\(code.rawValue)\", error_description=\"\(description)\", "
                        + "algs=\"\(DPoPProof.algorithms.joined(separator: " "))\"" + (resourceMetadata.isEmpty ? "" : ", " + resourceMetadata))
        self.init(code, description, status: .unauthorized, headers: headers)
    }

    /// A framework or infrastructure failure, by its status: a client error is `invalid_request`,
    /// an outage `temporarily_unavailable` (RFC 6749 §4.1.2.1's word, used at every endpoint),
    /// anything else `server_error`. Headers such as `Retry-After` are kept.
    init(_ error: HTTPError) {
        switch error.status.code {
        case 503: self.init(.temporarilyUnavailable, "The service is temporarily unavailable; try again shortly.", status: error.status,
                            headers: error.headers)
        case 500...: self.init(.serverError, "The server could not complete the request.", status: error.status, headers: error.headers)
        default: self.init(.invalidRequest, Self.printable(error.message, limit: 200), status: error.status, headers: error.headers)
        }
    }

    /// Client-supplied text made safe for `error_description` (printable ASCII without `"` and `\`).
    static func printable(_ text: String, limit: Int = 64) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }.prefix(limit))
    }
}
