import Foundation
import Web

/// An in-process client for an `Application`: no sockets, but the same responder chain the
/// server runs. It keeps a cookie jar and can follow redirects, so tests read like a visit.
public final class TestClient: @unchecked Sendable {
    /// The application under test.
    public let application: Application
    /// Cookies the application has set, by name (domain and path are not modelled: one site).
    public private(set) var cookies: [String: String] = [:]
    /// The address requests appear to come from.
    public var remoteAddress = "127.0.0.1"
    /// Headers sent with every request (e.g. `Host`).
    public var defaultHeaders: HTTPHeaders = ["Host": "localhost"]
    private var counter = 0

    /// A client for `application` with an empty cookie jar.
    public init(_ application: Application) { self.application = application }

    /// Sends a request and stores any cookies it sets. HEAD responses lose their body as they
    /// would on the wire.
    @discardableResult
    public func send(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) async -> TestResponse {
        var all = defaultHeaders
        for field in headers { all.set(field.name, field.value) }
        if !cookies.isEmpty && all["Cookie"] == nil {
            all.set("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let head = RequestHead(method: method, target: target, headers: all)
        counter += 1
        var response = await application.respond(to: Request(head: head, body: body, remoteAddress: remoteAddress), requestID: "test-\(counter)")
        if method == .head { response.body = [] }
        absorbCookies(from: response)
        return TestResponse(response)
    }

    /// GET `target`.
    @discardableResult
    public func get(_ target: String, headers: HTTPHeaders = HTTPHeaders()) async -> TestResponse {
        await send(.get, target, headers: headers)
    }

    /// POST a URL-encoded form.
    @discardableResult
    public func post(_ target: String, form: [(String, String)], headers: HTTPHeaders = HTTPHeaders()) async -> TestResponse {
        var all = headers
        all.set("Content-Type", "application/x-www-form-urlencoded")
        return await send(.post, target, headers: all, body: Array(FormData(form).encoded.utf8))
    }

    /// POST a JSON body.
    @discardableResult
    public func postJSON(_ target: String, json: String, headers: HTTPHeaders = HTTPHeaders()) async -> TestResponse {
        var all = headers
        all.set("Content-Type", "application/json")
        return await send(.post, target, headers: all, body: Array(json.utf8))
    }

    /// Follows `Location` headers with GETs until a non-redirect (at most 10 hops).
    public func follow(_ response: TestResponse) async -> TestResponse {
        var current = response
        for _ in 0..<10 {
            guard (300..<400).contains(current.status.code), let location = current.headers["Location"] else { return current }
            current = await get(location)
        }
        return current
    }

    /// Sets or replaces a cookie by hand (e.g. a tampered one).
    public func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    /// Forgets every cookie.
    public func clearCookies() { cookies.removeAll() }

    private func absorbCookies(from response: Response) {
        for header in response.headers.values(for: "Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: eq)...])
            let lowered = header.lowercased()
            if lowered.contains("max-age=0") || lowered.contains("max-age=-") { cookies[name] = nil } else { cookies[name] = value }
        }
    }
}

/// A response as a test sees it.
public struct TestResponse: Sendable {
    public let status: HTTPStatus
    public let headers: HTTPHeaders
    public let body: [UInt8]

    /// Wraps a framework response.
    public init(_ response: Response) {
        status = response.status
        headers = response.headers
        body = response.body
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The `Location` header.
    public var location: String? { headers["Location"] }

    /// The body decoded from JSON.
    public func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body))
    }

    /// The body parsed as a JSON object.
    public func jsonObject() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
