import Identity
import Security
import Web

/// The identity providers this site knows, built from configuration. A provider is enabled when
/// its client id and secret are set; otherwise it is listed as disabled with the reason, which
/// start-up logs and the admin console show.
///
/// Adding a provider is one file in `Providers/` (its definition, its profile mapper and an
/// `Entry` factory that reads its own settings), one line in `known`, and its fake for the
/// shared contract tests. Nothing else lists providers: the API's OpenAPI enum, the admin pages
/// and the start-up log read `entries`.
public struct ProviderRegistry: Sendable {
    /// A provider's status and, when enabled, how to get its definition.
    public struct Entry: Sendable {
        public let id: String
        public let displayName: String
        /// Why it is off; nil when enabled.
        public let disabledReason: String?
        /// A line for the admin console's providers page (Facebook's Graph API version).
        public let note: String?
        /// Whether a front end signing in through the API must send the id_token too (generic
        /// OpenID Connect: its `aud` is the only proof the token was issued to us).
        public let frontEndNeedsIDToken: Bool
        let api: ProviderAPI?
        let resolve: @Sendable () async throws(SocialAuthError) -> ProviderDefinition

        public var isEnabled: Bool { disabledReason == nil }

        /// An entry for provider `id`, enabled when `<PREFIX>_CLIENT_ID` and `_CLIENT_SECRET` are
        /// set and `missing` (another required setting's absence) is nil.
        static func configured(_ id: String, _ displayName: String, prefix: String, _ env: EnvironmentReader, http: any HTTPClient,
                               missing: String? = nil, note: String? = nil, frontEndNeedsIDToken: Bool = false,
                               _ definition: @escaping @Sendable () async throws(SocialAuthError) -> ProviderDefinition) -> Entry {
            let clientID = env.string("\(prefix)_CLIENT_ID"), secret = env.string("\(prefix)_CLIENT_SECRET")
            let reason = clientID.isEmpty || secret.isEmpty ? "\(prefix)_CLIENT_ID and \(prefix)_CLIENT_SECRET are not both set" : missing
            let api = reason == nil ? ProviderAPI(clientID: clientID, clientSecret: secret, http: http, callsInFlight: callsInFlight(env)) : nil
            return Entry(id: id, displayName: displayName, disabledReason: reason, note: note, frontEndNeedsIDToken: frontEndNeedsIDToken,
                         api: api, resolve: definition)
        }
    }

    /// `OUTBOUND_CALLS_PER_PROVIDER`: calls in flight to one provider at once (16 by default).
    static func callsInFlight(_ env: EnvironmentReader) -> Int {
        Int(env.string("OUTBOUND_CALLS_PER_PROVIDER")).map { min(max($0, 1), 1024) } ?? 16
    }

    /// Every provider this build knows, in display order; each reads its own settings.
    static let known: [@Sendable (EnvironmentReader, any HTTPClient) -> Entry] = [
        Entry.github, Entry.facebook, Entry.linkedIn, Entry.sibling, Entry.genericOIDC,
    ]

    /// Every known provider, in display order.
    public let entries: [Entry]
    /// The settings the providers were read from (for provider-specific features such as the
    /// site's Facebook Page credential).
    public let environment: EnvironmentReader
    let jwks = JWKSCache()

    /// Providers configured from `environment` (`GITHUB_CLIENT_ID`, …), calling out through `http`.
    public init(environment: [String: String], http: any HTTPClient) {
        let reader = EnvironmentReader(environment)
        self.environment = reader
        entries = Self.known.map { $0(reader, http) }
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
