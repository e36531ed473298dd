import Web
let router = Router()
router.get("/hello") { _, _ in "hello" }
router.get("/users/:id") { _, c in "user \(c.parameters["id"] ?? "")" }
router.post("/echo") { r, _ in String(decoding: r.body, as: UTF8.self) }
let app = Application(responder: router.responder(middleware: [RequestLogMiddleware()]))
let server = Server(configuration: ServerConfiguration(port: 8099), application: app)
try await server.run()
