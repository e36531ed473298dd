import Localization
import Mustache

/// A key for a value that a middleware adds to the request context, e.g. the session or the
/// signed-in user. The key type names the value's type, so reads are typed.
public protocol ContextKey {
    /// The type of the stored value.
    associatedtype Value: Sendable
}

/// Per-request data that travels with a request through middleware and into the handler:
/// route parameters, the logger, the request id, and whatever later layers add through
/// `ContextKey`s. Nothing request-specific lives in globals.
///
/// A context belongs to one request and is only touched by the task serving it, one step at a
/// time, which is why the reference type is safe to mark Sendable.
public final class RequestContext: @unchecked Sendable {
    /// Parameters captured by the matched route (`:id`, `*`).
    public var parameters = Parameters()
    /// A short id for this request, written on its log line.
    public let requestID: String
    /// The logger, tagged with the request id.
    public var logger: Logger
    /// The application's parsed templates, used by `View`: those of the reader's language once
    /// `LanguageMiddleware` has run.
    public var templates: TemplateLibrary?
    /// The reader's language, for text written from Swift (flashes, errors, dates).
    public var translator: Translator = .english
    /// How errors become HTTP errors, as the application installed it.
    public let errors: ErrorMapping
    /// The route pattern that matched, e.g. `/users/:id`, once routing has run.
    public var route: String?
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    /// A context for one request.
    public init(requestID: String, logger: Logger, templates: TemplateLibrary? = nil, errors: ErrorMapping = ErrorMapping()) {
        self.requestID = requestID
        self.logger = logger
        self.templates = templates
        self.errors = errors
    }

    /// The value a middleware stored under `key`, if any.
    public subscript<Key: ContextKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}

/// Route parameters by name; the trailing `*` of a route is stored as `catchAll`.
public struct Parameters: Sendable {
    private var values: [(String, String)] = []

    /// No parameters.
    public init() {}

    /// The decoded value of parameter `name`.
    public subscript(name: String) -> String? {
        for (key, value) in values where key == name { return value }
        return nil
    }

    /// The parameter as an integer, or nil when absent or not a number.
    public func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }

    /// The part of the path matched by a trailing `*`, still encoded, without a leading slash.
    public var catchAll: String? { self["*"] }

    mutating func set(_ name: String, _ value: String) { values.append((name, value)) }
    mutating func removeLast() { values.removeLast() }
}
