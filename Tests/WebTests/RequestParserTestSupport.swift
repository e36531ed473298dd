import Web

/// An event reduced to comparable values, so whole streams can be checked with one `#expect`.
enum SeenEvent: Equatable, CustomStringConvertible {
    case expectsContinue(String)
    case request(method: String, target: String, version: String, headers: [String], keepAlive: Bool, body: String)

    init(_ event: ParseEvent) {
        switch event {
        case .expectsContinue(let head):
            self = .expectsContinue("\(head.method) \(head.target)")
        case .request(let head, let body):
            self = .request(method: head.method.rawValue, target: head.target,
                            version: "\(head.version.major).\(head.version.minor)",
                            headers: head.headers.map { "\($0.name): \($0.value)" },
                            keepAlive: head.keepAlive, body: String(decoding: body, as: UTF8.self))
        }
    }

    var description: String {
        switch self {
        case .expectsContinue(let line): "100-continue(\(line))"
        case let .request(method, target, version, headers, keepAlive, body):
            "\(method) \(target) HTTP/\(version) \(headers) keepAlive=\(keepAlive) body=\(body.debugDescription)"
        }
    }
}

/// Everything a parser produced from one input: the events, then the error that stopped it.
struct ParseOutcome: Equatable {
    var events: [SeenEvent] = []
    var error: HTTPParseError?
}

/// Feeds `bytes` in pieces of `pieceSize` (all at once when nil), draining events after each.
func feed(_ bytes: [UInt8], pieceSize: Int? = nil, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    let step = max(pieceSize ?? bytes.count, 1)
    var start = 0
    repeat {
        let end = min(start + step, bytes.count)
        parser.append(Array(bytes[start..<end]))
        start = end
        do {
            while let event = try parser.next() { outcome.events.append(SeenEvent(event)) }
        } catch {
            outcome.error = error
            return outcome
        }
    } while start < bytes.count
    return outcome
}

/// `feed` with text, which spells line endings out (`\r\n`) so bare-LF cases stay visible.
func feed(_ text: String, pieceSize: Int? = nil, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    feed(Array(text.utf8), pieceSize: pieceSize, limits: limits)
}

/// The requests parsed from a complete input that must not fail.
func parsedRequests(_ text: String, limits: HTTPLimits = HTTPLimits()) -> [SeenEvent] {
    let outcome = feed(text, limits: limits)
    precondition(outcome.error == nil, "unexpected \(outcome.error!)")
    return outcome.events
}

/// The single request head parsed from `text`, or nil when none came out.
func parsedHead(_ text: String) -> (RequestHead, [UInt8])? {
    var parser = RequestParser()
    parser.append(Array(text.utf8))
    guard case .request(let head, let body)? = try? parser.next() else { return nil }
    return (head, body)
}

/// The error `text` causes (fed whole), or nil when it parses.
func parseFailure(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
    feed(text, limits: limits).error
}

/// The status code `text` causes, or nil when it parses.
func parseStatus(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
    parseFailure(text, limits: limits)?.status
}

/// A minimal valid HTTP/1.1 GET with extra header lines.
func getRequest(_ target: String = "/", _ extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: example.com\r\n\(extra)\r\n"
}
