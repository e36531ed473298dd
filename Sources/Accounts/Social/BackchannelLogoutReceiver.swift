import Foundation
import Identity
import Security
import Storage

/// The site as a back-channel logout client (OpenID Connect Back-Channel Logout 1.0 §2.6) of an
/// OpenID Connect provider (Latchkey ID): validates a logout token and ends the site sessions
/// that sign-ins through that provider created for its `sid` (or, without one, its `sub`).
public struct BackchannelLogoutReceiver: Sendable {
    static let event = "http://schemas.openid.net/event/backchannel-logout"
    /// The session value naming the sign-in: `provider sub sid`.
    public static let sessionKey = "upstream_logout"
    /// How old a logout token's `iat` may be (they are sent at once), and how far in the future.
    static let maxAge = 300, leeway = 60

    /// Why a logout token was refused; the endpoint answers 400 `invalid_request` with it.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed, badSignature(String), stale, missingEvents, noncePresent, noSubject, missingJTI, replayed, notOpenID
        public var description: String {
            switch self {
            case .malformed: "the logout token is not a JWT"
            case .badSignature(let why): "the logout token does not verify: \(why)"
            case .stale: "the logout token's iat is missing or outside the accepted window"
            case .missingEvents: "the logout token has no back-channel logout event"
            case .noncePresent: "a logout token must not carry a nonce"
            case .noSubject: "the logout token names neither sub nor sid"
            case .missingJTI: "the logout token has no jti"
            case .replayed: "this logout token was used already"
            case .notOpenID: "that provider does not sign in with OpenID Connect"
            }
        }
    }

    let social: SocialAuthService
    let database: any Database
    let now: @Sendable () -> Int

    public init(social: SocialAuthService, database: any Database, now: @escaping @Sendable () -> Int = { Clock.now }) {
        self.social = social
        self.database = database
        self.now = now
    }

    /// The value to keep in the session a sign-in through `provider` created.
    public static func sessionValue(provider: String, claims: Claims) -> String? {
        guard let sub = claims.string("sub"), !sub.contains(" ") else { return nil }
        return [provider, sub, claims.string("sid") ?? ""].joined(separator: " ")
    }

    /// Validates `token` from `provider` and ends the sessions it names; how many ended.
    public func receive(_ token: String, provider id: String) async throws -> Int {
        let (provider, api) = try await social.registry.resolve(id)
        guard let openID = provider.openID else { throw Refusal.notOpenID }
        guard (try? JWT.parse(token)) != nil else { throw Refusal.malformed }
        let now = now()
        let claims: Claims
        do {
            // Signature (refetching the JWKS once for an unknown kid), iss, aud, exp; never a nonce.
            claims = try await social.registry.jwks.verify(token, settings: OpenIDSettings(issuer: openID.issuer, jwksURL: openID.jwksURL,
                                                                                          checksNonce: false), api: api, nonce: nil, now: now)
        } catch {
            throw Refusal.badSignature("\(error)")
        }
        guard let iat = claims.int("iat"), iat >= now - Self.maxAge, iat <= now + Self.leeway else { throw Refusal.stale }
        guard claims["events"]?.objectValue?[Self.event]?.objectValue != nil else { throw Refusal.missingEvents }
        guard claims["nonce"] == nil else { throw Refusal.noncePresent }
        let sub = claims.string("sub"), sid = claims.string("sid")
        guard sub != nil || sid != nil else { throw Refusal.noSubject }
        guard let jti = claims.string("jti"), !jti.isEmpty, jti.utf8.count <= 256 else { throw Refusal.missingJTI }
        let expires = max(claims.int("exp") ?? 0, iat + Self.maxAge) + Self.leeway
        return try await database.write { db in
            // The jti and the logout in one transaction: a replay racing the first finds the row.
            guard try db.execute("INSERT INTO backchannel_logout_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING",
                                 id + " " + jti, expires) == 1 else { throw Refusal.replayed }
            _ = try db.execute("DELETE FROM backchannel_logout_jtis WHERE expires_at < ?", now)
            return try Self.endSessions(provider: id, sub: sub, sid: sid, in: db)
        }
    }

    /// Deletes the sessions whose sign-in through `provider` matches `sid` (or `sub`, without a sid).
    static func endSessions(provider: String, sub: String?, sid: String?, in db: any Connection) throws -> Int {
        // Candidates by an index where possible: the user linked to `sub`, else a text prefilter on the sid.
        let rows: [Row]
        if let sub, let user = try db.queryOne("SELECT user_id FROM social_accounts WHERE provider = ? AND provider_uid = ?", provider, sub)?.int64("user_id") {
            rows = try db.query("SELECT id_hash, data FROM sessions WHERE user_id = ?", user)
        } else if let sid {
            // The sid as a literal: LIKE's wildcards and the escape character escaped, every other
            // character kept (sids are base64url, so `-` and `_` are common).
            var literal = ""
            for character in sid {
                if character == "%" || character == "_" || character == "\\" { literal.append("\\") }
                literal.append(character)
            }
            rows = try db.query("SELECT id_hash, data FROM sessions WHERE data LIKE ? ESCAPE '\\'", "%" + literal + "%")
        } else {
            return 0
        }
        var ended = 0
        for row in rows {
            let values = (try? JSONDecoder().decode([String: String].self, from: Data(try row.string("data").utf8))) ?? [:]
            let parts = (values[sessionKey] ?? "").split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[0] == provider else { continue }
            let matches = sid.map { parts[2] == $0 && (sub == nil || parts[1] == sub) } ?? (parts[1] == sub)
            if matches { ended += try db.execute("DELETE FROM sessions WHERE id_hash = ?", try row.string("id_hash")) }
        }
        return ended
    }
}
