import Identity
import Security
import Storage
import Synchronization
import Testing

/// The password-reset and address-verification flows both apps call, on a minimal app: one
/// transaction per step, the app's part run inside it, and nothing half done when it fails.
@Suite struct AccountMailFlowTests {
    struct Person: AccountHolder, Equatable {
        let id: Int64
        let username: String
        let emailAddress: String?
        let emailVerified: Bool
    }

    struct Refused: Error {}

    let hasher = PasswordHasher(logN: 10)

    static func find(_ id: Int64, _ db: any Connection) throws -> Person? {
        try db.queryOne("SELECT id, username_key, email, email_verified FROM users WHERE id = ?", id).map { row in
            Person(id: try row.int64("id"), username: try row.string("username_key"), emailAddress: try row.optionalString("email"),
                   emailVerified: try row.bool("email_verified"))
        }
    }

    func setUp(email: String? = "ada@example.com") async throws -> (any Database, Outbox, Credentials, Int64) {
        let database = try await TestDatabase.make()
        let id = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)
        _ = try await database.write { db in try db.execute("UPDATE users SET email = ?, email_key = ? WHERE id = ?", email, email, id) }
        let outbox = Outbox(keys: KeyRing(secret: "identity-test-secret-0123456789abcdef"), from: MailAddress("no-reply@example.com"))
        return (database, outbox, Credentials(database: database, hasher: hasher), id)
    }

    func resets(_ database: any Database, _ outbox: Outbox?, _ credentials: Credentials) -> PasswordResetService<Person> {
        PasswordResetService(database: database, credentials: credentials, clock: .system, outbox: outbox, find: Self.find) { identifier, db in
            try db.queryOne("SELECT id FROM users WHERE username_key = ?", identifier).flatMap { try Self.find(try $0.int64("id"), db) }
        }
    }

    /// The secret in a message the outbox delivers now (its whole text, see `message`).
    func secret(_ database: any Database, _ outbox: Outbox) async throws -> String? {
        let secret = Mutex<String?>(nil)
        try await outbox.deliverDue(database: database) { _, _, data in
            let body = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n\r\n").last ?? ""
            let decoded = Base64.decode(body.replacingOccurrences(of: "\r\n", with: "")).map { String(decoding: $0, as: UTF8.self) }
            // Notices have no text here; only messages carrying a secret count.
            if let decoded, !decoded.isEmpty { secret.withLock { $0 = decoded } }
        }
        return secret.withLock { $0 }
    }

    func message(_ user: Person, _ secret: String) -> MailMessage {
        MailMessage(to: user.mailbox!, subject: "secret", text: secret)
    }

    @Test func aRequestMailsALinkOnlyForAnAccountWithAnAddress() async throws {
        let (database, outbox, credentials, _) = try await setUp(email: nil)
        let flow = resets(database, outbox, credentials)
        try await flow.request(identifier: "ada", ip: "10.0.0.1", message: message)
        try await flow.request(identifier: "nobody", ip: "10.0.0.1", message: message)
        #expect(try await database.read { db in try db.query("SELECT 1 FROM outbox") }.isEmpty)
        #expect(try await database.read { db in try db.query("SELECT 1 FROM password_resets") }.isEmpty)
        #expect(!resets(database, nil, credentials).isAvailable)
    }

    @Test func theAppsRevocationRunsInTheResetsTransactionAndItsFailureUndoesEverything() async throws {
        let (database, outbox, credentials, id) = try await setUp()
        let flow = resets(database, outbox, credentials)
        try await flow.request(identifier: "ada", ip: "10.0.0.1", message: message)
        let token = try #require(try await secret(database, outbox))
        _ = try await database.write { db in
            try SessionRepository.save(StoredSession(idHash: "s1", userID: id, values: [:], createdAt: 0, lastSeen: 0, expiresAt: .max), in: db)
        }
        await #expect(throws: Refused.self) {
            _ = try await flow.reset(token: token, new: "a brand new passphrase", confirmation: "a brand new passphrase",
                                     revoke: { _, _, _ in throw Refused() }, notice: { MailMessage(to: $0.mailbox!, subject: "changed", text: "") })
        }
        #expect(try await flow.holder(of: token)?.id == id, "the link is still live")
        #expect(try await database.read { db in try SessionRepository.load(idHash: "s1", in: db) } != nil, "the session stands")

        let revoked = Mutex<[Int64]>([])
        let user = try await flow.reset(token: token, new: "a brand new passphrase", confirmation: "a brand new passphrase",
                                        revoke: { user, _, db in
                                            let session = try SessionRepository.load(idHash: "s1", in: db)
                                            #expect(session == nil, "sessions end in the same transaction")
                                            revoked.withLock { $0.append(user.id) }
                                        }, notice: { MailMessage(to: $0.mailbox!, subject: "changed", text: "") })
        #expect(user?.id == id)
        #expect(revoked.withLock { $0 } == [id])
        #expect(try await flow.holder(of: token) == nil)
        #expect(try await database.read { db in try db.query("SELECT kind FROM outbox WHERE status = 'pending'").map { try $0.string("kind") } }
                == ["password_changed"])
    }

    @Test func anAddressIsVerifiedOnlyWhileItIsStillTheAccountsAndAMoveNeedsTheNewAddresssCode() async throws {
        let (database, outbox, _, id) = try await setUp()
        let codes = EmailVerificationService(database: database, clock: .system, outbox: outbox, find: Self.find)
        let ada = try #require(try await database.read { db in try Self.find(id, db) })
        try await codes.resend(to: ada, message: message)
        let first = try #require(try await secret(database, outbox))
        // The address changes behind the code's back: the right code no longer proves anything.
        _ = try await database.write { db in try db.execute("UPDATE users SET email = 'eve@example.com', email_key = 'eve@example.com'") }
        #expect(try await codes.verify(ada, code: first) == .noLiveCode)
        #expect(try await database.read { db in try Self.find(id, db) }?.emailVerified == false)

        // A move: nothing changes until the code sent to the new address comes back.
        let inUse: @Sendable (String) -> MailMessage = { MailMessage(to: MailAddress($0), subject: "in use", text: "") }
        let toAddress: @Sendable (Person, String, String) -> MailMessage = { _, address, code in MailMessage(to: MailAddress(address), subject: code, text: code) }
        let current = try #require(try await database.read { db in try Self.find(id, db) })
        try await codes.requestChange(of: current, to: "ada@new.example", message: toAddress, inUse: inUse)
        #expect(try await codes.pendingChange(for: current) == "ada@new.example")
        #expect(try await database.read { db in try Self.find(id, db) }?.emailAddress == "eve@example.com", "not before the code")
        let code = try #require(try await secret(database, outbox))
        #expect(try await codes.enter(code: "BBBB-BBBB", for: current) == .wrong(remaining: 4))
        #expect(try await codes.enter(code: code, for: current, notice: { user, old in MailMessage(to: MailAddress(old), subject: "moved", text: "") })
                == .changed(email: "ada@new.example"))
        let moved = try #require(try await database.read { db in try Self.find(id, db) })
        #expect(moved.emailAddress == "ada@new.example" && moved.emailVerified, "the code proved the new address")
        await #expect(throws: FieldErrors.self) {
            try await codes.requestChange(of: moved, to: "ADA@new.example", message: toAddress, inUse: inUse)
        }
    }
}
