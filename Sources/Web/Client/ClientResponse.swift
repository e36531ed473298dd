import Foundation

/// What a server answered: the final status, its header fields and the whole body.
public struct ClientResponse: Sendable {
    /// The status code of the final response (interim 1xx responses are dropped).
    public var status: Int
    /// Header fields of the final response, in the order received.
    public var headers: HTTPHeaders
    /// The body bytes, at most the client's `maxResponseBytes`.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8, invalid sequences replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as JSON into `type`; throws the decoder's `DecodingError` on mismatch.
    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }
}
