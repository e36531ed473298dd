import Testing
import Web
import WebTesting

private struct SignUp: Codable, Equatable {
    var email: String
    var age: Int
}

@Suite struct RequestTests {
    private func makeRequest(_ target: String, headers: HTTPHeaders = HTTPHeaders(), body: String = "") -> Request {
        Request(head: RequestHead(method: .post, target: target, headers: headers), body: Array(body.utf8))
    }

    /// An application whose routes report the query, the form and the decoded JSON.
    private func client() -> TestClient {
        let router = Router()
        router.get("/search") { request, _ in
            let query = try request.query()
            return query.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
        }
        router.post("/form") { request, _ in
            let form = try request.form()
            return form.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
        }
        router.post("/json") { request, _ in
            let value = try request.decodeJSON(SignUp.self)
            return "\(value.email) \(value.age)"
        }
        return TestClient(quietApplication(router))
    }

    // MARK: - Target and query

    @Test func pathAndQueryAreSplitAtTheFirstQuestionMark() {
        let request = makeRequest("/a%20b/c?x=1?y=2")
        #expect(request.path == "/a%20b/c")
        #expect(request.queryString == "x=1?y=2")
        #expect(makeRequest("/plain").queryString == nil)
        #expect(makeRequest("/empty?").queryString == "")
    }

    @Test func queryDecodesPlusAsSpaceAndKeepsRepeatedKeys() throws {
        let query = try makeRequest("/s?q=a+b%2B&tag=x&tag=y").query()
        #expect(query["q"] == "a b+")
        #expect(query.all("tag") == ["x", "y"])
    }

    @Test func missingQueryIsEmpty() throws {
        #expect(try makeRequest("/s").query().pairs.isEmpty)
    }

    @Test func badQueryEscapeIs400() async {
        #expect(throws: HTTPError.self) { try makeRequest("/s?q=%zz").query() }
        let response = await client().get("/search?q=%E0%A4")
        #expect(response.status == .badRequest)
        #expect(response.text == "Malformed query string.\n")
    }

    @Test func queryReachesTheHandler() async {
        #expect(await client().get("/search?q=swift+server&page=2&q=2").text == "q=swift server|page=2|q=2")
    }

    // MARK: - Form bodies

    @Test func formBodyIsDecoded() async {
        let response = await client().post("/form", form: [("email", "ada@example.com"), ("note", "a+b c&d")])
        #expect(response.status == .ok)
        #expect(response.text == "email=ada@example.com|note=a+b c&d")
    }

    @Test func formAcceptsContentTypeParametersAndCase() throws {
        let request = makeRequest("/f", headers: ["Content-Type": "Application/X-WWW-Form-Urlencoded ; charset=UTF-8"], body: "a=1")
        #expect(try request.form()["a"] == "1")
    }

    @Test func formWithWrongContentTypeIs415() async {
        let response = await client().send(.post, "/form", headers: ["Content-Type": "text/plain"], body: Array("a=1".utf8))
        #expect(response.status == .unsupportedMediaType)
        let missing = await client().send(.post, "/form", body: Array("a=1".utf8))
        #expect(missing.status == .unsupportedMediaType)
    }

    @Test func formWithBadEscapeOrInvalidUTF8Is400() async {
        let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
        let badEscape = await client().send(.post, "/form", headers: headers, body: Array("a=%2".utf8))
        #expect(badEscape.status == .badRequest)
        let badBytes = await client().send(.post, "/form", headers: headers, body: [0x61, 0x3D, 0xFF])
        #expect(badBytes.status == .badRequest)
    }

    // MARK: - JSON bodies

    @Test func jsonBodyIsDecoded() async {
        let response = await client().postJSON("/json", json: #"{"email":"ada@example.com","age":36}"#)
        #expect(response.status == .ok)
        #expect(response.text == "ada@example.com 36")
    }

    @Test func jsonSuffixMediaTypesAreAccepted() throws {
        let request = makeRequest("/j", headers: ["Content-Type": "application/vnd.latchkey+json; charset=utf-8"],
                              body: #"{"email":"a@b","age":1}"#)
        #expect(try request.decodeJSON(SignUp.self) == SignUp(email: "a@b", age: 1))
    }

    @Test func missingFieldIs400NamingTheField() async {
        let response = await client().postJSON("/json", json: #"{"age":36}"#)
        #expect(response.status == .badRequest)
        #expect(response.text == "Missing field \"email\".\n")
    }

    @Test func wrongFieldTypeIs400NamingTheField() async {
        let response = await client().postJSON("/json", json: #"{"email":"a@b","age":"old"}"#)
        #expect(response.status == .badRequest)
        #expect(response.text.contains("\"age\""))
    }

    @Test func malformedJSONIs400() async {
        let response = await client().postJSON("/json", json: #"{"email":"#)
        #expect(response.status == .badRequest)
        #expect(response.text == "Malformed JSON body.\n")
    }

    @Test func jsonWithWrongContentTypeIs415() async {
        let body = Array(#"{"email":"a@b","age":1}"#.utf8)
        let response = await client().send(.post, "/json", headers: ["Content-Type": "text/plain"], body: body)
        #expect(response.status == .unsupportedMediaType)
    }

    // MARK: - Metadata

    @Test func mediaTypeIsLowercasedWithoutParameters() {
        #expect(makeRequest("/", headers: ["Content-Type": "Text/HTML; charset=UTF-8"]).mediaType == "text/html")
        #expect(makeRequest("/").mediaType == nil)
    }

    @Test func headerLookupIgnoresCase() {
        let request = makeRequest("/", headers: ["X-Request-Id": "abc"])
        #expect(request.headers["x-request-id"] == "abc")
        #expect(request.headers.contains("X-REQUEST-ID"))
    }
}
