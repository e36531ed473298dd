import Foundation

/// Connection settings for PostgreSQL, parsed from a `postgres://` URL.
public struct PostgresConfiguration: Sendable, Equatable {
    /// How hard libpq insists on TLS (libpq's `sslmode`, passed through unchanged).
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never use TLS.
        case disable
        /// TLS only if the server insists.
        case allow
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS always, without verifying the certificate.
        case require
        /// TLS with a certificate signed by a trusted CA.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate whose name matches the host.
        case verifyFull = "verify-full"
    }

    /// Host name, IP address, or socket directory; nil for libpq's default.
    public var host: String?
    /// TCP port; nil for libpq's default (5432).
    public var port: Int?
    /// Role to connect as.
    public var user: String?
    /// Password for `user`.
    public var password: String?
    /// Database name; nil for libpq's default (the user name).
    public var database: String?
    /// TLS mode; nil for libpq's default.
    public var sslMode: SSLMode?
    /// Most connections the pool opens at once (`?pool=`, default 10).
    public var poolSize: Int
    /// Any other query parameters (`connect_timeout`, `application_name`, `options`, …), handed to
    /// libpq as connection keywords.
    public var parameters: [String: String]

    /// Settings built field by field.
    public init(host: String? = nil, port: Int? = nil, user: String? = nil, password: String? = nil,
                database: String? = nil, sslMode: SSLMode? = nil, poolSize: Int = 10,
                parameters: [String: String] = [:]) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.poolSize = poolSize
        self.parameters = parameters
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    public init(url: String) throws(DatabaseError) {
        let shape = "postgres URLs look like postgres://user:password@host:5432/dbname?sslmode=require"
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme)
        else {
            throw .badURL("not a valid URL (percent-encode characters such as @ : / in the user name "
                + "and password); " + shape)
        }
        guard url.dropFirst(scheme.count + 1).hasPrefix("//") else { throw .badURL(shape) }
        self.init()
        // "[::1]" → "::1" and "%2Ftmp" → "/tmp" (a socket directory), the forms libpq expects.
        host = components.host.flatMap { host in
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return bare.isEmpty ? nil : bare.removingPercentEncoding ?? bare
        }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw .badURL("port \(port) is out of range 1–65535") }
            self.port = port
        }
        user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw .badURL("database name '\(path)' contains a '/'; " + shape) }
        database = path.isEmpty ? nil : path
        try applyQuery(components.queryItems ?? [])
    }

    private mutating func applyQuery(_ items: [URLQueryItem]) throws(DatabaseError) {
        for item in items {
            guard let value = item.value, !value.isEmpty else {
                throw .badURL("query parameter '\(item.name)' has no value")
            }
            switch item.name {
            case "pool":
                guard let size = Int(value), (1...1000).contains(size) else {
                    throw .badURL("pool=\(value) is not a whole number from 1 to 1000")
                }
                poolSize = size
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let valid = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw .badURL("sslmode=\(value) is not one of \(valid)")
                }
                sslMode = mode
            case "password", "user", "dbname", "port":
                throw .badURL("give \(item.name) in the URL itself, not as a query parameter")
            default:
                parameters[item.name] = value
            }
        }
    }

    /// libpq keyword/value pairs for `PQconnectdbParams`.
    var connectionKeywords: [(String, String)] {
        var pairs: [(String, String)] = [("client_encoding", "UTF8"), ("connect_timeout", "10"),
                                         ("application_name", "latchkey")]
        let fixed: [(String, String?)] = [("host", host), ("port", port.map(String.init)), ("user", user),
                                          ("password", password), ("dbname", database),
                                          ("sslmode", sslMode?.rawValue)]
        for (key, value) in fixed { if let value { pairs.append((key, value)) } }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, value))
        }
        return pairs
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// The settings as a URL with the password masked, fit for start-up logs.
    public var description: String {
        var text = "postgres://"
        if let user { text += user + (password == nil ? "" : ":***") + "@" }
        text += host ?? ""
        if let port { text += ":\(port)" }
        text += "/" + (database ?? "")
        var query = ["pool=\(poolSize)"]
        if let sslMode { query.append("sslmode=\(sslMode.rawValue)") }
        query += parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return text + "?" + query.joined(separator: "&")
    }
}
