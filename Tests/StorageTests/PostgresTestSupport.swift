import Foundation
import Storage

/// Runs `body` against a PostgreSQL database confined to a fresh schema (through `search_path`),
/// dropped afterwards, so tests neither see nor disturb each other.
func withPostgresSchema(poolSize: Int = 4, _ body: (any Database) async throws -> Void) async throws {
    guard let base = Driver.postgresURL else { throw DatabaseError.unavailable("TEST_POSTGRES_URL is not set") }
    let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let admin = try openDatabase(url: base)
    defer { admin.close() }
    try await admin.write { _ = try $0.execute("CREATE SCHEMA \(schema)") }
    let separator = base.contains("?") ? "&" : "?"
    let db = try openDatabase(url: base + separator + "pool=\(poolSize)&options=-c%20search_path%3D\(schema)")
    do {
        try await body(db)
    } catch {
        db.close()
        _ = try? await admin.write { _ = try $0.execute("DROP SCHEMA \(schema) CASCADE") }
        throw error
    }
    db.close()
    try await admin.write { _ = try $0.execute("DROP SCHEMA \(schema) CASCADE") }
}
