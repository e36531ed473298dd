import CSQLite
import Synchronization

/// Group commit for SQLite's single writer: writes that queue up while the writer is busy run
/// together, each in a savepoint of its own, inside one `BEGIN IMMEDIATE … COMMIT`.
///
/// Why: under load every write used to be a transaction of its own and a trip to a worker thread
/// of its own, and a commit's cost (WAL frames for each touched page, locks, the hop and the
/// wake-ups) is nearly the same for one row as for thirty. Sixty-four token requests at once now
/// share a handful of commits; a lone write still commits alone, at once.
///
/// Each write keeps its own meaning: it sees the writes queued before it (as if run one after
/// another), a body that throws rolls back to its savepoint and only its caller gets the error,
/// and nobody's `write` returns before the COMMIT that made it durable has succeeded.
final class SQLiteWriteBatch: Sendable {
    /// One queued write. `run` executes the body on the writer connection (inside the batch's
    /// transaction) and returns how to answer its caller once the batch's COMMIT is known;
    /// `fail` answers a caller whose body never ran.
    struct Job: Sendable {
        let run: @Sendable (SQLiteConnection) -> Finish
        let fail: @Sendable (any Error) -> Void
    }

    /// What a job's caller hears: its own outcome when the batch committed, or the COMMIT's error.
    struct Finish: Sendable {
        let succeeded: Bool
        let answer: @Sendable (_ commitError: (any Error)?) -> Void
    }

    private struct Queue: ~Copyable {
        var jobs: [Job] = []
        var draining = false
    }

    private let queue = Mutex(Queue())
    private let writer: ConnectionPool<SQLiteConnection>
    private let checkpointer: SQLiteCheckpointer?
    /// At most this many writes share a transaction, so the first in a long queue is not held
    /// back behind an unbounded batch.
    let maximumBatch: Int

    init(writer: ConnectionPool<SQLiteConnection>, checkpointer: SQLiteCheckpointer? = nil, maximumBatch: Int = 32) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Queues `body` and returns its result once its batch has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue(Job(run: { connection in
                let outcome = Result { try Self.inSavepoint(connection, body) }
                let succeeded = if case .success = outcome { true } else { false }
                return Finish(succeeded: succeeded) { commitError in
                    if let commitError, succeeded { continuation.resume(throwing: commitError) } else { continuation.resume(with: outcome) }
                }
            }, fail: { error in continuation.resume(throwing: error) }))
        }
    }

    private func enqueue(_ job: Job) {
        let start = queue.withLock { queue in
            queue.jobs.append(job)
            guard !queue.draining else { return false }
            queue.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    /// Runs batches until the queue is empty. One drain at a time (`draining`), so the writer
    /// connection is only ever in one batch.
    private func drain() async {
        while true {
            let batch: [Job] = queue.withLock { queue in
                let batch = Array(queue.jobs.prefix(maximumBatch))
                queue.jobs.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let finishes: [(Finish, (any Error)?)] = try await writer.withConnection { [checkpointer] connection in
                    checkpointer?.catchUp(on: connection)
                    return (.success(Self.commit(batch, on: connection)), true)
                }
                for (finish, commitError) in finishes { finish.answer(commitError) }
            } catch {
                // The writer is gone (closed, or lost): nobody in this batch ran.
                for job in batch { job.fail(error) }
            }
        }
    }

    /// Runs `batch` in one transaction and says how each job's caller is to be answered.
    private static func commit(_ batch: [Job], on connection: SQLiteConnection) -> [(Finish, (any Error)?)] {
        do {
            _ = try connection.execute("BEGIN IMMEDIATE", [])
        } catch {
            return batch.map { job in (Finish(succeeded: false) { _ in job.fail(error) }, nil) }
        }
        var finishes: [Finish] = []
        for (index, job) in batch.enumerated() {
            let finish = job.run(connection)
            // Some errors (disk full, I/O) make SQLite roll back the whole transaction, taking
            // the jobs before this one with it: answer this one, and run those again.
            if !finish.succeeded && sqlite3_get_autocommit(connection.handle) != 0 {
                let redo = Array(batch[..<index]) + Array(batch[(index + 1)...])
                return [(finish, nil)] + commit(redo, on: connection)
            }
            finishes.append(finish)
        }
        do {
            _ = try connection.execute("COMMIT", [])
            return finishes.map { ($0, nil) }
        } catch {
            connection.rollbackIfOpen()
            return finishes.map { ($0, error) }
        }
    }

    /// Runs `body` in a savepoint: released when it returns, rolled back to when it throws.
    private static func inSavepoint<T>(_ connection: SQLiteConnection, _ body: (any Connection) throws -> T) throws -> T {
        _ = try connection.execute("SAVEPOINT write_job", [])
        do {
            let result = try body(connection)
            _ = try connection.execute("RELEASE write_job", [])
            return result
        } catch {
            if sqlite3_get_autocommit(connection.handle) == 0 {
                _ = try? connection.execute("ROLLBACK TO write_job", [])
                _ = try? connection.execute("RELEASE write_job", [])
            }
            throw error
        }
    }

}
