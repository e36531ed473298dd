import Testing
import Web
import WebTesting
@testable import Provider

/// `refresh_token`: rotation on every use, reuse detection that revokes the family.
@Suite struct RefreshTokenTests {
    struct Session {
        let provider: TestProvider
        let http: TestClient
        let client: TestOAuthClient
        let access: String
        let refresh: String

        func refresh(_ token: String, scope: String? = nil, as other: TestOAuthClient? = nil) async -> TestResponse {
            var form = [("grant_type", "refresh_token"), ("refresh_token", token)]
            if let scope { form.append(("scope", scope)) }
            return await http.token(form, headers: (other ?? client).basic)
        }

        func profileStatus(_ token: String) async -> Int {
            await http.get("/api/profile", headers: ["Authorization": "Bearer \(token)"]).status.code
        }
    }

    func session() async throws -> Session {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let fields = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                         headers: client.basic).fields
        return Session(provider: provider, http: provider.browser(), client: client,
                       access: try #require(fields["access_token"] as? String), refresh: try #require(fields["refresh_token"] as? String))
    }

    @Test func refreshingRotatesTheRefreshToken() async throws {
        let session = try await session()
        let reply = await session.refresh(session.refresh)
        #expect(reply.status == .ok)
        #expect(reply.headers["Cache-Control"] == "no-store")
        let newRefresh = try #require(reply.fields["refresh_token"] as? String)
        let newAccess = try #require(reply.fields["access_token"] as? String)
        #expect(newRefresh != session.refresh)
        #expect(reply.fields["id_token"] is String)
        #expect(await session.profileStatus(newAccess) == 200)
        #expect(await session.refresh(newRefresh).status == .ok)
    }

    @Test func rotatedAwayTokenRevokesTheWholeFamily() async throws {
        let session = try await session()
        let rotated = await session.refresh(session.refresh).fields
        let newRefresh = try #require(rotated["refresh_token"] as? String)
        let newAccess = try #require(rotated["access_token"] as? String)

        let replay = await session.refresh(session.refresh)
        #expect(replay.status == .badRequest)
        #expect(replay.oauthError == "invalid_grant")
        #expect(await session.refresh(newRefresh).oauthError == "invalid_grant", "the thief's and the owner's tokens die together")
        #expect(await session.profileStatus(newAccess) == 401)
        #expect(await session.profileStatus(session.access) == 401)
    }

    @Test func revokedRefreshTokenIsInvalidGrant() async throws {
        let session = try await session()
        let revoked = await session.http.token([("token", session.refresh), ("token_type_hint", "refresh_token")],
                                               headers: session.client.basic, path: "/oauth/revoke")
        #expect(revoked.status == .ok)
        #expect(await session.refresh(session.refresh).oauthError == "invalid_grant")
    }

    @Test func expiredRefreshTokenIsInvalidGrant() async throws {
        let session = try await session()
        session.provider.clock.advance(2_592_000)
        #expect(await session.refresh(session.refresh).oauthError == "invalid_grant")
    }

    @Test func narrowerScopeIsAllowedWiderIsInvalidScope() async throws {
        let session = try await session()
        let narrower = await session.refresh(session.refresh, scope: "openid")
        #expect(narrower.status == .ok)
        #expect(narrower.fields["scope"] as? String == "openid")
        let next = try #require(narrower.fields["refresh_token"] as? String)
        let wider = await session.refresh(next, scope: "openid profile email api")
        #expect(wider.oauthError == "invalid_scope")
        let full = await session.refresh(next)
        #expect(full.fields["scope"] as? String == "email openid profile", "the refresh token kept the full grant")
    }

    @Test func refreshTokenOfAnotherClientIsInvalidGrant() async throws {
        let session = try await session()
        let other = try await session.provider.registerClient(name: "Other")
        #expect(await session.refresh(session.refresh, as: other).oauthError == "invalid_grant")
        #expect(await session.refresh(session.refresh).status == .ok)
    }
}
