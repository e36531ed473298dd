import Foundation
import Security
import Web

/// `POST /oauth/register` (RFC 7591) and the client configuration endpoint
/// `GET`/`PUT`/`DELETE /oauth/register/:id` (RFC 7592), when `PROVIDER_REGISTRATION` is `open`
/// or `token`; with `off` every one of them is a 404 and discovery does not name them.
struct RegistrationController {
    let services: ProviderServices
    static let path = "/oauth/register"

    func register(on router: Router) {
        router.post(Self.path, use: create)
        router.get(Self.path + "/:id", use: read)
        router.put(Self.path + "/:id", use: update)
        router.delete(Self.path + "/:id", use: remove)
    }

    @Sendable func create(_ request: Request, context: RequestContext) async throws -> Response {
        try enabled()
        return await OAuthReply.run(context) {
            var initialToken: String?
            if services.configuration.registration == .token {
                guard let token = Self.bearer(request), try await services.registration.isLiveInitialToken(token) else {
                    throw Self.initialTokenRefused
                }
                initialToken = token
            }
            try Self.checkJSON(request)
            let registered: ClientRegistration.Registered
            do {
                registered = try await services.registration.register(request.body, initialToken: initialToken)
            } catch let refusal as ClientRegistration.Refusal {
                throw OAuthError(refusal)
            } catch is ClientRegistration.InitialTokenRefused {
                throw Self.initialTokenRefused
            }
            context.logger.info("client_registered_dynamically", ["client_id": registered.client.clientID])
            var body = ClientRegistration.metadata(of: registered.client, authMethod: registered.authMethod)
            if let secret = registered.secret {
                body["client_secret"] = .string(secret)
                body["client_secret_expires_at"] = .int(0)
            }
            body["registration_access_token"] = .string(registered.registrationToken)
            body["registration_client_uri"] = .string(clientURI(registered.client.clientID))
            return OAuthReply.json(.object(body), status: .created)
        }
    }

    @Sendable func read(_ request: Request, context: RequestContext) async throws -> Response {
        try enabled()
        return await OAuthReply.run(context) {
            let client = try await managed(request, context: context)
            return OAuthReply.json(.object(describe(client)))
        }
    }

    @Sendable func update(_ request: Request, context: RequestContext) async throws -> Response {
        try enabled()
        return await OAuthReply.run(context) {
            let client = try await managed(request, context: context)
            try Self.checkJSON(request)
            // RFC 7592 §2.2: the body names the client it updates.
            if let value = try? JSONDecoderShim.clientID(request.body), value != client.clientID {
                throw OAuthError(.invalidRequest, "client_id in the body does not match the client being updated.")
            }
            let updated: Client, authMethod: String
            do {
                (updated, authMethod) = try await services.registration.update(client, document: request.body)
            } catch let refusal as ClientRegistration.Refusal {
                throw OAuthError(refusal)
            }
            context.logger.info("client_updated_dynamically", ["client_id": client.clientID])
            return OAuthReply.json(.object(describe(updated, authMethod: authMethod)))
        }
    }

    @Sendable func remove(_ request: Request, context: RequestContext) async throws -> Response {
        try enabled()
        return await OAuthReply.run(context) {
            let client = try await managed(request, context: context)
            try await services.clients.remove(client.clientID)
            context.logger.info("client_removed_dynamically", ["client_id": client.clientID])
            return Response(status: .noContent, headers: ["Cache-Control": "no-store"])
        }
    }

    /// A 404 unless registration is on: the endpoint does not exist for clients to find.
    private func enabled() throws {
        guard services.configuration.registration != .off else { throw HTTPError(.notFound) }
    }

    /// The client named in the path whose registration access token came as a bearer token;
    /// anything else is 401 `invalid_token` (RFC 7592 §2: never say whether the client exists).
    private func managed(_ request: Request, context: RequestContext) async throws -> Client {
        guard let id = context.parameters["id"], let token = Self.bearer(request),
              let client = try await services.registration.client(id, token: token) else {
            throw Self.invalidToken("The registration access token is invalid for this client.")
        }
        return client
    }

    private func describe(_ client: Client, authMethod: String? = nil) -> [String: JSONValue] {
        var body = ClientRegistration.metadata(of: client, authMethod: authMethod)
        body["registration_client_uri"] = .string(clientURI(client.clientID))
        return body
    }

    private func clientURI(_ clientID: String) -> String { services.configuration.baseURL + Self.path + "/" + clientID }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers["Authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1].trimmingOptionalWhitespace)
    }

    static func checkJSON(_ request: Request) throws {
        guard request.mediaType == "application/json" else {
            throw OAuthError(.invalidClientMetadata, "The request body must be application/json.")
        }
    }

    static let initialTokenRefused = invalidToken("A valid initial access token is required to register a client.")

    static func invalidToken(_ description: String) -> OAuthError {
        OAuthError(.invalidToken, description, status: .unauthorized, headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\""])
    }
}

/// Reads `client_id` out of a JSON body without taking the rest apart twice.
enum JSONDecoderShim {
    static func clientID(_ body: [UInt8]) throws -> String? {
        guard body.count <= ClientRegistration.maxDocumentSize,
              case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: Data(body)),
              case .string(let id) = fields["client_id"] else { return nil }
        return id
    }
}
