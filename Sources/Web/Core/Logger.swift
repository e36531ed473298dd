import Foundation

/// A small structured logger: one line per event in logfmt (`level=info event key=value …`), to
/// a shared sink. Field values are quoted and escaped as needed, and no character of any message
/// can end a line, so nothing a client or a provider sends can forge a log line or a field.
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

    /// A copy with `key=value` appended to the metadata (the value quoted as needed).
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        let field = "\(key)=\(Self.value(value))"
        copy.metadata = metadata.isEmpty ? field : "\(metadata) \(field)"
        return copy
    }

    /// Logs a sentence at `level` (start-up and shutdown notes); the message is only built when
    /// it will be written, and control characters in it are escaped.
    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= self.level else { return }
        write(level, Self.escapingControls(message()))
    }

    /// Logs `event` with `fields` as `key=value` pairs, each value quoted and escaped as needed.
    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= self.level else { return }
        // Appended piece by piece into one buffer: every request writes at least one line, and
        // `a + b + c` made a string per `+`.
        var line = start(level, capacity: 96 + fields.count * 24)
        line += Self.escapingControls(event)
        for (key, value) in fields {
            line += " "
            line += key
            line += "="
            line += Self.value(Self.text(value))
        }
        line += "\n"
        sink.write(line)
    }

    private func write(_ level: Level, _ text: String) {
        var line = start(level, capacity: text.utf8.count + 1)
        line += text
        line += "\n"
        sink.write(line)
    }

    /// `level=info request_id=… `, with room for `capacity` more bytes.
    private func start(_ level: Level, capacity: Int) -> String {
        var line = ""
        line.reserveCapacity(16 + metadata.utf8.count + capacity)
        line += "level="
        line += level.description
        line += " "
        if !metadata.isEmpty {
            line += metadata
            line += " "
        }
        return line
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func debug(_ event: String, _ fields: KeyValuePairs<String, Any>) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, Any>) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, Any>) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, Any>) { log(.error, event, fields) }

    /// A logfmt value: bare when it is a plain word, else in double quotes with `"`, `\` and
    /// control characters escaped.
    public static func value(_ text: String) -> String {
        // Bytes rather than `CharacterSet`: every request writes a line, and a `CharacterSet`
        // lookup per character cost more than the rest of the line.
        let plain = !text.isEmpty && text.utf8.allSatisfy(isPlainByte)
        if plain { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out += escape(scalar)
            }
        }
        return out + "\""
    }

    /// `text` with every control character written as an escape, so it stays on one line.
    /// ASCII letters and digits, and `-_./:@+%,*#()[]`: what a value may hold without quotes.
    private static func isPlainByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-_./:@+%,*#()[]".utf8.contains(b)
        }
    }

    /// A field's text: strings, integers and methods directly; anything else as `String(describing:)`
    /// (which asks the runtime for the value's conformances: costly on every request's line).
    private static func text(_ value: Any) -> String {
        switch value {
        case let string as String: string
        case let number as Int: String(number)
        case let method as HTTPMethod: method.description
        default: String(describing: value)
        }
    }

    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return text.unicodeScalars.map(escape).joined()
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}"
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return isControl(scalar) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
    }
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
