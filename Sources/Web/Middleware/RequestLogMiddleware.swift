import Glibc

/// Writes one line per request: method, path, status, body bytes, duration and request id.
/// Place it outermost so the status it logs is the one the client gets.
public struct RequestLogMiddleware: Middleware {
    /// A request logger.
    public init() {}

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        let start = Self.now()
        do {
            let response = try await next.respond(to: request, context: context)
            log(request, context: context, status: response.status.code, bytes: response.body.count, start: start)
            return response
        } catch let error as HTTPError {
            log(request, context: context, status: error.status.code, bytes: error.message.utf8.count + 1, start: start)
            throw error
        } catch {
            log(request, context: context, status: 500, bytes: 0, start: start)
            throw error
        }
    }

    private func log(_ request: Request, context: RequestContext, status: Int, bytes: Int, start: UInt64) {
        let micros = (Self.now() - start) / 1000
        // The path is logged without its query string: queries can carry codes and tokens.
        context.logger.info("request", ["method": request.method, "path": request.path, "status": status, "bytes": bytes,
                                       "duration_ms": "\(micros / 1000).\(Self.threeDigits(micros % 1000))"])
    }

    private static func threeDigits(_ n: UInt64) -> String {
        n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)"
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
