/// Why an outbound HTTP call produced no response. A response with any status, 4xx and 5xx
/// included, is not an error at this layer.
public enum ClientError: Error, Sendable, Equatable {
    /// The URL is malformed or its scheme is not `http` or `https`.
    case invalidURL
    /// The connect or total timeout elapsed.
    case timedOut
    /// The host could not be resolved or refused the connection.
    case connectionFailed(String)
    /// The TLS handshake or certificate verification failed.
    case tlsFailed(String)
    /// The body exceeded the client's `maxResponseBytes`.
    case responseTooLarge
    /// Anything else: a malformed reply, a reset connection, a request we refused to send.
    case transport(String)
}
