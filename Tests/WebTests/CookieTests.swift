import Foundation
import Testing
import Web
import WebTesting

@Suite struct CookieTests {
    // MARK: - Parsing the Cookie header

    @Test func parsesPairsWithOrWithoutSpaces() {
        let cookies = Cookies(header: "a=1; b=2;c=3 ;  d = 4")
        #expect(cookies.pairs.map(\.name) == ["a", "b", "c", "d"])
        #expect(cookies["a"] == "1")
        #expect(cookies["c"] == "3")
        #expect(cookies["d"] == "4")
    }

    @Test func stripsDoubleQuotesAroundValues() {
        let cookies = Cookies(header: #"sid="abc123"; empty=""; bare=x"#)
        #expect(cookies["sid"] == "abc123")
        #expect(cookies["empty"] == "")
        #expect(cookies["bare"] == "x")
    }

    @Test func skipsJunkInsteadOfFailingTheHeader() {
        let header = "junk; =novalue; good=1; sp=a b; com=a,b; semi\u{1}=x; ctl=a\u{7}b; bad name=2; quote=a\"b; last=ok"
        let cookies = Cookies(header: header)
        #expect(cookies.pairs.map(\.name) == ["good", "last"])
        #expect(cookies["good"] == "1")
        #expect(cookies["last"] == "ok")
    }

    @Test func keepsEmptyValuesAndEqualsSignsInsideValues() {
        let cookies = Cookies(header: "flag=; token=abc==")
        #expect(cookies["flag"] == "")
        #expect(cookies["token"] == "abc==")
    }

    @Test func firstOfRepeatedNamesWins() {
        let cookies = Cookies(header: "sid=first; sid=second")
        #expect(cookies["sid"] == "first")
        #expect(cookies.pairs.count == 2)
    }

    @Test func missingOrEmptyHeaderHasNoCookies() {
        #expect(Cookies(header: nil).pairs.isEmpty)
        #expect(Cookies(header: "").pairs.isEmpty)
        #expect(Cookies(header: " ; ;").pairs.isEmpty)
    }

    @Test func requestExposesItsCookieHeader() {
        let head = RequestHead(method: .get, target: "/", headers: ["Cookie": "theme=dark; sid=xyz"])
        let request = Request(head: head)
        #expect(request.cookies["sid"] == "xyz")
        #expect(request.cookies["theme"] == "dark")
    }

    // MARK: - Serializing Set-Cookie

    @Test func defaultsArePathRootHttpOnlyLax() throws {
        #expect(try Cookie(name: "sid", value: "abc").serialized() == "sid=abc; Path=/; HttpOnly; SameSite=Lax")
    }

    @Test func serializesEveryAttributeInOrder() throws {
        let cookie = Cookie(name: "sid", value: "abc", maxAge: 3600, expires: Date(timeIntervalSince1970: 784_111_777),
                            path: "/app", domain: "example.com", secure: true, httpOnly: true, sameSite: .strict)
        #expect(try cookie.serialized()
            == "sid=abc; Max-Age=3600; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict")
    }

    @Test func omitsAttributesThatAreOff() throws {
        let cookie = Cookie(name: "pref", value: "1", path: nil, httpOnly: false, sameSite: nil)
        #expect(try cookie.serialized() == "pref=1")
    }

    @Test func sameSiteNoneForcesSecure() throws {
        let cookie = Cookie(name: "x", value: "1", secure: false, sameSite: Cookie.SameSite.none)
        #expect(try cookie.serialized() == "x=1; Path=/; Secure; HttpOnly; SameSite=None")
    }

    @Test func expiredCookieClearsWithMaxAgeZeroAndEpochExpiry() throws {
        #expect(try Cookie.expired("sid", path: "/app", secure: true).serialized()
            == "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Secure; HttpOnly; SameSite=Lax")
    }

    @Test func quotedValueIsAllowed() throws {
        #expect(try Cookie(name: "q", value: "\"abc\"", path: nil, httpOnly: false, sameSite: nil).serialized() == "q=\"abc\"")
    }

    @Test(arguments: ["", "a b", "a=b", "a;b", "a,b", "a\"b", "a(b)", "é", "a\r\nSet-Cookie: x"])
    func invalidNameIsRejected(name: String) {
        #expect(throws: Cookie.InvalidCookie.name(name)) { try Cookie(name: name, value: "v").serialized() }
    }

    @Test(arguments: ["a b", "a;b", "a,b", "a\\b", "a\"b", "\"abc", "é", "a\r\nX-Injected: 1", "a\u{0}b", "a\u{7f}"])
    func invalidValueIsRejected(value: String) {
        #expect(throws: Cookie.InvalidCookie.value(value)) { try Cookie(name: "n", value: value).serialized() }
    }

    @Test func attributeWithSemicolonOrControlIsRejected() {
        #expect(throws: Cookie.InvalidCookie.attribute("/a;b")) { try Cookie(name: "n", value: "v", path: "/a;b").serialized() }
        #expect(throws: Cookie.InvalidCookie.attribute("ex.com\r\nX: y")) {
            try Cookie(name: "n", value: "v", domain: "ex.com\r\nX: y").serialized()
        }
    }

    @Test func setCookieHeadersAreNeverFolded() async {
        let router = Router()
        router.get("/") { _, _ in
            var response = Response(status: .ok)
            response.setCookie(Cookie(name: "a", value: "1"))
            response.setCookie(Cookie(name: "b", value: "2", maxAge: 60))
            return response
        }
        let client = TestClient(quietApplication(router))
        let response = await client.get("/")
        #expect(response.headers.values(for: "Set-Cookie") == [
            "a=1; Path=/; HttpOnly; SameSite=Lax",
            "b=2; Max-Age=60; Path=/; HttpOnly; SameSite=Lax",
        ])
        #expect(client.cookies == ["a": "1", "b": "2"])
    }
}

