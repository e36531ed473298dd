/// One message as handed to a mail server: the envelope (who sends, who receives) and the
/// RFC 5322 text, headers and body, with CRLF line endings.
public struct MailEnvelope: Sendable, Equatable {
    public var from: String
    public var recipients: [String]
    public var data: [UInt8]

    /// An envelope.
    public init(from: String, recipients: [String], data: [UInt8]) {
        self.from = from
        self.recipients = recipients
        self.data = data
    }
}

/// Why a message was not handed over. `permanent` means retrying the same message cannot help
/// (a 5xx refusal of the address); everything else is worth another try later.
public struct MailError: Error, Sendable, CustomStringConvertible {
    /// The failures worth telling apart from the rest: both are a misconfiguration (or an
    /// attack) rather than a server having a bad moment, and an operator reading the log wants
    /// to know which.
    public enum Kind: Sendable, Equatable {
        /// The server's certificate was not trusted (unknown authority, wrong name, expired), or
        /// the trusted certificates (`EMAIL_CA_FILE`) could not be read. Nothing was sent.
        case certificate
        /// TLS was required but the server did not offer STARTTLS, or refused it. Nothing was
        /// sent in clear.
        case tlsUnavailable
        /// Anything else: a refusal, a connection or authentication problem.
        case other
    }

    public var reason: String
    public var permanent: Bool
    public var kind: Kind

    /// An error.
    public init(_ reason: String, permanent: Bool = false, kind: Kind = .other) {
        self.reason = reason
        self.permanent = permanent
        self.kind = kind
    }

    public var description: String { reason }
}

/// Hands messages to a mail server (or somewhere else: the log, a test's list).
public protocol MailTransport: Sendable {
    /// Sends one message; throws `MailError` when it was not accepted.
    func send(_ envelope: MailEnvelope) async throws(MailError)
}
