import Foundation
import Glibc
import Web

/// A real server on 127.0.0.1, port 0, for tests that need sockets; stop it when done.
public struct LiveServer: Sendable {
    /// The running server.
    public let server: Server
    /// The port it listens on.
    public var port: Int { server.port }
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `application` with test-friendly defaults (no signal handlers); `configure`
    /// adjusts limits and timeouts.
    public static func start(_ application: Application, configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> LiveServer {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2, handlesSignals: false)
        configure(&configuration)
        let server = Server(configuration: configuration, application: application)
        try server.start()
        return LiveServer(server: server)
    }

    /// Drains and waits for the server to stop.
    public func stop() async {
        server.shutdown()
        await server.waitUntilStopped()
    }

    /// A new raw TCP connection to the server.
    public func connect() throws -> RawConnection { try RawConnection(port: port) }
}

/// A blocking TCP client that sends exact bytes and reads exact responses, for protocol tests
/// (pipelining, malformed requests, timeouts).
public final class RawConnection: @unchecked Sendable {
    /// Why a raw connection failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; reads time out after `timeout` seconds.
    public init(port: Int, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect failed: \(String(cString: strerror(errno)))")
        }
        setTimeout(timeout)
    }

    deinit { Glibc.close(fd) }

    /// Changes how long a read waits for data.
    public func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `text` as UTF-8 bytes.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed") }
            offset += n
        }
    }

    /// Half-closes the write side, as a client that is done sending.
    public func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one response (status line, headers, and a body framed by Content-Length); nil if
    /// the server closed the connection or the read timed out first. `head` skips the body.
    public func readResponse(head: Bool = false) -> RawResponse? {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
                var headers = HTTPHeaders()
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = (head || status < 200 || status == 204 || status == 304) ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length { if !fill() { return nil } }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return RawResponse(status: status, headers: headers, body: body)
            }
            if !fill() { return nil }
        }
    }

    /// Whether the server has closed the connection (reads return EOF) within the timeout.
    public func isClosedByPeer() -> Bool {
        while true {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffer.append(byte)
        }
    }

    /// Everything the server sends until it closes or the read times out.
    public func readAll() -> [UInt8] {
        while fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// A response read off a raw connection.
public struct RawResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
