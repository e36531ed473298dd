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
    public var reason: String
    public var permanent: Bool

    /// An error.
    public init(_ reason: String, permanent: Bool = false) {
        self.reason = reason
        self.permanent = permanent
    }

    public var description: String { reason }
}

/// Hands messages to a mail server (or somewhere else: the log, a test's list).
public protocol MailTransport: Sendable {
    /// Sends one message; throws `MailError` when it was not accepted.
    func send(_ envelope: MailEnvelope) async throws(MailError)
}
