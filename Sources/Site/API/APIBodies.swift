import Accounts

/// `POST /api/auth/social`'s body.
struct SocialSignInRequest: Decodable {
    let provider: String
    let accessToken: String
    let idToken: String?

    enum CodingKeys: String, CodingKey {
        case provider
        case accessToken = "access_token"
        case idToken = "id_token"
    }
}

/// A user as the API shows it (schema `User` in openapi.json).
struct APIUser: Encodable {
    let user: User

    enum CodingKeys: String, CodingKey {
        case id, username, email
        case emailVerified = "email_verified"
        case isAdmin = "is_admin"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.id, forKey: .id)
        try container.encode(user.username, forKey: .username)
        // Written as null rather than left out, so clients see the same keys every time.
        try container.encode(user.email, forKey: .email)
        try container.encode(user.emailVerified, forKey: .emailVerified)
        try container.encode(user.isAdmin, forKey: .isAdmin)
        try container.encode(user.createdAt, forKey: .createdAt)
    }
}

/// A sign-in's result (schema `SignInResult`): the user, a bearer token and its expiry.
struct SignInResult: Encodable {
    let user: APIUser
    let token: String
    let expiresAt: Int

    enum CodingKeys: String, CodingKey {
        case user, token
        case expiresAt = "expires_at"
    }
}

/// `GET /api/me`'s answer (schema `Me`): the user and when the presented token expires.
struct MeResult: Encodable {
    let user: APIUser
    let tokenExpiresAt: Int

    enum CodingKeys: String, CodingKey {
        case user
        case tokenExpiresAt = "token_expires_at"
    }
}
