import Accounts
import Identity
import IdentityWeb
import Mustache
import Storage
import Web

/// The users list (search and keyset pagination) and a user's page.
extension AdminController {
    /// The list's query from `?filter=&sort=&q=`; unknown values fall back to the defaults.
    static func listQuery(_ query: FormData) -> UserDirectory.Query {
        UserDirectory.Query(filter: query["filter"].flatMap(UserDirectory.Filter.init(rawValue:)) ?? .all,
                            sort: query["sort"].flatMap(UserDirectory.Sort.init(rawValue:)) ?? .newest,
                            text: query["q"] ?? "")
    }

    /// The query string of `query` (defaults left out) plus `extra`.
    static func queryString(_ query: UserDirectory.Query, _ extra: [(String, String)] = []) -> String {
        var pairs: [(String, String)] = []
        if !query.text.isEmpty { pairs.append(("q", query.text)) }
        if query.filter != .all { pairs.append(("filter", query.filter.rawValue)) }
        if query.sort != .newest { pairs.append(("sort", query.sort.rawValue)) }
        pairs += extra
        return pairs.isEmpty ? "" : "?" + FormData(pairs).encoded
    }

    static let filterNames: [(UserDirectory.Filter, String)] = [
        (.all, "Everyone"), (.admins, "Administrators"), (.disabled, "Disabled"), (.reconnect, "Needs reconnection"),
        (.expiring, "Token expiring within 7 days"), (.mfaOn, "Two-factor on"), (.mfaOff, "Two-factor off"),
    ]
    static let sortNames: [(UserDirectory.Sort, String)] = [(.newest, "Newest first"), (.oldest, "Oldest first"), (.username, "Username")]

    @Sendable func users(_ request: Request, context: RequestContext) async throws -> View {
        let form = try request.query()
        let query = Self.listQuery(form)
        let cursor: UserDirectory.Cursor? = form["before"].map { .before(String($0.prefix(200))) }
            ?? form["after"].map { .after(String($0.prefix(200))) }
        let now = Clock.now
        let (page, providers, factors) = try await services.database.read { db in
            let page = try UserDirectory.list(query, cursor: cursor, now: now, in: db)
            let ids = page.users.map(\.id)
            return (page, try UserDirectory.providers(of: ids, in: db), try SecondFactorStatus.of(ids, in: db))
        }
        let rows: [MustacheValue] = page.users.map { user in
            ["id": .int(Int(user.id)), "username": .string(user.username), "email": user.email.map(MustacheValue.string) ?? .null,
             "isAdmin": .bool(user.isAdmin), "isDisabled": .bool(user.isDisabled), "joined": .string(Clock.formatDate(user.createdAt)),
             "providers": .string((providers[user.id] ?? []).map(providerName).joined(separator: ", ")),
             "mfa": .string(Self.summary(factors[user.id] ?? .none))]
        }
        func link(_ cursor: UserDirectory.Cursor?) -> MustacheValue {
            switch cursor {
            case .after(let key): .string("/admin/users" + Self.queryString(query, [("after", key)]))
            case .before(let key): .string("/admin/users" + Self.queryString(query, [("before", key)]))
            case nil: .null
            }
        }
        return Page(context, title: "Users", [
            "q": .string(query.text), "users": .list(rows), "hasUsers": .bool(!rows.isEmpty), "total": .int(page.total),
            "next": link(page.next), "previous": link(page.previous), "searching": .bool(!query.text.isEmpty),
            "filters": .list(Self.filterNames.map { ["value": .string($0.0.rawValue), "name": .string($0.1), "selected": .bool($0.0 == query.filter)] }),
            "sorts": .list(Self.sortNames.map { ["value": .string($0.0.rawValue), "name": .string($0.1), "selected": .bool($0.0 == query.sort)] }),
            "csv": .string("/admin/users.csv" + Self.queryString(query)),
        ]).view("site/admin/users")
    }

    /// `GET /admin/users.csv`: every user the list shows for the same query, as CSV.
    @Sendable func usersCSV(_ request: Request, context: RequestContext) async throws -> Response {
        let query = Self.listQuery(try request.query())
        let now = Clock.now
        var csv = CSV.row(["id", "username", "email", "admin", "disabled", "two_factor", "linked", "joined"])
        var cursor: UserDirectory.Cursor?
        // Page by page, each a short read, so a long export never holds one transaction open.
        repeat {
            let (page, providers, factors) = try await services.database.read { [cursor] db in
                let page = try UserDirectory.list(query, cursor: cursor, limit: 1000, now: now, in: db)
                let ids = page.users.map(\.id)
                return (page, try UserDirectory.providers(of: ids, in: db), try SecondFactorStatus.of(ids, in: db))
            }
            for user in page.users {
                csv += CSV.row([String(user.id), user.username, user.email ?? "", user.isAdmin ? "yes" : "no", user.isDisabled ? "yes" : "no",
                                (factors[user.id] ?? .none).isEnabled ? "on" : "off", (providers[user.id] ?? []).joined(separator: " "),
                                Clock.format(user.createdAt)])
            }
            cursor = page.next
        } while cursor != nil
        return Response(status: .ok, headers: ["Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
                                               "Content-Disposition": "attachment; filename=\"users.csv\""],
                        body: Array(csv.utf8))
    }

    @Sendable func user(_ request: Request, context: RequestContext) async throws -> View {
        let user = try await targetUser(context, acting: false)
        let now = Clock.now
        let throttle = services.credentials.throttle
        let keys = [UserRepository.key(user.username)] + (user.email.map { [UserRepository.key($0)] } ?? [])
        let (sessions, accounts, apiTokens, history, factors, failures) = try await services.database.read { db in
            (try SessionRepository.active(userID: user.id, now: now, in: db),
             try SocialAccountRepository.forUser(user.id, in: db),
             try APITokenRepository.liveCount(userID: user.id, now: now, in: db),
             try AuditLog.page(before: nil, limit: 20, targetUser: user.id, in: db).entries,
             try SecondFactorStatus.of(user.id, in: db),
             try throttle.recentFailures(accounts: keys, now: now, in: db))
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
            "failures": .int(failures), "failureWindow": .int(throttle.window / 60),
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
