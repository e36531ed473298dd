import Foundation
import Security
import Web
import WebTesting

extension TestClient {
    /// `POST /api/auth/social` as a front end sends it, optionally with a bearer token.
    @discardableResult
    func apiSignIn(_ provider: String, accessToken: String, idToken: String? = nil, bearer: String? = nil) async -> TestResponse {
        var body: [String: JSONValue] = ["provider": .string(provider), "access_token": .string(accessToken)]
        if let idToken { body["id_token"] = .string(idToken) }
        let json = String(decoding: try! JSONEncoder().encode(JSONValue.object(body)), as: UTF8.self)
        return await postJSON("/api/auth/social", json: json, headers: bearer.map { ["Authorization": "Bearer \($0)"] } ?? HTTPHeaders())
    }

    /// `method path` with `Authorization: Bearer token`.
    @discardableResult
    func api(_ method: HTTPMethod, _ path: String, bearer: String?) async -> TestResponse {
        await send(method, path, headers: bearer.map { ["Authorization": "Bearer \($0)"] } ?? HTTPHeaders())
    }
}

extension TestResponse {
    /// The body as JSON (`.null` when it is not JSON).
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(body))) ?? .null }

    /// `error` of an API error body.
    var apiError: String? { json.objectValue?["error"]?.stringValue }
}

extension JSONValue {
    /// A member of an object; nil for other values.
    subscript(key: String) -> JSONValue? { objectValue?[key] }
}
