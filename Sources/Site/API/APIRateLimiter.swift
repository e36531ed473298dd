import Synchronization

/// Counts API sign-in attempts per client IP in fixed one-minute windows.
///
/// Kept in memory, not in the database, on purpose: every attempt would otherwise be a write
/// transaction (SQLite serialises those) on the hottest, most abusable endpoint, and the counts
/// are worthless after a minute anyway. The price is that each instance counts on its own (N
/// instances allow N× the limit) and a restart forgets the counts; both are acceptable for a
/// throttle whose job is to blunt floods and token-guessing, not to meter. The password sign-in
/// throttle, which protects individual accounts, does live in the database.
final class APIRateLimiter: Sendable {
    private struct Window {
        var start: Int
        var count: Int
    }

    private struct State {
        var windows: [String: Window] = [:]
        var lastSweep = 0
    }

    /// Attempts allowed per window.
    let limit: Int
    /// The window length in seconds.
    let window: Int
    private let state = Mutex(State())

    /// A limiter allowing `limit` attempts per `window` seconds per client.
    init(limit: Int, window: Int = 60) {
        self.limit = limit
        self.window = window
    }

    /// Counts one attempt by `client` at `now`; nil when allowed, else the seconds until the
    /// client's window ends.
    func attempt(client: String, now: Int) -> Int? {
        state.withLock { state in
            // Forget finished windows once per window, so memory follows the clients of the last minute.
            if now - state.lastSweep >= window {
                state.windows = state.windows.filter { now - $0.value.start < window }
                state.lastSweep = now
            }
            var current = state.windows[client] ?? Window(start: now, count: 0)
            if now - current.start >= window { current = Window(start: now, count: 0) }
            guard current.count < limit else { return max(1, current.start + window - now) }
            current.count += 1
            state.windows[client] = current
            return nil
        }
    }
}
