import Localization

/// The one way an error becomes an HTTP error, whatever the reply's format (an HTML page, the
/// API's JSON, an RFC 6749 reply). The framework knows its own `HTTPResponseError`s; the app
/// installs `translate` for the domain errors it knows (a database outage is 503), so the
/// framework never imports the layers above it.
public struct ErrorMapping: Sendable {
    /// The message for every failure that is our fault; the details go to the log only.
    public static let internalProblem = Message("Something went wrong on our side. It has been logged; please try again.")
    /// Its English, as plain text and JSON carry it.
    public static let internalMessage = internalProblem.description

    private let translate: @Sendable (any Error) -> (any HTTPResponseError)?

    /// A mapping that consults `translate` for errors that are not already HTTP errors.
    public init(_ translate: @escaping @Sendable (any Error) -> (any HTTPResponseError)? = { _ in nil }) {
        self.translate = translate
    }

    /// The HTTP error for `error`. Anything that is not a plain client error is logged by its
    /// type name first: a failure never becomes a response without a line that names it.
    public func httpError(for error: any Error, logger: Logger) -> HTTPError {
        if let plain = error as? HTTPError { return plain }
        guard let known = (error as? any HTTPResponseError) ?? translate(error) else {
            logger.error("unhandled", ["error": String(reflecting: type(of: error)), "detail": error])
            return HTTPError(.internalServerError, Self.internalProblem)
        }
        if known.status.code >= 500 {
            logger.error("failed", ["error": String(reflecting: type(of: error)), "status": known.status.code, "detail": error])
        }
        return HTTPError(known.status, known.publicMessage, headers: known.headers)
    }
}

extension RequestContext {
    /// The HTTP error for `error` under the application's mapping (see `ErrorMapping`).
    public func httpError(for error: any Error) -> HTTPError {
        errors.httpError(for: error, logger: logger)
    }
}
