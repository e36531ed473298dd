import CSQLite
import Runtime
import Synchronization

/// Moves SQLite's WAL checkpoints off the commit path, and keeps the WAL from growing without end.
///
/// The writer connection reports its WAL size after every commit; past `threshold` pages a
/// passive checkpoint runs on a worker thread, on a connection of its own, while writes go on.
/// Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages, copying
/// them into the database and syncing it, and every write queued behind the single writer waits
/// for it. A passive checkpoint never blocks writers or readers.
///
/// But a checkpoint that runs beside the writer never finishes the log: by the time it has copied
/// the frames it started with, more have been appended, and SQLite only starts the WAL over from
/// its beginning once every frame is in the database. Under steady writes the file then grows for
/// as long as they last (3 GB after ten minutes of token grants, with every frame appended to new
/// file pages that the kernel must first allocate and zero: a fifth of the provider's CPU). So
/// after each background checkpoint the writer itself finishes the job before its next
/// transaction (`catchUp(on:)`): a RESTART checkpoint with no write under way has
/// only those few frames left to copy, then waits a moment for readers on older snapshots and
/// starts the log over. Writes wait for that short copy, not for the bulk.
final class SQLiteCheckpointer: Sendable {
    /// Four times SQLite's own default for `wal_autocheckpoint` (16 MiB of 4 KiB pages): a page
    /// written again before the checkpoint is copied once, and each checkpoint costs two
    /// `fdatasync`s, which at 1,000 pages came to 7% of the provider's CPU under token grants.
    /// `SQLiteDatabase.init`'s default says the same.
    static let defaultThreshold: Int32 = 4000
    /// How long the writer's catch-up waits for readers still on frames of the old log; past it
    /// the log is started over at the next chance instead.
    static let catchUpWaitMilliseconds: Int32 = 5

    private struct State: ~Copyable {
        var pending = false
        var closed = false
        var catchUpWanted = false
        var connection: SQLiteConnection?
    }

    private let path: String
    let threshold: Int32
    private let state = Mutex(State())

    init(path: String, threshold: Int32 = SQLiteCheckpointer.defaultThreshold) {
        self.path = path
        self.threshold = max(1, threshold)
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
        guard walPages >= threshold else { return }
        let start = state.withLock { state in
            // Not while the writer's catch-up is due: the two would contend for the checkpoint
            // lock, and the catch-up, which restarts the log, would lose.
            guard !state.pending && !state.catchUpWanted && !state.closed else { return false }
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
            // The writer finishes the job before its next transaction. Always: the counts the
            // call reports are of the log as it was when the checkpoint began, so a checkpoint
            // that copied all of those looks complete while the writer has gone on appending.
            state.catchUpWanted = true
            guard state.closed else { return nil }
            defer { state.connection = nil }
            return state.connection
        }
        leftover?.close()
    }

    /// Called by the writer before it begins a transaction. After a background checkpoint, copies
    /// the frames appended while it ran and starts the log over (see the type's comment).
    func catchUp(on writer: SQLiteConnection) {
        let wanted = state.withLock { state in
            defer { state.catchUpWanted = false }
            return state.catchUpWanted && !state.closed
        }
        guard wanted else { return }
        // A short wait only: a reader on an old snapshot (a report on a worker) must not hold
        // every write back. Busy, it is tried again after the next background checkpoint.
        sqlite3_busy_timeout(writer.handle, Self.catchUpWaitMilliseconds)
        _ = sqlite3_wal_checkpoint_v2(writer.handle, nil, SQLITE_CHECKPOINT_RESTART, nil, nil)
        sqlite3_busy_timeout(writer.handle, SQLiteDatabase.busyTimeoutMilliseconds)
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
