import Security
import Web

/// The identity providers this site knows, built from configuration. A provider is enabled when
/// its client id and secret are set; otherwise it is listed as disabled with the reason, which
/// start-up logs and the admin console show. Adding a provider is one file in `Providers/` and
/// one line in `entries(_:)`.
public struct ProviderRegistry: Sendable {
    /// A provider's status and, when enabled, how to get its definition.
    public struct Entry: Sendable {
        public let id: String
        public let displayName: String
        /// Why it is off; nil when enabled.
        public let disabledReason: String?
        let api: ProviderAPI?
        let resolve: @Sendable () async throws(SocialAuthError) -> ProviderDefinition

        public var isEnabled: Bool { disabledReason == nil }
    }

    /// Every known provider, in display order.
    public let entries: [Entry]
    let jwks = JWKSCache()
    /// The Graph API version every Facebook URL carries (`FACEBOOK_GRAPH_VERSION`).
    public let facebookGraphVersion: String
    /// graph.facebook.com, or its configured replacement.
    let facebookGraphBase: String

    /// Providers configured from `environment` (`GITHUB_CLIENT_ID`, …), calling out through `http`.
    public init(environment env: [String: String], http: any HTTPClient) {
        func value(_ key: String, _ fallback: String = "") -> String {
            let v = env[key] ?? ""
            return v.isEmpty ? fallback : (v.hasSuffix("/") ? String(v.dropLast()) : v)
        }
        func entry(_ id: String, _ name: String, prefix: String, extraReason: String? = nil,
                   _ definition: @escaping @Sendable () async throws(SocialAuthError) -> ProviderDefinition) -> Entry {
            let clientID = value("\(prefix)_CLIENT_ID"), secret = value("\(prefix)_CLIENT_SECRET")
            var reason: String?
            if clientID.isEmpty || secret.isEmpty { reason = "\(prefix)_CLIENT_ID and \(prefix)_CLIENT_SECRET are not both set" }
            if reason == nil { reason = extraReason }
            let api = reason == nil ? ProviderAPI(clientID: clientID, clientSecret: secret, http: http) : nil
            return Entry(id: id, displayName: name, disabledReason: reason, api: api, resolve: definition)
        }

        let github = (value("GITHUB_AUTH_URL", "https://github.com"), value("GITHUB_API_URL", "https://api.github.com"))
        let facebook = (value("FACEBOOK_WWW_URL", "https://www.facebook.com"), value("FACEBOOK_GRAPH_URL", "https://graph.facebook.com"),
                        value("FACEBOOK_GRAPH_VERSION", "v25.0"))
        facebookGraphBase = facebook.1
        facebookGraphVersion = facebook.2
        let linkedIn = (value("LINKEDIN_AUTH_URL", "https://www.linkedin.com"), value("LINKEDIN_API_URL", "https://api.linkedin.com"))
        let sibling = value("SIBLING_PROVIDER_URL")
        let siblingName = value("SIBLING_NAME", "Latchkey ID")
        let discovery = value("OIDC_DISCOVERY_URL")
        let oidcName = value("OIDC_NAME", "OpenID Connect")
        let oidcScopes = value("OIDC_SCOPES", "openid profile email").split(separator: " ").map(String.init)
        let discoveryCache = DiscoveryCache()

        var entries = [
            entry("github", "GitHub", prefix: "GITHUB") { .github(authBase: github.0, apiBase: github.1) },
            entry("facebook", "Facebook", prefix: "FACEBOOK") { .facebook(wwwBase: facebook.0, graphBase: facebook.1, version: facebook.2) },
            entry("linkedin", "LinkedIn", prefix: "LINKEDIN") { .linkedIn(authBase: linkedIn.0, apiBase: linkedIn.1) },
            entry("sibling", siblingName, prefix: "SIBLING", extraReason: sibling.isEmpty ? "SIBLING_PROVIDER_URL is not set" : nil) {
                .sibling(base: sibling, displayName: siblingName)
            },
        ]
        let oidcAPI = ProviderAPI(clientID: value("OIDC_CLIENT_ID"), clientSecret: value("OIDC_CLIENT_SECRET"), http: http)
        entries.append(entry("oidc", oidcName, prefix: "OIDC", extraReason: discovery.isEmpty ? "OIDC_DISCOVERY_URL is not set" : nil) {
            () async throws(SocialAuthError) -> ProviderDefinition in
            let document = try await discoveryCache.document(at: discovery, api: oidcAPI)
            return try .genericOIDC(discovery: document, displayName: oidcName, scopes: oidcScopes)
        })
        self.entries = entries
    }

    /// The entry for `id`, enabled or not.
    public func entry(_ id: String) -> Entry? { entries.first { $0.id == id } }

    /// The enabled providers.
    public var enabled: [Entry] { entries.filter(\.isEnabled) }

    /// The definition and API of an enabled provider.
    func resolve(_ id: String) async throws(SocialAuthError) -> (ProviderDefinition, ProviderAPI) {
        guard let entry = entry(id), let api = entry.api else { throw .unknownProvider(id) }
        return (try await entry.resolve(), api)
    }
}

/// The generic provider's discovery document, fetched once.
actor DiscoveryCache {
    private var document: JSONValue?

    func document(at url: String, api: ProviderAPI) async throws(SocialAuthError) -> JSONValue {
        if let document { return document }
        let fetched = try await api.getJSON(url).json
        document = fetched
        return fetched
    }
}
