import Foundation
import Identity
import Security
import Storage
import Testing

/// Authenticator apps with the database: set up, confirm, use each code once, keep the secret
/// sealed to its account, and stop guessers.
@Suite struct TOTPDeviceTests {
    static let keys = KeyRing(secret: "a test secret that is long enough for the key ring")
    let devices = TOTPDevices(keys: TOTPDeviceTests.keys, issuer: "Latchkey")

    func code(_ enrollment: TOTPDevices.Enrollment, at time: Int) throws -> String {
        TOTP(secret: try #require(Base32.decode(enrollment.secret))).code(at: time)
    }

    @Test func enrolConfirmAndSignIn() async throws {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let now = clock.clock.now()
        let enrollment = try await database.write { db in try devices.enroll(userID: ada, account: "ada@example.org", now: now, in: db) }
        #expect(enrollment.secret.split(separator: " ").count == 8, "32 base32 symbols in groups of four")
        #expect(enrollment.uri.hasPrefix("otpauth://totp/Latchkey:ada%40example.org?secret="))
        #expect(enrollment.uri.hasSuffix("&issuer=Latchkey&algorithm=SHA1&digits=6&period=30"))
        #expect(enrollment.qrCode != nil)
        #expect(try await database.read { db in try TOTPDevices.status(userID: ada, in: db) } == .pending)

        let first = try code(enrollment, at: now)
        #expect(try await database.write { db in try devices.verify(userID: ada, code: first, now: now, in: db) } == .notEnrolled,
                "an unconfirmed app does not sign anyone in")
        #expect(try await database.write { db in try devices.confirm(userID: ada, code: "000000", now: now, in: db) } == .wrong)
        #expect(try await database.write { db in try devices.confirm(userID: ada, code: first, now: now, in: db) } == .accepted)
        #expect(try await database.read { db in try TOTPDevices.status(userID: ada, in: db) } == .enabled(since: now))

        #expect(try await database.write { db in try devices.verify(userID: ada, code: first, now: now + 5, in: db) } == .alreadyUsed,
                "the confirming code cannot sign in again")
        #expect(try await database.write { db in try devices.confirm(userID: ada, code: first, now: now + 5, in: db) } == .notEnrolled,
                "confirming is for an app not yet confirmed")
        clock.advance(30)
        let later = clock.clock.now()
        #expect(try await database.write { db in try devices.verify(userID: ada, code: try code(enrollment, at: later), now: later, in: db) }
            == .accepted)
        #expect(try await database.write { db in try devices.verify(userID: ada, code: first, now: later, in: db) } == .alreadyUsed,
                "an older code is refused once a newer one was used")
        clock.advance(30)
        let drifted = try code(enrollment, at: clock.clock.now() + 30)
        #expect(try await database.write { db in try devices.verify(userID: ada, code: drifted, now: clock.clock.now(), in: db) } == .accepted,
                "a phone one step ahead still works")
    }

    @Test func theSecretIsSealedAndBoundToItsAccount() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let bob = try await TestDatabase.addUser("bob", hash: nil, in: database)
        let enrollment = try await database.write { db in try devices.enroll(userID: ada, account: "ada", now: 0, in: db) }
        let sealed = try await database.read { db in try db.queryOne("SELECT secret_enc FROM totp_devices WHERE user_id = ?", ada)?.string("secret_enc") }
        let stored = try #require(sealed)
        #expect(stored.hasPrefix("v1.") && !stored.contains(enrollment.secret.replacingOccurrences(of: " ", with: "")))
        // The same sealed secret moved to another account does not open.
        try await database.write { db in
            _ = try db.execute("INSERT INTO totp_devices (user_id, secret_enc, confirmed_at, created_at) VALUES (?, ?, 0, 0)", bob, stored)
        }
        await #expect(throws: CryptoError.authenticationFailed) {
            try await database.write { db in try devices.verify(userID: bob, code: "123456", now: 0, in: db) }
        }
    }

    @Test func wrongCodesAreLimitedPerAccount() async throws {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let now = clock.clock.now()
        let enrollment = try await database.write { db in try devices.enroll(userID: ada, account: "ada", now: now, in: db) }
        _ = try await database.write { db in try devices.confirm(userID: ada, code: try code(enrollment, at: now), now: now, in: db) }
        clock.advance(60)
        let right = try code(enrollment, at: clock.clock.now())
        let wrong = right == "111111" ? "222222" : "111111"
        for _ in 0..<SecondFactor.attemptLimit.limit {
            #expect(try await database.write { db in try devices.verify(userID: ada, code: wrong, now: clock.clock.now(), in: db) } == .wrong)
        }
        guard case .throttled(let wait) = try await database.write({ db in try devices.verify(userID: ada, code: right, now: clock.clock.now(), in: db) })
        else { Issue.record("not throttled"); return }
        #expect(wait > 0 && wait <= SecondFactor.attemptLimit.window)
        clock.advance(SecondFactor.attemptLimit.window + 1)
        let fresh = try code(enrollment, at: clock.clock.now())
        #expect(try await database.write { db in try devices.verify(userID: ada, code: fresh, now: clock.clock.now(), in: db) } == .accepted)
    }

    @Test func enrollingAgainNeedsTheOldAppRemoved() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let first = try await database.write { db in try devices.enroll(userID: ada, account: "ada", now: 0, in: db) }
        let second = try await database.write { db in try devices.enroll(userID: ada, account: "ada", now: 0, in: db) }
        #expect(first.secret != second.secret, "an unconfirmed set-up is simply replaced")
        _ = try await database.write { db in try devices.confirm(userID: ada, code: try code(second, at: 0), now: 0, in: db) }
        await #expect(throws: TOTPDevices.EnrollmentError.alreadyEnabled) {
            try await database.write { db in try devices.enroll(userID: ada, account: "ada", now: 0, in: db) }
        }
        #expect(try await database.write { db in try TOTPDevices.remove(userID: ada, in: db) })
        #expect(try await database.read { db in try TOTPDevices.status(userID: ada, in: db) } == .notSetUp)
        #expect(try await database.write { db in try devices.verify(userID: ada, code: "123456", now: 0, in: db) } == .notEnrolled)
    }

    @Test func aVeryLongAccountNameGetsNoQRCode() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let enrollment = try await database.write { db in
            try devices.enroll(userID: ada, account: String(repeating: "a", count: 150) + "@example.org", now: 0, in: db)
        }
        #expect(enrollment.qrCode == nil && !enrollment.secret.isEmpty)
    }
}
