import Identity
import Localization
import Storage

/// A client's logout registration (RP-Initiated Logout 1.0 §3, Back-Channel Logout 1.0 §2.2):
/// where the browser may go after logout, and where logout tokens are POSTed.
public struct ClientLogoutSettings: Sendable, Equatable {
    /// Compared exactly, like redirect URIs.
    public var postLogoutRedirectURIs: [String]
    public var backchannelLogoutURI: String?
    /// Whether the client needs `sid` in logout tokens (we always send it; stored and reported).
    public var backchannelLogoutSessionRequired: Bool

    public init(postLogoutRedirectURIs: [String] = [], backchannelLogoutURI: String? = nil, backchannelLogoutSessionRequired: Bool = false) {
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.backchannelLogoutURI = backchannelLogoutURI
        self.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired
    }

    /// Why the settings cannot be stored: each URI as a redirect URI must be (absolute, no
    /// fragment, https or loopback http).
    public func problem() -> Message? {
        for uri in postLogoutRedirectURIs + [backchannelLogoutURI].compactMap({ $0 }) {
            // The problem itself stays English: it is also an RFC 7591 error description.
            if let problem = NewClient.redirectURIProblem(uri) { return Message("{{uri}}: {{problem}}", ["uri": uri, "problem": problem]) }
        }
        return nil
    }

    static func find(clientID: String, in db: any Connection) throws -> ClientLogoutSettings? {
        try db.queryOne("""
            SELECT post_logout_redirect_uris, backchannel_logout_uri, backchannel_logout_session_required FROM clients WHERE client_id = ?
            """, clientID).map { row in
            ClientLogoutSettings(postLogoutRedirectURIs: try row.string("post_logout_redirect_uris").spaceSeparated.map(String.init),
                                 backchannelLogoutURI: try row.optionalString("backchannel_logout_uri"),
                                 backchannelLogoutSessionRequired: try row.bool("backchannel_logout_session_required"))
        }
    }
}

extension ClientRegistry {
    /// The client's logout settings; nil for an unknown client.
    public func logoutSettings(_ clientID: String) async throws -> ClientLogoutSettings? {
        try await database.read { db in try ClientLogoutSettings.find(clientID: clientID, in: db) }
    }

    /// Replaces the client's logout settings; false for an unknown client.
    public func setLogoutSettings(_ clientID: String, _ settings: ClientLogoutSettings) async throws -> Bool {
        if let problem = settings.problem() { throw FieldErrors("post_logout_redirect_uris", problem) }
        defer { cache.forget(clientID) }
        return try await database.write { db in
            try db.execute("""
                UPDATE clients SET post_logout_redirect_uris = ?, backchannel_logout_uri = ?, backchannel_logout_session_required = ?,
                                   revision = revision + 1
                WHERE client_id = ?
                """, settings.postLogoutRedirectURIs.joined(separator: " "), settings.backchannelLogoutURI,
                settings.backchannelLogoutSessionRequired, clientID) == 1
        }
    }
}
