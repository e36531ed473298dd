import Testing
import Web
import WebTesting

@Suite struct RouterTests {
    /// A client for `router` with no middleware.
    private func client(_ router: Router) -> TestClient {
        TestClient(quietApplication(router))
    }

    @Test func staticSegmentsMatchExactly() async {
        let router = Router()
        router.get("/about") { _, _ in "about" }
        router.get("/about/team") { _, _ in "team" }
        let client = client(router)
        #expect(await client.get("/about").text == "about")
        #expect(await client.get("/about/team").text == "team")
        #expect(await client.get("/about/teams").status == .notFound)
    }

    @Test func trailingAndRepeatedSlashesAreIgnored() async {
        let router = Router()
        router.get("/about/team") { _, _ in "team" }
        let client = client(router)
        #expect(await client.get("/about/team/").text == "team")
        #expect(await client.get("//about//team").text == "team")
    }

    @Test func parameterCapturesOneSegment() async {
        let router = Router()
        router.get("/users/:id/posts/:post") { _, context in
            "\(context.parameters["id"] ?? "-") \(context.parameters.int("post").map(String.init) ?? "-")"
        }
        let client = client(router)
        #expect(await client.get("/users/ada/posts/7").text == "ada 7")
        #expect(await client.get("/users/ada/posts/seven").text == "ada -")
        #expect(await client.get("/users/ada").status == .notFound)
    }

    @Test func parameterIsPercentDecodedButPlusStaysPlus() async {
        let router = Router()
        router.get("/users/:name") { _, context in context.parameters["name"] ?? "" }
        let client = client(router)
        #expect(await client.get("/users/J%C3%BCrgen").text == "Jürgen")
        #expect(await client.get("/users/a%2Fb").text == "a/b")
        #expect(await client.get("/users/a+b").text == "a+b")
        #expect(await client.get("/users/a%20b").text == "a b")
    }

    @Test func trailingStarCapturesTheEncodedRest() async {
        let router = Router()
        router.get("/files/*") { _, context in context.parameters.catchAll ?? "nil" }
        let client = client(router)
        #expect(await client.get("/files/a/b/c.txt").text == "a/b/c.txt")
        #expect(await client.get("/files/a%20b/c").text == "a%20b/c")
        #expect(await client.get("/files").status == .notFound)
    }

    @Test func staticSegmentWinsOverParameter() async {
        let router = Router()
        router.get("/users/new") { _, _ in "form" }
        router.get("/users/:id") { _, context in "user \(context.parameters["id"] ?? "")" }
        let client = client(router)
        #expect(await client.get("/users/new").text == "form")
        #expect(await client.get("/users/42").text == "user 42")
    }

    @Test func deadEndStaticBranchBacktracksIntoParameter() async {
        let router = Router()
        router.get("/a/b/c") { _, _ in "static" }
        router.get("/a/:x/d") { _, context in "param \(context.parameters["x"] ?? "")" }
        let client = client(router)
        #expect(await client.get("/a/b/c").text == "static")
        #expect(await client.get("/a/b/d").text == "param b")
    }

    @Test func backtrackingLeavesNoStaleParameters() async {
        let router = Router()
        router.get("/:first/fixed/end") { _, _ in "end" }
        router.get("/:first/:second/other") { _, context in
            "\(context.parameters["first"] ?? "-") \(context.parameters["second"] ?? "-") \(context.parameters["*"] ?? "-")"
        }
        let client = client(router)
        #expect(await client.get("/a/fixed/other").text == "a fixed -")
        #expect(await client.get("/a/fixed/end").text == "end")
    }

    @Test func parameterWinsOverCatchAllAndStaticWinsOverBoth() async {
        let router = Router()
        router.get("/docs/index") { _, _ in "index" }
        router.get("/docs/:page") { _, context in "page \(context.parameters["page"] ?? "")" }
        router.get("/docs/*") { _, context in "rest \(context.parameters.catchAll ?? "")" }
        let client = client(router)
        #expect(await client.get("/docs/index").text == "index")
        #expect(await client.get("/docs/intro").text == "page intro")
        #expect(await client.get("/docs/guide/setup").text == "rest guide/setup")
    }

    @Test func matchedPatternIsRecordedInContext() async {
        let router = Router()
        router.get("/users/:id") { _, context in context.route ?? "none" }
        #expect(await client(router).get("/users/9").text == "/users/:id")
    }

