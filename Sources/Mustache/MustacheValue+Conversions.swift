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
        // A metatype comparison, not `as?`: the runtime cast cost more than the lookups.
        let values = Value.self == MustacheValue.self
            ? unsafeBitCast(self, to: [String: MustacheValue].self) : mapValues { value in value.mustacheValue }
        return MustacheValue.object(values)
    }
}

extension MustacheValue {
    /// An object answering `dictionary`'s keys.
    ///
    /// A small one is scanned rather than hashed: templates look up many names that a frame does
    /// not have (lookup walks the stack), and comparing a few short keys, lengths first, costs
    /// less than hashing the name each time.
    public static func object(_ dictionary: [String: MustacheValue]) -> MustacheValue {
        guard dictionary.count <= KeyTable.scanLimit else { return .object { key in dictionary[key] } }
        let table = KeyTable(dictionary)
        return .object { key in table.value(forKey: key) }
    }
}

/// Keys and values side by side, for objects small enough to scan.
public struct KeyTable: Sendable {
    /// Up to this many entries a scan beats hashing.
    public static let scanLimit = 24

    @usableFromInline let keys: [String]
    @usableFromInline let values: [MustacheValue]

    /// The entries of `dictionary`.
    public init(_ dictionary: [String: MustacheValue]) {
        keys = Array(dictionary.keys)
        values = Array(dictionary.values)
    }

    /// Entries in order; for a repeated key the last one wins.
    public init(_ pairs: [(String, MustacheValue)]) {
        keys = pairs.map(\.0)
        values = pairs.map(\.1)
    }

    /// The value under `key`, if any.
    @inlinable public func value(forKey key: String) -> MustacheValue? {
        let count = key.utf8.count
        var index = keys.count - 1
        while index >= 0 {
            if keys[index].utf8.count == count && keys[index] == key { return values[index] }
            index -= 1
        }
        return nil
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
        // Scanned in place: building a dictionary hashed every key only to answer a few lookups.
        guard elements.count <= KeyTable.scanLimit else {
            let values = Dictionary(elements, uniquingKeysWith: { _, last in last })
            self = .object { key in values[key] }
            return
        }
        let table = KeyTable(elements)
        self = .object { key in table.value(forKey: key) }
    }
}
