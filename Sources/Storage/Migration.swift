/// One numbered schema change: a portable script plus optional per-dialect replacements.
public struct Migration: Sendable, Hashable {
    /// The number from the file name (`001_init.sql` is version 1); applied in ascending order.
    public let version: Int
    /// The rest of the file name (`init`).
    public let name: String
    /// The script used for dialects without their own variant; nil when every dialect has one.
    public let portable: String?
    /// Dialect-specific scripts (`001_init.sqlite.sql`, `001_init.postgres.sql`).
    public let variants: [SQLDialect: String]

    /// A migration given in code (tests, embedded schemas).
    public init(version: Int, name: String, sql: String?, variants: [SQLDialect: String] = [:]) {
        self.version = version
        self.name = name
        self.portable = sql
        self.variants = variants
    }

    /// The script to run on `dialect`, if there is one.
    public func script(for dialect: SQLDialect) -> String? {
        variants[dialect] ?? portable
    }
}
