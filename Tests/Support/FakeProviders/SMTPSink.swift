import CTestTLS
import Foundation
import Glibc
import Synchronization

/// A local mail server that accepts what the site sends and keeps it for tests to read: the
/// RFC 5321 subset libcurl's SMTP client speaks (EHLO/HELO, AUTH PLAIN and LOGIN, MAIL, RCPT,
/// DATA, RSET, NOOP, QUIT) on 127.0.0.1, in plain text, after STARTTLS (RFC 3207) or in TLS from
/// the first byte, with a certificate from a throwaway authority made at run time (`caFile`).
///
/// Each connection is served by its own thread with blocking sockets: mail tests open a handful
/// of connections, and a thread that simply blocks is the easiest way to stall or drop on cue.
public final class SMTPSink: Sendable {
    /// The port the sink listens on (chosen by the kernel).
    public let port: Int
    /// The PEM file of the authority that signed the sink's certificate, for `EMAIL_CA_FILE`
    /// (the same file for every sink in the process); nil for a sink without TLS.
    public let caFile: String?
    private let core: Core

    private init(port: Int, caFile: String?, core: Core) {
        self.port = port
        self.caFile = caFile
        self.core = core
    }

    deinit { core.stop() }

    /// Starts a sink on 127.0.0.1 at an ephemeral port. With a username or a password, clients
    /// must AUTH with exactly these (a missing half is the empty string) before MAIL. `tls` says
    /// whether the sink speaks plain text (the default), offers and demands STARTTLS, or speaks
    /// TLS from the first byte.
    public static func start(username: String? = nil, password: String? = nil, tls: TLS = .none) throws -> SMTPSink {
        // The authority first: a sink that cannot speak TLS should not be listening.
        let authority = try tls == .none ? nil : TestCertificateAuthority.shared.get()
        let listener = try listen()
        let credentials = (username == nil && password == nil) ? nil : Credentials(username: username ?? "", password: password ?? "")
        let core = Core(listener: listener.fd, credentials: credentials, tls: tls, serverContext: authority?.serverContext)
        // The accept thread holds the core, not the sink, so dropping the sink still stops it.
        Thread { core.acceptLoop() }.start()
        return SMTPSink(port: listener.port, caFile: authority?.caFile, core: core)
    }

    /// The PEM file of an authority that signed nothing a sink presents: as `EMAIL_CA_FILE`, a
    /// client that checks certificates must refuse every TLS sink.
    public static func unrelatedCAFile() throws -> String {
        try TestCertificateAuthority.unrelated.get().caFile
    }

    /// Closes the listener and every open connection; calling it again does nothing.
    public func stop() { core.stop() }

    /// The messages accepted so far, oldest first.
    public var messages: [ReceivedMail] { core.state.withLock { $0.messages } }

    /// How many connections the sink has accepted, including those a fault refused.
    public var connectionCount: Int { core.state.withLock { $0.connectionCount } }

    /// The verbs of the commands received so far on every connection, upper-cased, in order
    /// (not AUTH's responses nor DATA's body): to check that a client that gave up never got as
    /// far as AUTH, say.
    public var verbs: [String] { core.state.withLock { $0.verbs } }

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
    /// Whether the message came inside TLS (after STARTTLS, or on an implicit-TLS sink).
    public let overTLS: Bool

    /// A message as the sink would record it.
    public init(from: String, recipients: [String], data: String, overTLS: Bool = false) {
        self.from = from
        self.recipients = recipients
        self.data = data
        self.overTLS = overTLS
    }
}

extension SMTPSink {
    /// Whether and how a sink speaks TLS.
    public enum TLS: Sendable, Equatable {
        /// Plain text throughout, STARTTLS not offered: for `smtp://…?tls=none`.
        case none
        /// Plain text until STARTTLS, which EHLO offers and AUTH and MAIL wait for: for `smtp://`.
        case startTLS
        /// TLS from the first byte, before the greeting: for `smtps://`.
        case implicit
    }
}

/// How one connection to the sink misbehaves, so tests can exercise the site's retry logic.
/// Over TLS the faults act inside it: a refused connection never gets to the handshake, the
/// others happen after it (for STARTTLS, a stall comes right after the plain-text greeting).
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

