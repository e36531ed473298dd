/// A Facebook account known to `FacebookFake`.
public struct FacebookUser: Sendable, Equatable {
    /// The fake's own key for the person. Apps never see it: each app sees its app-scoped id
    /// (`FacebookFake.appScopedID(ofUser:appID:)`).
    public var id: String
    /// The full name.
    public var name: String
    /// The first name.
    public var firstName: String
    /// The last name.
    public var lastName: String
    /// The address on the account; nil for accounts made with a phone number.
    public var email: String?
    /// The profile picture URL.
    public var pictureURL: String
    /// Permissions the person unticks in the dialog (`email`); `public_profile` cannot be declined.
    public var declinedPermissions: Set<String>

    /// A user from its parts.
    public init(id: String, name: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
                pictureURL: String? = nil, declinedPermissions: Set<String> = []) {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        self.id = id
        self.name = name
        self.firstName = firstName ?? parts.first ?? name
        self.lastName = lastName ?? (parts.count > 1 ? parts[1] : "")
        self.email = email
        self.pictureURL = pictureURL ?? "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=\(id)&height=50&width=50"
        self.declinedPermissions = declinedPermissions
    }
}
