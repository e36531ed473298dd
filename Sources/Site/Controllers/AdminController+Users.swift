import Accounts
import Identity
import IdentityWeb
import Mustache
import Storage
import Web

/// The users list (search and keyset pagination) and a user's page.
extension AdminController {
    @Sendable func users(_ request: Request, context: RequestContext) async throws -> View {
        let query = try request.query()
        let text = String((query["q"] ?? "").prefix(200))
        let after = query["after"].flatMap { Int64($0) }
        let (page, providers, factors) = try await services.database.read { db in
            let page = try UserDirectory.search(text, after: after, in: db)
            let ids = page.users.map(\.id)
            return (page, try UserDirectory.providers(of: ids, in: db), try SecondFactorStatus.of(ids, in: db))
        }
        let rows: [MustacheValue] = page.users.map { user in
            ["id": .int(Int(user.id)), "username": .string(user.username), "email": user.email.map(MustacheValue.string) ?? .null,
             "isAdmin": .bool(user.isAdmin), "isDisabled": .bool(user.isDisabled), "joined": .string(Clock.formatDate(user.createdAt)),
             "providers": .string((providers[user.id] ?? []).map(providerName).joined(separator: ", ")),
             "mfa": .string(Self.summary(factors[user.id] ?? .none))]
        }
        var next: MustacheValue = .null
        if let cursor = page.nextAfter {
            var pairs = [("after", String(cursor))]
            if !text.isEmpty { pairs.insert(("q", text), at: 0) }
            next = .string("/admin/users?" + FormData(pairs).encoded)
        }
        return Page(context, title: "Users", [
            "q": .string(text), "users": .list(rows), "hasUsers": .bool(!rows.isEmpty), "next": next,
            "isFirstPage": .bool(after == nil), "searching": .bool(!text.isEmpty),
        ]).view("site/admin/users")
    }

    @Sendable func user(_ request: Request, context: RequestContext) async throws -> View {
        let user = try await targetUser(context, acting: false)
        let now = Clock.now
        let (sessions, accounts, apiTokens, history, factors) = try await services.database.read { db in
            (try SessionRepository.active(userID: user.id, now: now, in: db),
             try SocialAccountRepository.forUser(user.id, in: db),
             try APITokenRepository.liveCount(userID: user.id, now: now, in: db),
             try AuditLog.page(before: nil, limit: 20, targetUser: user.id, in: db).entries,
             try SecondFactorStatus.of(user.id, in: db))
        }
        let masked = try await services.social.maskedTokens(userID: user.id)
        let mail: [MustacheValue] = try await services.admin.recentMail(to: user).map { entry in
            ["kind": .string(entry.kind.replacingOccurrences(of: "_", with: " ")), "recipient": .string(entry.recipient),
             "status": .string(entry.status.rawValue), "attempts": .int(entry.attempts),
             "error": entry.lastError.map(MustacheValue.string) ?? .null, "queued": .string(Clock.format(entry.createdAt)),
             "sent": .string(entry.sentAt.map(Clock.format) ?? "—")]
        }
        let sessionRows: [MustacheValue] = sessions.map { session in
            ["idHash": .string(session.idHash), "ip": .string(session.remoteIP ?? "unknown"),
             "agent": .string(session.userAgent.map(UserAgentSummary.describe) ?? "Unknown browser"),
             "since": .string(Clock.format(session.createdAt)), "lastSeen": .string(Clock.format(session.lastSeen))]
        }
        let accountRows: [MustacheValue] = accounts.map { account in
            ["id": .int(Int(account.id)), "provider": .string(providerName(account.provider)), "uid": .string(account.providerUID),
             "login": account.login.map(MustacheValue.string) ?? .null, "email": account.email.map(MustacheValue.string) ?? .null,
             "emailVerified": .bool(account.emailVerified), "scopes": .string(account.tokenScopes ?? ""),
             "status": .string(account.effectiveTokenStatus(now: now).rawValue),
             "expires": .string(account.tokenExpiresAt.map(Clock.format) ?? "never"),
             "lastRefresh": .string(account.tokenLastRefreshAt.map(Clock.format) ?? "never"),
             "lastSignIn": .string(account.lastLoginAt.map(Clock.format) ?? "never"),
             "token": .string(masked[account.id] ?? "none")]
        }
        let isSelf = (try? admin(context).id) == user.id
        return Page(context, title: user.username, [
            "user": MustacheValue(user), "joined": .string(Clock.format(user.createdAt)), "isSelf": .bool(isSelf),
            "sessions": .list(sessionRows), "hasSessions": .bool(!sessionRows.isEmpty),
            "accounts": .list(accountRows), "hasAccounts": .bool(!accountRows.isEmpty),
            "apiTokens": .int(apiTokens), "history": AdminController.auditRows(history),
            "mail": .list(mail), "hasMail": .bool(!mail.isEmpty),
            "mfa": ["summary": .string(Self.summary(factors)), "any": .bool(factors != .none)],
        ]).view("site/admin/user")
    }

    /// "authenticator app, 2 passkeys, 8 recovery codes left", or "none".
    static func summary(_ status: SecondFactorStatus) -> String {
        var parts: [String] = []
        if status.totpEnabled { parts.append("authenticator app") }
        if status.passkeys > 0 { parts.append("\(status.passkeys) passkey\(status.passkeys == 1 ? "" : "s")") }
        if status.recoveryCodesLeft > 0 || status.isEnabled {
            parts.append("\(status.recoveryCodesLeft) recovery code\(status.recoveryCodesLeft == 1 ? "" : "s") left")
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// Audit entries as template rows.
    static func auditRows(_ entries: [AuditEntry]) -> MustacheValue {
        .list(entries.map { entry in
            ["id": .int(Int(entry.id)), "action": .string(entry.action), "when": .string(Clock.format(entry.createdAt)),
             "actor": .string(entry.actorName ?? entry.actorID.map { "#\($0)" } ?? "system"),
             "actorID": entry.actorID.map { .int(Int($0)) } ?? .null,
             "target": entry.targetName.map(MustacheValue.string) ?? entry.targetID.map { .string("#\($0)") } ?? .null,
             "targetID": entry.targetID.map { .int(Int($0)) } ?? .null,
             "detail": .string(entry.detail), "ip": .string(entry.remoteIP ?? "")]
        })
    }
}
