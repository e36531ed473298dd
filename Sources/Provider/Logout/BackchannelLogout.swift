import Foundation
import Identity
import Security
import Storage
import Web

/// The claims of a logout token (OpenID Connect Back-Channel Logout 1.0 §2.4): never a `nonce`.
struct LogoutTokenClaims: Encodable {
    let iss: String
    let aud: String
    let iat: Int
    let exp: Int
    let jti: String
    let sub: String
    let sid: String
    let events: [String: [String: String]]
}

/// Tells every client with a grant from an ending provider session, at its registered
/// `backchannel_logout_uri`, with a logout token signed by the provider's key. Through the Web
/// framework's outbound client with a short timeout; failures are logged and never block or
/// undo the logout (§2.8: the OP cannot make the RP log out).
public struct BackchannelLogout: Sendable {
    static let event = "http://schemas.openid.net/event/backchannel-logout"
    /// A logout token is used at once; two minutes cover clock skew.
    static let lifetime = 120

    let issuer: String
    let keys: SigningKeys
    let database: any Database
    let clock: Clock
    let http: any HTTPClient

    /// A logout token for `clientID` about `sub` in session `sid`.
    func token(clientID: String, sub: String, sid: String, now: Int) throws -> String {
        try JWT.sign(claims: LogoutTokenClaims(iss: issuer, aud: clientID, iat: now, exp: now + Self.lifetime,
                                               jti: SecureRandom.token(byteCount: 16), sub: sub, sid: sid, events: [Self.event: [:]]),
                     key: keys.active, kid: keys.activeKeyID)
    }

    /// Sends the logout tokens for session `sid` of `userID`, all at once; returns when every
    /// client has answered or timed out. How many accepted (2xx).
    @discardableResult
    public func notify(sid: String, userID: Int64, logger: Logger) async -> Int {
        let targets: [(clientID: String, uri: String)]
        do {
            targets = try await database.read { db in
                try LogoutSessions.clients(sid: sid, in: db).compactMap { id in
                    try ClientLogoutSettings.find(clientID: id, in: db)?.backchannelLogoutURI.map { (id, $0) }
                }
            }
        } catch {
            logger.error("backchannel_logout_failed", ["reason": "\(error)"])
            return 0
        }
        let now = clock.now()
        return await withTaskGroup(of: Bool.self) { group in
            for target in targets {
                group.addTask {
                    do {
                        let token = try token(clientID: target.clientID, sub: String(userID), sid: sid, now: now)
                        let response = try await http.send(.post(target.uri, form: [("logout_token", token)]))
                        let ok = (200..<300).contains(response.status)
                        logger.log(ok ? .info : .warning, "backchannel_logout", ["client_id": target.clientID, "status": response.status])
                        return ok
                    } catch {
                        logger.warning("backchannel_logout", ["client_id": target.clientID, "error": "\(error)"])
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }
}

extension ProviderServices {
    /// Back-channel logout, signed with the provider's keys.
    public var backchannelLogout: BackchannelLogout {
        BackchannelLogout(issuer: configuration.baseURL, keys: signingKeys, database: core.database, clock: core.clock, http: logoutHTTP)
    }
}
