import Foundation
import Security
import Mustache

/// Anything a handler can return: text, HTML, JSON, a redirect, a status, a rendered template,
/// or a full `Response`. Keeps controllers short.
public protocol ResponseGenerator {
    /// Builds the response.
    func response(for request: Request, context: RequestContext) throws -> Response
}

extension Response: ResponseGenerator {
    public func response(for request: Request, context: RequestContext) throws -> Response { self }
}

extension String: ResponseGenerator {
    /// Plain UTF-8 text.
    public func response(for request: Request, context: RequestContext) throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(utf8))
    }
}

extension HTTPStatus: ResponseGenerator {
    /// An empty response with this status.
    public func response(for request: Request, context: RequestContext) throws -> Response {
        Response(status: self)
    }
}

/// An HTML document, already rendered.
public struct HTML: ResponseGenerator, Sendable {
    public var status: HTTPStatus
    public var html: String

    /// HTML with a status (200 by default).
    public init(_ html: String, status: HTTPStatus = .ok) {
        self.html = html
        self.status = status
    }

    public func response(for request: Request, context: RequestContext) throws -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }
}

/// A redirect; 303 See Other by default, so a POST is followed by a GET.
public struct Redirect: ResponseGenerator, Sendable {
    public var location: String
    public var status: HTTPStatus

    /// A redirect to `location` (a path or an absolute URL).
    public init(to location: String, status: HTTPStatus = .seeOther) {
        self.location = location
        self.status = status
    }

    public func response(for request: Request, context: RequestContext) throws -> Response {
        Response(status: status, headers: ["Location": location])
    }
}

/// A value encoded as JSON with a status.
public struct JSON<Value: Encodable>: ResponseGenerator {
    public var value: Value
    public var status: HTTPStatus

    /// JSON for `value` (200 by default).
    public init(_ value: Value, status: HTTPStatus = .ok) {
        self.value = value
        self.status = status
    }

    public func response(for request: Request, context: RequestContext) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: try JSONBody.encode(value))
    }
}

/// The one configured JSON encoding for every reply (pages' JSON errors, the API, the OAuth
/// endpoints): sorted keys, so replies are stable and diffable, and unescaped slashes, so URLs
/// read as URLs.
public enum JSONBody {
    /// A fresh encoder with our settings (`JSONEncoder` is not safe to share across threads).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as JSON bytes.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        if let json = value as? JSONValue, let bytes = json.sortedCompactJSON { return bytes }
        return Array(try encoder().encode(value))
    }
}

/// Encodable types that a handler can return directly, answered as JSON with 200.
public protocol ResponseEncodable: Encodable, ResponseGenerator {}

extension ResponseEncodable {
    public func response(for request: Request, context: RequestContext) throws -> Response {
        try JSON(self).response(for: request, context: context)
    }
}

/// A template rendered with a value, as `text/html`.
public struct View: ResponseGenerator, Sendable {
    public var template: String
    public var value: MustacheValue
    public var status: HTTPStatus

    /// The template named `template` (its path under `Templates/` without `.mustache`).
    public init(_ template: String, _ value: MustacheValue, status: HTTPStatus = .ok) {
        self.template = template
        self.value = value
        self.status = status
    }

    public func response(for request: Request, context: RequestContext) throws -> Response {
        guard let html = context.templates?.render(value, template: template) else {
            throw TemplateNotFound(name: template)
        }
        return try HTML(html, status: status).response(for: request, context: context)
    }
}

/// A handler asked for a template that was not loaded at start-up.
public struct TemplateNotFound: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "template not found: \(name)" }
}
