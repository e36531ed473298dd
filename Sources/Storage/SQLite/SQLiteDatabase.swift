import CSQLite
import Foundation

/// SQLite behind the `Database` protocol: one writer connection (writes queue for it) and a small
/// pool of reader connections that, thanks to WAL, read committed data while a write is under way.
public final class SQLiteDatabase: Database {
    /// Always `.sqlite`.
    public let dialect = SQLDialect.sqlite
    /// The path or URI the database was opened with.
    public let path: String
    private let writer: ConnectionPool<SQLiteConnection>
    private let readers: ConnectionPool<SQLiteConnection>
    private let batch: SQLiteWriteBatch
    private let checkpointer: SQLiteCheckpointer?

    /// Opens (creating if needed) the database at `path`, creating its parent directory too.
    ///
    /// `":memory:"` and `file:…?mode=memory` URIs get a single connection for reads and writes,
    /// because every extra connection would see a different (or a table-locked shared) database.
    /// `checkpointPages` is how large the WAL may grow before a checkpoint copies it back (tests
    /// make it small; see `SQLiteCheckpointer.defaultThreshold`).
    public init(path: String, readers readerCount: Int = 4,
                checkpointPages: Int32 = 4000) throws(DatabaseError) {
        self.path = path
        let inMemory = Self.isInMemory(path)
        if !inMemory { try Self.createParentDirectory(of: path) }
        let writerConnection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        do throws(DatabaseError) {
            try Self.configure(writerConnection, writer: true)
        } catch {
            writerConnection.close()
            throw error
        }
        if inMemory {
            checkpointer = nil
        } else {
            let checkpointer = SQLiteCheckpointer(path: path, threshold: checkpointPages)
            checkpointer.install(on: writerConnection)
            self.checkpointer = checkpointer
        }
        let destroy: @Sendable (SQLiteConnection) -> Void = { $0.close() }
        writer = ConnectionPool(capacity: 1, initial: [writerConnection], open: { () throws(DatabaseError) in
            throw DatabaseError.unavailable("the SQLite writer connection was lost")
        }, destroy: destroy)
        batch = SQLiteWriteBatch(writer: writer, checkpointer: checkpointer)
        if inMemory || readerCount < 1 {
            readers = writer
        } else {
            readers = ConnectionPool(capacity: readerCount, open: { () throws(DatabaseError) in
                let reader = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)
                do throws(DatabaseError) {
                    try Self.configure(reader, writer: false)
                } catch {
                    reader.close()
                    throw error
                }
                return reader
            }, destroy: destroy)
        }
    }

    /// How long a read may run on the caller's thread before it is interrupted and run again on
    /// a worker.
    static let inlineReadBudget = 0.002

    /// Runs `body` in a deferred transaction on a reader connection: one snapshot, no writes.
    ///
    /// A read first runs on the caller's thread (an event loop, usually) when a reader is free:
    /// SQLite is a library call, and the point lookups that make up most reads take microseconds,
    /// less than the trip to a worker thread and back (two context switches and a wake-up of the
    /// loop). A read still running after `inlineReadBudget` is interrupted and, being read-only,
    /// simply runs again on a worker, where a slow report may take as long as it needs.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        let sharesWriter = readers === writer
        let inline = try readers.withConnectionIfFree { connection -> (result: Result<InlineRead<T>, any Error>, reusable: Bool) in
            let outcome = connection.withinBudget(seconds: Self.inlineReadBudget) {
                Result { try Self.readTransaction(on: connection, sharesWriter: sharesWriter, body) }
            }
            connection.rollbackIfOpen()
            return (connection.budgetExceeded ? .success(.overBudget) : outcome.map(InlineRead.done), true)
        }
        if case .done(let value) = try inline?.get() { return value }
        return try await readers.withConnection { connection in
            (Result { try Self.readTransaction(on: connection, sharesWriter: sharesWriter, body) }, true)
        }
    }

    private enum InlineRead<T> {
        case done(T)
        case overBudget
    }

    private static func readTransaction<T>(on connection: SQLiteConnection, sharesWriter: Bool,
                                           _ body: (any Connection) throws -> T) throws -> T {
        // A lone in-memory connection is also the writer, so it is made read-only just here.
        if sharesWriter { _ = try connection.execute("PRAGMA query_only=ON", []) }
        defer { if sharesWriter { _ = try? connection.execute("PRAGMA query_only=OFF", []) } }
        // A deferred BEGIN: the snapshot starts with the first read and holds until COMMIT.
        return try connection.transaction(begin: "BEGIN", body)
    }

    /// Runs `body` on the single writer connection, in a `BEGIN IMMEDIATE` transaction that
    /// other writes queued meanwhile may share, each in its own savepoint (`SQLiteWriteBatch`).
    /// IMMEDIATE takes the write lock up front, so a read-then-write body never fails with
    /// SQLITE_BUSY halfway through when another process writes the same file.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        try await batch.write(body)
    }

    /// Closes every connection; later calls throw `unavailable`.
    public func close() {
        checkpointer?.close()
        writer.close()
        if readers !== writer { readers.close() }
    }

    /// How long a connection waits for a lock another connection or process holds.
    static let busyTimeoutMilliseconds: Int32 = 5000

    private static func configure(_ connection: SQLiteConnection, writer: Bool) throws(DatabaseError) {
        sqlite3_busy_timeout(connection.handle, busyTimeoutMilliseconds)
        if writer {
            _ = try connection.execute("PRAGMA journal_mode=WAL", [])
            // When the log starts over, a file grown large by a burst of writes is cut back to
            // this size rather than kept at its largest (64 MiB: sixteen checkpoints' worth).
            _ = try connection.execute("PRAGMA journal_size_limit=67108864", [])
        }
        _ = try connection.execute("PRAGMA foreign_keys=ON", [])
        _ = try connection.execute("PRAGMA synchronous=NORMAL", [])
        // Readers refuse writes, so a write slipped into `read` fails loudly instead of racing.
        if !writer { _ = try connection.execute("PRAGMA query_only=ON", []) }
    }

    static func isInMemory(_ path: String) -> Bool {
        path.isEmpty || path == ":memory:" || path.hasPrefix("file::memory:")
            || (path.hasPrefix("file:") && path.contains("mode=memory"))
    }

    private static func createParentDirectory(of path: String) throws(DatabaseError) {
        let file = path.hasPrefix("file:") ? String(path.dropFirst(5).prefix { $0 != "?" }) : path
        let parent = (file as NSString).deletingLastPathComponent
        guard !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .unavailable("cannot create directory \(parent) for the SQLite database: \(error.localizedDescription)")
        }
    }
}
