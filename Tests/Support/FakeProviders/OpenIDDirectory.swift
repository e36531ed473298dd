/// The users and clients of an OpenID Connect fake, kept behind the fake's lock.
struct OpenIDDirectory: Sendable {
    var users: [OpenIDUser] = []
    var clients: [String: RegisteredClient] = [:]
    var nextAuthorizationUser: String?

    /// Adds or replaces `user`.
    mutating func add(_ user: OpenIDUser) {
        users.removeAll { $0.sub == user.sub }
        users.append(user)
    }

    /// Applies `change` to the user `sub`; false if unknown.
    mutating func update(sub: String, _ change: (inout OpenIDUser) -> Void) -> Bool {
        guard let index = users.firstIndex(where: { $0.sub == sub }) else { return false }
        change(&users[index])
        return true
    }

    /// The user `sub`.
    func user(_ sub: String) -> OpenIDUser? { users.first { $0.sub == sub } }

    /// Who approves the next authorization: the chosen user, else the first one added.
    var approver: OpenIDUser? {
        guard let next = nextAuthorizationUser else { return users.first }
        return user(next)
    }

    /// The client `id` if `secret` is its secret.
    func client(_ id: String?, secret: String?) -> RegisteredClient? {
        guard let id, let secret, let client = clients[id], client.secret == secret else { return nil }
        return client
    }
}
