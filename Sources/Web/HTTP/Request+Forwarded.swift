extension Request {
    /// The scheme the client used: `https` when a trusted proxy says so in `X-Forwarded-Proto`
    /// (the value appended by the nearest of our `trustedProxies`), else `http`. With no
    /// trusted proxies the header is ignored: anyone can send it.
    public func forwardedScheme(trustedProxies: Int) -> String {
        guard trustedProxies > 0, let value = lastForwarded("X-Forwarded-Proto")?.lowercased(), value == "https" || value == "http" else {
            return "http"
        }
        return value
    }

    /// The host the client asked for: `X-Forwarded-Host` from a trusted proxy, else `Host`.
    public func forwardedHost(trustedProxies: Int) -> String? {
        if trustedProxies > 0, let host = lastForwarded("X-Forwarded-Host"), Self.isPlausibleHost(host) { return host }
        return headers["Host"].flatMap { Self.isPlausibleHost($0) ? $0 : nil }
    }

    private func lastForwarded(_ name: String) -> String? {
        headers.values(for: name).flatMap { $0.split(separator: ",") }.last.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A host[:port] made of the characters hosts have; anything else is not worth echoing into a URL.
    static func isPlausibleHost(_ host: String) -> Bool {
        !host.isEmpty && host.utf8.count <= 255 && host.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x3A
                || b == 0x5B || b == 0x5D
        }
    }
}

import Foundation
