import Foundation
import Glibc
import Synchronization

/// A local mail server that accepts what the site sends and keeps it for tests to read: the
/// RFC 5321 subset libcurl's SMTP client speaks (EHLO/HELO, AUTH PLAIN and LOGIN, MAIL, RCPT,
/// DATA, RSET, NOOP, QUIT), in plain text on 127.0.0.1. No STARTTLS.
///
/// Each connection is served by its own thread with blocking sockets: mail tests open a handful
/// of connections, and a thread that simply blocks is the easiest way to stall or drop on cue.
public final class SMTPSink: Sendable {
    /// The port the sink listens on (chosen by the kernel).
    public let port: Int
    private let core: Core

    private init(port: Int, core: Core) {
        self.port = port
        self.core = core
    }

    deinit { core.stop() }

    /// Starts a sink on 127.0.0.1 at an ephemeral port. With a username or a password, clients
    /// must AUTH with exactly these (a missing half is the empty string) before MAIL.
    public static func start(username: String? = nil, password: String? = nil) throws -> SMTPSink {
        let listener = try listen()
        let credentials = (username == nil && password == nil) ? nil : Credentials(username: username ?? "", password: password ?? "")
        let core = Core(listener: listener.fd, credentials: credentials)
        // The accept thread holds the core, not the sink, so dropping the sink still stops it.
        Thread { core.acceptLoop() }.start()
        return SMTPSink(port: listener.port, core: core)
    }

    /// Closes the listener and every open connection; calling it again does nothing.
    public func stop() { core.stop() }

    /// The messages accepted so far, oldest first.
    public var messages: [ReceivedMail] { core.state.withLock { $0.messages } }

    /// How many connections the sink has accepted, including those a fault refused.
    public var connectionCount: Int { core.state.withLock { $0.connectionCount } }

    /// Makes each of the next `times` connections misbehave as `fault` says; faults queue up
    /// behind those already injected, one per connection.
    public func inject(_ fault: SMTPFault, times: Int = 1) {
        core.state.withLock { $0.faults.append(contentsOf: repeatElement(fault, count: max(times, 0))) }
    }

    /// The messages once at least `count` have arrived, or whatever arrived before `timeout`
    /// seconds passed. It blocks the calling thread while it polls.
    public func waitForMessages(count: Int, timeout: Double = 5) -> [ReceivedMail] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let received = messages
            if received.count >= count || Date() >= deadline { return received }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

/// One message the sink accepted.
public struct ReceivedMail: Sendable, Equatable {
    /// The MAIL FROM address, without angle brackets (empty for the null sender `<>`).
    public let from: String
    /// The RCPT TO addresses, in the order given.
    public let recipients: [String]
    /// The message after dot-unstuffing, every line ending in CRLF, without the final ".".
    public let data: String

    /// A message as the sink would record it.
    public init(from: String, recipients: [String], data: String) {
        self.from = from
        self.recipients = recipients
        self.data = data
    }
}

/// How one connection to the sink misbehaves, so tests can exercise the site's retry logic.
public enum SMTPFault: Sendable, Equatable {
    /// Accept the connection, then close it at once without a greeting.
    case refuseConnection
    /// Answer MAIL FROM with `code`.
    case rejectMail(code: Int)
    /// Answer the end of the DATA body with `code`; the message is not kept.
    case rejectData(code: Int)
    /// Greet, then never answer again; the socket stays open until `stop()`.
    case stall
    /// Close the connection while the DATA body arrives, before any reply.
    case dropMidMessage
}

/// Why the sink could not start: the system call that failed and its `errno`.
public struct SMTPSinkError: Error, Equatable {
    /// The system call that failed.
    public let call: String
    /// Its `errno`.
    public let code: Int32
}

extension SMTPSink {
    /// The username and password a sink demands.
    struct Credentials: Sendable, Equatable {
        let username: String
        let password: String
    }

    /// What the sink's threads share: the listener, the open connections, faults and messages.
    final class Core: Sendable {
        struct State {
            var stopped = false
            var listenerOpen = true
            var connections: Set<Int32> = []
            var faults: [SMTPFault] = []
            var messages: [ReceivedMail] = []
            var connectionCount = 0
        }

