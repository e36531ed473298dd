import Identity
import Security
import Web

/// Why a passkey endpoint refused what the page sent. Mapped to a status and one message per
/// kind at the edge (`PasskeyJSON.respond`); the case itself goes to the log.
enum PasskeyRequestError: Error {
    /// The body is over `PasskeyJSON.maxBody`.
    case tooLarge
    /// The body is not a credential as `PublicKeyCredential.toJSON()` writes it.
    case malformed(WebAuthnError)
    /// The core refused the ceremony (wrong origin, signature, replay, unknown credential, …).
    case refused(PasskeyError)
    /// No half-finished sign-in (or it expired) to finish with a passkey.
    case noPendingSignIn
    /// The passkey is not one of the account that is signing in.
    case anotherAccount
    /// The account is disabled.
    case accountDisabled
    /// Too many passkey sign-ins started from this address; retry after the given seconds.
    case tooManyRequests(retryAfter: Int)
}

/// The JSON side of the passkey pages: bodies read with a size cap, answers `{"redirect": …}`,
/// refusals `{"error": …}` with a 4xx, so the page's script can say what went wrong and a
/// hostile body never becomes a 500.
enum PasskeyJSON {
    /// A registration response is about 1 KiB (RSA keys and long credential ids a few); this
    /// leaves room without parsing megabytes.
    static let maxBody = 16 * 1024

    private struct Message: Encodable { let error: String }
    private struct Next: Encodable { let redirect: String }

    /// The request body, refused when too large.
    static func body(_ request: Request) throws(PasskeyRequestError) -> [UInt8] {
        guard request.body.count <= maxBody else { throw .tooLarge }
        return request.body
    }

    /// `value` (the ceremony options) as JSON.
    static func options(_ value: JSONValue) throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: try JSONBody.encode(value))
    }

    /// Where the page goes next.
    static func redirect(_ location: String) throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                 body: try JSONBody.encode(Next(redirect: location)))
    }

    /// Runs a passkey endpoint, answering its refusals as JSON.
    static func respond(_ context: RequestContext, _ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch let error as PasskeyRequestError {
            context.logger.warning("passkey_refused", ["error": String(describing: error)])
            // Shown on the page by passkeys.js, so in the reader's language.
            let translator = context.translator
            let (status, message): (HTTPStatus, String) = switch error {
            case .tooLarge: (.payloadTooLarge, translator.text("That answer from your passkey is too large."))
            case .malformed: (.badRequest, translator.text("That answer from your passkey could not be read. Please try again."))
            case .refused(.challengeExpired), .refused(.challengeReused), .refused(.challengeUnknown):
                (.badRequest, translator.text("That took too long or was already used. Please try again."))
            case .refused(.credentialAlreadyRegistered): (.conflict, translator.text("That passkey is already registered."))
            case .refused(.tooManyPasskeys): (.conflict, translator.text("You have as many passkeys as an account may have. Remove one first."))
            case .refused, .anotherAccount: (.badRequest, translator.text("That passkey did not work. Please try again, or use another way to sign in."))
            case .noPendingSignIn: (.unauthorized, translator.text("Your sign-in expired. Please start again."))
            case .accountDisabled: (.forbidden, translator.text("This account has been disabled."))
            case .tooManyRequests: (.tooManyRequests, translator.text("Too many attempts from your address. Please wait a minute."))
            }
            var headers: HTTPHeaders = ["Content-Type": "application/json", "Cache-Control": "no-store"]
            if case .tooManyRequests(let retryAfter) = error { headers.set("Retry-After", String(retryAfter)) }
            return Response(status: status, headers: headers, body: try JSONBody.encode(Message(error: message)))
        }
    }

    /// Parses a registration response from `request`.
    static func registration(_ request: Request) throws(PasskeyRequestError) -> RegistrationResponse {
        let bytes = try body(request)
        do { return try RegistrationResponse(json: bytes) } catch { throw .malformed(error) }
    }

    /// Parses an authentication response from `request`.
    static func authentication(_ request: Request) throws(PasskeyRequestError) -> AuthenticationResponse {
        let bytes = try body(request)
        do { return try AuthenticationResponse(json: bytes) } catch { throw .malformed(error) }
    }

    /// Runs a core ceremony, naming its refusals.
    static func ceremony<T>(_ run: () async throws -> T) async throws -> T {
        do { return try await run() } catch let error as PasskeyError { throw PasskeyRequestError.refused(error) }
    }
}
