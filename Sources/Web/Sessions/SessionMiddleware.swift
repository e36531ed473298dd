import Foundation
import Security

/// Loads the session named by the cookie, hands it to the rest of the chain, and saves what
/// changed. The cookie carries a random 256-bit id; the store only ever sees its SHA-256.
///
/// Expiry slides: each visit pushes `expiresAt` forward by `idleTimeout` (written at most once a
/// minute, so reading pages does not write the database on every request), but never past
/// `createdAt + absoluteTimeout`. An unknown, malformed, tampered or expired cookie simply means
/// a fresh, signed-out session.
public struct SessionMiddleware: Middleware {
    /// Cookie and lifetime settings.
    public struct Settings: Sendable {
        public var cookieName: String
        /// Adds `Secure` to the cookie (the site is served over HTTPS).
        public var secure: Bool
        public var idleTimeout: Int
        public var absoluteTimeout: Int
        /// The idle limit of a signed-in session whose person did not ask to stay signed in (its
        /// cookie has no `Max-Age` and dies with the browser; this ends the row on a browser left open).
        public var browserSessionIdleTimeout: Int
        /// Paths served without touching the session store (an app's health check must answer
        /// even when the database is down): they get an empty session that is never saved.
        public var exemptPaths: Set<String>
        /// The cookie that carries a new, anonymous visitor's CSRF token (no session row is made
        /// just to show a form): the session cookie's name with `_csrf`.
        public var csrfCookieName: String { cookieName + "_csrf" }
        /// Proxies in front of the site, so the address recorded with a session is the client's
        /// (see `Request.clientIP(trustedProxies:)`), not the proxy's.
        public var trustedProxies: Int

        /// Settings with the defaults: two weeks idle (twelve hours for a browser session), thirty
        /// days at most, no proxies, no exempt paths.
        public init(cookieName: String, secure: Bool = false, idleTimeout: Int = 14 * 86_400, absoluteTimeout: Int = 30 * 86_400,
                    browserSessionIdleTimeout: Int = 12 * 3_600, trustedProxies: Int = 0, exemptPaths: Set<String> = []) {
            self.browserSessionIdleTimeout = browserSessionIdleTimeout
            self.cookieName = cookieName
            self.exemptPaths = exemptPaths
            self.secure = secure
            self.idleTimeout = idleTimeout
            self.absoluteTimeout = absoluteTimeout
            self.trustedProxies = trustedProxies
        }
    }

    private let store: any SessionStore
    private let settings: Settings
    private let now: @Sendable () -> Int

    /// A session middleware over `store`.
    public init(store: any SessionStore, settings: Settings, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.store = store
        self.settings = settings
        self.now = now
    }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        let now = now()
        if settings.exemptPaths.contains(request.path) {
            context[SessionKey.self] = Session(record: nil, now: now)
            return try await next.respond(to: request, context: context)
        }
        var record: SessionRecord?
        let cookies = request.cookies
        if let id = cookies[settings.cookieName], Self.isWellFormed(id) {
            record = try await store.load(idHash: Self.hash(id))
            if let found = record, found.expiresAt <= now || found.createdAt + settings.absoluteTimeout <= now {
                try await store.delete(idHash: found.idHash)
                record = nil
            }
        }
        let csrfCookie = cookies[settings.csrfCookieName].flatMap { Self.isWellFormed($0) ? $0 : nil }
        let session = Session(record: record, now: now, csrfCookie: csrfCookie)
        context[SessionKey.self] = session
        var response = try await next.respond(to: request, context: context)
        // A signed-in page or a form with this visitor's CSRF token must not be kept by a shared
        // cache or the browser's history cache (a later user of the computer would see it).
        if (session.isPersonal || record?.userID != nil) && response.headers["Cache-Control"] == nil {
            response.headers.set("Cache-Control", "no-store")
        }
        try await persist(session, request: request, response: &response, now: now)
        return response
    }

    private func persist(_ session: Session, request: Request, response: inout Response, now: Int) async throws {
        if session.cookieCSRFTokenIsNew, let token = session.cookieCSRFToken {
            response.setCookie(Cookie(name: settings.csrfCookieName, value: token, maxAge: settings.absoluteTimeout, secure: settings.secure))
        }
        let client = SessionClient(remoteIP: request.clientIP(trustedProxies: settings.trustedProxies), userAgent: request.headers["User-Agent"])
        if session.isDestroyed {
            if let old = session.loadedIDHash { try await store.delete(idHash: old) }
            response.setCookie(.expired(settings.cookieName, secure: settings.secure))
            return
        }
        // Signed in without "keep me signed in": a browser-session cookie, and a shorter idle limit.
        let browserSession = session.userID != nil && !session.keepsSignedIn
        let idle = browserSession ? min(settings.idleTimeout, settings.browserSessionIdleTimeout) : settings.idleTimeout
        let expiresAt = min(now + idle, session.createdAt + settings.absoluteTimeout)
        if session.loadedIDHash == nil || session.wantsNewID {
            guard session.isDirty else { return }
            if let old = session.loadedIDHash { try await store.delete(idHash: old) }
            let id = Self.newToken()
            try await store.save(SessionRecord(idHash: Self.hash(id), userID: session.userID, values: session.values,
                                               createdAt: session.createdAt, lastSeen: now, expiresAt: expiresAt), client: client)
            response.setCookie(Cookie(name: settings.cookieName, value: id, maxAge: browserSession ? nil : expiresAt - now, secure: settings.secure))
        } else if session.isDirty || now - session.lastSeen >= 60 {
            let kept = try await store.update(SessionRecord(idHash: session.loadedIDHash!, userID: session.userID, values: session.values,
                                                            createdAt: session.createdAt, lastSeen: now, expiresAt: expiresAt), client: client)
            // Ended elsewhere (signed out, password changed) while this request ran: stay ended.
            if !kept { response.setCookie(.expired(settings.cookieName, secure: settings.secure)) }
        }
    }

    /// A random 256-bit value, base64url-encoded (43 characters).
    public static func newToken() -> String { SecureRandom.token(byteCount: 32) }

    /// The stored form of a session id.
    public static func hash(_ id: String) -> String { Hex.encode(SHA256.hash(id)) }

    /// Ids we issue are exactly 43 base64url characters; anything else is not worth a lookup.
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }
}
