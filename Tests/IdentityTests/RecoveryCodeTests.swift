import Foundation
@testable import Identity
import Security
import Storage
import Testing

/// Recovery codes: ten, shown once, stored hashed, each usable once, replaced as a set.
@Suite struct RecoveryCodeTests {
    @Test func tenCodesOfTheAdvertisedShapeAreStoredHashed() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let codes = try await database.write { db in try RecoveryCodes.regenerate(userID: ada, now: 0, in: db) }
        #expect(codes.count == 10 && Set(codes).count == 10)
        let shape = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$/
        #expect(codes.allSatisfy { $0.wholeMatch(of: shape) != nil })
        let hashes = try await database.read { db in try db.query("SELECT code_hash FROM recovery_codes WHERE user_id = ?", ada).map { try $0.string("code_hash") } }
        #expect(hashes.count == 10 && hashes.allSatisfy { $0.count == 64 })
        #expect(Set(hashes).isDisjoint(with: codes) && !hashes.contains { hash in codes.contains { hash.contains($0.replacingOccurrences(of: "-", with: "")) } })
        #expect(try await database.read { db in try RecoveryCodes.remaining(userID: ada, in: db) } == 10)
    }

    @Test func eachCodeWorksOnceAndANewSetReplacesTheOld() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let codes = try await database.write { db in try RecoveryCodes.regenerate(userID: ada, now: 0, in: db) }
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: codes[3], now: 1, in: db) } == .accepted)
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: codes[3], now: 2, in: db) } == .alreadyUsed)
        #expect(try await database.read { db in try RecoveryCodes.remaining(userID: ada, in: db) } == 9)

        let fresh = try await database.write { db in try RecoveryCodes.regenerate(userID: ada, now: 3, in: db) }
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: codes[4], now: 4, in: db) } == .wrong,
                "the old set is gone, used or not")
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: fresh[0], now: 5, in: db) } == .accepted)
        #expect(try await database.read { db in try RecoveryCodes.remaining(userID: ada, in: db) } == 9)
    }

    @Test func typingIsForgivingButCodesBelongToTheirAccount() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        let bob = try await TestDatabase.addUser("bob", hash: nil, in: database)
        let codes = try await database.write { db in try RecoveryCodes.regenerate(userID: ada, now: 0, in: db) }
        _ = try await database.write { db in try RecoveryCodes.regenerate(userID: bob, now: 0, in: db) }
        let typed = " " + codes[0].uppercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "0", with: "O")
            .replacingOccurrences(of: "1", with: "l") + " "
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: bob, typed: codes[1], now: 1, in: db) } == .wrong)
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: typed, now: 1, in: db) } == .accepted)
    }

    @Test func wrongCodesShareTheSecondFactorLimitAndNoCodesMeansNotEnrolled() async throws {
        let database = try await TestDatabase.make()
        let ada = try await TestDatabase.addUser("ada", hash: nil, in: database)
        #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: "abcd-efgh-jk", now: 0, in: db) } == .notEnrolled)
        let codes = try await database.write { db in try RecoveryCodes.regenerate(userID: ada, now: 0, in: db) }
        for _ in 0..<SecondFactor.attemptLimit.limit {
            #expect(try await database.write { db in try RecoveryCodes.consume(userID: ada, typed: "zzzz-zzzz-zz", now: 10, in: db) } == .wrong)
        }
        guard case .throttled = try await database.write({ db in try RecoveryCodes.consume(userID: ada, typed: codes[0], now: 10, in: db) }) else {
            Issue.record("not throttled")
            return
        }
        #expect(try await database.read { db in try RecoveryCodes.remaining(userID: ada, in: db) } == 10, "a throttled try uses nothing up")
        try await database.write { db in try RecoveryCodes.removeAll(userID: ada, in: db) }
        #expect(try await database.read { db in try RecoveryCodes.remaining(userID: ada, in: db) } == 0)
    }
}
