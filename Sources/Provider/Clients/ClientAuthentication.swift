/// How a client presented itself at the token, revocation or introspection endpoint.
public struct ClientCredentials: Sendable, Equatable {
    /// RFC 6749 §2.3.1's two methods, and public clients' plain `client_id`.
    public enum Method: Sendable, Equatable {
        case basic
        case post
        case none
    }

    /// The client the request claims to be.
    public var clientID: String
    /// The secret presented, if any.
    public var secret: String?
    /// Where the credentials came from.
    public var method: Method

    /// Credentials as parsed from a request.
    public init(clientID: String, secret: String?, method: Method) {
        self.clientID = clientID
        self.secret = secret
        self.method = method
    }
}

/// Why a client could not be authenticated. All but `multipleMethods` become `invalid_client`.
public enum ClientAuthenticationError: Error, Sendable, Equatable {
    /// No credentials at all.
    case missing
    /// A malformed `Authorization: Basic` header.
    case malformedBasic
    /// Credentials in both the header and the body (RFC 6749 §2.3: "MUST NOT use more than one").
    case multipleMethods
    /// The header and the body name different clients.
    case conflictingClientIDs
    case unknownClient
    /// A confidential client without a secret, or a secret that does not match.
    case wrongSecret
    /// A public client that sent a secret: it has none, so this is someone confused or guessing.
    case unexpectedSecret
}
