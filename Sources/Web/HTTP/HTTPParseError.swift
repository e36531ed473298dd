/// Why a request could not be parsed; the server answers with `status` and closes the connection.
public enum HTTPParseError: Error, Equatable, Sendable {
    /// Malformed or ambiguous framing; the string is a short reason for the log.
    case badRequest(String)
    /// The request target is longer than `HTTPLimits.maxURIBytes`.
    case uriTooLong
    /// The head (or trailer section) exceeds `maxHeaderBytes` or `maxHeaderCount`.
    case headersTooLarge
    /// The body exceeds `HTTPLimits.maxBodyBytes`.
    case payloadTooLarge
    /// `Transfer-Encoding` names a coding other than a final `chunked`.
    case unsupportedTransferEncoding
    /// The request line names an HTTP version other than 1.0 or 1.1.
    case versionNotSupported

    /// The response status code for this error.
    public var status: Int {
        switch self {
        case .badRequest: 400
        case .uriTooLong: 414
        case .headersTooLarge: 431
        case .payloadTooLarge: 413
        case .unsupportedTransferEncoding: 501
        case .versionNotSupported: 505
        }
    }
}
