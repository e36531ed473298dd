import Foundation
import Mustache
import Security
import Web

// The benchmark server: the same four routes as ../shared/peers/hummingbird-bench, built on
// our Web framework, so scripts/bench can compare the two in one run. Not part of the product.

struct Item: MustacheObject {
    let id: Int
    let name: String
    let url: String
    let score: Int
    let author: String
    let featured: Bool

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "id": .int(id)
        case "name": .string(name)
        case "url": .string(url)
        case "score": .int(score)
        case "author": .string(author)
        case "featured": .bool(featured)
        default: nil
        }
    }
}

struct SessionPayload: Codable {
    let uid: Int
    let name: String
    let email: String
    let exp: Int
}

struct UserInfo: ResponseEncodable {
    let id: Int
    let name: String
    let email: String
    let provider: String
}

/// `base64url(JSON).base64url(HMAC-SHA256)`, as the peer signs its cookie.
struct SessionSigner: Sendable {
    let key: [UInt8]

    func sign(_ payload: SessionPayload) throws -> String {
        let body = Base64URL.encode(try JSONEncoder().encode(payload))
        return body + "." + Base64URL.encode(HMAC.sha256(key: key, message: Array(body.utf8)))
    }

    func verify(_ token: String) -> SessionPayload? {
        guard let dot = token.lastIndex(of: "."),
              let signature = Base64URL.decode(token[token.index(after: dot)...]),
              constantTimeEquals(signature, HMAC.sha256(key: key, message: Array(token[..<dot].utf8))),
              let json = Base64URL.decode(token[..<dot]),
              let payload = try? JSONDecoder().decode(SessionPayload.self, from: Data(json)),
              payload.exp > Int(Date().timeIntervalSince1970) else { return nil }
        return payload
    }
}

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "8080") ?? 8080
let templatesDirectory = environment["TEMPLATES_DIR"] ?? "../shared/peers/hummingbird-bench/templates"
let signer = SessionSigner(key: SHA256.hash(environment["SESSION_SECRET"] ?? "dev-only-session-secret-change-me-0123456789"))
let templates = try TemplateLibrary(directory: templatesDirectory)

// A typed array renders in place, without boxing each element.
let items: MustacheValue = (1...20).map { i in
    Item(id: i, name: "Post number \(i) <with> \"markup\" & stuff", url: "/posts/\(i)", score: i * 7 % 50,
         author: "user\(i % 5)", featured: i % 4 == 0)
}.mustacheValue
let message = MustacheValue.string("Welcome! Here are today's top 20 posts.")

let router = Router()
router.get("/hello") { _, _ in "hello" }

router.get("/") { request, _ -> View in
    var context: [String: MustacheValue] = [
        "title": "Social Login Demo",
        "message": message,
        "items": items,
        "renderedAt": .string(Date().formatted(.iso8601)),
        "count": 20,
    ]
    if let user = request.cookies["session"].flatMap(signer.verify) {
        context["user"] = ["name": .string(user.name), "email": .string(user.email)]
    }
    return View("index", MustacheValue(context))
}

router.get("/me") { request, _ -> UserInfo in
    guard let token = request.cookies["session"], let session = signer.verify(token) else { throw HTTPError(.unauthorized) }
    return UserInfo(id: session.uid, name: session.name, email: session.email, provider: "github")
}

router.post("/login") { request, _ -> Response in
    let form = try request.form()
    guard let username = form["username"], let password = form["password"], !username.isEmpty, !password.isEmpty else {
        throw HTTPError(.badRequest)
    }
    let uid = Int(username.utf8.reduce(UInt32(5381)) { ($0 &* 33) &+ UInt32($1) } % 1_000_000)
    let payload = SessionPayload(uid: uid, name: username, email: "\(username)@example.com",
                                 exp: Int(Date().timeIntervalSince1970) + 7 * 24 * 3600)
    var response = Response(status: .seeOther, headers: ["Location": "/me"])
    response.setCookie(Cookie(name: "session", value: try signer.sign(payload), maxAge: 7 * 24 * 3600))
    return response
}

let logger = Logger(level: environment["LOG_LEVEL"] == "info" ? .info : .warning)
let application = Application(responder: router.responder(middleware: [RequestLogMiddleware()]), templates: templates, logger: logger)
let loops = Int(environment["EVENT_LOOPS"] ?? "") ?? System.coreCount
// MAX_CONNECTIONS as the site reads it: scripts/bench holds 10,000 idle connections and then
// opens fresh ones, which at a cap of exactly 10,000 would wait for an idle one to time out.
let maxConnections = Int(environment["MAX_CONNECTIONS"] ?? "") ?? 10_000
let server = Server(configuration: ServerConfiguration(host: "127.0.0.1", port: port, eventLoops: loops, maxConnections: maxConnections),
                    application: application)
// The main thread waits while the server runs, rather than top-level `await`, which hands it to
// dispatch_main(): valgrind 3.19 crashes under that, and scripts/bench counts instructions here.
let stopped = DispatchSemaphore(value: 0)
Task.detached {
    do { try await server.run() } catch { fatalError("\(error)") }
    stopped.signal()
}
stopped.wait()
