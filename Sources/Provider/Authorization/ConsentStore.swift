import Identity
import Storage

/// What users have allowed which clients. Consent is remembered per user and client as the
/// union of the scopes granted; a request within them is not asked again.
public struct ConsentStore: Sendable {
    let database: any Database
    let clock: Clock

    /// Whether `userID` has already allowed `client` every scope in `scope`.
    public func covers(userID: Int64, clientID: String, scope: ScopeSet) async throws -> Bool {
        let granted = try await database.read { db in
            try db.queryOne("SELECT scope FROM consents WHERE user_id = ? AND client_id = ?", userID, clientID)?.string("scope")
        }
        guard let granted else { return false }
        return scope.isSubset(of: ScopeSet(trusted: granted))
    }

    /// Remembers that `userID` allowed `client` the scopes in `scope` (added to earlier ones).
    public func record(userID: Int64, clientID: String, scope: ScopeSet) async throws {
        let now = clock.now()
        try await database.write { db in
            let earlier = try db.queryOne("SELECT scope FROM consents WHERE user_id = ? AND client_id = ?", userID, clientID)?.string("scope")
            let merged = earlier.map { ScopeSet(trusted: $0).union(scope) } ?? scope
            _ = try db.execute("""
                INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at
                """, userID, clientID, merged.description, now)
        }
    }
}
