import Foundation

/// One connection's side of the conversation, apart from the socket: a line in, what to do out.
/// The greeting, the connection-level faults (refuse, stall) and the TLS handshake itself belong
/// to the caller; the dialogue only says when to start TLS and is told when it has.
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
        /// Send this reply in plain text, then run the TLS handshake and call `tlsStarted()`;
        /// hang up if the handshake fails.
        case startTLS(String)
    }

    private enum Mode: Equatable {
        case commands, body, authPlain, authLoginUser
        case authLoginPassword(username: String)
    }

    static let outOfOrder = Outcome.reply("503 5.5.1 Bad sequence of commands")
    /// RFC 3207's answer to AUTH or MAIL on a server that demands TLS, before it.
    static let tlsFirst = Outcome.reply("530 5.7.0 Must issue a STARTTLS command first")

    let credentials: SMTPSink.Credentials?
    let tls: SMTPSink.TLS
    let fault: SMTPFault?
    private var mode = Mode.commands
    /// Whether the session is inside TLS: from the start on an implicit-TLS sink, after
    /// `tlsStarted()` on a STARTTLS one.
    private(set) var secure: Bool
    private var greeted = false
    private var authenticated = false
    private var sender: String?
    private var recipients: [String] = []
    private var body = ""

    init(credentials: SMTPSink.Credentials?, tls: SMTPSink.TLS = .none, fault: SMTPFault?) {
        self.credentials = credentials
        self.tls = tls
        self.fault = fault
        secure = tls == .implicit
    }

    /// Whether the next line is a command (not a DATA body line nor an AUTH response).
    var awaitsCommand: Bool { mode == .commands }

    /// The handshake that `.startTLS` asked for has succeeded. RFC 3207 section 4.2: the session
    /// starts over, so the client must EHLO again and what it knew (AUTH included) is forgotten.
    mutating func tlsStarted() {
        secure = true
        greeted = false
        authenticated = false
        mode = .commands
        resetTransaction()
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
            // STARTTLS is offered only before TLS (RFC 3207 section 4.2), and AUTH only where a
            // password would not cross in clear, as a server with TLS-only authentication does.
            let startTLS = tls == .startTLS && !secure ? ["250-STARTTLS"] : []
            let auth = credentials == nil || mustStartTLS ? [] : ["250-AUTH PLAIN LOGIN"]
            return .reply((["250-sink.test"] + startTLS + auth + ["250-8BITMIME", "250 SIZE 10485760"]).joined(separator: "\r\n"))
        case "STARTTLS":
            guard !secure else { return .reply("503 5.5.1 TLS already active") }
            guard tls == .startTLS else { return .reply("502 5.5.1 STARTTLS not offered") }
            guard argument.isEmpty else { return .reply("501 5.5.4 Syntax: STARTTLS") }
            return .startTLS("220 2.0.0 Ready to start TLS")
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
        if mustStartTLS { return Self.tlsFirst }
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
        if mustStartTLS { return Self.tlsFirst }
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
        let mail = ReceivedMail(from: sender ?? "", recipients: recipients, data: body, overTLS: secure)
        mode = .commands
        resetTransaction()
        if case let .rejectData(code) = fault { return .reply("\(code) Message rejected (injected fault)") }
        return .deliver(mail)
    }

    /// A STARTTLS sink before the handshake: AUTH and MAIL wait for TLS (RCPT and DATA need MAIL).
    private var mustStartTLS: Bool { tls == .startTLS && !secure }

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
