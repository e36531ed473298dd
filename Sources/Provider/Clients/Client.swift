import Foundation
import Mustache
import Storage

/// A registered OAuth client. Its secret is not here: only its SHA-256 is stored, and only
/// `ClientRegistry.authenticate` reads it.
public struct Client: Sendable, Equatable {
    /// The public identifier (random, URL-safe).
    public let clientID: String
    /// What users see on the consent page.
    public var name: String
    /// Where codes may be sent; a request must name one of these exactly.
    public var redirectURIs: [String]
    /// The grants the client may use at the token endpoint.
    public var grantTypes: Set<GrantType>
    /// The scopes the client may ask for.
    public var scopes: ScopeSet
    /// Confidential clients authenticate with a secret; public ones (apps in browsers or on
    /// devices) cannot keep one, and must use PKCE instead.
    public var isConfidential: Bool
    /// First-party clients whose users are not asked for consent.
    public var skipsConsent: Bool
    /// A resource server may introspect tokens issued to any client; other clients only their own.
    public var isResourceServer: Bool
    /// Opaque access tokens (the default) or JWTs (RFC 9068).
    public var accessTokenFormat: AccessTokenFormat
    /// Whether an authorization request must carry a PKCE S256 challenge (RFC 9700 §2.1.1). On
    /// for every client registered since issue 15; public clients need one whatever this says.
    public var requiresPKCE: Bool
    /// Whether its authorization requests must come through `/oauth/par` (RFC 9126 §6).
    public var requiresPushedRequests: Bool
    /// When the client was registered (Unix seconds).
    public let createdAt: Int
    /// Raised by every change to the stored client: a copy held in memory is good for minting
    /// tokens only while this still matches (`ClientRepository.isCurrent`).
    public let revision: Int64

    init(row: Row) throws {
        clientID = try row.string("client_id")
        name = try row.string("name")
        redirectURIs = try row.string("redirect_uris").spaceSeparated.map(String.init)
        grantTypes = Set(try row.string("grant_types").spaceSeparated.compactMap { GrantType(rawValue: String($0)) })
        scopes = ScopeSet(trusted: try row.string("scopes"))
        isConfidential = try row.bool("confidential")
        skipsConsent = try row.bool("skip_consent")
        isResourceServer = try row.bool("resource_server")
        accessTokenFormat = AccessTokenFormat(rawValue: try row.string("access_token_format")) ?? .opaque
        requiresPKCE = try row.bool("require_pkce")
        requiresPushedRequests = try row.bool("require_par")
        createdAt = try row.int("created_at")
        revision = try row.int64("revision")
    }

    /// The switches an admin may turn on or off after registration (`latchkey clients set`),
    /// named by their columns and by their CLI options.
    public enum Setting: String, Sendable, CaseIterable {
        case requirePKCE = "require_pkce"
        case requirePushedRequests = "require_par"

        /// The CLI option that names it (`--require-pkce`).
        public var option: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    }

    /// Whether the client may use `grant`.
    public func allows(_ grant: GrantType) -> Bool { grantTypes.contains(grant) }

    /// Whether an authorization request of this client must carry a PKCE challenge: public
    /// clients always (they have nothing else), confidential ones unless registered before PKCE
    /// was required and not switched on since.
    public var mustUsePKCE: Bool { requiresPKCE || !isConfidential }

    /// The registered redirect URI that `given` names, if any: the same string, or, for a
    /// loopback `http` URI, the same one on any port (RFC 8252 §7.3: a native app listens on
    /// whatever port the system gives it at the time of the request).
    public func redirectURIMatching(_ given: String) -> String? {
        if redirectURIs.contains(given) { return given }
        guard let request = LoopbackURI(given) else { return nil }
        return redirectURIs.first { LoopbackURI($0)?.matches(request) == true }
    }

    /// Whether the client may learn about a token issued to `clientID` (introspection, verify).
    public func mayInspect(tokenOf clientID: String) -> Bool { isResourceServer || clientID == self.clientID }
}

extension Client: MustacheObject {
    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "clientID": .string(clientID)
        case "name": .string(name)
        case "redirectURIs": .list(redirectURIs.map(MustacheValue.string))
        case "grantTypes": .string(grantTypes.sorted().map(\.rawValue).joined(separator: " "))
        case "scopes": .string(scopes.description)
        case "isConfidential": .bool(isConfidential)
        case "skipsConsent": .bool(skipsConsent)
        case "isResourceServer": .bool(isResourceServer)
        case "jwtAccessTokens": .bool(accessTokenFormat == .jwt)
        case "requiresPKCE": .bool(mustUsePKCE)
        case "requiresPushedRequests": .bool(requiresPushedRequests)
        default: nil
        }
    }
}

/// An `http` redirect URI on the loopback interface (`127.0.0.1`, `[::1]`, `localhost`), the only
/// place plain http is allowed (RFC 8252 §7.3, RFC 9700 §4.1.1), taken apart so that two of them
/// can be compared without their ports.
struct LoopbackURI: Equatable {
    static let hosts: Set<String> = ["127.0.0.1", "::1", "localhost"]

    let host: String
    let path: String
    let query: String?

    init?(_ uri: String) {
        guard let parts = URLComponents(string: uri), parts.scheme?.lowercased() == "http", let host = parts.host?.lowercased(),
              Self.hosts.contains(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))), parts.user == nil, parts.password == nil,
              parts.fragment == nil else { return nil }
        self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        query = parts.percentEncodedQuery
    }

    /// Same host, path and query; the port may differ.
    func matches(_ other: LoopbackURI) -> Bool { self == other }
}