    @Test func unknownPathIs404() async {
        let router = Router()
        router.get("/users/:id") { _, _ in "user" }
        let client = client(router)
        #expect(await client.get("/nowhere").status == .notFound)
        // `/users` is only an inner node of the tree, not a route.
        #expect(await client.get("/users").status == .notFound)
        #expect(await client.get("/").status == .notFound)
    }

    @Test func wrongMethodIs405WithAllowListingHeadBesideGet() async {
        let router = Router()
        router.get("/items") { _, _ in "list" }
        router.post("/items") { _, _ in HTTPStatus.created }
        let response = await client(router).send(.delete, "/items")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD, POST")
    }

    @Test func allowOmitsHeadWithoutGet() async {
        let router = Router()
        router.post("/login") { _, _ in "ok" }
        let response = await client(router).get("/login")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "POST")
    }

    @Test func unknownMethodTokenIs405() async {
        let router = Router()
        router.get("/") { _, _ in "home" }
        let response = await client(router).send(HTTPMethod(rawValue: "BREW"), "/")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD")
    }

    @Test func headIsAnsweredByGetHandlerWithoutBody() async throws {
        let router = Router()
        router.get("/page") { _, _ in HTML("<p>page</p>") }
        let application = quietApplication(router)
        let head = await application.respond(to: Request(head: RequestHead(method: .head, target: "/page")), requestID: "t")
        // The router hands HEAD to the GET handler; the server (and the test client) drop the body.
        #expect(head.status == .ok)
        #expect(head.headers["Content-Type"] == "text/html; charset=utf-8")
        let viaClient = await TestClient(application).send(.head, "/page")
        #expect(viaClient.status == .ok)
        #expect(viaClient.body.isEmpty)
    }

    @Test func explicitHeadRouteWinsOverGet() async {
        let router = Router()
        router.get("/thing") { _, _ in "get" }
        router.on(.head, "/thing") { _, _ in Response(status: .noContent) }
        #expect(await client(router).send(.head, "/thing").status == .noContent)
    }

    @Test func optionsIs204WithAllow() async {
        let router = Router()
        router.get("/items") { _, _ in "list" }
        router.put("/items") { _, _ in "put" }
        let response = await client(router).send(.options, "/items")
        #expect(response.status == .noContent)
        #expect(response.headers["Allow"] == "GET, HEAD, PUT")
        #expect(response.body.isEmpty)
    }

    @Test func explicitOptionsRouteWinsOverAutomaticAnswer() async {
        let router = Router()
        router.get("/api") { _, _ in "get" }
        router.on(.options, "/api") { _, _ in "custom" }
        let response = await client(router).send(.options, "/api")
        #expect(response.status == .ok)
        #expect(response.text == "custom")
    }

    @Test func everyMethodHelperRegistersItsMethod() async {
        let router = Router()
        router.get("/r") { _, _ in "GET" }
        router.post("/r") { _, _ in "POST" }
        router.put("/r") { _, _ in "PUT" }
        router.patch("/r") { _, _ in "PATCH" }
        router.delete("/r") { _, _ in "DELETE" }
        let client = client(router)
        for method in [HTTPMethod.get, .post, .put, .patch, .delete] {
            #expect(await client.send(method, "/r").text == method.rawValue)
        }
    }

    @Test func groupPrefixesItsRoutes() async {
        let router = Router()
        let admin = router.group("/admin")
        admin.get("/") { _, _ in "dashboard" }
        admin.get("users") { _, _ in "users" }
        admin.group("/reports/").get("/daily") { _, _ in "daily" }
        let client = client(router)
        #expect(await client.get("/admin").text == "dashboard")
        #expect(await client.get("/admin/users").text == "users")
        #expect(await client.get("/admin/reports/daily").text == "daily")
        #expect(await client.get("/users").status == .notFound)
    }

    @Test func malformedPercentEscapeInPathIs400() async {
        let router = Router()
        router.get("/users/:name") { _, context in context.parameters["name"] ?? "" }
        let client = client(router)
        #expect(await client.get("/users/%zz").status == .badRequest)
        #expect(await client.get("/users/%4").status == .badRequest)
        // A valid escape that decodes to a broken UTF-8 sequence is malformed too.
        #expect(await client.get("/users/%C3").status == .badRequest)
        #expect(await client.get("/nowhere/%").status == .badRequest)
    }
}
