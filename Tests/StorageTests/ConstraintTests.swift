import Storage
import Testing

@Suite struct ConstraintTests {
    private func makeTables(_ db: any Database) async throws {
        try await db.write { connection in
            try connection.executeScript("""
                CREATE TABLE users (\(Schema.id(connection.dialect)), username TEXT NOT NULL UNIQUE);
                CREATE TABLE logins (
                    \(Schema.id(connection.dialect)),
                    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE
                );
                """)
        }
    }

    @Test(arguments: Driver.available)
    func duplicateUniqueValueThrowsUniqueViolation(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTables(db)
            _ = try await db.write { try $0.insert("INSERT INTO users (username) VALUES (?) RETURNING id", "ada") }
            let error = await databaseError {
                _ = try await db.write { try $0.insert("INSERT INTO users (username) VALUES (?) RETURNING id", "ada") }
            }
            guard case .uniqueViolation(let constraint) = error else {
                Issue.record("expected uniqueViolation, got \(String(describing: error))")
                return
            }
            #expect(constraint?.contains("username") == true)
            let count = try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM users")?.int("n") }
            #expect(count == 1)
        }
    }

    @Test(arguments: Driver.available)
    func missingParentThrowsForeignKeyViolation(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTables(db)
            let error = await databaseError {
                _ = try await db.write { try $0.execute("INSERT INTO logins (user_id) VALUES (?)", 42) }
            }
            #expect(error == .foreignKeyViolation)
        }
    }

    @Test(arguments: Driver.available)
    func deletingParentCascades(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTables(db)
            try await db.write { connection in
                let id = try connection.insert("INSERT INTO users (username) VALUES (?) RETURNING id", "ada")
                _ = try connection.execute("INSERT INTO logins (user_id) VALUES (?)", id)
                #expect(try connection.execute("DELETE FROM users WHERE id = ?", id) == 1)
            }
            let left = try await db.read { try $0.query("SELECT id FROM logins").count }
            #expect(left == 0)
        }
    }
}
