import Identity
import Security
import Web

/// The identity providers this site knows, built from configuration. A provider is enabled when
/// its client id and secret (and any other setting it requires) are set; otherwise it is listed
/// as disabled with the reason, naming each missing variable, which start-up logs and the admin
/// console show. Any number of generic OpenID Connect providers join through `OIDC_PROVIDERS`.
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
        /// The unset variables that keep it off (empty when enabled), for a page that words the
        /// reason in its reader's language.
        public let missingSettings: [String]
        /// A line for the admin console's providers page (Facebook's Graph API version).
        public let note: String?
        /// Whether a front end signing in through the API must send the id_token too (generic
        /// OpenID Connect: its `aud` is the only proof the token was issued to us).
        public let frontEndNeedsIDToken: Bool
        /// The OpenID Connect discovery document's URL, for providers configured by one.
        public let discoveryURL: String?
        let api: ProviderAPI?
        let resolve: @Sendable () async throws(SocialAuthError) -> ProviderDefinition
        /// Fetches the discovery document afresh and checks it (nil without discovery).
        let rediscover: (@Sendable () async throws(SocialAuthError) -> Void)?

        public var isEnabled: Bool { disabledReason == nil }

        /// An entry for provider `id`, enabled when `<PREFIX>_CLIENT_ID`, `_CLIENT_SECRET` and
        /// every variable in `requires` are set.
        static func configured(_ id: String, _ displayName: String, prefix: String, _ env: EnvironmentReader, http: any HTTPClient,
                               requires: [String] = [], note: String? = nil, frontEndNeedsIDToken: Bool = false,
                               discoveryURL: String? = nil, rediscover: (@Sendable () async throws(SocialAuthError) -> Void)? = nil,
                               _ definition: @escaping @Sendable () async throws(SocialAuthError) -> ProviderDefinition) -> Entry {
            let clientID = env.string("\(prefix)_CLIENT_ID"), secret = env.string("\(prefix)_CLIENT_SECRET")
            let settings = ["\(prefix)_CLIENT_ID", "\(prefix)_CLIENT_SECRET"] + requires
            let reason = missingReason(settings, env)
            let api = reason == nil ? ProviderAPI(clientID: clientID, clientSecret: secret, http: http, callsInFlight: callsInFlight(env)) : nil
            return Entry(id: id, displayName: displayName, disabledReason: reason, missingSettings: settings.filter { env.string($0).isEmpty },
                         note: note, frontEndNeedsIDToken: frontEndNeedsIDToken,
                         discoveryURL: discoveryURL, api: api, resolve: definition, rediscover: rediscover)
        }

        /// Names exactly the variables that are unset ("GITHUB_CLIENT_SECRET is not set"), so a
        /// deployer who set the client id alone reads which one is missing; nil when all are set.
        static func missingReason(_ names: [String], _ env: EnvironmentReader) -> String? {
            let missing = names.filter { env.string($0).isEmpty }
            guard let last = missing.last else { return nil }
            if missing.count == 1 { return "\(last) is not set" }
            return missing.dropLast().joined(separator: ", ") + " and \(last) are not set"
        }

        /// Fetches the discovery document afresh (for providers configured by one) and checks
        /// that it names an issuer, endpoints and keys: start-up and the admin console ask, so an
        /// unreachable discovery URL shows before the first person tries to sign in.
        public func checkDiscovery() async throws(SocialAuthError) {
            try await rediscover?()
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

    /// Every known provider, in display order (the named OpenID Connect providers last).
    public let entries: [Entry]
    /// What is wrong with `OIDC_PROVIDERS` (a name that cannot be used), for the start-up log.
    public let problems: [String]
    /// The settings the providers were read from (for provider-specific features such as the
    /// site's Facebook Page credential).
    public let environment: EnvironmentReader
    let jwks = JWKSCache()

    /// Providers configured from `environment` (`GITHUB_CLIENT_ID`, …), calling out through `http`.
    public init(environment: [String: String], http: any HTTPClient) {
        let reader = EnvironmentReader(environment)
        self.environment = reader
        let named = Entry.namedOIDC(reader, http: http)
        entries = Self.known.map { $0(reader, http) } + named.entries
        problems = named.problems
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

/// A generic provider's discovery document, fetched on first use and kept once fetched; a
/// failed fetch is not kept, so the next sign-in (or check) tries again.
actor DiscoveryCache {
    private var document: JSONValue?

    func document(at url: String, api: ProviderAPI) async throws(SocialAuthError) -> JSONValue {
        if let document { return document }
        return try await refresh(at: url, api: api)
    }

    /// Fetches the document again, keeping it when it arrives.
    @discardableResult
    func refresh(at url: String, api: ProviderAPI) async throws(SocialAuthError) -> JSONValue {
        let fetched = try await api.getJSON(url).json
        document = fetched
        return fetched
    }
}
