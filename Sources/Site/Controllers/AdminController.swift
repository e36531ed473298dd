import Accounts
import Storage
import Web

/// The admin console (admins only; the full console grows here).
struct AdminController {
    let services: SiteServices

    func register(on router: Router) {
        let admin = router.group("/admin", middleware: [RequireAdminMiddleware()])
        admin.get("/", use: dashboard)
    }

    @Sendable func dashboard(_ request: Request, context: RequestContext) async throws -> View {
        let (users, admins) = try await services.database.read { db in
            (try db.queryOne("SELECT COUNT(*) FROM users")?.int(0) ?? 0,
             try db.queryOne("SELECT COUNT(*) FROM users WHERE is_admin = 1")?.int(0) ?? 0)
        }
        return Page(context, title: "Admin", ["userCount": .int(users), "adminCount": .int(admins)]).view("site/admin/dashboard")
    }
}
