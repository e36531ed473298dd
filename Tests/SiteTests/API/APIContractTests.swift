import Identity
import Accounts
import FakeProviders
import Foundation
import Security
import Storage
import Testing
import Web
import WebTesting

/// The API's real responses, success and error alike, match the schemas of the OpenAPI document
/// it serves at `/api/openapi.json`.
@Suite struct APIContractTests {
    /// The document as served.
    static func schema(_ client: TestClient) async throws -> OpenAPISchema {
        let response = await client.get("/api/openapi.json")
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
        return try OpenAPISchema(response.body)
    }

    @Test func servesAnOpenAPI31Document() async throws {
        let site = try await TestSite.make()
        let schema = try await Self.schema(site.client())
        #expect(schema.document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        for path in ["/api/auth/social", "/api/me", "/api/logout", "/api/openapi.json"] {
            #expect(schema.document["paths"]?[path] != nil, "\(path) is not documented")
        }
    }

    @Test func theCheckerCatchesAWrongBody() async throws {
        let site = try await TestSite.make()
        let schema = try await Self.schema(site.client())
        let userSchema: JSONValue = .object(["$ref": .string("#/components/schemas/User")])
        let good: JSONValue = .object(["id": .int(1), "username": .string("a"), "email": .null, "email_verified": .bool(false),
                                       "is_admin": .bool(false), "created_at": .int(0)])
        #expect(schema.problems(good, schema: userSchema).isEmpty)
        var bad = good.objectValue!
        bad["id"] = .string("1")
        bad["extra"] = .bool(true)
        bad["username"] = nil
        #expect(schema.problems(.object(bad), schema: userSchema).count == 3)
        let error: JSONValue = .object(["error": .string("no_such_code"), "message": .string("x")])
        #expect(!schema.problems(error, schema: .object(["$ref": .string("#/components/schemas/Error")])).isEmpty)
    }

    @Test func signInResponsesMatchTheirSchemas() async throws {
        try await SocialSite.with([.github, .linkedin], environment: ["HTTP_TIMEOUT": "2"]) { social in
            let client = social.site.client()
            let schema = try await Self.schema(client)
            var responses: [(TestResponse, String, String)] = []
            func record(_ response: TestResponse, _ method: String = "POST", _ path: String = "/api/auth/social") { responses.append((response, method, path)) }

            let created = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(created.status.code == 201)
            record(created)
            let bearer = try #require(created.json["token"]?.stringValue)
            let again = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(again.status.code == 200)
            record(again)
            record(await client.apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken, bearer: bearer))
            record(await client.postJSON("/api/auth/social", json: "{"))
            record(await client.post("/api/auth/social", form: [("provider", "github")]))
            record(await client.apiSignIn("myspace", accessToken: "x"))
            social.github.addClient(id: "other-app", secret: "other-secret")
            record(await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github, clientID: "other-app", secret: "other-secret").accessToken))
            let linkedInToken = try await APIFrontEnd.linkedIn(social.linkedIn)
            social.linkedIn.inject(.status(500), on: .tokenInfo)
            record(await client.apiSignIn("linkedin", accessToken: linkedInToken.accessToken))
            // The LinkedIn account now belongs to the first user; a second user cannot take it.
            let other = try await social.site.createUser("bob")
            let now = Clock.now
            let otherBearer = try await social.site.services.database.write { db in
                try APITokenRepository.issue(userID: other.id, lifetime: 600, now: now, in: db).token
            }
            let conflict = await client.apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken, bearer: otherBearer)
            #expect(conflict.status.code == 409)
            record(conflict)

            record(await client.api(.get, "/api/me", bearer: bearer), "GET", "/api/me")
            record(await client.api(.get, "/api/me", bearer: nil), "GET", "/api/me")
            try await social.site.services.database.write { db in try UserRepository.setDisabled(true, userID: other.id, now: 0, in: db) }
            record(await client.api(.get, "/api/me", bearer: otherBearer), "GET", "/api/me")
            record(await client.api(.post, "/api/logout", bearer: bearer), "POST", "/api/logout")
            record(await client.api(.post, "/api/logout", bearer: bearer), "POST", "/api/logout")

            let statuses = Set(responses.map(\.0.status.code))
            #expect(statuses == [200, 201, 204, 400, 401, 403, 409, 415, 502], "\(statuses.sorted())")
            for (response, method, path) in responses {
                let problems = schema.problems(with: response, method, path)
                #expect(problems.isEmpty, "\(method) \(path) \(response.status.code): \(problems) body=\(response.text)")
            }
        }
    }

    @Test func rateLimitedAndUnroutedErrorsUseTheErrorSchema() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "1"])
        let client = site.client()
        let schema = try await Self.schema(client)
        _ = await client.postJSON("/api/auth/social", json: "{}")
        let limited = await client.postJSON("/api/auth/social", json: "{}")
        #expect(limited.status.code == 429)
        #expect(schema.problems(with: limited, "POST", "/api/auth/social").isEmpty)
        let errorSchema: JSONValue = .object(["$ref": .string("#/components/schemas/Error")])
        for response in [await client.get("/api/nowhere"), await client.send(.put, "/api/me")] {
            #expect(schema.problems(response.json, schema: errorSchema).isEmpty, "\(response.text)")
        }
    }
}
