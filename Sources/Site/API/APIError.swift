import Accounts
import Web

/// Everything the JSON API answers with instead of a result, by name. Mapped to a status and a
/// stable `error` code only here, at the edge; the body is always
/// `{"error": code, "message": text}` (see `openapi.json`).
enum APIError: Error, Sendable, Equatable {
    /// Malformed JSON, a missing or empty field.
    case invalidRequest(String)
    /// The body is not `application/json`.
    case unsupportedMediaType
    /// A provider we do not know, or one that is not configured.
    case unsupportedProvider(String)
    /// No bearer token where one is needed, or one that is unknown, expired or revoked; or a
    /// provider token the provider says is invalid or expired.
    case invalidToken(String)
    /// A provider token issued to another application.
    case tokenWrongAudience
    /// The account behind the token is disabled.
    case accountDisabled
    /// The account asks for a second factor, which the API cannot take yet: its owner signs in
    /// on the website, so a provider token alone never gets past a passkey or authenticator app.
    case secondFactorRequired
    /// The social account is linked to another user.
    case alreadyAssociated
    /// The social account's email belongs to an existing account (which must connect it itself).
    case emailInUse
    /// Too many sign-in attempts from this client; retry after the given seconds.
    case rateLimited(retryAfter: Int)
    /// The provider could not be reached or answered nonsense.
    case providerUnavailable(String)
    /// No such route under `/api`.
    case notFound
    /// The route exists but not with this method.
    case methodNotAllowed(allow: String)
    /// A dependency (the database) is down for a moment; retry after the given seconds.
    case temporarilyUnavailable(retryAfter: String)
    /// Another client error the framework raised (a bad query, a body too large…).
    case http(status: HTTPStatus, message: String)
    /// A failure on our side (already logged by name).
    case internalError

    /// The message the API sends for `alreadyAssociated`, word for word.
    static let alreadyAssociatedMessage = "That social media account is already in use"

    /// The HTTP status.
    var status: HTTPStatus {
        switch self {
        case .invalidRequest, .unsupportedProvider: .badRequest
        case .unsupportedMediaType: .unsupportedMediaType
        case .invalidToken, .tokenWrongAudience: .unauthorized
        case .accountDisabled, .secondFactorRequired: .forbidden
        case .alreadyAssociated, .emailInUse: .conflict
        case .rateLimited: .tooManyRequests
        case .providerUnavailable: .badGateway
        case .temporarilyUnavailable: .serviceUnavailable
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .http(let status, _): status
        case .internalError: .internalServerError
        }
    }

    /// The stable, machine-readable codes (the OpenAPI document lists them from here).
    enum Code: String, CaseIterable {
        case invalidRequest = "invalid_request"
        case unsupportedMediaType = "unsupported_media_type"
        case unsupportedProvider = "unsupported_provider"
        case invalidToken = "invalid_token"
        case tokenWrongAudience = "token_wrong_audience"
        case accountDisabled = "account_disabled"
        case secondFactorRequired = "second_factor_required"
        case alreadyAssociated = "already_associated"
        case emailInUse = "email_in_use"
        case rateLimited = "rate_limited"
        case providerUnavailable = "provider_unavailable"
        case temporarilyUnavailable = "temporarily_unavailable"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case internalError = "internal_error"
    }

    /// This error's code.
    var code: String { kind.rawValue }

    private var kind: Code {
        switch self {
        case .invalidRequest: .invalidRequest
        case .unsupportedMediaType: .unsupportedMediaType
        case .unsupportedProvider: .unsupportedProvider
        case .invalidToken: .invalidToken
        case .tokenWrongAudience: .tokenWrongAudience
        case .accountDisabled: .accountDisabled
        case .secondFactorRequired: .secondFactorRequired
        case .alreadyAssociated: .alreadyAssociated
        case .emailInUse: .emailInUse
        case .rateLimited: .rateLimited
        case .providerUnavailable: .providerUnavailable
        case .temporarilyUnavailable: .temporarilyUnavailable
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .http(let status, _): status.code >= 500 ? .internalError : .invalidRequest
        case .internalError: .internalError
        }
    }

    /// A sentence for people reading the response.
    var message: String {
        switch self {
        case .invalidRequest(let detail): detail
        case .unsupportedMediaType: "Send the body as JSON with Content-Type: application/json."
        case .unsupportedProvider(let id): "There is no enabled sign-in provider called \"\(id.prefix(40))\"."
        case .invalidToken(let detail): detail
        case .tokenWrongAudience: "That token was issued to another application."
        case .accountDisabled: "This account has been disabled."
        case .secondFactorRequired: "This account uses two-step sign-in, which the API does not support yet. Sign in on the website."
        case .alreadyAssociated: Self.alreadyAssociatedMessage
        case .emailInUse: "An account with this email already exists: sign in to it, then connect this social account."
        case .rateLimited(let seconds): "Too many sign-in attempts from this address. Try again in \(seconds) seconds."
        case .providerUnavailable: "The provider is not answering properly. Try again in a moment."
        case .temporarilyUnavailable: "The service is temporarily unavailable. Try again in a moment."
        case .notFound: "There is no API endpoint here."
        case .methodNotAllowed: "This endpoint does not accept that method."
        case .http(_, let message): message
        case .internalError: "Something went wrong on our side. It has been logged."
        }
    }

    /// Headers that go with the error.
    var headers: HTTPHeaders {
        switch self {
        case .rateLimited(let seconds): ["Retry-After": String(seconds)]
        case .temporarilyUnavailable(let seconds): ["Retry-After": seconds]
        case .methodNotAllowed(let allow): ["Allow": allow]
        case .invalidToken: ["WWW-Authenticate": "Bearer error=\"invalid_token\""]
        default: [:]
        }
    }

    /// The API's reading of a social sign-in failure.
    init(_ error: SocialAuthError) {
        switch error {
        case .unknownProvider(let id): self = .unsupportedProvider(id)
        case .wrongAudience: self = .tokenWrongAudience
        case .invalidToken, .tokenRejected, .invalidIDToken: self = .invalidToken("The provider says this token is invalid or expired.")
        case .providerUnavailable(let reason): self = .providerUnavailable(reason)
        case .invalidProfile(let reason): self = .providerUnavailable(reason)
        case .linkedToAnotherUser: self = .alreadyAssociated
        case .emailBelongsToExistingAccount: self = .emailInUse
        case .accountDisabled: self = .accountDisabled
        case .cancelled, .providerRejected, .invalidState, .expiredState, .missingCode, .lastSignInMethod:
            self = .invalidRequest("The sign-in could not be completed.")
        }
    }

    /// The API's reading of a framework error (routing, body parsing).
    init(_ error: HTTPError) {
        switch error.status.code {
        case 400: self = .invalidRequest(error.message)
        case 404: self = .notFound
        case 405: self = .methodNotAllowed(allow: error.headers["Allow"] ?? "")
        case 415: self = .unsupportedMediaType
        case 503: self = .temporarilyUnavailable(retryAfter: error.headers["Retry-After"] ?? "5")
        case 500...: self = .internalError
        default: self = .http(status: error.status, message: error.message)
        }
    }
}
