import Foundation

/// Codes and tokens a fake has issued. A value type kept behind the fake's lock; every method
/// is one atomic step, so a code can only ever be redeemed once.
struct GrantStore: Sendable {
    /// How long an authorization code may wait before it is redeemed (GitHub and most providers: 10 min).
    static let codeLifetime: TimeInterval = 600

    /// Why a code cannot be redeemed.
    enum CodeProblem: Error, Sendable {
        /// Never issued here.
        case unknown
        /// Already redeemed once; carries the family of tokens the first redemption produced.
        case reused(family: String, Authorization)
        /// Issued, but older than `codeLifetime` (or expired by a test).
        case expired(Authorization)
    }

    private var codes: [String: (authorization: Authorization, expiresAt: Date)] = [:]
    private var redeemed: [String: Authorization] = [:]
    private var tokens: [String: IssuedToken] = [:]

    /// Stores `authorization` under `code` (fresh, chosen by the provider's format) and returns it.
    mutating func issueCode(_ authorization: Authorization, code: String, now: Date = Date()) -> String {
        codes[code] = (authorization, now.addingTimeInterval(Self.codeLifetime))
        return code
    }

    /// The authorization behind `code` without consuming it, so a provider can check the request
    /// first; `redeem` then consumes it atomically.
    func peek(_ code: String, now: Date = Date()) -> Result<Authorization, CodeProblem> {
        if let entry = codes[code] {
            return entry.expiresAt > now ? .success(entry.authorization) : .failure(.expired(entry.authorization))
        }
        if let authorization = redeemed[code] { return .failure(.reused(family: code, authorization)) }
        return .failure(.unknown)
    }

    /// Consumes `code`; the result says why it could not be when it was taken meanwhile.
    mutating func redeem(_ code: String, now: Date = Date()) -> Result<Authorization, CodeProblem> {
        let result = peek(code, now: now)
        if case let .success(authorization) = result {
            codes[code] = nil
            redeemed[code] = authorization
        }
        return result
    }

    /// Makes every outstanding code expired, as if ten minutes had passed.
    mutating func expireCodes() {
        let past = Date(timeIntervalSince1970: 0)
        for code in codes.keys { codes[code]?.expiresAt = past }
    }

    /// Issues and stores a token.
    mutating func issue(_ kind: IssuedToken.Kind, value: String, userKey: String, clientID: String, scopes: [String],
                        lifetime: TimeInterval?, family: String, now: Date = Date()) -> IssuedToken {
        let token = IssuedToken(value: value, kind: kind, userKey: userKey, clientID: clientID, scopes: scopes,
                                issuedAt: now, expiresAt: lifetime.map { now.addingTimeInterval($0) }, family: family)
        tokens[value] = token
        return token
    }

    /// What is known about `value` as a token of `kind` (either kind when nil).
    func status(of value: String, kind: IssuedToken.Kind? = .access, now: Date = Date()) -> TokenStatus {
        guard let token = tokens[value], kind == nil || token.kind == kind else { return .unknown }
        if token.revoked { return .revoked(token) }
        if let expiry = token.expiresAt, expiry <= now { return .expired(token) }
        return .active(token)
    }

    /// Revokes one token.
    mutating func revoke(_ value: String) { tokens[value]?.revoked = true }

    /// Revokes every token of a family.
    mutating func revokeFamily(_ family: String) {
        for (value, token) in tokens where token.family == family { tokens[value]?.revoked = true }
    }

    /// Revokes every token `clientID` holds for `userKey` (a GitHub grant, Facebook permissions).
    mutating func revokeAll(userKey: String, clientID: String) {
        for (value, token) in tokens where token.userKey == userKey && token.clientID == clientID {
            tokens[value]?.revoked = true
        }
    }

    /// Makes `value` expired now; false when it was never issued.
    mutating func expire(_ value: String) -> Bool {
        guard tokens[value] != nil else { return false }
        tokens[value]?.expiresAt = Date(timeIntervalSince1970: 0)
        return true
    }

    /// Makes every access token expired now.
    mutating func expireAllAccessTokens() {
        for (value, token) in tokens where token.kind == .access { tokens[value]?.expiresAt = Date(timeIntervalSince1970: 0) }
    }

    /// Every token issued so far, oldest first.
    var allTokens: [IssuedToken] { tokens.values.sorted { $0.issuedAt < $1.issuedAt } }
}
