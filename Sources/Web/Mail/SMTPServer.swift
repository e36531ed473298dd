import Foundation

/// Where and how outbound mail is handed over, from a URL: `smtp://user:pass@host:587` (STARTTLS
/// required, certificate verified), `smtps://host:465` (TLS from the first byte), and
/// `smtp://host:1025?tls=none` (plain text, accepted only for a loopback host: a local sink).
public struct SMTPServer: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable { case startTLS, implicitTLS, none }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    /// A PEM file of extra trusted certificates (a private CA), or nil for the system's.
    public var caFile: String?

    /// Why an `EMAIL_URL` was refused.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Parses `url`; `caFile` is added to the trusted certificates.
    public init(url: String, caFile: String? = nil) throws(Invalid) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["smtp", "smtps"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw Invalid(reason: "must be smtp://user:password@host:587, smtps://host:465, console: or off")
        }
        self.host = host
        username = components.user?.removingPercentEncoding
        password = components.password?.removingPercentEncoding
        let tlsNone = components.queryItems?.contains { $0.name == "tls" && $0.value == "none" } ?? false
        if let unknown = components.queryItems?.first(where: { !($0.name == "tls" && $0.value == "none") }) {
            throw Invalid(reason: "has an unknown parameter \(unknown.name) (only tls=none, for a loopback sink)")
        }
        if scheme == "smtps" {
            guard !tlsNone else { throw Invalid(reason: "cannot be smtps and tls=none at once") }
            security = .implicitTLS
        } else {
            security = tlsNone ? .none : .startTLS
        }
        if security == .none && !Self.isLoopback(host) {
            throw Invalid(reason: "may only turn TLS off (tls=none) for a loopback host, not \(host): mail would cross the network in clear")
        }
        port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65535).contains(port) else { throw Invalid(reason: "has a port out of range") }
        self.caFile = caFile
    }

    /// `localhost`, `127.x.x.x` or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The server without its password, for logs.
    public var description: String {
        "\(security == .implicitTLS ? "smtps" : "smtp")://\(username.map { $0 + "@" } ?? "")\(host):\(port)"
            + (security == .none ? "?tls=none" : "")
    }
}
