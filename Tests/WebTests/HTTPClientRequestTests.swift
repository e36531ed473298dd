import Testing
import Web

@Suite struct HTTPClientRequestTests {
    @Test func formEncodingKeepsUnreservedCharactersAndPercentEncodesTheRest() {
        let encoded = ClientRequest.formEncoded([
            ("plain", "AZaz09-._~"),
            ("a b", "x&y=z+1"),
            ("redirect_uri", "http://127.0.0.1/cb?x=1"),
            ("name", "é/%"),
        ])
        #expect(encoded == "plain=AZaz09-._~&a%20b=x%26y%3Dz%2B1"
            + "&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb%3Fx%3D1&name=%C3%A9%2F%25")
    }

    @Test func formEncodingOfNoFieldsIsEmpty() {
        #expect(ClientRequest.formEncoded([]) == "")
    }

    @Test func formPostCarriesEncodedBodyAndFormContentType() {
        let request = ClientRequest.post("http://example.test/token", form: [("code", "a b")])
        #expect(request.method == "POST")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.body == Array("code=a%20b".utf8))
    }

    @Test func formPostKeepsCallerContentType() {
        let type = "application/x-www-form-urlencoded; charset=utf-8"
        let request = ClientRequest.post("http://example.test/token", form: [], headers: ["Content-Type": type])
        #expect(request.headers.values(for: "Content-Type") == [type])
    }

    @Test func jsonPostCarriesBodyAndJSONContentType() {
        let request = ClientRequest.postJSON("http://example.test/api", json: Array(#"{"a":1}"#.utf8))
        #expect(request.method == "POST")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.body == Array(#"{"a":1}"#.utf8))
    }

    @Test func getHasNoBody() {
        let request = ClientRequest.get("http://example.test/", headers: ["Accept": "application/json"])
        #expect(request.method == "GET")
        #expect(request.body == nil)
        #expect(request.headers["Accept"] == "application/json")
    }

    @Test func responseDecodesTextAndJSON() throws {
        struct Profile: Decodable { var id: Int; var login: String }
        let response = ClientResponse(status: 200, body: Array(#"{"id":7,"login":"ada"}"#.utf8))
        #expect(response.text == #"{"id":7,"login":"ada"}"#)
        let profile = try response.json(Profile.self)
        #expect(profile.id == 7 && profile.login == "ada")
    }

    @Test func responseJSONMismatchThrows() {
        struct Profile: Decodable { var id: Int }
        let response = ClientResponse(status: 200, body: Array("not json".utf8))
        #expect(throws: (any Error).self) { try response.json(Profile.self) }
    }
}
