import Foundation
import Identity
import IdentityWeb
import Web
import WebTesting

extension TestSite {
    /// The values stored in `client`'s session.
    func sessionValues(of client: TestClient) async throws -> [String: String] {
        let hash = SessionMiddleware.hash(client.sessionID ?? "")
        return try await services.database.read { db in try SessionRepository.load(idHash: hash, in: db) }?.values ?? [:]
    }

    /// Changes the values stored in `client`'s session directly in the database, as if time had
    /// passed or the sign-in had used other methods.
    func editSession(of client: TestClient, _ change: @escaping @Sendable (inout [String: String]) -> Void) async throws {
        let hash = SessionMiddleware.hash(client.sessionID ?? "")
        try await services.database.write { db in
            guard var stored = try SessionRepository.load(idHash: hash, in: db) else { return }
            change(&stored.values)
            _ = try SessionRepository.update(stored, in: db)
        }
    }

    /// Makes `client`'s sign-in `age` seconds old (beyond `REAUTHENTICATION_TIMEOUT`'s default by default).
    func ageSignIn(of client: TestClient, by age: Int = 3600) async throws {
        let at = Clock.now - age
        try await editSession(of: client) { $0[Session.AuthenticationKey.at] = String(at) }
    }
}
