import Foundation
import Testing
import Web
import WebTesting

@Suite struct StaticFileTests {
    private static let files = FileMiddleware(directory: Fixtures.publicDirectory)

    /// The fixture files in front of a router with one dynamic route.
    private func application(files: FileMiddleware = StaticFileTests.files) -> Application {
        let router = Router()
        router.get("/dynamic") { _, _ in "from the router" }
        return quietApplication(router, middleware: [files])
    }

    private func client() -> TestClient { TestClient(application()) }

    @Test func indexesOnlyVisibleRegularFiles() {
        #expect(Self.files.paths == [
            "/css/site.css", "/data.json", "/docs/archive.bin", "/docs/notes.txt", "/img/logo.svg", "/index.html", "/js/app.js",
        ])
    }

    @Test func servesFileBytesWithValidators() async {
        let response = await client().get("/css/site.css")
        #expect(response.status == .ok)
        #expect(response.body == Fixtures.bytes("Public/css/site.css"))
        #expect(response.headers["ETag"]?.hasPrefix("\"") == true)
        #expect(response.headers["Last-Modified"].flatMap(HTTPDate.parse) != nil)
        #expect(response.headers["Cache-Control"] == "public, max-age=300")
    }

    @Test(arguments: [
        ("/index.html", "text/html; charset=utf-8"),
        ("/css/site.css", "text/css; charset=utf-8"),
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/img/logo.svg", "image/svg+xml"),
        ("/data.json", "application/json"),
        ("/docs/notes.txt", "text/plain; charset=utf-8"),
        ("/docs/archive.bin", "application/octet-stream"),
    ])
    func contentTypeFollowsTheExtension(path: String, type: String) async {
        #expect(await client().get(path).headers["Content-Type"] == type)
    }

    @Test func mediaTypeLookupIgnoresCaseAndDirectoryDots() {
        #expect(MediaType.forPath("/IMG/PHOTO.JPG") == "image/jpeg")
        #expect(MediaType.forPath("/v1.2/README") == "application/octet-stream")
        #expect(MediaType.forPath("/fonts/a.woff2") == "font/woff2")
    }

    @Test func matchingETagIs304WithoutBody() async throws {
        let client = client()
        let first = await client.get("/index.html")
        let etag = try #require(first.headers["ETag"])
        for header in [etag, "W/" + etag, "\"other\", \(etag)", "*"] {
            let second = await client.get("/index.html", headers: ["If-None-Match": header])
            #expect(second.status == .notModified, "If-None-Match: \(header)")
            #expect(second.body.isEmpty)
            #expect(second.headers["ETag"] == etag)
            #expect(second.headers["Cache-Control"] == "public, max-age=300")
        }
    }

    @Test func otherETagIs200() async {
        let response = await client().get("/index.html", headers: ["If-None-Match": "\"stale\""])
        #expect(response.status == .ok)
        #expect(response.body == Fixtures.bytes("Public/index.html"))
    }

    @Test func unchangedSinceLastModifiedIs304() async throws {
        let client = client()
        let lastModified = try #require(await client.get("/data.json").headers["Last-Modified"])
        #expect(await client.get("/data.json", headers: ["If-Modified-Since": lastModified]).status == .notModified)
        let later = HTTPDate.format(epochSeconds: try #require(HTTPDate.parse(lastModified)) + 3600)
        #expect(await client.get("/data.json", headers: ["If-Modified-Since": later]).status == .notModified)
    }

    @Test func modifiedSinceAnOlderDateIs200() async {
        let response = await client().get("/data.json", headers: ["If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"])
        #expect(response.status == .ok)
        let garbage = await client().get("/data.json", headers: ["If-Modified-Since": "yesterday"])
        #expect(garbage.status == .ok)
    }

    @Test func ifNoneMatchTakesPrecedenceOverIfModifiedSince() async throws {
        let client = client()
        let lastModified = try #require(await client.get("/data.json").headers["Last-Modified"])
        let response = await client.get("/data.json", headers: ["If-None-Match": "\"stale\"", "If-Modified-Since": lastModified])
        #expect(response.status == .ok)
    }

    @Test func cacheControlIsConfigurable() async {
        let files = FileMiddleware(directory: Fixtures.publicDirectory, cacheControl: "no-cache")
        #expect(await TestClient(application(files: files)).get("/index.html").headers["Cache-Control"] == "no-cache")
    }

    @Test func headHasHeadersButNoBody() async {
        let response = await client().send(.head, "/css/site.css")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
        #expect(response.headers["ETag"] != nil)
        #expect(response.body.isEmpty)
    }

    @Test func unknownPathsAndOtherMethodsFallThroughToTheRouter() async {
        let client = client()
        #expect(await client.get("/dynamic").text == "from the router")
        #expect(await client.get("/missing.css").status == .notFound)
        #expect(await client.send(.post, "/index.html").status == .notFound)
    }

    @Test(arguments: ["/", "/css", "/css/", "/docs/empty", "/img/"])
    func directoriesAreNotListed(path: String) async {
        let response = await client().get(path)
        #expect(response.status == .notFound)
        #expect(!response.text.contains("site.css"))
    }

    @Test func hiddenFilesAreNotServed() async {
        #expect(await client().get("/.hidden").status == .notFound)
        #expect(await client().get("/docs/empty/.keep").status == .notFound)
    }

    @Test func percentEncodedNameFindsTheFile() async {
        #expect(await client().get("/css/site%2Ecss").status == .ok)
    }

    /// Every spelling of "one directory up" that has fooled a static file server somewhere.
    static let traversals = [
        "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt",
        "/css/../../secret.txt", "/css/%2e%2e/%2e%2e/secret.txt", "/a/..%5c..%5csecret.txt", "/..\\secret.txt",
        "/css\\..\\..\\secret.txt", "/./secret.txt", "/secret.txt%00.css", "/index.html%00", "/%2e%2e%2fsecret.txt",
        "/css/..%2f..%2fsecret.txt", "/%252e%252e/secret.txt", "/..%c0%afsecret.txt",
    ]

    @Test(arguments: traversals)
    func traversalIsRefusedAndNeverLeaksOutsideFiles(path: String) async {
        let response = await client().get(path)
        #expect(response.status == .badRequest || response.status == .notFound, "\(path) → \(response.status)")
        #expect(!response.text.contains(Fixtures.secretMarker))
    }

    @Test func symlinkPointingOutsideTheRootIsNotServed() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("webtests-\(UInt64.random(in: 0...UInt64.max))")
        let root = base.appendingPathComponent("public")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try Data("inside\n".utf8).write(to: root.appendingPathComponent("inside.txt"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("escape.txt").path,
                                                   withDestinationPath: Fixtures.root + "/secret.txt")
        let files = FileMiddleware(directory: root.path)
        #expect(files.paths == ["/inside.txt"])
        let response = await TestClient(application(files: files)).get("/escape.txt")
        #expect(response.status == .notFound)
        #expect(!response.text.contains(Fixtures.secretMarker))
    }

    @Test(arguments: ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/a/..%5c..%5csecret.txt",
                      "/..\\secret.txt", "/secret.txt%00", "/css/../../secret.txt"])
    func traversalOverTheWireNeverLeaksOutsideFiles(path: String) async throws {
        try await withLiveServer(application()) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet(path, "Connection: close\r\n"))
            let bytes = await wire.readAll()
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400 ") || text.hasPrefix("HTTP/1.1 404 "), "\(path) → \(text.prefix(20))")
            #expect(!text.contains(Fixtures.secretMarker))
        }
    }

    @Test func fileOverTheWireHasLengthAndHeadHasNoBody() async throws {
        try await withLiveServer(application()) { live in
            let wire = try Wire.open(live)
            let expected = Fixtures.bytes("Public/js/app.js")
            let head = try #require(try await wire.exchange("HEAD /js/app.js HTTP/1.1\r\nHost: test\r\n\r\n", head: true))
            #expect(head.status == 200)
            #expect(head.headers["Content-Length"] == "\(expected.count)")
            #expect(head.body.isEmpty)
            // Had the HEAD response carried a body, this response would not parse.
            let get = try #require(try await wire.exchange(rawGet("/js/app.js")))
            #expect(get.status == 200)
            #expect(get.body == expected)
        }
    }
}
