import Web

/// Why `FakeBrowser` could not complete an authorization.
public enum FakeBrowserError: Error, Sendable, Equatable {
    /// The fake answered without a redirect (an error page, a login page, an injected fault).
    case notRedirected(status: Int, body: String)
    /// The request itself failed.
    case transport(ClientError)
}

/// Plays the user's browser at a fake's authorize page: the site redirects the browser to the
/// provider, the user clicks Allow, the provider redirects back to the site's callback.
public enum FakeBrowser {
    /// GETs `url` (the site's redirect to a fake's authorize page) and returns where the fake
    /// redirects to: the site's callback URL with `code` and `state` (or an error). The fragment
    /// is dropped, as browsers never send one (Facebook appends `#_=_`).
    public static func authorize(_ url: String, client: any HTTPClient = CurlHTTPClient()) async throws(FakeBrowserError) -> String {
        let response: ClientResponse
        do {
            response = try await client.send(.get(url, headers: ["Accept": "text/html"]))
        } catch {
            throw .transport(error)
        }
        guard (300..<400).contains(response.status), let location = response.headers["Location"] else {
            throw .notRedirected(status: response.status, body: response.text)
        }
        return location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? location
    }

    /// The path and query of an absolute URL (`http://host:port/a?b` → `/a?b`), for the site's
    /// in-process `TestClient`.
    public static func pathAndQuery(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    /// The decoded query parameters of a URL.
    public static func queryItems(of url: String) -> FormData {
        guard let mark = url.firstIndex(of: "?") else { return FormData() }
        let query = url[url.index(after: mark)...].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return FormData(urlEncoded: query) ?? FormData()
    }
}
