import Foundation
import Storage
import Testing

@Suite struct MigratorTests {
    private let steps = [
        Migration(version: 1, name: "people", sql: "CREATE TABLE people (name TEXT NOT NULL)"),
        Migration(version: 2, name: "ages", sql: "ALTER TABLE people ADD COLUMN age BIGINT"),
        Migration(version: 3, name: "seed", sql: """
            INSERT INTO people (name, age) VALUES ('ada', 36);
            INSERT INTO people (name, age) VALUES ('grace', 85);
            """),
    ]

    private func recorded(_ db: any Database) async throws -> [Int] {
        try await db.read { connection in
            try connection.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
                .map { try $0.int("version") }
        }
    }

    @Test(arguments: Driver.available)
    func appliesPendingMigrationsInOrderAndRecordsThem(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            // Given out of order on purpose: the migrator sorts by version.
            let migrator = try Migrator(migrations: steps.reversed())
            #expect(try await migrator.pending(on: db).map(\.version) == [1, 2, 3])
            let applied = try await migrator.migrate(db)
            #expect(applied.map(\.version) == [1, 2, 3])
            #expect(try await recorded(db) == [1, 2, 3])
            let ages = try await db.read { try $0.query("SELECT age FROM people ORDER BY name").map { try $0.int("age") } }
            #expect(ages == [36, 85])
        }
    }

    @Test(arguments: Driver.available)
    func migratingTwiceAppliesNothingTheSecondTime(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await Migrator(migrations: Array(steps.prefix(2))).migrate(db)
            let full = try Migrator(migrations: steps)
            #expect(try await full.migrate(db).map(\.version) == [3])
            #expect(try await full.migrate(db).isEmpty)
            #expect(try await full.pending(on: db).isEmpty)
            #expect(try await full.appliedVersions(on: db) == [1, 2, 3])
        }
    }

    @Test(arguments: Driver.available)
    func refusesADatabaseNewerThanTheCode(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await Migrator(migrations: steps).migrate(db)
            let older = try Migrator(migrations: Array(steps.prefix(1)))
            let error = await databaseError { _ = try await older.migrate(db) }
            #expect(error == .tooNew(dbVersion: 3, codeVersion: 1))
            #expect(error?.description == "database schema is at version 3 but this build only knows up to 1; "
                + "upgrade latchkey or point DATABASE_URL elsewhere")
            let pendingError = await databaseError { _ = try await older.pending(on: db) }
            #expect(pendingError == .tooNew(dbVersion: 3, codeVersion: 1))
        }
    }

    @Test(arguments: Driver.available)
    func failingMigrationIsRolledBackCompletely(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            let broken = Migration(version: 2, name: "broken", sql: """
                CREATE TABLE half (x BIGINT);
                INSERT INTO half (x) VALUES (1);
                INSERT INTO no_such_table (x) VALUES (1);
                """)
            let migrator = try Migrator(migrations: [steps[0], broken])
            let error = await databaseError { _ = try await migrator.migrate(db) }
            guard case .migrationFailed(let version, let name, _) = error else {
                Issue.record("expected migrationFailed, got \(String(describing: error))")
                return
            }
            #expect(version == 2 && name == "broken")
            #expect(try await recorded(db) == [1])
            let halfExists = await databaseError { _ = try await db.read { try $0.query("SELECT x FROM half") } } != nil
            #expect(halfExists)
        }
    }

    @Test(arguments: Driver.available)
    func dialectVariantReplacesPortableScript(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            let migration = Migration(version: 1, name: "kind", sql: "CREATE TABLE kind (name TEXT)", variants: [
                .sqlite: "CREATE TABLE kind (name TEXT); INSERT INTO kind VALUES ('sqlite')",
                .postgres: "CREATE TABLE kind (name TEXT); INSERT INTO kind VALUES ('postgres')",
            ])
            try await Migrator(migrations: [migration]).migrate(db)
            let kind = try await db.read { try $0.queryOne("SELECT name FROM kind")?.string("name") }
            #expect(kind == db.dialect.rawValue)
        }
    }

    @Test func missingScriptForTheDialectIsReported() async throws {
        try await withDatabase(.sqlite) { db in
            let migrator = try Migrator(migrations: [
                Migration(version: 1, name: "pg_only", sql: nil, variants: [.postgres: "SELECT 1"]),
            ])
            let error = await databaseError { _ = try await migrator.migrate(db) }
            guard case .migration(let message) = error else {
                Issue.record("expected migration error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("001_pg_only"))
        }
    }

    @Test func duplicateVersionsAreRejected() {
        #expect(throws: DatabaseError.self) {
            try Migrator(migrations: [steps[0], Migration(version: 1, name: "again", sql: "SELECT 1")])
        }
    }
}
