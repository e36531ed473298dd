import Accounts
import Mustache
import Storage
import Web

/// The audit log, newest first, paged by keyset (`?before=<id>`).
extension AdminController {
    @Sendable func auditLog(_ request: Request, context: RequestContext) async throws -> View {
        let before = try request.query()["before"].flatMap { Int64($0) }
        let (entries, next) = try await services.database.read { db in try AuditLog.page(before: before, in: db) }
        return Page(context, title: "Audit log", [
            "history": AdminController.auditRows(entries), "hasEntries": .bool(!entries.isEmpty),
            "next": next.map { .string("/admin/audit?before=\($0)") } ?? .null, "isFirstPage": .bool(before == nil),
        ]).view("site/admin/audit")
    }
}
