/// Where a linked account's stored provider token stands. The stored values are `active`,
/// `reconnect` and `revoked` (`social_tokens.status`); `expired` is only ever derived, from an
/// active token past its expiry, and `none` means no token is stored.
public enum TokenStatus: String, Sendable, CaseIterable {
    /// Usable (or refreshable) as far as we know.
    case active
    /// The provider refused a refresh: the person must connect again.
    case reconnect
    /// Revoked here (by an administrator), whatever the provider says.
    case revoked
    /// Active but past its expiry (derived, never stored).
    case expired
    /// No token is stored for the account (derived, never stored).
    case none
}
