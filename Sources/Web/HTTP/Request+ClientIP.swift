extension Request {
    /// The client's IP address. With `trustedProxies` = N > 0, the site sits behind N proxies that
    /// each append the address they saw to `X-Forwarded-For`, so the client is the Nth entry from
    /// the right; entries further left were written by the client and prove nothing. With 0 the
    /// header is ignored entirely.
    public func clientIP(trustedProxies: Int) -> String {
        guard trustedProxies > 0 else { return remoteAddress }
        let hops = headers.values(for: "X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !hops.isEmpty else { return remoteAddress }
        return hops[max(0, hops.count - trustedProxies)]
    }
}

import Foundation
