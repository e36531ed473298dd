/// A value as templates see it: the whole data model the renderer understands.
///
/// Rendering never inspects Swift types at run time; every value reaches the renderer as one of
/// these cases, and keyed data answers through ``MustacheObject/value(forKey:)``.
///
/// Name lookup (interpolation, sections, inverted sections):
/// - `.` is the value on top of the context stack.
/// - `a.b.c` resolves `a` by walking the context stack from the top down and taking the first
///   ``MustacheValue/object(_:)`` frame whose lookup of `"a"` is not `nil` (a present key holding
///   ``MustacheValue/null`` still stops the walk). `b` and `c` are then looked up only in the
///   value just found; any miss makes the whole name a miss.
/// - Frames that are not objects (strings, numbers, lists, ...) have no keys and are skipped.
/// - A miss interpolates as the empty string and counts as falsey.
///
/// Truthiness (the spec's `!!data`): `null`, `false`, `0`, `0.0`, NaN, `""` and the empty list are
/// falsey; everything else, including an object with no keys, is truthy.
///
/// Sections: a list renders its content once per element, pushing each element; any other truthy
/// value renders it once with the value pushed; a falsey value renders nothing. Inverted sections
/// render their content once, without pushing, exactly when the value is falsey.
///
/// Interpolation: strings as they are, integers in decimal, doubles through Swift's shortest
/// round-trip form, booleans as `true`/`false`; `null`, lists and objects render nothing.
public enum MustacheValue: Sendable {
    /// No value: renders nothing, falsey.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string (HTML-escaped by `{{name}}`, raw with `{{{name}}}` or `{{&name}}`).
    case string(String)
    /// A list: sections iterate over it.
    case list([MustacheValue])
    /// A list of objects read in place: element `index` answers `key` with `lookup(index, key)`.
    ///
    /// Arrays of ``MustacheObject`` values convert to this, so rendering them neither copies nor
    /// boxes the elements. Otherwise it behaves exactly like a ``list(_:)`` of objects.
    case objectList(count: Int, lookup: @Sendable (Int, String) -> MustacheValue?)
    /// Keyed data: a function from key to value, `nil` for keys it does not have.
    ///
    /// Build it from a ``MustacheObject`` (`item.mustacheValue`) or a `[String: MustacheValue]`.
    /// A function keeps this enum small and cheap to copy: rendering copies values often, and an
    /// existential payload would make every copy go through runtime witnesses.
    case object(@Sendable (String) -> MustacheValue?)

    /// Whether a section shows this value (see the truthiness rules above).
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0 && !number.isNaN
        case .string(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .objectList(let count, _): count > 0
        case .object: true
        }
    }

    /// The value stored under `key` when this is an object, otherwise `nil`.
    public subscript(key: String) -> MustacheValue? {
        if case .object(let lookup) = self { return lookup(key) }
        return nil
    }

    /// Wraps any renderable Swift value.
    public init(_ value: some MustacheRenderable) {
        self = value.mustacheValue
    }
}

/// A Swift value that can be rendered by a template.
public protocol MustacheRenderable: Sendable {
    /// This value in the renderer's data model.
    var mustacheValue: MustacheValue { get }

    /// An array of such values in the data model (objects override it to avoid boxing).
    static func mustacheList(_ elements: [Self]) -> MustacheValue
}

extension MustacheRenderable {
    /// A list of each element's ``mustacheValue``.
    @inlinable public static func mustacheList(_ elements: [Self]) -> MustacheValue {
        .list(elements.map { element in element.mustacheValue })
    }
}

/// Keyed data for templates: adopt it in a struct with a `switch` over the keys a template uses.
///
/// ```swift
/// extension Item: MustacheObject {
///     func value(forKey key: String) -> MustacheValue? {
///         switch key {
///         case "name": .string(name)
///         case "score": .int(score)
///         default: nil
///         }
///     }
/// }
/// ```
/// Return `nil` for a key you do not have, so lookup continues further down the context stack.
/// Converting one object to ``MustacheValue`` copies it into a heap allocation; converting an
/// array of objects does not copy the elements (see ``MustacheValue/objectList(count:lookup:)``).
public protocol MustacheObject: MustacheRenderable {
    /// The value for `key`, or `nil` when this object has no such key.
    func value(forKey key: String) -> MustacheValue?
}

extension MustacheObject {
    /// An object renders as a lookup into itself.
    public var mustacheValue: MustacheValue {
        .object { [self] key in value(forKey: key) }
    }

    /// An ``MustacheValue/objectList(count:lookup:)`` reading the array in place.
    @inlinable public static func mustacheList(_ elements: [Self]) -> MustacheValue {
        .objectList(count: elements.count) { index, key in
            // Through the buffer the element is borrowed; `elements[index]` would copy it first.
            elements.withUnsafeBufferPointer { buffer in buffer[index].value(forKey: key) }
        }
    }
}
