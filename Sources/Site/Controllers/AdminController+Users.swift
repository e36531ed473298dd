import Accounts
import Identity
import IdentityWeb
import Localization
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

    /// The filter menu's choices, named in the reader's language.
    static func filterNames(_ translator: Translator) -> [(UserDirectory.Filter, String)] {
        [(.all, translator.text("Everyone")), (.admins, translator.text("Administrators")), (.disabled, translator.text("Disabled")),
         (.reconnect, translator.text("Needs reconnection")), (.expiring, translator.text("Token expiring within 7 days")),
         (.mfaOn, translator.text("Two-factor on")), (.mfaOff, translator.text("Two-factor off"))]
    }

    /// The order menu's choices, named in the reader's language.
    static func sortNames(_ translator: Translator) -> [(UserDirectory.Sort, String)] {
        [(.newest, translator.text("Newest first")), (.oldest, translator.text("Oldest first")), (.username, translator.text("Username"))]
    }

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
        let translator = context.translator
        let rows: [MustacheValue] = page.users.map { user in
            ["id": .int(Int(user.id)), "username": .string(user.username), "email": user.email.map(MustacheValue.string) ?? .null,
             "isAdmin": .bool(user.isAdmin), "isDisabled": .bool(user.isDisabled), "joined": .string(translator.date(user.createdAt)),
             "providers": .string((providers[user.id] ?? []).map(providerName).joined(separator: ", ")),
             "mfa": .string(Self.summary(factors[user.id] ?? .none, translator))]
        }
        func link(_ cursor: UserDirectory.Cursor?) -> MustacheValue {
            switch cursor {
            case .after(let key): .string("/admin/users" + Self.queryString(query, [("after", key)]))
            case .before(let key): .string("/admin/users" + Self.queryString(query, [("before", key)]))
            case nil: .null
            }
        }
        return Page(context, title: translator.text("Users"), [
            "q": .string(query.text), "users": .list(rows), "hasUsers": .bool(!rows.isEmpty), "total": .int(page.total),
            "totalText": .string(translator.number(page.total)),
            "next": link(page.next), "previous": link(page.previous), "searching": .bool(!query.text.isEmpty),
            "filters": .list(Self.filterNames(translator).map { ["value": .string($0.0.rawValue), "name": .string($0.1), "selected": .bool($0.0 == query.filter)] }),
            "sorts": .list(Self.sortNames(translator).map { ["value": .string($0.0.rawValue), "name": .string($0.1), "selected": .bool($0.0 == query.sort)] }),
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
        let translator = context.translator
        let never = translator.text("never")
        let mail: [MustacheValue] = try await services.admin.recentMail(to: user).map { entry in
            ["kind": .string(Self.mailKind(entry.kind, translator)), "recipient": .string(entry.recipient),
             "status": .string(Self.mailStatus(entry.status, translator)), "attempts": .string(translator.number(entry.attempts)),
             "error": entry.lastError.map(MustacheValue.string) ?? .null, "queued": .string(translator.dateTime(entry.createdAt)),
             "sent": .string(entry.sentAt.map(translator.dateTime) ?? "—")]
        }
        let sessionRows: [MustacheValue] = sessions.map { session in
            ["idHash": .string(session.idHash), "ip": .string(session.remoteIP ?? translator.text("unknown")),
             "agent": .string(session.userAgent.map { UserAgentSummary.describe($0, translator) } ?? translator.text("Unknown browser")),
             "since": .string(translator.dateTime(session.createdAt)), "lastSeen": .string(translator.dateTime(session.lastSeen))]
        }
        let accountRows: [MustacheValue] = accounts.map { account in
            ["id": .int(Int(account.id)), "provider": .string(providerName(account.provider)), "uid": .string(account.providerUID),
             "login": account.login.map(MustacheValue.string) ?? .null, "email": account.email.map(MustacheValue.string) ?? .null,
             "emailVerified": .bool(account.emailVerified), "scopes": .string(account.tokenScopes ?? ""),
             "status": .string(Self.tokenStatus(account.effectiveTokenStatus(now: now), translator)),
             "expires": .string(account.tokenExpiresAt.map(translator.dateTime) ?? never),
             "lastRefresh": .string(account.tokenLastRefreshAt.map(translator.dateTime) ?? never),
             "lastSignIn": .string(account.lastLoginAt.map(translator.dateTime) ?? never),
             "token": .string(masked[account.id] ?? translator.text("none", context: "token"))]
        }
        let isSelf = (try? admin(context).id) == user.id
        let window = throttle.window / 60
        return Page(context, title: user.username, [
            "user": MustacheValue(user), "joined": .string(translator.dateTime(user.createdAt)), "isSelf": .bool(isSelf),
            "sessions": .list(sessionRows), "hasSessions": .bool(!sessionRows.isEmpty),
            "accounts": .list(accountRows), "hasAccounts": .bool(!accountRows.isEmpty),
            "apiTokens": .string(translator.number(apiTokens)), "history": AdminController.auditRows(history, translator),
            // "Email" as a heading over the mail sent, not the address: German tells the two apart.
            "mail": .list(mail), "hasMail": .bool(!mail.isEmpty), "mailHeading": .string(translator.text("Email", context: "mail sent")),
            "mfa": ["summary": .string(Self.summary(factors, translator)), "any": .bool(factors != .none)],
            "failures": .string(translator.plural(one: "{{failures}} in the last minute", other: "{{failures}} in the last {{count}} minutes",
                                                  count: window, ["failures": translator.number(failures)])),
        ]).view("site/admin/user")
    }

    /// "authenticator app, 2 passkeys, 8 recovery codes left", or "none".
    static func summary(_ status: SecondFactorStatus, _ translator: Translator) -> String {
        var parts: [String] = []
        if status.totpEnabled { parts.append(translator.text("authenticator app")) }
        if status.passkeys > 0 { parts.append(translator.plural(one: "{{count}} passkey", other: "{{count}} passkeys", count: status.passkeys)) }
        if status.recoveryCodesLeft > 0 || status.isEnabled {
            parts.append(translator.plural(one: "{{count}} recovery code left", other: "{{count}} recovery codes left", count: status.recoveryCodesLeft))
        }
        return parts.isEmpty ? translator.text("none", context: "second factors") : parts.joined(separator: ", ")
    }

    /// What a queued mail was about, from its kind (`password_reset`); a kind this list does not
    /// know yet shows as its code, spaced out.
    static func mailKind(_ kind: String, _ translator: Translator) -> String {
        switch kind {
        case "email_changed": translator.text("email changed")
        case "email_in_use": translator.text("email in use")
        case "email_verification": translator.text("email verification")
        case "password_changed": translator.text("password changed")
        case "password_reset": translator.text("password reset")
        case "security_notice": translator.text("security notice")
        case "sign_in_code": translator.text("sign in code")
        default: kind.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Where a queued mail stands, in the reader's words.
    static func mailStatus(_ status: OutboxEntry.Status, _ translator: Translator) -> String {
        switch status {
        case .pending: translator.text("pending")
        case .sent: translator.text("sent")
        case .failed: translator.text("failed")
        }
    }

    /// Audit entries as template rows. The action is the stable event code and the detail what
    /// was recorded with it: both are shown as stored, in every language.
    static func auditRows(_ entries: [AuditEntry], _ translator: Translator) -> MustacheValue {
        .list(entries.map { entry in
            ["id": .int(Int(entry.id)), "action": .string(entry.action), "when": .string(translator.dateTime(entry.createdAt)),
             "actor": .string(entry.actorName ?? entry.actorID.map { "#\($0)" } ?? translator.text("system")),
             "actorID": entry.actorID.map { .int(Int($0)) } ?? .null,
             "target": entry.targetName.map(MustacheValue.string) ?? entry.targetID.map { .string("#\($0)") } ?? .null,
             "targetID": entry.targetID.map { .int(Int($0)) } ?? .null,
             "detail": .string(entry.detail), "ip": .string(entry.remoteIP ?? "")]
        })
    }
}
