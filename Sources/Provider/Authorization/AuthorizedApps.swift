import Identity
import Storage

/// A client as one user sees it on "Apps you have authorized": what it may do for them and
/// when it last did something.
public struct AuthorizedApp: Sendable, Equatable {
    public let clientID: String
    public let name: String
    /// The scopes consented to, with those of every live token (a `skip_consent` client has
    /// tokens but no consent on record).
    public let scope: ScopeSet
    /// When the client last obtained tokens for the user (a sign-in or a refresh): the provider
    /// does not write a row at every API call, so this is the last time it came back to us.
    public let lastUsedAt: Int
}

/// "Apps you have authorized": every client a user has consented to or that holds a live token
/// of theirs, and revoking one (its tokens, its unexchanged codes and the consent, so the next
/// authorization asks again).
public struct AuthorizedApps: Sendable {
    let database: any Database
    let clock: Clock

    /// The user's apps, most recently used first.
    public func list(userID: Int64) async throws -> [AuthorizedApp] {
        let now = clock.now()
        return try await database.read { db in
            // Grouped by scope too, so the SQL stays portable (no string aggregation); the union
            // per client is taken here. One row per (client, distinct scope): a handful per user.
            let rows = try db.query("""
                SELECT c.client_id, c.name, x.scope, MAX(x.at) AS at FROM (
                    SELECT client_id, scope, granted_at AS at FROM consents WHERE user_id = ?
                    UNION ALL
                    SELECT client_id, scope, issued_at AS at FROM access_tokens
                        WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
                    UNION ALL
                    SELECT client_id, scope, issued_at AS at FROM refresh_tokens
                        WHERE user_id = ? AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > ?
                ) x JOIN clients c ON c.client_id = x.client_id
                GROUP BY c.client_id, c.name, x.scope
                """, userID, userID, now, userID, now)
            var apps: [String: AuthorizedApp] = [:]
            for row in rows {
                let id = try row.string("client_id"), scope = ScopeSet(trusted: try row.string("scope")), at = try row.int("at")
                let earlier = apps[id]
                apps[id] = AuthorizedApp(clientID: id, name: try row.string("name"), scope: earlier.map { $0.scope.union(scope) } ?? scope,
                                         lastUsedAt: max(earlier?.lastUsedAt ?? at, at))
            }
            return apps.values.sorted { ($0.lastUsedAt, $1.name) > ($1.lastUsedAt, $0.name) }
        }
    }

    /// The one app of the user's with `clientID`, or nil when the user has not authorized it
    /// (whether or not the client exists, so another user's apps cannot be probed).
    public func find(userID: Int64, clientID: String) async throws -> AuthorizedApp? {
        try await list(userID: userID).first { $0.clientID == clientID }
    }

    /// Revokes everything `clientID` holds for the user, in one transaction: access and refresh
    /// tokens, codes not yet exchanged, and the consent. False when there was nothing to revoke.
    public func revoke(userID: Int64, clientID: String) async throws -> Bool {
        let now = clock.now()
        return try await database.write { db in
            let tokens = try db.execute("UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL",
                                        now, userID, clientID)
                + db.execute("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL",
                             now, userID, clientID)
            let codes = try db.execute("DELETE FROM authorization_codes WHERE user_id = ? AND client_id = ? AND used_at IS NULL", userID, clientID)
            let consents = try db.execute("DELETE FROM consents WHERE user_id = ? AND client_id = ?", userID, clientID)
            return tokens + codes + consents > 0
        }
    }
}

extension ProviderServices {
    /// "Apps you have authorized" for provider users.
    public var authorizedApps: AuthorizedApps { AuthorizedApps(database: core.database, clock: core.clock) }
}
