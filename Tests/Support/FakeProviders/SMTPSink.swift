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

/// One connection's side of the conversation, apart from the socket: a line in, what to do out.
/// The greeting and the connection-level faults (refuse, stall) belong to the caller.
struct SMTPDialogue {
    /// What the connection does after a line.
    enum Outcome: Equatable {
        /// Send this reply (several lines are joined by CRLF).
        case reply(String)
        /// Keep the message and acknowledge it with its queue number.
        case deliver(ReceivedMail)
        /// Send this reply, then hang up.
        case close(String)
        /// Hang up without a word.
        case drop
        /// Nothing to send: a line of the DATA body.
        case silent
    }

    private enum Mode: Equatable {
        case commands, body, authPlain, authLoginUser
        case authLoginPassword(username: String)
    }

    static let outOfOrder = Outcome.reply("503 5.5.1 Bad sequence of commands")

    let credentials: SMTPSink.Credentials?
    let fault: SMTPFault?
    private var mode = Mode.commands
    private var greeted = false
    private var authenticated = false
    private var sender: String?
    private var recipients: [String] = []
    private var body = ""

    init(credentials: SMTPSink.Credentials?, fault: SMTPFault?) {
        self.credentials = credentials
        self.fault = fault
    }

    /// Takes one line from the client, without its line ending.
    mutating func receive(_ line: String) -> Outcome {
        switch mode {
        case .commands: return command(line)
        case .body: return bodyLine(line)
        case .authPlain: return checkPlain(line)
        case .authLoginUser:
            guard let username = Self.decode(line) else { return authAborted(line) }
            mode = .authLoginPassword(username: username)
            return .reply("334 UGFzc3dvcmQ6")
        case let .authLoginPassword(username):
            guard let password = Self.decode(line) else { return authAborted(line) }
            return verdict(SMTPSink.Credentials(username: username, password: password))
        }
    }

    private mutating func command(_ line: String) -> Outcome {
        let (verb, argument) = Self.split(line)
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { return .reply("501 5.5.4 Syntax: \(verb) hostname") }
            // A new greeting abandons any transaction, as RSET would.
            greeted = true
            resetTransaction()
            guard verb == "EHLO" else { return .reply("250 sink.test") }
            let auth = credentials == nil ? [] : ["250-AUTH PLAIN LOGIN"]
            return .reply((["250-sink.test"] + auth + ["250-8BITMIME", "250 SIZE 10485760"]).joined(separator: "\r\n"))
        case "AUTH": return auth(argument)
        case "MAIL": return mail(argument)
        case "RCPT":
            guard sender != nil else { return Self.outOfOrder }
            guard let address = Self.path(argument, after: "TO:"), !address.isEmpty else {
                return .reply("501 5.5.4 Syntax: RCPT TO:<address>")
            }
            recipients.append(address)
            return .reply("250 2.1.5 Recipient OK")
        case "DATA":
            guard sender != nil, !recipients.isEmpty else { return Self.outOfOrder }
            mode = .body
            return .reply("354 End data with <CR><LF>.<CR><LF>")
        case "RSET":
            resetTransaction()
            return .reply("250 2.0.0 OK")
        case "NOOP": return .reply("250 2.0.0 OK")
        case "QUIT": return .close("221 2.0.0 sink.test closing connection")
        default: return .reply("500 5.5.2 Command not recognized")
        }
    }

    private mutating func auth(_ argument: String) -> Outcome {
        // RFC 4954: AUTH is for before a transaction, once per session.
        guard credentials != nil else { return .reply("502 5.5.1 AUTH not available") }
        guard greeted, sender == nil, !authenticated else { return Self.outOfOrder }
        let (mechanism, initial) = Self.split(argument)
        // An initial response (RFC 4954) is taken as the answer to the first challenge.
        switch mechanism {
        case "PLAIN":
            mode = .authPlain
            return initial.isEmpty ? .reply("334 ") : receive(initial)
        case "LOGIN":
            mode = .authLoginUser
            return initial.isEmpty ? .reply("334 VXNlcm5hbWU6") : receive(initial)
        default:
            return .reply("504 5.5.4 Unrecognized authentication type")
        }
    }

    /// PLAIN's response is `authzid NUL authcid NUL password`; the authorization identity is ignored.
    private mutating func checkPlain(_ response: String) -> Outcome {
        guard let decoded = Self.decode(response) else { return authAborted(response) }
        let parts = decoded.split(separator: "\0", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return verdict(nil) }
        return verdict(SMTPSink.Credentials(username: String(parts[1]), password: String(parts[2])))
    }

    private mutating func verdict(_ offered: SMTPSink.Credentials?) -> Outcome {
        mode = .commands
        guard offered != nil, offered == credentials else { return .reply("535 5.7.8 Authentication credentials invalid") }
        authenticated = true
        return .reply("235 2.7.0 Authentication successful")
    }

    /// A client answers a challenge with "*" to give up, or with something that is not base64.
    private mutating func authAborted(_ line: String) -> Outcome {
        mode = .commands
        return .reply(line == "*" ? "501 5.7.0 Authentication cancelled" : "501 5.5.2 Cannot decode response")
    }

    private mutating func mail(_ argument: String) -> Outcome {
        guard greeted, sender == nil else { return Self.outOfOrder }
        if credentials != nil, !authenticated { return .reply("530 5.7.0 Authentication required") }
        // Parameters after the path (SIZE=, BODY=8BITMIME) are accepted and ignored.
        guard let address = Self.path(argument, after: "FROM:") else { return .reply("501 5.5.4 Syntax: MAIL FROM:<address>") }
        if case let .rejectMail(code) = fault { return .reply("\(code) Sender rejected (injected fault)") }
        sender = address
        recipients = []
        return .reply("250 2.1.0 Sender OK")
    }

    private mutating func bodyLine(_ line: String) -> Outcome {
        if fault == .dropMidMessage { return .drop }
        guard line == "." else {
            // RFC 5321 4.5.2: the client doubled any leading "."; take one off.
            body += (line.hasPrefix(".") ? String(line.dropFirst()) : line) + "\r\n"
            return .silent
        }
        let mail = ReceivedMail(from: sender ?? "", recipients: recipients, data: body)
        mode = .commands
        resetTransaction()
        if case let .rejectData(code) = fault { return .reply("\(code) Message rejected (injected fault)") }
        return .deliver(mail)
    }

    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        body = ""
    }

    /// `line` split at its first space: the verb in upper case, and the rest.
    static func split(_ line: String) -> (verb: String, argument: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed.uppercased(), "") }
        return (trimmed[..<space].uppercased(), trimmed[space...].trimmingCharacters(in: .whitespaces))
    }

    /// The address in `FROM:<address> params` or `TO:<address>`; a space after the colon is tolerated.
    static func path(_ argument: String, after keyword: String) -> String? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).drop { $0 == " " }
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    /// Base64 as SASL sends it; "=" alone is the empty response (RFC 4954).
    static func decode(_ text: String) -> String? {
        if text == "=" { return "" }
        return Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }
}
