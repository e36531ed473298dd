import Foundation
import IdentityWeb
import Mustache
import Web

/// `/device` (RFC 8628 §3.3): a signed-in person types the user code a device shows, sees what
/// the device's client asks for and allows or denies it. Wrong codes count against the identity
/// core's rate limits, per account and per address; the request found is kept in the session,
/// so the decision form carries nothing a guesser could vary.
struct DevicePageController {
    let services: ProviderServices
    static let path = "/device"
    static let sessionKey = "device_request"

    func register(on router: Router) {
        let device = router.group(Self.path, middleware: [RequireUserMiddleware()])
        device.get("/", use: show)
        device.post("/", use: enter)
        device.post("/decide", use: decide)
    }

    /// The code form, filled in from `verification_uri_complete`'s `user_code`.
    @Sendable func show(_ request: Request, context: RequestContext) async throws -> View {
        let typed = (try? request.query())?["user_code"].map { String($0.prefix(32)) } ?? ""
        return page(context, ["enter": true, "userCode": .string(typed)])
    }

    @Sendable func enter(_ request: Request, context: RequestContext) async throws -> Response {
        let typed = String((try request.form()["user_code"] ?? "").prefix(32))
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies), now = services.clock.now()
        let subjects = [(DeviceAuthorizations.entryLimit, String(user.id)), (DeviceAuthorizations.entryLimitPerAddress, ip)]
        let waits = try await services.database.read { db in try subjects.compactMap { try $0.0.wait($0.1, now: now, in: db) } }
        if let wait = waits.max() { return try throttled(wait, typed: typed, request: request, context: context) }
        guard let pending = try await services.devices.pending(userCode: typed) else {
            let wait = try await services.database.write { db in try subjects.compactMap { try $0.0.hit($0.1, now: now, in: db) }.max() }
            context.logger.info("device_code_refused", ["user_id": user.id])
            if let wait { return try throttled(wait, typed: typed, request: request, context: context) }
            return try page(context, ["enter": true, "userCode": .string(typed),
                                      "error": .string(context.translator.text("That code is not right, or it has expired. Check the code on your device."))],
                            status: .unprocessableContent).response(for: request, context: context)
        }
        context.session[Self.sessionKey] = pending.userCodeHash
        let scopes: [MustacheValue] = pending.scope.values.map { scope in
            ["name": .string(scope), "description": .string(AuthorizeController.scopeDescription(scope, context.translator))]
        }
        return try page(context, ["consent": true, "client": MustacheValue(pending.client), "scopes": .list(scopes)])
            .response(for: request, context: context)
    }

    @Sendable func decide(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        guard let user = context.currentUser, let record = SignInRecord.read(context.session),
              let hash = context.session[Self.sessionKey] else {
            return Response(status: .seeOther, headers: ["Location": Self.path])
        }
        context.session[Self.sessionKey] = nil
        let allow = form["decision"] == "allow"
        guard try await services.devices.pending(hash: hash) != nil,
              try await services.devices.decide(hash: hash, approve: allow, userID: user.id, authTime: record.time, methods: record.methods) else {
            return try page(context, ["done": true, "heading": .string(context.translator.text("This request is over")),
                                      "message": .string(context.translator.text("It was decided already or it expired. Start again on your device if you need to."))],
                            status: .conflict).response(for: request, context: context)
        }
        context.logger.info(allow ? "device_authorization_approved" : "device_authorization_denied", ["user_id": user.id])
        return try page(context, allow
            ? ["done": true, "heading": .string(context.translator.text("Your device is connected")),
               "message": .string(context.translator.text("You can return to your device now."))]
            : ["done": true, "heading": .string(context.translator.text("Request denied")),
               "message": .string(context.translator.text("The device was not given access to your account."))])
            .response(for: request, context: context)
    }

    private func throttled(_ wait: Int, typed: String, request: Request, context: RequestContext) throws -> Response {
        context.logger.warning("device_code_throttled", ["user_id": context.currentUser?.id ?? 0])
        return try page(context, ["enter": true, "userCode": .string(typed),
                                  "error": .string(SecondFactorController.tooManyCodes(wait, context.translator))],
                        status: .tooManyRequests).response(for: request, context: context).setting(["Retry-After": String(wait)])
    }

    private func page(_ context: RequestContext, _ values: [String: MustacheValue], status: HTTPStatus = .ok) -> View {
        Page(context, title: context.translator.text("Connect a device"), values).view("provider/device", status: status)
    }
}
