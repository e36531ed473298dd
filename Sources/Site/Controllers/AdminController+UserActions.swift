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
            return back(to: user.id, context.translator.text("That session had already ended."), kind: "error", context: context)
        }
        return back(to: user.id, context.translator.text("Ended one session of {{username}}.", ["username": user.username]), context: context)
    }

    @Sendable func endAllSessions(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        // An admin ending their own sessions keeps the one they are using.
        let keeping = user.id == admin.id ? context.session.loadedIDHash : nil
        let ended = try await services.admin.endAllSessions(of: user, keeping: keeping, by: admin, ip: ip(request))
        return back(to: user.id, context.translator.plural(one: "Ended {{count}} session of {{username}}.", other: "Ended {{count}} sessions of {{username}}.",
                                                            count: ended, ["username": user.username]), context: context)
    }

    // MARK: Linked accounts

    @Sendable func refreshToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let name = ["name": providerName(account.provider)], translator = context.translator
        switch try await services.admin.refreshToken(of: account, by: admin, ip: ip(request)) {
        case .refreshed(let expiresAt?):
            return back(to: account.userID, translator.text("Refreshed the {{name}} token; it now expires {{time}}.",
                                                            name.merging(["time": translator.dateTime(expiresAt)]) { $1 }),
                        context: context)
        case .refreshed(nil):
            return back(to: account.userID, translator.text("Refreshed the {{name}} token.", name), context: context)
        case .notRefreshable:
            return back(to: account.userID, translator.text("{{name}} issued no refresh token for this account; the person must reconnect to renew it.", name),
                        kind: "error", context: context)
        case .unavailable(let reason):
            context.logger.warning("admin_refresh_failed", ["provider": account.provider, "error": reason])
            return back(to: account.userID, translator.text("{{name}} is not answering; nothing was changed. Try again later.", name),
                        kind: "error", context: context)
        case .refused(let reason):
            context.logger.warning("admin_refresh_failed", ["provider": account.provider, "error": reason])
            return back(to: account.userID, translator.text("{{name}} refused to refresh the token; the account now needs reconnecting.", name),
                        kind: "error", context: context)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        let name = ["name": providerName(account.provider)]
        if let upstream = try await services.admin.revokeToken(of: account, by: admin, ip: ip(request)) {
            context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            return back(to: account.userID, context.translator.text("The {{name}} token is marked revoked here, but {{name}} could not be told.", name),
                        kind: "error", context: context)
        }
        return back(to: account.userID, context.translator.text("Revoked the {{name}} token.", name), context: context)
    }

    @Sendable func unlink(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), account = try await targetAccount(context)
        do {
            if let upstream = try await services.admin.unlink(account, by: admin, ip: ip(request),
                                                              notice: SiteMail(request, context, services: services).notice) {
                context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            }
        } catch SocialAuthError.lastSignInMethod {
            return back(to: account.userID, context.translator.text("That is the user's only way to sign in, so it was not unlinked."), kind: "error",
                        context: context)
        }
        return back(to: account.userID, context.translator.text("Unlinked {{name}}.", ["name": providerName(account.provider)]), context: context)
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
            return back(to: user.id, context.translator.text("You cannot revoke your own administrator rights."), kind: "error", context: context)
        }
        let username = ["username": user.username]
        return back(to: user.id, isAdmin ? context.translator.text("{{username}} is now an administrator.", username)
                                         : context.translator.text("{{username}} is no longer an administrator.", username),
                    context: context)
    }

    @Sendable func disable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let ended: Int
        do {
            ended = try await services.admin.setDisabled(true, user: user, by: admin, ip: ip(request))
        } catch AdminService.Refusal.ownAccount {
            return back(to: user.id, context.translator.text("You cannot disable your own account."), kind: "error", context: context)
        }
        return back(to: user.id, context.translator.plural(one: "{{username}} is disabled; {{count}} session ended.",
                                                            other: "{{username}} is disabled; {{count}} sessions ended.",
                                                            count: ended, ["username": user.username]), context: context)
    }

    @Sendable func enable(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        _ = try await services.admin.setDisabled(false, user: user, by: admin, ip: ip(request))
        return back(to: user.id, context.translator.text("{{username}} is enabled again.", ["username": user.username]), context: context)
    }

    @Sendable func unlock(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let cleared = try await services.admin.unlock(user, throttle: services.credentials.throttle, by: admin, ip: ip(request))
        return back(to: user.id, context.translator.plural(one: "{{username}} can sign in again at once ({{count}} counted failure cleared).",
                                                            other: "{{username}} can sign in again at once ({{count}} counted failures cleared).",
                                                            count: cleared, ["username": user.username]), context: context)
    }

    // MARK: Second factors

    @Sendable func resetSecondFactors(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), user = try await targetUser(context)
        let removed = try await services.admin.resetSecondFactors(of: user, by: admin, ip: ip(request),
                                                                  notice: SiteMail(request, context, services: services).notice)
        guard removed != .none else {
            return back(to: user.id, context.translator.text("{{username}} had no second factor; nothing was changed.", ["username": user.username]),
                        kind: "error", context: context)
        }
        return back(to: user.id, context.translator.text("Removed the second factors of {{username}} ({{factors}}).",
                                                         ["username": user.username, "factors": Self.summary(removed, context.translator)]),
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
            return back(to: user.id, context.translator.text("{{username}} has no email address, or mail is turned off: no link was sent.",
                                                             ["username": user.username]), kind: "error", context: context)
        }
        guard let email = user.email else {
            return back(to: user.id, context.translator.text("A password-reset link is on its way to their address."), context: context)
        }
        return back(to: user.id, context.translator.text("A password-reset link is on its way to {{email}}.", ["email": email]), context: context)
    }
}
