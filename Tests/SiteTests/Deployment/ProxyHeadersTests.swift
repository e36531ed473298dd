import Identity
import Site
import Testing
import Web
import WebTesting

/// Behind a platform's router: forwarded headers count only from trusted proxies.
@Suite struct ProxyHeadersTests {
    private func request(_ target: String, _ headers: HTTPHeaders) -> Request {
        Request(head: RequestHead(method: .get, target: target, headers: headers))
    }

    @Test func forwardedProtoAndHostAreIgnoredWithoutTrustedProxies() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "0"])
        let origin = site.services.configuration.origin(for: request("/", [
            "Host": "internal:5000", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
        ]))
        #expect(origin == "http://internal:5000")
    }

    @Test func forwardedProtoAndHostFromATrustedProxyBuildTheOrigin() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1"])
        let origin = site.services.configuration.origin(for: request("/", [
            "Host": "internal:5000", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "latchkey.example.com",
        ]))
        #expect(origin == "https://latchkey.example.com")
    }

    @Test func baseURLWinsOverAnyHeader() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1", "BASE_URL": "https://id.example.org"])
        let origin = site.services.configuration.origin(for: request("/", ["Host": "x", "X-Forwarded-Host": "evil.example"]))
        #expect(origin == "https://id.example.org")
    }

    @Test func forceHTTPSRedirectsPlainHTTPButNotHTTPSOrTheHealthCheck() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1", "FORCE_HTTPS": "1", "BASE_URL": "https://latchkey.example.com"])
        let client = site.client()
        let plain = await client.get("/login?next=%2Faccount", headers: ["X-Forwarded-Proto": "http"])
        #expect(plain.status.code == 308)
        #expect(plain.location == "https://latchkey.example.com/login?next=%2Faccount")
        let secure = await client.get("/login", headers: ["X-Forwarded-Proto": "https"])
        #expect(secure.status.code == 200)
        #expect(secure.headers["Strict-Transport-Security"]?.contains("max-age=") == true)
        #expect(await client.get("/healthz").status.code == 200)
    }

    @Test func forceHTTPSWithoutATrustedProxyIsAConfigurationError() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try SiteConfiguration(environment: ["FORCE_HTTPS": "1", "TRUSTED_PROXIES": "0"])
        }
    }
}
