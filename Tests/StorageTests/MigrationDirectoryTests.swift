import Foundation
import Storage
import Testing

@Suite struct MigrationDirectoryTests {
    private func write(_ files: [String: String], to directory: String) throws {
        for (name, sql) in files {
            try sql.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    @Test func loadsNumberedFilesSortedWithDialectVariants() async throws {
        try await withTemporaryDirectory { directory in
            try write([
                "010_later.sql": "CREATE TABLE later (x BIGINT)",
                "002_users.sql": "portable",
                "002_users.sqlite.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                "002_users.postgres.sql": "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT)",
                "001_init.sql": "CREATE TABLE init (x BIGINT)",
                "README.md": "ignored",
            ], to: directory)
            let migrator = try Migrator(directory: directory)
            #expect(migrator.migrations.map(\.version) == [1, 2, 10])
            #expect(migrator.migrations.map(\.name) == ["init", "users", "later"])
            #expect(migrator.latestVersion == 10)
            let users = migrator.migrations[1]
            #expect(users.script(for: .sqlite)?.contains("INTEGER PRIMARY KEY") == true)
            #expect(users.script(for: .postgres)?.contains("BIGSERIAL") == true)
            #expect(users.portable == "portable")

            try await withDatabase(.sqlite) { db in
                try await migrator.migrate(db)
                let id = try await db.write { try $0.insert("INSERT INTO users (name) VALUES (?) RETURNING id", "ada") }
                #expect(id == 1)
            }
        }
    }

    @Test(arguments: ["init.sql", "001init.sql", "001_.sql", "001_init.mysql.sql", "x01_init.sql", "001_in it.sql"])
    func malformedFileNameIsAnError(fileName: String) async throws {
        try await withTemporaryDirectory { directory in
            try write([fileName: "SELECT 1"], to: directory)
            #expect(throws: DatabaseError.self) { try Migrator(directory: directory) }
        }
    }

    @Test func sameVersionWithTwoNamesIsAnError() async throws {
        try await withTemporaryDirectory { directory in
            try write(["001_init.sql": "SELECT 1", "001_other.sqlite.sql": "SELECT 1"], to: directory)
            #expect(throws: DatabaseError.self) { try Migrator(directory: directory) }
        }
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: DatabaseError.self) { try Migrator(directory: "/nonexistent/migrations") }
    }
}
