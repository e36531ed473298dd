import Accounts
import Identity
import IdentityWeb
import Localization
import Web

/// What an administrator can do to a user: end sessions, manage linked accounts' tokens, unlink,
/// grant or revoke admin, disable or enable. Each is a CSRF-checked POST handled by
/// `AdminService` (which writes the audit row with the change) and comes back to the user's page
/// with a message.
extension AdminController {
    // MARK: Sessions

    @Sendable func endSession(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let idHash = try request.form()["session"] ?? ""
        guard try await services.admin.endSession(idHash, of: user, by: admin, ip: ip(request)) else {
            return back(to: user.id, "That session had already ended.", kind: "error", context: context)
        }
        return back(to: user.id, "Ended one session of \(user.username).", context: context)
    }

    @Sendable func endAllSessions(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        // An admin ending their own sessions keeps the one they are using.
        let keeping = user.id == admin.id ? context.session.loadedIDHash : nil
        let ended = try await services.admin.endAllSessions(of: user, keeping: keeping, by: admin, ip: ip(request))
        return back(to: user.id, "Ended \(ended) session\(ended == 1 ? "" : "s") of \(user.username).", context: context)
    }

    // MARK: Linked accounts

    @Sendable func refreshToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let name = providerName(account.provider)
        switch try await services.admin.refreshToken(of: account, by: admin, ip: ip(request)) {
        case .refreshed(let expiresAt):
            return back(to: account.userID, "Refreshed the \(name) token" + (expiresAt.map { "; it now expires \(Clock.format($0))." } ?? "."),
                        context: context)
        case .notRefreshable:
            return back(to: account.userID, "\(name) issued no refresh token for this account; the person must reconnect to renew it.",
                        kind: "error", context: context)
        case .unavailable(let reason):
            context.logger.warning("admin_refresh_failed", ["provider": account.provider, "error": reason])
            return back(to: account.userID, "\(name) is not answering; nothing was changed. Try again later.", kind: "error", context: context)
        case .refused(let reason):
            context.logger.warning("admin_refresh_failed", ["provider": account.provider, "error": reason])
            return back(to: account.userID, "\(name) refused to refresh the token; the account now needs reconnecting.", kind: "error",
                        context: context)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let name = providerName(account.provider)
        if let upstream = try await services.admin.revokeToken(of: account, by: admin, ip: ip(request)) {
            context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            return back(to: account.userID, "The \(name) token is marked revoked here, but \(name) could not be told.", kind: "error", context: context)
        }
        return back(to: account.userID, "Revoked the \(name) token.", context: context)
    }

    @Sendable func unlink(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        do {
            if let upstream = try await services.admin.unlink(account, by: admin, ip: ip(request),
                                                              notice: SiteMail(request, context, services: services).notice) {
                context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            }
        } catch SocialAuthError.lastSignInMethod {
            return back(to: account.userID, "That is the user's only way to sign in, so it was not unlinked.", kind: "error", context: context)
        }
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
        do {
            try await services.admin.setAdmin(isAdmin, user: user, by: admin, ip: ip(request))
        } catch AdminService.Refusal.ownAdminRights {
            return back(to: user.id, "You cannot revoke your own administrator rights.", kind: "error", context: context)
        }
        return back(to: user.id, isAdmin ? "\(user.username) is now an administrator." : "\(user.username) is no longer an administrator.",
                    context: context)
    }

    @Sendable func disable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let ended: Int
        do {
            ended = try await services.admin.setDisabled(true, user: user, by: admin, ip: ip(request))
        } catch AdminService.Refusal.ownAccount {
            return back(to: user.id, "You cannot disable your own account.", kind: "error", context: context)
        }
        return back(to: user.id, "\(user.username) is disabled; \(ended) session\(ended == 1 ? "" : "s") ended.", context: context)
    }

    @Sendable func enable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        _ = try await services.admin.setDisabled(false, user: user, by: admin, ip: ip(request))
        return back(to: user.id, "\(user.username) is enabled again.", context: context)
    }

    @Sendable func unlock(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let cleared = try await services.admin.unlock(user, throttle: services.credentials.throttle, by: admin, ip: ip(request))
        return back(to: user.id, "\(user.username) can sign in again at once (\(cleared) counted failure\(cleared == 1 ? "" : "s") cleared).",
                    context: context)
    }

    // MARK: Second factors

    @Sendable func resetSecondFactors(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let removed = try await services.admin.resetSecondFactors(of: user, by: admin, ip: ip(request),
                                                                  notice: SiteMail(request, context, services: services).notice)
        guard removed != .none else {
            return back(to: user.id, "\(user.username) had no second factor; nothing was changed.", kind: "error", context: context)
        }
        return back(to: user.id, "Removed the second factors of \(user.username) (\(Self.summary(removed))).",
                    context: context)
    }

    // MARK: Mail

    @Sendable func sendPasswordReset(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let mail = SiteMail(request, context, services: services)
        do {
            try await services.admin.sendPasswordReset(to: user, by: admin, ip: ip(request)) { user, token in
                mail.message("password_reset", to: user, subject: Message("Reset your Latchkey password"),
                             ["link": .string(mail.origin + "/password/reset?token=" + token)])
            }
        } catch is AdminService.CannotMail {
            return back(to: user.id, "\(user.username) has no email address, or mail is turned off: no link was sent.", kind: "error", context: context)
        }
        return back(to: user.id, "A password-reset link is on its way to \(user.email ?? "their address").", context: context)
    }
}
