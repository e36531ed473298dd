import CSQLite
import Runtime
import Synchronization

/// Moves SQLite's WAL checkpoints off the commit path: the writer connection reports its WAL size
/// after every commit, and past `threshold` pages a passive checkpoint runs on a worker thread,
/// on a connection of its own, while writes go on.
///
/// Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages, copying
/// them into the database and syncing it, and every write queued behind the single writer waits
/// for it. A passive checkpoint never blocks writers or readers (it copies what no reader still
/// needs, and the WAL starts over once it has all been copied).
final class SQLiteCheckpointer: Sendable {
    /// SQLite's own default for `wal_autocheckpoint`.
    static let threshold: Int32 = 1000

    private struct State: ~Copyable {
        var pending = false
        var closed = false
        var connection: SQLiteConnection?
    }

    private let path: String
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    /// Takes over `writer`'s checkpoints (this disables its automatic ones). The writer must not
    /// outlive this object, which its database guarantees by holding both.
    func install(on writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.handle, { context, _, _, pages in
            if let context { Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(walPages: pages) }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called on the writer's thread after each commit.
    private func committed(walPages: Int32) {
        guard walPages >= Self.threshold else { return }
        let start = state.withLock { state in
            guard !state.pending && !state.closed else { return false }
            state.pending = true
            return true
        }
        if start { WorkerPool.shared.submit { self.checkpoint() } }
    }

    private func checkpoint() {
        let connection: SQLiteConnection? = state.withLock { state in
            if state.closed { return nil }
            if state.connection == nil, let opened = try? SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE) {
                // A connection finds the database in WAL mode only once it has read it; until
                // then a checkpoint on it is a no-op.
                _ = try? opened.query("SELECT 1 FROM sqlite_schema LIMIT 1", [])
                state.connection = opened
            }
            return state.connection
        }
        if let connection {
            // Errors are not worth a log line: the next commit past the threshold tries again.
            _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
        let leftover: SQLiteConnection? = state.withLock { state in
            state.pending = false
            guard state.closed else { return nil }
            defer { state.connection = nil }
            return state.connection
        }
        leftover?.close()
    }

    /// Closes the checkpoint connection now, or when a running checkpoint ends.
    func close() {
        let idle: SQLiteConnection? = state.withLock { state in
            state.closed = true
            guard !state.pending else { return nil }
            defer { state.connection = nil }
            return state.connection
        }
        idle?.close()
    }
}
