import Identity
import Mustache
import Storage

/// A person with an account on the site. The password hash is deliberately not here: it is
/// read only by the code that verifies it, so it cannot leak into a page or a log by accident.
public struct User: Sendable, Equatable {
    public let id: Int64
    public var username: String
    public var email: String?
    public var emailVerified: Bool
    /// Whether the user can sign in with a password (accounts made by social sign-in have none).
    public var hasPassword: Bool
    public var isAdmin: Bool
    public var isDisabled: Bool
    public let createdAt: Int
    /// When the account was deleted: the row is a tombstone (see `UserRepository.replaceWithTombstone`).
    public var deletedAt: Int?

    /// Reads a user from a row of `users` selected with `UserRepository.columns`.
    init(row: Row) throws {
        id = try row.int64("id")
        username = try row.string("username")
        email = try row.optionalString("email")
        emailVerified = try row.bool("email_verified")
        hasPassword = !(try row.isNull("password_hash"))
        isAdmin = try row.bool("is_admin")
        isDisabled = try row.bool("is_disabled")
        createdAt = try row.int("created_at")
        deletedAt = try row.optionalInt("deleted_at")
    }
}

extension User: AccountHolder {
    public var emailAddress: String? { email }
}

extension User: MustacheObject {
    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "id": .int(Int(id))
        case "username": .string(username)
        case "email": email.map(MustacheValue.string) ?? .null
        case "emailVerified": .bool(emailVerified)
        case "hasPassword": .bool(hasPassword)
        case "isAdmin": .bool(isAdmin)
        case "isDisabled": .bool(isDisabled)
        case "createdAt": .int(createdAt)
        case "isDeleted": .bool(deletedAt != nil)
        default: nil
        }
    }
}
