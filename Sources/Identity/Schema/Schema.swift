import Storage

/// The database an app runs on: its own numbered migrations (`<dir>/<app>/`, recorded in
/// `schema_migrations`), then the identity core's (`<dir>/identity/`, recorded in
/// `identity_schema_migrations`). The identity tables refer to the app's `users(id)`, which is
/// why the app's set runs first.
public enum Schema {
    /// The identity core's migrations folder, inside the migrations directory.
    public static let identityFolder = "identity"
    /// Where the identity core records its versions.
    public static let identityTable = "identity_schema_migrations"

    /// A migration that ran, named by its set (`site`, `provider`, `identity`).
    public struct Applied: Sendable, CustomStringConvertible {
        public let set: String
        public let migration: Migration
        public var description: String { "\(set) \(migration.version) \(migration.name)" }
    }

    /// The two migrators for `app`, in the order they run.
    public static func migrators(directory: String, app: String) throws -> [(set: String, migrator: Migrator)] {
        [(app, try Migrator(directory: directory + "/" + app)),
         (identityFolder, try Migrator(directory: directory + "/" + identityFolder, table: identityTable))]
    }

    /// Applies every pending migration of `app` and of the identity core.
    @discardableResult
    public static func migrate(_ database: any Database, directory: String, app: String) async throws -> [Applied] {
        var applied: [Applied] = []
        for (set, migrator) in try migrators(directory: directory, app: app) {
            applied += try await migrator.migrate(database).map { Applied(set: set, migration: $0) }
        }
        return applied
    }

    /// Start-up's migration: `migrate`, retried while the database is unreachable, each applied
    /// migration and each retry reported through `log`.
    public static func migrateAtStartup(_ database: any Database, directory: String, app: String, attempts: Int,
                                        log: (_ warning: Bool, String) -> Void) async throws {
        let applied = try await retryingWhileUnavailable(attempts: attempts, warn: { log(true, $0) }) {
            try await migrate(database, directory: directory, app: app)
        }
        for migration in applied { log(false, "applied migration \(migration)") }
    }

    /// Runs `body`, retrying with a growing pause (1, 2, 4… s, at most 10) while the database is
    /// unreachable: on a platform the database may come up a little after the web process.
    /// `warn` hears of each retry.
    public static func retryingWhileUnavailable<T>(attempts: Int, warn: (String) -> Void = { _ in },
                                                   _ body: () async throws -> T) async throws -> T {
        var pause = 1.0
        for attempt in 1...max(1, attempts) {
            do {
                return try await body()
            } catch DatabaseError.unavailable(let reason) where attempt < attempts {
                warn("database unreachable (attempt \(attempt) of \(attempts)): \(reason); retrying in \(Int(pause)) s")
                try await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                pause = min(pause * 2, 10)
            }
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }
}
