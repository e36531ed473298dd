import Foundation
import Identity
import Localization
import Web

/// What it takes to register a client, from the admin page or `latchkey clients add`.
public struct NewClient: Sendable {
    /// What users see on the consent page.
    public var name: String
    /// Where codes may be sent, matched exactly.
    public var redirectURIs: [String]
    /// The grants the client may use.
    public var grantTypes: Set<GrantType>
    /// The scopes the client may ask for.
    public var scopes: ScopeSet
    /// Whether the client gets a secret (false: a public client, PKCE only).
    public var isConfidential: Bool
    /// Whether users are spared the consent page (first-party clients).
    public var skipsConsent: Bool
    /// Whether the client is an API that may introspect every client's tokens.
    public var isResourceServer: Bool
    /// Opaque access tokens (the default) or JWTs (RFC 9068).
    public var accessTokenFormat: AccessTokenFormat
    /// Whether its authorization requests must carry a PKCE S256 challenge (RFC 9700 §2.1.1):
    /// on unless someone turns it off for an old confidential client that cannot send one.
    public var requiresPKCE: Bool
    /// Whether its authorization requests must be pushed first (RFC 9126 §6); off by default,
    /// since standard client libraries do not push unless told to.
    public var requiresPushedRequests: Bool

    /// A client description; the defaults suit a server-side web application signing users in.
    public init(name: String, redirectURIs: [String], grantTypes: Set<GrantType> = GrantType.defaultForNewClients,
                scopes: ScopeSet = ScopeSet(ScopeSet.standard), isConfidential: Bool = true, skipsConsent: Bool = false,
                isResourceServer: Bool = false, requiresPKCE: Bool = true,
                requiresPushedRequests: Bool = false, accessTokenFormat: AccessTokenFormat = .opaque) {
        self.name = name
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.isConfidential = isConfidential
        self.skipsConsent = skipsConsent
        self.isResourceServer = isResourceServer
        self.accessTokenFormat = accessTokenFormat
        self.requiresPKCE = requiresPKCE
        self.requiresPushedRequests = requiresPushedRequests
    }

    /// Whether registering this client enables the password grant, which RFC 9700 §2.4 says
    /// MUST NOT be used: whoever does it is warned (CLI, admin page) and it is logged.
    public var enablesPasswordGrant: Bool { grantTypes.contains(.password) }

    /// Every problem with the description, by field (`name`, `redirect_uris`, `grant_types`, `scopes`).
    func problems() -> FieldErrors {
        var errors = FieldErrors()
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { errors["name"] = Message("Give the client a name its users will recognise.") }
        if trimmed.count > 100 { errors["name"] = Message("Use at most 100 characters.") }
        if grantTypes.isEmpty && !isResourceServer { errors["grant_types"] = Message("Choose at least one grant type.") }
        if isResourceServer && !isConfidential { errors["resource_server"] = Message("A resource server must be confidential (it authenticates to introspect).") }
        if grantTypes.contains(.clientCredentials) && !isConfidential {
            errors["grant_types"] = Message("The client_credentials grant needs a confidential client (one with a secret).")
        }
        if grantTypes.contains(.authorizationCode) && redirectURIs.isEmpty {
            errors["redirect_uris"] = Message("The authorization_code grant needs at least one redirect URI.")
        }
        for uri in redirectURIs {
            if let problem = Self.redirectURIProblem(uri) { errors["redirect_uris"] = Message("{{uri}}: {{problem}}", ["uri": uri, "problem": problem]) }
        }
        if scopes.isEmpty { errors["scopes"] = Message("Choose at least one scope.") }
        return errors
    }

    /// Why `uri` cannot be a redirect URI: it must be absolute, without a fragment (RFC 6749
    /// §3.1.2), without whitespace (they are stored space-separated), and http(s) ones need a host.
    /// Plain http only on the loopback interface (RFC 9700 §4.1.1, RFC 8252 §7.3): anywhere else
    /// the code would cross the network in the clear.
    static func redirectURIProblem(_ uri: String) -> String? {
        guard uri.utf8.count <= 2000 else { return "too long" }
        guard !uri.isEmpty, uri.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return "use printable ASCII without spaces"
        }
        guard let url = URL(string: uri), let scheme = url.scheme?.lowercased() else { return "must be an absolute URI" }
        if uri.contains("#") { return "must not contain a fragment (#)" }
        if ["http", "https"].contains(scheme), url.host?.isEmpty ?? true { return "needs a host" }
        if ["javascript", "data", "file", "vbscript"].contains(scheme) { return "that scheme is not allowed" }
        if scheme == "http", LoopbackURI(uri) == nil {
            return "plain http is allowed only for loopback addresses (127.0.0.1, [::1], localhost); use https"
        }
        return nil
    }
}
