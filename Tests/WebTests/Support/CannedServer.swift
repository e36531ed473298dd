import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request as `CannedServer` read it off the socket.
struct CannedRequest: Sendable {
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]
}

/// What `CannedServer` does with one connection once it has read the request.
enum CannedReply: Sendable {
    /// Writes these bytes, then closes.
    case bytes([UInt8])
    /// Sleeps, then writes these bytes and closes.
    case delayed(seconds: Double, [UInt8])
    /// Closes without writing a byte.
    case close

    /// A complete HTTP/1.1 response with `Content-Length` (unless `lengthKnown` is false, when the
    /// body simply runs until the connection closes).
    static func response(
        status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: [UInt8] = [],
        lengthKnown: Bool = true
    ) -> CannedReply {
        .bytes(responseBytes(status: status, reason: reason, headers: headers, body: body, lengthKnown: lengthKnown))
    }

    static func responseBytes(
        status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: [UInt8] = [],
        lengthKnown: Bool = true
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason)\r\nConnection: close\r\n"
        if lengthKnown { head += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// A 200 whose JSON body describes `request`; decode it as `EchoedRequest`.
    static func echo(_ request: CannedRequest) -> CannedReply {
        let echoed = EchoedRequest(
            method: request.method, path: request.target,
            headers: request.headers.map { [$0.0, $0.1] },
            body: String(decoding: request.body, as: UTF8.self))
        let json = (try? JSONEncoder().encode(echoed)).map { Array($0) } ?? []
        return response(headers: [("Content-Type", "application/json")], body: json)
    }
}

/// The JSON an echo reply carries.
struct EchoedRequest: Codable, Sendable {
    var method: String
    var path: String
    var headers: [[String]]
    var body: String

    /// Every value of header `name`, compared case-insensitively.
    func values(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for live client tests: it reads
/// one request per connection (head up to CRLFCRLF, then `Content-Length` bytes of body), asks
/// `respond` what to do, does it, and closes. One thread per connection.
final class CannedServer: @unchecked Sendable {
    /// Why the server could not start.
    struct StartFailed: Error { var call: String; var errno: Int32 }

    let port: Int
    private let listener: Int32
    private let respond: @Sendable (CannedRequest) -> CannedReply
    private let lock = NSLock()
    private var served = 0
    /// Set (under `lock`) once the accept thread closed `listener`: its number may belong to
    /// another test's socket from then on, so `stop()` must not touch it.
    private var listenerClosed = false
    private var stopping = false

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Requests read so far (connections that sent something unparseable are not counted).
    var requestCount: Int { lock.withLock { served } }

    init(_ respond: @escaping @Sendable (CannedRequest) -> CannedReply) throws {
        let (fd, port) = try Self.bindLoopback()
        guard listen(fd, 128) == 0 else {
            close(fd)
            throw StartFailed(call: "listen", errno: errno)
        }
        self.listener = fd
        self.port = port
        self.respond = respond
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "canned-server"
        thread.start()
    }

    /// Stops accepting; connections already being served finish on their own.
    func stop() {
        // shutdown, not close, wakes the thread blocked in accept(); that thread then closes.
        lock.withLock {
            stopping = true
            if !listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
        }
    }

    /// A socket bound to 127.0.0.1 on an ephemeral port and deliberately not listening, so a
    /// connection to `port` is refused for as long as `fd` stays open.
    static func refusingPort() throws -> (fd: Int32, port: Int) {
        try bindLoopback()
    }

    private static func bindLoopback() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartFailed(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw StartFailed(call: "bind", errno: errno)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                let failure = errno
                if lock.withLock({ stopping }) { break }
                // A client that gave up before we accepted (ECONNABORTED), or a moment without
                // file descriptors under load, is no reason to stop serving: only stop() is.
                if failure == EINTR || failure == ECONNABORTED { continue }
                if failure == EMFILE || failure == ENFILE || failure == ENOBUFS || failure == ENOMEM {
                    usleep(10_000)
                    continue
                }
                break
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
        lock.withLock {
            close(listener)
            listenerClosed = true
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(connection) else {
            // Not HTTP (a TLS ClientHello, say): answer in plain text so the client notices at once.
            write(connection, CannedReply.responseBytes(status: 400, reason: "Bad Request"))
            return
        }
        lock.withLock { served += 1 }
        switch respond(request) {
        case .bytes(let bytes):
            write(connection, bytes)
        case .delayed(let seconds, let bytes):
            Thread.sleep(forTimeInterval: seconds)
            write(connection, bytes)
        case .close:
            return
        }
        shutdown(connection, Int32(SHUT_WR))
    }

    private func readRequest(_ connection: Int32) -> CannedRequest? {
        var buffer: [UInt8] = []
        let terminator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard let chunk = receive(connection) else { return nil }
            buffer += chunk
            guard let first = buffer.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return nil }
            headEnd = buffer.firstRange(of: terminator)?.upperBound
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<(headEnd - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((String(line[..<colon]), value))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        var body = Array(buffer[headEnd...])
        while body.count < length {
            guard let chunk = receive(connection) else { return nil }
            body += chunk
        }
        return CannedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ connection: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(chunk[..<count])
    }

    /// Writes until done or the peer goes away; MSG_NOSIGNAL because a client that aborted (too
    /// large, timed out) must not kill the test process with SIGPIPE.
    private func write(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }
}
