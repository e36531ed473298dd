import Foundation
import Security
import Web

/// The api.github.com side of `GitHubFake`.
extension GitHubFake {
    static let restDocs = "https://docs.github.com/rest"

    /// GitHub's JSON error body.
    static func apiError(_ status: HTTPStatus, _ message: String, docs: String = restDocs) -> Response {
        Wire.json(["message": .string(message), "documentation_url": .string(docs), "status": .string(String(status.code))],
                  status: status)
    }

    /// GitHub refuses API calls without a `User-Agent` (libcurl sends none unless told to).
    func requireUserAgent(_ exchange: Exchange) throws {
        guard let agent = exchange.header("User-Agent"), !agent.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Rejection(Response(status: .forbidden, contentType: "text/plain; charset=utf-8", text: """
                Request forbidden by administrative rules. Please make sure your request has a User-Agent header \
                (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). \
                Check https://developer.github.com for other possible causes.

                """))
        }
    }

    /// The active token in `Authorization: Bearer|token …`, or GitHub's 401.
    func authenticatedToken(_ exchange: Exchange) throws -> IssuedToken {
        try requireUserAgent(exchange)
        guard let value = Wire.bearer(exchange.request, schemes: ["bearer", "token"]) else {
            throw Rejection(Self.apiError(.unauthorized, "Requires authentication",
                                          docs: "https://docs.github.com/rest/users/users#get-the-authenticated-user"))
        }
        guard case let .active(token) = server.grants.withLock({ $0.status(of: value) }) else {
            throw Rejection(Self.apiError(.unauthorized, "Bad credentials"))
        }
        return token
    }

    func user(_ exchange: Exchange) throws -> Response {
        let token = try authenticatedToken(exchange)
        guard let id = Int(token.userKey), let user = user(id: id) else { throw Rejection(Self.apiError(.unauthorized, "Bad credentials")) }
        var object = userJSON(user)
        if exchange.fault == .profileWithoutID { object["id"] = nil }
        return Wire.json(.object(object), headers: ["X-OAuth-Scopes": token.scopes.joined(separator: ", "), "X-Accepted-OAuth-Scopes": ""])
    }

    /// `GET /rate_limit`: any live token may read it (it costs no quota and says nothing about the
    /// user); a dead one gets GitHub's 401.
    func rateLimit(_ exchange: Exchange) throws -> Response {
        _ = try authenticatedToken(exchange)
        let core: JSONValue = ["limit": 5000, "used": 1, "remaining": 4999, "reset": .int(Wire.seconds(Date()) + 3600)]
        return Wire.json(["resources": ["core": core], "rate": core])
    }

    func emails(_ exchange: Exchange) throws -> Response {
        let token = try authenticatedToken(exchange)
        let notFound = Self.apiError(.notFound, "Not Found", docs: "https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user")
        let isGitHubApp = registeredClient(token.clientID)?.kind == .gitHubApp
        let scoped = isGitHubApp || token.scopes.contains("user:email") || token.scopes.contains("user")
        guard exchange.fault != .emailsNotFound, scoped, let id = Int(token.userKey), let user = user(id: id) else { return notFound }
        let list: [JSONValue] = user.emails.map { email in
            ["email": .string(email.email), "primary": .bool(email.primary), "verified": .bool(email.verified),
             "visibility": Wire.string(email.visibility)]
        }
        return Wire.json(.array(list), headers: ["X-OAuth-Scopes": token.scopes.joined(separator: ", ")])
    }

    func checkToken(_ exchange: Exchange) throws -> Response {
        let (client, token) = try applicationToken(exchange, docs: "https://docs.github.com/rest/apps/oauth-applications#check-a-token")
        guard let id = Int(token.userKey), let user = user(id: id) else { throw Rejection(Self.apiError(.notFound, "Not Found")) }
        let digest = SHA256.hash(token.value)
        let tokenID = digest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        let created = token.issuedAt.formatted(.iso8601)
        return Wire.json([
            "id": .int(tokenID),
            "url": .string("\(baseURL)/authorizations/\(tokenID)"),
            "app": ["client_id": .string(client.id), "name": .string(client.name), "url": .string(baseURL)],
            "token": .string(token.value),
            "hashed_token": .string(Hex.encode(digest)),
            "token_last_eight": .string(String(token.value.suffix(8))),
            "note": nil, "note_url": nil, "fingerprint": nil, "installation": nil,
            "created_at": .string(created), "updated_at": .string(created),
            "expires_at": Wire.string(token.expiresAt?.formatted(.iso8601)),
            "scopes": .array(token.scopes.map(JSONValue.string)),
            "user": .object(userJSON(user)),
        ])
    }

    func deleteToken(_ exchange: Exchange) throws -> Response {
        let (_, token) = try applicationToken(exchange, docs: "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token")
        server.grants.withLock { $0.revoke(token.value) }
        return Response(status: .noContent)
    }

    func deleteGrant(_ exchange: Exchange) throws -> Response {
        let (client, token) = try applicationToken(exchange, docs: "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization")
        server.grants.withLock { $0.revokeAll(userKey: token.userKey, clientID: client.id) }
        return Response(status: .noContent)
    }

    /// The `/applications/{client_id}/…` preamble: Basic auth as that client, and an active token
    /// of that client in the JSON body; anything else is a 404, as GitHub hides what it knows.
    private func applicationToken(_ exchange: Exchange, docs: String) throws -> (RegisteredClient, IssuedToken) {
        try requireUserAgent(exchange)
        let notFound = Rejection(Self.apiError(.notFound, "Not Found", docs: docs))
        guard exchange.header("Authorization") != nil else { throw Rejection(Self.apiError(.unauthorized, "Requires authentication", docs: docs)) }
        guard let credentials = Wire.basic(exchange.request), credentials.id == exchange.route["client_id"],
              let client = registeredClient(credentials.id)?.client, client.secret == credentials.secret else { throw notFound }
        guard let value = exchange.bodyJSON?.objectValue?["access_token"]?.stringValue else {
            throw Rejection(Self.apiError(.unprocessableContent, "Invalid request.\n\n\"access_token\" wasn't supplied.", docs: docs))
        }
        guard case let .active(token) = server.grants.withLock({ $0.status(of: value) }), token.clientID == client.id else { throw notFound }
        return (client, token)
    }

    /// The public profile as `/user` returns it.
    func userJSON(_ user: GitHubUser) -> [String: JSONValue] {
        [
            "login": .string(user.login), "id": .int(user.id), "node_id": .string("U_kgDO" + Base64URL.encode(Array(String(user.id).utf8))),
            "avatar_url": .string(user.avatarURL), "gravatar_id": "", "url": .string("\(baseURL)/users/\(user.login)"),
            "html_url": .string("\(baseURL)/\(user.login)"), "type": "User", "site_admin": false,
            "name": Wire.string(user.name), "company": nil, "blog": "", "location": nil, "email": Wire.string(user.publicEmail),
            "hireable": nil, "bio": nil, "twitter_username": nil, "public_repos": 0, "public_gists": 0,
            "followers": 0, "following": 0, "created_at": "2011-01-25T18:44:36Z", "updated_at": "2026-11-01T09:00:00Z",
        ]
    }
}
