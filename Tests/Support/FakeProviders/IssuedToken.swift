import Foundation

/// An access or refresh token a fake handed out.
struct IssuedToken: Sendable {
    /// Access or refresh.
    enum Kind: Sendable { case access, refresh }

    /// The token string.
    var value: String
    /// Access or refresh.
    var kind: Kind
    /// The user it speaks for.
    var userKey: String
    /// The client it was issued to.
    var clientID: String
    /// The scopes it carries.
    var scopes: [String]
    /// When it was issued.
    var issuedAt: Date
    /// When it stops working; nil for tokens that never expire (GitHub's `gho_`).
    var expiresAt: Date?
    /// Tokens descending from one authorization code share a family, so revoking (or detecting
    /// the replay of) one can revoke them all.
    var family: String
    /// Set once revoked.
    var revoked = false
}

/// What a fake knows about a token string presented to it.
enum TokenStatus: Sendable {
    /// Valid and usable.
    case active(IssuedToken)
    /// Issued here, but past its expiry.
    case expired(IssuedToken)
    /// Issued here, but revoked.
    case revoked(IssuedToken)
    /// Never issued here (or issued as the other kind).
    case unknown

    /// The token record whatever its state, nil when unknown.
    var record: IssuedToken? {
        switch self {
        case let .active(token), let .expired(token), let .revoked(token): token
        case .unknown: nil
        }
    }
}
