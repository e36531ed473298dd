import Accounts
import Foundation
import Security
import Testing
import WebTesting

/// A password stored with older hashing parameters is re-hashed with the current ones at the
/// next successful sign-in.
@Suite struct PasswordUpgradeTests {
    private static let current = "$scrypt$ln=10,r=8,p=1$"

    private func insertUser(_ site: TestSite, _ username: String, hash: String) async throws {
        try await site.services.database.write { db in
            _ = try UserRepository.insert(username: username, email: "\(username)@example.com", emailVerified: false, passwordHash: hash,
                                          isAdmin: false, now: 0, in: db)
        }
    }

    private func pbkdf2Hash(_ password: String, iterations: Int = 1000) throws -> String {
        let salt = SecureRandom.bytes(16)
        let key = try #require(PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations, length: 32))
        return "$pbkdf2-sha256$i=\(iterations)$\(Base64.encode(salt, padding: false))$\(Base64.encode(key, padding: false))"
    }

    @Test func pbkdf2HashIsRewrittenAsScryptAtSignIn() async throws {
        let site = try await TestSite.make()
        try await insertUser(site, "legacy", hash: try pbkdf2Hash(TestSite.password))
        let response = await site.client().signIn("legacy")
        #expect(response.location == "/account")
        let stored = try #require(try await site.passwordHash(of: "legacy"))
        #expect(stored.hasPrefix(Self.current))
        #expect(await site.client().signIn("legacy").location == "/account")
    }

    @Test func cheaperScryptHashIsRewrittenWithTheCurrentCost() async throws {
        let site = try await TestSite.make()
        let old = PasswordHasher(logN: 9).hash(TestSite.password)
        try await insertUser(site, "legacy", hash: old)
        #expect(await site.client().signIn("legacy").location == "/account")
        let stored = try #require(try await site.passwordHash(of: "legacy"))
        #expect(stored != old)
        #expect(stored.hasPrefix(Self.current))
        #expect(PasswordHasher(logN: 10).verify(TestSite.password, against: stored) == .valid)
    }

    @Test func outdatedHashIsKeptWhenThePasswordIsWrong() async throws {
        let site = try await TestSite.make()
        let old = try pbkdf2Hash(TestSite.password)
        try await insertUser(site, "legacy", hash: old)
        #expect(await site.client().signIn("legacy", password: "not the password").status.code == 401)
        #expect(try await site.passwordHash(of: "legacy") == old)
    }

    @Test func currentHashIsLeftAloneAtSignIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let before = try await site.passwordHash(of: "alice")
        #expect(await site.client().signIn("alice").location == "/account")
        #expect(try await site.passwordHash(of: "alice") == before)
    }

    @Test func corruptStoredHashRefusesSignInWithoutCrashing() async throws {
        let site = try await TestSite.make()
        try await insertUser(site, "broken", hash: "$scrypt$ln=40,r=8,p=1$AAAA$BBBB")
        #expect(await site.client().signIn("broken", password: "anything at all").status.code == 401)
    }
}
