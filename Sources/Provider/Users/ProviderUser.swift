import Identity
import Mustache
import Storage

/// A person with an account on the provider. Their numeric `id` is the identity clients key on
/// (`sub`). The password hash is not here: only the code that verifies it reads it.
public struct ProviderUser: Sendable, Equatable {
    /// The immutable numeric identity.
    public let id: Int64
    /// Unique, case-insensitively; may change, so never key on it.
    public var username: String
    /// Unique, case-insensitively.
    public var email: String
    /// Whether the address is proven: by the mailed code, or by an administrator
    /// (`create-user --verified`). A new address is unproven again. The `email_verified`
    /// claim is this flag and nothing else.
    public var emailVerified: Bool
    /// A display name; may be empty.
    public var name: String
    /// Provider administrators manage the client registry.
    public var isAdmin: Bool
    /// When the account was made (Unix seconds).
    public let createdAt: Int

    /// Reads a user from a row selected with `UserRepository.columns`.
    init(row: Row) throws {
        id = try row.int64("id")
        username = try row.string("username")
        email = try row.string("email")
        emailVerified = try row.bool("email_verified")
        name = try row.string("name")
        isAdmin = try row.bool("is_admin")
        createdAt = try row.int("created_at")
    }

    /// The `sub` claim: the id as a string, as OpenID Connect requires.
    public var subject: String { String(id) }

    /// The name to show: the display name, or the username when none was given.
    public var displayName: String { name.isEmpty ? username : name }
}

extension ProviderUser: AccountHolder {
    public var emailAddress: String? { email }
}

extension ProviderUser: MustacheObject {
    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "id": .int(Int(id))
        case "username": .string(username)
        case "email": .string(email)
        case "emailVerified": .bool(emailVerified)
        case "name": .string(name)
        case "displayName": .string(displayName)
        case "isAdmin": .bool(isAdmin)
        default: nil
        }
    }
}
