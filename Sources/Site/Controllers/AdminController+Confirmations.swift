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
        let user = try await c.targetUser(context)
        return Confirmation("End this session of \(user.username)?",
                            consequences: ["The browser using it is signed out at its next request.",
                                           "\(user.username) can sign in again; nothing else changes."],
                            button: "End the session", cancel: "/admin/users/\(user.id)")
    }

    static func askEndAllSessions(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let admin = try c.admin(context), user = try await c.targetUser(context)
        return Confirmation("End every session of \(user.username)?",
                            consequences: ["Every browser signed in as \(user.username) is signed out"
                                           + (user.id == admin.id ? ", except the one you are using now." : "."),
                                           "\(user.username) can sign in again; nothing else changes."],
                            button: "End all sessions", cancel: "/admin/users/\(user.id)")
    }

    static func askRevokeToken(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let account = try await c.targetAccount(context), name = c.providerName(account.provider)
        return Confirmation("Revoke this \(name) token?",
                            consequences: ["The token is marked revoked here, and \(name) is asked to revoke it too.",
                                           "The site can no longer act at \(name) for this person until they connect it again.",
                                           "They can still sign in with \(name)."],
                            button: "Revoke the token", cancel: "/admin/users/\(account.userID)")
    }

    static func askUnlink(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let account = try await c.targetAccount(context), name = c.providerName(account.provider)
        return Confirmation("Unlink \(name) from this account?",
                            consequences: ["The person can no longer sign in with this \(name) account.",
                                           "Its tokens are deleted here and \(name) is asked to revoke them.",
                                           "The person is told by email, and can connect \(name) again later."],
                            button: "Unlink \(name)", cancel: "/admin/users/\(account.userID)")
    }

    static func askGrantAdmin(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context)
        return Confirmation("Make \(user.username) an administrator?",
                            consequences: ["\(user.username) can open this console: see every user and the audit log, end sessions, "
                                           + "unlink accounts, disable users and change administrator rights, yours included."],
                            button: "Make \(user.username) an administrator", cancel: "/admin/users/\(user.id)")
    }

    static func askRevokeAdmin(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context)
        return Confirmation("Take away the administrator rights of \(user.username)?",
                            consequences: ["\(user.username) can no longer open this console.", "Their own account keeps working."],
                            button: "Revoke administrator rights", cancel: "/admin/users/\(user.id)")
    }

    static func askDisable(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context)
        return Confirmation("Disable \(user.username)?",
                            consequences: ["\(user.username) can no longer sign in, by any method, until an administrator enables the account.",
                                           "Every session of \(user.username) ends now, and its API tokens stop working."],
                            button: "Disable \(user.username)", cancel: "/admin/users/\(user.id)")
    }

    static func askUnlock(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context)
        return Confirmation("Unlock \(user.username)?",
                            consequences: ["The failed sign-ins counted against \(user.username) are forgotten, from every address, "
                                           + "so the password can be tried again at once.",
                                           "Whoever made those attempts can try again too: unlock when the owner asks, not during an attack."],
                            button: "Unlock \(user.username)", cancel: "/admin/users/\(user.id)")
    }

    static func askResetSecondFactors(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        let user = try await c.targetUser(context)
        return Confirmation("Remove the second factors of \(user.username)?",
                            consequences: ["Their passkeys, authenticator app and recovery codes stop working here.",
                                           "Signing in asks for the first step only until they add a new one.",
                                           "\(user.username) is told by email."],
                            button: "Remove the second factors", cancel: "/admin/users/\(user.id)")
    }

    static func askRemoveSiteCredential(_ c: AdminController, _ request: Request, _ context: RequestContext) async throws -> Confirmation {
        _ = try c.id(context)
        return Confirmation("Remove this connection?",
                            consequences: ["The site forgets this token: whatever uses it stops working until it is connected again."],
                            button: "Remove the connection", cancel: "/admin/site-connections")
    }
}
