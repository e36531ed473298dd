// Conformances that let ordinary Swift values go straight into a render call.

extension MustacheValue: MustacheRenderable {
    /// A value is already in the data model.
    public var mustacheValue: MustacheValue { self }

    /// An array of values is already a list.
    public static func mustacheList(_ elements: [MustacheValue]) -> MustacheValue { .list(elements) }
}

extension String: MustacheRenderable {
    /// A string renders as ``MustacheValue/string(_:)``.
    public var mustacheValue: MustacheValue { .string(self) }
}

extension Substring: MustacheRenderable {
    /// A substring renders as a copied ``MustacheValue/string(_:)``.
    public var mustacheValue: MustacheValue { .string(String(self)) }
}

extension Int: MustacheRenderable {
    /// An integer renders as ``MustacheValue/int(_:)``.
    public var mustacheValue: MustacheValue { .int(self) }
}

extension Double: MustacheRenderable {
    /// A double renders as ``MustacheValue/double(_:)``.
    public var mustacheValue: MustacheValue { .double(self) }
}

extension Bool: MustacheRenderable {
    /// A boolean renders as ``MustacheValue/bool(_:)``.
    public var mustacheValue: MustacheValue { .bool(self) }
}

// Inlinable so that callers get versions specialised for their element types.

extension Optional: MustacheRenderable where Wrapped: MustacheRenderable {
    /// `nil` renders as ``MustacheValue/null``.
    @inlinable public var mustacheValue: MustacheValue {
        switch self {
        case .some(let wrapped): wrapped.mustacheValue
        case .none: .null
        }
    }
}

extension Array: MustacheRenderable where Element: MustacheRenderable {
    /// An array renders as a ``MustacheValue/list(_:)``.
    @inlinable public var mustacheValue: MustacheValue {
        Element.mustacheList(self)
    }
}

extension Dictionary: MustacheRenderable where Key == String, Value: MustacheRenderable {
    /// A string-keyed dictionary renders as an object whose keys are its keys.
    @inlinable public var mustacheValue: MustacheValue {
        let values = self as? [String: MustacheValue] ?? mapValues { value in value.mustacheValue }
        return .object { key in values[key] }
    }
}

extension MustacheValue: ExpressibleByStringLiteral {
    /// `"text"` is ``MustacheValue/string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension MustacheValue: ExpressibleByIntegerLiteral {
    /// `42` is ``MustacheValue/int(_:)``.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension MustacheValue: ExpressibleByFloatLiteral {
    /// `1.5` is ``MustacheValue/double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension MustacheValue: ExpressibleByBooleanLiteral {
    /// `true` is ``MustacheValue/bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MustacheValue: ExpressibleByNilLiteral {
    /// `nil` is ``MustacheValue/null``.
    public init(nilLiteral: ()) { self = .null }
}

extension MustacheValue: ExpressibleByArrayLiteral {
    /// `[a, b]` is ``MustacheValue/list(_:)``.
    public init(arrayLiteral elements: MustacheValue...) { self = .list(elements) }
}

extension MustacheValue: ExpressibleByDictionaryLiteral {
    /// `["key": value]` is an ``MustacheValue/object(_:)`` backed by a dictionary.
    public init(dictionaryLiteral elements: (String, MustacheValue)...) {
        self = Dictionary(elements, uniquingKeysWith: { _, last in last }).mustacheValue
    }
}
