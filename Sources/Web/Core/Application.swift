import Mustache

/// What a server serves: the responder chain plus what every request's context needs (logger,
/// templates). Built by one application factory, which `main` and the tests both call, so a
/// test exercises exactly what production runs.
public struct Application: Sendable {
    /// The full chain: application middleware around the router.
    public let responder: any Responder
    /// Parsed templates for `View` responses.
    public let templates: TemplateLibrary?
    /// The base logger; each request gets a copy tagged with its id.
    public let logger: Logger

    /// An application from its parts.
    public init(responder: any Responder, templates: TemplateLibrary? = nil, logger: Logger = Logger()) {
        self.responder = responder
        self.templates = templates
        self.logger = logger
    }

    /// Answers one request. Errors that escape every middleware become plain responses here;
    /// anything but an `HTTPError` is logged by its type name first, never swallowed silently.
    public func respond(to request: Request, requestID: String) async -> Response {
        let context = RequestContext(requestID: requestID, logger: logger.with("request_id", requestID), templates: templates)
        do {
            return try await responder.respond(to: request, context: context)
        } catch let error as HTTPError {
            var response = Response(status: error.status, contentType: "text/plain; charset=utf-8", text: error.message + "\n")
            for field in error.headers { response.headers.add(field.name, field.value) }
            return response
        } catch let error as any HTTPResponseError {
            context.logger.error("error=\(String(reflecting: type(of: error))) status=\(error.status.code) detail=\"\(error)\"")
            return Response(status: error.status, contentType: "text/plain; charset=utf-8", text: error.publicMessage + "\n")
        } catch {
            context.logger.error("unhandled error=\(String(reflecting: type(of: error))) detail=\"\(error)\"")
            return Response(status: .internalServerError, contentType: "text/plain; charset=utf-8", text: "Internal Server Error\n")
        }
    }
}
