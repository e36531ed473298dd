import Web

/// Client authentication as the token, revocation and introspection endpoints need it.
extension ClientRegistry {
    /// The client that `request` authenticates as, or the `invalid_client` (or, for credentials
    /// sent two ways, `invalid_request`) reply; `WWW-Authenticate: Basic` is added when the
    /// client tried HTTP Basic, as RFC 6749 §5.2 requires.
    func authenticate(_ request: Request, form: OAuthForm, realm: String, cached: Bool = false) async throws -> Client {
        let usedBasic = request.headers["Authorization"]?.lowercased().hasPrefix("basic") ?? false
        do {
            return try await authenticate(try form.credentials(from: request), cached: cached)
        } catch let error as ClientAuthenticationError {
            throw OAuthError(error, usedBasic: usedBasic, realm: realm)
        }
    }
}
