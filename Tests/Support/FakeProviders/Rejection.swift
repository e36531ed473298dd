import Web

/// Thrown by a fake's handler to answer with `response` at once: the provider's own error shape
/// for a bad token, a missing header, a wrong secret.
struct Rejection: Error {
    /// The complete error reply.
    let response: Response

    /// A rejection answering `response`.
    init(_ response: Response) { self.response = response }
}
