import Accounts
import Storage
import Web

/// What an administrator can do to a user: end sessions, manage linked accounts' tokens, unlink,
/// grant or revoke admin, disable or enable. Each is a CSRF-checked POST that writes the audit
/// log and comes back to the user's page with a message.
extension AdminController {
    // MARK: Sessions

    @Sendable func endSession(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let idHash = try request.form()["session"] ?? ""
        let ended = try await services.database.write { db in try SessionRepository.end(idHash: idHash, userID: user.id, in: db) }
        guard ended > 0 else { return back(to: user.id, "That session had already ended.", kind: "error", context: context) }
        try await audit("admin_session_ended", admin: admin, target: user.id, request: request)
        return back(to: user.id, "Ended one session of \(user.username).", context: context)
    }

    @Sendable func endAllSessions(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        // An admin ending their own sessions keeps the one they are using.
        let keeping = user.id == admin.id ? context.session.loadedIDHash : nil
        let ended = try await services.database.write { db in try SessionRepository.endAll(userID: user.id, keeping: keeping, in: db) }
        try await audit("admin_sessions_ended", admin: admin, target: user.id, detail: "count=\(ended)", request: request)
        return back(to: user.id, "Ended \(ended) session\(ended == 1 ? "" : "s") of \(user.username).", context: context)
    }

    // MARK: Linked accounts

    @Sendable func refreshToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let name = providerName(account.provider)
        let message: String, kind: String, detail: String
        do {
            switch try await services.social.refreshNow(accountID: account.id) {
            case .refreshed(let expiresAt):
                (message, kind, detail) = ("Refreshed the \(name) token" + (expiresAt.map { "; it now expires \(Clock.format($0))." } ?? "."),
                                           "success", "\(account.provider) refreshed")
            case .notRefreshable:
                (message, kind, detail) = ("\(name) issued no refresh token for this account; the person must reconnect to renew it.",
                                           "error", "\(account.provider) not refreshable")
            }
        } catch SocialAuthError.providerUnavailable(let reason) {
            context.logger.warning("admin_refresh_failed provider=\(account.provider) error=\"\(reason)\"")
            (message, kind, detail) = ("\(name) is not answering; nothing was changed. Try again later.", "error", "\(account.provider) unavailable")
        } catch let error as SocialAuthError {
            context.logger.warning("admin_refresh_failed provider=\(account.provider) error=\"\(error)\"")
            (message, kind, detail) = ("\(name) refused to refresh the token; the account now needs reconnecting.", "error",
                                       "\(account.provider) refused")
        }
        try await audit("admin_token_refresh", admin: admin, target: account.userID, detail: detail, request: request)
        return back(to: account.userID, message, kind: kind, context: context)
    }

    @Sendable func revokeToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let upstream = try await services.social.revokeToken(accountID: account.id)
        try await audit("admin_token_revoked", admin: admin, target: account.userID,
                        detail: account.provider + (upstream == nil ? "" : " upstream_failed"), request: request)
        if let upstream {
            context.logger.warning("upstream_revoke_failed provider=\(account.provider) error=\"\(upstream)\"")
            return back(to: account.userID, "The \(providerName(account.provider)) token is marked revoked here, but \(providerName(account.provider)) could not be told.",
                        kind: "error", context: context)
        }
        return back(to: account.userID, "Revoked the \(providerName(account.provider)) token.", context: context)
    }

    @Sendable func unlink(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        do {
            let (_, upstream) = try await services.social.disconnect(accountID: account.id, userID: account.userID, ip: ip(request))
            if let upstream { context.logger.warning("upstream_revoke_failed provider=\(account.provider) error=\"\(upstream)\"") }
        } catch SocialAuthError.lastSignInMethod {
            return back(to: account.userID, "That is the user's only way to sign in, so it was not unlinked.", kind: "error", context: context)
        }
        try await audit("admin_social_unlinked", admin: admin, target: account.userID, detail: "\(account.provider) \(account.providerUID)",
                        request: request)
        return back(to: account.userID, "Unlinked \(providerName(account.provider)).", context: context)
    }

    // MARK: The user

    @Sendable func grantAdmin(_ request: Request, context: RequestContext) async throws -> Redirect {
        try await setAdmin(true, request: request, context: context)
    }

    @Sendable func revokeAdmin(_ request: Request, context: RequestContext) async throws -> Redirect {
        try await setAdmin(false, request: request, context: context)
    }

    private func setAdmin(_ isAdmin: Bool, request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        // Nobody removes their own access by accident; another administrator can.
        guard isAdmin || user.id != admin.id else {
            return back(to: user.id, "You cannot revoke your own administrator rights.", kind: "error", context: context)
        }
        let now = Clock.now
        try await services.database.write { db in try UserRepository.setAdmin(isAdmin, userID: user.id, now: now, in: db) }
        try await audit(isAdmin ? "admin_granted" : "admin_revoked", admin: admin, target: user.id, request: request)
        return back(to: user.id, isAdmin ? "\(user.username) is now an administrator." : "\(user.username) is no longer an administrator.",
                    context: context)
    }

    @Sendable func disable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        guard user.id != admin.id else { return back(to: user.id, "You cannot disable your own account.", kind: "error", context: context) }
        let now = Clock.now
        // Disabling ends every session at once; API tokens stay, and answer 403 account_disabled.
        let ended = try await services.database.write { db -> Int in
            try UserRepository.setDisabled(true, userID: user.id, now: now, in: db)
            return try SessionRepository.endAll(userID: user.id, keeping: nil, in: db)
        }
        try await audit("user_disabled", admin: admin, target: user.id, detail: "sessions_ended=\(ended)", request: request)
        return back(to: user.id, "\(user.username) is disabled; \(ended) session\(ended == 1 ? "" : "s") ended.", context: context)
    }

    @Sendable func enable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let now = Clock.now
        try await services.database.write { db in try UserRepository.setDisabled(false, userID: user.id, now: now, in: db) }
        try await audit("user_enabled", admin: admin, target: user.id, request: request)
        return back(to: user.id, "\(user.username) is enabled again.", context: context)
    }
}
