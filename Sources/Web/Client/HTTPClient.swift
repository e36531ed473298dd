/// The one seam for outbound HTTP: production uses `CurlHTTPClient`, tests point it at local servers.
public protocol HTTPClient: Sendable {
    /// Sends `request` and returns the response, whatever its status; never follows redirects.
    func send(_ request: ClientRequest) async throws(ClientError) -> ClientResponse
}
