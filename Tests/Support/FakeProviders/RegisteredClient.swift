/// An OAuth client (an "app") registered with a fake provider.
public struct RegisteredClient: Sendable, Equatable {
    /// The client id (Facebook's app id).
    public var id: String
    /// The client secret (Facebook's app secret).
    public var secret: String
    /// The app's display name, shown by token-check endpoints.
    public var name: String
    /// Redirect URIs the app registered; empty accepts any. Matching rules are per provider.
    public var redirectURIs: [String]

    /// A client from its parts.
    public init(id: String, secret: String, name: String = "Latchkey Test", redirectURIs: [String] = []) {
        self.id = id
        self.secret = secret
        self.name = name
        self.redirectURIs = redirectURIs
    }
}
