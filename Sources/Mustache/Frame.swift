// The context stack's entries.

/// One entry of the context stack, with its lookup function taken out of the value once rather
/// than on every lookup (matching on the enum each time costs a copy).
struct Frame {
    private let stored: MustacheValue
    private let lookup: (@Sendable (String) -> MustacheValue?)?
    private let elementLookup: (@Sendable (Int, String) -> MustacheValue?)?
    private let index: Int

    init(_ value: consuming MustacheValue) {
        if case .object(let lookup) = value { self.lookup = lookup } else { lookup = nil }
        stored = value
        elementLookup = nil
        index = 0
    }

    /// Element `index` of an ``MustacheValue/objectList(count:lookup:)``.
    init(element index: Int, of list: @escaping @Sendable (Int, String) -> MustacheValue?) {
        stored = .null
        lookup = nil
        elementLookup = list
        self.index = index
    }

    /// The frame as a value, for `{{.}}` and `{{#.}}`.
    var value: MustacheValue {
        guard let elementLookup else { return stored }
        let index = index
        return .object { key in elementLookup(index, key) }
    }

    /// The value for `key`, or `nil` when the frame is not an object or lacks the key.
    func find(_ key: String) -> MustacheValue? {
        // Optional chaining calls the stored closures in place; `if let` would retain them.
        switch elementLookup?(index, key) {
        case .some(let result): result
        case .none: lookup?(key) ?? nil
        }
    }
}