/// Why the sink could not start: the system call that failed and its `errno`, or the OpenSSL
/// call that failed making the test certificate and OpenSSL's reason code.
public struct SMTPSinkError: Error, Equatable {
    /// The system or OpenSSL call that failed.
    public let call: String
    /// Its `errno`, or OpenSSL's reason code.
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
            var verbs: [String] = []
        }

        let listener: Int32
        let credentials: Credentials?
        let tls: TLS
        /// The shared SSL_CTX (nil without TLS): immutable, and OpenSSL lets threads SSL_new from
        /// one context at once.
        nonisolated(unsafe) let serverContext: OpaquePointer?
        let state = Mutex(State())

        init(listener: Int32, credentials: Credentials?, tls: TLS, serverContext: OpaquePointer?) {
            self.listener = listener
            self.credentials = credentials
            self.tls = tls
            self.serverContext = serverContext
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
            // OpenSSL writes with write(2), not send(2) with MSG_NOSIGNAL: a client gone
            // mid-handshake would raise SIGPIPE, and its default action ends the test process.
            // Blocked on this thread only, the signal stays pending here (and goes with the
            // thread) while the write fails with EPIPE, without touching the process's handlers.
            var pipe = sigset_t()
            sigemptyset(&pipe)
            sigaddset(&pipe, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipe, nil)

            var channel = LineChannel(fd: fd)
            // A deliberate drop ends TLS without close_notify, as a lost connection would.
            var abrupt = false
            defer { channel.endTLS(notify: !abrupt) }
            if tls == .implicit {
                guard let serverContext, channel.startTLS(serverContext) else { return }
            }
            guard channel.send("220 sink.test ESMTP") else { return }
            if fault == .stall {
                // Swallow whatever the client says; only stop() or the client's hang-up ends this.
                while channel.readLine() != nil {}
                return
            }
            var dialogue = SMTPDialogue(credentials: credentials, tls: tls, fault: fault)
            while let line = channel.readLine() {
                if dialogue.awaitsCommand {
                    let verb = SMTPDialogue.split(line).verb
                    state.withLock { $0.verbs.append(verb) }
                }
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
                case let .startTLS(text):
                    // A client that fails the handshake (or never starts it) is simply hung up on.
                    guard channel.send(text), let serverContext, channel.startTLS(serverContext) else { return }
                    dialogue.tlsStarted()
                case let .close(text):
                    _ = channel.send(text)
                    return
                case .drop:
                    abrupt = true
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

    /// Lines in and replies out over one blocking socket, in plain text or, once `startTLS` has
    /// succeeded, through an SSL* on it. Clients may end lines with a bare LF; replies always end
    /// with CRLF. Its owner calls `endTLS` before closing the socket.
    struct LineChannel {
        let fd: Int32
        private var buffer: [UInt8] = []
        private var start = 0
        /// The SSL* once the handshake has succeeded.
        private var tls: OpaquePointer?
        /// Set when TLS failed under a read or write; OpenSSL forbids SSL_shutdown after that.
        private var tlsBroken = false

        init(fd: Int32) { self.fd = fd }

        /// Runs the server side of the TLS handshake on the blocking socket; false if it failed
        /// (the client hung up, sent something else than a TLS hello, or refused the
        /// certificate), after which the caller hangs up.
        mutating func startTLS(_ context: OpaquePointer) -> Bool {
            // RFC 3207 section 6: whatever the client sent after STARTTLS in plain text, before the
            // handshake, was never protected and must not be taken as commands (CVE-2011-0411).
            buffer.removeAll()
            start = 0
            guard let ssl = SSL_new(context) else { return false }
            guard SSL_set_fd(ssl, fd) == 1, SSL_accept(ssl) == 1 else {
                SSL_free(ssl)
                ERR_clear_error()
                return false
            }
            tls = ssl
            return true
        }

        /// Frees the SSL*, first sending close_notify if `notify` and TLS is still sound. A
        /// blocking SSL_shutdown only writes that alert; it does not wait for the client's.
        mutating func endTLS(notify: Bool) {
            guard let ssl = tls else { return }
            if notify && !tlsBroken { _ = SSL_shutdown(ssl) }
            SSL_free(ssl)
            ERR_clear_error()
            tls = nil
        }

        /// Reads what is there into `chunk`: the byte count, or 0 once the peer hangs up, sends
        /// close_notify, or the socket is shut down.
        private mutating func receive(into chunk: inout [UInt8]) -> Int {
            while true {
                if let ssl = tls {
                    let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
                    if count > 0 { return Int(count) }
                    let error = SSL_get_error(ssl, count)
                    // Only if a renegotiation or a key update needs the other direction; with
                    // blocking sockets and AUTO_RETRY (the default) this is rare.
                    if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { continue }
                    if error != SSL_ERROR_ZERO_RETURN { tlsBroken = true }
                    ERR_clear_error()
                    return 0
                }
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0, errno == EINTR { continue }
                return max(count, 0)
            }
        }

        /// Writes all of `bytes`; false if the peer is gone.
        private mutating func transmit(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                if let ssl = tls {
                    let sent = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32($0.count - offset)) }
                    if sent > 0 {
                        offset += Int(sent)
                        continue
                    }
                    let error = SSL_get_error(ssl, sent)
                    if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { continue }
                    tlsBroken = true
                    ERR_clear_error()
                    return false
                }
                let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }

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
                let count = receive(into: &chunk)
                guard count > 0 else { return nil }
                buffer.append(contentsOf: chunk[..<count])
            }
        }

        /// Sends `text` (one or more lines joined by CRLF) plus the final CRLF; false if the peer is gone.
        mutating func send(_ text: String) -> Bool {
            transmit(Array((text + "\r\n").utf8))
        }
    }
}
