import Identity
import Security
import Storage
import Testing

/// The one password sign-in both apps use: throttled per account and per address, equal work
/// for unknown users, upgrades of outdated hashes, and refusals the app decides.
@Suite struct CredentialsTests {
    let hasher = PasswordHasher(logN: 10)

    func credentials(_ database: any Database, clock: Clock, maxFailures: Int = 3) -> Credentials {
        Credentials(database: database, hasher: hasher, throttle: SignInThrottle(maxFailures: maxFailures, window: 600), clock: clock)
    }

    func signIn(_ credentials: Credentials, _ name: String, _ password: String, ip: String = "10.0.0.1",
                admit: @Sendable @escaping (TestUser) -> Bool = { _ in true }) async throws -> PasswordCheck<TestUser> {
        try await credentials.signIn(username: name, password: password, ip: ip, id: { $0.id }, find: { username, db in
            guard let row = try db.queryOne("SELECT id, password_hash FROM users WHERE username_key = ?", username.lowercased()) else { return nil }
            return (TestUser(id: try row.int64("id"), name: username), passwordHash: try row.optionalString("password_hash"))
        }, admit: admit)
    }

    @Test func rightPasswordIsVerifiedAndWrongOnesAreCountedUntilThrottled() async throws {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        let credentials = credentials(database, clock: clock.clock)
        _ = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)

        guard case .verified(let user, _) = try await signIn(credentials, " Ada ", "correct horse battery") else { Issue.record("not verified"); return }
        #expect(user.name == "Ada")
        for _ in 0..<3 {
            guard case .invalidCredentials = try await signIn(credentials, "ada", "wrong") else { Issue.record("wrong password accepted"); return }
        }
        guard case .throttled(let wait, let limit) = try await signIn(credentials, "ada", "correct horse battery") else {
            Issue.record("not throttled")
            return
        }
        #expect(wait > 0 && wait <= 600)
        #expect(limit == .accountAndAddress)
        clock.advance(601)
        guard case .verified = try await signIn(credentials, "ada", "correct horse battery") else { Issue.record("still throttled"); return }
    }

    @Test func unknownUsersAndUsersWithoutPasswordsAreInvalidCredentials() async throws {
        let database = try await TestDatabase.make()
        let credentials = credentials(database, clock: TestClock().clock)
        _ = try await TestDatabase.addUser("social", hash: nil, in: database)
        guard case .invalidCredentials = try await signIn(credentials, "nobody", "whatever1234") else { Issue.record("unknown user"); return }
        guard case .invalidCredentials = try await signIn(credentials, "social", "whatever1234") else { Issue.record("no password"); return }
    }

    @Test func refusedUserIsToldApartButNothingIsRecorded() async throws {
        let database = try await TestDatabase.make()
        let credentials = credentials(database, clock: TestClock().clock)
        _ = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)
        guard case .refused = try await signIn(credentials, "ada", "correct horse battery", admit: { _ in false }) else { Issue.record("admitted"); return }
        let failures = try await database.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM sign_in_failures")?.int("n") }
        #expect(failures == 0)
    }

    /// Issue 13: a burst of 60 concurrent guesses had 48 passwords checked. Checks are reserved
    /// before hashing, so at most `maxFailures` are ever computed.
    @Test func concurrentGuessesGetNoMoreChecksThanTheLimit() async throws {
        let database = try await TestDatabase.make()
        let credentials = credentials(database, clock: TestClock().clock, maxFailures: 5)
        _ = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<60 {
                group.addTask {
                    switch try await signIn(credentials, "ada", "wrong guess \(i)") {
                    case .throttled: "throttled"
                    case .invalidCredentials: "checked"
                    default: "other"
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes["checked"] == 5)
        #expect(outcomes["throttled"] == 55)
    }

    /// Issue 13: after five failures from one address, a colleague behind the same NAT with the
    /// right password was refused. The address limit is higher than the per-account one.
    @Test func anotherAccountFromTheSameAddressStillSignsIn() async throws {
        let database = try await TestDatabase.make()
        let credentials = credentials(database, clock: TestClock().clock, maxFailures: 5)
        _ = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)
        _ = try await TestDatabase.addUser("bob", hash: hasher.hash("bobs own passphrase"), in: database)
        for _ in 0..<5 { _ = try await signIn(credentials, "ada", "wrong") }
        guard case .verified = try await signIn(credentials, "bob", "bobs own passphrase") else { Issue.record("colleague shut out"); return }
    }

    /// Many addresses failing for one account slow its checks down, never lock them: the owner
    /// gets in once the short interval has passed.
    @Test func failuresFromManyAddressesSlowAnAccountDownWithoutLockingIt() async throws {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        let throttle = SignInThrottle(maxFailures: 5, window: 600, accountSlowdownAfter: 6)
        let credentials = Credentials(database: database, hasher: hasher, throttle: throttle, clock: clock.clock)
        _ = try await TestDatabase.addUser("ada", hash: hasher.hash("correct horse battery"), in: database)
        for i in 0..<6 { _ = try await signIn(credentials, "ada", "wrong", ip: "198.51.100.\(i)") }
        guard case .throttled(let wait, .account) = try await signIn(credentials, "ada", "correct horse battery", ip: "203.0.113.9") else {
            Issue.record("not slowed")
            return
        }
        #expect(wait <= throttle.slowdownInterval)
        clock.advance(throttle.slowdownInterval)
        guard case .verified = try await signIn(credentials, "ada", "correct horse battery", ip: "203.0.113.9") else {
            Issue.record("the owner is locked out")
            return
        }
    }

    @Test func hashingWaitsForAPlaceAndGivesUpWithBusy() async throws {
        let database = try await TestDatabase.make()
        let credentials = Credentials(database: database, hasher: PasswordHasher(logN: 15), clock: TestClock().clock,
                                      hashConcurrency: 1, hashWait: 0)
        let busy = await withTaskGroup(of: Bool.self) { group in
            for passphrase in ["a long enough passphrase", "another long passphrase"] {
                group.addTask {
                    do {
                        _ = try await credentials.hash(passphrase)
                        return false
                    } catch {
                        return error is Credentials.Busy
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(busy == 1, "one hash at a time, and no waiting allowed")
    }

    @Test func outdatedHashIsUpgradedOnSuccess() async throws {
        let database = try await TestDatabase.make()
        let credentials = credentials(database, clock: TestClock().clock)
        let old = PasswordHasher(logN: 9).hash("correct horse battery")
        let id = try await TestDatabase.addUser("ada", hash: old, in: database)
        guard case .verified = try await signIn(credentials, "ada", "correct horse battery") else { Issue.record("not verified"); return }
        let stored = try await database.read { db in try Credentials.storedHash(userID: id, in: db) }
        #expect(stored != old)
        #expect(stored.map { hasher.verify("correct horse battery", against: $0) } == .valid)
    }
}
