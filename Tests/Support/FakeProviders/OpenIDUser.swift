/// An account known to an OpenID Connect fake (`LinkedInFake`, `OIDCFake`).
public struct OpenIDUser: Sendable, Equatable {
    /// The subject: the provider's stable id for the account.
    public var sub: String
    /// The full name.
    public var name: String
    /// The given name.
    public var givenName: String
    /// The family name.
    public var familyName: String
    /// The address, if the account has one.
    public var email: String?
    /// Whether the provider verified `email`.
    public var emailVerified: Bool
    /// The picture URL, if any.
    public var picture: String?
    /// A BCP 47 tag such as `en-US`.
    public var locale: String
    /// A login-style name (`preferred_username`), for the generic provider.
    public var preferredUsername: String?

    /// A user from its parts; given and family names default to the halves of `name`.
    public init(sub: String, name: String, givenName: String? = nil, familyName: String? = nil, email: String? = nil,
                emailVerified: Bool = true, picture: String? = nil, locale: String = "en-US", preferredUsername: String? = nil) {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        self.sub = sub
        self.name = name
        self.givenName = givenName ?? parts.first ?? name
        self.familyName = familyName ?? (parts.count > 1 ? parts[1] : "")
        self.email = email
        self.emailVerified = emailVerified
        self.picture = picture
        self.locale = locale
        self.preferredUsername = preferredUsername
    }
}
