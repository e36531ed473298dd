/// The resources (RFC 8707) access tokens may be issued for: the provider's own resource
/// endpoints (userinfo and `/api/profile`, together named by the issuer URL) and the APIs listed
/// in `PROVIDER_RESOURCES`. A `resource` parameter naming anything else is `invalid_target`:
/// a token's audience is never a URI the client made up.
public struct KnownResources: Sendable {
    /// The identifier of the provider's own resource endpoints: the issuer URL. Also the
    /// audience of tokens issued without a `resource` parameter (RFC 9068 §3's default).
    public let own: String
    /// Every identifier a `resource` parameter may name, the provider's own first.
    public let all: [String]

    /// The provider's own endpoints (`own`, the issuer URL) and the configured resource servers.
    public init(own: String, others: [String]) {
        self.own = own
        all = [own] + others.filter { $0 != own }
    }

    /// Why a requested set of resources is refused.
    enum Refusal: Error, Equatable {
        /// A resource we do not serve tokens for (or a malformed one: it cannot match).
        case unknown(String)
        /// A resource the grant was not issued for (a token request may only narrow).
        case outsideGrant(String)
    }

    /// The requested resources, checked to be known and, when the grant named some, among
    /// those (`granted` empty: the grant named none, so any known resource may be asked for).
    /// Order is kept and repeats dropped.
    func check(_ requested: [String], within granted: [String] = []) throws(Refusal) -> [String] {
        var seen: [String] = []
        for resource in requested where !seen.contains(resource) {
            guard all.contains(resource) else { throw .unknown(resource) }
            if !granted.isEmpty && !granted.contains(resource) { throw .outsideGrant(resource) }
            seen.append(resource)
        }
        return seen
    }

    /// The audience a token carries: what was asked for, or the provider's own endpoints.
    func audience(_ resources: [String]) -> [String] { resources.isEmpty ? [own] : resources }
}
