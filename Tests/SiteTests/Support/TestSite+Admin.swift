import Accounts
import Foundation
import Storage
import WebTesting

extension TestSite {
    /// A browser signed in as a new administrator named `username`.
    func adminClient(_ username: String = "root") async throws -> TestClient {
        try await createUser(username, admin: true)
        let client = client()
        await client.signIn(username)
        return client
    }

    /// Links a provider account to `userID` directly in the database (with an active token row
    /// whose ciphertext does not open), for tests about listing and searching.
    @discardableResult
    func seedLink(userID: Int64, provider: String, uid: String, login: String?, expiresAt: Int? = nil, status: String = "active") async throws -> Int64 {
        try await services.database.write { db in
            let id = try db.insert("""
                INSERT INTO social_accounts (user_id, provider, provider_uid, login, created_at) VALUES (?, ?, ?, ?, 0) RETURNING id
                """, userID, provider, uid, login)
            _ = try db.execute("""
                INSERT INTO social_tokens (social_account_id, access_token_enc, expires_at, status, updated_at) VALUES (?, 'seeded', ?, ?, 0)
                """, id, expiresAt, status)
            return id
        }
    }

    /// Inserts `count` users named `prefix0001`… straight into the database; returns their ids in order.
    func seedUsers(_ count: Int, prefix: String = "member") async throws -> [Int64] {
        try await services.database.write { db in
            try (1...count).map { n in
                let name = prefix + String(format: "%04d", n)
                return try db.insert("""
                    INSERT INTO users (username, username_key, email, email_key, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id
                    """, name, name.lowercased(), "\(name)@example.org", "\(name.lowercased())@example.org")
            }
        }
    }

    /// The audit rows recording `action`, with actor and target.
    func auditRows(_ action: String) async throws -> [(actor: Int64?, target: Int64?, detail: String)] {
        try await query("SELECT actor_id, target_user, detail FROM audit_log WHERE action = ? ORDER BY id", action).map {
            (try $0.optionalInt64("actor_id"), try $0.optionalInt64("target_user"), try $0.string("detail"))
        }
    }
}

extension TestClient {
    /// POSTs an admin form with the session's CSRF token (read off the console), confirmed as
    /// the confirmation page's button does (`ConfirmationTests` covers the question itself).
    @discardableResult
    func adminPost(_ path: String, _ fields: [(String, String)] = []) async -> TestResponse {
        let token = await csrfToken(from: "/admin")
        return await post(path, form: [("csrf_token", token)] + fields + [("confirm", "1")])
    }
}
