import Foundation
import Glibc

/// One file of `Tests/WebTests/Corpus` (written by scripts/lib/make_corpus.py) and what the server
/// owes it, read from the markers in its name.
struct CorpusCase: Sendable, CustomStringConvertible {
    /// The file name without `.http`.
    let name: String
    /// The exact bytes a client sends on one connection.
    let bytes: [UInt8]
    /// Valid requests at the front of the file, each owed a 200 (`validN-` or `okN-`).
    let validRequests: Int
    /// Whether the rest earns an error status (false for `okN-` files, which end by asking for
    /// the close).
    let expectsError: Bool
    /// Send in pieces of this many bytes (`splitK`), or all at once when nil.
    let pieceSize: Int?

    var description: String { name }

    /// Every corpus file, in name order.
    static func all() -> [CorpusCase] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Corpus")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".http") }.sorted().compactMap { file in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                return nil
            }
            return CorpusCase(name: String(file.dropLast(5)), bytes: [UInt8](data))
        }
    }

    init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        let parts = name.split(separator: "-")
        var valid = 0
        var error = true
        var piece: Int?
        for part in parts {
            if part.hasPrefix("valid"), let count = Int(part.dropFirst(5)) { valid = count }
            if part.hasPrefix("ok"), let count = Int(part.dropFirst(2)) { valid = count; error = false }
            if part.hasPrefix("split"), let size = Int(part.dropFirst(5)) { piece = size }
        }
        validRequests = valid
        expectsError = error
        pieceSize = piece
    }
}

/// What one replay saw: the responses in order, and how the connection ended.
struct ReplayOutcome: Sendable {
    /// How reading stopped.
    enum Ending: Sendable, Equatable { case closed, reset, timedOut }

    /// Final responses (1xx interim responses are left out) as status and body.
    var responses: [(status: Int, body: String)]
    /// Bytes after the last complete response that do not form one.
    var leftover: Int
    var ending: Ending
}

/// Sends a corpus file over a fresh blocking socket and reads everything until the server closes
/// or `timeout` seconds pass without data. Blocking: call it off the cooperative pool.
enum CorpusReplay {
    /// Why the replay could not even start.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ corpusCase: CorpusCase, port: Int, timeout: Double = 5) throws -> ReplayOutcome {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        let piece = corpusCase.pieceSize ?? corpusCase.bytes.count
        var offset = 0
        while offset < corpusCase.bytes.count {
            let end = min(offset + piece, corpusCase.bytes.count)
            // The server may answer and close before everything is sent: that is allowed, and
            // the rest of the file is simply never delivered.
            guard sendAll(fd, Array(corpusCase.bytes[offset..<end])) else { break }
            offset = end
            if end < corpusCase.bytes.count && corpusCase.pieceSize != nil { usleep(1_000) }
        }
        let (received, ending) = readUntilEnd(fd)
        let (responses, leftover) = parseResponses(received)
        return ReplayOutcome(responses: responses, leftover: leftover, ending: ending)
    }

    private static func connect(port: Int, timeout: Double) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "connect failed: \(String(cString: strerror(errno)))")
        }
        // Each piece of a split request leaves as its own segment.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func readUntilEnd(_ fd: Int32) -> ([UInt8], ReplayOutcome.Ending) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return (received, .closed)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return (received, .timedOut)
            } else {
                return (received, .reset)
            }
        }
    }

    /// Splits a byte stream into responses framed by `Content-Length` (the server always sends
    /// it for statuses that carry a body); returns them and how many trailing bytes were left.
    static func parseResponses(_ bytes: [UInt8]) -> ([(status: Int, body: String)], Int) {
        var responses: [(status: Int, body: String)] = []
        var start = 0
        while let headEnd = find([13, 10, 13, 10], in: bytes, from: start) {
            let head = String(decoding: bytes[start..<headEnd], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let parts = lines[0].split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else { break }
            var length = 0
            for line in lines.dropFirst() {
                let field = line.split(separator: ":", maxSplits: 1)
                if field.count == 2, field[0].lowercased() == "content-length" {
                    length = Int(field[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            let bodyStart = headEnd + 4
            guard bodyStart + length <= bytes.count else { break }
            if status >= 200 {
                responses.append((status, String(decoding: bytes[bodyStart..<(bodyStart + length)], as: UTF8.self)))
            }
            start = bodyStart + length
        }
        return (responses, bytes.count - start)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count - start >= needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if Array(bytes[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }
}
