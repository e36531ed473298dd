/// One outbound HTTP request, as handed to an `HTTPClient`.
public struct ClientRequest: Sendable {
    /// The method token, e.g. `GET` or `DELETE`; any valid token is sent as is.
    public var method: String
    /// The absolute `http` or `https` URL to call.
    public var url: String
    /// Header fields sent in addition to `Host`, `Content-Length` and a default `User-Agent`.
    public var headers: HTTPHeaders
    /// The request body, if any; a body is sent for any method, including `DELETE`.
    public var body: [UInt8]?

    /// A request with every part spelled out.
    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A `GET` request without a body.
    public static func get(_ url: String, headers: HTTPHeaders = [:]) -> ClientRequest {
        ClientRequest(method: "GET", url: url, headers: headers)
    }

    /// A `POST` of `form` as `application/x-www-form-urlencoded`, the encoding OAuth token endpoints expect.
    public static func post(_ url: String, form: [(String, String)], headers: HTTPHeaders = [:]) -> ClientRequest {
        var headers = headers
        if !headers.contains("Content-Type") {
            headers.add("Content-Type", "application/x-www-form-urlencoded")
        }
        return ClientRequest(method: "POST", url: url, headers: headers, body: Array(formEncoded(form).utf8))
    }

    /// A `POST` of an already-encoded JSON document.
    public static func postJSON(_ url: String, json: [UInt8], headers: HTTPHeaders = [:]) -> ClientRequest {
        var headers = headers
        if !headers.contains("Content-Type") {
            headers.add("Content-Type", "application/json")
        }
        return ClientRequest(method: "POST", url: url, headers: headers, body: json)
    }
}
