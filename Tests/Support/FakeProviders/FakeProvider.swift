import Foundation
import Web

/// What every fake offers tests: where it listens, what it received, faults to inject, and
/// control over the codes and tokens it issued.
public protocol FakeProvider: AnyObject, Sendable {
    /// The shared machinery behind the fake.
    var server: FakeServer { get }
}

extension FakeProvider {
    /// `http://127.0.0.1:<port>`: both the browser-facing and the API paths live under it.
    public var baseURL: String { server.baseURL }

    /// Every request received so far, in arrival order.
    public var receivedRequests: [RecordedRequest] { server.log.all }

    /// The requests received for `path` (without query), in arrival order.
    public func requests(to path: String) -> [RecordedRequest] { server.log.all.filter { $0.path == path } }

    /// Forgets the requests received so far.
    public func clearReceivedRequests() { server.log.clear() }

    /// Shows `fault` to the next `times` requests to `endpoint` (use `.max` for "from now on").
    public func inject(_ fault: FakeFault, on endpoint: FakeEndpoint, times: Int = 1) {
        server.faults.inject(fault, on: endpoint, times: times)
    }

    /// Drops every pending fault.
    public func clearFaults() { server.faults.clear() }

    /// Expires every outstanding authorization code, as if ten minutes had passed.
    public func expireAuthorizationCodes() { server.grants.withLock { $0.expireCodes() } }

    /// Expires one access or refresh token now; false when this fake never issued it.
    @discardableResult
    public func expireToken(_ token: String) -> Bool { server.grants.withLock { $0.expire(token) } }

    /// Expires every access token issued so far.
    public func expireAllAccessTokens() { server.grants.withLock { $0.expireAllAccessTokens() } }

    /// Whether `token` (access or refresh) was issued here and is neither expired nor revoked.
    public func isTokenActive(_ token: String) -> Bool {
        if case .active = server.grants.withLock({ $0.status(of: token, kind: nil) }) { return true }
        return false
    }

    /// The access tokens issued so far, oldest first.
    public var issuedAccessTokens: [String] {
        server.grants.withLock { $0.allTokens.filter { $0.kind == .access }.map(\.value) }
    }

    /// Stops the server and waits for it to drain.
    public func stop() async { await server.stop() }
}
