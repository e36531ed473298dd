import Foundation
import Identity
import Web

/// How this process sends mail, from `EMAIL_URL`: an SMTP server, the log (`console:`, the
/// development default: each message printed with a banner), or `off` (every feature that needs
/// mail says so instead).
public enum MailSetting: Sendable, Equatable {
    case smtp(SMTPServer)
    case console
    case off

    /// Reads `EMAIL_URL` (and `EMAIL_CA_FILE`); unset means the log (`AppSettings` refuses that
    /// in production).
    static func read(_ read: EnvironmentReader, problems: inout ConfigurationProblems) -> MailSetting {
        guard let url = read.optional("EMAIL_URL") else { return .console }
        switch url.lowercased() {
        case "console", "console:": return .console
        case "off": return .off
        default:
            do {
                return .smtp(try SMTPServer(url: url, caFile: read.optional("EMAIL_CA_FILE")))
            } catch {
                problems.add("EMAIL_URL", error.description)
                return .off
            }
        }
    }
}

/// Prints each message to the log with a clear banner, its text part readable (development).
public struct ConsoleMailTransport: MailTransport {
    let logger: Logger

    /// A transport writing to `logger`.
    public init(logger: Logger) { self.logger = logger }

    public func send(_ envelope: MailEnvelope) async throws(MailError) {
        let text = String(decoding: envelope.data, as: UTF8.self)
        let headers = text.components(separatedBy: "\r\n\r\n").first ?? ""
        logger.info("""
            ==================== mail (EMAIL_URL=console:, not sent) ====================
            \(headers.components(separatedBy: "\r\n").filter { $0.hasPrefix("To:") || $0.hasPrefix("Subject:") }.joined(separator: "\n"))

            \(Self.plainText(text) ?? text)
            =============================================================================
            """)
    }

    /// The decoded `text/plain` part of a message we rendered (base64 by construction).
    public static func plainText(_ message: String) -> String? {
        let lines = message.components(separatedBy: "\r\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("Content-Type: text/plain") }),
              let blank = lines[start...].firstIndex(of: "") else { return nil }
        let body = lines[(blank + 1)...].prefix { !$0.isEmpty && !$0.hasPrefix("--") }.joined()
        return Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension MailTransport {
    /// The outbox's `send`, mapping a transport's refusal to a delivery failure.
    public var outboxSender: @Sendable (_ from: String, _ to: [String], _ data: [UInt8]) async throws -> Void {
        { from, to, data in
            do {
                try await self.send(MailEnvelope(from: from, recipients: to, data: data))
            } catch let error as MailError {
                throw DeliveryFailure(error.reason, permanent: error.permanent)
            }
        }
    }
}