        let listener: Int32
        let credentials: Credentials?
        let state = Mutex(State())

        init(listener: Int32, credentials: Credentials?) {
            self.listener = listener
            self.credentials = credentials
        }

        /// Shuts sockets down rather than closing them: shutdown wakes the thread blocked on a
        /// socket, and that thread closes it, so a descriptor is never closed while in use or
        /// reused under someone's feet.
        func stop() {
            state.withLock { state in
                guard !state.stopped else { return }
                state.stopped = true
                if state.listenerOpen { shutdown(listener, Int32(SHUT_RDWR)) }
                for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }

        func acceptLoop() {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    break
                }
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                // The fault is taken here, in accept order, so the queue maps onto connections in turn.
                let admitted: (serve: Bool, fault: SMTPFault?) = state.withLock { state in
                    guard !state.stopped else { return (false, nil) }
                    state.connectionCount += 1
                    let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
                    guard fault != .refuseConnection else { return (false, fault) }
                    state.connections.insert(fd)
                    return (true, fault)
                }
                let fault = admitted.fault
                guard admitted.serve else {
                    close(fd)
                    continue
                }
                Thread { self.serve(fd, fault: fault) }.start()
            }
            state.withLock { state in
                state.listenerOpen = false
                close(listener)
            }
        }

        private func serve(_ fd: Int32, fault: SMTPFault?) {
            defer {
                state.withLock { state in
                    state.connections.remove(fd)
                    close(fd)
                }
            }
            var channel = LineChannel(fd: fd)
            guard channel.send("220 sink.test ESMTP") else { return }
            if fault == .stall {
                // Swallow whatever the client says; only stop() or the client's hang-up ends this.
                while channel.readLine() != nil {}
                return
            }
            var dialogue = SMTPDialogue(credentials: credentials, fault: fault)
            while let line = channel.readLine() {
                switch dialogue.receive(line) {
                case .silent:
                    continue
                case let .reply(text):
                    guard channel.send(text) else { return }
                case let .deliver(mail):
                    // Recorded before the reply, so a client that saw 250 always finds its message.
                    let number = state.withLock { state in
                        state.messages.append(mail)
                        return state.messages.count
                    }
                    guard channel.send("250 2.0.0 queued as \(number)") else { return }
                case let .close(text):
                    _ = channel.send(text)
                    return
                case .drop:
                    return
                }
            }
        }
    }

    /// A socket listening on 127.0.0.1 at a port the kernel picks, and that port.
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SMTPSinkError(call: "socket", code: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let failure: String? = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                if bind(fd, raw, length) != 0 { return "bind" }
                if Glibc.listen(fd, 64) != 0 { return "listen" }
                if getsockname(fd, raw, &length) != 0 { return "getsockname" }
                return nil
            }
        }
        if let failure {
            let code = errno
            close(fd)
            throw SMTPSinkError(call: failure, code: code)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Lines in and replies out over one blocking socket. Clients may end lines with a bare LF;
    /// replies always end with CRLF.
    struct LineChannel {
        let fd: Int32
        private var buffer: [UInt8] = []
        private var start = 0

        init(fd: Int32) { self.fd = fd }

        /// The next line without its line ending; nil once the peer hangs up or the socket is shut down.
        mutating func readLine() -> String? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    var end = newline
                    if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    let line = String(decoding: buffer[start..<end], as: UTF8.self)
                    start = newline + 1
                    return line
                }
                // Compact only when reading more, so a long DATA body is not copied once per line.
                buffer.removeFirst(start)
                start = 0
                var chunk = [UInt8](repeating: 0, count: 16_384)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    buffer.append(contentsOf: chunk[..<count])
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    return nil
                }
            }
        }

        /// Sends `text` (one or more lines joined by CRLF) plus the final CRLF; false if the peer is gone.
        func send(_ text: String) -> Bool {
            let bytes = Array((text + "\r\n").utf8)
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }
    }
}
