import Accounts
import Foundation
import Identity
import IdentityWeb
import Web

/// Which requests need a sign-in within `REAUTHENTICATION_TIMEOUT` seconds. Rules are path
/// prefixes, so routes added later under them are covered without being listed.
struct ReauthenticationPolicy: Sendable {
    /// Unsafe requests (POST and the like) to these paths, or below these prefixes, act on
    /// something sensitive.
    static let actionPaths: Set<String> = ["/account/password", "/account/email", "/account/delete", "/account/api-tokens"]
    static let actionPrefixes = ["/account/connections/", "/account/security/", "/account/mfa/", "/account/delete/", "/admin/",
                                 // The second factors (Site/MFA): passkeys, the authenticator app, recovery codes.
                                 "/account/passkeys/", "/account/totp/", "/account/recovery-codes/"]
    /// Pages (GET) that lead straight to such an action or show secrets (recovery codes, an
    /// authenticator app's secret): asked before the page, so the form is not filled in vain.
    static let pagePaths: Set<String> = ["/account/delete", "/account/totp", "/account/recovery-codes"]
    static let pagePrefixes = ["/account/security/", "/account/mfa/", "/account/totp/", "/account/recovery-codes/"]
    /// Where re-authenticating happens: never guarded itself. Second-factor ways to
    /// re-authenticate belong under it too.
    static let reauthenticationPrefix = "/account/reauthenticate"

    let timeout: Int
    let clock: Clock

    /// The path as the router reads it: empty segments dropped, each segment percent-decoded,
    /// so `/account//password/` or `/account/%70assword` cannot slip past a rule the router
    /// would still route to the handler. Nil when a segment does not decode (the router
    /// refuses those anyway).
    static func routed(_ path: String) -> String? {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            // Foundation's decoding only where there is something to decode: it is most of this
            // function's cost, and it runs for every request.
            guard let segment = raw.utf8.contains(UInt8(ascii: "%")) ? String(raw).removingPercentEncoding : String(raw),
                  !segment.utf8.contains(UInt8(ascii: "/")) else { return nil }
            segments.append(segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Whether `request` needs a recent authentication.
    static func protects(_ request: Request) -> Bool {
        // Undecodable: guarded, to be safe (the router answers 400 after).
        guard let routed = routed(request.path) else { return true }
        let path = routed
        if path == reauthenticationPrefix || path.hasPrefix(reauthenticationPrefix + "/") { return false }
        if request.method == .get || request.method == .head {
            // `/account/security` itself (an overview) is free; the pages below it are not.
            return pagePaths.contains(path) || pagePrefixes.contains { path.hasPrefix($0) }
        }
        // A POST to `/account/mfa` itself counts as under `/account/mfa/`.
        if actionPaths.contains(path) || actionPrefixes.contains(where: { (path + "/").hasPrefix($0) }) { return true }
        // Connecting a provider adds a way into the account: someone at an unattended browser
        // could attach their own and keep it. As sensitive as disconnecting one.
        return path.hasPrefix("/auth/") && (try? request.form()["intent"]) == "connect"
    }

    /// Whether the session's sign-in is recent enough.
    func isFresh(_ session: Session) -> Bool {
        session.isRecentlyAuthenticated(now: clock.now(), within: timeout)
    }

    /// The re-authentication page, coming back to `next` afterwards.
    static func page(next: String?) -> String {
        reauthenticationPrefix + (next.map { "?next=" + FormData.encode($0) } ?? "")
    }
}

/// Sends a person whose sign-in is older than `REAUTHENTICATION_TIMEOUT` to the
/// re-authentication page before a sensitive request (see `ReauthenticationPolicy`). A page is
/// asked for again afterwards; an action is not replayed: the redirect goes back to the page
/// its form was on (the `Referer`, when it is ours), and the person submits it again. Either
/// way nothing happens until they have proven who they are.
struct RequireRecentAuthenticationMiddleware: Middleware {
    let policy: ReauthenticationPolicy
    let trustedProxies: Int

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser, ReauthenticationPolicy.protects(request), !policy.isFresh(context.session),
              // A non-admin's POST to /admin gets its 403 from the admin guard, not a detour.
              user.isAdmin || !(ReauthenticationPolicy.routed(request.path) ?? "").hasPrefix("/admin") else {
            return try await next.respond(to: request, context: context)
        }
        let back: String?
        if Self.wantsJSON(request) {
            // A page's script (adding a passkey) cannot follow a redirect to an HTML page: it
            // gets the page to send the person to, and goes there itself.
            back = formPage(of: request)
            context.logger.info("reauthentication_required", ["path": request.path])
            context.session.flash(context.translator.text("For your security, please confirm it is you, then try again."), kind: "info")
            return try Response(status: .unauthorized, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                                body: JSONBody.encode(["error": "Please confirm it is you first.", "code": "reauthentication_required",
                                                       "redirect": ReauthenticationPolicy.page(next: back)]))
        } else if request.method == .get || request.method == .head {
            back = LocalRedirect.path(request.head.target)
            context.session.flash(context.translator.text("Please confirm it is you to continue."), kind: "info")
        } else {
            back = formPage(of: request)
            context.logger.info("reauthentication_required", ["path": request.path])
            context.session.flash(context.translator.text("For your security, please confirm it is you, then try again."), kind: "info")
        }
        return Response(status: .seeOther, headers: ["Location": ReauthenticationPolicy.page(next: back)])
    }

    /// Whether the request came from a script that reads JSON (its body or `Accept` says so).
    static func wantsJSON(_ request: Request) -> Bool {
        let type = request.headers["Content-Type"]?.lowercased() ?? "", accept = request.headers["Accept"]?.lowercased() ?? ""
        return type.hasPrefix("application/json") || (accept.hasPrefix("application/json") && !accept.contains("text/html"))
    }

    /// The page a refused form was on: the `Referer` when it is a page of this site, else the
    /// page such forms live on.
    func formPage(of request: Request) -> String {
        if let referer = request.headers["Referer"], let url = URL(string: referer), let host = url.host,
           request.forwardedHost(trustedProxies: trustedProxies)?.lowercased() == host.lowercased() + (url.port.map { ":\($0)" } ?? ""),
           let path = LocalRedirect.path(url.path + (url.query.map { "?" + $0 } ?? "")),
           !path.hasPrefix(ReauthenticationPolicy.reauthenticationPrefix) {
            return path
        }
        let parts = (ReauthenticationPolicy.routed(request.path) ?? "").split(separator: "/")
        if parts.first == "admin" {
            // /admin/users/7/disable comes from /admin/users/7.
            return parts.count >= 3 && parts[1] == "users" ? "/admin/users/\(parts[2])" : "/admin"
        }
        return "/account"
    }
}
