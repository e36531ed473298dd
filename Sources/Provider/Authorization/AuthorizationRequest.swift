import Security
import Web

/// A validated authorization request (RFC 6749 §4.1.1 with PKCE and OpenID Connect's `nonce`
/// and `prompt`). Built from the query of `GET /oauth/authorize` and again from the consent
/// form's hidden fields, so the POST trusts nothing it did not re-check.
public struct AuthorizationRequest: Sendable {
    /// The registered client making the request.
    public let client: Client
    /// Where the answer goes: the one given, or the client's only one.
    public let redirectURI: String
    /// Whether the request named `redirect_uri`; if so the token request must repeat it.
    public let redirectURISent: Bool
    /// The scopes asked for (the client's registered ones when the request names none).
    public let scope: ScopeSet
    /// The client's opaque value, echoed back with the answer.
    public let state: String?
    /// The S256 challenge, if any (required unless the client predates the PKCE requirement).
    public let codeChallenge: String?
    /// OpenID Connect's replay guard, copied into the id_token.
    public let nonce: String?
    /// OpenID Connect's `prompt` values (`none`, `consent`, …).
    public let prompt: Set<String>
    /// OpenID Connect's `max_age`: the oldest sign-in, in seconds, the client accepts.
    public let maxAge: Int?
    /// OpenID Connect's `acr_values`, in the client's order of preference.
    public let acrValues: [String]
    /// RFC 8707 `resource` values: the resources the grant's tokens may be for (empty: the
    /// provider's own endpoints).
    public let resources: [String]
    /// RFC 9449 §10 `dpop_jkt`: the thumbprint of the DPoP key that alone may redeem the code.
    public let dpopKey: String?

    /// A refusal: why, and where to send it (nil when the redirect URI cannot be trusted).
    public struct Rejection: Error, Sendable {
        /// What was wrong.
        public let reason: AuthorizationRequestError
        /// Where to send the error; nil means "show a page".
        public let redirectURI: String?
        /// The client's opaque value, echoed back with the answer.
        public let state: String?
    }

    /// Parameters whose values are short strings; longer ones are refused as malformed rather
    /// than stored.
    static let maxValueLength = 2048
    static let singleValued = ["response_type", "scope", "state", "code_challenge", "code_challenge_method", "nonce", "prompt",
                               "response_mode", "max_age", "acr_values", "dpop_jkt"]
    /// More `resource` parameters than any real request names.
    static let maxResources = 20
    /// The longest `max_age` we read as a number (ten years); longer is no limit at all.
    static let maxAgeLimit = 315_360_000

