import Foundation
import Security
import Web

/// The Graph API reads and deletes of `FacebookFake`.
extension FacebookFake {
    func me(_ exchange: Exchange) throws -> Response {
        try checkVersion(exchange)
        let token = try userToken(exchange)
        guard let user = user(token.userKey) else { throw Rejection(Self.graphError("Invalid OAuth access token - Cannot parse access token", code: 190)) }
        var object: [String: JSONValue] = [:]
        for field in Self.fieldNames(exchange.query["fields"] ?? "id,name") {
            switch field {
            case "id": if exchange.fault != .profileWithoutID { object["id"] = .string(Self.appScopedID(ofUser: user.id, appID: token.clientID)) }
            case "name": object["name"] = .string(user.name)
            case "first_name": object["first_name"] = .string(user.firstName)
            case "last_name": object["last_name"] = .string(user.lastName)
            case "email": if let email = user.email, token.scopes.contains("email") { object["email"] = .string(email) }
            case "picture":
                object["picture"] = ["data": ["height": 50, "is_silhouette": false, "url": .string(user.pictureURL), "width": 50]]
            default:
                return Self.graphError("(#100) Tried accessing nonexisting field (\(field)) on node type (User)", code: 100)
            }
        }
        return Wire.json(.object(object))
    }

    func debugToken(_ exchange: Exchange) throws -> Response {
        if exchange.route["version"] != nil { try checkVersion(exchange) }
        let query = exchange.query
        guard let appToken = query["access_token"] ?? Wire.bearer(exchange.request, schemes: ["bearer", "oauth"]), appFromAppToken(appToken) != nil else {
            return Self.graphError("Invalid OAuth access token signature.", code: 190)
        }
        guard let input = query["input_token"] else { return Self.graphError("(#100) The parameter input_token is required", code: 100) }
        let status = server.grants.withLock { $0.status(of: input) }
        guard let token = status.record, let owner = app(token.clientID) else {
            return Wire.json(["data": ["error": ["code": 190, "message": "Invalid OAuth access token - Cannot parse access token"],
                                       "is_valid": false, "scopes": []]])
        }
        var data: [String: JSONValue] = [
            "app_id": .string(owner.id), "type": "USER", "application": .string(owner.name),
            "data_access_expires_at": .int(Wire.seconds(token.issuedAt) + 7_776_000),
            "expires_at": .int(token.expiresAt.map(Wire.seconds) ?? 0), "issued_at": .int(Wire.seconds(token.issuedAt)),
            "scopes": .array(token.scopes.map(JSONValue.string)),
            "user_id": .string(Self.appScopedID(ofUser: token.userKey, appID: owner.id)),
        ]
        switch status {
        case .active: data["is_valid"] = true
        case .expired:
            data["is_valid"] = false
            data["error"] = ["code": 190, "message": .string(Self.expiredMessage(token)), "subcode": 463]
        case .revoked, .unknown:
            data["is_valid"] = false
            data["error"] = ["code": 190, "message": .string("Error validating access token: The user has not authorized application \(owner.id)."),
                             "subcode": 458]
        }
        return Wire.json(["data": .object(data)])
    }

    func permissions(_ exchange: Exchange) throws -> Response {
        try checkVersion(exchange)
        let token = try userToken(exchange)
        try requireOwnID(exchange, token: token)
        let declined = user(token.userKey)?.declinedPermissions.sorted() ?? []
        let list = token.scopes.map { JSONValue.object(["permission": .string($0), "status": "granted"]) }
            + declined.map { JSONValue.object(["permission": .string($0), "status": "declined"]) }
        return Wire.json(["data": .array(list)])
    }

    func deletePermissions(_ exchange: Exchange) throws -> Response {
        try checkVersion(exchange)
        let userID = exchange.route["user_id"] ?? ""
        let presented = exchange.fields["access_token"] ?? Wire.bearer(exchange.request, schemes: ["bearer", "oauth"]) ?? ""
        if let app = appFromAppToken(presented) {
            guard let user = user(scopedID: userID, appID: app.id) else {
                return Self.graphError("(#100) Invalid user id", code: 100)
            }
            server.grants.withLock { $0.revokeAll(userKey: user.id, clientID: app.id) }
            return Wire.json(["success": true])
        }
        let token = try userToken(exchange)
        try requireOwnID(exchange, token: token)
        server.grants.withLock { $0.revokeAll(userKey: token.userKey, clientID: token.clientID) }
        return Wire.json(["success": true])
    }

    /// The active user token of the request (`access_token` parameter or Bearer header), with its
    /// `appsecret_proof` checked; otherwise Facebook's error.
    func userToken(_ exchange: Exchange) throws -> IssuedToken {
        let fields = exchange.fields
        guard let value = fields["access_token"] ?? Wire.bearer(exchange.request, schemes: ["bearer", "oauth"]), !value.contains("|") else {
            throw Rejection(Self.graphError("An active access token must be used to query information about the current user.", code: 2500))
        }
        let token: IssuedToken
        switch server.grants.withLock({ $0.status(of: value) }) {
        case let .active(found): token = found
        case let .expired(found): throw Rejection(Self.graphError(Self.expiredMessage(found), code: 190, subcode: 463))
        case let .revoked(found):
            throw Rejection(Self.graphError("Error validating access token: The user has not authorized application \(found.clientID).",
                                            code: 190, subcode: 458))
        case .unknown: throw Rejection(Self.graphError("Invalid OAuth access token - Cannot parse access token", code: 190))
        }
        guard let app = app(token.clientID) else { throw Rejection(Self.graphError("Invalid OAuth access token - Cannot parse access token", code: 190)) }
        if let proof = fields["appsecret_proof"] {
            let expected = Self.appSecretProof(token: value, appSecret: app.secret)
            guard constantTimeEquals(Array(proof.lowercased().utf8), Array(expected.utf8)) else {
                throw Rejection(Self.graphError("Invalid appsecret_proof provided in the API argument", type: "GraphMethodException", code: 100))
            }
        } else if requiresAppSecretProof {
            throw Rejection(Self.graphError("API calls from the server require an appsecret_proof argument", type: "GraphMethodException", code: 100))
        }
        return token
    }

    /// A user token may only touch its own node: `me` or its app-scoped id.
    private func requireOwnID(_ exchange: Exchange, token: IssuedToken) throws {
        let userID = exchange.route["user_id"] ?? "me"
        guard userID == "me" || userID == Self.appScopedID(ofUser: token.userKey, appID: token.clientID) else {
            throw Rejection(Self.graphError("(#200) Permissions error", code: 200, status: .forbidden))
        }
    }

    /// The app of an app access token `app_id|app_secret`, if it is one and the secret is right.
    func appFromAppToken(_ token: String) -> RegisteredClient? {
        let parts = token.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, let app = app(parts[0]), app.secret == parts[1] else { return nil }
        return app
    }

    /// Top-level names of a `fields` list such as `id,name,picture.type(large){url,width}`.
    static func fieldNames(_ list: String) -> [String] {
        var names: [String] = []
        var current = ""
        var depth = 0
        var skipping = false
        for character in list {
            switch character {
            case "{", "(": depth += 1; skipping = true
            case "}", ")": depth -= 1
            case "," where depth == 0:
                if !current.isEmpty { names.append(current) }
                current = ""
                skipping = false
            case "." where depth == 0: skipping = true
            default: if !skipping && depth == 0 && character != " " { current.append(character) }
            }
        }
        if !current.isEmpty { names.append(current) }
        return names
    }
}
