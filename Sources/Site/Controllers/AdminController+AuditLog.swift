import Accounts
import Foundation
import Mustache
import Storage
import Web

/// The audit log, newest first, paged by keyset (`?before=<id>`), filtered by event kind
/// (`action`), user (`user`: a username or `#id`, as actor or target) and dates (`from`, `to`:
/// `YYYY-MM-DD`, UTC days, both included).
extension AdminController {
    @Sendable func auditLog(_ request: Request, context: RequestContext) async throws -> View {
        let query = try request.query()
        let before = query["before"].flatMap { Int64($0) }
        let action = query["action"].map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 }
        let userText = String((query["user"] ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        let fromText = String((query["from"] ?? "").prefix(10)), toText = String((query["to"] ?? "").prefix(10))
        var problems: [String] = []
        let from = Self.day(fromText), to = Self.day(toText)
        if !fromText.isEmpty && from == nil { problems.append(context.translator.text("The start date must look like 2026-12-04.")) }
        if !toText.isEmpty && to == nil { problems.append(context.translator.text("The end date must look like 2026-12-04.")) }
        let (entries, next, actions, unknownUser) = try await services.database.read { db in
            var userID: Int64?
            var unknown = false
            if !userText.isEmpty {
                userID = userText.hasPrefix("#") ? Int64(userText.dropFirst()) : try UserRepository.find(username: userText, in: db)?.id
                unknown = userID == nil
            }
            let filter = AuditFilter(action: action, user: userID, from: from, until: to.map { $0 + 86_400 })
            let page: (entries: [AuditEntry], nextBefore: Int64?) = unknown ? ([], nil) : try AuditLog.page(before: before, filter: filter, in: db)
            return (page.entries, page.nextBefore, try AuditLog.actions(in: db), unknown)
        }
        if unknownUser { problems.append(context.translator.text("There is no user called {{name}}.", ["name": userText])) }
        var pairs: [(String, String)] = []
        if let action { pairs.append(("action", action)) }
        if !userText.isEmpty { pairs.append(("user", userText)) }
        if !fromText.isEmpty { pairs.append(("from", fromText)) }
        if !toText.isEmpty { pairs.append(("to", toText)) }
        let base = "/admin/audit" + (pairs.isEmpty ? "" : "?" + FormData(pairs).encoded)
        let joiner = pairs.isEmpty ? "?" : "&"
        let nextLink: MustacheValue = next.map { cursor in MustacheValue.string(base + joiner + "before=\(cursor)") } ?? .null
        let actionRows: [MustacheValue] = actions.map { name in ["value": .string(name), "selected": .bool(name == action)] }
        return Page(context, title: context.translator.text("Audit log"), [
            "history": AdminController.auditRows(entries, context.translator), "hasEntries": .bool(!entries.isEmpty),
            "next": nextLink, "isFirstPage": .bool(before == nil),
            "first": .string(base), "problems": .list(problems.map(MustacheValue.string)), "hasProblems": .bool(!problems.isEmpty),
            "actions": .list(actionRows),
            "user": .string(userText), "from": .string(fromText), "to": .string(toText),
        ]).view("site/admin/audit")
    }

    /// The Unix time of the start of UTC day `text` (`YYYY-MM-DD`), or nil.
    static func day(_ text: String) -> Int? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.count == 10, parts.count == 3, (1970...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return Int(date.timeIntervalSince1970)
    }
}