    /// Validates `parameters` against the registry, in RFC 6749's order: first the client and
    /// its redirect URI (failures are never redirected), then everything else (failures are).
    public static func validate(_ parameters: FormData, clients: ClientRegistry, resources known: KnownResources) async throws -> AuthorizationRequest {
        func page(_ reason: AuthorizationRequestError) -> Rejection { Rejection(reason: reason, redirectURI: nil, state: nil) }
        for name in ["client_id", "redirect_uri"] where parameters.all(name).count > 1 {
            throw page(.duplicateClientParameter(name))
        }
        guard let clientID = parameters["client_id"], !clientID.isEmpty else { throw page(.missingClientID) }
        guard let client = try await clients.find(clientID) else { throw page(.unknownClient) }
        let redirectURI: String
        let sent: Bool
        if let given = parameters["redirect_uri"] {
            guard client.redirectURIMatching(given) != nil else { throw page(.redirectURIMismatch) }
            redirectURI = given
            sent = true
        } else {
            guard client.redirectURIs.count == 1 else { throw page(.missingRedirectURI) }
            redirectURI = client.redirectURIs[0]
            sent = false
        }

        let state = parameters["state"].map { String($0.prefix(maxValueLength)) }
        func back(_ reason: AuthorizationRequestError) -> Rejection { Rejection(reason: reason, redirectURI: redirectURI, state: state) }
        for name in singleValued where parameters.all(name).count > 1 { throw back(.duplicateParameter(name)) }
        for name in singleValued where (parameters[name]?.utf8.count ?? 0) > maxValueLength { throw back(.oversizedParameter(name)) }
        guard let responseType = parameters["response_type"], !responseType.isEmpty else { throw back(.missingResponseType) }
        guard responseType == "code" else { throw back(.unsupportedResponseType(responseType)) }
        if let mode = parameters["response_mode"], mode != "query" { throw back(.unsupportedResponseMode(mode)) }
        guard client.allows(.authorizationCode) else { throw back(.grantNotAllowed) }

        let scope: ScopeSet
        if let text = parameters["scope"] {
            guard let parsed = ScopeSet(parsing: text) else { throw back(.malformedScope) }
            scope = parsed.isEmpty ? client.scopes : parsed
        } else {
            scope = client.scopes
        }
        if let extra = scope.values.first(where: { !client.scopes.contains($0) }) { throw back(.scopeNotAllowed(extra)) }

        let challenge = parameters["code_challenge"]
        let method = parameters["code_challenge_method"]
        switch (challenge, method) {
        case (nil, nil):
            if client.mustUsePKCE { throw back(.pkceRequired) }
        case (.some(let challenge), "S256"):
            guard PKCE.isWellFormed(challenge) else { throw back(.malformedChallenge) }
        case (.some, nil):
            throw back(.unsupportedChallengeMethod("plain"))
        case (nil, .some):
            throw back(.malformedChallenge)
        case (.some, .some(let other)):
            throw back(.unsupportedChallengeMethod(other))
        }

        let prompt = Set((parameters["prompt"] ?? "").split(separator: " ").map(String.init))
        guard prompt.isSubset(of: ["none", "login", "consent", "select_account"]), !(prompt.contains("none") && prompt.count > 1) else {
            throw back(.malformedPrompt)
        }
        var maxAge: Int?
        if let text = parameters["max_age"] {
            // OpenID Connect Core §3.1.2.1: a non-negative number of seconds; huge values mean "any age".
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw back(.malformedMaxAge)
            }
            maxAge = Int(text).map { min($0, maxAgeLimit) } ?? maxAgeLimit
        }
        let acrValues = (parameters["acr_values"] ?? "").split(separator: " ").map(String.init)
        let requested = parameters.all("resource")
        guard requested.count <= maxResources else { throw back(.invalidTarget("(more than \(maxResources))")) }
        let resources: [String]
        do { resources = try known.check(requested) } catch {
            if case .unknown(let resource) = error { throw back(.invalidTarget(resource)) }
            throw back(.invalidTarget(""))
        }
        let dpopKey = parameters["dpop_jkt"]
        // A SHA-256 thumbprint is 43 base64url characters.
        if let dpopKey, dpopKey.utf8.count != 43 || Base64URL.decode(dpopKey)?.count != 32 { throw back(.malformedDPoPKey) }
        return AuthorizationRequest(client: client, redirectURI: redirectURI, redirectURISent: sent, scope: scope, state: state,
                                    codeChallenge: challenge, nonce: parameters["nonce"], prompt: prompt, maxAge: maxAge,
                                    acrValues: acrValues, resources: resources, dpopKey: dpopKey)
    }

    /// The request as hidden form fields for the consent page, which POSTs them back.
    public var formFields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("client_id", client.clientID), ("response_type", "code"), ("scope", scope.description)]
        if redirectURISent { fields.append(("redirect_uri", redirectURI)) }
        if let state { fields.append(("state", state)) }
        if let codeChallenge { fields += [("code_challenge", codeChallenge), ("code_challenge_method", "S256")] }
        if let nonce { fields.append(("nonce", nonce)) }
        if let maxAge { fields.append(("max_age", String(maxAge))) }
        if !acrValues.isEmpty { fields.append(("acr_values", acrValues.joined(separator: " "))) }
        fields += resources.map { ("resource", $0) }
        if let dpopKey { fields.append(("dpop_jkt", dpopKey)) }
        return fields
    }
}
