import FakeProviders
import Foundation
import Security
import Testing
import Web

/// The client every test talks to the fakes with: the production one.
let http = CurlHTTPClient(totalTimeout: 5)

/// The site's callback, as it would be configured.
let callback = "http://localhost:8080/auth/callback"

/// A PKCE verifier and its S256 challenge.
struct PKCEPair {
    let verifier = SecureRandom.token(byteCount: 32)
    var challenge: String { Base64URL.encode(SHA256.hash(verifier)) }
}

/// `base + path` with `query` encoded.
func url(_ base: String, _ path: String, _ query: [(String, String)]) -> String {
    base + path + "?" + ClientRequest.formEncoded(query)
}

/// An `Authorization: Basic` value.
func basic(_ id: String, _ secret: String) -> String {
    "Basic " + Base64.encode(Array("\(id):\(secret)".utf8))
}

/// The response body as a JSON object.
func object(_ response: ClientResponse) throws -> [String: JSONValue] {
    try #require(try response.json(JSONValue.self).objectValue, "not a JSON object: \(response.text)")
}

/// The response body as a form.
func form(_ response: ClientResponse) throws -> FormData {
    try #require(FormData(urlEncoded: Substring(response.text)), "not a form: \(response.text)")
}

/// The current Unix time.
var now: Int { Int(Date().timeIntervalSince1970) }

/// Runs `body` with `fake`, stopping the fake afterwards whatever happens.
func using<Fake: FakeProvider>(_ fake: Fake, _ body: (Fake) async throws -> Void) async throws {
    do {
        try await body(fake)
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

/// Completes an authorization at `authorizeURL` and returns the callback's query parameters.
func approve(_ authorizeURL: String) async throws -> FormData {
    let location = try await FakeBrowser.authorize(authorizeURL)
    #expect(location.hasPrefix(callback))
    return FakeBrowser.queryItems(of: location)
}
