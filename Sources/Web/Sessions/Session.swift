import Foundation

/// A visitor's server-side session, as handlers see it: who is signed in, small string values,
/// flash messages and the CSRF token. Changes are saved by `SessionMiddleware` after the
/// handler returns; nothing is stored for a visitor until something is written.
///
/// Like the request context that carries it, a session belongs to one request's task.
public final class Session: @unchecked Sendable {
    /// A one-time message shown on the next page.
    public struct Flash: Codable, Sendable, Equatable {
        /// `success`, `error` or `info`: also the CSS class.
        public let kind: String
        public let message: String
    }

    /// The signed-in user's id, if any.
    public private(set) var userID: Int64?
    /// When the session was created (Unix seconds); the absolute expiry counts from here.
    public private(set) var createdAt: Int
    private(set) var values: [String: String]
    private(set) var isDirty = false
    private(set) var wantsNewID = false
    private(set) var isDestroyed = false
    /// The SHA-256 of the id this session was loaded under; nil for a new session.
    public let loadedIDHash: String?
    let lastSeen: Int
    private let loadedOwner: SessionOwner?

    /// What the store read about the signed-in user with the session (see `SessionOwner`), as
    /// long as the same user is still signed in; nil when it read nothing or someone else signed
    /// in since.
    public var owner: SessionOwner? {
        guard let loadedOwner, userID != nil, !wantsNewID else { return nil }
        return loadedOwner
    }

    /// The CSRF token a new, anonymous visitor carries in its own cookie (see `csrfToken`).
    private(set) var cookieCSRFToken: String?
    /// Whether `cookieCSRFToken` was made for this response and must be set as a cookie.
    private(set) var cookieCSRFTokenIsNew = false

    init(record: SessionRecord?, now: Int, csrfCookie: String? = nil) {
        userID = record?.userID
        values = record?.values ?? [:]
        createdAt = record?.createdAt ?? now
        loadedIDHash = record?.idHash
        loadedOwner = record?.userID == nil ? nil : record?.owner
        lastSeen = record?.lastSeen ?? now
        cookieCSRFToken = csrfCookie
    }

    /// A free-form value stored in the session.
    public subscript(key: String) -> String? {
        get { values[key] }
        set {
            guard values[key] != newValue else { return }
            values[key] = newValue
            isDirty = true
        }
    }

    /// Signs `userID` in. The session gets a new id (the old one is deleted), so an id planted
    /// before sign-in is worthless after it (session fixation).
    public func signIn(userID: Int64) {
        self.userID = userID
        values["_csrf"] = nil
        wantsNewID = true
        isDirty = true
    }

    /// Whether the person asked to stay signed in ("keep me signed in"): the cookie then
    /// outlives the browser (`Max-Age`). Otherwise a signed-in session's cookie is a browser-session
    /// cookie, gone when the browser closes, and the stored session ends after a shorter idle time
    /// (`SessionMiddleware.Settings.browserSessionIdleTimeout`): the right default on a shared computer.
    public var keepsSignedIn: Bool {
        get { values[Self.keepKey] == "1" }
        set { self[Self.keepKey] = newValue ? "1" : nil }
    }
    static let keepKey = "_keep"

    /// Forgets everything, deletes the stored session and expires the cookie.
    public func destroy() {
        isDestroyed = true
        userID = nil
        values = [:]
    }

    /// Gives the session a new id while keeping its contents (e.g. after a password change).
    public func rotateID() {
        wantsNewID = true
        isDirty = true
    }

    /// Queues a message for the next page.
    public func flash(_ message: String, kind: String = "info") {
        var list = flashes
        list.append(Flash(kind: kind, message: message))
        values["_flash"] = String(decoding: (try? JSONEncoder().encode(list)) ?? Data(), as: UTF8.self)
        isDirty = true
    }

    /// Takes the queued messages: they are shown once.
    public func takeFlashes() -> [Flash] {
        let list = flashes
        if !list.isEmpty {
            values["_flash"] = nil
            isDirty = true
        }
        return list
    }

    private var flashes: [Flash] {
        guard let json = values["_flash"] else { return [] }
        return (try? JSONDecoder().decode([Flash].self, from: Data(json.utf8))) ?? []
    }

    /// Whether the response shows something meant for this visitor alone (it is signed in, or a
    /// form carries its CSRF token), which no cache may keep.
    var isPersonal: Bool { userID != nil || csrfTokenShown }
    private(set) var csrfTokenShown = false

    /// The CSRF token for forms, created on first use. A visitor with a stored session keeps it
    /// there; a new, anonymous visitor (a sign-in or sign-up form) gets it in a cookie of its own
    /// instead (the double-submit pattern), so showing a form to a stranger writes no row.
    public var csrfToken: String {
        csrfTokenShown = true
        if let token = values["_csrf"] { return token }
        if userID == nil && loadedIDHash == nil && !isDirty {
            if let token = cookieCSRFToken { return token }
            let token = SessionMiddleware.newToken()
            cookieCSRFToken = token
            cookieCSRFTokenIsNew = true
            return token
        }
        let token = SessionMiddleware.newToken()
        values["_csrf"] = token
        isDirty = true
        return token
    }

    /// The token an unsafe request must carry: the stored session's, or (for a visitor signed in
    /// to nothing) the one in its CSRF cookie.
    var expectedCSRFToken: String? { values["_csrf"] ?? (userID == nil ? cookieCSRFToken : nil) }
}

/// The context key under which `SessionMiddleware` stores the session.
public enum SessionKey: ContextKey {
    public typealias Value = Session
}

extension RequestContext {
    /// The visitor's session (requires `SessionMiddleware` in the chain).
    public var session: Session {
        guard let session = self[SessionKey.self] else { preconditionFailure("SessionMiddleware is not installed") }
        return session
    }
}
