/// A GitHub account known to `GitHubFake`.
public struct GitHubUser: Sendable, Equatable {
    /// The immutable numeric id: the only safe key for a GitHub identity.
    public var id: Int
    /// The login, which can be renamed and later claimed by someone else.
    public var login: String
    /// The display name, if set.
    public var name: String?
    /// The email shown on the public profile (`/user`'s `email`); nil when kept private.
    public var publicEmail: String?
    /// The avatar URL.
    public var avatarURL: String
    /// Every address on the account, as `/user/emails` lists them.
    public var emails: [GitHubEmail]

    /// A user from its parts.
    public init(id: Int, login: String, name: String? = nil, publicEmail: String? = nil,
                avatarURL: String? = nil, emails: [GitHubEmail] = []) {
        self.id = id
        self.login = login
        self.name = name
        self.publicEmail = publicEmail
        self.avatarURL = avatarURL ?? "https://avatars.githubusercontent.com/u/\(id)?v=4"
        self.emails = emails
    }
}

/// One address of a GitHub account.
public struct GitHubEmail: Sendable, Equatable {
    /// The address.
    public var email: String
    /// Whether it is the primary address (which may be unverified).
    public var primary: Bool
    /// Whether GitHub verified it.
    public var verified: Bool
    /// `"public"` for the address shown on the profile, `"private"` for the primary otherwise,
    /// nil for the rest, as GitHub reports it.
    public var visibility: String?

    /// An address from its parts.
    public init(email: String, primary: Bool, verified: Bool, visibility: String? = nil) {
        self.email = email
        self.primary = primary
        self.verified = verified
        self.visibility = visibility
    }
}
