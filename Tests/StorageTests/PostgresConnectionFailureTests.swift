import Storage
import Testing

/// Needs no server: these check what happens when there is none.
@Suite struct PostgresConnectionFailureTests {
    @Test func unreachableServerThrowsUnavailableWithoutThePassword() async throws {
        let db = try openDatabase(url: "postgres://ada:hunter2@127.0.0.1:1/site?connect_timeout=2")
        defer { db.close() }
        #expect(db.dialect == .postgres)
        let error = await databaseError { _ = try await db.read { try $0.query("SELECT 1") } }
        guard case .unavailable(let message) = error else {
            Issue.record("expected unavailable, got \(String(describing: error))")
            return
        }
        #expect(!message.contains("hunter2"))
    }

    @Test func openingDoesNotConnect() throws {
        let db = try openDatabase(url: "postgres://nobody@127.0.0.1:1/none")
        db.close()
    }
}
