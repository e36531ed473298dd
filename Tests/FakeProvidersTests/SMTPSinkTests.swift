import FakeProviders
import Foundation
import Glibc
import Testing
import Web

@Suite struct SMTPSinkTests {
    static let curlPath = "/usr/bin/curl"

    /// A client connected to `sink` that has read its greeting.
    private static func connected(_ sink: SMTPSink) async throws -> MailClient {
        let client = try await MailClient.connect(port: sink.port)
        #expect(try await client.reply().lines == ["220 sink.test ESMTP"])
        return client
    }

    /// `AUTH PLAIN`'s response for `username` / `password`.
    private static func plain(_ username: String, _ password: String) -> String {
        Data("\0\(username)\0\(password)".utf8).base64EncodedString()
    }

    /// Greets, signs in and opens a transaction from a@example.com to b@example.com, up to DATA's 354.
    private static func startMessage(_ client: MailClient) async throws {
        #expect(try await client.command("EHLO client.test").code == 250)
        #expect(try await client.command("AUTH PLAIN " + plain("u", "p")).code == 235)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 250)
        #expect(try await client.command("RCPT TO:<b@example.com>").code == 250)
        #expect(try await client.command("DATA").code == 354)
    }

    @Test func acceptsAMessageAfterAuthPlainAndUndoesDotStuffing() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        defer { sink.stop() }
        let client = try await Self.connected(sink)
        let ehlo = try await client.command("EHLO client.test")
        #expect(ehlo.lines == ["250-sink.test", "250-AUTH PLAIN LOGIN", "250-8BITMIME", "250 SIZE 10485760"])
        #expect(try await client.command("AUTH PLAIN " + Self.plain("u", "p")).code == 235)
        #expect(try await client.command("MAIL FROM:<a@example.com> SIZE=64 BODY=8BITMIME").code == 250)
        #expect(try await client.command("RCPT TO:<b@example.com>").code == 250)
        #expect(try await client.command("RCPT TO:<c@example.com>").code == 250)
        #expect(try await client.command("DATA").code == 354)
        let queued = try await client.command("Subject: hi\r\n\r\n..leading dot\r\n...two dots\r\nplain\r\n.")
        #expect(queued.lines == ["250 2.0.0 queued as 1"])
        #expect(try await client.command("QUIT").code == 221)
        #expect(try await client.isClosed())
        #expect(sink.messages == [ReceivedMail(from: "a@example.com", recipients: ["b@example.com", "c@example.com"],
                                               data: "Subject: hi\r\n\r\n.leading dot\r\n..two dots\r\nplain\r\n")])
    }

    @Test func authLoginPromptsForUsernameThenPassword() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        let client = try await Self.connected(sink)
        #expect(try await client.command("EHLO client.test").code == 250)
        #expect(try await client.command("AUTH LOGIN").lines == ["334 VXNlcm5hbWU6"])
        #expect(try await client.command(Data("u".utf8).base64EncodedString()).lines == ["334 UGFzc3dvcmQ6"])
        #expect(try await client.command(Data("p".utf8).base64EncodedString()).code == 235)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 250)
        sink.stop()
    }

    @Test func wrongPasswordGets535AndMailBeforeAuthGets530() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        let client = try await Self.connected(sink)
        #expect(try await client.command("EHLO client.test").code == 250)
        #expect(try await client.command("MAIL FROM:<a@example.com>").lines == ["530 5.7.0 Authentication required"])
        #expect(try await client.command("AUTH PLAIN " + Self.plain("u", "wrong")).code == 535)
        // Without an initial response, PLAIN asks for it with an empty challenge.
        #expect(try await client.command("AUTH PLAIN").lines == ["334 "])
        #expect(try await client.command(Self.plain("someone", "p")).code == 535)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 530)
        #expect(try await client.command("AUTH PLAIN").code == 334)
        #expect(try await client.command(Self.plain("u", "p")).code == 235)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 250)
        sink.stop()
    }

    @Test func withoutCredentialsAuthIsNeitherAdvertisedNorNeeded() async throws {
        let sink = try SMTPSink.start()
        let client = try await Self.connected(sink)
        #expect(try await client.command("EHLO client.test").lines == ["250-sink.test", "250-8BITMIME", "250 SIZE 10485760"])
        #expect(try await client.command("MAIL FROM:<>").code == 250)
        #expect(try await client.command("RCPT TO:<b@example.com>").code == 250)
        #expect(try await client.command("DATA").code == 354)
        #expect(try await client.command("hello\r\n.").code == 250)
        #expect(sink.messages == [ReceivedMail(from: "", recipients: ["b@example.com"], data: "hello\r\n")])
        sink.stop()
    }

    @Test func commandsOutOfOrderGet503AndUnknownOnesGet500() async throws {
        let sink = try SMTPSink.start()
        let client = try await Self.connected(sink)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 503)
        #expect(try await client.command("HELO client.test").lines == ["250 sink.test"])
        #expect(try await client.command("RCPT TO:<b@example.com>").code == 503)
        #expect(try await client.command("DATA").code == 503)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 250)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 503)
        #expect(try await client.command("DATA").code == 503)
        #expect(try await client.command("RSET").code == 250)
        #expect(try await client.command("RCPT TO:<b@example.com>").code == 503)
        #expect(try await client.command("NOOP").code == 250)
        #expect(try await client.command("VRFY someone").code == 500)
        #expect(try await client.command("MAIL TO:<a@example.com>").code == 501)
        sink.stop()
    }

    @Test func acceptsBareLineFeedsButRepliesWithCRLF() async throws {
        let sink = try SMTPSink.start()
        let client = try await Self.connected(sink)
        // MailClient.reply() throws unless every reply line ends in CRLF.
        try await client.send("EHLO client.test\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n")
        #expect(try await client.reply().code == 250)
        #expect(try await client.reply().code == 250)
        #expect(try await client.reply().code == 250)
        #expect(try await client.reply().code == 354)
        #expect(try await client.command("line one\nline two\n.", ending: "\n").code == 250)
        #expect(sink.messages.first?.data == "line one\r\nline two\r\n")
        sink.stop()
    }

    @Test func rejectMailFaultAnswersMailFromWithItsCode() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        sink.inject(.rejectMail(code: 451))
        let client = try await Self.connected(sink)
        #expect(try await client.command("EHLO client.test").code == 250)
        #expect(try await client.command("AUTH PLAIN " + Self.plain("u", "p")).code == 235)
        #expect(try await client.command("MAIL FROM:<a@example.com>").code == 451)
        sink.stop()
    }

    @Test func rejectDataFaultAnswersTheBodyWithItsCodeAndKeepsNothing() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        sink.inject(.rejectData(code: 554))
        let client = try await Self.connected(sink)
        try await Self.startMessage(client)
        #expect(try await client.command("Subject: no\r\n\r\nbody\r\n.").code == 554)
        #expect(try await client.command("QUIT").code == 221)
        #expect(sink.messages.isEmpty)
        sink.stop()
    }

    @Test func dropMidMessageClosesWithoutReplying() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        sink.inject(.dropMidMessage)
        let client = try await Self.connected(sink)
        try await Self.startMessage(client)
        try await client.send("Subject: cut\r\n\r\nbody\r\n.\r\n")
        await #expect(throws: MailClient.Failure.closed) { try await client.reply() }
        #expect(sink.messages.isEmpty)
        sink.stop()
    }

    @Test func refuseConnectionClosesBeforeTheGreeting() async throws {
        let sink = try SMTPSink.start()
        sink.inject(.refuseConnection)
        let client = try await MailClient.connect(port: sink.port)
        await #expect(throws: MailClient.Failure.closed) { try await client.reply() }
        #expect(sink.connectionCount == 1)
        sink.stop()
    }

    @Test func stallGreetsThenSaysNothingUntilStopped() async throws {
        let sink = try SMTPSink.start()
        sink.inject(.stall)
        let client = try await Self.connected(sink)
        // Short reads from here on: the point is that no reply ever comes.
        client.setTimeout(0.3)
        await #expect(throws: MailClient.Failure.timedOut) { try await client.command("EHLO client.test") }
        await #expect(throws: MailClient.Failure.timedOut) { try await client.command("NOOP") }
        sink.stop()
        await #expect(throws: MailClient.Failure.closed) { try await client.reply() }
    }

    @Test func faultsLastTheirTimesThenTheSinkRecovers() async throws {
        let sink = try SMTPSink.start()
        sink.inject(.rejectMail(code: 421), times: 2)
        sink.inject(.refuseConnection)
        var codes: [Int] = []
        for _ in 0..<2 {
            let client = try await Self.connected(sink)
            #expect(try await client.command("HELO client.test").code == 250)
            codes.append(try await client.command("MAIL FROM:<a@example.com>").code)
        }
        let refused = try await MailClient.connect(port: sink.port)
        await #expect(throws: MailClient.Failure.closed) { try await refused.reply() }
        let client = try await Self.connected(sink)
        #expect(try await client.command("HELO client.test").code == 250)
        codes.append(try await client.command("MAIL FROM:<a@example.com>").code)
        #expect(codes == [421, 421, 250])
        #expect(sink.connectionCount == 4)
        sink.stop()
    }

    @Test func aStartTLSSinkOffersTLSAndWantsItBeforeAuthOrMail() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p", tls: .startTLS)
        defer { sink.stop() }
        #expect(sink.caFile.map { FileManager.default.fileExists(atPath: $0) } == true)
        let client = try await Self.connected(sink)
        #expect(try await client.command("EHLO client.test").lines == ["250-sink.test", "250-STARTTLS", "250-8BITMIME", "250 SIZE 10485760"])
        #expect(try await client.command("AUTH PLAIN " + Self.plain("u", "p")).lines == ["530 5.7.0 Must issue a STARTTLS command first"])
        #expect(try await client.command("MAIL FROM:<a@example.com>").lines == ["530 5.7.0 Must issue a STARTTLS command first"])
        #expect(try await client.command("STARTTLS").lines == ["220 2.0.0 Ready to start TLS"])
        // Plain text where a TLS hello belongs: the sink hangs up (after a TLS alert, perhaps).
        try await client.send("EHLO client.test\r\n")
        #expect(try await client.readsToTheEnd())
        #expect(sink.verbs == ["EHLO", "AUTH", "MAIL", "STARTTLS"])
        #expect(sink.messages.isEmpty)
    }

    @Test(arguments: [SMTPSink.TLS.startTLS, .implicit])
    func clientsThatAbandonTheHandshakeLeaveTheSinkServing(tls: SMTPSink.TLS) async throws {
        let sink = try SMTPSink.start(username: "u", password: "p", tls: tls)
        defer { sink.stop() }
        // Where the handshake should begin, one client hangs up, one sends the start of a TLS
        // record (a handshake, 16 bytes long) and hangs up after 3 of them, and one sends text:
        // that one the sink hangs up on.
        for (bytes, walksAway) in [("", true), ("\u{16}\u{3}\u{1}\u{0}\u{10}abc", true), ("garbage\r\n", false)] {
            let client = try await MailClient.connect(port: sink.port)
            if tls == .startTLS {
                #expect(try await client.reply().code == 220)
                #expect(try await client.command("STARTTLS").code == 220)
            }
            try await client.send(bytes)
            if walksAway {
                client.hangUp()
            } else {
                #expect(try await client.readsToTheEnd())
            }
        }
        let scheme = tls == .implicit ? "smtps" : "smtp"
        let transport = CurlSMTPTransport(server: try SMTPServer(url: "\(scheme)://u:p@127.0.0.1:\(sink.port)", caFile: sink.caFile))
        try await transport.send(MailEnvelope(from: "a@example.com", recipients: ["b@example.com"], data: Array("Subject: after\r\n\r\nok\r\n".utf8)))
        #expect(sink.messages == [ReceivedMail(from: "a@example.com", recipients: ["b@example.com"], data: "Subject: after\r\n\r\nok\r\n", overTLS: true)])
        #expect(sink.connectionCount == 4)

        // A client that never says a word: stop() still ends the handshake it is stuck in.
        let silent = try await MailClient.connect(port: sink.port)
        if tls == .startTLS {
            #expect(try await silent.reply().code == 220)
            #expect(try await silent.command("STARTTLS").code == 220)
        }
        sink.stop()
        #expect(try await silent.readsToTheEnd())
    }

    @Test func waitForMessagesGivesUpAfterItsTimeout() async throws {
        let sink = try SMTPSink.start()
        #expect(try await onThread { sink.waitForMessages(count: 1, timeout: 0.05) }.isEmpty)
        sink.stop()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curlPath)))
    func curlDeliversAMessage() async throws {
        let sink = try SMTPSink.start(username: "u", password: "p")
        defer { sink.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let message = "From: a@example.com\r\nTo: b@example.com\r\nSubject: curl\r\n\r\n.a line curl must dot-stuff\r\nbye\r\n"
        let upload = directory.appendingPathComponent("message.eml")
        try Data(message.utf8).write(to: upload)
        let arguments = ["--silent", "--show-error", "--max-time", "20", "--url", "smtp://127.0.0.1:\(sink.port)",
                         "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--user", "u:p",
                         "--upload-file", upload.path]
        let errors = directory.appendingPathComponent("stderr.txt")
        let status = try await onThread {
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout.txt").path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.curlPath)
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout.txt"))
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0, "curl: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        let received = try await onThread { sink.waitForMessages(count: 1) }
        #expect(received == [ReceivedMail(from: "a@example.com", recipients: ["b@example.com"], data: message)])
    }
}

/// Runs blocking `body` on a thread of its own, so socket waits never hold a cooperative-pool thread.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A plain-socket SMTP client for talking to the sink line by line. Calls are awaited one after
/// another, never concurrently, which is what makes the unchecked Sendable safe.
private final class MailClient: @unchecked Sendable {
    /// One reply: the code and its lines, line endings removed.
    struct Reply {
        let code: Int
        let lines: [String]
    }

    /// Why talking to the sink failed.
    enum Failure: Error, Equatable {
        case connect(Int32)
        /// The sink hung up (EOF or reset).
        case closed
        /// Nothing arrived within the read timeout.
        case timedOut
        /// A reply line without CRLF or without a code.
        case malformed(String)
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Connects to 127.0.0.1:`port`; each read gives up after 5 seconds until `setTimeout` says otherwise.
    static func connect(port: Int) async throws -> MailClient {
        try await onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure.connect(errno) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw Failure.connect(code)
            }
            let client = MailClient(fd: fd)
            client.setTimeout(5)
            return client
        }
    }

    /// Changes how long each read waits for data.
    func setTimeout(_ seconds: Double) {
        var wait = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `line` plus `ending`, then reads the reply.
    func command(_ line: String, ending: String = "\r\n") async throws -> Reply {
        try await send(line + ending)
        return try await reply()
    }

    /// Sends `text` as it is.
    func send(_ text: String) async throws {
        try await onThread {
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { throw Failure.closed }
                offset += sent
            }
        }
    }

    /// Reads one reply, all its lines up to the one with a space after the code.
    func reply() async throws -> Reply {
        try await onThread {
            var lines: [String] = []
            while true {
                let line = try self.readLine()
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure.malformed(line) }
                lines.append(line)
                if line.count == 3 || line.dropFirst(3).first == " " { return Reply(code: code, lines: lines) }
            }
        }
    }

    /// Whether the sink has hung up: the next read finds the end of the stream.
    func isClosed() async throws -> Bool {
        do {
            _ = try await reply()
            return false
        } catch Failure.closed {
            return true
        }
    }

    /// Whether the sink hangs up before the read timeout, whatever it sends first (a TLS alert is
    /// not made of lines).
    func readsToTheEnd() async throws -> Bool {
        try await onThread {
            self.buffer.removeAll()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                if count > 0 { continue }
                if count < 0, errno == EINTR { continue }
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return false }
                return true
            }
        }
    }

    /// Ends this side of the conversation (FIN), as a client that walks away does.
    func hangUp() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let raw = buffer[..<newline]
                buffer.removeFirst(newline + 1)
                guard raw.last == UInt8(ascii: "\r") else { throw Failure.malformed(String(decoding: raw, as: UTF8.self)) }
                return String(decoding: raw.dropLast(), as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                continue
            }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut }
            throw Failure.closed
        }
    }
}
