import Testing
import WebTesting
@testable import Provider

/// Grant family ids (issue 17): unique, and in the order they were made, so that a new family's
/// index entries go at the end of the index rather than on a random page of it.
@Suite struct FamilyIDTests {
    @Test func idsSortByTimeAndNeverRepeat() {
        let times = [0, 59, 1_764_900_000, 1_764_900_001, 4_102_444_800]
        let ids = times.map { TokenHash.newFamilyID(at: $0) }
        #expect(ids == ids.sorted())
        #expect(Set((0..<1000).map { _ in TokenHash.newFamilyID(at: 1_764_900_000) }).count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count == 12 + 1 + 22 })
    }

    @Test func theStoredFamilyStartsWithTheGrantsTime() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        #expect(await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        let family = try #require(try await provider.query("SELECT family_id FROM access_tokens").first).string("family_id")
        #expect(family.hasPrefix(String(provider.clock.now, radix: 16).leftPadded(to: 12)))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - utf8.count)) + self }
}
