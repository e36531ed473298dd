import Foundation

/// A small structured logger: one line per event, `key=value` pairs, to a shared sink.
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        /// The levels by the names `LOG_LEVEL` takes.
        public static let byName: KeyValuePairs<String, Level> = ["debug": .debug, "info": .info, "warning": .warning, "error": .error]
        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    /// Messages below this level are dropped.
    public var level: Level
    /// A prefix such as `request_id=ab12-0-7`, written after the level.
    public var metadata: String
    private let sink: LogSink

    /// A logger writing to `sink` (standard output by default).
    public init(level: Level = .info, metadata: String = "", sink: LogSink = .standardOutput) {
        self.level = level
        self.metadata = metadata
        self.sink = sink
    }

    /// A copy with `key=value` appended to the metadata.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata = metadata.isEmpty ? "\(key)=\(value)" : "\(metadata) \(key)=\(value)"
        return copy
    }

    /// Logs at `level`; the message is only built when it will be written.
    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= self.level else { return }
        let text = message()
        sink.write(metadata.isEmpty ? "level=\(level) \(text)\n" : "level=\(level) \(metadata) \(text)\n")
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}

/// Where log lines go. Writes are buffered and flushed at least every 50 ms (and at exit), so a
/// busy server does not pay one `write(2)` per request line.
public final class LogSink: @unchecked Sendable {
    /// Standard output, the only destination in production (12-factor logs).
    public static let standardOutput = LogSink(fd: 1)

    private let fd: Int32
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var captured: [String]?
    private var flusher: Thread?

    /// A sink writing to file descriptor `fd`.
    public init(fd: Int32) { self.fd = fd }

    /// A sink that keeps lines in memory, for tests that assert what was logged.
    public static func capturing() -> LogSink {
        let sink = LogSink(fd: -1)
        sink.captured = []
        return sink
    }

    /// Lines written so far to a capturing sink.
    public var lines: [String] { lock.withLock { captured ?? [] } }

    func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if captured != nil {
            captured!.append(line)
            return
        }
        buffer.append(contentsOf: line.utf8)
        if buffer.count > 64 * 1024 { flushLocked() }
        if flusher == nil { startFlusher() }
    }

    /// Writes out whatever is buffered.
    public func flush() { lock.withLock { flushLocked() } }

    private func flushLocked() {
        guard !buffer.isEmpty, fd >= 0 else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue } else { break } }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func startFlusher() {
        let thread = Thread { [self] in
            while true {
                usleep(50_000)
                flush()
            }
        }
        thread.name = "log-flush"
        flusher = thread
        thread.start()
    }
}
