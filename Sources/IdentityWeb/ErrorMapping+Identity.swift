import Localization
import Identity
import Storage
import Web

extension ErrorMapping {
    /// The mapping both apps install: a database that is down or locked, or every
    /// password-hashing place taken, is a temporary condition (503 with `Retry-After`, try
    /// again); any other database error is our bug (500). The identity core's rate limits that
    /// an asker is told of are 429 with `Retry-After`.
    public static let identity = ErrorMapping { error in
        if error is Credentials.Busy { return ServiceUnavailable() }
        if let throttled = error as? TooManySignUps {
            let minutes = max(1, (throttled.retryAfter + 59) / 60)
            return HTTPError(.tooManyRequests, Message(one: "Too many accounts were created from your address. Try again in {{count}} minute.",
                                                       other: "Too many accounts were created from your address. Try again in {{count}} minutes.",
                                                       count: minutes),
                             headers: ["Retry-After": String(throttled.retryAfter)])
        }
        if let throttled = error as? TooManyResetRequests {
            return HTTPError(.tooManyRequests, Message("Too many reset requests from your address. Try again later."),
                             headers: ["Retry-After": String(throttled.retryAfter)])
        }
        guard let database = error as? DatabaseError else { return nil }
        switch database {
        case .unavailable, .busy: return ServiceUnavailable()
        default: return HTTPError(.internalServerError, ErrorMapping.internalProblem)
        }
    }
}

/// A dependency is down for a moment: 503, and when to try again.
public struct ServiceUnavailable: HTTPResponseError {
    /// Seconds a client should wait before retrying.
    public static let retryAfter = 5

    public var status: HTTPStatus { .serviceUnavailable }
    /// What people are told (error pages translate it: the catalogs know this English).
    public static let message = Message("The service is temporarily unavailable. Please try again in a moment.")

    public var publicMessage: String { Self.message.description }
    public var headers: HTTPHeaders { ["Retry-After": String(Self.retryAfter)] }
}
