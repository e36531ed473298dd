import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Storage
import Web

/// The admin console under `/admin`: dashboard, users (search, keyset pagination, detail with
/// sessions and linked accounts), providers, the site's own provider connections and the audit
/// log. `RequireAdminMiddleware` guards every route (403 for other users, sign-in for anonymous
/// visitors); every action is a CSRF-checked POST that writes the audit log, and each destructive one
/// asks first (`AdminController+Confirmations.swift`).
struct AdminController {
    let services: SiteServices

    func register(on router: Router) {
        let admin = router.group("/admin", middleware: [RequireAdminMiddleware(requireSecondFactor: services.configuration.requireMFAForAdmins)])
        admin.get("/", use: dashboard)
        admin.get("/users", use: users)
        admin.get("/users.csv", use: usersCSV)
        admin.get("/users/:id", use: user)
        admin.post("/users/:id/sessions/end", use: confirming(Self.askEndSession, endSession))
        admin.post("/users/:id/sessions/end-all", use: confirming(Self.askEndAllSessions, endAllSessions))
        admin.post("/users/:id/accounts/:accountID/refresh", use: refreshToken)
        admin.post("/users/:id/accounts/:accountID/revoke", use: confirming(Self.askRevokeToken, revokeToken))
        admin.post("/users/:id/accounts/:accountID/unlink", use: confirming(Self.askUnlink, unlink))
        admin.post("/users/:id/admin/grant", use: confirming(Self.askGrantAdmin, grantAdmin))
        admin.post("/users/:id/admin/revoke", use: confirming(Self.askRevokeAdmin, revokeAdmin))
        admin.post("/users/:id/disable", use: confirming(Self.askDisable, disable))
        admin.post("/users/:id/enable", use: enable)
        admin.post("/users/:id/unlock", use: confirming(Self.askUnlock, unlock))
        admin.post("/users/:id/password-reset", use: sendPasswordReset)
        admin.post("/users/:id/mfa/reset", use: confirming(Self.askResetSecondFactors, resetSecondFactors))
        admin.get("/providers", use: providers)
        admin.get("/site-connections", use: siteConnections)
        admin.post("/site-connections", use: connectSiteCredential)
        admin.post("/site-connections/:id/check", use: checkSiteCredential)
        admin.post("/site-connections/:id/remove", use: confirming(Self.askRemoveSiteCredential, removeSiteCredential))
        admin.get("/audit", use: auditLog)
    }

    @Sendable func dashboard(_ request: Request, context: RequestContext) async throws -> View {
        let now = Clock.now
        let stats = try await services.database.read { db in try AdminStatistics.read(now: now, in: db) }
        let registry = services.social.registry
        let translator = context.translator
        func attention(_ items: [AdminStatistics.Attention]) -> MustacheValue {
            .list(items.map { item in
                ["userID": .int(Int(item.userID)), "username": .string(item.username),
                 "provider": .string(registry.entry(item.provider)?.displayName ?? item.provider),
                 "status": .string(Self.tokenStatus(item.status, translator)),
                 "expires": .string(item.expiresAt.map(translator.dateTime) ?? translator.text("never"))]
            })
        }
        return Page(context, title: translator.text("Admin"), [
            "userCount": .string(translator.number(stats.users)), "adminCount": .string(translator.number(stats.admins)),
            "disabledCount": .string(translator.number(stats.disabled)),
            "linked": .list(stats.linkedAccounts.map { ["provider": .string(registry.entry($0.provider)?.displayName ?? $0.provider),
                                                         "count": .string(translator.number($0.count))] }),
            "hasLinked": .bool(!stats.linkedAccounts.isEmpty),
            "expiringCount": .string(translator.number(stats.expiringSoon)), "expiring": attention(stats.expiringSample),
            "hasExpiring": .bool(!stats.expiringSample.isEmpty),
            "reconnectCount": .string(translator.number(stats.needingReconnection)), "reconnect": attention(stats.reconnectionSample),
            "hasReconnect": .bool(!stats.reconnectionSample.isEmpty),
        ]).view("site/admin/dashboard")
    }

    // MARK: Shared steps

    /// The signed-in administrator (the middleware guarantees one).
    func admin(_ context: RequestContext) throws -> User {
        guard let user = context.currentUser else { throw HTTPError(.forbidden, context.translator.text("This page is for administrators only.")) }
        return user
    }

    /// The client's address, for the audit log.
    func ip(_ request: Request) -> String { request.clientIP(trustedProxies: services.configuration.trustedProxies) }

    /// The numeric route parameter `name`, or 404.
    func id(_ context: RequestContext, _ name: String = "id") throws -> Int64 {
        guard let value = context.parameters[name].flatMap({ Int64($0) }) else { throw HTTPError(.notFound, context.translator.text("There is no such record.")) }
        return value
    }

    /// The user named by `:id`, or 404. An action (`acting`) on a deleted account's tombstone
    /// is refused: there is nobody left to act on.
    func targetUser(_ context: RequestContext, acting: Bool = true) async throws -> User {
        let userID = try id(context)
        guard let user = try await services.database.read({ db in try UserRepository.find(id: userID, in: db) }) else {
            throw HTTPError(.notFound, context.translator.text("There is no such user."))
        }
        if acting && user.deletedAt != nil { throw HTTPError(.conflict, context.translator.text("That account was deleted by its owner.")) }
        return user
    }

    /// The linked account `:accountID` of user `:id`; 404 when it is someone else's (so one
    /// user's URL can never act on another user's account) or does not exist.
    func targetAccount(_ context: RequestContext) async throws -> SocialAccount {
        let userID = try id(context), accountID = try id(context, "accountID")
        let account = try await services.database.read { db in try SocialAccountRepository.find(id: accountID, in: db) }
        guard let account, account.userID == userID else { throw HTTPError(.notFound, context.translator.text("That linked account does not exist.")) }
        return account
    }

    /// Back to the user's page with a message (already in the reader's language).
    func back(to userID: Int64, _ message: String, kind: String = "success", context: RequestContext) -> Redirect {
        context.session.flash(message, kind: kind)
        return Redirect(to: "/admin/users/\(userID)")
    }

    /// The display name of provider `id`.
    func providerName(_ id: String) -> String { services.social.registry.entry(id)?.displayName ?? id }

    /// A linked account's token status in the reader's words (the stored value is a code).
    static func tokenStatus(_ status: TokenStatus, _ translator: Translator) -> String {
        switch status {
        case .active: translator.text("active")
        case .reconnect: translator.text("reconnect")
        case .revoked: translator.text("revoked")
        case .expired: translator.text("expired")
        case .none: translator.text("none", context: "token")
        }
    }
}
