import Foundation
import IdentityWeb
import Synchronization
import Testing

/// A message the outbox held, as delivered: its recipient and its decoded text part.
struct DeliveredMail: Sendable {
    let to: [String]
    let text: String

    /// The first one-time code (`WDJB-MJHT`) in the text.
    var code: String? { text.range(of: #"[A-Z]{4}-[A-Z]{4}"#, options: .regularExpression).map { String(text[$0]) } }
}

extension TestSite {
    /// Delivers everything due in the outbox, through a transport that keeps what it is given.
    func deliverMail() async throws -> [DeliveredMail] {
        let kept = Mutex<[DeliveredMail]>([])
        try await #require(services.core.outbox).deliverDue(database: services.database, limit: 100) { _, to, data in
            let text = ConsoleMailTransport.plainText(String(decoding: data, as: UTF8.self)) ?? ""
            kept.withLock { $0.append(DeliveredMail(to: to, text: text)) }
        }
        return kept.withLock { $0 }
    }

    /// The code in the newest mail due (delivering it), optionally only among mail to `address`.
    func mailedCode(to address: String? = nil) async throws -> String {
        let mail = try await deliverMail().filter { address == nil || $0.to.contains(address!) }
        return try #require(mail.compactMap(\.code).last)
    }

    /// The `kind`s of the outbox rows addressed to `address`, oldest first (by kind within one second).
    func outboxKinds(to address: String) async throws -> [String] {
        try await query("SELECT kind FROM outbox WHERE recipient = ? ORDER BY created_at, kind", address).map { try $0.string("kind") }
    }
}
