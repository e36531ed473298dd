import Accounts
import IdentityWeb
import Web

/// The question each destructive admin action asks first (see `Confirmation`): the target is
/// looked up as the action would, so a missing user or account is a 404 before any question.
extension AdminController {
    /// `action`, run only once the administrator confirmed what `ask` says.
    func confirming<Output: ResponseGenerator>(
        _ ask: @escaping @Sendable (AdminController, Request, RequestContext) async throws -> Confirmation,
        _ action: @escaping @Sendable (Request, RequestContext) async throws -> Output
    ) -> @Sendable (Request, RequestContext) async throws -> Response {
        ConfirmationPages.site.confirming({ [self] request, context in try await ask(self, request, context) }, then: action)
    }

    static func askEndSession(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("End this session of {{username}}?", username),
                            consequences: [translator.text("The browser using it is signed out at its next request."),
                                           translator.text("{{username}} can sign in again; nothing else changes.", username)],
                            button: translator.text("End the session"), cancel: "/admin/users/\(user.id)")
    }

    static func askEndAllSessions(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let admin = try c.admin(context), user = try await c.targetUser(context)
        let translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("End every session of {{username}}?", username),
                            consequences: [user.id == admin.id
                                           ? translator.text("Every browser signed in as {{username}} is signed out, except the one you are using now.", username)
                                           : translator.text("Every browser signed in as {{username}} is signed out.", username),
                                           translator.text("{{username}} can sign in again; nothing else changes.", username)],
                            button: translator.text("End all sessions"), cancel: "/admin/users/\(user.id)")
    }

    static func askRevokeToken(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let account = try await c.targetAccount(context), translator = context.translator, name = ["name": c.providerName(account.provider)]
        return Confirmation(translator.text("Revoke this {{name}} token?", name),
                            consequences: [translator.text("The token is marked revoked here, and {{name}} is asked to revoke it too.", name),
                                           translator.text("The site can no longer act at {{name}} for this person until they connect it again.", name),
                                           translator.text("They can still sign in with {{name}}.", name)],
                            button: translator.text("Revoke the token"), cancel: "/admin/users/\(account.userID)")
    }

    static func askUnlink(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let account = try await c.targetAccount(context), translator = context.translator, name = ["name": c.providerName(account.provider)]
        return Confirmation(translator.text("Unlink {{name}} from this account?", name),
                            consequences: [translator.text("The person can no longer sign in with this {{name}} account.", name),
                                           translator.text("Its tokens are deleted here and {{name}} is asked to revoke them.", name),
                                           translator.text("The person is told by email, and can connect {{name}} again later.", name)],
                            button: translator.text("Unlink {{name}}", name), cancel: "/admin/users/\(account.userID)")
    }

    static func askGrantAdmin(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("Make {{username}} an administrator?", username),
                            consequences: [translator.text("{{username}} can open this console: see every user and the audit log, end sessions, unlink accounts, disable users and change administrator rights, yours included.", username)],
                            button: translator.text("Make {{username}} an administrator", username), cancel: "/admin/users/\(user.id)")
    }

    static func askRevokeAdmin(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("Take away the administrator rights of {{username}}?", username),
                            consequences: [translator.text("{{username}} can no longer open this console.", username),
                                           translator.text("Their own account keeps working.")],
                            button: translator.text("Revoke administrator rights"), cancel: "/admin/users/\(user.id)")
    }

    static func askDisable(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("Disable {{username}}?", username),
                            consequences: [translator.text("{{username}} can no longer sign in, by any method, until an administrator enables the account.", username),
                                           translator.text("Every session of {{username}} ends now, and its API tokens stop working.", username)],
                            button: translator.text("Disable {{username}}", username), cancel: "/admin/users/\(user.id)")
    }

    static func askUnlock(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("Unlock {{username}}?", username),
                            consequences: [translator.text("The failed sign-ins counted against {{username}} are forgotten, from every address, so the password can be tried again at once.", username),
                                           translator.text("Whoever made those attempts can try again too: unlock when the owner asks, not during an attack.")],
                            button: translator.text("Unlock {{username}}", username), cancel: "/admin/users/\(user.id)")
    }

    static func askResetSecondFactors(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context), translator = context.translator, username = ["username": user.username]
        return Confirmation(translator.text("Remove the second factors of {{username}}?", username),
                            consequences: [translator.text("Their passkeys, authenticator app and recovery codes stop working here."),
                                           translator.text("Signing in asks for the first step only until they add a new one."),
                                           translator.text("{{username}} is told by email.", username)],
                            button: translator.text("Remove the second factors"), cancel: "/admin/users/\(user.id)")
    }

    static func askRemoveSiteCredential(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        _ = try c.id(context)
        let translator = context.translator
        return Confirmation(translator.text("Remove this connection?"),
                            consequences: [translator.text("The site forgets this token: whatever uses it stops working until it is connected again.")],
                            button: translator.text("Remove the connection"), cancel: "/admin/site-connections")
    }
}
