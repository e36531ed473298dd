import Identity
import Mustache

extension FieldErrors {
    /// `{field: message}` for templates, plus `any` when there is at least one.
    public var mustacheValue: MustacheValue {
        var values = messages.mapValues { MustacheValue.string($0) }
        values["any"] = .bool(!messages.isEmpty)
        return MustacheValue(values)
    }
}
