import Foundation
import Web
import WebTesting

/// A browser over real sockets for live tests: libcurl for the transfer (redirects are never
/// followed), plus a cookie jar and the CSRF-token scraping the in-process client does.
final class CurlBrowser: @unchecked Sendable {
    let baseURL: String
    private let client = CurlHTTPClient(connectTimeout: 5, totalTimeout: 10)
    private(set) var cookies: [String: String] = [:]

    /// A browser for the server at `baseURL` with an empty jar.
    init(baseURL: String) { self.baseURL = baseURL }

    /// GETs `path`.
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> ClientResponse {
        try await send(.get(baseURL + path, headers: withCookies(headers)))
    }

    /// POSTs a form to `path`.
    func post(_ path: String, form: [(String, String)], headers: HTTPHeaders = [:]) async throws -> ClientResponse {
        try await send(.post(baseURL + path, form: form, headers: withCookies(headers)))
    }

    /// POSTs `fields` with the CSRF token scraped from the form at `page`.
    func submit(_ path: String, _ fields: [(String, String)], tokenFrom page: String) async throws -> ClientResponse {
        let form = try await get(page)
        let token = TestClient.hiddenField("csrf_token", in: form.text) ?? ""
        return try await post(path, form: [("csrf_token", token)] + fields)
    }

    private func send(_ request: ClientRequest) async throws -> ClientResponse {
        let response = try await client.send(request)
        for header in response.headers.values(for: "Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq])
            let expired = header.lowercased().contains("max-age=0")
            cookies[name] = expired ? nil : String(pair[pair.index(after: eq)...])
        }
        return response
    }

    private func withCookies(_ headers: HTTPHeaders) -> HTTPHeaders {
        var all = headers
        if !cookies.isEmpty { all.set("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        return all
    }
}
